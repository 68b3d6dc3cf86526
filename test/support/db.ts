import crypto from 'node:crypto';
import { Client } from 'pg';

/** A database of this test file's own, copied from the migrated template. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests with jest (test/support/global-setup.ts)`);
  return v;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = env('HUB_TEST_ADMIN_URL');
  const template = env('HUB_TEST_TEMPLATE');
  const name = `${template.replace('hub_tmpl_', 'hub_t_')}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        break;
      } catch (e) {
        // Two files copying the template at the same instant: PostgreSQL refuses one; try again.
        if (attempt >= 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: adminUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}
