import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { startEmbedded } from '../db/embedded';
import { openOrm } from '../db/database';
import { runningHub } from '../db/hub-file';

/**
 * The database a CLI command works on: DATABASE_URL; else the embedded database of the hub
 * running on DATA_DIR (found through hub.json); else the embedded database started here, for
 * the length of the command.
 */
export async function withCliDatabase<T>(config: Config, fn: (orm: MikroORM, url: string) => Promise<T>, log: (m: string) => void): Promise<T> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    const hub = runningHub(config.dataDir);
    if (hub) {
      log(`using the database of the hub running on ${config.dataDir} (pid ${hub.pid})`);
      url = hub.databaseUrl;
    } else {
      log(`no hub is running on ${config.dataDir}: starting its embedded database for this command`);
      const db = await startEmbedded({ dataDir: config.dataDir, log });
      url = db.url;
      stopEmbedded = db.stop;
    }
  }
  const orm = await openOrm(url, 4);
  try {
    return await fn(orm, url);
  } finally {
    await orm.close(true);
    await stopEmbedded?.();
  }
}
