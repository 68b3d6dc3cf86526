import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Request, Response } from 'express';
import { getIntrospectionQuery } from 'graphql';
import {
  clientAddress,
  DEFAULT_ANONYMOUS_BURST,
  DEFAULT_ANONYMOUS_PER_MINUTE,
  DEFAULT_FAILED_AUTH_BURST,
  DEFAULT_KEYED_BURST,
  DEFAULT_KEYED_PER_MINUTE,
  isIntrospectionOnly,
  presentedKey,
  rateLimitMiddleware,
  RateLimitOptions,
  TokenBucketLimiter,
} from '../src/common/rate-limit';
import { setScope } from '../src/common/request-scope';
import { parse } from 'graphql/language/parser';
import { ApiKeyService } from '../src/modules/key/api-key.service';
import { createAssociation, createFederation, createKey, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';

// graphql's parser, counting its calls (it still parses): the introspection check must not parse
// documents that cannot be introspection. Every `parse` of graphql goes through this module.
jest.mock('graphql/language/parser', () => {
  const actual = jest.requireActual<typeof import('graphql/language/parser')>('graphql/language/parser');
  return { ...actual, parse: jest.fn(actual.parse) };
});
const parseSpy = parse as jest.MockedFunction<typeof parse>;

/**
 * Rate limits: the token buckets on an injected clock, then the middleware in a small express
 * app over real HTTP (express.json, the middleware, a handler answering 200).
 */

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => void (t += seconds * 1000), back: (seconds: number) => void (t -= seconds * 1000) };
}

describe('TokenBucketLimiter', () => {
  it('allows the burst, then refuses with the seconds until the next token', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 0.1, now: c.now });
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([
      { allowed: true, retryAfterSeconds: 0, remaining: 2 },
      { allowed: true, retryAfterSeconds: 0, remaining: 1 },
      { allowed: true, retryAfterSeconds: 0, remaining: 0 },
    ]);
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, remaining: 0 });
    // A refused request takes nothing: the wait only shrinks with time.
    c.advance(4);
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6, remaining: 0 });
    c.advance(5.5);
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 }); // 0.5 s left: rounded up to 1
    c.advance(0.5);
    expect(l.take('a')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 0 });
  });

  it('answers an integer Retry-After of at least 1, also at high rates', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 50, now: c.now });
    l.take('a');
    const r = l.take('a');
    expect(r).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    expect(Number.isInteger(r.retryAfterSeconds)).toBe(true);
  });

  it('refills over time, up to the capacity and no further', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 2, now: c.now });
    for (let i = 0; i < 5; i++) expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    c.advance(1); // two tokens
    expect(l.take('a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(l.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(l.take('a').allowed).toBe(false);
    c.advance(3600); // an hour idle: a full bucket, not 7,200 tokens
    expect(l.take('a')).toMatchObject({ allowed: true, remaining: 4 });
    for (let i = 0; i < 4; i++) expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
  });

  it('keeps the sustained rate: 10 minutes at 2 requests a second allow the burst plus 1,200', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 60, refillPerSecond: 2, now: c.now });
    let allowed = 0;
    for (let ms = 0; ms < 600_000; ms += 100) {
      if (l.take('a').allowed) allowed++;
      c.advance(0.1);
    }
    expect(allowed).toBeGreaterThanOrEqual(60 + 1_199);
    expect(allowed).toBeLessThanOrEqual(60 + 1_200);
  });

  it('gives every key its own bucket', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.01, now: c.now });
    l.take('a');
    l.take('a');
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 1 });
    expect(l.take('c')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 1 });
    expect(l.take('a').allowed).toBe(false);
  });

  it('does not add tokens when the clock goes back', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, now: c.now });
    l.take('a');
    c.back(100);
    expect(l.take('a').allowed).toBe(false);
    c.advance(1);
    expect(l.take('a').allowed).toBe(true);
  });

  it('peeks without taking a token or creating a bucket', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.1, now: c.now });
    expect(l.peek('a')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 2 });
    expect(l.size).toBe(0);
    l.take('a');
    l.take('a');
    expect(l.peek('a')).toEqual({ allowed: false, retryAfterSeconds: 10, remaining: 0 });
    c.advance(10);
    expect(l.peek('a')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 1 });
    expect(l.peek('a')).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 1 });
  });

  it('drops idle full buckets when the map outgrows maxBuckets', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1, maxBuckets: 100, now: c.now });
    for (let i = 0; i < 100; i++) l.take(`old${i}`);
    expect(l.size).toBe(100);
    c.advance(1); // every old bucket is full again: dropping it loses nothing
    l.take('busy');
    l.take('busy');
    expect(l.size).toBe(1);
    for (let i = 0; i < 99; i++) l.take(`new${i}`);
    expect(l.size).toBe(100);
  });

  it('stays bounded under a flood of distinct keys, dropping the least recently used', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.001, maxBuckets: 100, now: c.now });
    l.take('victim'); // drained; used again below so that it stays among the recent ones
    let maxSize = 0;
    for (let i = 0; i < 10_000; i++) {
      l.take(`flood${i}`);
      if (i % 50 === 0) expect(l.take('victim').allowed).toBe(false);
      maxSize = Math.max(maxSize, l.size);
    }
    expect(maxSize).toBeLessThanOrEqual(100);
    // The recently used drained bucket was kept (still refused), the oldest flood keys were not.
    expect(l.take('victim').allowed).toBe(false);
    expect(l.peek('flood0').allowed).toBe(true);
  });

  it('builds from a per-minute rate, 0 meaning off, and checks its options', () => {
    expect(TokenBucketLimiter.perMinute(0, 10)).toBeNull();
    const l = TokenBucketLimiter.perMinute(DEFAULT_KEYED_PER_MINUTE, DEFAULT_KEYED_BURST)!;
    expect(l.capacity).toBe(DEFAULT_KEYED_BURST);
    expect(l.refillPerSecond).toBe(DEFAULT_KEYED_PER_MINUTE / 60);
    expect(l.describe()).toBe(`${DEFAULT_KEYED_PER_MINUTE} requests per 60 seconds`);
    expect(new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.1 }).describe()).toBe('6 requests per 60 seconds');
    expect(new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 / 120 }).describe()).toBe('1 request per 120 seconds');
    expect(() => new TokenBucketLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow(/refillPerSecond/);
    expect(() => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, maxBuckets: 0 })).toThrow(/maxBuckets/);
    expect(DEFAULT_ANONYMOUS_PER_MINUTE).toBeLessThan(DEFAULT_KEYED_PER_MINUTE);
    expect(DEFAULT_ANONYMOUS_BURST).toBeGreaterThan(0);
  });
});

