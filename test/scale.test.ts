import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../src/config';
import { openOrm } from '../src/db/database';
import { toGlobalId } from '../src/common/node-id';
import { ReadRouting, replicaFault } from '../src/common/read-routing';
import { createLogger } from '../src/common/logger';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { createPolicyDocument } from './factories/consultation';
import { createForum } from './factories/forum';
import { createTestDatabase, TestDatabase } from './support/db';
import { startHubOn, TestHub } from './support/harness';
import { freePort } from './support/process';

/**
 * More than one hub (README, "Scaling"): hubs on one database and one Redis share their rate-limit
 * buckets; with Redis away they keep serving on their own buckets; reads go to a replica, except a
 * key's reads right after its own write, and a dead replica's reads go to the primary.
 *
 * Redis at 127.0.0.1:6379 is needed for the shared buckets only: without it those cases are
 * skipped (said below). The replica is a second database copied from the first
 * (`create database … template …`) and then made to differ, so that an answer shows where it was read.
 */

/** The Redis of the shared-bucket cases (TEST_REDIS_URL to use another one). */
const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
/** Whether that Redis answers PING (checked once, before the tests are declared). */
const redisUp = (() => {
  const { hostname, port } = new URL(REDIS_URL);
  const probe = `const s=require('net').connect(${Number(port || 6379)},${JSON.stringify(hostname)});s.setTimeout(500);s.on('connect',()=>s.write('PING\\r\\n'));s.on('data',(d)=>process.exit(String(d).startsWith('+PONG')?0:1));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1));`;
  try {
    execFileSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
})();
if (!redisUp) console.warn(`test/scale.test.ts: no Redis answers at ${REDIS_URL}: the cases of buckets shared through Redis are skipped`);
const itWithRedis = redisUp ? it : it.skip;
/** redis-server, to run a Redis of the test's own that it can stop and start again. */
const redisServer = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
})();
if (!redisServer) console.warn('test/scale.test.ts: no redis-server on PATH: the case of Redis stopping under running hubs is skipped');
const itWithRedisServer = redisServer ? it : it.skip;

/** A Redis of this test's own on `port` (no persistence), answering PING. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(redisServer!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await until('redis-server answering', async () => (await probe.connect().then(() => probe.ping(), () => null)) === 'PONG');
  } finally {
    probe.disconnect();
  }
  return child;
}

const VIEWER = '{ viewer { role } }';
const CREATE_FEDERATION = `mutation($input: CreateFederationInput!) { createFederation(input: $input) { federation { code name } userErrors { code } } }`;
const FEDERATION = `query($code: String!) { federation(code: $code) { code name } }`;
/** The same read through the resolvers: a directive keeps it off the one-statement path (common/sql-read.ts). */
const FEDERATION_BY_RESOLVERS = `query($code: String!) { federation(code: $code) @include(if: true) { code name } }`;
const CREATE_THREAD = `mutation($input: CreateThreadInput!) { createThread(input: $input) { thread { id } userErrors { code } } }`;

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readyz(hub: TestHub): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(hub.url.replace(/\/graphql$/, '/readyz'));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const newFederation = (name = 'Liên hiệp thử nhiều hub') => ({ input: { code: uniq('FED'), name, level: 'PROVINCIAL' } });

describe('configuration', () => {
  it('REDIS_URL, DATABASE_REPLICA_URLS and READ_YOUR_WRITES_SECONDS', () => {
    const none = loadConfig({ NODE_ENV: 'test' });
    expect([none.redisUrl, none.databaseReplicaUrls, none.readYourWritesSeconds]).toEqual([null, [], 5]);
    const set = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: ' redis://:secret@redis:6379/0 ',
      DATABASE_REPLICA_URLS: 'postgres://hub@replica1:5432/hub, postgresql://hub@replica2/hub',
      READ_YOUR_WRITES_SECONDS: '0',
    });
    expect([set.redisUrl, set.databaseReplicaUrls, set.readYourWritesSeconds]).toEqual(['redis://:secret@redis:6379/0', ['postgres://hub@replica1:5432/hub', 'postgresql://hub@replica2/hub'], 0]);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'http://localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://a/b,mysql://c/d' })).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadConfig({ READ_YOUR_WRITES_SECONDS: '-1' })).toThrow(/READ_YOUR_WRITES_SECONDS/);
  });
});

