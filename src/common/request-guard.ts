import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { BREAK, DocumentNode, GraphQLError, GraphQLSchema, Kind, OperationDefinitionNode, visit } from 'graphql';
import { Lru } from './lru';
import { MAX_COST_STEPS, nodeCost, QueryLimits } from './query-limits';
import { Semaphore, SemaphoreBusy } from './semaphore';
import { findUnstorableText, unstorableText } from './text';

export interface GuardLimits extends QueryLimits {
  heavyNodes: number;
  heavyConcurrency: number;
  heavyWaitSeconds: number;
}

/** Heavy queries waiting for their turn, at most; more are answered 503 at once. */
const HEAVY_QUEUE = 100;

/**
 * Checks made once an operation is known and before anything runs, so that what the hub cannot
 * serve is refused at the edge with a client error (HTTP 400), never reaching a resolver or the
 * database: subscriptions (served over WebSocket only: src/common/graphql-ws.ts), text PostgreSQL
 * cannot store (NUL, unpaired surrogates) in variables or literals, and the node budget (it needs
 * the variables: `first: $n`).
 *
 * Then heavy queries (node cost from `heavyNodes` on) take turns: at most `heavyConcurrency`
 * execute at once. Building tens of thousands of objects keeps Node's single thread busy for
 * seconds; run side by side, a few such queries would hold up every light request behind all of
 * them, while one at a time they only delay light requests by one slice of work.
 */
export function requestGuard<C extends object>(schema: GraphQLSchema, limits: GuardLimits): RequestGuard<C> {
  const heavy = new Semaphore(limits.heavyConcurrency, HEAVY_QUEUE, limits.heavyWaitSeconds * 1000);
  return {
    request: guardRequest<C>(schema, limits, heavy),
    // On shutdown, heavy queries still waiting for their turn are answered at once (503, retry
    // elsewhere) rather than cut off when the grace period ends.
    stopping: () => heavy.close(),
  };
}

export interface RequestGuard<C extends object> {
  /** The guard of one request, for the hub's plugin (apollo-plugins.ts): its checks, and the end of its turn. */
  request(): GuardedRequest<C>;
  stopping(): void;
}

export interface GuardedRequest<C extends object> {
  /** Apollo's didResolveOperation: the checks, then a heavy query's turn. */
  didResolveOperation(ctx: GraphQLRequestContextDidResolveOperation<C>): Promise<void>;
  /** Once the response is being sent: ends a heavy query's turn. */
  release(): void;
}

/**
 * `value` as JSON when that takes at most `budget` characters and 32 levels, else null. Unlike
 * JSON.stringify it never recurses deeper than that: variables nested thousands of levels deep (a
 * hostile body parses fine) overflow JSON.stringify's stack on some machines and not on others.
 */
export function smallJson(value: unknown, budget: number): string | null {
  let used = 0;
  const write = (v: unknown, depth: number): string | null => {
    if (depth > 32) return null;
    let out: string | null;
    if (Array.isArray(v)) {
      const parts: string[] = [];
      for (const item of v) {
        const part = write(item === undefined ? null : item, depth + 1);
        if (part === null) return null;
        parts.push(part);
      }
      out = `[${parts.join(',')}]`;
    } else if (v !== null && typeof v === 'object') {
      const parts: string[] = [];
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue;
        const part = write(item, depth + 1);
        if (part === null) return null;
        parts.push(`${JSON.stringify(k)}:${part}`);
      }
      out = `{${parts.join(',')}}`;
    } else {
      out = JSON.stringify(v) ?? 'null';
    }
    used += out.length;
    return used > budget ? null : out;
  };
  return write(value, 0);
}

/**
 * The checks of an operation that need neither execution nor the heavy queries' turns: text
 * PostgreSQL cannot store (NUL, unpaired surrogates) in variables or literals, and the node budget
 * (it needs the variables: `first: $n`). Throws a client error (400). Apollo keeps one parsed
 * document per distinct query text (its document store), and so do the WebSocket subscriptions
 * (src/common/graphql-ws.ts), so the checks of a document are remembered with it: its literals
 * once, its cost once per set of variables (a few per document: past that, computed again).
 */
