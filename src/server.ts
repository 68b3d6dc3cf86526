import http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, Response } from 'express';
import cors from 'cors';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { HttpDrain } from './common/drain';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { aliasLimitRule, depthLimitRule } from './common/query-limits';
import { requestGuard } from './common/request-guard';
import { DEFAULT_FAILED_AUTH_BURST, DEFAULT_INTROSPECTION_BURST, rateLimitMiddleware, TokenBucketLimiter } from './common/rate-limit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { createContext, Context, SharedCaches } from './context';
import { StatsCache } from './modules/stats/stats.cache';
import { warmStatsCache } from './modules/stats/stats.warmup';
import { buildSchema } from './schema';
import { createLogger, Logger } from './common/logger';
import { ErrorCode, errorChain, HubError } from './common/errors';
import { requestScope } from './common/request-scope';
import { ApiKeyService } from './modules/key/api-key.service';

/** Error codes whose messages are meant for the client; anything else is masked. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export interface HubState {
  /** True once migrations and the first seed are done. */
  ready: boolean;
  /** True once shutdown began: /readyz answers 503 so that balancers stop sending, while requests already sent are still served. */
  stopping?: boolean;
}

export interface Hub {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  state: HubState;
  /** Stop accepting, let in-flight requests finish, close the server. */
  stop(): Promise<void>;
  /** Fill the statistics cache for every federation (in the background, after start-up). */
  warmStats(): Promise<number>;
}

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

/** Masks unexpected errors (no stack, no SQL) and logs them with the request id. */
function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = requestScope.getStore()?.requestId;
    let code = formatted.extensions?.code as string | undefined;
    // Apollo refuses some requests with a 4xx status but no code (e.g. a malformed `persistedQuery`
    // extension): they are the client's error, not the hub's.
    if (!code && clientStatus(error)) {
      code = 'BAD_REQUEST';
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
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    // What reaches the client instead of the error: a code, our message, the request id.
    const replaced = (code: string, message: string): GraphQLFormattedError => ({
      message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code, requestId },
    });
    if (hasSqlState(original, '57014')) {
      // statement_timeout (or a cancel): the request asked the database for too much, or waited
      // too long for a lock. Nothing was written (the transaction rolled back).
      logger.warn({ requestId, err: original, path: formatted.path }, 'statement timeout');
      return replaced(ErrorCode.QUERY_TIMEOUT, 'The database did not finish this request in time: ask for less (smaller pages, fewer fields), or retry later');
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn({ requestId, err: original, path: formatted.path }, 'database unavailable');
      return replaced(ErrorCode.SERVICE_UNAVAILABLE, DATABASE_AWAY);
    }
    logger.error({ requestId, err: original, path: formatted.path }, 'unexpected error');
    return replaced(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
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

/** What a client is told when the database does not answer (in a resolver or while authenticating). */
const DATABASE_AWAY = 'The database is not answering: try again in a moment';

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** The body of an error answered outside GraphQL, in GraphQL's error shape. */
function errorBody(code: string, message: string, requestId: string | undefined): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] };
}

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json(errorBody(code, message, requestScope.getStore()?.requestId));
}