describe('isIntrospectionOnly', () => {
  it('recognises introspection documents, the explorer’s full query included', () => {
    for (const q of [
      '{ __schema { queryType { name } } }',
      'query IntrospectionQuery { __schema { types { name } } }',
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
      '{ __type(name: "Federation") { fields { name } } }',
      '{ __typename __schema { queryType { name } } }',
      '{ ...F } fragment F on Query { __schema { queryType { name } } }',
      '{ ... on Query { __typename __type(name: "Query") { name } } }',
      'query A { __typename } query B { __schema { queryType { name } } }',
    ]) {
      expect({ q, introspection: isIntrospectionOnly(q) }).toEqual({ q, introspection: true });
    }
  });

  it('counts everything else: data, mutations, mixtures, invalid documents', () => {
    for (const q of [
      undefined,
      '',
      '{ federations { totalCount } }',
      '{ __schema { queryType { name } } federations { totalCount } }',
      'query A { __typename } query B { federations { totalCount } }',
      'mutation { __typename }',
      'subscription { __typename }',
      '{ ...F } fragment F on Query { federations { totalCount } }',
      '{ ...Missing }',
      '{ ...F } fragment F on Query { ...F }',
      '{ __schema { queryType { name } }',
      'fragment F on Query { __typename }',
      `{ __typename ${'a: __typename '.repeat(3000)}}`, // past the token cap: not parsed
      `{ __schema { queryType { name } } ${'a: __typename '.repeat(3000)}}`, // past the token cap
      // __typename alone is an ordinary request: any client may add it, and it is no explorer's.
      '{ __typename }',
      '{ ... on Query { __typename } }',
      '{ __typename } # __schema', // named in a comment only
      '{ __schema: __typename }', // an alias is not the field
      '{ __schemas }',
    ]) {
      expect({ q: q?.slice(0, 80), introspection: isIntrospectionOnly(q) }).toEqual({ q: q?.slice(0, 80), introspection: false });
    }
  });
});

