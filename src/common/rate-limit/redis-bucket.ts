import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { RateLimiter, takeResult, TakeResult, TokenBucketLimiter } from './token-bucket';

/**
 * Token buckets in Redis, shared by every hub on it: a key's burst is spent once across all of
 * them, not once per hub. The same buckets as TokenBucketLimiter (capacity, refill per second,
 * one token per take, a full bucket the same as none), kept as a hash per bucket
 * (`t`: tokens, `a`: when, in ms of Redis's clock) and updated by one Lua script per take, which
 * Redis runs atomically: two hubs taking at the same instant each see the other's take. Redis's
 * clock (TIME) is the only clock, so hubs whose clocks differ still agree. A bucket expires
 * when it would be full again.
 *
 * When Redis does not answer (not connected, or a command fails or times out), the take is
 * answered by the limiter of this process given as `local` (the hub's in-process buckets, as
 * without REDIS_URL): requests are never refused or failed because Redis is away, and the limits
 * still hold per hub. An outage is logged once each way: by the connection (common/redis.ts),
 * or here when commands fail on a connection that looks up.
 */

const TAKE = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local held = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(held[1])
local at = tonumber(held[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens + 1e-9 >= 1 then
  tokens = math.max(0, tokens - 1)
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs) + 1000)
return { allowed, tostring(tokens) }
`;

/** The script as a command of the client (EVALSHA, loaded on first use). */
interface WithTake {
  hubTakeToken(key: string, capacity: number, refillPerSecond: number): Promise<[number, string]>;
}

/** The Redis side of a hub's rate limits: one client, the script, and whether Redis is answering. */
export class RedisBuckets {
  /** A command failed and it was logged: the next success is logged too. */
  private failing = false;

  /** `prefix`: where the buckets live in Redis, as `<prefix><limiter>:<bucket>` (server.ts: the deployment's namespace, then `rate-limit:`). */
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly prefix: string,
  ) {
    if (!('hubTakeToken' in redis)) redis.defineCommand('hubTakeToken', { numberOfKeys: 1, lua: TAKE });
  }

  /**
   * `local`'s buckets kept in Redis under `name` (one name per kind of bucket: 'keyed', 'forum-posts'…);
   * null stays null (that limit is off).
   */
  limiter(name: string, local: TokenBucketLimiter | null): RateLimiter | null {
    return local ? new RedisTokenBucketLimiter(this, `${this.prefix}${name}:`, local) : null;
  }

  /**
   * One take in Redis, or null when Redis is not connected (the caller uses its local buckets at
   * once: the connection's own log line says so, see common/redis.ts); a promise of null when the
   * command failed (timed out, connection lost on the way), logged once until a take succeeds.
   */
  take(key: string, capacity: number, refillPerSecond: number): Promise<[number, string] | null> | null {
    if (this.redis.status !== 'ready') return null;
    return (this.redis as unknown as WithTake).hubTakeToken(key, capacity, refillPerSecond).then(
      (answer) => {
        if (this.failing) {
          this.failing = false;
          this.logger.info('rate limits: shared through Redis again');
        }
        return answer;
      },
      (err: unknown) => {
        if (!this.failing) {
          this.failing = true;
          this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'rate limits: a take in Redis failed, this hub counts in its own memory until one succeeds');
        }
        return null;
      },
    );
  }
}

class RedisTokenBucketLimiter implements RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;

  constructor(
    private readonly buckets: RedisBuckets,
    private readonly prefix: string,
    private readonly local: TokenBucketLimiter,
  ) {
    this.capacity = local.capacity;
    this.refillPerSecond = local.refillPerSecond;
  }

  take(key: string): TakeResult | Promise<TakeResult> {
    const shared = this.buckets.take(this.prefix + key, this.capacity, this.refillPerSecond);
    // Redis not connected: answered at once, without a promise, as without REDIS_URL.
    if (!shared) return this.local.take(key);
    return shared.then((answer) => (answer ? takeResult(answer[0] === 1, Number(answer[1]), this.refillPerSecond) : this.local.take(key)));
  }

  describe(noun?: string): string {
    return this.local.describe(noun);
  }
}
