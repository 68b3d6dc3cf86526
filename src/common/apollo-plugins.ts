import type { ApolloServerPlugin, GraphQLRequestListener, GraphQLResponse } from '@apollo/server';
import type { Context } from '../context';
import type { Logger } from './logger';
import type { GraphQLError } from 'graphql';
import { maskedError, MASKED_CODES } from './error-policy';
import type { RequestGuard } from './request-guard';
import { OTHER_OPERATION } from './request-scope';

/**
 * The hub's Apollo plugin: the work of every GraphQL request around Apollo's own (the request
 * guard's checks and turns, in request-guard.ts; the X-SQL-Statements header; the status of partial
 * answers; masked errors logged and named by request id; the request log line; the drain's hold),
 * as one plugin with one listener, in the order they once ran as plugins of their own. Apollo calls
 * every hook of every listener at each step of every request (most through an async function of
 * their own), which a small compiled read notices (bench/README.md, issue #10).
 */
export function hubPlugin(opts: {
  logger: Logger;
  guard: RequestGuard<Context>;
  drain: { hold(): () => void };
  sqlStatsHeader: boolean;
  /** Metrics or traces (common/metrics.ts, tracing.ts): the request's operation label and outcome go into its scope, error codes are counted. */
  observer?: RequestObserver | null;
}): ApolloServerPlugin<Context> {
  const { logger, guard: requestGuard, drain, sqlStatsHeader, observer = null } = opts;
  return {
    // A refused key (or the database away during authentication): Apollo answers without a request listener.
    contextCreationDidFail: observer
      ? async ({ error }) => {
          observer.error(String((error as Partial<GraphQLError>).extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        }
      : undefined,
    async requestDidStart({ contextValue, request }): Promise<GraphQLRequestListener<Context>> {
      const started = process.hrtime.bigint();
      const guard = requestGuard.request();
      // The stop waits for operations in progress, also those whose client has hung up (src/common/drain.ts).
      const release = drain.hold();
      return {
        didResolveOperation: guard.didResolveOperation,
        async didEncounterErrors({ errors }) {
          reportErrors(logger, errors, contextValue);
        },
        async willSendResponse({ response, errors, operationName, operation }) {
          try {
            if (sqlStatsHeader) setSqlStatsHeader(response, contextValue);
            setExecutionStatus(response); // before the log line, which records the status
            if (observer) observe(observer, response, contextValue, operation === undefined ? undefined : (operation.name?.value ?? null));
            nameRequestInMaskedErrors(response, contextValue);
            logRequest(logger, { response, errors, operationName: operationName ?? request.operationName ?? null, contextValue, started });
          } finally {
            guard.release();
            release();
          }
        },
      };
    },
  };
}

export interface RequestObserver {
  /** The bounded label of a resolved operation's name (null: anonymous). */
  operationLabel(name: string | null): string;
  error(code: string): void;
}

/**
 * The request's operation label and outcome, into its scope (read when its response closes), and
 * its errors' codes as the client sees them. `name` undefined: no operation was resolved (the
 * document did not parse or validate), whatever name the request gave.
 */
function observe(observer: RequestObserver, response: GraphQLResponse, contextValue: Context, name: string | null | undefined): void {
  const scope = contextValue.scope;
  if (!scope) return;
  scope.operation = name === undefined ? OTHER_OPERATION : observer.operationLabel(name);
  const body = response.body;
  const result = body.kind === 'single' ? body.singleResult : body.initialResult;
  const errors = result.errors;
  scope.outcome = !errors?.length ? 'ok' : result.data ? 'partial' : 'error';
  if (errors) for (const e of errors) observer.error(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
}

/** An `X-SQL-Statements` header on every GraphQL response: the statements the request ran (tests, benchmarks). */
function setSqlStatsHeader(response: GraphQLResponse, contextValue: Context): void {
  response.http.headers.set('x-sql-statements', String(contextValue.scope?.sqlStatements ?? 0));
}

/**
 * Errors that are not the client's own: logged with the request id (warn for a statement timeout
 * or the database away, error for anything unexpected), and their masked answers name the
 * request id (`nameRequestInMaskedErrors`), so that a caller's report can be found in the logs.
 */
function reportErrors(logger: Logger, errors: readonly GraphQLError[], contextValue: Context): void {
  for (const error of errors) {
    const masked = maskedError(error);
    if (!masked) continue;
    logger[masked.level]({ requestId: contextValue.requestId, err: error.originalError ?? error, path: error.path }, masked.what);
  }
}

function nameRequestInMaskedErrors(response: GraphQLResponse, contextValue: Context): void {
  const body = response.body;
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  for (const e of errors ?? []) {
    const code = e.extensions?.code as string | undefined;
    if (code && MASKED_CODES.has(code) && !e.extensions?.requestId) (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
  }
}

/**
 * The HTTP status of an answer that execution produced. Apollo gives the whole response the status
 * its errors carry (401 UNAUTHENTICATED, 403 FORBIDDEN), even when other root fields of the
 * document were answered: a first mutation committed before a second was refused, say. Here, when
 * any root field was answered (it has a value, or no error of its own: a null `association` for an
 * unknown code is an answer), the status is 200 and the data stays, with the errors beside it.
 * When no root field was, the request was refused as a whole: the error's status stays, and `data`
 * is null, as for a key refused at authentication. Must come before the request log line, which
 * logs the status.
 */
function setExecutionStatus(response: GraphQLResponse): void {
  if (response.body.kind !== 'single') return;
  const result = response.body.singleResult;
  const data = result.data;
  // No data: refused before execution (parse, validation, the request guard), status as it is.
  if (!data || !result.errors?.length) return;
  const failed = new Set(result.errors.map((e) => e.path?.[0]));
  const answered = Object.keys(data).some((key) => data[key] !== null || !failed.has(key));
  const status = response.http.status;
  if (answered) {
    if (status !== undefined && status !== 200) {
      response.http.status = 200;
      response.http.headers.delete('www-authenticate');
    }
  } else if (status === 401 || status === 403) {
    result.data = null;
  }
}

/**
 * One structured line per GraphQL request: the hub's request id (and the caller's, when it sent
 * one), the caller's address, operation, key id (never the key itself, never variables, which may
 * hold personal data), status, errors and their codes, duration.
 */
function logRequest(
  logger: Logger,
  r: { response: GraphQLResponse; errors: readonly GraphQLError[] | undefined; operationName: string | null; contextValue: Context; started: bigint },
): void {
  const { contextValue, response } = r;
  const scope = contextValue.scope;
  logger.info(
    {
      requestId: contextValue.requestId,
      ...(scope?.clientRequestId ? { clientRequestId: scope.clientRequestId } : {}),
      clientAddress: scope?.clientAddress,
      operationName: r.operationName,
      keyId: contextValue.viewer.keyId,
      role: contextValue.viewer.role,
      status: response.http.status ?? 200,
      errors: r.errors?.length ?? 0,
      ...errorCodes(response.body),
      durationMs: Number(process.hrtime.bigint() - r.started) / 1e6,
    },
    'graphql request',
  );
}

/** The distinct codes of the errors a response carries, as the client sees them (after formatError). */
function errorCodes(body: GraphQLResponse['body']): { errorCodes?: string[] } {
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  if (!errors?.length) return {};
  return { errorCodes: [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))] };
}