describe('two hubs on one database and one Redis', () => {
  let db: TestDatabase;
  const hubs: TestHub[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
    await db.drop();
  });
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
  });
  /** What the hubs logged at warn and above (both hubs into one list). */
  let logged: { msg: string; redis?: string }[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line)) });
  const two = async (env: Record<string, string>): Promise<[TestHub, TestHub]> => {
    logged = [];
    const pair = await Promise.all([startHubOn(db, env, { logger }), startHubOn(db, env, { logger })]);
    hubs.push(...pair);
    return pair;
  };

  itWithRedis('share each key\'s bucket: the burst is spent across both hubs, then both refuse; forum flood control too', async () => {
    const [a, b] = await two({ REDIS_URL, RATE_LIMIT_KEYED_PER_MINUTE: '1', RATE_LIMIT_KEYED_BURST: '4', FORUM_POSTS_PER_MINUTE: '2' });
    await until('both hubs connected to Redis', () => a.hub.redis?.status === 'ready' && b.hub.redis?.status === 'ready');
    const em = a.em();
    const admin = await createKey(em, 'ADMIN');
    const answers: [string, number, string | null][] = [];
    for (const [name, hub] of [['A', a], ['B', b], ['A', a], ['B', b], ['A', a], ['B', b]] as const) {
      const r = await hub.gql(VIEWER, {}, admin.headers);
      answers.push([name, r.status, r.headers.get('ratelimit-remaining')]);
    }
    expect(answers).toEqual([
      ['A', 200, '3'],
      ['B', 200, '2'],
      ['A', 200, '1'],
      ['B', 200, '0'],
      ['A', 429, '0'],
      ['B', 429, '0'],
    ]);
    // A GET (Express's way in, not graphql-http.ts's) takes from the same bucket.
    const get = await fetch(`${a.url}?query=${encodeURIComponent(VIEWER)}`, { headers: { ...admin.headers, 'apollo-require-preflight': 'true' } });
    expect([get.status, get.headers.get('retry-after') !== null]).toEqual([429, true]);
    // The bucket lives in Redis until it would be full again (4 tokens at 1 a minute: under 4 minutes).
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      await redis.connect();
      // Under the database's namespace (common/redis.ts): hubs of another database never share it.
      const buckets = await redis.keys(`federation-hub:*:${db.name}:rate-limit:keyed:k:${crypto.createHash('sha256').update(admin.key).digest('hex')}`);
      expect(buckets).toHaveLength(1);
      const ttl = await redis.pttl(buckets[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(4 * 60_000 + 1_000);
    } finally {
      redis.disconnect();
    }

    // FORUM_POSTS_PER_MINUTE=2 per key, across hubs: a thread on each, then none on either.
    const federation = await createFederation(em);
    const association = await createAssociation(em, federation);
    const writer = await createKey(em, 'ASSOCIATION', association);
    const who = await createIntellectual(em);
    await createMembership(em, who, association);
    const { document } = await createPolicyDocument(em, { sections: [{ number: '1', heading: 'Phạm vi', text: 'Dự thảo thử.' }] } as never);
    const forum = await createForum(em, federation, document);
    const thread = (n: number) => ({ input: { forumId: toGlobalId('Forum', forum.id), title: `Ý kiến ${n}`, authorId: toGlobalId('Intellectual', who.id), body: `Nội dung ${n}` } });
    const posted = [];
    for (const [n, hub] of [[1, a], [2, b], [3, a], [4, b]] as const) {
      const r = await hub.gql<any>(CREATE_THREAD, thread(n), writer.headers);
      posted.push(r.status === 200 ? (r.body.data.createThread.userErrors.length ? 'refused' : 'posted') : r.body.errors?.[0]?.extensions?.code);
    }
    expect(posted).toEqual(['posted', 'posted', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  itWithRedisServer('keep serving when Redis stops under them (their own buckets meanwhile), and share again once it is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    try {
      const [a, b] = await two({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_KEYED_PER_MINUTE: '1', RATE_LIMIT_KEYED_BURST: '5' });
      await until('both hubs connected to Redis', () => a.hub.redis?.status === 'ready' && b.hub.redis?.status === 'ready');
      const admin = await createKey(a.em(), 'ADMIN');
      const remaining = async (hub: TestHub) => (await hub.gql(VIEWER, {}, admin.headers)).headers.get('ratelimit-remaining');
      expect([await remaining(a), await remaining(b)]).toEqual(['4', '3']);

      redis.kill('SIGKILL');
      await until('both hubs to see Redis gone', () => a.hub.redis?.status !== 'ready' && b.hub.redis?.status !== 'ready');
      for (const hub of [a, b]) {
        // Reads and writes go on, counted by each hub's own buckets (a fresh burst of 5 here).
        const write = await hub.gql<any>(CREATE_FEDERATION, newFederation(), admin.headers);
        expect([write.status, write.body.data?.createFederation.userErrors, write.headers.get('ratelimit-remaining')]).toEqual([200, [], '4']);
        expect((await readyz(hub)).body).toEqual({ status: 'ready', statsWarmup: 'off', redis: 'degraded' });
      }

      redis = await startRedis(port);
      await until('both hubs reconnected', () => a.hub.redis?.status === 'ready' && b.hub.redis?.status === 'ready');
      // Shared again: the new Redis starts from a full bucket, spent across both hubs.
      expect([await remaining(b), await remaining(a)]).toEqual(['4', '3']);
      expect((await readyz(a)).body).toEqual({ status: 'ready', statsWarmup: 'off', redis: 'ok' });
    } finally {
      redis.kill('SIGKILL');
    }
  });

  it('keep serving reads and writes with Redis away, each on its own buckets; /readyz says degraded', async () => {
    // Nothing listens on port 1: every connection attempt is refused at once.
    const [a, b] = await two({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_KEYED_PER_MINUTE: '1', RATE_LIMIT_KEYED_BURST: '3' });
    const em = a.em();
    const admin = await createKey(em, 'ADMIN');
    for (const hub of [a, b]) {
      const write = await hub.gql<any>(CREATE_FEDERATION, newFederation(), admin.headers);
      expect([write.status, write.body.data?.createFederation.userErrors]).toEqual([200, []]);
      const code = write.body.data.createFederation.federation.code;
      expect((await hub.data<any>(FEDERATION, { code }, admin.headers)).federation.code).toBe(code);
      expect((await hub.gql(VIEWER, {}, admin.headers)).status).toBe(200);
      // The fourth request of the burst of 3 is refused by this hub's own bucket.
      expect((await hub.gql(VIEWER, {}, admin.headers)).status).toBe(429);
      expect(await readyz(hub)).toEqual({ status: 200, body: { status: 'ready', statsWarmup: 'off', redis: 'degraded' } });
    }
    // One line per hub for the whole outage, whatever the requests and reconnection attempts since.
    await until('a reconnection attempt or two', () => logged.filter((l) => l.msg.startsWith('Redis unavailable')).length === 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(logged.filter((l) => /Redis/.test(l.msg))).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^Redis unavailable/), redis: '127.0.0.1:1' }),
      expect.objectContaining({ msg: expect.stringMatching(/^Redis unavailable/), redis: '127.0.0.1:1' }),
    ]);
  });
});

