import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Runs the built hub (`node dist/src/main.js`) as a user would, for lifecycle tests. */

export const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'index.js');

export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-life-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface HubProcess {
  child: ChildProcess;
  port: number;
  base: string;
  output(): string;
  exited: Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Kills every hub a test started and did not stop (a failed assertion must not leave processes behind). */
export async function killStrayHubs(): Promise<void> {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopped = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 15_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (!stopped) child.kill('SIGKILL');
    }
  }
  started.clear();
}

export function startHub(env: Record<string, string>, port: number): HubProcess {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  let out = '';
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, base: `http://127.0.0.1:${port}`, output: () => out, exited };
}

export async function waitReady(hub: HubProcess, ms = 120_000): Promise<number[]> {
  const statuses: number[] = [];
  const until = Date.now() + ms;
  for (;;) {
    if (hub.child.exitCode !== null) throw new Error(`hub exited (${hub.child.exitCode}): ${hub.output()}`);
    try {
      const r = await fetch(`${hub.base}/readyz`);
      statuses.push(r.status);
      if (r.status === 200) return statuses;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`hub not ready: ${hub.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function query<T = any>(hub: { base: string }, q: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await fetch(`${hub.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q, variables }) });
  const body = (await r.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** Pids of live processes whose command line mentions `needle` (a data directory). */
export function processesMentioning(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}
