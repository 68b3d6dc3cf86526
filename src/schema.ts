import 'reflect-metadata';
import { GraphQLOutputType, GraphQLSchema, isNonNullType, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync, type PubSub } from 'type-graphql';
import { NODE_TYPES, RESOLVERS } from './modules';
import { checkArgument } from './common/arg-rules';

let cached: GraphQLSchema | undefined;

const NO_PUBSUB: PubSub = {
  publish() {
    throw new Error('no type-graphql PubSub: subscriptions bring their own `subscribe`');
  },
  subscribe() {
    throw new Error('no type-graphql PubSub: subscriptions bring their own `subscribe`');
  },
};

/** The GraphQL schema: built once per process (type-graphql metadata is global anyway). */
export function buildSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    // Types reachable only through the Node interface must still be in the schema.
    orphanedTypes: [...NODE_TYPES.values()].map((n) => n.type),
    // Bounds on arguments (page sizes, filter lengths): common/arg-rules.ts, not class-validator.
    validateFn: checkArgument,
    emitSchemaFile: false,
    // type-graphql asks for one as soon as a @Subscription exists, but every subscription of the hub
    // brings its own `subscribe` (the change feed's: src/modules/feed/feed.live.ts): none uses it.
    pubSub: NO_PUBSUB,
  });
  const query = cached.getQueryType();
  if (query) query.description = 'Entry points for reading the graph of federations, associations and intellectuals.';
  const mutation = cached.getMutationType();
  if (mutation) {
    mutation.description =
      'Writes: pushes from association apps (their own data only) and administration (ADMIN keys). Every write is audited. A payload is null only when that mutation was refused (an error with its path says why).';
    nullablePayloads(mutation.getFields());
  }
  const subscription = cached.getSubscriptionType();
  if (subscription) {
    subscription.description =
      'Live updates, over WebSocket only: the graphql-ws protocol (subprotocol `graphql-transport-ws`) at /graphql, the API key in `connectionParams` as `{"authorization": "Bearer <key>"}` (none: the public). At most once: the change feed (`changes`) is the complete record.';
  }
  return cached;
}

/**
 * Every mutation's payload is nullable, whatever its resolver declares. The mutations of one
 * document run one after another and each commits on its own: with a non-null payload, one refused
 * mutation (FORBIDDEN, say) would null the whole `data`, and the caller would not see the payloads
 * of the mutations before it, which were written. One rule here, so that no mutation forgets it.
 */
function nullablePayloads(fields: Record<string, { type: GraphQLOutputType }>): void {
  for (const field of Object.values(fields)) if (isNonNullType(field.type)) field.type = field.type.ofType;
}

/** The schema as committed in schema/schema.graphql: sorted, so diffs show real changes only. */
export function printHubSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