/**
 * Requests Node's HTTP parser refuses before the hub sees them (a URL or headers over Node's
 * 16 KiB limit, a malformed request line) get the hub's JSON error shape instead of an empty body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', `The URL and headers exceed ${http.maxHeaderSize} bytes: send long queries by POST`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive']
        : [400, 'BAD_REQUEST', 'Malformed HTTP request'];
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(code, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function createServer(orm: MikroORM, config: Config, opts: { logger?: Logger; state?: HubState } = {}): Promise<Hub> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const state = opts.state ?? { ready: true };
  const app = express();
  const httpServer = http.createServer(app);
  httpServer.on('clientError', answerClientError);
  const drain = new HttpDrain(httpServer, {
    graceMs: config.shutdownGraceSeconds * 1000,
    freshMs: 1000,
    quietMs: 250,
    onListenerClosed: (info) => logger.info(info, 'no longer accepting connections'),
  });
  const caches: SharedCaches = { stats: new StatsCache(config.statsCacheSeconds * 1000) };

  const plugins: ApolloServerPlugin<Context>[] = [
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
  ];
  if (config.exposeSqlStats) {
    plugins.push({
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            response.http.headers.set('x-sql-statements', String(requestScope.getStore()?.sqlStatements ?? 0));
          },
        };
      },
    });
  }
  const schema = buildSchema();
  const { limits } = config;
  plugins.push({
    // One structured line per GraphQL request: operation, duration, key id (never the key itself,
    // never variables, which may hold personal data).
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
  });
  const guard = requestGuard<Context>(schema, limits);
  plugins.push(guard.plugin);
  // The stop waits for operations in progress, also those whose client has hung up (src/common/drain.ts).
  plugins.push({
    async requestDidStart() {
      const release = drain.hold();
      return {
        async willSendResponse() {
          release();
        },
      };
    },
  });
  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)],
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // No automatic persisted queries: clients that try get PERSISTED_QUERY_NOT_SUPPORTED and send
    // the full query (the protocol's fallback); there is no CDN cache here for them to serve.
    persistedQueries: false,
    // main.ts owns the signals: Apollo's own SIGTERM handler would stop executing operations at once,
    // before the drain (src/common/drain.ts) lets the requests in progress finish.
    stopOnTerminationSignals: false,
    formatError: formatError(logger),
    plugins,
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Every response carries a request id; logs and masked errors name the same one.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    requestScope.run({ requestId, sqlStatements: 0 }, () => next());
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (state.stopping) return void res.status(503).json({ status: 'stopping' });
    if (!state.ready) return void res.status(503).json({ status: 'starting' });
    try {
      await Promise.race([
        orm.em.getConnection().execute('select 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
      ]);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });

  const rl = config.rateLimit;
  const rateLimit = rateLimitMiddleware({
    keyed: TokenBucketLimiter.perMinute(rl.keyedPerMinute, rl.keyedBurst),
    anonymous: TokenBucketLimiter.perMinute(rl.anonymousPerMinute, rl.anonymousBurst),
    introspection: TokenBucketLimiter.perMinute(rl.introspectionPerMinute, DEFAULT_INTROSPECTION_BURST),
    failedAuth: TokenBucketLimiter.perMinute(rl.failedAuthPerMinute, DEFAULT_FAILED_AUTH_BURST),
    trustProxy: rl.trustProxyHops,
  });

  const corsMiddleware = cors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Apollo-Require-Preflight', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining'],
    maxAge: 600,
  });

  app.use(
    '/graphql',
    corsMiddleware,
    express.json({ limit: limits.bodyLimitBytes }),
    (err: unknown, _req: Request, res: Response, next: NextFunction) => {
      // The body parser's own answer is an HTML page with a stack: answer JSON instead.
      const e = err as { type?: string; status?: number; length?: number };
      if (e?.type === 'entity.parse.failed') return jsonError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
      if (e?.type === 'entity.too.large') {
        const found = typeof e.length === 'number' && Number.isFinite(e.length) ? `this one has ${e.length}` : 'this one has more';
        return jsonError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${limits.bodyLimitBytes} bytes: ${found}`);
      }
      if (e?.status && e.status < 500) return jsonError(res, e.status, 'BAD_REQUEST', 'The request body could not be read');
      next(err);
    },
    rateLimit,
    (_req: Request, res: Response, next: NextFunction) => {
      if (!state.ready) return jsonError(res, 503, 'SERVICE_UNAVAILABLE', 'The hub is starting: try again in a moment');
      next();
    },
    expressMiddleware(apollo, {
      // An unknown or revoked key is refused here, before any resolver runs (401).
      context: async ({ req }) => {
        let viewer;
        try {
          viewer = await new ApiKeyService(orm.em.fork()).authenticate(req.header('authorization'));
        } catch (e) {
          if (e instanceof HubError) throw e;
          // Anything else here is the database: answer 503, never Apollo's 500 with its message.
          logger.warn({ requestId: requestScope.getStore()?.requestId, err: e }, 'authentication failed');
          throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, DATABASE_AWAY, {
            requestId: requestScope.getStore()?.requestId,
          });
        }
        return createContext(orm.em, caches, { requestId: requestScope.getStore()?.requestId, viewer });
      },
    }),
  );

  app.use((_req: Request, res: Response) => jsonError(res, 404, 'NOT_FOUND', 'Not found: the GraphQL endpoint is /graphql'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ requestId: requestScope.getStore()?.requestId, err }, 'unhandled error');
    if (res.headersSent) return void res.end();
    jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  });

  let stopping: Promise<void> | null = null;
  return {
    app,
    httpServer,
    apollo,
    state,
    stop: () =>
      (stopping ??= (async () => {
        guard.stopping();
        const graceful = await drain.stop();
        if (!graceful) logger.warn({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown grace period over: remaining connections closed');
        await apollo.stop();
      })()),
    warmStats: () => warmStatsCache(orm.em, caches.stats),
  };
}
