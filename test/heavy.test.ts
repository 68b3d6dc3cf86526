import { Client } from 'pg';
import { Semaphore, SemaphoreBusy } from '../src/common/semaphore';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startTestHub, TestHub } from './support/harness';
import { openOrm } from '../src/db/database';
import { loadConfig } from '../src/config';
import { createServer } from '../src/server';
import { createKey } from './factories';
import { createAssociation, createFederation } from './factories';

/**
 * Heavy queries (node cost from HEAVY_QUERY_NODES on) take turns, so that a few of them cannot
 * hold up every other request: a heavy query waits while another runs, light ones do not, and a
 * heavy query that waits too long is answered 503 with Retry-After.
 */

/**
 * Holds an exclusive lock on `table` in a transaction of the test's own, so that the hub's
 * statements on it wait; `release()` rolls the transaction back. The connection is closed after.
 */
async function withTableLocked(url: string, table: string, fn: (release: () => Promise<void>) => Promise<void>): Promise<void> {
  const locker = new Client({ connectionString: url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    await fn(async () => void (await locker.query('rollback')));
  } finally {
    await locker.end();
  }
}

/** Resolves once a statement of the hub waits for a lock in the database at `url`. */
async function untilHubWaitsForLock(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    for (const until = Date.now() + 60_000; ; ) {
      const { rows } = await c.query(
        `select 1 from pg_stat_activity where datname = current_database() and application_name = 'federation-hub' and wait_event_type = 'Lock'`,
      );
      if (rows.length) return;
      if (Date.now() > until) throw new Error('no statement of the hub waited for the lock within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await c.end();
  }
}

/** Resolves once the HTTP server has received `n` more requests than now. */
function untilRequests(server: Server, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const onRequest = () => {
      if (++seen < n) return;
      server.off('request', onRequest);
      resolve();
    };
    server.on('request', onRequest);
  });
}

describe('Semaphore', () => {
  const flush = () => new Promise((r) => setImmediate(r));

  it('grants permits up to its size, then in order of arrival as permits come back', async () => {
    const s = new Semaphore(2, 10, 10_000);
    const order: string[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const waiting = ['c', 'd', 'e'].map((name) => s.acquire().then((release) => (order.push(name), release)));
    await flush();
    expect(s.load).toEqual({ active: 2, waiting: 3 });
    r2();
    r2(); // a second call gives nothing back
    await flush();
    expect(order).toEqual(['c']);
    expect(s.load).toEqual({ active: 2, waiting: 2 });
    r1();
    await flush();
    expect(order).toEqual(['c', 'd']);
    for (const release of await Promise.all(waiting.slice(0, 2))) release();
    await flush();
    expect(order).toEqual(['c', 'd', 'e']);
    (await waiting[2])();
    expect(s.load).toEqual({ active: 0, waiting: 0 });
  });

  it('once closed, refuses those waiting and those to come; holders keep their permits', async () => {
    const s = new Semaphore(1, 5, 10_000);
    const held = await s.acquire();
    const waiting = s.acquire();
    s.close();
    await expect(waiting).rejects.toEqual(new SemaphoreBusy('closed'));
    await expect(s.acquire()).rejects.toEqual(new SemaphoreBusy('closed'));
    expect(s.load).toEqual({ active: 1, waiting: 0 });
    held();
    expect(s.load).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses at once when the queue is full, and after the timeout when waiting too long', async () => {
    const s = new Semaphore(1, 1, 50);
    const held = await s.acquire();
    const queued = s.acquire();
    await expect(s.acquire()).rejects.toEqual(new SemaphoreBusy('queue full'));
    await expect(queued).rejects.toEqual(new SemaphoreBusy('timeout'));
    expect(s.load).toEqual({ active: 1, waiting: 0 });
    held();
    (await s.acquire())();
  });
});

describe('heavy queries take turns', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ HEAVY_QUERY_NODES: '1000', HEAVY_QUERY_CONCURRENCY: '1', HEAVY_QUERY_WAIT_SECONDS: '1' });
    const f = await createFederation(t.em(), { code: 'HEAVY-F' });
    await createAssociation(t.em(), f, { code: 'HEAVY-A', name: 'Hội Khoa học Đồng bằng sông Cửu Long' });
  });
  afterAll(() => t.close());

  // 100 + 100 · 20 = 2,100 nodes: heavy here. 100 + 100 · 5 = 600: light.
  const HEAVY = `{ associations(first: 100) { edges { node { code members(first: 20) { totalCount } } } } }`;
  const LIGHT_ON_ASSOCIATIONS = `{ associations(first: 100) { edges { node { code members(first: 5) { totalCount } } } } }`;

  it('a second heavy query waits for the first and is answered 503 with Retry-After when the wait runs out; light queries pass', async () => {
    // The first heavy query is held up inside the database by a lock this test holds.
    await withTableLocked(t.db.url, 'association', async (release) => {
      const first = t.gql(HEAVY);
      // It holds the turn once its statement waits for the lock.
      await untilHubWaitsForLock(t.db.url);

      // A light query that needs no locked table is answered at once.
      const light = await t.gql('{ scienceField(code: "2.3") { labelVi } }');
      expect(light.body).toEqual({ data: { scienceField: { labelVi: 'Kỹ thuật cơ khí' } } });

      const started = Date.now();
      const second = await t.gql(HEAVY);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it waited its turn (1 s)
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(second.body.errors![0].extensions!.code).toBe('SERVICE_UNAVAILABLE');
      expect(second.body.errors![0].message).toMatch(/busy with other large queries \(timeout\).*2100 nodes.*from 1000 on/);

      await release();
      const done = await first;
      expect(done.status).toBe(200);
      expect(done.body.data!.associations.edges.map((e: any) => e.node.code)).toContain('HEAVY-A');
    });
    // The permit came back: the next heavy query runs at once, as does a light one.
    const again = await t.gql(HEAVY);
    expect(again.body.errors).toBeUndefined();
    const light = await t.gql(LIGHT_ON_ASSOCIATIONS);
    expect(light.body.errors).toBeUndefined();
  });

  it('a heavy query that fails still gives its turn back', async () => {
    const failing = await t.gql(`{ associations(first: 100, after: "not-a-cursor") { edges { node { members(first: 20) { totalCount } } } } }`);
    expect(failing.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const next = await t.gql(HEAVY);
    expect(next.status).toBe(200);
    expect(next.body.errors).toBeUndefined();
  });
});

