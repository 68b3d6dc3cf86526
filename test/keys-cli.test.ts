import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from './support/db';
import { freePort, HubProcess, killStrayHubs, runCli, startHub, tempDataDir, waitReady } from './support/process';

/**
 * API keys from the command line, and the demo keys of a first start, with the built programs
 * (`node dist/src/cli/index.js keys …`, `node dist/src/main.js`) as a user runs them.
 * Hub starts cost seconds: one on DATABASE_URL, one embedded (and its restart), one in production.
 */

jest.setTimeout(240_000);
afterAll(killStrayHubs);

const KEY_RE = /^fh_[A-Za-z0-9_-]{22,}$/;
const DEMO_ASSOCIATIONS = [
  'CT-TINHOC',
  'CT-YHOC',
  'ST-CHAMCUU',
  'ST-COKHIDIEN',
  'ST-DIEUDUONG',
  'ST-DONGY',
  'ST-DUOCHOC',
  'ST-KIENTRUC',
  'ST-KINHTE',
  'ST-LAMVUON',
  'ST-LICHSU',
  'ST-LUATGIA',
  'ST-MOITRUONG',
  'ST-NONGNGHIEP',
  'ST-TAMLYGD',
  'ST-THUYSAN',
  'ST-TINHOC',
  'ST-XAYDUNG',
  'ST-YHOC',
];

const VIEWER = `{ viewer { role keyLabel association { code } } }`;

/** A GraphQL request to a hub process, with a key or without. */
async function gql(hub: { base: string }, q: string, key?: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${hub.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query: q }),
  });
  return { status: r.status, body: await r.json() };
}

/**
 * Asks as `key` until the hub refuses it, at most 30 s: a hub answers a key it has accepted from
 * its cache, and a revocation reaches it by the database's notification (at the commit), which
 * the hub processes a moment later; from then on every request is refused.
 */
async function untilRefused(hub: { base: string }, key: string): Promise<{ status: number; body: any }> {
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await gql(hub, VIEWER, key);
    if (r.status !== 200 || Date.now() > until) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const lines = (out: string) => out.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
const lastLine = (out: string) => lines(out).at(-1) ?? '';

/** `keys create`: exits 0 with the key alone on the last line. */
async function createKeyWithCli(env: Record<string, string>, args: string[]): Promise<string> {
  const r = await runCli(['keys', 'create', ...args], env);
  expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.any(String) });
  const key = lastLine(r.out);
  expect(key).toMatch(KEY_RE);
  // Shown once: exactly there, nowhere else in the output.
  expect(r.out.split(key)).toHaveLength(2);
  return key;
}

/** The id `keys list` shows for the key with this label. */
async function idOf(env: Record<string, string>, label: string): Promise<{ id: number; line: string; out: string }> {
  const r = await runCli(['keys', 'list'], env);
  expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.any(String) });
  const line = lines(r.out).find((l) => l.includes(label));
  expect({ label, line }).toEqual({ label, line: expect.any(String) });
  const m = /^\s*#?(\d+)\b/.exec(line!);
  expect({ line, id: m?.[1] }).toEqual({ line, id: expect.any(String) });
  return { id: Number(m![1]), line: line!, out: r.out };
}

async function stop(hub: HubProcess): Promise<void> {
  if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGTERM');
  await hub.exited;
}

async function keyCount(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('select count(*)::int as n from api_key')).rows[0].n);
  } finally {
    await c.end();
  }
}

/** The keys of demo-keys.txt, by role (and association code). */
function parseDemoKeys(text: string): { role: string; association: string; key: string }[] {
  return lines(text)
    .filter((l) => !l.startsWith('#'))
    .map((l) => {
      const [role, association, key] = l.split('\t');
      return { role: role!, association: association!, key: key! };
    });
}

// --- DATABASE_URL -------------------------------------------------------------------------------

