import crypto from 'node:crypto';
import net from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DocumentNode, FragmentDefinitionNode, Kind, parse, SelectionSetNode } from 'graphql';
import { fragmentsOf } from './query-limits';
import { requestScope } from './request-scope';

/**
 * Rate limits: token buckets in memory, one per API key and one per address for anonymous
 * callers. A bucket holds up to `capacity` tokens (the burst) and gains `refillPerSecond` tokens
 * a second (the sustained rate); a request takes one token or is refused with 429 and a
 * Retry-After. The buckets live in this process: several hub instances each allow the limit.
 */

// --- defaults -------------------------------------------------------------------------------------
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
// (burst 30); beyond that it may use only keys seen working, until the bucket refills.

export const DEFAULT_KEYED_PER_MINUTE = 600;
export const DEFAULT_KEYED_BURST = 120;
export const DEFAULT_ANONYMOUS_PER_MINUTE = 120;
export const DEFAULT_ANONYMOUS_BURST = 60;
export const DEFAULT_INTROSPECTION_PER_MINUTE = 300;
export const DEFAULT_INTROSPECTION_BURST = 60;
export const DEFAULT_FAILED_AUTH_PER_MINUTE = 30;
export const DEFAULT_FAILED_AUTH_BURST = 30;

export const RATE_LIMITED = 'RATE_LIMITED';

// --- token buckets --------------------------------------------------------------------------------

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
export class TokenBucketLimiter {
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
    const seconds = (1 - tokens) / this.refillPerSecond;
    // Rounded to the millisecond first, so that 4.0000000001 s is 4, not 5.
    return Math.max(1, Math.ceil(Math.round(seconds * 1000) / 1000));
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

// --- which requests are introspection --------------------------------------------------------------

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);
/** Introspection documents are small: anything longer is counted without being parsed here. */
const MAX_INTROSPECTION_CHARS = 50_000;
const MAX_INTROSPECTION_TOKENS = 2_000;

/** The GraphQL document of the request: the body's `query` (POST) or the URL's (GET). */
function queryText(req: Request): string | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const q = (req.query as Record<string, unknown> | undefined)?.query;
    return typeof q === 'string' ? q : undefined;
  }
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const q = (body as Record<string, unknown>).query;
    return typeof q === 'string' ? q : undefined;
  }
  return undefined;
}

/**
 * True when every operation of the document is a query selecting only `__schema`, `__type` or
 * `__typename` at its root (through fragments too). Anything else, an unparsable document
 * included, is an ordinary request.
 */
export function isIntrospectionOnly(query: string | undefined): boolean {
  if (!query || query.length > MAX_INTROSPECTION_CHARS || !query.includes('__')) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_INTROSPECTION_TOKENS });
  } catch {
    return false;
  }
  const fragments = fragmentsOf(document);
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) continue;
    if (d.kind !== Kind.OPERATION_DEFINITION || d.operation !== 'query') return false;
    if (!onlyIntrospection(d.selectionSet, fragments, new Set())) return false;
    operations++;
  }
  return operations > 0;
}

function onlyIntrospection(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  return set.selections.every((s) => {
    if (s.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(s.name.value);
    if (s.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return false; // unknown, cyclic (invalid anyway) or spread twice
    return onlyIntrospection(fragment.selectionSet, fragments, seen.add(s.name.value)); // one set per operation: each fragment is entered once, not 2^n times
  });
}

// --- who is calling --------------------------------------------------------------------------------

/** An address without port, brackets or zone, IPv4-mapped IPv6 as IPv4; null if not an IP. */
function cleanAddress(raw: string | undefined): string | null {
  if (!raw) return null;
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1];
  return net.isIP(s) ? s : null;
}

/** The /64 network of an IPv6 address: one home or one customer, who can change the rest at will. */
function ipv6Network(address: string): string {
  let s = address.toLowerCase();
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number);
    s = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  let groups: string[];
  if (s.includes('::')) {
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  } else {
    groups = s.split(':');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The caller's address: the socket's, or with `trustProxy` (the number of proxies in front of
 * the hub; true is one) the address the outermost trusted proxy saw, from X-Forwarded-For counted
 * from the right (entries further left are whatever the client chose to send).
 */
export function clientAddress(req: Request, trustProxy: boolean | number = false): string {
  let address = cleanAddress(req.socket?.remoteAddress);
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : Math.max(0, Math.floor(trustProxy));
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length) address = cleanAddress(entries[Math.max(0, entries.length - hops)]) ?? address;
  }
  if (!address) return 'unknown';
  return net.isIPv6(address) ? ipv6Network(address) : address;
}

