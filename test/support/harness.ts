import type { AddressInfo } from 'node:net';
import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../../src/config';
import { openOrm } from '../../src/db/database';
import { createServer, Hub, ServerOptions } from '../../src/server';
import { createTestDatabase, TestDatabase } from './db';

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: unknown[]; extensions?: Record<string, any> }[] };
  /** SQL statements the hub ran for this request. */
  sql: number;
}

/** A real hub over HTTP on a database of its own: what every test talks to. */
export interface TestHub {
  url: string;
  orm: MikroORM;
  db: TestDatabase;
  hub: Hub;
  /** A fresh entity manager for building data with the factories. */
  em(): EntityManager;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  /** Like gql, but fails the test on any GraphQL error. */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

export async function startTestHub(env: Record<string, string> = {}, opts: ServerOptions = {}): Promise<TestHub> {
  return startHubOn(await createTestDatabase(), env, opts, { ownsDatabase: true });
}

/**
 * A hub on a database given (several hubs on one database: test/scale.test.ts); `close()` drops
 * the database only when the hub owns it. DATABASE_REPLICA_URLS in `env` opens the replicas too.
 */
export async function startHubOn(db: TestDatabase, env: Record<string, string> = {}, opts: ServerOptions = {}, { ownsDatabase = false } = {}): Promise<TestHub> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, EXPOSE_SQL_STATS: 'true', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const orm = await openOrm(db.url, 5, undefined, config.databaseReplicaUrls);
  const hub = await createServer(orm, config, opts);
  await new Promise<void>((resolve) => hub.httpServer.listen(0, '127.0.0.1', resolve));
  // Tests run with the key cache in use, as a hub does once its listener has connected.
  if (config.apiKeyCacheSeconds > 0 && !opts.beforeKeyListenerConnect) await hub.keys.whenListening();
  const { port } = hub.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;

  const gql = async <T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: GqlResponse<T>['body'];
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response (${res.status}): ${text.slice(0, 500)}`);
    }
    return { status: res.status, headers: res.headers, body, sql: Number(res.headers.get('x-sql-statements') ?? NaN) };
  };

  return {
    url,
    orm,
    db,
    hub,
    em: () => orm.em.fork(),
    gql,
    async data<T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T> {
      const r = await gql<T>(query, variables, headers);
      if (r.body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors, null, 2)}`);
      return r.body.data as T;
    },
    async close() {
      await hub.stop();
      await orm.close(true);
      if (ownsDatabase) await db.drop();
    },
  };
}
