import net from 'node:net';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createAssociation, createFederation, createKey, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { createTestDatabase, TestDatabase } from './support/db';
import { freePort, HubProcess, killStrayHubs, startHub, waitReady } from './support/process';
import { openOrm } from '../src/db/database';
import { toGlobalId } from '../src/common/node-id';
import { ApiKeyService } from '../src/modules/key/api-key.service';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * The `changed` subscription (graphql-ws at /graphql): pushes reach subscribers with the change
 * and its Node, filtered for each subscriber's key as `changes` is; keys, limits, revocation and
 * the drain of WebSockets; two hub processes on one database and one Redis (a push on one reaches
 * a subscriber of the other; Redis going away stops neither). No timing assertions: every wait
 * is for a state (a message, a close, a count), with a generous cap that only fails the test.
 */

const CHANGED = `subscription Changed($filter: ChangeFilter) {
  changed(filter: $filter) {
    cursor type nodeId kind associationCode federationCode at
    node { id __typename ... on Membership { externalId } ... on Intellectual { fullName } }
  }
}`;
const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created updated unchanged userErrors { code field message } } }`;

/** Polls `probe` until it answers; the cap only fails a test that would otherwise hang (the feed can wait behind another test's transaction). */
async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, capMs = 60_000): Promise<T> {
  const until = Date.now() + capMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Closed {
  code: number;
  reason: string;
}

/** A graphql-ws client that connects at once and never retries; `closed` records how its socket closed. */
function connect(wsUrl: string, authorization?: string): { client: Client; closed: () => Closed | null; opened: Promise<void> } {
  let closed: Closed | null = null;
  let opened!: () => void;
  const openedP = new Promise<void>((resolve) => (opened = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: authorization === undefined ? {} : { authorization },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      connected: () => opened(),
      closed: (e) => {
        const ev = e as { code: number; reason: string };
        closed = { code: ev.code, reason: String(ev.reason) };
        opened();
      },
    },
  });
  return { client, closed: () => closed, opened: openedP };
}

interface Sub {
  changes: any[];
  errors: any[];
  done: boolean;
  stop: () => void;
}

function subscribe(client: Client, variables: Record<string, unknown> = {}, query = CHANGED): Sub {
  const sub: Sub = { changes: [], errors: [], done: false, stop: () => {} };
  sub.stop = client.subscribe<{ changed: any }>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) sub.errors.push(...r.errors);
        if (r.data?.changed) sub.changes.push(r.data.changed);
      },
      error: (e) => {
        sub.errors.push(...(Array.isArray(e) ? e : [e]));
        sub.done = true;
      },
      complete: () => (sub.done = true),
    },
  );
  return sub;
}

type Send = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => Promise<{ body: any }>;

async function push(send: Send, headers: Record<string, string>, associationCode: string, members: Record<string, unknown>[]) {
  const r = await send(UPSERT, { input: { associationCode, idempotencyKey: uniq('sub'), members } }, headers);
  const payload = r.body.data?.upsertMembers;
  if (!payload || payload.userErrors.length) throw new Error(`push failed: ${JSON.stringify(r.body)}`);
  return payload;
}

describe('the changed subscription on one hub', () => {
  let t: TestHub;
  let wsUrl: string;
  let federation: Federation;
  let a: Association;
  let b: Association;
  let admin: Awaited<ReturnType<typeof createKey>>;
  let keyB: Awaited<ReturnType<typeof createKey>>;
  const clients: Client[] = [];
  const open = (authorization?: string) => {
    const c = connect(wsUrl, authorization);
    clients.push(c.client);
    return c;
  };
  const running = () => t.hub.subscriptions.stats().subscriptions;

  beforeAll(async () => {
    t = await startTestHub({ SUBSCRIPTIONS_PER_CONNECTION: '3', SUBSCRIPTIONS_PER_KEY: '5', MAX_QUERY_DEPTH: '6' });
    wsUrl = t.url.replace(/^http/, 'ws');
    federation = await createFederation(t.em());
    a = await createAssociation(t.em(), federation);
    b = await createAssociation(t.em(), federation);
    admin = await createKey(t.em(), 'ADMIN');
    keyB = await createKey(t.em(), 'ASSOCIATION', b);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t?.close();
  });

  it('a push reaches the subscribers, each seeing what its key may see, with the Change and its node; the feed holds the same records', async () => {
    const adminWs = open(admin.headers.authorization);
    const publicWs = open();
    const bWs = open(keyB.headers.authorization);
    const before = running();
    const all = subscribe(adminWs.client);
    const anyone = subscribe(publicWs.client);
    const onlyB = subscribe(bWs.client);
    const membershipsOfB = subscribe(bWs.client, { filter: { types: ['MEMBERSHIP'], associationCode: b.code } });
    await waitFor('4 subscriptions running', () => running() === before + 4);

    const after = (await t.data<any>('{ changesEndCursor }', {}, admin.headers)).changesEndCursor;
    await push(t.gql, admin.headers, a.code, [
      { externalId: 'HV-PUB', fullName: 'Nguyễn Văn Công Khai', publicProfile: true },
      { externalId: 'HV-PRIV', fullName: 'Trần Thị Riêng Tư', publicProfile: false },
    ]);
    // Then a push into B, which B's key sees: once it has arrived, the first push was handled for B's subscriptions too.
    await push(t.gql, admin.headers, b.code, [{ externalId: 'HV-B', fullName: 'Lê Văn Bê', publicProfile: false }]);

    const name = (c: any) => c.node?.fullName ?? c.node?.externalId;
    const adminGot = await waitFor('the admin subscriber gets the people and memberships of both pushes', () => (all.changes.length >= 6 ? all.changes : null));
    expect(all.errors).toEqual([]);
    expect(adminGot.map((c) => `${c.node.__typename} ${c.type} ${c.kind} ${name(c)} ${c.associationCode} ${c.federationCode}`).sort()).toEqual(
      [
        `Intellectual INTELLECTUAL CREATED Lê Văn Bê null null`, // a person belongs to no one association
        `Intellectual INTELLECTUAL CREATED Nguyễn Văn Công Khai null null`,
        `Intellectual INTELLECTUAL CREATED Trần Thị Riêng Tư null null`,
        `Membership MEMBERSHIP CREATED HV-B ${b.code} ${federation.code}`,
        `Membership MEMBERSHIP CREATED HV-PRIV ${a.code} ${federation.code}`,
        `Membership MEMBERSHIP CREATED HV-PUB ${a.code} ${federation.code}`,
      ].sort(),
    );
    for (const c of adminGot) {
      expect(typeof c.cursor).toBe('string');
      expect(new Date(c.at).toISOString()).toBe(c.at);
      expect(c.node.id).toBe(c.nodeId);
    }

    // The feed holds the same records, with the same cursors (once no older transaction of the
    // database server is running: the feed reads below the oldest, and other tests may hold one).
    const cursors = adminGot.map((c) => c.cursor).sort();
    const feedCursors = async () =>
      (await t.data<any>('query($after: String) { changes(after: $after, first: 500) { nodes { cursor } } }', { after }, admin.headers)).changes.nodes.map((c: any) => c.cursor).sort();
    expect(await waitFor('the feed holds the records', async () => ((await feedCursors()).length >= cursors.length ? feedCursors() : null))).toEqual(cursors);

    // B's key: its own members, and A's member with a public profile; never A's member without one.
    await waitFor("B's subscription gets B's push", () => ['HV-B', 'Lê Văn Bê'].every((n) => onlyB.changes.some((c) => name(c) === n)));
    expect(onlyB.errors).toEqual([]);
    expect(onlyB.changes.map(name).sort()).toEqual(['HV-B', 'HV-PUB', 'Lê Văn Bê', 'Nguyễn Văn Công Khai']);
    // Filtered by type and association: B's membership only.
    await waitFor("the filtered subscription gets B's membership", () => membershipsOfB.changes.length >= 1);
    expect(membershipsOfB.changes.map((c) => `${c.type} ${c.associationCode} ${c.node.externalId}`)).toEqual([`MEMBERSHIP ${b.code} HV-B`]);

    // The public: public profiles only (B's first member has none).
    await push(t.gql, admin.headers, b.code, [{ externalId: 'HV-B2', fullName: 'Lê Thị Công Khai', publicProfile: true }]);
    await waitFor("the public subscriber gets B's public member", () => ['HV-B2', 'Lê Thị Công Khai'].every((n) => anyone.changes.some((c) => name(c) === n)));
    expect(anyone.changes.map((c) => `${c.type} ${name(c)}`).sort()).toEqual([
      'INTELLECTUAL Lê Thị Công Khai',
      'INTELLECTUAL Nguyễn Văn Công Khai',
      'MEMBERSHIP HV-B2',
      'MEMBERSHIP HV-PUB',
    ]);
    for (const s of [all, anyone, onlyB, membershipsOfB]) s.stop();
    await waitFor('the subscriptions released', () => running() === before);
  });

  it('refuses bad keys (4401, with the reason), queries and mutations, invalid and too deep documents', async () => {
    for (const authorization of ['Bearer fh_notAKeyThisHubKnows123', 'Basic dXNlcjpwYXNz']) {
      const c = open(authorization);
      const closed = await waitFor('the socket closed', c.closed);
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/^Unauthorized: (Unknown or revoked API key|The Authorization header must be "Bearer <key>")$/);
    }

    const c = open(admin.headers.authorization);
    await c.opened;
    const query = subscribe(c.client, {}, '{ viewer { role } }');
    const mutation = subscribe(c.client, {}, 'mutation { __typename }');
    const invalid = subscribe(c.client, {}, 'subscription { changed { nope } }');
    const deep = subscribe(c.client, {}, 'subscription { changed { node { ... on Federation { parent { parent { parent { parent { parent { parent { id } } } } } } } } } }');
    const badFilter = subscribe(c.client, { filter: { types: [] } });
    await waitFor('every refusal answered', () => [query, mutation, invalid, deep, badFilter].every((s) => s.done));
    expect(query.errors[0]).toMatchObject({ message: expect.stringMatching(/subscriptions only: send queries by HTTP/), extensions: { code: 'BAD_REQUEST' } });
    expect(mutation.errors[0]).toMatchObject({ message: expect.stringMatching(/send mutations by HTTP/), extensions: { code: 'BAD_REQUEST' } });
    expect(invalid.errors[0]).toMatchObject({ message: expect.stringMatching(/Cannot query field "nope"/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(deep.errors[0]).toMatchObject({ message: expect.stringMatching(/depth limit exceeded: the limit is 6 levels/i), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(badFilter.errors[0]).toMatchObject({ message: 'filter.types takes 1 to 30 types', extensions: { code: 'BAD_USER_INPUT' } });
    expect(c.closed()).toBeNull(); // refusals end the operation, not the connection
  });

  it('limits subscriptions per connection and per key (TOO_MANY_SUBSCRIPTIONS); completing one frees its place', async () => {
    const key = await createKey(t.em(), 'ANALYST');
    const one = open(key.headers.authorization);
    const two = open(key.headers.authorization);
    const before = running();
    const first = [0, 1, 2].map(() => subscribe(one.client));
    await waitFor('3 running', () => running() === before + 3);
    const fourth = subscribe(one.client);
    await waitFor('the 4th refused', () => fourth.done);
    expect(fourth.errors[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 }, message: expect.stringMatching(/SUBSCRIPTIONS_PER_CONNECTION/) });

    const second = [0, 1].map(() => subscribe(two.client));
    await waitFor('5 running for the key', () => running() === before + 5);
    const sixth = subscribe(two.client);
    await waitFor('the 6th refused', () => sixth.done);
    expect(sixth.errors[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 5 }, message: expect.stringMatching(/This API key has 5 subscriptions running on this hub.*SUBSCRIPTIONS_PER_KEY/) });

    first[0].stop();
    await waitFor('one released', () => running() === before + 4);
    const again = subscribe(two.client);
    await waitFor('a new one runs', () => running() === before + 5);
    expect(again.errors).toEqual([]);
    for (const s of [...first, ...second, again]) s.stop();
    await waitFor('all released', () => running() === before);
  });

  it("ends a revoked key's subscriptions (the revocation's notification): 4401", async () => {
    const key = await createKey(t.em(), 'ANALYST');
    const c = open(key.headers.authorization);
    const before = running();
    const sub = subscribe(c.client);
    await waitFor('running', () => running() === before + 1);
    await new ApiKeyService(t.em()).revoke(key.id);
    const closed = await waitFor('the socket closed', c.closed);
    expect(closed).toEqual({ code: 4401, reason: 'Unauthorized: the API key was revoked' });
    expect(sub.done).toBe(true);
    await waitFor('released', () => running() === before);
  });
});

describe('revocation without the key cache: the periodic check', () => {
  it('SUBSCRIPTION_KEY_RECHECK_SECONDS ends the subscriptions of a key revoked meanwhile', async () => {
    const t = await startTestHub({ API_KEY_CACHE_SECONDS: '0', SUBSCRIPTION_KEY_RECHECK_SECONDS: '1' });
    try {
      const key = await createKey(t.em(), 'ANALYST');
      const c = connect(t.url.replace(/^http/, 'ws'), key.headers.authorization);
      subscribe(c.client);
      await waitFor('running', () => t.hub.subscriptions.stats().subscriptions === 1);
      await new ApiKeyService(t.em()).revoke(key.id);
      expect(await waitFor('the socket closed', c.closed)).toEqual({ code: 4401, reason: 'Unauthorized: the API key was revoked' });
      await c.client.dispose();
    } finally {
      await t.close();
    }
  });
});

describe('drain', () => {
  it('on stop, WebSockets are closed with 1001 Going away and the stop ends gracefully', async () => {
    const t = await startTestHub();
    let stopped = false;
    try {
      const c = connect(t.url.replace(/^http/, 'ws'));
      const sub = subscribe(c.client);
      await waitFor('running', () => t.hub.subscriptions.stats().subscriptions === 1);
      const stop = t.hub.stop().then(() => (stopped = true));
      expect(await waitFor('the socket closed', c.closed)).toEqual({ code: 1001, reason: 'Going away' });
      await stop;
      expect(sub.done).toBe(true);
      await c.client.dispose();
    } finally {
      if (!stopped) await t.hub.stop();
      await t.close();
    }
  });
});

// --- two hub processes, one database, one Redis ------------------------------------------------

/** The Redis of the two-hub cases (TEST_REDIS_URL to use another one, as test/scale.test.ts). */
const REDIS_URL = new URL(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
const REDIS_HOST = REDIS_URL.hostname;
const REDIS_PORT = Number(REDIS_URL.port || 6379);

/** True when that Redis answers PING (checked synchronously, so that jest can skip). */
function redisAnswers(): boolean {
  const probe = `const s=require('net').connect(${REDIS_PORT},${JSON.stringify(REDIS_HOST)});s.setTimeout(1000,()=>process.exit(1));s.on('error',()=>process.exit(1));s.on('connect',()=>s.write('PING\\r\\n'));s.on('data',(d)=>process.exit(String(d).startsWith('+PONG')?0:1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}
const REDIS = redisAnswers();
if (!REDIS) console.warn(`test/subscriptions.test.ts: no Redis answers at ${REDIS_HOST}:${REDIS_PORT}: the two-hub cases (Redis) are skipped`);

/** A TCP proxy to Redis that the test can take away (as if Redis stopped) and bring back on the same port. */
class RedisProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly port: number) {}
  start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(REDIS_PORT, REDIS_HOST);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }
  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