/**
 * The bucket of a key: the SHA-256 of the key itself when the header is `Bearer <key>` (so that
 * `bearer`, `BEARER` or extra spaces do not make new buckets), of the whole header otherwise.
 */
function keyBucket(authorization: string): string {
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return `k:${crypto.createHash('sha256').update(bearer ? bearer[1] : authorization, 'utf8').digest('hex')}`;
}

// --- the middleware --------------------------------------------------------------------------------

export interface RateLimitOptions {
  /** Requests with an Authorization header, per key; null: not limited. */
  keyed: TokenBucketLimiter | null;
  /** Requests without one, per address (IPv4 address, IPv6 /64); null: not limited. */
  anonymous: TokenBucketLimiter | null;
  /**
   * Introspection-only requests, per key or address, never taken from the buckets above;
   * absent or null: introspection is not limited.
   */
  introspection?: TokenBucketLimiter | null;
  /**
   * Refused keys (401), per address. When an address has used them up, its requests with a key
   * not seen working are refused (429) before they reach authentication; absent or null: off.
   */
  failedAuth?: TokenBucketLimiter | null;
  /** Proxies in front of the hub whose X-Forwarded-For to believe (true: one); default none. */
  trustProxy?: boolean | number;
  /** Keys remembered as working, for `failedAuth` (default 10,000). */
  maxKnownKeys?: number;
}

function refuse(res: Response, retryAfterSeconds: number, message: string): void {
  const requestId = requestScope.getStore()?.requestId;
  res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(429).json({
    errors: [{ message, extensions: { code: RATE_LIMITED, retryAfterSeconds, ...(requestId ? { requestId } : {}) } }],
  });
}

function setLimitHeaders(res: Response, limiter: TokenBucketLimiter, result: TakeResult): void {
  res.setHeader('RateLimit-Limit', String(Math.floor(limiter.capacity)));
  res.setHeader('RateLimit-Remaining', String(result.remaining));
}

/**
 * Express middleware for /graphql, after `express.json()` (it reads the parsed body) and before
 * Apollo. Requests with an Authorization header take a token from their key's bucket (no database
 * lookup: an unknown key gets a bucket of its own and is refused by authentication); requests
 * without one from their address's. Introspection-only requests take none (see `introspection`).
 * Over the limit: 429, `Retry-After`, and a JSON error with code RATE_LIMITED. Counted responses
 * carry `RateLimit-Limit` and `RateLimit-Remaining`.
 */
export function rateLimitMiddleware(opts: RateLimitOptions): RequestHandler {
  const { keyed, anonymous, introspection = null, failedAuth = null, trustProxy = false } = opts;
  const maxKnownKeys = opts.maxKnownKeys ?? 10_000;
  /** Key buckets that recently got a 200, in least-recently-used order. */
  const knownKeys = new Map<string, true>();
  const remember = (bucket: string) => {
    knownKeys.delete(bucket);
    knownKeys.set(bucket, true);
    if (knownKeys.size > maxKnownKeys) knownKeys.delete(knownKeys.keys().next().value as string);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') return next(); // CORS preflights are not requests
    const authorization = req.headers.authorization;
    // An empty header is anonymous for authentication too, so it must be here.
    const hasKey = authorization !== undefined && authorization !== '';
    const bucket = hasKey ? keyBucket(authorization) : `ip:${clientAddress(req, trustProxy)}`;
    const subject = hasKey ? 'this key' : 'this address';

    if (hasKey && failedAuth) {
      const addressBucket = `ip:${clientAddress(req, trustProxy)}`;
      if (!knownKeys.has(bucket)) {
        const gate = failedAuth.peek(addressBucket);
        if (!gate.allowed) {
          return refuse(
            res,
            gate.retryAfterSeconds,
            `Too many refused keys from this address: the limit is ${failedAuth.describe('refused keys')}, keys seen working still pass; retry after ${gate.retryAfterSeconds} s`,
          );
        }
      }
      res.once('finish', () => {
        if (res.statusCode === 401) {
          failedAuth.take(addressBucket);
          knownKeys.delete(bucket);
        } else if (res.statusCode === 200) {
          remember(bucket);
        }
      });
    }

    const introspecting = isIntrospectionOnly(queryText(req));
    const limiter = introspecting ? introspection : hasKey ? keyed : anonymous;
    if (!limiter) return next();
    const result = limiter.take(bucket);
    setLimitHeaders(res, limiter, result);
    if (result.allowed) return next();
    const what = introspecting ? 'introspection requests' : 'requests';
    refuse(
      res,
      result.retryAfterSeconds,
      `Too many ${what}: the limit is ${limiter.describe(what)} for ${subject}; retry after ${result.retryAfterSeconds} s`,
    );
  };
}
