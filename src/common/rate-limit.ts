/**
 * Rate limits: token buckets in memory, one per API key and one per address for anonymous
 * callers. A bucket holds up to `capacity` tokens (the burst) and gains `refillPerSecond` tokens
 * a second (the sustained rate); a request takes one token or is refused with 429 and a
 * Retry-After. The buckets live in this process, or with REDIS_URL in Redis, shared by every hub
 * (falling back to this process's while Redis does not answer).
 */

// The parts, one concern a file, in rate-limit/ (this file is what the rest of the hub imports):
//   token-bucket.ts    the buckets and the default rates
//   client-address.ts  whose bucket an anonymous request takes from (IPv4 address, IPv6 /64)
//   introspection.ts   which requests are the explorer's introspection
//   redis-bucket.ts    the same buckets kept in Redis, one atomic script per take
//   middleware.ts      the limiter that puts them together, and its Express middleware
// (A file rather than rate-limit/index.ts: a build into an existing dist/ would leave the old
// dist/src/common/rate-limit.js there, and Node would load it before the folder's index.js.)
export * from './rate-limit/token-bucket';
export { clientAddress, clientIp } from './rate-limit/client-address';
export { isIntrospectionOnly } from './rate-limit/introspection';
export { RedisBuckets } from './rate-limit/redis-bucket';
export { presentedKey, RATE_LIMITED, rateLimitedError, rateLimiter, rateLimitMiddleware } from './rate-limit/middleware';
export type { PresentedKey, RateLimitOptions, RefusedKeys, RequestLimiter } from './rate-limit/middleware';