(REDIS ? describe : describe.skip)('two hub processes on one database and one Redis', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let proxy: RedisProxy;
  let hubA: HubProcess;
  let hubB: HubProcess;
  let admin: Awaited<ReturnType<typeof createKey>>;
  let association: Association;
  const clients: Client[] = [];

  const gqlOn = async (hub: HubProcess, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = admin.headers) => {
    const r = await fetch(`${hub.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const readyz = async (hub: HubProcess) => {
    const r = await fetch(`${hub.base}/readyz`);
    return { status: r.status, body: (await r.json()) as any };
  };
  const feedOf = async (hub: HubProcess) => (await gqlOn(hub, '{ changes(first: 500) { nodes { cursor type nodeId kind associationCode federationCode at } pageInfo { endCursor hasNextPage } } }')).body;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url, 2);
    proxy = new RedisProxy(await freePort());
    await proxy.start();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'debug', // the failed publishes of an outage are debug lines
      STATS_CACHE_SECONDS: '0',
      RATE_LIMIT_KEYED_PER_MINUTE: '0',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    hubA = startHub(env, portA);
    hubB = startHub(env, portB);
    await Promise.all([waitReady(hubA), waitReady(hubB)]);
    admin = await createKey(orm.em.fork(), 'ADMIN');
    association = await createAssociation(orm.em.fork(), await createFederation(orm.em.fork()));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await killStrayHubs();
    await proxy?.stop();
    await orm?.close(true);
    await db?.drop();
  });

  /**
   * The feed read from both hubs is identical once it holds the record of the membership
   * `externalId` (the feed reads below the oldest transaction running on the database server,
   * which other tests' transactions can hold back for a moment).
   */
  const sameFeed = async (externalId: string) => {
    const [id] = await orm.em.getConnection().execute<{ id: number }[]>('select id from membership where external_id = ?', [externalId]);
    const nodeId = toGlobalId('Membership', id.id);
    const [fromA, fromB] = await waitFor(`both feeds hold ${externalId}`, async () => {
      const both = await Promise.all([feedOf(hubA), feedOf(hubB)]);
      return both.every((f) => f.data?.changes.nodes.some((c: any) => c.nodeId === nodeId)) ? both : null;
    });
    expect(fromA.errors).toBeUndefined();
    expect(fromB).toEqual(fromA);
  };

  const subscriberOn = async (hub: HubProcess) => {
    const c = connect(`ws://127.0.0.1:${hub.port}/graphql`, admin.headers.authorization);
    clients.push(c.client);
    const sub = subscribe(c.client, { filter: { associationCode: association.code } });
    // Registered once a push on its own hub reaches it (no other way to see it from outside).
    const marker = uniq('MARK');
    await push((q, v, h) => gqlOn(hub, q, v, h), admin.headers, association.code, [{ externalId: marker, fullName: 'Đánh Dấu', publicProfile: true }]);
    await waitFor('the subscriber hears its own hub', () => sub.changes.some((ch) => ch.node?.externalId === marker));
    return sub;
  };

  it('a push on hub A reaches a subscriber on hub B; the feed read from either hub is the same', async () => {
    await waitFor('both hubs connected to Redis', async () => (await readyz(hubA)).body.redis === 'ok' && (await readyz(hubB)).body.redis === 'ok');
    const onB = await subscriberOn(hubB);
    await push((q, v, h) => gqlOn(hubA, q, v, h), admin.headers, association.code, [{ externalId: 'FROM-A', fullName: 'Nguyễn Văn Từ A', publicProfile: true }]);
    await waitFor("hub B's subscriber gets hub A's membership", () => onB.changes.some((c) => c.node?.externalId === 'FROM-A'));
    expect(onB.errors).toEqual([]);
    await sameFeed('FROM-A');
  });

  it('with Redis gone both hubs serve reads and writes (and their own subscribers), /readyz says degraded; when it is back, changes cross again', async () => {
    const onA = await subscriberOn(hubA);
    await proxy.stop();
    await waitFor('both hubs report Redis degraded', async () => {
      const [ra, rb] = [await readyz(hubA), await readyz(hubB)];
      return ra.status === 200 && rb.status === 200 && ra.body.redis === 'degraded' && rb.body.redis === 'degraded';
    });
    expect((await readyz(hubA)).body).toMatchObject({ status: 'ready', redis: 'degraded' });

    // Writes commit (their publish to Redis fails, caught and logged), reads answer, on both hubs.
    await push((q, v, h) => gqlOn(hubA, q, v, h), admin.headers, association.code, [{ externalId: 'NO-REDIS-A', fullName: 'Phạm Văn Không', publicProfile: true }]);
    await push((q, v, h) => gqlOn(hubB, q, v, h), admin.headers, association.code, [{ externalId: 'NO-REDIS-B', fullName: 'Phạm Thị Không', publicProfile: true }]);
    await waitFor("hub A's own subscriber still hears hub A", () => onA.changes.some((c) => c.node?.externalId === 'NO-REDIS-A'));
    await sameFeed('NO-REDIS-B');
    for (const hub of [hubA, hubB]) {
      expect(hub.child.exitCode).toBeNull();
      expect(hub.output()).not.toMatch(/unhandled|uncaught/i);
    }
    // The outage is logged once per hub, by the hub's Redis connection; the failed publishes are caught (debug lines).
    for (const hub of [hubA, hubB]) {
      await waitFor('the outage logged (at the first refused reconnection)', () => /Redis unavailable/.test(hub.output()));
      expect(hub.output()).toMatch(/a change could not be published to Redis/);
    }

    await proxy.start();
    await waitFor('both hubs connected to Redis again', async () => (await readyz(hubA)).body.redis === 'ok' && (await readyz(hubB)).body.redis === 'ok');
    await push((q, v, h) => gqlOn(hubB, q, v, h), admin.headers, association.code, [{ externalId: 'BACK-B', fullName: 'Võ Văn Trở Lại', publicProfile: true }]);
    await waitFor("hub A's subscriber gets hub B's write again", () => onA.changes.some((c) => c.node?.externalId === 'BACK-B'));
  });
});
