import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestScope } from '../request-scope';
import { clientAddress } from './client-address';
import { isIntrospectionOnly } from './introspection';
import { TakeResult, TokenBucketLimiter } from './token-bucket';

export const RATE_LIMITED = 'RATE_LIMITED';

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