describe('read replicas', () => {
  let primary: TestDatabase;
  let replicaName: string;
  let replicaUrl: string;
  let admin: { headers: Record<string, string> };
  let other: { headers: Record<string, string> };
  let federation: { code: string };
  const hubs: TestHub[] = [];
  const adminUrl = () => process.env.HUB_TEST_ADMIN_URL!;

  beforeAll(async () => {
    primary = await createTestDatabase();
    const orm = await openOrm(primary.url, 2);
    try {
      const em = orm.em.fork();
      admin = await createKey(em, 'ADMIN');
      other = await createKey(em, 'ADMIN');
      federation = await createFederation(em, { name: 'Liên hiệp trên máy chính' } as never);
    } finally {
      await orm.close(true);
    }
    // The "replica": a copy of the primary as it is now, then made to differ from it.
    replicaName = `${primary.name}_replica`;
    replicaUrl = primary.url.replace(`/${primary.name}`, `/${replicaName}`);
    const c = new Client({ connectionString: adminUrl() });
    await c.connect();
    try {
      await c.query(`create database "${replicaName}" template "${primary.name}"`);
    } finally {
      await c.end();
    }
    const r = new Client({ connectionString: replicaUrl });
    await r.connect();
    try {
      await r.query(`update federation set name = 'Liên hiệp trên bản sao' where code = $1`, [federation.code]);
    } finally {
      await r.end();
    }
  });
  afterAll(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
    const c = new Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`drop database if exists "${replicaName}" with (force)`);
    await c.end();
    await primary.drop();
  });

  it('queries read from the replica; a key reads its own writes from the primary, other keys still from the replica', async () => {
    const hub = await startHubOn(primary, { DATABASE_REPLICA_URLS: replicaUrl, READ_YOUR_WRITES_SECONDS: '300' });
    hubs.push(hub);
    const name = async (query: string, code: string, headers?: Record<string, string>) => (await hub.data<any>(query, { code }, headers)).federation?.name ?? null;
    // Before any write: every query, compiled to one statement or through the resolvers, reads the replica.
    for (const query of [FEDERATION, FEDERATION_BY_RESOLVERS]) {
      expect([await name(query, federation.code), await name(query, federation.code, admin.headers)]).toEqual(['Liên hiệp trên bản sao', 'Liên hiệp trên bản sao']);
    }
    // The admin key writes (on the primary: the replica does not have the new federation).
    const write = await hub.gql<any>(CREATE_FEDERATION, newFederation('Liên hiệp mới'), admin.headers);
    expect(write.body.data.createFederation.userErrors).toEqual([]);
    const created = write.body.data.createFederation.federation.code;
    for (const query of [FEDERATION, FEDERATION_BY_RESOLVERS]) {
      // Its own reads now go to the primary: it sees what it wrote, and the primary's name.
      expect([await name(query, created, admin.headers), await name(query, federation.code, admin.headers)]).toEqual(['Liên hiệp mới', 'Liên hiệp trên máy chính']);
      // Another key, and anonymous callers, still read the replica.
      expect([await name(query, created, other.headers), await name(query, created), await name(query, federation.code, other.headers)]).toEqual([null, null, 'Liên hiệp trên bản sao']);
    }
    // The change feed is the primary's, for every key: its order rests on the primary's snapshots.
    // (It waits while transactions of other tests on this PostgreSQL server are older than the write.)
    let seen: string[] = [];
    for (let tries = 0; tries < 450 && !seen.includes(created); tries++) {
      if (tries) await new Promise((r) => setTimeout(r, 100));
      const page = await hub.data<any>(`{ changes(first: 50, filter: { types: [FEDERATION] }) { nodes { kind node { ... on Federation { code } } } } }`, {}, other.headers);
      seen = page.changes.nodes.filter((n: any) => n.kind === 'CREATED').map((n: any) => n.node?.code);
    }
    expect(seen).toContain(created);
    // The data of a document that asks for the feed's end comes from the primary too.
    const fragment = `query($code: String!) { ...Feed federation(code: $code) { name } } fragment Feed on Query { changesEndCursor }`;
    expect((await hub.data<any>(fragment, { code: created }, other.headers)).federation).toEqual({ name: 'Liên hiệp mới' });
    expect((await readyz(hub)).body).toEqual({ status: 'ready', statsWarmup: 'off', replicas: 'ok' });
  });

  it('a replica that does not answer: its reads go to the primary, and /readyz says degraded', async () => {
    const hub = await startHubOn(primary, { DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:1/nowhere' });
    hubs.push(hub);
    for (const query of [FEDERATION, FEDERATION_BY_RESOLVERS]) {
      expect((await hub.data<any>(query, { code: federation.code }, other.headers)).federation.name).toBe('Liên hiệp trên máy chính');
    }
    expect(await readyz(hub)).toEqual({ status: 200, body: { status: 'ready', statsWarmup: 'off', replicas: 'degraded' } });
  });
});

