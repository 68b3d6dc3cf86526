import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { startTestHub, TestHub } from './support/harness';
import { freePort, HubProcess, killStrayHubs, processesMentioning, ROOT, runCli, startHub, tempDataDir, waitReady } from './support/process';

/**
 * Faults, with real processes (no mocks): the database going away under a running hub, a push
 * cut off by its client or by SIGKILL, and SIGTERM under load. Every wait is bounded; every hub
 * and database started here is stopped, also when an assertion fails.
 */

jest.setTimeout(150_000);
afterAll(killStrayHubs);

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const log = (...args: unknown[]) => console.log('[faults]', ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastLine = (out: string) => out.trim().split('\n').pop()!.trim();

// ---------------------------------------------------------------------------------------------
// HTTP helpers

interface Answer {
  status: number;
  body: any;
  ms: number;
}

async function gql(hub: { base: string }, q: string, opts: { variables?: Record<string, unknown>; key?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Answer> {
  const started = Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const r = await fetch(`${hub.base}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: q, variables: opts.variables }),
    signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
  });
  const text = await r.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsable: text.slice(0, 500) };
  }
  return { status: r.status, body, ms: Date.now() - started };
}

/** Data of a query that must succeed. */
async function ok<T = any>(hub: { base: string }, q: string, opts: { variables?: Record<string, unknown>; key?: string } = {}): Promise<T> {
  const a = await gql(hub, q, opts);
  if (a.status !== 200 || a.body.errors) throw new Error(`HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 1000)}`);
  return a.body.data as T;
}

async function getStatus(url: string, timeoutMs: number): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await r.text();
  return { status: r.status, ms: Date.now() - started };
}

/** The error code of a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …) or its name. */
function errorCode(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string; cause?: { code?: string } } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return err.name;
  return err?.cause?.code ?? err?.cause?.cause?.code ?? err?.code ?? err?.cause?.name ?? err?.name ?? String(e);
}
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** A request on a fresh connection (no keep-alive pool): resolves with the status, or the connection error code. */
function probe(port: number, timeoutMs = 30_000): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number, every = 100): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** `p`, or 'timeout' after `ms` (the timer is cleared either way, so nothing is left pending). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const exitWithin = (hub: HubProcess, ms: number) => within(hub.exited, ms);

// ---------------------------------------------------------------------------------------------
// A PostgreSQL of the test's own, in a separate Node process (so it can be stopped and restarted)

const EMBEDDED = path.join(ROOT, 'dist', 'src', 'db', 'embedded.js');
const DB_SCRIPT = `
const { startEmbedded } = require(process.env.FAULTS_EMBEDDED);
let db = null, wanted = false, stopping = false;
const stop = () => {
  wanted = true;
  if (!db || stopping) return;
  stopping = true;
  db.stop().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop); // the test process is gone: do not leave the database behind
process.stdin.resume();
startEmbedded({ dataDir: process.env.FAULTS_DATA_DIR, port: Number(process.env.FAULTS_PORT), lock: false }).then(
  (d) => { db = d; process.stdout.write(JSON.stringify({ url: d.url, port: d.port, created: d.created }) + '\\n'); if (wanted) stop(); },
  (e) => { console.error(e && e.stack || e); process.exit(3); },
);
`;

interface DbProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

const dbProcesses = new Set<DbProcess>();

async function startDbProcess(dataDir: string, port: number): Promise<DbProcess> {
  let out = '';
  const child = spawn(process.execPath, ['-e', DB_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, FAULTS_EMBEDDED: EMBEDDED, FAULTS_DATA_DIR: dataDir, FAULTS_PORT: String(port) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stopped: Promise<number | null> | null = null;
  const proc: DbProcess = {
    child,
    url: '',
    output: () => out,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const r = await within(exited, 40_000);
          if (r === 'timeout') child.kill('SIGKILL');
        }
        dbProcesses.delete(proc);
        return exited;
      })()),
  };
  dbProcesses.add(proc);
  const line = await waitFor(
    'the embedded PostgreSQL process to print its URL',
    () => {
      if (child.exitCode !== null) throw new Error(`the database process exited (${child.exitCode}): ${out}`);
      return /^(\{.*\})\n/m.exec(out)?.[1];
    },
    90_000,
    50,
  );
  proc.url = JSON.parse(line).url;
  return proc;
}

async function stopDbProcesses(): Promise<void> {
  for (const p of [...dbProcesses]) await p.stop();
}
afterAll(stopDbProcesses);

// ---------------------------------------------------------------------------------------------
// Pushes

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Thạch', 'Lâm'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Thu', 'Kim'];
const GIVEN = ['An', 'Anh', 'Ánh', 'Bình', 'Cường', 'Dũng', 'Duy', 'Đức', 'Hà', 'Hương', 'Khánh', 'Linh', 'Minh', 'Nam', 'Ngọc', 'Phương', 'Quân', 'Thảo', 'Trang', 'Tuấn', 'Yến'];

function members(prefix: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) => ({
    externalId: `${prefix}-${String(k).padStart(5, '0')}`,
    fullName: `${FAMILY[k % FAMILY.length]} ${MIDDLE[(k >> 2) % MIDDLE.length]} ${GIVEN[(k * 7) % GIVEN.length]}`,
    email: `hv.${k}@faults.example.org`,
    phone: `09${String(10_000_000 + k).slice(-8)}`,
    birthDate: `19${50 + (k % 50)}-0${1 + (k % 9)}-1${k % 10}`,
    gender: k % 2 ? 'FEMALE' : 'MALE',
    degree: ['TS', 'THS', 'CKI', 'BS', 'DS'][k % 5],
    academicTitle: k % 50 === 0 ? 'PGS' : 'NONE',
    fields: [['3.2'], ['3.1', '3.2'], ['3.3']][k % 3],
    workplace: 'Bệnh viện Đa khoa tỉnh Sóc Trăng',
    position: 'Bác sĩ điều trị',
    memberNumber: `YH-${k}`,
    joinedOn: `20${10 + (k % 15)}-06-01`,
    role: 'MEMBER',
    publicProfile: k % 3 === 0,
  }));
}

const PUSH_FIELDS = `{ created updated unchanged results { externalId intellectualId membershipId outcome } userErrors { code field message } }`;
const push = (operationName: string) => `mutation ${operationName}($input: UpsertMembersInput!) { upsertMembers(input: $input) ${PUSH_FIELDS} }`;

interface TableCounts {
  intellectual: number;
  membership: number;
  audit_event: number;
  idempotency_record: number;
}

/** The URL of a running embedded hub's database (from hub.json). */
const hubDatabaseUrl = (dataDir: string): string => JSON.parse(fs.readFileSync(path.join(dataDir, 'hub.json'), 'utf8')).databaseUrl;

async function withSql<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url, application_name: 'faults-test', connectionTimeoutMillis: 30_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function tableCounts(dataDir: string): Promise<TableCounts> {
  return withSql(hubDatabaseUrl(dataDir), async (c) => {
    const { rows } = await c.query(
      `select (select count(*) from intellectual)::int as intellectual, (select count(*) from membership)::int as membership,
              (select count(*) from audit_event)::int as audit_event, (select count(*) from idempotency_record)::int as idempotency_record`,
    );
    return rows[0] as TableCounts;
  });
}

const plus = (c: TableCounts, n: number): TableCounts => ({
  intellectual: c.intellectual + n,
  membership: c.membership + n,
  audit_event: c.audit_event + 2 * n,
  idempotency_record: c.idempotency_record + 1,
});

// =============================================================================================
// 1. The database goes away while the hub runs

describe('the database goes away while the hub runs', () => {
  // Created when the tests run (not when jest collects them), so a filtered run leaves nothing behind.
  let dbDir = '';
  let hubDir = '';
  beforeAll(() => {
    dbDir = tempDataDir();
    hubDir = tempDataDir();
  });
  afterAll(async () => {
    await killStrayHubs();
    await stopDbProcesses();
    if (!dbDir) return;
    expect(processesMentioning(path.join(dbDir, 'pg'))).toEqual([]);
    fs.rmSync(dbDir, { recursive: true, force: true });
    fs.rmSync(hubDir, { recursive: true, force: true });
  });

  const FED = `{ federation(code: "SOCTRANG") { name } }`;
  const KEYED = `{ viewer { role } federation(code: "SOCTRANG") { name } }`;

  it('requests fail fast with SERVICE_UNAVAILABLE, /readyz answers 503, and the hub recovers by itself', async () => {
    const t0 = Date.now();
    const dbPort = await freePort();
    let db = await startDbProcess(dbDir, dbPort);
    const url = db.url;
    log(`outage: database process up in ${Date.now() - t0} ms`);

    const hub = startHub({ DATABASE_URL: url, DATA_DIR: hubDir }, await freePort());
    await waitReady(hub, 60_000);
    log(`outage: hub ready (seeded the empty database) at ${Date.now() - t0} ms`);
    const cli = await runCli(['keys', 'create', '--role', 'ANALYST', '--label', 'x'], { DATABASE_URL: url });
    expect(cli.code).toBe(0);
    const key = lastLine(cli.out);

    const name = 'Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng';
    expect((await ok(hub, FED)).federation.name).toBe(name);
    expect(await ok(hub, KEYED, { key })).toEqual({ viewer: { role: 'ANALYST' }, federation: { name } });

    // The database goes away (fast shutdown: open connections are terminated).
    const outputBefore = hub.output().length;
    expect(await db.stop()).toBe(0);
    log(`outage: database stopped at ${Date.now() - t0} ms`);

    const checkUnavailable = (label: string, a: Answer) => {
      log(`outage: ${label} → HTTP ${a.status} in ${a.ms} ms: ${JSON.stringify(a.body.errors?.[0] ?? a.body).slice(0, 300)}`);
      expect(a.status).not.toBe(500);
      expect(a.status < 500 || a.status === 503).toBe(true);
      expect(a.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      // No SQL, no stack, no connection details reach the client.
      expect(JSON.stringify(a.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|select |stack/i);
    };
    // Twice each: the pool's connections were terminated, and new ones are refused; neither waits.
    for (const round of [1, 2]) {
      checkUnavailable(`anonymous query #${round}`, await gql(hub, FED));
      checkUnavailable(`keyed query #${round}`, await gql(hub, KEYED, { key }));
    }
    // Failing fast means failing on the refused or terminated connection, never on a timer (a
    // connection or pool timeout): what the hub logged for these requests names the cause.
    const outage = hub.output().slice(outputBefore);
    expect(outage).toMatch(/database unavailable|authentication failed/);
    expect(outage).not.toMatch(/Timeout acquiring a connection|timeout expired|timeout exceeded|statement timeout/i);
    const ready = await getStatus(`${hub.base}/readyz`, 60_000);
    log(`outage: /readyz → ${ready.status} in ${ready.ms} ms`);
    expect(ready.status).toBe(503);
    expect((await getStatus(`${hub.base}/healthz`, 60_000)).status).toBe(200);
    expect(hub.child.exitCode).toBeNull();

    // The database comes back on the same data directory and port: the hub recovers by itself.
    const back = Date.now();
    db = await startDbProcess(dbDir, dbPort);
    expect(db.url).toBe(url);
    const readyAgain = await waitFor('/readyz 200 after the database came back', async () => ((await getStatus(`${hub.base}/readyz`, 30_000)).status === 200 ? true : undefined), 120_000, 200);
    expect(readyAgain).toBe(true);
    log(`outage: database restarted; /readyz 200 again ${Date.now() - back} ms after the restart began`);
    expect((await ok(hub, FED)).federation.name).toBe(name);
    expect(await ok(hub, KEYED, { key })).toEqual({ viewer: { role: 'ANALYST' }, federation: { name } });
    expect(hub.child.exitCode).toBeNull(); // the same hub process throughout
    expect(hub.output()).not.toMatch(/uncaught exception|Start-up failed/);

    hub.child.kill('SIGTERM');
    expect(await exitWithin(hub, 30_000)).toBe(0);
    expect(await db.stop()).toBe(0);
    log(`outage: done in ${Date.now() - t0} ms`);
  });
});

