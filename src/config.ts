import path from 'node:path';
import type { ExecutorKind } from './common/executor';
import {
  DEFAULT_ANONYMOUS_BURST,
  DEFAULT_ANONYMOUS_PER_MINUTE,
  DEFAULT_FAILED_AUTH_PER_MINUTE,
  DEFAULT_INTROSPECTION_PER_MINUTE,
  DEFAULT_KEYED_BURST,
  DEFAULT_KEYED_PER_MINUTE,
} from './common/rate-limit';

/**
 * The hub's configuration: the only place that reads process.env.
 * Validated once at start; a bad value stops the process with a message naming it.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** External PostgreSQL; when absent the hub runs an embedded one in `<dataDir>/pg`. */
  databaseUrl: string | null;
  /**
   * Streaming replicas of that database (DATABASE_REPLICA_URLS): queries read from them, writes and
   * a key's reads just after its own writes stay on the primary (src/common/read-routing.ts).
   */
  databaseReplicaUrls: string[];
  /** How long after a key's write its reads stay on the primary (READ_YOUR_WRITES_SECONDS); 0: not at all. */
  readYourWritesSeconds: number;
  /**
   * Redis shared by every hub of a deployment (REDIS_URL, src/common/redis.ts): rate-limit buckets,
   * subscriptions; null: each hub keeps them in its own memory.
   */
  redisUrl: string | null;
  dataDir: string;
  corsOrigins: string[];
  /** Load the demo data into an empty database on start. */
  seedDemo: boolean;
  logLevel: string;
  dbPoolMax: number;
  /** Add an `X-SQL-Statements` header to GraphQL responses (tests and benchmarks). */
  exposeSqlStats: boolean;
  /** How long a statistics answer is served before it is recomputed (0: always live). */
  statsCacheSeconds: number;
  /**
   * How long a root connection's totalCount may be answered from memory (src/common/count-cache.ts):
   * only while no write through the hub has committed since it was counted; this bounds writes
   * made outside the hub (the command line's seeds, hand-made SQL). 0: counted every time.
   */
  countCacheSeconds: number;
  /**
   * Key of the random numbers that round the statistics anonymous callers and association keys
   * read; null: the database's own secret (table stats_secret, made by the migrations), so that
   * every hub on one database publishes the same figures.
   */
  statsSecret: string | null;
  /**
   * How long a hub answers an accepted API key from its memory instead of looking it up
   * (src/modules/key/key-cache.ts); revocations reach it at once by LISTEN/NOTIFY. 0: no cache.
   */
  apiKeyCacheSeconds: number;
  /** On SIGTERM, how long requests in progress may take before their connections are closed. */
  shutdownGraceSeconds: number;
  /**
   * How long the change feed keeps its records (src/modules/feed): older ones are purged every
   * hour, and a cursor from before the purge answers CURSOR_EXPIRED. 0: until the next purge.
   */
  changeFeedRetentionDays: number;
  /** Subscriptions over WebSocket (graphql-ws at /graphql, src/common/graphql-ws.ts). */
  subscriptions: {
    /** Operations one WebSocket connection may have running at once (SUBSCRIPTIONS_PER_CONNECTION). */
    perConnection: number;
    /** Across the connections of one hub: per API key, and per address for callers without a key (SUBSCRIPTIONS_PER_KEY). */
    perKey: number;
    /** How often the keys of open connections are looked up again (SUBSCRIPTION_KEY_RECHECK_SECONDS), beside the revocation notifications. */
    keyRecheckSeconds: number;
  };
  /**
   * How queries execute: `jit` compiles each distinct read once (graphql-jit, src/common/executor.ts;
   * mutations, introspection and `@skip`/`@include` still run on graphql-js); `graphql-js` runs
   * everything on graphql-js, as Apollo does by default.
   */
  graphqlExecutor: ExecutorKind;
  /** With the `jit` executor, the arrival of a document on which it is compiled (before: graphql-js runs it). */
  graphqlJitAfter: number;
  /**
   * With the `jit` executor, reads whose every field the modules declare run as one SQL statement
   * (src/common/sql-read.ts); GRAPHQL_SQL_READS=false leaves every read to the resolvers.
   */
  sqlReads: boolean;
  limits: {
    /** Object levels below the root (connection wrappers `edges`/`node` and introspection not counted). */
    maxDepth: number;
    maxAliases: number;
    /** Lexical tokens in a query document (Apollo's parser stops there). */
    maxTokens: number;
    /** Node budget: sum over connections of the product of page sizes along the path. */
    maxNodes: number;
    /** Largest request body; fits a push of 5,000 members with every field filled. */
    bodyLimitBytes: number;
    /** From this node cost on, a query is heavy: heavy queries run a few at a time (heavyConcurrency). */
    heavyNodes: number;
    /** Heavy queries executing at once; more wait their turn. */
    heavyConcurrency: number;
    /** How long a heavy query may wait for its turn before it is answered 503. */
    heavyWaitSeconds: number;
  };
  /** Policy feedback forums (src/modules/forum). */
  forum: {
    /** How long after writing it an app may still edit its post (FORUM_EDIT_WINDOW_MINUTES). */
    editWindowMinutes: number;
    /** New posts (threads included) per key per minute (FORUM_POSTS_PER_MINUTE); 0 turns flood control off. */
    postsPerMinute: number;
  };
  /**
   * Prometheus metrics at /metrics (src/common/metrics.ts); off (and prom-client not loaded) unless
   * METRICS_PORT or METRICS_TOKEN is set. With a port: a listener of its own (127.0.0.1 unless
   * METRICS_HOST), and the main port answers 404; else on the main port behind the Bearer token.
   */
  metrics: {
    port: number | null;
    host: string;
    token: string | null;
    /** Distinct operation names given a label of their own; later ones are counted as `(other)`. */
    maxOperations: number;
  };
  /** OpenTelemetry traces (src/common/tracing.ts): on only when an OTLP endpoint is set. */
  otel: {
    /** Where spans are sent (OTLP/HTTP JSON): OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
    tracesUrl: string | null;
    serviceName: string;
  };
  /** Token-bucket rate limits on /graphql (src/common/rate-limit.ts); a rate of 0 turns that limit off. */
  rateLimit: {
    keyedPerMinute: number;
    keyedBurst: number;
    anonymousPerMinute: number;
    anonymousBurst: number;
    introspectionPerMinute: number;
    failedAuthPerMinute: number;
    trustProxyHops: number;
  };
}

