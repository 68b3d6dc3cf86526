/**
 * Token buckets: a bucket holds up to `capacity` tokens (the burst) and gains `refillPerSecond`
 * tokens a second (the sustained rate); a request takes one token or is refused.
 */

// The default rates (config.ts reads them; the middleware says which requests use which bucket).
//
// Keyed callers (association apps, analysts' tools) are known and revocable, so their limit only
// has to stop a runaway loop: 600 a minute (10/s sustained) with a burst of 120. A push of 5,000
// members is one request; paging 100,000 people at `first: 100` takes 1,000 requests, under two
// minutes; a dashboard firing a few dozen queries at once fits the burst several times over.
//
// Anonymous callers share a bucket per address (IPv4 address, IPv6 /64): 120 a minute (2/s
// sustained) with a burst of 60. A person browsing a public site built on the hub sends a few
// requests per page, far under it; a scraper is slowed to 2 requests a second. Where many people
// share one address (a campus, a carrier's NAT) or a public site calls the hub from its server,
// that server should send a key (it then gets the keyed bucket) or the limit should be raised.
//
// Introspection is never taken from those buckets (the explorer polls it: Apollo documents about
// 40 requests a minute at its peak for Sandbox). It is free unless an `introspection` limiter is
// given: 300 a minute with a burst of 60 per caller, seven explorer tabs' worth, still bounds
// what a script can make the hub compute by introspecting in a loop.
//
// A request whose key is refused (401) costs a database lookup; a caller inventing keys would get
// a fresh bucket with each. With a `failedAuth` limiter an address gets 30 refused keys a minute
// (burst 30); beyond that its refused keys are answered 429 until the bucket refills. Every key
// presented is still looked up (a SHA-256 and one unique-index probe, as for any request with a
// key), so that a valid key is never refused because others from its address (a shared NAT, a
// campus) were: only refusals take from the bucket.

export const DEFAULT_KEYED_PER_MINUTE = 600;
export const DEFAULT_KEYED_BURST = 120;
export const DEFAULT_ANONYMOUS_PER_MINUTE = 120;
export const DEFAULT_ANONYMOUS_BURST = 60;
export const DEFAULT_INTROSPECTION_PER_MINUTE = 300;
export const DEFAULT_INTROSPECTION_BURST = 60;
export const DEFAULT_FAILED_AUTH_PER_MINUTE = 30;
export const DEFAULT_FAILED_AUTH_BURST = 30;

export interface TokenBucketOptions {
  /** Most tokens a bucket holds: the burst. */
  capacity: number;
  /** Tokens added per second: the sustained rate. */
  refillPerSecond: number;
  /** Buckets kept before idle ones are dropped (default 100,000). */
  maxBuckets?: number;
  /** Clock in milliseconds (default: a monotonic clock); injectable for tests. */
  now?: () => number;
}

export interface TakeResult {
  allowed: boolean;
  /** Seconds until a token is available (integer ≥ 1) when refused; 0 when allowed. */
  retryAfterSeconds: number;
  /** Whole tokens left after this request. */
  remaining: number;
}

/**
 * What the middleware and the forum's flood control take tokens from: the buckets of this process
 * (TokenBucketLimiter, answering at once) or the buckets every hub shares in Redis
 * (redis-bucket.ts, answering with a promise).
 */
export interface RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** Takes a token from `key`'s bucket if it has one. */
  take(key: string): TakeResult | Promise<TakeResult>;
  /** "N requests per S seconds", for messages. */
  describe(noun?: string): string;
}

/** The answer to a take that left `tokens` in the bucket (`allowed`: one was taken). */
export function takeResult(allowed: boolean, tokens: number, refillPerSecond: number): TakeResult {
  if (allowed) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens + EPSILON) };
  return { allowed: false, retryAfterSeconds: secondsUntilToken(tokens, refillPerSecond), remaining: 0 };
}

/** Whole seconds (≥ 1) until a bucket holding `tokens` has one. */
function secondsUntilToken(tokens: number, refillPerSecond: number): number {
  const seconds = (1 - tokens) / refillPerSecond;
  // Rounded to the millisecond first, so that 4.0000000001 s is 4, not 5.
  return Math.max(1, Math.ceil(Math.round(seconds * 1000) / 1000));
}

interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms). */
  at: number;
}

const EPSILON = 1e-9;

/**
 * Token buckets, refilled lazily when a key is used. Memory stays bounded: when there are more
 * than `maxBuckets` buckets, the full ones are dropped (a full bucket is the same as no bucket),
 * and if that is not enough (a flood of distinct keys) the least recently used ones are, down to
 * 90% of the bound, so the sweep runs at most once per 10% of `maxBuckets` new keys.
 */
export class TokenBucketLimiter implements RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxBuckets: number;
  private readonly now: () => number;
  /** In least-recently-used order: a key is moved to the end when used. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: TokenBucketOptions) {
    if (!(Number.isFinite(opts.capacity) && opts.capacity >= 1)) throw new RangeError(`capacity must be a number ≥ 1, got ${opts.capacity}`);
    if (!(Number.isFinite(opts.refillPerSecond) && opts.refillPerSecond > 0)) {
      throw new RangeError(`refillPerSecond must be a positive number, got ${opts.refillPerSecond}`);
    }
    const maxBuckets = opts.maxBuckets ?? 100_000;
    if (!(Number.isInteger(maxBuckets) && maxBuckets >= 1)) throw new RangeError(`maxBuckets must be an integer ≥ 1, got ${opts.maxBuckets}`);
    this.capacity = opts.capacity;
    this.refillPerSecond = opts.refillPerSecond;
    this.maxBuckets = maxBuckets;
    this.now = opts.now ?? (() => performance.now());
  }

  /** A limiter from a per-minute rate and a burst; null when the rate is 0 (off). */
  static perMinute(perMinute: number, burst: number, extra: Pick<TokenBucketOptions, 'maxBuckets' | 'now'> = {}): TokenBucketLimiter | null {
    if (perMinute === 0) return null;
    return new TokenBucketLimiter({ capacity: Math.max(1, burst), refillPerSecond: perMinute / 60, ...extra });
  }

  /** Buckets currently held. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token from `key`'s bucket if it has one. */
  take(key: string): TakeResult {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: most recently used last
      bucket.tokens = this.level(bucket, now);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxBuckets) this.evict(now);
      bucket = { tokens: this.capacity, at: now };
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens + EPSILON >= 1) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens + EPSILON) };
    }
    return { allowed: false, retryAfterSeconds: this.secondsUntilToken(bucket.tokens), remaining: 0 };
  }

  /** What `take` would answer, without taking a token or creating a bucket. */
  peek(key: string): TakeResult {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.level(bucket, this.now()) : this.capacity;
    if (tokens + EPSILON >= 1) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens + EPSILON) };
    return { allowed: false, retryAfterSeconds: this.secondsUntilToken(tokens), remaining: 0 };
  }

  /** "N requests per S seconds", for messages. */
  describe(noun = 'requests'): string {
    const perMinute = this.refillPerSecond * 60;
    if (perMinute >= 1 && Math.abs(perMinute - Math.round(perMinute)) < 1e-6) return `${Math.round(perMinute)} ${plural(noun, Math.round(perMinute))} per 60 seconds`;
    const seconds = 1 / this.refillPerSecond;
    if (Math.abs(seconds - Math.round(seconds)) < 1e-6) return `1 ${plural(noun, 1)} per ${Math.round(seconds)} seconds`;
    return `${perMinute.toFixed(2)} ${noun} per 60 seconds`;
  }

  private level(bucket: Bucket, now: number): number {
    const elapsed = Math.max(0, now - bucket.at) / 1000; // a clock going back adds nothing
    return Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerSecond);
  }

  private secondsUntilToken(tokens: number): number {
    return secondsUntilToken(tokens, this.refillPerSecond);
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.level(bucket, now) + EPSILON >= this.capacity) this.buckets.delete(key);
    }
    const target = Math.floor(this.maxBuckets * 0.9);
    if (this.buckets.size <= target) return;
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key);
      if (this.buckets.size <= target) break;
    }
  }
}

function plural(noun: string, n: number): string {
  return n === 1 && noun.endsWith('s') ? noun.slice(0, -1) : noun;
}

