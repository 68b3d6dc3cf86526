import type { ReplicaRoute } from './read-routing';
import type { ChangeRecord } from '../modules/feed/feed.writer';

/**
 * What a request carries: its ids, its caller's address and its SQL statement count. It travels
 * by hand, not through AsyncLocalStorage: that would turn on Node's promise hooks for every
 * promise of every request, a cost measured at a quarter of a nested read's CPU. The HTTP edge
 * attaches it to the request (`scopeOf(req)`), the context carries it (`ctx.scope`), and entity
 * managers are bound to it (`bindScope`), so that SQL run through them is counted.
 */
export interface RequestScope {
  /** The hub's id of the request: a UUID it makes for every request (X-Request-Id, logs, audit events, masked errors). */
  requestId: string;
  /**
   * The id the caller sent in X-Request-Id, when it is a plausible one: logged and audited beside
   * the hub's, never instead of it (a caller can forge or reuse it).
   */
  clientRequestId?: string | null;
  /** The caller's address (past the trusted proxies), for log lines. */
  clientAddress?: string;
  sqlStatements: number;
  /**
   * For the metrics (common/metrics.ts), set by the hub's Apollo plugin when the request reached
   * it: the operation's label (bounded: `(anonymous)`, `(other)` or a name) and whether the answer
   * held errors. Unset: the request was answered before Apollo executed anything.
   */
  operation?: string;
  outcome?: 'ok' | 'partial' | 'error';
  /** Rows a committed push wrote, by outcome (CREATED, UPDATED, …), for the metrics. */
  pushRows?: Record<string, number>;
  /**
   * The read replica this request's reads go to (common/read-routing.ts), set for queries once
   * the operation is known; unset or null: the primary.
   */
  replica?: ReplicaRoute | null;
  /**
   * The hub's publisher of committed change records (subscriptions), set by the HTTP edge:
   * runMutation hands it the feed records of each write once the write has committed.
   */
  publishChanges?: (records: ChangeRecord[]) => void;
}

/** The operation label of requests without a usable operation name: not parsed or valid, refused before execution, or past the metrics' cap. */
export const OTHER_OPERATION = '(other)';
/** The operation label of a valid operation without a name. */
export const ANONYMOUS_OPERATION = '(anonymous)';

const byRequest = new WeakMap<object, RequestScope>();
const byEntityManager = new WeakMap<object, RequestScope>();

/** Attaches the scope to an HTTP request (the edge's first middleware does). */
export function setScope(req: object, scope: RequestScope): void {
  byRequest.set(req, scope);
}

/** The scope of an HTTP request (or of the request a response answers: pass `res.req`). */
export function scopeOf(req: object | undefined): RequestScope | undefined {
  return req ? byRequest.get(req) : undefined;
}

/** Binds an entity manager (a request's fork, a transaction's) to the request it works for. */
export function bindScope(em: object, scope: RequestScope | undefined): void {
  if (scope) byEntityManager.set(em, scope);
}

export function scopeOfEm(em: object): RequestScope | undefined {
  return byEntityManager.get(em);
}

/** Adds a committed push's rows (by outcome) to the request's scope, for the metrics. */
export function countPushRows(scope: RequestScope | undefined, outcomes: readonly { outcome: string }[]): void {
  if (!scope || outcomes.length === 0) return;
  const rows = (scope.pushRows ??= {});
  for (const { outcome } of outcomes) rows[outcome] = (rows[outcome] ?? 0) + 1;
}
