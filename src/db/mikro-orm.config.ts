import path from 'node:path';
import { defineConfig, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../../migrations';
import { PROJECT_ROOT } from '../paths';
import { ENTITIES } from '../modules';

export { ENTITIES };

/** Source folder of the migrations (where `migration:create` writes new ones). */
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

export interface OrmOptions {
  url: string;
  poolMax?: number;
  debug?: boolean;
  /** Longest a statement may run (ms); requests are cut off at 30 s, migrations not at all (0). */
  statementTimeoutMs?: number;
  /** Read replicas (DATABASE_REPLICA_URLS): used only where common/read-routing.ts sends reads. */
  replicaUrls?: readonly string[];
}

export function ormConfig(opts: OrmOptions): Options {
  return defineConfig({
    clientUrl: opts.url,
    entities: ENTITIES,
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true },
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
    },
    // When the database is away, requests fail at once: a refused connection is passed on to the
    // waiting request (knex's propagateCreateError), whatever the timeouts. The timeouts only
    // bound a database that does not answer at all, and must not fire on a merely busy machine:
    // a loaded hub's event loop runs its timers before the I/O that would have met them, and
    // opening a connection takes several turns of it (seen: 3 s was not enough at a load average
    // of 6 on two cores, and requests in progress lost their answers). A connection may take
    // 10 s to open; a request may wait 30 s for one (as long as a statement may run).
    pool: { min: 0, max: opts.poolMax ?? 10, idleTimeoutMillis: 10_000, acquireTimeoutMillis: 30_000 },
    driverOptions: { connection: { application_name: 'federation-hub', connectionTimeoutMillis: 10_000, statement_timeout: opts.statementTimeoutMs ?? 30_000 } },
    // Replicas serve only the reads read-routing.ts sends them (a read there falls back to the
    // primary when the replica fails): MikroORM's own finds stay on the primary. A replica that
    // does not answer is given up after 3 s, not 10: the read then still has the primary.
    replicas: (opts.replicaUrls ?? []).map((clientUrl, i) => ({
      name: `replica-${i + 1}`,
      clientUrl,
      driverOptions: { connection: { application_name: 'federation-hub', connectionTimeoutMillis: 3_000, statement_timeout: opts.statementTimeoutMs ?? 30_000 } },
    })),
    preferReadReplicas: false,
    forceUtcTimezone: true,
    // Never create a database because a URL has a typo: the embedded path creates its own.
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: opts.debug ?? false,
  });
}
