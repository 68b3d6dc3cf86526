import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { Federation } from '../modules/federation/federation.entity';
import { ormConfig } from './mikro-orm.config';
import { seedDemoData } from '../modules';

/**
 * Opens MikroORM on a database URL, with its read replicas if any (common/read-routing.ts).
 * (SQL run through `runQuery` is counted per request: common/request-scope.ts.)
 */
export async function openOrm(url: string, poolMax = 10, statementTimeoutMs?: number, replicaUrls: readonly string[] = []): Promise<MikroORM> {
  return MikroORM.init(ormConfig({ url, poolMax, statementTimeoutMs, replicaUrls }));
}

/**
 * Runs `fn` holding a PostgreSQL advisory lock, so that two hubs (or a hub and the CLI) starting
 * on one database do not migrate or seed it at the same time.
 */
export async function withDatabaseLock<T>(url: string, name: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`federation-hub:${name}`]);
    return await fn();
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [`federation-hub:${name}`]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Applies pending migrations on a connection of their own, without the statement timeout that
 * guards requests: rewriting a table of a million people takes longer than a request may.
 * `progress` (the command line's) hears of each migration applied.
 */
export async function migrate(_orm: MikroORM, url: string, progress?: (phase: string, done: number, total: number) => void): Promise<string[]> {
  return withDatabaseLock(url, 'migrate', async () => {
    const migrationOrm = await openOrm(url, 1, 0);
    try {
      const migrator = migrationOrm.getMigrator();
      if (progress) {
        // The command line's progress bar (src/cli/progress.ts): migrations applied of those pending.
        const total = (await migrator.getPendingMigrations()).length;
        let applied = 0;
        if (total > 0) progress('migrations', 0, total);
        const onMigrated = () => progress('migrations', ++applied, total);
        // MikroORM 6 makes its Umzug again when `up()` checks the database (its ensureDatabase
        // answers "created" from its cache), which drops listeners added with `on()`: add the
        // listener to every Umzug it makes.
        const m = migrator as unknown as { createUmzug(): void; on(event: 'migrated', listener: () => void): unknown };
        const createUmzug = m.createUmzug.bind(m);
        m.createUmzug = () => {
          createUmzug();
          m.on('migrated', onMigrated);
        };
        m.on('migrated', onMigrated);
      }
      const done = await migrator.up();
      return done.map((m) => m.name);
    } finally {
      await migrationOrm.close(true);
    }
  });
}

/** Loads the demo data when the database holds no federation yet; returns whether it did. */
export async function seedIfEmpty(orm: MikroORM, url: string): Promise<boolean> {
  return withDatabaseLock(url, 'seed', async () => {
    const em = orm.em.fork();
    if ((await em.count(Federation, {})) > 0) return false;
    await seedDemoData(em);
    return true;
  });
}
