import net from 'node:net';
import { startTestHub, TestHub } from './support/harness';

/**
 * The graceful stop of the HTTP server (src/common/drain.ts), connection by connection: what
 * SIGTERM under load (test/faults.test.ts) exercises with a whole hub process, here made
 * deterministic with raw sockets on an in-process hub.
 */

const QUERY = JSON.stringify({ query: '{ scienceField(code: "2.3") { labelVi } }' });
const request = (host: string) =>
  `POST /graphql HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(QUERY)}\r\n\r\n${QUERY}`;

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
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
    await sleep(50);

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
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The request sent now, on the connection accepted before the stop, is answered in full.
    fresh.socket.write(request(host));
    expect(await fresh.closed).toBe('end');
    const answer = fresh.received();
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('Kỹ thuật cơ khí');
    await stopped;
  });
});

describe('graceful stop: limits', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '2' });
  });
  afterAll(() => t.close());

  it('a connection that never sends a request is closed after a second; the stop does not wait for the grace period', async () => {
    // The listener lingers 250 ms after the last new connection, then the silent one gets 1 s.
    const silent = await connect(Number(new URL(t.url).port));
    await sleep(50);
    const started = Date.now();
    await t.hub.stop();
    const took = Date.now() - started;
    expect(await silent.closed).toMatch(/end|error/);
    expect(silent.received()).toBe('');
    expect(took).toBeGreaterThanOrEqual(1200);
    expect(took).toBeLessThan(1900); // the grace period is 2 s
  });

  it('a request still unfinished when the grace period ends is cut off, and the stop completes', async () => {
    const t2 = await startTestHub({ SHUTDOWN_GRACE_SECONDS: '1' });
    try {
      const u = new URL(t2.url);
      const stuck = await connect(Number(u.port));
      // Headers and half the body: the request has begun and will never finish by itself.
      const full = request(u.host);
      stuck.socket.write(full.slice(0, full.length - 10));
      await sleep(100);
      const started = Date.now();
      await t2.hub.stop();
      const took = Date.now() - started;
      expect(await stuck.closed).toMatch(/end|error/);
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(3000);
    } finally {
      await t2.close();
    }
  });
});