export function operationChecks(schema: GraphQLSchema, limits: QueryLimits): (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => { total: number } {
  const literals = new WeakMap<DocumentNode, ReturnType<typeof unstorableLiteral>>();
  const costs = new WeakMap<OperationDefinitionNode, Lru<ReturnType<typeof nodeCost>>>();
  const literalCheck = (document: DocumentNode) => {
    let found = literals.get(document);
    if (found === undefined) literals.set(document, (found = unstorableLiteral(document)));
    return found;
  };
  const costOf = (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => {
    // Reads only, and small variables only: a push's megabytes are neither worth keeping nor hashing.
    if (operation.operation === 'mutation') return nodeCost(schema, document, operation, variables);
    const key = operation.variableDefinitions?.length ? smallJson(variables, 1024) : '';
    if (key === null) return nodeCost(schema, document, operation, variables);
    let byVariables = costs.get(operation);
    if (!byVariables) costs.set(operation, (byVariables = new Lru(8)));
    let cost = byVariables.get(key);
    if (!cost) byVariables.set(key, (cost = nodeCost(schema, document, operation, variables)));
    return cost;
  };
  return (document, operation, variables) => {
    const badVariable = findUnstorableText(variables, 'variables');
    if (badVariable) throw unstorable(badVariable.path, badVariable.problem);
    const badLiteral = literalCheck(document);
    if (badLiteral) throw unstorable(badLiteral.where, badLiteral.problem);

    const cost = costOf(document, operation, variables);
    if (cost.tooComplex) {
      throw clientError(
        'GRAPHQL_VALIDATION_FAILED',
        `Query too complex: its node budget could not be computed within ${MAX_COST_STEPS} steps. Use fewer fragments and fields.`,
        { limit: 'nodes', max: limits.maxNodes },
      );
    }
    if (cost.total > limits.maxNodes) {
      throw clientError(
        'GRAPHQL_VALIDATION_FAILED',
        `Node limit exceeded: the limit is ${limits.maxNodes} nodes, this operation may return ${cost.total}; the most expensive path is ${cost.worst?.path} (${cost.worst?.nodes} nodes). Ask for smaller pages.`,
        { limit: 'nodes', max: limits.maxNodes, found: cost.total, path: cost.worst?.path },
      );
    }
    return cost;
  };
}

function guardRequest<C extends object>(schema: GraphQLSchema, limits: GuardLimits, heavy: Semaphore): () => GuardedRequest<C> {
  const check = operationChecks(schema, limits);
  return () => {
    let release: (() => void) | null = null;
    return {
      release() {
        release?.();
      },
      async didResolveOperation({ document, operation, request }) {
        if (!operation) return;
        if (operation.operation === 'subscription') {
          throw clientError('BAD_REQUEST', 'Subscriptions are not served over HTTP: open a WebSocket to /graphql (the graphql-ws protocol, graphql-transport-ws)');
        }

        const cost = check(document, operation, request.variables ?? {});
        if (cost.total >= limits.heavyNodes) {
          try {
            release = await heavy.acquire();
          } catch (e) {
            if (!(e instanceof SemaphoreBusy)) throw e;
            if (e.reason === 'closed') throw unavailable('The hub is shutting down: retry in a moment', 1);
            const retryAfter = Math.max(1, Math.ceil(limits.heavyWaitSeconds / 2));
            throw unavailable(
              `The hub is busy with other large queries (${e.reason}): retry in ${retryAfter} s, or ask for smaller pages (this query may return ${cost.total} nodes; from ${limits.heavyNodes} on, queries take turns)`,
              retryAfter,
            );
          }
        }
      },
    };
  };
}

function clientError(code: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status: 400 } } });
}

/** 503 SERVICE_UNAVAILABLE with a Retry-After header. */
function unavailable(message: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
  });
}

function unstorable(where: string, problem: string): GraphQLError {
  return clientError('BAD_USER_INPUT', `Text at ${where} contains ${problem}, which cannot be stored: remove it`, { path: where });
}

/** The first string literal of the document that cannot be stored as text. */
function unstorableLiteral(document: DocumentNode): { where: string; problem: string } | null {
  let found: { where: string; problem: string } | null = null;
  visit(document, {
    [Kind.STRING](node) {
      const problem = unstorableText(node.value);
      if (!problem) return;
      const at = node.loc?.startToken;
      found = { where: at ? `line ${at.line}, column ${at.column}` : 'a string literal', problem };
      return BREAK;
    },
  });
  return found;
}
