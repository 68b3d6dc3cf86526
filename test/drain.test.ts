import type { Server } from 'node:http';
import net from 'node:net';
import { Client } from 'pg';
import { createAssociation, createFederation, createKey } from './factories';
import { startTestHub, TestHub } from './support/harness';

/**
 * The graceful stop of the HTTP server (src/common/drain.ts), connection by connection: what
 * SIGTERM under load (test/faults.test.ts) exercises with a whole hub process, here made
 * deterministic with raw sockets on an in-process hub.
 */

const QUERY = JSON.stringify({ query: '{ scienceField(code: "2.3") { labelVi } }' });
const request = (host: string, body = QUERY, headers: Record<string, string> = {}) =>
  `POST /graphql HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  `\r\n${body}`;

interface Conn {
  socket: net.Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server closed the connection (FIN or reset), with how. */
  closed: Promise<'end' | 'error'>;
}

function connect(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    const closed = new Promise<'end' | 'error'>((done) => {
      socket.once('end', () => done('end'));
      socket.once('error', () => done('error'));
    });
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Connections the server has open (accepted and not yet closed). */
const connections = (server: Server) => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, test: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('graceful stop of the HTTP server', () => {
  let t: TestHub;
  let port: number;
  let host: string;
  beforeAll(async () => {
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '3' });
    host = new URL(t.url).host;
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t.close());

  it('serves requests on connections accepted before or just after the stop began, closes idle keep-alive connections, then refuses new ones', async () => {
    // A keep-alive connection that has been served once and now idles.
    const idle = await connect(port);
    idle.socket.write(request(host));
    await until('the first answer', () => idle.received().includes('Kỹ thuật cơ khí'));
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(idle.received()).toMatch(/connection: keep-alive/i);

    // A connection accepted, its request not sent yet (as with a busy event loop).
    const fresh = await connect(port);
    await until('the hub to accept it', async () => (await connections(t.hub.httpServer)) === 2);

    const stopped = t.hub.stop();
    // A connection that comes in just after the stop began (on a loaded machine the kernel can hand
    // one over late, after its client sent the request) is still taken and served.
    const justAfter = await connect(port);
    justAfter.socket.write(request(host));
    expect(await justAfter.closed).toBe('end');
    expect(justAfter.received()).toMatch(/^HTTP\/1\.1 200[^]*connection: close[^]*Kỹ thuật cơ khí/i);
    // The idle keep-alive connection is closed; the listener refuses new connections.
    expect(await idle.closed).toBe('end');
    await until('the listener to close', () => !t.hub.httpServer.listening);
    // The request sent now, on the connection accepted before the stop, is answered in full.
    fresh.socket.write(request(host));
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await fresh.closed).toBe('end');
    const answer = fresh.received();
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('Kỹ thuật cơ khí');
    await stopped;
  });
});

describe('graceful stop: the listener stays open while requests are in progress', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '120' });
  });
  afterAll(() => t.close());

  it('takes and serves new connections while a request is still being read, then refuses them once idle', async () => {
    const u = new URL(t.url);
    const port = Number(u.port);
    // A request whose body is still arriving when the stop begins.
    const reading = await connect(port);
    const full = request(u.host);
    const received = new Promise<void>((resolve) => t.hub.httpServer.once('request', () => resolve()));
    reading.socket.write(full.slice(0, full.length - 10));
    await received;

    const stopped = t.hub.stop();
    // Far longer than the quiet period (250 ms): the listener would have closed were the hub idle.
    await sleep(1_000);
    expect(t.hub.httpServer.listening).toBe(true);
    // A connection that comes now (as the kernel hands over late ones on a loaded machine) is served.
    const late = await connect(port);
    late.socket.write(request(u.host));
    expect(await late.closed).toBe('end');
    expect(late.received()).toMatch(/^HTTP\/1\.1 200[^]*connection: close[^]*Kỹ thuật cơ khí/i);

    // The rest of the body: answered in full; then, idle, the hub stops listening.
    reading.socket.write(full.slice(full.length - 10));
    expect(await reading.closed).toBe('end');
    expect(reading.received()).toMatch(/^HTTP\/1\.1 200[^]*connection: close[^]*Kỹ thuật cơ khí/i);
    await until('the listener to close', () => !t.hub.httpServer.listening);
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await stopped;
  });
});

describe('graceful stop: an operation whose client hung up', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '120' });
  });
  afterAll(() => t.close());

  it('runs to its end before the stop completes: the pool is not closed under it', async () => {
    const f = await createFederation(t.em(), { code: 'DRAIN-F' });
    const a = await createAssociation(t.em(), f, { code: 'DRAIN-A' });
    const admin = await createKey(t.em(), 'ADMIN');
    const push = JSON.stringify({
      query: 'mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }',
      variables: { input: { associationCode: a.code, idempotencyKey: 'drain-hung-up', members: [{ externalId: 'DRAIN-1', fullName: 'Trần Thị Đợi' }] } },
    });
    const locker = new Client({ connectionString: t.db.url });
    await locker.connect();
    const monitor = new Client({ connectionString: t.db.url });
    await monitor.connect();
    try {
      // The push waits inside the database for a lock this test holds.
      await locker.query('begin');
      await locker.query('lock table membership in access exclusive mode');
      const client = await connect(Number(new URL(t.url).port));
      client.socket.write(request(new URL(t.url).host, push, { Authorization: admin.headers.authorization }));
      for (;;) {
        const { rows } = await monitor.query(
          `select 1 from pg_stat_activity where datname = current_database() and application_name = 'federation-hub' and wait_event_type = 'Lock'`,
        );
        if (rows.length) break;
        await sleep(20);
      }
      // The client hangs up: its response is over, its operation is not.
      client.socket.destroy();
      await until('the hub to see the connection closed', async () => (await connections(t.hub.httpServer)) === 0);

      let done = false;
      const stopped = t.hub.stop().then(() => (done = true));
      await until('the listener to close', () => !t.hub.httpServer.listening);
      await sleep(500);
      expect(done).toBe(false); // still waiting for the operation

      await locker.query('rollback');
      await stopped;
      // The operation ended with its database: the person is there.
      const { rows } = await monitor.query(`select count(*)::int as n from membership where external_id = 'DRAIN-1'`);
      expect(rows[0].n).toBe(1);
    } finally {
      await locker.end();
      await monitor.end();
    }
  });
});

describe('graceful stop: limits', () => {
  let t: TestHub;
  beforeAll(async () => {
    // Longer than the test's own timeout: a stop that waited for the grace period would fail it.
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '120' });
  });
  afterAll(() => t.close());

  it('a connection that never sends a request is closed a second after the listener; the stop does not wait for the grace period', async () => {
    const silent = await connect(Number(new URL(t.url).port));
    await until('the hub to accept it', async () => (await connections(t.hub.httpServer)) > 0);
    const started = Date.now();
    await t.hub.stop();
    const took = Date.now() - started;
    expect(await silent.closed).toMatch(/end|error/);
    expect(silent.received()).toBe('');
    // The listener lingers 250 ms (the quiet period), then the silent connection gets 1 s.
    expect(took).toBeGreaterThanOrEqual(1_200);
  });

  it('a request still unfinished when the grace period ends is cut off, and the stop completes', async () => {
    const t2 = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '1' });
    try {
      const u = new URL(t2.url);
      const stuck = await connect(Number(u.port));
      // Headers and half the body: the request has begun and will never finish by itself.
      const full = request(u.host);
      const received = new Promise<void>((resolve) => t2.hub.httpServer.once('request', () => resolve()));
      stuck.socket.write(full.slice(0, full.length - 10));
      await received;
      const started = Date.now();
      await t2.hub.stop();
      const took = Date.now() - started;
      expect(await stuck.closed).toMatch(/end|error/);
      expect(took).toBeGreaterThanOrEqual(900); // it waited for the grace period (1 s)
    } finally {
      await t2.close();
    }
  });
});
