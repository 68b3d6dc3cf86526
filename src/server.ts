import http from 'node:http';
import express, { NextFunction, Request, Response } from 'express';
import cors from 'cors';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { HttpDrain } from './common/drain';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { aliasLimitRule, depthLimitRule } from './common/query-limits';
import { requestGuard } from './common/request-guard';
import {
  DEFAULT_FAILED_AUTH_BURST,
  DEFAULT_INTROSPECTION_BURST,
  presentedKey,
  RATE_LIMITED,
  RateLimiter,
  RateLimitOptions,
  rateLimitedError,
  rateLimiter,
  rateLimitMiddleware,
  RedisBuckets,
  TokenBucketLimiter,
} from './common/rate-limit';
import { ReadRouting, replicasOf } from './common/read-routing';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { createContext, Context, SharedCaches } from './context';
import { forumSettings } from './modules/forum/forum.settings';
import { StatsCache } from './modules/stats/stats.cache';
import { warmStatsCache } from './modules/stats/stats.warmup';
import { startBackground } from './modules';
import { buildSchema } from './schema';
import { createLogger, Logger, logRefusal } from './common/logger';
import { ErrorCode, HubError } from './common/errors';
import { DATABASE_AWAY, formatError, HUB_STARTING, jsonError } from './common/error-policy';
import { answerClientError, bodyErrorHandler, notFound, requestIdMiddleware, unhandledError } from './common/http-edge';
import { hubPlugin } from './common/apollo-plugins';
import { scopeOf } from './common/request-scope';
import { graphqlPostHandler } from './common/graphql-http';
import { ApiKeyService, KeyRefused } from './modules/key/api-key.service';
import { KeyCache, KeyCacheStats } from './modules/key/key-cache';
import { KeyChangeListener } from './modules/key/key-listener';
import { CountCache } from './common/count-cache';
import { compiledExecutorGateway } from './common/executor';
import { NODE_TYPES, PRIMARY_READS, SQL_READS } from './modules';
import { webPages, WebOptions } from './web/pages';
import type { HubMetrics } from './common/metrics';
import { startTracing } from './common/tracing';
import { ANONYMOUS_OPERATION } from './common/request-scope';
import { graphqlWs } from './common/graphql-ws';
import { createChangeBus } from './modules/feed/feed.bus';
import { LiveChanges } from './modules/feed/feed.live';
import type { ChangeRecord } from './modules/feed/feed.writer';

export interface HubState {
  /** True once migrations and the first seed are done. */
  ready: boolean;
  /** True once shutdown began: /readyz answers 503 so that balancers stop sending, while requests already sent are still served. */
  stopping?: boolean;
  /**
   * The statistics warm-up (`warmStats`), shown by /readyz: it loads the database for seconds to
   * tens of seconds after start-up, so a benchmark must not measure while it is 'running'. 'off':
   * none runs (STATS_CACHE_SECONDS=0, or none was started); unset means 'off'.
   */
  statsWarmup?: StatsWarmup;
}

export type StatsWarmup = 'off' | 'running' | 'done' | 'failed';

export interface Hub {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  state: HubState;
  /** Stop accepting, let in-flight requests finish, close the server. */
  stop(): Promise<void>;
  /** Fill the statistics cache for every federation (in the background, after start-up); state.statsWarmup follows it. */
  warmStats(): Promise<number>;
  /** Start the modules' background work (once the database is migrated); stop() ends it. */
  startBackground(): void;
  /** The listener of METRICS_PORT (listening once createServer resolves), or null. */
  metricsServer: http.Server | null;
  /** The hub's Redis client (REDIS_URL, src/common/redis.ts), or null; stop() closes it. */
  redis: Redis | null;
  /** Where reads go with DATABASE_REPLICA_URLS (src/common/read-routing.ts), for tests and diagnostics. */
  reads: ReadRouting;
  /** Subscriptions over WebSocket (src/common/graphql-ws.ts), for tests and diagnostics. */
  subscriptions: {
    /** Authenticated WebSocket connections and the subscriptions running on them, on this hub. */
    stats(): { connections: number; subscriptions: number };
  };
  /** The cache of accepted API keys (src/modules/key/key-cache.ts), for tests and diagnostics. */
  keys: {
    /**
     * Resolves once a change to key `keyId` the caller has committed (a revocation) can no longer
     * be hidden by the cache: its notification has been processed (now or earlier), or the cache
     * is not in use.
     */
    heard(keyId: number): Promise<void>;
    /** Resolves when the cache is in use (`true`: its listener listens) or not (`false`). Never `true` with API_KEY_CACHE_SECONDS=0. */
    whenListening(listening?: boolean): Promise<void>;
    stats(): KeyCacheStats;
  };
}