describe('with DATABASE_URL', () => {
  let db: TestDatabase;
  let dataDir: string;
  let hub: HubProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = tempDataDir();
    env = { DATABASE_URL: db.url, DATA_DIR: dataDir };
    // Keys stay cached for an hour: only the database's notification can make a revoked key fail.
    hub = startHub({ ...env, API_KEY_CACHE_SECONDS: '3600' }, await freePort());
    await waitReady(hub);
  });
  afterAll(async () => {
    if (hub) await stop(hub);
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the hub loads the demo data but creates no demo keys', async () => {
    expect((await gql(hub, '{ association(code: "ST-YHOC") { code } }')).body.data.association).toEqual({ code: 'ST-YHOC' });
    expect(fs.existsSync(path.join(dataDir, 'demo-keys.txt'))).toBe(false);
    expect(hub.output()).not.toMatch(/fh_[A-Za-z0-9_-]{20,}/);
    expect(await keyCount(db.url)).toBe(0);
  });

  it('keys create prints the key alone on the last line, and the key works against the hub', async () => {
    const key = await createKeyWithCli(env, ['--role', 'ADMIN', '--label', 'Quản trị Liên hiệp (CLI)']);
    const v = await gql(hub, VIEWER, key);
    expect(v).toEqual({ status: 200, body: { data: { viewer: { role: 'ADMIN', keyLabel: 'Quản trị Liên hiệp (CLI)', association: null } } } });
    const audit = await gql(hub, '{ auditEvents(first: 1) { totalCount } }', key);
    expect(audit.status).toBe(200);
    expect(audit.body.errors).toBeUndefined();

    const assocKey = await createKeyWithCli(env, ['--role', 'ASSOCIATION', '--association', 'ST-YHOC', '--label', 'Phần mềm hội viên Hội Y học']);
    expect((await gql(hub, VIEWER, assocKey)).body.data.viewer).toEqual({ role: 'ASSOCIATION', keyLabel: 'Phần mềm hội viên Hội Y học', association: { code: 'ST-YHOC' } });

    const analystKey = await createKeyWithCli(env, ['--role', 'ANALYST', '--label', 'Nhóm phân tích']);
    expect((await gql(hub, VIEWER, analystKey)).body.data.viewer).toMatchObject({ role: 'ANALYST', keyLabel: 'Nhóm phân tích' });
    expect(new Set([key, assocKey, analystKey]).size).toBe(3);
  });

  it('keys list shows a key (id, role, association, label, use) without the key itself', async () => {
    const key = await createKeyWithCli(env, ['--role', 'ASSOCIATION', '--association', 'ST-DUOCHOC', '--label', 'Hội Dược học – máy chủ']);
    const before = await idOf(env, 'Hội Dược học – máy chủ');
    expect(before.line).toMatch(/ASSOCIATION/);
    expect(before.line).toContain('ST-DUOCHOC');
    expect(before.line).toMatch(/never/i);
    expect(before.out).not.toContain(key);
    expect(before.out).not.toContain(key.slice(10));

    await gql(hub, VIEWER, key);
    const after = await idOf(env, 'Hội Dược học – máy chủ');
    expect(after.id).toBe(before.id);
    expect(after.line).not.toMatch(/never/i);
    expect(after.out).not.toContain(key);
  });

  it('keys revoke <id> makes the key fail with 401 UNAUTHENTICATED', async () => {
    const key = await createKeyWithCli(env, ['--role', 'ANALYST', '--label', 'Khóa sẽ bị thu hồi']);
    // The hub caches keys once its listener is connected (it says so): then this key is answered from memory.
    for (const until = Date.now() + 30_000; !hub.output().includes('API key listener connected') && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(hub.output()).toContain('API key listener connected');
    for (let i = 0; i < 2; i++) expect((await gql(hub, VIEWER, key)).status).toBe(200);
    const { id } = await idOf(env, 'Khóa sẽ bị thu hồi');

    const r = await runCli(['keys', 'revoke', String(id)], env);
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining(String(id)) });

    const refused = await untilRefused(hub, key);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await idOf(env, 'Khóa sẽ bị thu hồi')).line).toMatch(/revoked/i);
  });

  it('refuses bad arguments with a non-zero exit and a clear message, creating nothing', async () => {
    const count = await keyCount(db.url);
    const cases: [string[], RegExp][] = [
      [['keys', 'create', '--role', 'SUPERUSER', '--label', 'Khóa lạ'], /role.*ADMIN.*ANALYST.*ASSOCIATION/s],
      [['keys', 'create', '--role', 'ASSOCIATION', '--label', 'Thiếu hội'], /--association/],
      [['keys', 'create', '--role', 'ASSOCIATION', '--association', 'KHONG-CO-HOI', '--label', 'Hội không có'], /KHONG-CO-HOI/],
      [['keys', 'create', '--role', 'ADMIN'], /--label/],
      [['keys', 'revoke', 'mot'], /id/],
      [['keys', 'revoke', '999999'], /999999/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      expect({ args, code: r.code === 0 ? 0 : 'non-zero' }).toEqual({ args, code: 'non-zero' });
      expect({ args, out: r.out }).toEqual({ args, out: expect.stringMatching(message) });
      expect({ args, stack: /\n\s+at /.test(r.out) }).toEqual({ args, stack: false });
      expect({ args, key: /fh_[A-Za-z0-9_-]{20,}/.test(r.out) }).toEqual({ args, key: false });
    }
    expect(await keyCount(db.url)).toBe(count);
  });

  it('answers a usage mistake at once, before it opens any database (exit 2)', async () => {
    // A "database" that counts connections and never answers: a usage error must not even try it
    // (a command that did would hang here until the test's timeout).
    const attempts: net.Socket[] = [];
    const silent = net.createServer((socket) => attempts.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const nowhere = { DATABASE_URL: `postgres://nobody@127.0.0.1:${(silent.address() as net.AddressInfo).port}/none` };
    try {
      for (const args of [['keys', 'create', '--role', 'SUPERUSER', '--label', 'x'], ['keys', 'revoke', 'mot'], ['keys', 'list', 'extra'], ['keys', 'rotate']]) {
        const r = await runCli(args, nowhere);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.out).toMatch(/Error: /);
        expect(r.out).not.toMatch(/ECONNREFUSED|database/i);
        expect({ args, connections: attempts.length }).toEqual({ args, connections: 0 });
      }
    } finally {
      for (const socket of attempts) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

// --- the embedded database ----------------------------------------------------------------------

describe('on the embedded database', () => {
  const dataDir = tempDataDir();
  const env = { DATA_DIR: dataDir };
  const demoFile = path.join(dataDir, 'demo-keys.txt');
  let hub: HubProcess;

  beforeAll(async () => {
    hub = startHub(env, await freePort());
    await waitReady(hub);
  });
  afterAll(async () => {
    if (hub) await stop(hub);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the first start creates demo keys: printed once, in <DATA_DIR>/demo-keys.txt (0600), one ADMIN, one ANALYST, one per demo association', async () => {
    expect(fs.existsSync(demoFile)).toBe(true);
    expect(fs.statSync(demoFile).mode & 0o777).toBe(0o600);
    const keys = parseDemoKeys(fs.readFileSync(demoFile, 'utf8'));
    for (const k of keys) expect(k.key).toMatch(KEY_RE);
    expect(keys.filter((k) => k.role === 'ADMIN')).toHaveLength(1);
    expect(keys.filter((k) => k.role === 'ANALYST')).toHaveLength(1);
    const perAssociation = keys.filter((k) => k.role === 'ASSOCIATION');
    expect(perAssociation.map((k) => k.association).sort()).toEqual(DEMO_ASSOCIATIONS);
    expect(keys).toHaveLength(2 + DEMO_ASSOCIATIONS.length);
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);

    // The demo associations are exactly those the hub marks as demo data.
    const listed = await gql(hub, '{ associations(first: 100) { edges { node { code demo } } } }');
    expect(listed.body.data.associations.edges.filter((e: any) => e.node.demo).map((e: any) => e.node.code).sort()).toEqual(DEMO_ASSOCIATIONS);

    // Printed once, at this start.
    for (const k of keys) expect(hub.output().split(k.key)).toHaveLength(2);
  });

  it('the demo keys work: ADMIN reads the audit log, ANALYST and association keys identify themselves', async () => {
    const keys = parseDemoKeys(fs.readFileSync(demoFile, 'utf8'));
    const admin = keys.find((k) => k.role === 'ADMIN')!.key;
    const audit = await gql(hub, '{ auditEvents(first: 5) { totalCount edges { node { action } } } }', admin);
    expect(audit.status).toBe(200);
    expect(audit.body.errors).toBeUndefined();
    expect(audit.body.data.auditEvents.totalCount).toEqual(expect.any(Number));

    const analyst = keys.find((k) => k.role === 'ANALYST')!.key;
    expect((await gql(hub, VIEWER, analyst)).body.data.viewer).toMatchObject({ role: 'ANALYST' });
    const refused = await gql(hub, '{ auditEvents(first: 1) { totalCount } }', analyst);
    expect(refused.status).toBe(403);

    const yhoc = keys.find((k) => k.association === 'ST-YHOC')!.key;
    expect((await gql(hub, VIEWER, yhoc)).body.data.viewer).toMatchObject({ role: 'ASSOCIATION', association: { code: 'ST-YHOC' } });
  });

  it('keys create, list and revoke work while the hub runs, through <DATA_DIR>/hub.json', async () => {
    const label = 'Ứng dụng Hội Tin học Cần Thơ';
    const created = await runCli(['keys', 'create', '--role', 'ASSOCIATION', '--association', 'CT-TINHOC', '--label', label], env);
    expect(created.code).toBe(0);
    expect(created.out).toContain('using the database of the hub');
    const key = lastLine(created.out);
    expect(key).toMatch(KEY_RE);
    expect((await gql(hub, VIEWER, key)).body.data.viewer).toEqual({ role: 'ASSOCIATION', keyLabel: label, association: { code: 'CT-TINHOC' } });

    const listed = await idOf(env, label);
    expect(listed.out).not.toContain(key);
    // The demo keys are listed too, and none of them shows itself.
    for (const k of parseDemoKeys(fs.readFileSync(demoFile, 'utf8'))) expect(listed.out).not.toContain(k.key);
    expect(lines(listed.out).filter((l) => /ASSOCIATION/.test(l)).length).toBeGreaterThanOrEqual(DEMO_ASSOCIATIONS.length + 1);

    const revoked = await runCli(['keys', 'revoke', String(listed.id)], env);
    expect(revoked.code).toBe(0);
    const r = await untilRefused(hub, key);
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // The hub still runs and serves the others.
    expect(hub.child.exitCode).toBeNull();
  });

  it('a later start neither prints nor rewrites the demo keys, and they keep working', async () => {
    const before = fs.readFileSync(demoFile, 'utf8');
    await stop(hub);
    hub = startHub(env, await freePort());
    await waitReady(hub);
    expect(fs.readFileSync(demoFile, 'utf8')).toBe(before);
    expect(hub.output()).not.toMatch(/fh_[A-Za-z0-9_-]{20,}/);
    const admin = parseDemoKeys(before).find((k) => k.role === 'ADMIN')!.key;
    expect((await gql(hub, VIEWER, admin)).body.data.viewer).toMatchObject({ role: 'ADMIN' });
  });
});

// --- production -------------------------------------------------------------------------------

describe('NODE_ENV=production', () => {
  it('a first start on a fresh DATA_DIR creates no demo keys', async () => {
    const dataDir = tempDataDir();
    try {
      const hub = startHub({ DATA_DIR: dataDir, NODE_ENV: 'production' }, await freePort());
      await waitReady(hub);
      try {
        expect((await gql(hub, '{ association(code: "ST-YHOC") { code } }')).body.data.association).toEqual({ code: 'ST-YHOC' });
        expect(fs.existsSync(path.join(dataDir, 'demo-keys.txt'))).toBe(false);
        expect(hub.output()).not.toMatch(/fh_[A-Za-z0-9_-]{20,}/);
        const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'hub.json'), 'utf8'));
        expect(await keyCount(info.databaseUrl)).toBe(0);
      } finally {
        await stop(hub);
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