// =============================================================================================
// 2. A push cut off midway leaves nothing half-written

describe('a push cut off midway (client disconnect, SIGKILL)', () => {
  let dataDir = '';
  let pgDir = '';
  let hub: HubProcess;
  let adminKey: string;
  const ASSOCIATION = 'ST-YHOC';
  const COUNT = `query FaultsCount { association(code: "${ASSOCIATION}") { members { totalCount } } }`;
  const count = async (): Promise<number> => (await ok(hub, COUNT, { key: adminKey })).association.members.totalCount;

  beforeAll(async () => {
    const t0 = Date.now();
    dataDir = tempDataDir();
    pgDir = path.join(dataDir, 'pg');
    hub = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(hub, 90_000);
    const cli = await runCli(['keys', 'create', '--role', 'ADMIN', '--label', 'faults'], { DATA_DIR: dataDir });
    expect(cli.code).toBe(0);
    adminKey = lastLine(cli.out);
    log(`push: embedded hub ready and ADMIN key made in ${Date.now() - t0} ms`);
  });
  afterAll(async () => {
    await killStrayHubs();
    if (!dataDir) return;
    expect(processesMentioning(pgDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Replays `input` twice: the first completes the push once (+5,000), the second answers the same JSON and changes nothing. */
  async function replayTwice(input: Record<string, unknown>, beforeMembers: number, beforeTables: TableCounts): Promise<void> {
    const first = await gql(hub, push('FaultsReplay'), { variables: { input }, key: adminKey, timeoutMs: 60_000 });
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.upsertMembers).toMatchObject({ created: 5000, updated: 0, unchanged: 0, userErrors: [] });
    expect(await count()).toBe(beforeMembers + 5000);
    expect(await tableCounts(dataDir)).toEqual(plus(beforeTables, 5000));

    const second = await gql(hub, push('FaultsReplay'), { variables: { input }, key: adminKey, timeoutMs: 60_000 });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await count()).toBe(beforeMembers + 5000);
    expect(await tableCounts(dataDir)).toEqual(plus(beforeTables, 5000));
    log(`push: replay 1 in ${first.ms} ms, replay 2 in ${second.ms} ms (identical JSON)`);
  }

  it('a client that disconnects midway: all or nothing, and the replay completes it once', async () => {
    const t0 = Date.now();
    const input = { associationCode: ASSOCIATION, idempotencyKey: `faults-${RUN}-abort`, members: members(`FAULTS-${RUN}-A`, 5000) };
    const beforeMembers = await count();
    const beforeTables = await tableCounts(dataDir);

    // The client hangs up once the hub is writing the push inside its transaction (or once it has
    // been answered, on a machine fast enough to finish first).
    const ac = new AbortController();
    const sent = Date.now();
    let settled = false;
    const outcome = gql(hub, push('FaultsAbortedPush'), { variables: { input }, key: adminKey, signal: ac.signal, timeoutMs: 120_000 }).then(
      (a) => `answered before the abort: HTTP ${a.status} in ${a.ms} ms`,
      (e) => `aborted after ${Date.now() - sent} ms (${errorCode(e)})`,
    );
    void outcome.finally(() => (settled = true));
    await withSql(hubDatabaseUrl(dataDir), (monitor) =>
      waitFor('the push to write inside its transaction', async () => {
        if (settled) return true;
        const { rows } = await monitor.query(`select 1 from pg_stat_activity where application_name = 'federation-hub' and backend_xid is not null`);
        return rows.length ? true : undefined;
      }, 120_000, 10),
    );
    ac.abort();

    // The hub runs the operation to its end without its client, and logs it: wait for that line.
    const loggedLine = () => hub.output().split('\n').find((l) => l.includes('"operationName":"FaultsAbortedPush"'));
    await waitFor('the hub to log the operation', () => loggedLine(), 120_000, 50);
    const after = await count();
    const tables = await tableCounts(dataDir);
    const errors = JSON.parse(loggedLine()!).errors;
    log(`push/abort: ${await outcome}; the hub ran the operation to its end (${errors} errors); members ${beforeMembers} → ${after}`);
    expect([beforeMembers, beforeMembers + 5000]).toContain(after);
    expect(tables).toEqual(after === beforeMembers ? beforeTables : plus(beforeTables, 5000));
    // Without errors, it is all there (and with errors, nothing is).
    expect(after).toBe(errors === 0 ? beforeMembers + 5000 : beforeMembers);

    await replayTwice(input, beforeMembers, beforeTables);
    log(`push/abort: done in ${Date.now() - t0} ms`);
  });

  it('a hub killed (SIGKILL) in the middle of the transaction: nothing written, restart recovers, the replay completes it once', async () => {
    const t0 = Date.now();
    const input = { associationCode: ASSOCIATION, idempotencyKey: `faults-${RUN}-kill`, members: members(`FAULTS-${RUN}-K`, 5000) };
    const beforeMembers = await count();
    const beforeTables = await tableCounts(dataDir);

    // Watch the hub's transaction from another connection, and kill the hub while it writes.
    const monitor = new Client({ connectionString: hubDatabaseUrl(dataDir), application_name: 'faults-monitor' });
    await monitor.connect();
    const sent = Date.now();
    const pushing = gql(hub, push('FaultsKilledPush'), { variables: { input }, key: adminKey, timeoutMs: 60_000 }).then(
      (a) => `answered: HTTP ${a.status} in ${a.ms} ms`,
      (e) => `failed: ${errorCode(e)}`,
    );
    const seen: string[] = [];
    let lastSeen = '';
    let killedDuring = 'nothing (fallback deadline)';
    let firstTx: number | null = null;
    for (;;) {
      const { rows } = await monitor.query(
        `select state, backend_xid is not null as wrote, regexp_replace(left(query, 60), '\\s+', ' ', 'g') as query
           from pg_stat_activity where application_name = 'federation-hub' and xact_start is not null and backend_xid is not null`,
      );
      const elapsed = Date.now() - sent;
      for (const r of rows) {
        firstTx ??= elapsed;
        if (`${r.state}: ${r.query}` !== lastSeen) seen.push(`${elapsed} ms ${(lastSeen = `${r.state}: ${r.query}`)}`);
      }
      const writing = rows.find((r) => /insert into (membership|audit_event)/i.test(r.query));
      // Kill while the memberships (or the audit events) are being inserted: the 5,000 people are
      // written by then, inside the open transaction. Fallbacks: 1.5 s into the transaction, 15 s in all.
      if (writing || (firstTx !== null && elapsed - firstTx > 1_500) || elapsed > 15_000) {
        if (writing) killedDuring = `${writing.state}: ${writing.query}`;
        else if (rows[0]) killedDuring = `${rows[0].state}: ${rows[0].query}`;
        hub.child.kill('SIGKILL');
        break;
      }
      await sleep(10);
    }
    const killedAt = Date.now() - sent;
    await monitor.end().catch(() => undefined);
    const exitCode = await exitWithin(hub, 60_000);
    expect(exitCode).not.toBe('timeout');
    log(`push/kill: SIGKILL ${killedAt} ms after the push was sent, the transaction open since ${firstTx} ms, during ${killedDuring}; client ${await pushing}`);
    log(`push/kill: transaction seen as:\n  ${seen.slice(0, 12).join('\n  ')}`);
    log(`push/kill: postgres processes left by the killed hub: ${processesMentioning(pgDir).length}`);

    // A new hub on the same DATA_DIR recovers the orphaned PostgreSQL by itself.
    const restarted = Date.now();
    hub = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(hub, 90_000);
    log(`push/kill: hub restarted and ready in ${Date.now() - restarted} ms`);
    expect(hub.output()).toMatch(/left running by an earlier hub/);

    const after = await count();
    const tables = await tableCounts(dataDir);
    if (after !== beforeMembers) log(`push/kill: NOTE the push had committed before the kill (members ${beforeMembers} → ${after})`);
    expect([beforeMembers, beforeMembers + 5000]).toContain(after);
    expect(tables).toEqual(after === beforeMembers ? beforeTables : plus(beforeTables, 5000));

    await replayTwice(input, beforeMembers, beforeTables);

    hub.child.kill('SIGTERM');
    expect(await exitWithin(hub, 30_000)).toBe(0);
    expect(processesMentioning(pgDir)).toEqual([]);
    log(`push/kill: done in ${Date.now() - t0} ms`);
  });
});

// =============================================================================================
// 3. SIGTERM under load

interface RawResult {
  status?: number;
  /** The response's Connection header. */
  connection?: string;
  body?: any;
  /** Connection error code, or TIMEOUT. */
  error?: string;
  /** When the whole request had been handed to the kernel (ms from t0), null if never. */
  sentAt: number | null;
  doneAt: number;
}

interface Posted {
  result: Promise<RawResult>;
  /** Resolves once the whole request has been handed to the kernel. */
  sent: Promise<void>;
  /** With `holdBack`: resolves once the hub has read the headers and is reading the body (its 100 Continue). */
  reading: Promise<void>;
}

/**
 * POST /graphql on a connection of its own (no keep-alive pool), bounded by `timeoutMs`. With
 * `holdBack`, the request asks for 100 Continue: the hub answers it once it has read the headers
 * and handed the request to the application; then the first part of the body goes out, the rest
 * once `holdBack` resolves.
 */
function post(port: number, payload: string, key: string | undefined, t0: number, opts: { timeoutMs?: number; holdBack?: Promise<void> } = {}): Posted {
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  let markReading!: () => void;
  const reading = new Promise<void>((resolve) => (markReading = resolve));
  const result = new Promise<RawResult>((resolve) => {
    let sentAt: number | null = null;
    let settled = false;
    const finish = (r: Omit<RawResult, 'sentAt' | 'doneAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A request that failed before it was sent still releases whoever waits for it to be sent.
      markSent();
      markReading();
      resolve({ ...r, sentAt, doneAt: Date.now() - t0 });
    };
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    if (key) headers.authorization = `Bearer ${key}`;
    if (opts.holdBack) headers.expect = '100-continue';
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = { unparsable: text.slice(0, 300) };
        }
        finish({ status: res.statusCode, connection: res.headers.connection, body });
      });
      res.on('error', (e) => finish({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), opts.timeoutMs ?? 90_000);
    req.on('finish', () => {
      sentAt = Date.now() - t0;
      markSent();
    });
    req.on('error', (e) => finish({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    if (opts.holdBack) {
      const bytes = Buffer.from(payload);
      req.flushHeaders();
      req.once('continue', () => {
        req.write(bytes.subarray(0, 1000), () => markReading());
        void opts.holdBack!.then(() => req.end(bytes.subarray(1000)));
      });
    } else {
      req.end(payload);
    }
  });
  return { result, sent, reading };
}

describe('SIGTERM under load', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(async () => {
    await killStrayHubs();
    if (!dataDir) return;
    expect(processesMentioning(dataDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const NESTED = `query FaultsNested { associations(first: 20) { edges { node { members(first: 20) { edges { node { intellectual { fullName } } } } } } } }`;

  it('in-flight requests finish, new ones are refused, nothing is lost', async () => {
    const t0 = Date.now();
    // A grace period longer than any slowness of a busy test machine: this test is about what the
    // drain serves, not about how fast (the grace period itself is tested in drain.test.ts).
    let hub = startHub({ DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: '120' }, await freePort());
    await waitReady(hub, 90_000);
    const cli = await runCli(['keys', 'create', '--role', 'ADMIN', '--label', 'faults-sigterm'], { DATA_DIR: dataDir });
    expect(cli.code).toBe(0);
    const key = lastLine(cli.out);
    const codes: string[] = (await ok(hub, `{ associations(first: 3) { edges { node { code } } } }`)).associations.edges.map((e: any) => e.node.code);
    expect(codes).toHaveLength(3);
    log(`sigterm: hub ready in ${Date.now() - t0} ms`);

    // 30 requests at once: 24 nested reads (anonymous and keyed) and 6 pushes of 200 members,
    // plus one more push whose body is still arriving when SIGTERM comes (in flight for certain).
    const pushes = Array.from({ length: 7 }, (_, i) => ({
      prefix: `FAULTS-${RUN}-T${i}`,
      input: { associationCode: codes[i % 3], idempotencyKey: `faults-${RUN}-term-${i}`, members: members(`FAULTS-${RUN}-T${i}`, 200) },
    }));
    const requests = Array.from({ length: 30 }, (_, k) =>
      k % 5 === 0
        ? { push: k / 5, payload: JSON.stringify({ query: push('FaultsTermPush'), variables: { input: pushes[k / 5].input } }), key }
        : { push: null, payload: JSON.stringify({ query: NESTED }), key: k % 2 ? key : undefined },
    );
    const slowPush = 6;
    let sendRest!: () => void;
    const restOfBody = new Promise<void>((resolve) => (sendRest = resolve));

    const started = Date.now();
    const slow = post(hub.port, JSON.stringify({ query: push('FaultsSlowBodyPush'), variables: { input: pushes[slowPush].input } }), key, started, { holdBack: restOfBody });
    // The hub has read its headers and is reading its body: it is in flight for certain.
    await slow.reading;
    const posted = requests.map((r) => post(hub.port, r.payload, r.key, started));
    // Every request has been handed to the kernel (not necessarily accepted or read by the busy
    // hub yet: those are the ones a drain that closes its listener too early resets).
    await Promise.all(posted.map((p) => p.sent));
    const sigtermAt = Date.now() - started;
    const outputBefore = hub.output().length;
    hub.child.kill('SIGTERM');

    // Once the hub has begun shutting down, the rest of the push being read arrives.
    await waitFor('the hub to log "shutting down"', () => (/shutting down/.test(hub.output().slice(outputBefore)) ? true : undefined), 60_000, 5);
    sendRest();
    const results = await Promise.all(posted.map((p) => p.result));
    const slowResult = await slow.result;
    // The listener closes once the hub is idle and no connection has come for a moment; from then
    // on new connections are refused (the hub may already have exited: refused as well).
    await waitFor('the hub to stop listening', () => (/no longer accepting connections/.test(hub.output().slice(outputBefore)) || hub.child.exitCode !== null ? true : undefined), 60_000, 20);
    const late = await probe(hub.port, 30_000);
    const exit = await exitWithin(hub, 60_000);
    const exitedAt = Date.now() - started;
    const closedLine = hub.output().slice(outputBefore).split('\n').find((l) => l.includes('no longer accepting connections'));

    const kind = (k: number) => (requests[k].push === null ? 'read' : 'push');
    const show = (r: RawResult) =>
      r.error ? `${r.error} (sent ${r.sentAt === null ? 'never' : `at ${r.sentAt} ms`})` : `HTTP ${r.status}${r.body?.errors ? ` ${JSON.stringify(r.body.errors).slice(0, 200)}` : ''}`;
    const answered = results.filter((r) => r.status !== undefined);
    const failed = results.filter((r) => r.error !== undefined);
    log(
      `sigterm: SIGTERM at ${sigtermAt} ms; ${answered.length} of 30 answered (${[...new Set(answered.map((r) => r.status))].join(', ')}; the last at ${Math.max(0, ...answered.map((r) => r.doneAt))} ms), ` +
        `${failed.length} connection errors (${[...new Set(failed.map((r) => r.error))].join(', ')}); ` +
        `the push with its body still arriving: ${show(slowResult)}; a new connection afterwards: ${JSON.stringify(late)}; hub exited ${exit} at ${exitedAt} ms; ` +
        `listener: ${closedLine ? JSON.stringify(JSON.parse(closedLine), ['afterMs', 'connectionsDuringStop', 'reason', 'silentConnections']) : 'no log line'}`,
    );
    for (const [k, r] of results.entries()) {
      if (r.error || r.status !== 200 || r.body?.errors) log(`sigterm: request ${k} (${kind(k)}): ${show(r)}`);
    }
    const errorsLogged = hub.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
    if (errorsLogged.length) log(`sigterm: errors the hub logged:\n  ${errorsLogged.join('\n  ').slice(0, 3000)}`);

    // Every request sent before SIGTERM is answered in full (none reset, none hung), even those the
    // busy hub had not yet accepted or read when the signal came.
    expect(results.every((r) => r.sentAt !== null && r.sentAt <= sigtermAt)).toBe(true);
    expect(failed.map(show)).toEqual([]);
    expect(answered).toHaveLength(30);
    expect(answered.filter((r) => r.status !== 200 || r.body?.errors).map(show)).toEqual([]);
    for (const [k, r] of results.entries()) {
      if (requests[k].push === null) expect(r.body.data.associations.edges.length).toBeGreaterThan(0);
      else expect(r.body.data.upsertMembers).toMatchObject({ created: 200, userErrors: [] });
    }
    // A request the hub had been reading when SIGTERM came is served to its end.
    expect(slowResult.error).toBeUndefined();
    expect({ status: slowResult.status, errors: slowResult.body?.errors }).toEqual({ status: 200, errors: undefined });
    expect(slowResult.body.data.upsertMembers).toMatchObject({ created: 200, userErrors: [] });
    // Its response was written after the signal: it tells the client not to reuse the connection.
    expect(slowResult.connection).toBe('close');
    expect(errorsLogged).toEqual([]);
    // Once it stopped listening, new connections are refused.
    expect(late.error).toBeDefined();
    expect(CONNECTION_ERRORS.has(late.error!)).toBe(true);
    expect(exit).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);

    // After a restart: every push that answered is all there; none is there in part.
    hub = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(hub, 90_000);
    const stored = await withSql(hubDatabaseUrl(dataDir), async (c) => {
      const { rows } = await c.query(
        `select p.prefix, count(m.id)::int as memberships, count(i.id)::int as people
           from unnest($1::text[]) as p(prefix)
           left join membership m on m.external_id like p.prefix || '-%'
           left join intellectual i on i.id = m.intellectual_id
          group by p.prefix`,
        [pushes.map((p) => p.prefix)],
      );
      return new Map(rows.map((r) => [r.prefix as string, { memberships: r.memberships as number, people: r.people as number }]));
    });
    const summary: string[] = [];
    for (const [i, p] of pushes.entries()) {
      const r = i === slowPush ? slowResult : results[i * 5];
      const there = stored.get(p.prefix)!;
      const created = r.status === 200 ? r.body?.data?.upsertMembers?.created : undefined;
      summary.push(`push ${i}: ${r.error ?? `HTTP ${r.status} created ${created}`} → ${there.memberships} stored`);
      expect(there.people).toBe(there.memberships);
      expect([0, 200]).toContain(there.memberships);
      if (created === 200) expect(there.memberships).toBe(200);
    }
    log(`sigterm: after restart: ${summary.join('; ')}`);

    hub.child.kill('SIGTERM');
    expect(await exitWithin(hub, 30_000)).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
    log(`sigterm: done in ${Date.now() - t0} ms`);
  });
});

// =============================================================================================
// 4. A busy machine: the hub's event loop stalls while it opens a database connection

describe('the event loop stalls while a database connection is being opened', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('requests waiting for that connection are still answered in full', async () => {
    // On a loaded machine a busy hub's event loop can be away for seconds. Node runs due timers
    // before it looks at I/O, so a connection timeout shorter than the stall fires although the
    // database answered meanwhile (seen: "timeout expired" after 3 s at a load average of 6,
    // answered as INTERNAL_SERVER_ERROR inside requests that were in progress).
    // knex's pool (tarn): told before it opens a connection.
    const pool = (
      t.orm.em.getKnex().client as unknown as {
        pool: { on(e: 'createRequest', f: () => void): void; removeListener(e: string, f: () => void): void; numFree(): number; numUsed(): number };
      }
    ).pool;
    // No connection open to start with (idle ones close after 10 s), so the requests below must
    // open one: fast requests could otherwise all be served by the connections start-up left open.
    await waitFor('the pool to close its idle connections', () => (pool.numFree() + pool.numUsed() === 0 ? true : undefined), 60_000);
    let stalls = 0;
    const stall = () => {
      if (stalls++) return;
      // After this turn of the loop has begun opening the connection (its timer included).
      setImmediate(() => {
        const until = Date.now() + 3_500;
        while (Date.now() < until);
      });
    };
    pool.on('createRequest', stall);
    try {
      // More at once than the pool (5) has connections open: it opens some.
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.gql<{ federations: { totalCount: number } }>('{ federations { totalCount } }')));
      expect(stalls).toBeGreaterThan(0);
      expect(answers.map((a) => ({ status: a.status, errors: a.body.errors }))).toEqual(answers.map(() => ({ status: 200, errors: undefined })));
    } finally {
      pool.removeListener('createRequest', stall);
    }
  });
});
