import { Lru } from './lru';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  DocumentNode,
  execute,
  ExecutionResult,
  FragmentDefinitionNode,
  getNamedType,
  getVariableValues,
  GraphQLAbstractType,
  GraphQLCompositeType,
  GraphQLError,
  GraphQLSchema,
  GraphQLTypeResolver,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  printSchema,
  SelectionSetNode,
} from 'graphql';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import { getMetadataStorage } from 'type-graphql';
import type { Logger } from './logger';
import { planSqlRead, SqlReadContext, SqlReadPlan, SqlReadRegistry } from './sql-read';

/**
 * A compiled executor for reads (graphql-jit) behind Apollo Server's only executor hook, the
 * `gateway` option: `load()` hands Apollo the schema and an executor. Apollo still does everything
 * before execution itself (parsing with the token limit, validation with the depth and alias
 * rules, the persisted-query refusal, the operation, the plugins' `didResolveOperation`: the
 * request guard) and everything after it (error formatting and masking, HTTP statuses).
 *
 * Each distinct document and operation is compiled once, on its `compileAfter`-th arrival (2 by
 * default: a document sent once never pays for compiling), and kept in an LRU bounded in entries
 * (500) and in fields (10,000: compiled code takes a few KB per field of the expanded document).
 * graphql-js `execute` runs, with the arguments Apollo gives it when it has no gateway, whatever
 * the compiled path would not serve identically:
 * - mutations (graphql-js executes their fields serially; writes are bound by the database),
 * - `@skip`/`@include` (graphql-jit has open bugs with them on fragments),
 * - introspection (`__schema`, `__type`: the explorer and codegen, rare and rate-limited),
 * - documents that expand to more than MAX_COMPILED_FIELDS fields (compiling is linear in the
 *   expanded document, which fragments can make far larger than its text),
 * - an abstract type whose `resolveType` answers asynchronously (graphql-jit needs the type at
 *   once; type-graphql wraps every `resolveType` in an async function, so its own resolver,
 *   from type-graphql's metadata, is called synchronously instead: see syncTypeResolvers),
 * - a document graphql-jit refuses to compile,
 * - variables that do not coerce (graphql-js words those errors, and Apollo recognises them by
 *   their shape: 400 BAD_USER_INPUT), and a missing or ambiguous operation.
 *
 * graphql-jit's errors become graphql-js GraphQLErrors (with `extensions` always an object, as
 * Apollo's error formatting expects). Fields without a resolver are read as plain properties by
 * graphql-jit: they must not hold promises or methods (type-graphql gives every field a resolver
 * unless `simpleResolvers` is set).
 */

export type ExecutorKind = 'jit' | 'graphql-js';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type LoadResult = Awaited<ReturnType<Gateway['load']>>;
type GatewayExecutor = NonNullable<LoadResult['executor']>;
type GatewayRequestContext = Parameters<GatewayExecutor>[0];
type SchemaListener = Parameters<Gateway['onSchemaLoadOrUpdate']>[0];

export interface CompiledExecutorOptions {
  /** Compiled documents kept, least recently used dropped first. */
  cacheSize?: number;
  /** Fields (expanded) of all compiled documents kept: compiled code takes ~3-7 KB per field. */
  cacheFields?: number;
  /** Arrivals of a document before it is compiled (until then graphql-js runs it). */
  compileAfter?: number;
  logger?: Logger;
  /** Reads answered by one SQL statement where every field is declared (common/sql-read.ts). */
  sqlReads?: SqlReadRegistry;
}

export const DEFAULT_CACHE_SIZE = 500;
/** ~30-65 MB of compiled code at most; the hub's usual documents have 10-100 fields. */
export const DEFAULT_CACHE_FIELDS = 10_000;
export const DEFAULT_COMPILE_AFTER = 2;
/** Fields of a document, fragments expanded (per possible type below an abstract type), from which it is not compiled: ~40 ms of compiling. */
export const MAX_COMPILED_FIELDS = 500;

/** Counters, for tests and diagnostics. */
export interface ExecutorStats {
  /** Documents compiled. */
  compiled: number;
  /** Requests answered by one SQL statement (common/sql-read.ts) / executed compiled / by graphql-js. */
  sql: number;
  jit: number;
  fallback: number;
  /** Entries in the cache of compiled documents, and their fields. */
  cached: number;
  cachedFields: number;
}

export interface CompiledExecutorGateway extends Gateway {
  stats(): ExecutorStats;
}

