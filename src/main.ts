import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { createDemoKeys } from './db/seed/demo-keys';
import { createLogger } from './common/logger';
import { DataDirBusyError, EmbeddedDatabase, startEmbedded } from './db/embedded';
import { migrate, openOrm, seedIfEmpty } from './db/database';
import { removeHubFile, writeHubFile } from './db/hub-file';
import { createServer, Hub } from './server';
import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Start-up: configuration → database (embedded or DATABASE_URL) → listen (not ready yet)
 * → migrations → demo seed → ready. SIGTERM/SIGINT: stop accepting, finish in-flight
 * requests, close the pool, stop the embedded database.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | null = null;
  let orm: MikroORM | null = null;
  let hub: Hub | null = null;
  let shuttingDown: Promise<void> | null = null;

  const shutdown = (reason: string, code = 0) => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'shutting down');
      if (hub) {
        // /readyz turns 503 at once; requests being read or run are still answered (the drain
        // stops accepting connections and waits for them).
        hub.state.stopping = true;
        await hub.stop().catch((e) => logger.error({ err: e }, 'error while stopping the server'));
      }
      await orm?.close(true).catch((e) => logger.error({ err: e }, 'error while closing the pool'));
      if (embedded) {
        removeHubFile(config.dataDir);
        await embedded.stop().catch((e) => logger.error({ err: e }, 'error while stopping PostgreSQL'));
      }
      logger.info('stopped');
      process.exit(code);
    })();
    return shuttingDown;
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.error({ err }, 'unhandled rejection');
  });

  try {
    let url = config.databaseUrl;
    if (!url) {
      logger.info({ dataDir: config.dataDir }, 'starting the embedded PostgreSQL');
      embedded = await startEmbedded({ dataDir: config.dataDir, log: (msg) => logger.info(msg) });
      url = embedded.url;
    }
    orm = await openOrm(url, config.dbPoolMax, undefined, config.databaseReplicaUrls);
    hub = await createServer(orm, config, { logger, state: { ready: false } });
    const server = hub.httpServer;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const shownHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host;
    const graphqlUrl = `http://${shownHost}:${port}/graphql`;
    if (embedded) writeHubFile(config.dataDir, { pid: process.pid, databaseUrl: url, graphqlUrl, startedAt: new Date().toISOString() });

    const applied = await migrate(orm, url);
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
    if (config.seedDemo && (await seedIfEmpty(orm, url))) {
      logger.info('demo data loaded into the empty database');
      if (embedded && config.env !== 'production') {
        const keys = await createDemoKeys(orm.em.fork(), config.dataDir);
        console.log(`\n${keys}(also written to ${path.join(config.dataDir, 'demo-keys.txt')})\n`);
      }
    }
    hub.state.ready = true;
    hub.startBackground();
    logger.info({ url: graphqlUrl }, 'federation hub ready');
    const metricsAt = hub.metricsServer?.address();
    if (metricsAt && typeof metricsAt === 'object') logger.info({ url: `http://${config.metrics.host}:${metricsAt.port}/metrics` }, 'metrics listening');
    else if (config.metrics.token) logger.info({ url: graphqlUrl.replace(/\/graphql$/, '/metrics') }, 'metrics on the main port, behind METRICS_TOKEN');
    // No await from `ready = true` to here: /readyz shows statsWarmup 'running' (or 'off') from its
    // first 200 on, and 'done' or 'failed' once the warm-up is over (bench/run.js waits for that).
    const warming = Date.now();
    hub.warmStats().then(
      (n) => n && logger.info({ federations: n, ms: Date.now() - warming }, 'statistics cache warmed'),
      (err) => !shuttingDown && logger.warn({ err }, 'statistics cache warm-up failed'),
    );
    console.log(`Federation Hub ready at ${graphqlUrl}`);
  } catch (e) {
    if (e instanceof DataDirBusyError) {
      console.error(e.message);
      process.exit(1);
    }
    logger.fatal({ err: e }, 'start-up failed');
    console.error(`Start-up failed: ${(e as Error).message}`);
    await shutdown('start-up failed', 1);
  }
}

void main();
