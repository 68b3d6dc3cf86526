import { loadConfig } from '../src/config';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What can be checked of the deployment files without Docker (which cannot run on the
 * development machines): the Dockerfile and docker-compose.yml, read as text (no YAML library).
 *
 * The image's start command, `node dist/src/main.js` with DATABASE_URL, is what
 * test/lifecycle.test.ts ("the external database path") runs, through test/support/process.ts.
 */

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, stage by stage (comments dropped, continuation lines joined). */
function dockerStages(text: string): Instruction[][] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim()) logical.push(pending.trim());
  const stages: Instruction[][] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const ins = { keyword: m[1].toUpperCase(), args: m[2] };
    if (ins.keyword === 'FROM') stages.push([]);
    if (!stages.length) continue; // ARG before the first FROM
    stages[stages.length - 1].push(ins);
  }
  return stages;
}

/** Top-level blocks of a simple YAML file (`name:` at column 0), and 2-space children of one. */
function yamlBlocks(text: string, indent: number): Map<string, string> {
  const blocks = new Map<string, string>();
  const re = new RegExp(`^ {${indent}}([A-Za-z0-9_.-]+):(.*)$`);
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (m) {
      current = m[1];
      blocks.set(current, m[2].trim() ? `${m[2].trim()}\n` : '');
      continue;
    }
    const lead = /^ */.exec(line)![0].length;
    if (line.trim() && !line.trim().startsWith('#') && lead <= indent) current = null;
    if (current !== null) blocks.set(current, blocks.get(current)! + line + '\n');
  }
  return blocks;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const run = stages[stages.length - 1];
  const last = (keyword: string) => [...run].reverse().find((i) => i.keyword === keyword);

  it('builds in one node:20-bookworm-slim stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0].args).toMatch(/^node:20-bookworm-slim\b/);
    const build = stages[0].map((i) => i.args).join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build\b/);
    expect(build).toMatch(/npm prune --omit=dev\b/);
  });

  it('starts the built hub: CMD ["node", "dist/src/main.js"], a file the build produces', () => {
    const cmd = last('CMD');
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!.args)).toEqual(['node', 'dist/src/main.js']);
    // jest's global setup has just built dist/ with the same `tsc -p tsconfig.build.json`.
    expect(fs.existsSync(path.join(ROOT, 'dist', 'src', 'main.js'))).toBe(true);
    // … and the migrations are compiled into dist/, which the run stage copies.
    expect(fs.existsSync(path.join(ROOT, 'dist', 'migrations', 'index.js'))).toBe(true);
    const copied = run.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copied.some((a) => /\/app\/dist\s/.test(a))).toBe(true);
    expect(copied.some((a) => /\/app\/node_modules\s/.test(a))).toBe(true);
    expect(copied.some((a) => /package\.json/.test(a))).toBe(true);
  });

  it('copies the files the browser pages serve from the project folder (explorer, page assets, example operations)', () => {
    const copied = run.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const dir of ['vendor', 'src/web/assets', 'schema/operations']) {
      expect(fs.existsSync(path.join(ROOT, dir))).toBe(true);
      expect(copied).toContain(`${dir} ./${dir}`);
    }
  });

  it('runs as a user that is not root, in production, on 0.0.0.0:4000, with a /readyz health check', () => {
    const user = last('USER');
    expect(user).toBeDefined();
    expect(user!.args.split(':')[0]).not.toMatch(/^(root|0)$/);
    const env = run.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(env).toMatch(/PORT=4000/);
    expect(last('EXPOSE')?.args).toBe('4000');
    expect(last('HEALTHCHECK')?.args).toMatch(/\/readyz/);
  });

  it('.dockerignore keeps local builds, data and results out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', 'coverage', 'bench/results']));
  });
});

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const top = yamlBlocks(text, 0);
  const services = yamlBlocks(top.get('services') ?? '', 2);
  const db = services.get('db') ?? '';
  const hub = services.get('hub') ?? '';

  it('has a PostgreSQL 16 service on a named volume and the hub built from this folder', () => {
    expect([...services.keys()].sort()).toEqual(['db', 'hub']);
    expect(db).toMatch(/^\s+image:\s*["']?postgres:16["']?\s*$/m);
    const volume = /^\s+-\s*["']?([A-Za-z0-9_.-]+):\/var\/lib\/postgresql\/data["']?\s*$/m.exec(db);
    expect(volume).not.toBeNull();
    expect(yamlBlocks(top.get('volumes') ?? '', 2).has(volume![1])).toBe(true);
    expect(hub).toMatch(/^\s+build:\s*\.\s*$/m);
    expect(hub).toMatch(/DATABASE_URL:\s*["']?postgres(ql)?:\/\/.*@db:5432\/hub/);
    expect(hub).toMatch(/["']?4000:4000["']?/);
  });

  it('has health checks for both services, and the hub waits for a healthy database', () => {
    expect(db).toMatch(/^\s+healthcheck:/m);
    expect(db).toMatch(/pg_isready -U hub -d hub/);
    expect(hub).toMatch(/^\s+healthcheck:/m);
    expect(hub).toMatch(/\/readyz/);
    expect(hub).toMatch(/depends_on:\s*\n\s+db:\s*\n\s+condition:\s*service_healthy/);
  });

  it('gives the hub longer to stop than its shutdown takes at most (2 s linger + SHUTDOWN_GRACE_SECONDS)', () => {
    const grace = /^\s+stop_grace_period:\s*(\d+)s\s*$/m.exec(hub);
    expect(grace).not.toBeNull();
    const shutdownGrace = Number(/SHUTDOWN_GRACE_SECONDS:\s*["']?(\d+)/.exec(hub)?.[1] ?? loadConfig({}).shutdownGraceSeconds);
    expect(Number(grace![1])).toBeGreaterThan(2 + shutdownGrace);
  });

  it('holds no literal password: every one comes from the environment, with no default', () => {
    const passwords = [...text.matchAll(/^\s*[A-Z_]*PASSWORD[A-Z_]*\s*[:=]\s*(.*)$/gm)].map((m) => m[1].trim());
    expect(passwords.length).toBeGreaterThan(0);
    for (const p of passwords) expect(p).toMatch(/^["']?\$\{POSTGRES_PASSWORD:\?[^}]*\}["']?$/);
    const urlPasswords = [...text.matchAll(/postgres(?:ql)?:\/\/[^:/@\s]+:([^@\n]+)@/g)].map((m) => m[1]);
    expect(urlPasswords.length).toBeGreaterThan(0);
    for (const p of urlPasswords) expect(p).toMatch(/^\$\{POSTGRES_PASSWORD(:\?[^}]*)?\}$/);
  });
});