/** Apollo's `gateway` option serving `schema` with compiled reads. */
export function compiledExecutorGateway(schema: GraphQLSchema, options: CompiledExecutorOptions = {}): CompiledExecutorGateway {
  const cacheSize = Math.max(1, options.cacheSize ?? DEFAULT_CACHE_SIZE);
  const compileAfter = Math.max(1, options.compileAfter ?? DEFAULT_COMPILE_AFTER);
  const { logger } = options;
  const typeResolvers = syncTypeResolvers(schema);
  // Compiled documents (null: graphql-js serves it), and apart from them the arrivals of documents
  // not compiled yet, so that a stream of one-off documents cannot push compiled ones out.
  const plans = new Lru<CompiledQuery | null>(cacheSize, Math.max(MAX_COMPILED_FIELDS, options.cacheFields ?? DEFAULT_CACHE_FIELDS));
  const arrivals = new Lru<number>(cacheSize, Infinity);
  const listeners = new Set<SchemaListener>();
  const counters = { compiled: 0, sql: 0, jit: 0, fallback: 0 };
  const { sqlReads } = options;
  // SQL plans (null: some field is not declared) of each document and operation: planning is a walk of the document.
  const sqlPlans = new Lru<SqlReadPlan | null>(cacheSize, Infinity);

  /** The graphql-js path, with the arguments Apollo itself passes to `execute` when it has no gateway. */
  const graphqlJs = (rc: GatewayRequestContext): Promise<ExecutionResult> | ExecutionResult => {
    counters.fallback++;
    return execute({
      schema,
      document: rc.document,
      contextValue: rc.context,
      variableValues: rc.request.variables,
      operationName: rc.request.operationName,
    });
  };

  /** The compiled operation (null: graphql-js executes it) and its weight in the cache (its fields). */
  const plan = (document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null): { compiled: CompiledQuery | null; fields: number } => {
    const shape = operation.operation === 'query' ? inspect(schema, document, operation, typeResolvers.unsupported) : { refusal: operation.operation, fields: 0 };
    if (shape.refusal) {
      logger?.debug({ operationName, reason: shape.refusal }, 'not compiled: graphql-js executes the document');
      return { compiled: null, fields: 0 };
    }
    const started = process.hrtime.bigint();
    try {
      const compiled = withTypeResolvers(typeResolvers.sync, () => compileQuery(schema, document, operationName ?? undefined));
      if (!isCompiledQuery(compiled)) {
        logger?.debug({ operationName, errors: compiled.errors?.map((e) => e.message) }, 'graphql-jit did not compile the document: graphql-js executes it');
        return { compiled: null, fields: 0 };
      }
      counters.compiled++;
      logger?.debug({ operationName, fields: shape.fields, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'document compiled');
      return { compiled, fields: shape.fields };
    } catch (err) {
      logger?.warn({ operationName, err }, 'graphql-jit failed to compile the document: graphql-js executes it');
      return { compiled: null, fields: 0 };
    }
  };

  const executor: GatewayExecutor = async (rc) => {
    const { operation, document, request } = rc;
    if (!operation || !document) return graphqlJs(rc);
    const key = `${rc.queryHash}\n${rc.operationName ?? ''}`;
    if (sqlReads) {
      let sqlPlan = sqlPlans.get(key);
      if (sqlPlan === undefined) {
        sqlPlan = planSqlRead(schema, sqlReads, document, operation);
        sqlPlans.set(key, sqlPlan, 1);
      }
      if (sqlPlan) {
        const answer = await sqlPlan.run(rc.context as unknown as SqlReadContext, request.variables);
        if (answer) {
          counters.sql++;
          return answer;
        }
      }
    }
    let compiled = plans.get(key);
    if (compiled === undefined) {
      const seen = (arrivals.get(key) ?? 0) + 1;
      if (seen < compileAfter) {
        arrivals.set(key, seen);
        return graphqlJs(rc);
      }
      arrivals.delete(key);
      const planned = plan(document, operation, rc.operationName);
      compiled = planned.compiled;
      plans.set(key, compiled, planned.fields);
    }
    if (!compiled) return graphqlJs(rc);

    const variables = request.variables ?? {};
    if (operation.variableDefinitions?.length) {
      // graphql-js decides whether the variables are valid and words the errors; nothing runs then.
      const coerced = getVariableValues(schema, operation.variableDefinitions, variables, { maxErrors: 50 });
      if (coerced.errors) return graphqlJs(rc);
    }
    const result = await compiled.query(undefined, rc.context, variables);
    if (!('data' in result)) return graphqlJs(rc); // graphql-jit refused variables that graphql-js accepted: nothing ran
    counters.jit++;
    return result.errors?.length ? { data: result.data, errors: result.errors.map(asGraphQLError) } : { data: result.data };
  };

  return {
    async load() {
      const schemaContext = { apiSchema: schema, coreSupergraphSdl: printSchema(schema) };
      for (const listener of listeners) listener(schemaContext);
      return { executor };
    },
    onSchemaLoadOrUpdate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async stop() {
      plans.clear();
      arrivals.clear();
      sqlPlans.clear();
      listeners.clear();
    },
    stats: () => ({ ...counters, cached: plans.size, cachedFields: plans.weight }),
  };
}

class TooLarge extends Error {}

/**
 * Why the operation is not compiled (null: it is): `@skip`/`@include`, introspection, an abstract
 * type without a synchronous type resolver, or more than MAX_COMPILED_FIELDS fields once
 * fragments are expanded as graphql-jit expands them (for each possible type of an abstract type);
 * and the number of those fields, which the size of the compiled code follows.
 */
function inspect(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, unsupported: Set<string>): { refusal: string | null; fields: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType): string | null => {
    for (const s of set.selections) {
      if (s.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) return '@skip/@include';
      if (s.kind === Kind.FIELD) {
        if (++fields > MAX_COMPILED_FIELDS) throw new TooLarge();
        const name = s.name.value;
        if (name === '__schema' || name === '__type') return 'introspection';
        if (!s.selectionSet || !(isObjectType(type) || isInterfaceType(type))) continue;
        const def = type.getFields()[name];
        if (!def) continue;
        const named = getNamedType(def.type);
        if (isAbstractType(named)) {
          if (unsupported.has(named.name)) return `${named.name} resolves its type asynchronously`;
          for (const possible of schema.getPossibleTypes(named)) {
            const why = walk(s.selectionSet, possible);
            if (why) return why;
          }
        } else if (isCompositeType(named)) {
          const why = walk(s.selectionSet, named);
          if (why) return why;
        }
      } else {
        const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : fragments.get(s.name.value);
        if (!fragment) continue;
        // Fragments that cannot apply to this object type are left out, as graphql-jit leaves them out.
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        if (condition !== type && !(condition && isAbstractType(condition) && isObjectType(type) && schema.isSubType(condition, type))) continue;
        const why = walk(fragment.selectionSet, type);
        if (why) return why;
      }
    }
    return null;
  };
  const root = schema.getQueryType();
  if (!root) return { refusal: 'no query type', fields };
  try {
    return { refusal: walk(operation.selectionSet, root), fields };
  } catch (e) {
    if (e instanceof TooLarge) return { refusal: `more than ${MAX_COMPILED_FIELDS} fields`, fields };
    throw e;
  }
}

