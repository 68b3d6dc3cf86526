import type { ServerResponse } from 'node:http';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode, errorChain } from './errors';
import type { Logger } from './logger';
import { sendJson } from './http-json';
import { scopeOf } from './request-scope';
import { RATE_LIMITED } from './rate-limit/middleware';

/**
 * What a client is told when something fails: errors it can act on reach it unchanged, anything
 * else is masked (a code, a generic message, the request id) and logged. Applies to GraphQL
 * errors (Apollo's `formatError`) and to the JSON answers written outside GraphQL.
 */

/** Error codes whose messages are meant for the client; anything else is masked. */
const CLIENT_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.QUERY_TIMEOUT,
  ErrorCode.CURSOR_EXPIRED,
  RATE_LIMITED, // a key refused once its address has used up its refused keys (from the context function)
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

/** What a client is told while the hub is starting (503). */
export const HUB_STARTING = 'The hub is starting: try again in a moment';

/** What a client is told when the database does not answer (in a resolver or while authenticating). */
export const DATABASE_AWAY = 'The database is not answering: try again in a moment';

interface ValidationIssue {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationIssue[];
}

function validationMessages(issues: ValidationIssue[], prefix = ''): string[] {
  return issues.flatMap((i) => [
    ...Object.values(i.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m)),
    ...validationMessages(i.children ?? [], prefix ? `${prefix}.${i.property}` : i.property),
  ]);
}

/**
 * What the client is told instead of an error that is not its own (no stack, no SQL): a code and
 * a message, and how loudly the hub logs it; null for errors whose message is meant for the
 * client. The request id is added, and the error logged, by `errorReportPlugin`, which has the
 * request's context (formatError has not).
 */
export function maskedError(error: unknown): { code: string; message: string; level: 'warn' | 'error'; what: string } | null {
  const code = (error as GraphQLError | undefined)?.extensions?.code as string | undefined;
  if ((code && CLIENT_CODES.has(code)) || clientStatus(error)) return null;
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  if (hasSqlState(original, '57014')) {
    // statement_timeout (or a cancel): the request asked the database for too much, or waited
    // too long for a lock. Nothing was written (the transaction rolled back).
    return { code: ErrorCode.QUERY_TIMEOUT, message: 'The database did not finish this request in time: ask for less (smaller pages, fewer fields), or retry later', level: 'warn', what: 'statement timeout' };
  }
  if (isDatabaseUnavailable(original)) return { code: ErrorCode.SERVICE_UNAVAILABLE, message: DATABASE_AWAY, level: 'warn', what: 'database unavailable' };
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error', level: 'error', what: 'unexpected error' };
}

/** Codes whose answers name the request id, so that the client can report it. */
export const MASKED_CODES: ReadonlySet<string> = new Set([ErrorCode.QUERY_TIMEOUT, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);

/** Apollo's formatError: client errors pass (validation messages made readable), anything else is masked. */
export function formatError() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let code = formatted.extensions?.code as string | undefined;
    // Apollo refuses some requests with a 4xx status but no code (e.g. a malformed `persistedQuery`
    // extension): they are the client's error, not the hub's.
    if (!code && clientStatus(error)) {
      code = ApolloServerErrorCode.BAD_REQUEST;
      formatted = { ...formatted, extensions: { ...formatted.extensions, code } };
    }
    if (code && CLIENT_CODES.has(code)) {
      const validationErrors = formatted.extensions?.validationErrors as ValidationIssue[] | undefined;
      const { stacktrace: _s, validationErrors: _v, ...extensions } = formatted.extensions ?? {};
      const message = validationErrors?.length
        ? `Invalid argument: ${validationMessages(validationErrors).join('; ')}`
        : formatted.message === 'Validation aborted.'
          ? // graphql-js gives up comparing fields past a work limit (e.g. thousands of repeats of one field).
            'Validation aborted: the document repeats fields or fragments too often to be checked; send fewer repeated selections'
          : formatted.message;
      return { message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const masked = maskedError(error) ?? { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
    // What reaches the client instead of the error: a code and our message (the plugin adds the request id).
    const requestId = formatted.extensions?.requestId;
    return { message: masked.message, locations: formatted.locations, path: formatted.path, extensions: { code: masked.code, ...(requestId ? { requestId } : {}) } };
  };
}

/** True for a framework error (not one thrown by a resolver) that carries an HTTP 4xx status. */
function clientStatus(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError) return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** True when the error, or one it wraps, is a PostgreSQL error with this SQLSTATE. */
function hasSqlState(e: unknown, state: string): boolean {
  for (const link of errorChain(e)) if (link.code === state) return true;
  return false;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/** Connection failures (refused, reset, timed out, server shutting down): the database is away, not the request wrong. */
function isDatabaseUnavailable(e: unknown): boolean {
  for (const link of errorChain(e)) {
    if (typeof link.code === 'string' && UNAVAILABLE_CODES.has(link.code)) return true;
    if (typeof link.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|^timeout expired$|Knex: Timeout acquiring a connection/i.test(link.message)) return true;
  }
  return false;
}

/** The body of an error answered outside GraphQL, in GraphQL's error shape. */
export function errorBody(code: string, message: string, requestId: string | undefined): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] };
}

/** Answers an error outside GraphQL, naming the request's id. */
export function jsonError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, errorBody(code, message, scopeOf(res.req)?.requestId));
}
