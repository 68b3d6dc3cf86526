import { Lru } from '../lru';
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import { sendJson } from '../http-json';
import { logRefusal, Logger } from '../logger';
import { scopeOf } from '../request-scope';
import { clientAddress, clientIp } from './client-address';
import { isIntrospectionOnly } from './introspection';
import type { RateLimiter, TakeResult } from './token-bucket';

export const RATE_LIMITED = 'RATE_LIMITED';

/**
 * What authentication (after this middleware) tells the rate limits about the key a request
 * presented. Found with `presentedKey(req)` for every request with an Authorization header.
 */
export interface PresentedKey {
  /** The key was accepted: its id names it in the log lines of later refusals of its bucket. */
  accepted(keyId: number): void;
  /**
   * The key was refused (malformed, unknown or revoked): one of the address's refused keys is
   * counted. Null while the address had one left (answer 401); once they are used up, how long
   * until there is one again and what to say (answer 429). Only refusals count: a valid key is
   * never refused because other keys from its address were. A promise when the buckets are in Redis.
   */
  refused(): RefusedKeys | null | Promise<RefusedKeys | null>;
}

/** A refused key past the address's allowance: answer 429. */
export interface RefusedKeys {
  retryAfterSeconds: number;
  message: string;
}

const presented = new WeakMap<IncomingMessage, PresentedKey>();

/** The key a request presented, as the rate limits follow it; undefined without a key (or without the middleware). */
export function presentedKey(req: IncomingMessage): PresentedKey | undefined {
  return presented.get(req);
}

/**
 * A 429 raised inside GraphQL (from the context function: a key refused once the address's
 * refused keys are used up), shaped as the middleware's own 429 answer.
 */
export function rateLimitedError(message: string, retryAfterSeconds: number, requestId?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: RATE_LIMITED,
      retryAfterSeconds,
      ...(requestId ? { requestId } : {}),
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

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
 * The bucket of a key: the SHA-256 of the key itself when the header is `Bearer <key>` (so that
 * `bearer`, `BEARER` or extra spaces do not make new buckets), of the whole header otherwise.
 */
function keyBucket(authorization: string): string {
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return `k:${crypto.createHash('sha256').update(bearer ? bearer[1] : authorization, 'utf8').digest('hex')}`;
}

export interface RateLimitOptions {
  /** Requests with an Authorization header, per key; null: not limited. */
  keyed: RateLimiter | null;
  /** Requests without one, per address (IPv4 address, IPv6 /64); null: not limited. */
  anonymous: RateLimiter | null;
  /**
   * Introspection-only requests, per key or address, never taken from the buckets above;
   * absent or null: introspection is not limited.
   */
  introspection?: RateLimiter | null;
  /**
   * Refused keys (401), per address: once an address has used them up, a key it presents that is
   * refused gets 429 instead of 401 (authentication reports through `presentedKey`). Every key is
   * still looked up: a valid one always passes. Absent or null: off.
   */
  failedAuth?: RateLimiter | null;
  /** Proxies in front of the hub whose X-Forwarded-For to believe (true: one); default none. */
  trustProxy?: boolean | number;
  /** Ids of keys seen accepted, by bucket, for log lines (default 10,000 remembered). */
  maxKnownKeys?: number;
  /** Where refusals are logged (one warn line each); absent: not logged. */
  logger?: Logger;
}

function refuse(res: ServerResponse, retryAfterSeconds: number, message: string): void {
  const requestId = scopeOf(res.req)?.requestId;
  res.setHeader('Retry-After', String(retryAfterSeconds));
  sendJson(res, 429, {
    errors: [{ message, extensions: { code: RATE_LIMITED, retryAfterSeconds, ...(requestId ? { requestId } : {}) } }],
  });
}

function setLimitHeaders(res: ServerResponse, limiter: RateLimiter, result: TakeResult): void {
  res.setHeader('RateLimit-Limit', String(Math.floor(limiter.capacity)));
  res.setHeader('RateLimit-Remaining', String(result.remaining));
}

/**
 * Express middleware for /graphql, after `express.json()` (it reads the parsed body) and before
 * Apollo. Requests with an Authorization header take a token from their key's bucket (no database
 * lookup: an unknown key gets a bucket of its own and is refused by authentication, which reports
 * back through `presentedKey(req)`: refused keys count against the address, see `failedAuth`);
 * requests without one from their address's. Introspection-only requests take none (see
 * `introspection`). Over the limit: 429, `Retry-After`, a JSON error with code RATE_LIMITED, and a
 * log line (`logger`). Counted responses carry `RateLimit-Limit` and `RateLimit-Remaining`.
 */
export function rateLimitMiddleware(opts: RateLimitOptions | RequestLimiter): RequestHandler {
  const limit = typeof opts === 'function' ? opts : rateLimiter(opts);
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = limit(req, res, queryText(req));
    if (allowed === true) next();
    else if (allowed !== false) allowed.then((ok) => ok && next(), next);
  };
}

