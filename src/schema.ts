import 'reflect-metadata';
import { GraphQLOutputType, GraphQLSchema, isNonNullType, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { NODE_TYPES, RESOLVERS } from './modules';
import { checkArgument } from './common/arg-rules';

let cached: GraphQLSchema | undefined;

/** The GraphQL schema: built once per process (type-graphql metadata is global anyway). */
export function buildSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    // Types reachable only through the Node interface must still be in the schema.
    orphanedTypes: [...NODE_TYPES.values()].map((n) => n.type),
    // Bounds on arguments (page sizes, filter lengths): common/arg-rules.ts, not class-validator.
    validateFn: checkArgument,
    emitSchemaFile: false,
  });
  const query = cached.getQueryType();
  if (query) query.description = 'Entry points for reading the graph of federations, associations and intellectuals.';
  const mutation = cached.getMutationType();
  if (mutation) {
    mutation.description =
      'Writes: pushes from association apps (their own data only) and administration (ADMIN keys). Every write is audited. A payload is null only when that mutation was refused (an error with its path says why).';
    nullablePayloads(mutation.getFields());
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