describe('heavy queries and shutdown', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ HEAVY_QUERY_NODES: '1000', HEAVY_QUERY_CONCURRENCY: '1', HEAVY_QUERY_WAIT_SECONDS: '30', SHUTDOWN_GRACE_SECONDS: '20' });
  });
  afterAll(() => t.close());

  it('a heavy query waiting for its turn when the hub stops is answered 503 at once; the one running finishes', async () => {
    const HEAVY = `{ associations(first: 100) { edges { node { code members(first: 20) { totalCount } } } } }`;
    await withTableLocked(t.db.url, 'association', async (release) => {
      const running = t.gql(HEAVY);
      await untilHubWaitsForLock(t.db.url);
      const received = untilRequests(t.hub.httpServer, 1);
      const waiting = t.gql(HEAVY);
      await received;

      const stopped = t.hub.stop();
      let stopDone = false;
      void stopped.then(() => (stopDone = true));
      // Answered while the running query still waits for the lock, so neither after its 30 s wait
      // (that answer would say "timeout") nor at the end of the stop.
      const refused = await waiting;
      expect(stopDone).toBe(false);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.errors![0]).toMatchObject({ message: 'The hub is shutting down: retry in a moment', extensions: { code: 'SERVICE_UNAVAILABLE' } });

      await release();
      const done = await running;
      expect(done.status).toBe(200);
      expect(done.body.errors).toBeUndefined();
      await stopped;
    });
  });
});

describe('a statement that runs past the statement timeout', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('answers QUERY_TIMEOUT (not a masked error), writes nothing, and the replay completes once', async () => {
    const f = await createFederation(t.em(), { code: 'TIMEOUT-F' });
    const a = await createAssociation(t.em(), f, { code: 'TIMEOUT-A' });
    const admin = await createKey(t.em(), 'ADMIN');
    // A second hub on the same database whose statements may run 1 s.
    const orm = await openOrm(t.db.url, 3, 1_000);
    const hub = await createServer(orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url }));
    await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}/graphql`;
    const post = async (query: string, variables?: unknown) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...admin.headers }, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const PUSH = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }`;
    const input = { associationCode: a.code, idempotencyKey: 'timeout-push-1', members: [{ externalId: 'T1', fullName: 'Hồ Thị Chờ' }] };
    try {
      await withTableLocked(t.db.url, 'membership', async (release) => {
        const read = await post(`{ association(code: "TIMEOUT-A") { members { totalCount } } }`);
        // QUERY_TIMEOUT is the statement timeout's own error (SQLSTATE 57014), not a client's timer.
        expect(read.body.errors[0].extensions.code).toBe('QUERY_TIMEOUT');
        expect(read.body.errors[0].message).toMatch(/did not finish this request in time/);
        expect(JSON.stringify(read.body)).not.toMatch(/statement timeout|canceling|select/i);

        const push = await post(PUSH, { input });
        expect(push.body.errors[0].extensions.code).toBe('QUERY_TIMEOUT');
        await release();
      });
      const [{ n }] = await t.orm.em.getConnection().execute(`select count(*)::int as n from membership where external_id = 'T1'`);
      expect(n).toBe(0);
      // The same push again, with the same idempotency key, once the lock is gone.
      const replay = await post(PUSH, { input });
      expect(replay.body).toEqual({ data: { upsertMembers: { created: 1, userErrors: [] } } });
    } finally {
      await hub.stop();
      await orm.close(true);
    }
  });
});

