import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger';

/**
 * The hub's connections to Redis (REDIS_URL): the one place that opens them, so that every use
 * (subscriptions across hubs; shared rate limits) gets the same settings and the same log lines.
 *
 * Redis is a helper, never a dependency: the hub serves reads and writes without it. So a client
 * never queues commands while it is disconnected (`enableOfflineQueue: false`: a command fails at
 * once and its caller does without Redis), a command waits at most `commandTimeoutMs`, and the
 * client reconnects forever in the background (every 2 s at most). An outage is logged once when
 * it begins and once when it ends, never per command.
 */

export interface RedisClientOptions {
  /** What the connection is for ('publish', 'subscribe'…): its CLIENT SETNAME and log lines. */
  name: string;
  logger: Logger;
  /** Longest a command may wait for its answer before it fails (default 500 ms). */
  commandTimeoutMs?: number;
  /** Anything else ioredis takes (a subscriber connection wants its offline queue, say). */
  options?: RedisOptions;
}

/** A Redis client for `url`, connecting at once, that never throws an unhandled 'error' event. */
export function createRedis(url: string, opts: RedisClientOptions): Redis {
  const { name, logger } = opts;
  const client = new Redis(url, {
    connectionName: `federation-hub:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 500,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    ...opts.options,
  });
  const where = redisAddress(url);
  let down = false;
  // Without a listener ioredis prints every failed reconnection to the console.
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ redis: where, connection: name, err: { message: err.message, code: (err as { code?: unknown }).code } }, 'Redis unavailable: the hub goes on without it until it answers again');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: where, connection: name }, 'Redis available again');
  });
  return client;
}

/** 'ok' when every client is connected and ready, 'degraded' otherwise (the hub still serves: /readyz reports it). */
export function redisHealth(...clients: Redis[]): 'ok' | 'degraded' {
  return clients.every((c) => c.status === 'ready') ? 'ok' : 'degraded';
}

/** Closes a client: QUIT when connected (at most 1 s), then the socket whatever happened. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
  client.disconnect(false);
}

/** host:port of a Redis URL, for log lines (never the password). */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(invalid URL)';
  }
}