/**
 * Synchronous type resolvers for the abstract types whose `resolveType` is an async function.
 * type-graphql wraps every user `resolveType` (e.g. Node's) in an async function, which graphql-jit
 * cannot wait for: this calls the user's resolver, from type-graphql's metadata, and maps its answer
 * as type-graphql's wrapper does (a type name as is, a class to its object type). Abstract types
 * whose resolver is async all the way are `unsupported`: documents reaching them run on graphql-js.
 */
function syncTypeResolvers(schema: GraphQLSchema): { sync: Map<GraphQLAbstractType, GraphQLTypeResolver<unknown, unknown>>; unsupported: Set<string> } {
  const sync = new Map<GraphQLAbstractType, GraphQLTypeResolver<unknown, unknown>>();
  const unsupported = new Set<string>();
  const metadata = getMetadataStorage();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || !type.resolveType || !isAsync(type.resolveType)) continue;
    const own = (isInterfaceType(type) ? metadata.interfaceTypes : metadata.unions).find((m) => m.name === type.name)?.resolveType;
    if (!own || isAsync(own)) {
      unsupported.add(type.name);
      continue;
    }
    const possible = new Set(schema.getPossibleTypes(type).map((t) => t.name));
    const nameOfClass = new Map<unknown, string>(metadata.objectTypes.filter((o) => possible.has(o.name)).map((o) => [o.target, o.name]));
    sync.set(type, (value, context, info, abstractType) => {
      const resolved = own(value, context, info, abstractType);
      if (resolved && typeof (resolved as { then?: unknown }).then === 'function') {
        throw new Error(`resolveType of ${type.name} answered a promise: the compiled executor needs it synchronous (GRAPHQL_EXECUTOR=graphql-js)`);
      }
      if (!resolved || typeof resolved === 'string') return resolved ?? undefined;
      return nameOfClass.get(resolved);
    });
  }
  return { sync, unsupported };
}

function isAsync(fn: Function): boolean {
  return fn.constructor?.name === 'AsyncFunction';
}

/**
 * Runs `compile` with the synchronous type resolvers in place. graphql-jit reads `resolveType` only
 * while compiling, and compiling is synchronous: nothing else (graphql-js executing another request)
 * runs before they are put back.
 */
function withTypeResolvers<T>(resolvers: Map<GraphQLAbstractType, GraphQLTypeResolver<unknown, unknown>>, compile: () => T): T {
  const saved = [...resolvers.keys()].map((type) => [type, type.resolveType] as const);
  try {
    for (const [type, resolver] of resolvers) type.resolveType = resolver;
    return compile();
  } finally {
    for (const [type, resolver] of saved) type.resolveType = resolver;
  }
}

/**
 * A graphql-js GraphQLError with what graphql-jit's error carries: graphql-jit's own error class
 * leaves `extensions` undefined when the original error has none (Apollo reads `extensions.code`
 * and would fail formatting it), and has no `nodes`.
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions ?? undefined });
  if (e.locations?.length) (error as { locations?: unknown }).locations = e.locations;
  return error;
}