export interface ServerOptions {
  logger?: Logger;
  state?: HubState;
  /** Awaited before each connection attempt of the API key listener (tests hold it down with it). */
  beforeKeyListenerConnect?: () => Promise<void>;
  /** The browser pages (explorer, statistics page): e.g. another folder of example operations. */
  web?: WebOptions;
}

/** src/common/redis.ts, and ioredis with it, loaded only when REDIS_URL is set. */
const redisModule = () => require('./common/redis') as typeof import('./common/redis');

export async function createServer(orm: MikroORM, config: Config, opts: ServerOptions = {}): Promise<Hub> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const state = opts.state ?? { ready: true };
  const app = express();
  // POST /graphql with a JSON body is answered by graphql-http.ts's handler (set below), anything else by Express.
  let graphqlPost: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;
  // Metrics and traces (README, "Operations"): their modules are loaded only when configured.
  const metrics: HubMetrics | null =
    config.metrics.port !== null || config.metrics.token !== null
      ? (require('./common/metrics') as typeof import('./common/metrics')).createMetrics({ knex: orm.em.getKnex(), maxOperations: config.metrics.maxOperations, token: config.metrics.token })
      : null;
  const tracing = config.otel.tracesUrl ? startTracing({ tracesUrl: config.otel.tracesUrl, serviceName: config.otel.serviceName, knex: orm.em.getKnex(), logger }) : null;
  const httpServer = http.createServer((req, res) => {
    // Both ways in (graphql-http.ts and Express) are counted here, from the request's first byte.
    if ((metrics || tracing) && (req.url === '/graphql' || req.url?.startsWith('/graphql?'))) {
      metrics?.track(req, res);
      tracing?.track(req, res);
    }
    if (!graphqlPost?.(req, res)) app(req, res);
  });
  httpServer.on('clientError', answerClientError);
  const drain = new HttpDrain(httpServer, {
    graceMs: config.shutdownGraceSeconds * 1000,
    quietMs: 250,
    onListenerClosed: (info) => logger.info(info, 'no longer accepting connections'),
  });
  // Redis (README, "Scaling"): loaded only when REDIS_URL is set. Rate-limit buckets shared by every
  // hub on it, falling back to this process's buckets whenever it does not answer.
  const redis = config.redisUrl ? redisModule().createRedis(config.redisUrl, { name: 'rate-limit', logger }) : null;
  const redisNamespace = redis ? await redisModule().redisNamespace(orm.em.getKnex()) : '';
  const redisBuckets = redis ? new RedisBuckets(redis, logger, `${redisNamespace}rate-limit:`) : null;
  const shared = (name: string, local: TokenBucketLimiter | null): RateLimiter | null => (redisBuckets ? redisBuckets.limiter(name, local) : local);
  // Read replicas (DATABASE_REPLICA_URLS): queries read there, a key's reads after its writes do not.
  const reads = new ReadRouting(replicasOf(orm.em.getDriver(), config.databaseReplicaUrls), { readYourWritesMs: config.readYourWritesSeconds * 1000, logger, primaryFields: PRIMARY_READS });
  const caches: SharedCaches = {
    stats: new StatsCache(config.statsCacheSeconds * 1000, { secret: config.statsSecret }),
    forum: forumSettings(config, shared),
    counts: new CountCache(config.countCacheSeconds * 1000),
  };
  // Accepted API keys, answered without SQL while a connection of its own listens for their changes.
  const keyCache = new KeyCache(config.apiKeyCacheSeconds * 1000);
  /** The viewer of an Authorization value, over HTTP and WebSocket alike (the cache, else the database). */
  const authenticate = (authorization: string | undefined) => keyCache.authenticate(authorization, (hash) => new ApiKeyService(orm.em.fork()).authenticateHash(hash));
  const keyListener = keyCache.enabled
    ? new KeyChangeListener({ url: orm.config.get('clientUrl')!, cache: keyCache, logger, beforeConnect: opts.beforeKeyListenerConnect })
    : null;

  const schema = buildSchema();
  const { limits } = config;
  const guard = requestGuard<Context>(schema, limits);
  const plugins: ApolloServerPlugin<Context>[] = [
    ApolloServerPluginCacheControlDisabled(),
    // Traces for a gateway, which only a subgraph schema sends: the plugin Apollo would add does nothing here but cost a promise per request.
    ApolloServerPluginInlineTraceDisabled(),
    // Apollo's landing page loads its sandbox from Apollo's CDN: the hub serves its own explorer (src/web/).
    ApolloServerPluginLandingPageDisabled(),
    hubPlugin({
      logger,
      guard,
      drain,
      sqlStatsHeader: config.exposeSqlStats,
      observer: metrics ?? (tracing ? { operationLabel: (name) => name?.slice(0, 100) || ANONYMOUS_OPERATION, error: () => {} } : null),
    }),
    ...(reads.enabled ? [reads.plugin()] : []),
  ];
  // Reads run compiled (graphql-jit) unless GRAPHQL_EXECUTOR=graphql-js; Apollo's only executor hook is its gateway option.
  const executor =
    config.graphqlExecutor === 'jit'
      ? { gateway: compiledExecutorGateway(schema, { logger, compileAfter: config.graphqlJitAfter, sqlReads: config.sqlReads ? SQL_READS : undefined }) }
      : { schema };
  const apollo = new ApolloServer<Context>({
    ...executor,
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
    formatError: formatError(),
    plugins,
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // No ETag: Express would hash every answer (SHA-1 of up to megabytes) for a validator no GraphQL
  // client sends back (POST answers are not cached, and every answer carries a new request id).
  app.set('etag', false);

  // Every response carries a request id; logs and masked errors name the same one.
  app.use(requestIdMiddleware({ trustProxy: config.rateLimit.trustProxyHops }));

  // Off the public port when METRICS_PORT is set (the listener below); else here, behind METRICS_TOKEN.
  if (metrics && config.metrics.port === null) app.get('/metrics', (req, res) => metrics.handle(req, res));

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
      // Redis and replicas only help: when they are away the hub still serves (degraded, not failed).
      res.json({
        status: 'ready',
        statsWarmup: state.statsWarmup ?? 'off',
        // The rate limits' client (which publishes changes too) and the change bus's subscriber.
        ...(redis ? { redis: bus.health() ?? redisModule().redisHealth(redis) } : {}),
        ...(reads.enabled ? { replicas: reads.health() } : {}),
      });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });

  const rl = config.rateLimit;
  const rateLimitOptions: RateLimitOptions = {
    keyed: shared('keyed', TokenBucketLimiter.perMinute(rl.keyedPerMinute, rl.keyedBurst)),
    anonymous: shared('anonymous', TokenBucketLimiter.perMinute(rl.anonymousPerMinute, rl.anonymousBurst)),
    introspection: shared('introspection', TokenBucketLimiter.perMinute(rl.introspectionPerMinute, DEFAULT_INTROSPECTION_BURST)),
    failedAuth: shared('failed-auth', TokenBucketLimiter.perMinute(rl.failedAuthPerMinute, DEFAULT_FAILED_AUTH_BURST)),
    trustProxy: rl.trustProxyHops,
    logger,
  };
  // One limiter (its buckets and remembered keys) for both ways in: Express's chain and graphql-http.ts.
  const limiting = rateLimiter(rateLimitOptions);
  const counted = (allowed: boolean) => allowed || (metrics!.error(RATE_LIMITED), false);
  const limiter: typeof limiting = metrics
    ? (req, res, query) => {
        const allowed = limiting(req, res, query);
        return typeof allowed === 'boolean' ? counted(allowed) : allowed.then(counted);
      }
    : limiting;

  // An unknown or revoked key is refused here, before any resolver runs (401; 429 once its
  // address has used up its refused keys), with a log line.
  const contextOf = async (req: http.IncomingMessage): Promise<Context> => {
    const key = presentedKey(req);
    const scope = scopeOf(req);
    let viewer;
    try {
      viewer = await authenticate(req.headers.authorization);
    } catch (e) {
      if (e instanceof KeyRefused) {
        const throttled = (await key?.refused()) ?? null;
        const refusal = { reason: e.reason, keyId: e.keyId };
        if (throttled) {
          logRefusal(logger, scope, { status: 429, code: RATE_LIMITED, ...refusal, throttled: 'refused keys from this address', retryAfterSeconds: throttled.retryAfterSeconds });
          throw rateLimitedError(throttled.message, throttled.retryAfterSeconds, scope?.requestId);
        }
        logRefusal(logger, scope, { status: 401, code: ErrorCode.UNAUTHENTICATED, ...refusal });
        throw e;
      }
      if (e instanceof HubError) throw e;
      // Anything else here is the database: answer 503, never Apollo's 500 with its message.
      logger.warn({ requestId: scope?.requestId, err: e }, 'authentication failed');
      throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, DATABASE_AWAY, { requestId: scope?.requestId });
    }
    if (viewer.keyId !== null) key?.accepted(viewer.keyId);
    const context = createContext(orm.em, caches, { scope, viewer });
    // Every HTTP request's writes are published once committed (runMutation, src/common/mutation.ts).
    context.scope.publishChanges = publishChanges;
    return context;
  };

  // The explorer and the statistics page, from the hub's own files; a browser's GET of /graphql
  // without a query gets the explorer, any GraphQL GET or POST goes on to Apollo as before.
  const web = webPages(opts.web);
  app.use(web.router);
  app.get('/graphql', (req, res, next) => (web.wantsExplorer(req) ? web.explorerPage(req, res) : next()));

  const corsMiddleware = cors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Apollo-Require-Preflight', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'X-Client-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining'],
    maxAge: 600,
  });

  app.use(
    '/graphql',
    corsMiddleware,
    express.json({ limit: limits.bodyLimitBytes }),
    bodyErrorHandler(limits.bodyLimitBytes),
    rateLimitMiddleware(limiter),
    (_req: Request, res: Response, next: NextFunction) => {
      if (!state.ready) return jsonError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, HUB_STARTING);
      next();
    },
    ...(tracing ? [(req: Request, _res: Response, next: NextFunction) => tracing.within(req, next)] : []),
    expressMiddleware(apollo, { context: ({ req }) => contextOf(req) }),
  );
  graphqlPost = graphqlPostHandler({
    apollo,
    context: contextOf,
    cors: corsMiddleware,
    bodyLimitBytes: limits.bodyLimitBytes,
    rateLimit: limiter,
    ready: () => state.ready,
    trustProxy: rl.trustProxyHops,
    logger,
    within: tracing?.within,
  });

  app.use(notFound());
  app.use(unhandledError(logger));

  // Committed writes' change records, to the `changed` subscriptions of this hub and, through
  // Redis (REDIS_URL), of every hub on the database (src/modules/feed/feed.bus.ts). Its Redis
  // connection opens with the others, at the end.
  const bus = createChangeBus({ logger, redis: redis && config.redisUrl ? { publisher: redis, url: config.redisUrl, channel: `${redisNamespace}changes` } : null });
  const live = new LiveChanges({ bus, nodeTypes: NODE_TYPES, logger, context: (viewer) => createContext(orm.em, caches, { viewer }) });
  const publishChanges = (records: ChangeRecord[]) => bus.publish(records);

  // Subscriptions: graphql-ws on the same server and path (upgrade requests of /graphql).
  const ws = graphqlWs({
    httpServer,
    drain,
    schema,
    limits,
    subscriptions: config.subscriptions,
    trustProxy: rl.trustProxyHops,
    logger,
    ready: () => state.ready && !state.stopping,
    authenticate,
    currentViewers: (ids) => new ApiKeyService(orm.em.fork()).currentViewers(ids),
    onKeyChange: (listener) => keyCache.onKeyChange(listener),
    context: (viewer, scope) => {
      const context = createContext(orm.em, caches, { scope, viewer });
      context.live = live.source(viewer);
      return context;
    },
  });

  let metricsServer: http.Server | null = null;
  if (metrics && config.metrics.port !== null) {
    const server = http.createServer((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) return metrics.handle(req, res);
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('404 Not Found: this port serves GET /metrics only\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.metrics.port!, config.metrics.host, () => resolve());
    });
    metricsServer = server;
  }

  let stopping: Promise<void> | null = null;
  let stopBackground = () => {};
  keyListener?.start(); // last: nothing above may fail and leave its connection open
  if (redis) redisModule().connectRedis(redis);
  bus.start();
  return {
    app,
    httpServer,
    apollo,
    state,
    metricsServer,
    redis,
    reads,
    subscriptions: { stats: () => ws.stats() },
    stop: () =>
      (stopping ??= (async () => {
        stopBackground();
        guard.stopping();
        // WebSocket clients are told at once (1001 Going away) and reconnect elsewhere; the drain waits for their sockets to close.
        ws.goingAway();
        try {
          const graceful = await drain.stop();
          if (!graceful) logger.warn({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown grace period over: remaining connections closed');
          await apollo.stop();
        } finally {
          await ws.close();
          live.close();
          // After the drain: writes still being served publish their changes.
          await bus.close();
          // After the drain (requests still being served use the cache), before the pool and the database go.
          await keyListener?.stop();
          await tracing?.shutdown();
          if (redis) await redisModule().closeRedis(redis);
          if (metricsServer) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
        }
      })()),
    warmStats: () => {
      if (caches.stats.ttlMs <= 0) {
        state.statsWarmup = 'off';
        return Promise.resolve(0);
      }
      // Set before the first await: main.ts calls this in the tick that makes the hub ready, so no
      // /readyz answer shows a ready hub whose warm-up is still to start.
      state.statsWarmup = 'running';
      return warmStatsCache(orm.em, caches.stats).then(
        (n) => {
          state.statsWarmup = 'done';
          return n;
        },
        (err: unknown) => {
          state.statsWarmup = 'failed';
          throw err;
        },
      );
    },
    startBackground: () => {
      stopBackground();
      stopBackground = startBackground({ em: orm.em, logger, config });
    },
    keys: {
      heard: (keyId) => keyCache.heard(keyId),
      whenListening: (listening = true) => keyCache.whenListening(listening),
      stats: () => keyCache.stats(),
    },
  };
}
