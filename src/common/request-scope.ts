import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current request carries through every await: its ids, its caller's address and its SQL statement count. */
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
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
