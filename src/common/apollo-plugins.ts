import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import type { Logger } from './logger';
import { requestScope } from './request-scope';

/** Apollo plugins of the hub's own (the request guard is in request-guard.ts). */

/** An `X-SQL-Statements` header on every GraphQL response: the statements the request ran (tests, benchmarks). */
export function sqlStatsHeaderPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('x-sql-statements', String(requestScope.getStore()?.sqlStatements ?? 0));
        },
      };
    },
  };
}

/**
 * One structured line per GraphQL request: operation, duration, key id (never the key itself,
 * never variables, which may hold personal data).
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue, request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, errors, operationName }) {
          logger.info(
            {
              requestId: contextValue.requestId,
              operationName: operationName ?? request.operationName ?? null,
              keyId: contextValue.viewer.keyId,
              role: contextValue.viewer.role,
              status: response.http.status ?? 200,
              errors: errors?.length ?? 0,
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
