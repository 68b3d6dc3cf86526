import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { Context } from '../context';
import type { Logger } from './logger';
import { maskedError, MASKED_CODES } from './error-policy';

/** Apollo plugins of the hub's own (the request guard is in request-guard.ts). */

/** An `X-SQL-Statements` header on every GraphQL response: the statements the request ran (tests, benchmarks). */
export function sqlStatsHeaderPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          response.http.headers.set('x-sql-statements', String(contextValue.scope?.sqlStatements ?? 0));
        },
      };
    },
  };
}

/**
 * Errors that are not the client's own: logged with the request id (warn for a statement timeout
 * or the database away, error for anything unexpected), and their masked answers name the
 * request id, so that a caller's report can be found in the logs.
 */
export function errorReportPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const masked = maskedError(error);
            if (!masked) continue;
            logger[masked.level]({ requestId: contextValue.requestId, err: error.originalError ?? error, path: error.path }, masked.what);
          }
        },
        async willSendResponse({ response, contextValue }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          for (const e of errors ?? []) {
            const code = e.extensions?.code as string | undefined;
            if (code && MASKED_CODES.has(code) && !e.extensions?.requestId) (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
        },
      };
    },
  };
}

/**
 * The HTTP status of an answer that execution produced. Apollo gives the whole response the status
 * its errors carry (401 UNAUTHENTICATED, 403 FORBIDDEN), even when other root fields of the
 * document were answered: a first mutation committed before a second was refused, say. Here, when
 * any root field was answered (it has a value, or no error of its own: a null `association` for an
 * unknown code is an answer), the status is 200 and the data stays, with the errors beside it.
 * When no root field was, the request was refused as a whole: the error's status stays, and `data`
 * is null, as for a key refused at authentication. Must come before the request log plugin, which
 * logs the status.
 */
export function executionStatusPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
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
        },
      };
    },
  };
}

/**
 * One structured line per GraphQL request: the hub's request id (and the caller's, when it sent
 * one), the caller's address, operation, key id (never the key itself, never variables, which may
 * hold personal data), status, errors and their codes, duration.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue, request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, errors, operationName }) {
          const scope = contextValue.scope;
          logger.info(
            {
              requestId: contextValue.requestId,
              ...(scope?.clientRequestId ? { clientRequestId: scope.clientRequestId } : {}),
              clientAddress: scope?.clientAddress,
              operationName: operationName ?? request.operationName ?? null,
              keyId: contextValue.viewer.keyId,
              role: contextValue.viewer.role,
              status: response.http.status ?? 200,
              errors: errors?.length ?? 0,
              ...errorCodes(response.body),
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

/** Holds the HTTP drain open while a GraphQL operation runs, even when its client has hung up. */
export function drainHoldPlugin(drain: { hold(): () => void }): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const release = drain.hold();
      return {
        async willSendResponse() {
          release();
        },
      };
    },
  };
}

/** The distinct codes of the errors a response carries, as the client sees them (after formatError). */
function errorCodes(body: GraphQLResponse['body']): { errorCodes?: string[] } {
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  if (!errors?.length) return {};
  return { errorCodes: [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))] };
}
