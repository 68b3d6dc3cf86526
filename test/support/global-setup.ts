import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { execFileSync } from 'node:child_process';
import { startEmbedded } from '../../src/db/embedded';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Once per `jest` run: the build (lifecycle tests run the hub as a user does, from dist/),
 * a PostgreSQL server (embedded by default, or TEST_DATABASE_URL's server), and a template
 * database with every migration applied. Each test file copies the template into a database
 * of its own (test/support/db.ts).
 *
 * MikroORM must not be initialised in this process: when jest runs the tests in band, its
 * metadata would leak into the test sandbox (mikro-orm issue 3783). The hub's own CLI migrates.
 */
export default async function globalSetup(): Promise<void> {
  // `tsc -p tsconfig.build.json` when dist/ is not the build of the current sources (as `npm start` does).
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  let adminUrl: string;
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    adminUrl = external;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-test-'));
    fs.chmodSync(dir, 0o755); // user postgres (when running as root) must reach it
    const db = await startEmbedded({ dataDir: dir });
    (globalThis as Record<string, unknown>).__hubTestDb = { stop: db.stop, dir };
    adminUrl = db.url.replace(/\/[^/]*$/, '/postgres');
  }
  const template = `hub_tmpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${template}"`);
  await admin.end();
  const templateUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${template}$1`);
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'index.js'), 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: templateUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.HUB_TEST_ADMIN_URL = adminUrl;
  process.env.HUB_TEST_TEMPLATE = template;
  (globalThis as Record<string, unknown>).__hubTestTemplate = { adminUrl, template };
}