/**
 * The rate limits as one call, for the HTTP edge that reads the body itself (src/common/graphql-http.ts):
 * `query` is the request's GraphQL document (the body's or the URL's). True: go on (the counted
 * response's RateLimit-* headers are set); false: refused, the 429 is answered. A promise of
 * either when the bucket is in Redis (redis-bucket.ts); never a rejected one.
 */
export type RequestLimiter = (req: IncomingMessage, res: ServerResponse, query: string | undefined) => boolean | Promise<boolean>;

/** How one request was counted, for `answer`. */
interface Counted {
  limiter: RateLimiter;
  introspecting: boolean;
  hasKey: boolean;
  bucket: string;
}

/** What `rateLimitMiddleware` does, without Express. */
export function rateLimiter(opts: RateLimitOptions): RequestLimiter {
  const { keyed, anonymous, introspection = null, failedAuth = null, trustProxy = false, logger } = opts;
  const maxKnownKeys = opts.maxKnownKeys ?? 10_000;
  /** Ids of the keys whose buckets were accepted lately, least recently used first: for log lines only. */
  const knownKeys = new Lru<number>(maxKnownKeys);
  const remember = (bucket: string, keyId: number) => knownKeys.set(bucket, keyId);

  return (req, res, query) => {
    if (req.method === 'OPTIONS') return true; // CORS preflights are not requests
    const authorization = req.headers.authorization;
    // An empty header is anonymous for authentication too, so it must be here.
    const hasKey = authorization !== undefined && authorization !== '';
    const address = `ip:${clientAddress(req, trustProxy)}`;
    const bucket = hasKey ? keyBucket(authorization) : address;

    if (hasKey) {
      presented.set(req, {
        accepted: (keyId) => remember(bucket, keyId),
        refused: () => {
          knownKeys.delete(bucket);
          if (!failedAuth) return null;
          const left = failedAuth.take(address);
          return left instanceof Promise ? left.then((l) => refusedKeys(failedAuth, l)) : refusedKeys(failedAuth, left);
        },
      });
    }

    const introspecting = isIntrospectionOnly(query);
    const limiter = introspecting ? introspection : hasKey ? keyed : anonymous;
    if (!limiter) return true;
    const result = limiter.take(bucket);
    const counted: Counted = { limiter, introspecting, hasKey, bucket };
    return result instanceof Promise ? result.then((r) => answer(req, res, counted, r)) : answer(req, res, counted, result);
  };

  /** Sets the RateLimit-* headers; a refused request is logged and answered 429. */
  function answer(req: IncomingMessage, res: ServerResponse, { limiter, introspecting, hasKey, bucket }: Counted, result: TakeResult): boolean {
    setLimitHeaders(res, limiter, result);
    if (result.allowed) return true;
    const subject = hasKey ? 'this key' : 'this address';
    const what = introspecting ? 'introspection requests' : 'requests';
    if (logger) {
      logRefusal(
        logger,
        scopeOf(req),
        {
          status: 429,
          code: RATE_LIMITED,
          reason: `rate limit: ${what} ${hasKey ? 'per key' : 'per address'}`,
          keyId: hasKey ? (knownKeys.get(bucket) ?? null) : null,
          limit: limiter.describe(what),
          retryAfterSeconds: result.retryAfterSeconds,
        },
        clientIp(req, trustProxy),
      );
    }
    refuse(
      res,
      result.retryAfterSeconds,
      `Too many ${what}: the limit is ${limiter.describe(what)} for ${subject}; retry after ${result.retryAfterSeconds} s`,
    );
    return false;
  }
}

function refusedKeys(failedAuth: RateLimiter, left: TakeResult): RefusedKeys | null {
  if (left.allowed) return null;
  return {
    retryAfterSeconds: left.retryAfterSeconds,
    message: `Too many refused keys from this address: the limit is ${failedAuth.describe('refused keys')}; valid keys still pass; retry after ${left.retryAfterSeconds} s`,
  };
}
