import http, { type Server } from 'node:http';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { HttpDrain, ListenerClosedInfo } from '../src/common/drain';
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

/** The status line and headers of each response in `raw`, lower-cased, in order. */
const heads = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 \d{3}[^]*?\r\n\r\n/g)].map((m) => m[0].toLowerCase());

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

describe('graceful stop: what the answers to requests in flight say', () => {
  let t: TestHub;
  beforeAll(async () => {
    // Longer than the test's own timeout: a stop that waited for the grace period would fail it.
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '120' });
  });
  afterAll(() => t.close());

  it('every response written after the stop began says Connection: close (of pipelined ones, the last), and the hub then closes the connection', async () => {
    const u = new URL(t.url);
    const port = Number(u.port);
    const f = await createFederation(t.em(), { code: 'DRAIN-KA-F' });
    const a = await createAssociation(t.em(), f, { code: 'DRAIN-KA-A' });
    const admin = await createKey(t.em(), 'ADMIN');
    const push = (n: number) =>
      request(
        u.host,
        JSON.stringify({
          query: 'mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }',
          variables: { input: { associationCode: a.code, idempotencyKey: `drain-ka-${n}`, members: [{ externalId: `DRAIN-KA-${n}`, fullName: 'Lê Văn Chờ' }] } },
        }),
        { Authorization: admin.headers.authorization },
      );
    const locker = new Client({ connectionString: t.db.url });
    await locker.connect();
    const monitor = new Client({ connectionString: t.db.url });
    await monitor.connect();
    let requests = 0;
    const countRequests = () => requests++;
    t.hub.httpServer.on('request', countRequests);
    try {
      // Pushes wait inside the database for a lock this test holds: in progress at the stop, for certain.
      await locker.query('begin');
      await locker.query('lock table membership in access exclusive mode');

      // 1. A keep-alive connection, served once, whose second request (a push) is in progress.
      const reused = await connect(port);
      reused.socket.write(request(u.host));
      await until('the first answer', () => reused.received().includes('Kỹ thuật cơ khí'));
      expect(heads(reused.received())[0]).toMatch(/connection: keep-alive/);
      reused.socket.write(push(1));
      // 2. Two pushes pipelined on one connection.
      const pipelined = await connect(port);
      pipelined.socket.write(push(2) + push(3));
      // 3. A request whose body is still arriving.
      const reading = await connect(port);
      const full = request(u.host);
      reading.socket.write(full.slice(0, full.length - 10));
      await until('the hub to have received all five requests', () => requests === 5);
      for (;;) {
        const { rows } = await monitor.query(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'federation-hub' and wait_event_type = 'Lock'`,
        );
        if (rows[0].n === 3) break;
        await sleep(20);
      }

      const stopped = t.hub.stop();
      await locker.query('rollback');
      reading.socket.write(full.slice(full.length - 10));

      // Each connection is closed by the hub after its last answer (a FIN, no keep-alive reuse).
      expect(await reused.closed).toBe('end');
      expect(await pipelined.closed).toBe('end');
      expect(await reading.closed).toBe('end');
      const r = heads(reused.received());
      expect(r).toHaveLength(2);
      expect(r[1]).toMatch(/^http\/1\.1 200[^]*connection: close/);
      expect(reused.received()).toMatch(/"created":1/);
      // Both pipelined pushes are answered: the first response keeps the connection open for the
      // one behind it, which says close.
      const p = heads(pipelined.received());
      expect(p).toHaveLength(2);
      expect(p[0]).toMatch(/^http\/1\.1 200[^]*connection: keep-alive/);
      expect(p[1]).toMatch(/^http\/1\.1 200[^]*connection: close/);
      expect(pipelined.received()).toMatch(/"created":1[^]*"created":1/);
      expect(heads(reading.received())).toEqual([expect.stringMatching(/^http\/1\.1 200[^]*connection: close/)]);
      expect(reading.received()).toContain('Kỹ thuật cơ khí');
      await stopped;
    } finally {
      t.hub.httpServer.off('request', countRequests);
      await locker.end();
      await monitor.end();
    }
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
  it('a connection that never sends a request is kept until the grace period ends, then closed', async () => {
    const t2 = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '2' });
    try {
      const silent = await connect(Number(new URL(t2.url).port));
      await until('the hub to accept it', async () => (await connections(t2.hub.httpServer)) > 0);
      const started = Date.now();
      await t2.hub.stop();
      const took = Date.now() - started;
      expect(await silent.closed).toBe('end');
      expect(silent.received()).toBe('');
      // Its request could have been on its way until then (a lower bound: never flaky).
      expect(took).toBeGreaterThanOrEqual(1_900);
    } finally {
      await t2.close();
    }
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

/**
 * The drain alone, on a plain Node HTTP server: the moments around the listener's close, and
 * responses the hub's endpoints do not produce (headers written before the stop).
 */
describe('graceful stop: connections at the moments that matter (HttpDrain on a plain server)', () => {
  interface Bare {
    server: http.Server;
    drain: HttpDrain;
    port: number;
    /** Resolves when the drain has closed the listener. */
    listenerClosed: Promise<ListenerClosedInfo>;
    /** Ends the response to `GET /stream` (whose headers and first part are written at once). */
    endStream(): void;
  }
  const started: Bare[] = [];
  async function bare(opts: { graceMs: number; lingerMs?: number }): Promise<Bare> {
    let endStream = () => {};
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url !== '/stream') return void res.end(`ok ${req.url}\n`);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part 1\n');
        endStream = () => res.end('part 2\n');
      });
    });
    let closed!: (info: ListenerClosedInfo) => void;
    const listenerClosed = new Promise<ListenerClosedInfo>((resolve) => (closed = resolve));
    const drain = new HttpDrain(server, { ...opts, quietMs: 250, onListenerClosed: (info) => closed(info) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const b: Bare = { server, drain, port: (server.address() as net.AddressInfo).port, listenerClosed, endStream: () => endStream() };
    started.push(b);
    return b;
  }
  afterAll(async () => {
    for (const b of started) for (const [socket] of (b.drain as unknown as { connections: Map<net.Socket, unknown> }).connections) socket.destroy();
    await Promise.all(started.map((b) => b.drain.stop()));
  });
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: drain\r\n\r\n`;

  it('connections the kernel completed while the event loop was stalled at the linger limit are accepted and served, not reset; later ones are refused', async () => {
    const b = await bare({ graceMs: 120_000, lingerMs: 500 });
    // Busy until the linger limit: a request whose body is still arriving.
    const reading = await connect(b.port);
    const received = new Promise<void>((resolve) => b.server.once('request', () => resolve()));
    reading.socket.write('POST /reading HTTP/1.1\r\nHost: drain\r\nContent-Length: 4\r\n\r\nab');
    await received;

    // A client with an event loop of its own: it connects and writes its request while this
    // thread (the server's) is stalled, as a loaded machine stalls it: the connections wait in
    // the kernel's accept queue, their clients already told `connect` succeeded.
    const N = 5;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const client = new Worker(
      `const net = require('node:net');
       const { workerData, parentPort } = require('node:worker_threads');
       const flag = new Int32Array(workerData.flag);
       const results = [];
       let connected = 0;
       for (let i = 0; i < workerData.n; i++) {
         const s = net.connect(workerData.port, '127.0.0.1');
         let data = '';
         s.setEncoding('utf8');
         s.on('data', (d) => (data += d));
         s.on('connect', () => {
           s.write('GET /backlog-' + i + ' HTTP/1.1\\r\\nHost: drain\\r\\n\\r\\n');
           if (++connected === workerData.n) { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }
         });
         const done = (how) => {
           if (results[i]) return;
           results[i] = { how, data };
           if (results.filter(Boolean).length === workerData.n) parentPort.postMessage(results);
         };
         s.on('end', () => done('end'));
         s.on('error', (e) => done(e.code));
       }`,
      { eval: true, workerData: { port: b.port, n: N, flag: flag.buffer } },
    );
    try {
      const results = new Promise<{ how: string; data: string }[]>((resolve) => client.once('message', resolve));
      const stopBegan = Date.now();
      const stopped = b.drain.stop();
      // Stall this thread until every client connection is established and the linger limit has passed.
      expect(Atomics.wait(flag, 0, 0, 60_000)).not.toBe('timed-out');
      const left = stopBegan + 500 + 50 - Date.now();
      if (left > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);

      // The drain closes the listener for the linger limit, having accepted them first.
      const info = await b.listenerClosed;
      // A connection after the listener closed is refused.
      await expect(connect(b.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const answers = await results;
      expect(answers.map((r) => r.how)).toEqual(Array(N).fill('end'));
      for (const [i, r] of answers.entries()) expect(r.data).toMatch(new RegExp(`^HTTP/1\\.1 200[^]*connection: close[^]*ok /backlog-${i}\\n$`, 'i'));
      expect(info).toMatchObject({ reason: 'linger', connectionsDuringStop: N });

      reading.socket.write('cd');
      expect(await reading.closed).toBe('end');
      expect(reading.received()).toMatch(/^HTTP\/1\.1 200[^]*connection: close[^]*ok \/reading/i);
      expect(await stopped).toBe(true);
    } finally {
      await client.terminate();
    }
  });

  it('a connection accepted before the listener closed is served whenever its request comes within the grace period', async () => {
    const b = await bare({ graceMs: 120_000 });
    const late = await connect(b.port);
    await until('the server to accept it', async () => (await connections(b.server)) === 1);
    const stopped = b.drain.stop();
    const info = await b.listenerClosed;
    await expect(connect(b.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Its client is slow (a loaded machine): longer than the second the drain used to give it.
    await sleep(1_500);
    expect(await Promise.race([late.closed, 'still open'])).toBe('still open');
    late.socket.write(get('/late'));
    expect(await late.closed).toBe('end');
    expect(late.received()).toMatch(/^HTTP\/1\.1 200[^]*connection: close[^]*ok \/late\n$/i);
    expect(await stopped).toBe(true);
    expect(info).toMatchObject({ reason: 'quiet', silentConnections: 1 });
  });

  it('a connection that sends nothing is closed when the grace period ends, without counting as cut off', async () => {
    const b = await bare({ graceMs: 1_000 });
    const silent = await connect(b.port);
    await until('the server to accept it', async () => (await connections(b.server)) === 1);
    expect(await b.drain.stop()).toBe(true);
    expect(await silent.closed).toBe('end');
    expect(silent.received()).toBe('');
  });

  it('a response whose headers were written before the stop still says keep-alive: the connection is closed after it', async () => {
    const b = await bare({ graceMs: 120_000 });
    const streaming = await connect(b.port);
    streaming.socket.write(get('/stream'));
    await until('the headers and first part', () => streaming.received().includes('part 1'));
    const stopped = b.drain.stop();
    b.endStream();
    expect(await streaming.closed).toBe('end');
    expect(heads(streaming.received())).toEqual([expect.stringMatching(/^http\/1\.1 200[^]*connection: keep-alive/)]);
    expect(streaming.received()).toContain('part 2');
    expect(await stopped).toBe(true);
  });
});
