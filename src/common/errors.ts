import { GraphQLError } from 'graphql';

/**
 * Every error code the hub answers with, in one place.
 * GraphQL errors carry them in `extensions.code`; mutation payloads carry user errors with them.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The database's statement timeout ended the request (server.ts maps SQLSTATE 57014). */
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  /** A change feed cursor older than the feed's retention: records after it are gone, read in full again. */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SERVICE_UNAVAILABLE: 503,
};

/** An error the caller can act on: its message and code reach the client unchanged. */
export class HubError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    // A 401 says how to authenticate (RFC 7235).
    const headers = code === ErrorCode.UNAUTHENTICATED ? new Map([['www-authenticate', 'Bearer realm="federation-hub"']]) : undefined;
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status, ...(headers ? { headers } : {}) } } : {}) } });
  }
}

export const badInput = (message: string, extra: Record<string, unknown> = {}) =>
  new HubError(ErrorCode.BAD_USER_INPUT, message, extra);

/** An error as its wrappers see it: a code, a message, and what it wraps. */
export interface ErrorLink {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  previous?: unknown;
  [field: string]: unknown;
}

/**
 * An error and the errors it wraps, outermost first (at most 5): `cause`, or MikroORM's
 * `previous`. Knex, MikroORM and pg each wrap the one below, so a PostgreSQL code can sit a few
 * links down.
 */
export function* errorChain(e: unknown): Generator<ErrorLink> {
  for (let cur = e, n = 0; cur && typeof cur === 'object' && n < 5; n++) {
    const link = cur as ErrorLink;
    yield link;
    cur = link.cause ?? link.previous;
  }
}

