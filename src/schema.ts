import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
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
  if (mutation) mutation.description = 'Writes: pushes from association apps (their own data only) and administration (ADMIN keys). Every write is audited.';
  return cached;
}

/** The schema as committed in schema/schema.graphql: sorted, so diffs show real changes only. */
export function printHubSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
