#!/usr/bin/env node
'use strict';
/**
 * The cost of one rate-limit take: in this process (TokenBucketLimiter) against Redis (the Lua
 * script of src/common/rate-limit/redis-bucket.ts, as hubs with REDIS_URL take it), one take at a
 * time (a request's added latency) and many in flight (what one hub can take per second).
 *
 *   npm run build
 *   node bench/rate-limit-redis.js [redis://127.0.0.1:6379] [--takes 20000] [--in-flight 64]
 *
 * Numbers are in README.md ("Scaling"). Buckets are made under a prefix of their own and deleted.
 */
require('reflect-metadata');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist', 'src');
const { Redis } = require('ioredis');
const { RedisBuckets, TokenBucketLimiter } = require(path.join(dist, 'common', 'rate-limit'));
const { createRedis, connectRedis, closeRedis } = require(path.join(dist, 'common', 'redis'));
const { createLogger } = require(path.join(dist, 'common', 'logger'));

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const url = args.find((a) => /^rediss?:\/\//.test(a)) ?? 'redis://127.0.0.1:6379';
const TAKES = opt('--takes', 20_000);
const IN_FLIGHT = opt('--in-flight', 64);
const PREFIX = `federation-hub:bench:${process.pid}:`;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const us = (ns) => (Number(ns) / 1000).toFixed(1);

async function main() {
  // In process: the cost without REDIS_URL.
  const local = new TokenBucketLimiter({ capacity: 1e9, refillPerSecond: 1e6 });
  for (let i = 0; i < 100_000; i++) local.take(`k${i % 1000}`);
  let t = process.hrtime.bigint();
  for (let i = 0; i < 1_000_000; i++) local.take(`k${i % 1000}`);
  const localNs = Number(process.hrtime.bigint() - t) / 1_000_000;
  console.log(`in process: ${localNs.toFixed(0)} ns per take (1,000,000 takes over 1,000 buckets)`);

  const logger = createLogger('warn');
  const client = createRedis(url, { name: 'bench', logger });
  connectRedis(client);
  const deadline = Date.now() + 5_000;
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`no Redis answers at ${url}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const buckets = new RedisBuckets(client, logger, PREFIX);
  const limiter = buckets.limiter('bench', new TokenBucketLimiter({ capacity: 1e9, refillPerSecond: 1e6 }));
  for (let i = 0; i < 1000; i++) await limiter.take(`k${i % 1000}`); // loads the script (EVALSHA from then on)

  // One at a time: what a request waits for its take.
  const lat = [];
  for (let i = 0; i < TAKES; i++) {
    t = process.hrtime.bigint();
    const r = await limiter.take(`k${i % 1000}`);
    lat.push(process.hrtime.bigint() - t);
    if (!r.allowed) throw new Error('refused: the bench bucket is too small');
  }
  lat.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  console.log(`Redis, one at a time: p50 ${us(pct(lat, 50))} µs, p99 ${us(pct(lat, 99))} µs, max ${us(lat[lat.length - 1])} µs (${TAKES} takes)`);

  // Many in flight: takes per second one hub process can make.
  let next = 0;
  t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < TAKES) await limiter.take(`k${next++ % 1000}`);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`Redis, ${IN_FLIGHT} in flight: ${Math.round(TAKES / seconds)} takes/s`);

  const cleaner = new Redis(url);
  const keys = await cleaner.keys(`${PREFIX}*`);
  for (let i = 0; i < keys.length; i += 500) await cleaner.del(...keys.slice(i, i + 500));
  cleaner.disconnect();
  await closeRedis(client);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