const EXECUTORS: readonly ExecutorKind[] = ['jit', 'graphql-js'];

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** A comma-separated variable's items, trimmed, empty ones left out. */
function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function isRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const databaseReplicaUrls = list(env, 'DATABASE_REPLICA_URLS');
  for (const u of databaseReplicaUrls) {
    if (!/^postgres(ql)?:\/\/\S+$/.test(u)) throw new ConfigError('DATABASE_REPLICA_URLS must be comma-separated postgres:// or postgresql:// URLs');
  }
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl !== null && !isRedisUrl(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)');
  const corsOrigins = list(env, 'CORS_ORIGINS');
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigError(`CORS_ORIGINS entries must be origins like https://example.org, got "${o}"`);
  }
  const graphqlExecutor = (env.GRAPHQL_EXECUTOR?.trim() || 'jit') as ExecutorKind;
  if (!EXECUTORS.includes(graphqlExecutor)) throw new ConfigError(`GRAPHQL_EXECUTOR must be ${EXECUTORS.join(' or ')}, got "${env.GRAPHQL_EXECUTOR}"`);
  const statsSecret = env.STATS_SECRET || null;
  if (statsSecret !== null && statsSecret.length < 32) {
    throw new ConfigError('STATS_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`), or unset to use the database\'s own secret');
  }
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters without spaces (e.g. `openssl rand -hex 32`), or unset');
  }
  const metricsPortRaw = env.METRICS_PORT?.trim();
  const otelBase = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || null;
  const otelTraces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || null;
  for (const [name, value] of [['OTEL_EXPORTER_OTLP_ENDPOINT', otelBase], ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', otelTraces]] as const) {
    if (value !== null && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) throw new ConfigError(`${name} must be an http:// or https:// URL, got "${value}"`);
  }
  return {
    env: nodeEnv as Config['env'],
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    databaseReplicaUrls,
    readYourWritesSeconds: int(env, 'READ_YOUR_WRITES_SECONDS', 5, 0, 3_600),
    redisUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || '.data'),
    corsOrigins,
    seedDemo: bool(env, 'SEED_DEMO', true),
    logLevel: env.LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'silent' : 'info'),
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 200),
    exposeSqlStats: bool(env, 'EXPOSE_SQL_STATS', false),
    statsCacheSeconds: int(env, 'STATS_CACHE_SECONDS', nodeEnv === 'test' ? 0 : 60, 0, 86_400),
    countCacheSeconds: int(env, 'COUNT_CACHE_SECONDS', nodeEnv === 'test' ? 0 : 60, 0, 86_400),
    statsSecret,
    apiKeyCacheSeconds: int(env, 'API_KEY_CACHE_SECONDS', 60, 0, 86_400),
    shutdownGraceSeconds: int(env, 'SHUTDOWN_GRACE_SECONDS', 10, 0, 3_600),
    changeFeedRetentionDays: int(env, 'CHANGE_FEED_RETENTION_DAYS', 30, 0, 3_650),
    subscriptions: {
      perConnection: int(env, 'SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 1_000),
      perKey: int(env, 'SUBSCRIPTIONS_PER_KEY', 100, 1, 100_000),
      // At most 60: a revoked key's subscriptions end within a minute even when a notification was missed.
      keyRecheckSeconds: int(env, 'SUBSCRIPTION_KEY_RECHECK_SECONDS', 30, 1, 60),
    },
    graphqlExecutor,
    // 1 in tests, so that every test runs its reads compiled; 2 elsewhere, so that a document sent once never pays for compiling.
    graphqlJitAfter: int(env, 'GRAPHQL_JIT_AFTER', nodeEnv === 'test' ? 1 : 2, 1, 1_000_000),
    sqlReads: bool(env, 'GRAPHQL_SQL_READS', true),
    limits: {
      maxDepth: int(env, 'MAX_QUERY_DEPTH', 10, 1, 100),
      maxAliases: int(env, 'MAX_ALIASES', 30, 0, 10_000),
      maxTokens: int(env, 'MAX_TOKENS', 10_000, 100, 1_000_000),
      maxNodes: int(env, 'MAX_NODES', 250_000, 1, 100_000_000),
      bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      heavyNodes: int(env, 'HEAVY_QUERY_NODES', 10_000, 1, 100_000_000),
      heavyConcurrency: int(env, 'HEAVY_QUERY_CONCURRENCY', 1, 1, 1_000),
      heavyWaitSeconds: int(env, 'HEAVY_QUERY_WAIT_SECONDS', 30, 0, 3_600),
    },
    forum: {
      editWindowMinutes: int(env, 'FORUM_EDIT_WINDOW_MINUTES', 1440, 0, 525_600),
      postsPerMinute: int(env, 'FORUM_POSTS_PER_MINUTE', 30, 0, 1_000_000),
    },
    metrics: {
      port: metricsPortRaw ? int(env, 'METRICS_PORT', 0, 0, 65535) : null,
      host: env.METRICS_HOST?.trim() || '127.0.0.1',
      token: metricsToken,
      maxOperations: int(env, 'METRICS_MAX_OPERATIONS', 200, 0, 10_000),
    },
    otel: {
      tracesUrl: otelTraces ?? (otelBase ? `${otelBase.replace(/\/+$/, '')}/v1/traces` : null),
      serviceName: env.OTEL_SERVICE_NAME?.trim() || 'federation-hub',
    },
    // Off by default in tests: every test client shares 127.0.0.1; rate-limit tests set their own.
    rateLimit: {
      keyedPerMinute: int(env, 'RATE_LIMIT_KEYED_PER_MINUTE', nodeEnv === 'test' ? 0 : DEFAULT_KEYED_PER_MINUTE, 0, 1_000_000),
      keyedBurst: int(env, 'RATE_LIMIT_KEYED_BURST', DEFAULT_KEYED_BURST, 1, 1_000_000),
      anonymousPerMinute: int(env, 'RATE_LIMIT_ANONYMOUS_PER_MINUTE', nodeEnv === 'test' ? 0 : DEFAULT_ANONYMOUS_PER_MINUTE, 0, 1_000_000),
      anonymousBurst: int(env, 'RATE_LIMIT_ANONYMOUS_BURST', DEFAULT_ANONYMOUS_BURST, 1, 1_000_000),
      introspectionPerMinute: int(env, 'RATE_LIMIT_INTROSPECTION_PER_MINUTE', nodeEnv === 'test' ? 0 : DEFAULT_INTROSPECTION_PER_MINUTE, 0, 1_000_000),
      failedAuthPerMinute: int(env, 'RATE_LIMIT_FAILED_AUTH_PER_MINUTE', nodeEnv === 'test' ? 0 : DEFAULT_FAILED_AUTH_PER_MINUTE, 0, 1_000_000),
      trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    },
  };
}
