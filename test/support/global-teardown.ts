import fs from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const tmpl = g.__hubTestTemplate as { adminUrl: string; template: string } | undefined;
  const db = g.__hubTestDb as { stop: () => Promise<void>; dir: string } | undefined;
  if (tmpl && !db) {
    // External server: it keeps its state between runs, so drop what this run made.
    const admin = new Client({ connectionString: tmpl.adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1 or datname = $2`, [
      `${tmpl.template.replace('hub_tmpl_', 'hub_t_')}%`,
      tmpl.template,
    ]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  }
  if (db) {
    await db.stop();
    fs.rmSync(db.dir, { recursive: true, force: true });
  }
}