describe('ReadRouting', () => {
  const knex = (name: string) => ({ name }) as never;
  const lines: unknown[] = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line)) });

  it('takes replicas in turn, keeps a key on the primary for the window after its write, skips a failed replica for a while', async () => {
    let t = 0;
    const routing = new ReadRouting([{ name: 'r1', knex: knex('r1') }, { name: 'r2', knex: knex('r2') }], { readYourWritesMs: 5_000, retryMs: 10_000, logger, now: () => t });
    expect([routing.route(7)?.name, routing.route(7)?.name, routing.route(null)?.name]).toEqual(['r1', 'r2', 'r1']);
    routing.wrote(7);
    t += 4_999;
    expect([routing.route(7), routing.route(8)?.name]).toEqual([null, 'r2']);
    t += 1;
    expect(routing.route(7)?.name).toBe('r1');

    // r2 fails: that read runs on the primary, r2 is skipped for 10 s (one log line), then tried again.
    const r2 = routing.route(null)!;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(await r2.read(() => Promise.reject(refused), async () => 'primary')).toBe('primary');
    expect(await r2.read(() => Promise.reject(refused), async () => 'primary')).toBe('primary');
    expect(lines).toHaveLength(1);
    expect(routing.health()).toBe('degraded');
    expect([routing.route(null)?.name, routing.route(null)?.name]).toEqual(['r1', 'r1']);
    t += 10_000;
    expect(routing.health()).toBe('ok');
    expect([routing.route(null)?.name, routing.route(null)?.name].sort()).toEqual(['r1', 'r2']);
    // A statement only the primary can run: run there, the replica stays in use.
    const readOnly = Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' });
    expect(await routing.route(null)!.read(() => Promise.reject(readOnly), async () => 'primary')).toBe('primary');
    expect([routing.health(), lines]).toEqual(['ok', [expect.anything()]]);
    // An error of the query itself is the caller's: not retried on the primary.
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    await expect(routing.route(null)!.read(() => Promise.reject(syntax), async () => 'primary')).rejects.toBe(syntax);
  });

  it('which errors are the replica\'s', () => {
    const fault = (code?: string) => replicaFault(Object.assign(new Error('x'), code ? { code } : {}));
    expect(['ECONNREFUSED', undefined, '08006', '57P01', '3D000', '53300'].map((c) => fault(c))).toEqual(Array(6).fill('down'));
    expect(['40001', '25006'].map((c) => fault(c))).toEqual(['primary', 'primary']);
    expect(['42601', '57014', '22P02', '23505'].map((c) => fault(c))).toEqual(Array(4).fill(null));
  });
});