describe('isIntrospectionOnly parses only documents naming __schema or __type', () => {
  beforeEach(() => parseSpy.mockClear());

  it('parses an introspection document (so the spy sees the parser at all)', () => {
    expect(isIntrospectionOnly('{ __schema { queryType { name } } }')).toBe(true);
    expect(isIntrospectionOnly('{ __type(name: "Query") { name } }')).toBe(true);
    expect(parseSpy).toHaveBeenCalledTimes(2);
  });

  it('does not parse a document whose only introspection field is __typename', () => {
    for (const q of [
      '{ __typename }',
      '{ ... on Query { __typename } }',
      '{ federations(first: 5) { __typename edges { node { __typename code } } } }',
      `{ ${'__typename '.repeat(1500)} }`,
      '{ __typenames __types __schemas }',
    ]) {
      expect({ q: q.slice(0, 80), introspection: isIntrospectionOnly(q), parsed: parseSpy.mock.calls.length }).toEqual({ q: q.slice(0, 80), introspection: false, parsed: 0 });
    }
  });
});

describe('clientAddress', () => {
  const req = (remoteAddress: string | undefined, xff?: string) =>
    ({ socket: { remoteAddress }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as Request;

  it('uses the socket address; IPv4-mapped as IPv4; IPv6 by its /64', () => {
    expect(clientAddress(req('203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(req('::ffff:203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(req('2001:db8:1:2:aaaa:bbbb:cccc:dddd'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8:1:2::1'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8::1'))).toBe('2001:db8:0:0::/64');
    expect(clientAddress(req('fe80::1%eth0'))).toBe('fe80:0:0:0::/64');
    expect(clientAddress(req(undefined))).toBe('unknown');
  });

  it('believes X-Forwarded-For only with trustProxy, counting trusted hops from the right', () => {
    expect(clientAddress(req('10.0.0.1', '198.51.100.9'))).toBe('10.0.0.1');
    expect(clientAddress(req('10.0.0.1', '198.51.100.9'), true)).toBe('198.51.100.9');
    // The client wrote the first entry; the proxy appended the address it saw.
    expect(clientAddress(req('10.0.0.1', '1.2.3.4, 198.51.100.9'), true)).toBe('198.51.100.9');
    expect(clientAddress(req('10.0.0.1', '1.2.3.4, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
    expect(clientAddress(req('10.0.0.1', '198.51.100.9:4711'), true)).toBe('198.51.100.9');
    expect(clientAddress(req('10.0.0.1', 'garbage'), true)).toBe('10.0.0.1');
    expect(clientAddress(req('10.0.0.1'), true)).toBe('10.0.0.1');
  });
});

// --- over HTTP -------------------------------------------------------------------------------------

interface TestApp {
  url: string;
  /** Requests that reached the handler. */
  handled: number;
  close(): Promise<void>;
}

const servers: TestApp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * express.json, the middleware, and a handler answering 200 (keys starting "bad" are refused, as
 * authentication refuses them: 401, or 429 once the address has used up its refused keys).
 */
async function startApp(opts: RateLimitOptions, { requestIds = false } = {}): Promise<TestApp> {
  const app = express();
  app.set('trust proxy', false);
  let n = 0;
  if (requestIds)
    app.use((req, _res, next) => {
      setScope(req, { requestId: `req-${++n}`, sqlStatements: 0 });
      next();
    });
  const state: TestApp = { url: '', handled: 0, close: async () => {} };
  app.use('/graphql', express.json(), rateLimitMiddleware(opts), async (req: Request, res: Response) => {
    state.handled++;
    const authorization = req.header('authorization') ?? '';
    if (/^Bearer bad/.test(authorization)) {
      const throttled = await presentedKey(req)?.refused();
      if (throttled) return void res.status(429).set('retry-after', String(throttled.retryAfterSeconds)).json({ errors: [{ message: throttled.message, extensions: { code: 'RATE_LIMITED' } }] });
      return void res.status(401).json({ errors: [{ message: 'Unknown or revoked API key' }] });
    }
    if (authorization) presentedKey(req)?.accepted(1);
    res.json({ data: { ok: true } });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(state);
  return state;
}

/** A limiter that does not refill during a test (one token a minute). */
const limiter = (burst: number) => new TokenBucketLimiter({ capacity: burst, refillPerSecond: 1 / 60 });

const DATA = '{ federations { totalCount } }';
const INTROSPECTION = ['{ __schema { queryType { name } } }', 'query IntrospectionQuery { __schema { types { name } } }'];

async function post(app: TestApp, query: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

async function get(app: TestApp, query: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${app.url}?query=${encodeURIComponent(query)}`, { headers });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

describe('rateLimitMiddleware', () => {
  it('answers 429 with Retry-After and a JSON error once an address has used its burst', async () => {
    const app = await startApp({ keyed: limiter(10), anonymous: limiter(3) }, { requestIds: true });
    const first = await post(app, DATA);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect((await post(app, DATA)).status).toBe(200);
    expect((await get(app, DATA)).headers.get('ratelimit-remaining')).toBe('0'); // GET counts the same
    const refused = await post(app, DATA);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.body).toEqual({
      errors: [
        {
          message: `Too many requests: the limit is 1 request per 60 seconds for this address; retry after ${retryAfter} s`,
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, requestId: 'req-4' },
        },
      ],
    });
    expect(app.handled).toBe(3);
  });

  it('states the configured rate in the message', async () => {
    const app = await startApp({ keyed: null, anonymous: new TokenBucketLimiter({ capacity: 1, refillPerSecond: 2 }) });
    await post(app, DATA);
    const refused = await post(app, DATA);
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].message).toBe('Too many requests: the limit is 120 requests per 60 seconds for this address; retry after 1 s');
    expect(refused.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }); // no request id outside a request scope
  });

  it('never counts or refuses introspection, before or after the bucket is empty', async () => {
    const app = await startApp({ keyed: limiter(3), anonymous: limiter(2) });
    for (let i = 0; i < 10; i++) {
      for (const q of INTROSPECTION) {
        const p = await post(app, q);
        expect(p.status).toBe(200);
        expect(p.headers.get('ratelimit-remaining')).toBeNull(); // not counted
        expect((await get(app, q)).status).toBe(200);
      }
    }
    expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA)).status).toBe(429);
    for (const q of [...INTROSPECTION, getIntrospectionQuery()]) {
      expect((await post(app, q)).status).toBe(200);
      expect((await get(app, q)).status).toBe(200);
      expect((await post(app, q, { authorization: 'Bearer fh_introspecting-key' })).status).toBe(200);
    }
    // Mixing data into an introspection query makes it count.
    expect((await post(app, '{ __schema { queryType { name } } federations { totalCount } }')).status).toBe(429);
  });

  it('counts a document selecting only __typename like any request, in the data bucket', async () => {
    const app = await startApp({ keyed: null, anonymous: limiter(1), introspection: limiter(5) });
    const first = await post(app, '{ __typename }');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1'); // the anonymous bucket, not the introspection one
    const refused = await post(app, '{ __typename }');
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].message).toMatch(/^Too many requests: /);
    expect((await post(app, INTROSPECTION[0])).status).toBe(200); // introspection still has its own
  });

  it('gives requests with a key their own bucket, one per key', async () => {
    const app = await startApp({ keyed: limiter(2), anonymous: limiter(1) });
    expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA)).status).toBe(429); // the address's bucket is empty
    const a = { authorization: 'Bearer fh_keyAAAAAAAAAAAAAAAA' };
    const b = { authorization: 'Bearer fh_keyBBBBBBBBBBBBBBBB' };
    const ra = await post(app, DATA, a);
    expect(ra.status).toBe(200);
    expect(ra.headers.get('ratelimit-limit')).toBe('2');
    expect(ra.headers.get('ratelimit-remaining')).toBe('1');
    // The scheme's case and spacing do not make a new bucket for the same key.
    expect((await post(app, DATA, { authorization: 'bearer   fh_keyAAAAAAAAAAAAAAAA ' })).status).toBe(200);
    const refused = await post(app, DATA, a);
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].message).toMatch(/^Too many requests: the limit is 1 request per 60 seconds for this key; retry after \d+ s$/);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another key is untouched by the first one's use.
    expect((await post(app, DATA, b)).status).toBe(200);
    expect((await post(app, DATA, b)).status).toBe(200);
    expect((await post(app, DATA, b)).status).toBe(429);
    // An empty Authorization header is anonymous (as for authentication), not a fresh bucket.
    expect((await post(app, DATA, { authorization: '' })).status).toBe(429);
  });

  it('counts malformed requests normally and keeps answering', async () => {
    const app = await startApp({ keyed: null, anonymous: limiter(7) });
    const send = (body: string, contentType = 'application/json') =>
      fetch(app.url, { method: 'POST', headers: { 'content-type': contentType }, body }).then((r) => r.status);
    expect(await send('{}')).toBe(200); // no query
    expect(await send('{"query": "{ __schema { queryType { name } "}')).toBe(200); // invalid GraphQL
    expect(await send('{"query": 42}')).toBe(200);
    expect(await send('[{"query": "{ __typename }"}]')).toBe(200); // a batch
    expect(await send('null')).toBe(400); // refused by express.json itself (strict), never reaches the middleware
    expect(await send('{ __schema { queryType { name } } }', 'text/plain')).toBe(200); // no parsed body
    expect((await get(app, '{ __schema { queryType { name } ')).status).toBe(200);
    expect((await fetch(app.url)).status).toBe(200); // GET without a query
    expect(await send('{}')).toBe(429);
    expect(await send('{"query": "{ __schema { queryType { name } } }"}')).toBe(200); // introspection still passes
    expect(app.handled).toBe(8);
  });

  it('does not count CORS preflights', async () => {
    const app = await startApp({ keyed: null, anonymous: limiter(1) });
    for (let i = 0; i < 5; i++) {
      const r = await fetch(app.url, { method: 'OPTIONS' });
      expect(r.headers.get('ratelimit-remaining')).toBeNull();
    }
    expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA)).status).toBe(429);
  });

  it('limits nothing when both limiters are off', async () => {
    const app = await startApp({ keyed: null, anonymous: null });
    for (let i = 0; i < 20; i++) expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA, { authorization: 'Bearer fh_x' })).headers.get('ratelimit-limit')).toBeNull();
  });

  it('limits introspection in buckets of its own when given an introspection limiter', async () => {
    const app = await startApp({ keyed: limiter(5), anonymous: limiter(2), introspection: limiter(3) });
    for (let i = 0; i < 3; i++) expect((await post(app, INTROSPECTION[i % 2])).status).toBe(200);
    const refused = await post(app, INTROSPECTION[0]);
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].message).toMatch(/^Too many introspection requests: the limit is 1 introspection request per 60 seconds for this address; retry after \d+ s$/);
    // The anonymous bucket was not touched; a key has its own introspection bucket.
    expect((await post(app, DATA)).headers.get('ratelimit-remaining')).toBe('1');
    expect((await post(app, INTROSPECTION[0], { authorization: 'Bearer fh_keyAAAAAAAAAAAAAAAA' })).status).toBe(200);
  });

  it('with a failedAuth limiter, answers 429 to refused keys once an address has used up its allowance, while valid keys, even never seen, still pass', async () => {
    const app = await startApp({ keyed: limiter(100), anonymous: limiter(100), failedAuth: limiter(3) });
    const good = { authorization: 'Bearer fh_goodGGGGGGGGGGGGGGGG' };
    // Accepted keys take nothing from the allowance, however many.
    for (let i = 0; i < 5; i++) expect((await post(app, DATA, { authorization: `Bearer fh_valid${i}VVVVVVVVVVVVVVV` })).status).toBe(200);
    expect((await post(app, DATA, good)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post(app, DATA, { authorization: `Bearer bad${i}-invented-key` })).status).toBe(401);
    const refused = await post(app, DATA, { authorization: 'Bearer bad-yet-another-key' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].message).toMatch(/^Too many refused keys from this address: the limit is 1 refused key per 60 seconds; valid keys still pass; retry after \d+ s$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A key never seen from this address (another user behind the same NAT) is looked up and passes;
    // so do the key seen before and anonymous callers. Every request reached authentication.
    const handled = app.handled;
    expect((await post(app, DATA, { authorization: 'Bearer fh_neverSeenNNNNNNNNNNN' })).status).toBe(200);
    expect((await post(app, DATA, good)).status).toBe(200);
    expect((await post(app, DATA)).status).toBe(200);
    expect((await post(app, DATA, { authorization: 'Bearer bad-again' })).status).toBe(429);
    expect(app.handled).toBe(handled + 4);
  });

  it('without a failedAuth limiter, a refused key is always 401', async () => {
    const app = await startApp({ keyed: null, anonymous: null });
    for (let i = 0; i < 50; i++) expect((await post(app, DATA, { authorization: `Bearer bad${i}` })).status).toBe(401);
  });

  it('keys addresses by X-Forwarded-For only when told to trust a proxy', async () => {
    const spoofed = await startApp({ keyed: null, anonymous: limiter(1) });
    expect((await post(spoofed, DATA, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await post(spoofed, DATA, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);

    const proxied = await startApp({ keyed: null, anonymous: limiter(1), trustProxy: true });
    expect((await post(proxied, DATA, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await post(proxied, DATA, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    expect((await post(proxied, DATA, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);
    // A client prepending addresses does not escape: the proxy's entry (the last) is the one used.
    expect((await post(proxied, DATA, { 'x-forwarded-for': '9.9.9.9, 198.51.100.2' })).status).toBe(429);
  });
});

// --- the refused-key allowance on the real hub --------------------------------------------------

describe('refused keys per address, on the hub (authentication looks every key up)', () => {
  let t: TestHub;
  beforeAll(async () => {
    // One refused key a minute with the default burst (30): the bucket does not refill during the test.
    t = await startTestHub({ RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '1' });
  });
  afterAll(() => t.close());
  const VIEWER = '{ viewer { role } }';
  const invented = () => ({ authorization: `Bearer fh_${crypto.randomBytes(32).toString('base64url')}` });

  it('a valid key is never refused because other keys from its address were; only refusals use up the allowance', async () => {
    const admin = await createKey(t.em(), 'ADMIN');
    // Valid keys, many and often, take nothing from the allowance.
    for (let i = 0; i < 5; i++) {
      const k = await createKey(t.em(), 'ANALYST');
      for (let j = 0; j < 3; j++) expect((await t.gql(VIEWER, {}, k.headers)).status).toBe(200);
    }
    for (let i = 0; i < DEFAULT_FAILED_AUTH_BURST; i++) {
      const r = await t.gql(VIEWER, {}, invented());
      expect({ i, status: r.status, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ i, status: 401, code: 'UNAUTHENTICATED' });
    }
    // The allowance is used up: a guess is answered 429, with the hub's request id and Retry-After.
    const throttled = await t.gql(VIEWER, {}, invented());
    expect(throttled.status).toBe(429);
    expect(throttled.body.data ?? null).toBeNull();
    expect(throttled.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Too many refused keys from this address: .*valid keys still pass; retry after \d+ s$/),
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: Number(throttled.headers.get('retry-after')), requestId: throttled.headers.get('x-request-id') },
      },
    ]);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused keys of every kind stay refused: a revoked one, a malformed header.
    const revoked = await createKey(t.em(), 'ANALYST');
    expect((await t.gql(VIEWER, {}, revoked.headers)).status).toBe(200);
    await new ApiKeyService(t.em()).revoke(revoked.id);
    await t.hub.keys.heard(revoked.id); // it was answered from the key cache: wait until the hub has heard of the revocation
    expect((await t.gql(VIEWER, {}, revoked.headers)).status).toBe(429);
    expect((await t.gql(VIEWER, {}, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(429);

    // Another user behind the same address, with a key this hub has never seen: it passes.
    const newcomer = await createKey(t.em(), 'ASSOCIATION', await createAssociation(t.em(), await createFederation(t.em())));
    const fresh = await t.gql<any>(VIEWER, {}, newcomer.headers);
    expect([fresh.status, fresh.body.data]).toEqual([200, { viewer: { role: 'ASSOCIATION' } }]);
    // …and so do keys seen before, writes included, and anonymous callers.
    expect((await t.gql<any>(VIEWER, {}, admin.headers)).body.data).toEqual({ viewer: { role: 'ADMIN' } });
    const write = await t.gql<any>(
      `mutation($input: CreateFederationInput!) { createFederation(input: $input) { federation { code } userErrors { code } } }`,
      { input: { code: uniq('FED'), name: 'Liên hiệp thử giới hạn', level: 'PROVINCIAL' } },
      admin.headers,
    );
    expect([write.status, write.body.data.createFederation.userErrors]).toEqual([200, []]);
    expect((await t.gql(VIEWER)).status).toBe(200);
    // Still throttled for guesses: passing keys gave nothing back to the allowance.
    expect((await t.gql(VIEWER, {}, invented())).status).toBe(429);
  });
});
