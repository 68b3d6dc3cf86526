import { Redis, type RedisOptions } from 'ioredis';
import type { Knex } from '@mikro-orm/postgresql';
import { urlForLog, type Logger } from './logger';

/**
 * The hub's connections to Redis (REDIS_URL): the one place that opens them, so that every use
 * (shared rate limits, subscriptions across hubs) gets the same settings and the same log lines.
 *
 * Redis is a helper, never a dependency: the hub serves reads and writes without it. So a client
 * never queues commands while it is disconnected (`enableOfflineQueue: false`: a command fails at
 * once and its caller falls back to what it does without Redis), a command waits at most
 * `commandTimeoutMs`, and the client reconnects forever in the background (every 2 s at most).
 * An outage is logged once when it begins and once when it ends, never per command.
 */

export interface RedisClientOptions {
  /** What the connection is for ('rate-limit', 'publish', 'subscribe'…): its CLIENT SETNAME and log lines. */
  name: string;
  logger: Logger;
  /** Longest a command may wait for its answer before it fails (default 500 ms). */
  commandTimeoutMs?: number;
  /** Anything else ioredis takes (a subscriber connection may want `enableOfflineQueue: true`). */
  options?: RedisOptions;
  /**
   * Its outages logged at debug only: another connection of the hub to the same Redis (the one
   * of `createRedis` without this) already says when Redis goes and comes back.
   */
  quiet?: boolean;
}

/**
 * A Redis client for `url` that never throws an unhandled 'error' event. It does not connect until
 * `connectRedis` (so that a start-up failing after it was made leaves no socket behind).
 */
export function createRedis(url: string, opts: RedisClientOptions): Redis {
  const { name, logger } = opts;
  const client = new Redis(url, {
    connectionName: `federation-hub:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 500,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    lazyConnect: true,
    ...opts.options,
  });
  const where = redisAddress(url);
  let down = false;
  // Without a listener ioredis prints every failed reconnection to the console.
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger[opts.quiet ? 'debug' : 'warn']({ redis: where, connection: name, err: { message: err.message, code: (err as { code?: unknown }).code } }, 'Redis unavailable: the hub goes on without it until it answers again');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger[opts.quiet ? 'debug' : 'info']({ redis: where, connection: name }, 'Redis available again');
  });
  return client;
}

/** Connects the client; a first failure is logged (once) and it keeps reconnecting in the background. */
export function connectRedis(client: Redis): void {
  if (client.status === 'wait') client.connect().catch(() => undefined);
}

/**
 * The prefix of this deployment's keys and channels in Redis: `federation-hub:<system identifier>:<database>:`.
 * Every hub on one database computes the same one (replicas included: a streaming replica has its
 * primary's system identifier), another database another one, so that deployments sharing a Redis
 * (staging and production, or two test databases) never mix their buckets or messages, whose
 * names hold ids that are only unique within a database (a key's id).
 */
export async function redisNamespace(knex: Knex): Promise<string> {
  const result = (await knex.raw(`select (select system_identifier from pg_control_system())::text as system, current_database() as database`)) as {
    rows: { system: string; database: string }[];
  };
  const { system, database } = result.rows[0];
  return `federation-hub:${system}:${database}:`;
}

/** 'ok' when the client is connected and ready, 'degraded' otherwise (the hub still serves: /readyz reports it). */
export function redisHealth(client: Redis): 'ok' | 'degraded' {
  return client.status === 'ready' ? 'ok' : 'degraded';
}

/** Closes a client: QUIT when connected (at most 1 s), then the socket whatever happened. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
  client.disconnect(false);
}

/** host:port of a Redis URL, for log lines (never the password). */
export const redisAddress = (url: string): string => urlForLog(url, 6379);