describe('docker-compose.scale.yml', () => {
  const read = (file: string) => fs.readFileSync(path.join(__dirname, '..', file), 'utf8');

  it('two hubs behind nginx (WebSocket upgrade on /graphql), a PostgreSQL 15 primary and a streaming replica, Redis; no literal password', () => {
    const compose = read('docker-compose.scale.yml');
    for (const service of ['db-primary', 'db-replica', 'redis', 'hub1', 'hub2', 'nginx']) expect(compose).toMatch(new RegExp(`^  ${service}:`, 'm'));
    expect(compose.match(/image: postgres:15$/gm)).toHaveLength(2);
    expect(compose).toMatch(/DATABASE_REPLICA_URLS: postgres:\/\/hub:\$\{POSTGRES_PASSWORD:\?[^}]*\}@db-replica:5432\/hub$/m);
    expect(compose).toMatch(/REDIS_URL: redis:\/\/redis:6379$/m);
    expect(compose).toMatch(/wal_level=replica/);
    expect(compose).not.toMatch(/^\s+[A-Z_]*PASSWORD[A-Z_]*:[ \t]*(?!\$\{)\S/m); // every password from the environment
    // Every file it mounts from deploy/ is there, the scripts executable.
    const mounted = [...compose.matchAll(/\.\/(deploy\/\S+?):/g)].map((m) => m[1]);
    expect(mounted.sort()).toEqual(['deploy/nginx/hub.conf', 'deploy/postgres/primary-init.sh', 'deploy/postgres/replica-entrypoint.sh']);
    for (const file of mounted.filter((f) => f.endsWith('.sh'))) expect(fs.statSync(path.join(__dirname, '..', file)).mode & 0o111).not.toBe(0);

    const nginx = read('deploy/nginx/hub.conf');
    const graphql = /location \/graphql \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect(graphql).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(graphql).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(graphql).toMatch(/proxy_read_timeout 3600s;/);
    expect(nginx).toMatch(/server hub1:4000/);
    expect(nginx).toMatch(/server hub2:4000/);
    expect(nginx).toMatch(/hash \$hub_balance_key consistent;/);
    expect(nginx).toMatch(/client_max_body_size 17m;/);
  });
});
