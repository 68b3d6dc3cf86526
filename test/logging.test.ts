import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { openOrm } from '../src/db/database';
import { createServer, Hub } from '../src/server';
import { createLogger } from '../src/common/logger';
import { createAssociation, createFederation, createKey } from './factories';
import { createTestDatabase, TestDatabase } from './support/db';
import type { MikroORM } from '@mikro-orm/postgresql';

/** A hub whose JSON log lines are captured, to check what is (and is not) logged. */
let db: TestDatabase;
let orm: MikroORM;
let hub: Hub;
let url: string;
const lines: Record<string, any>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url, 3);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const logger = createLogger('info', sink); // the hub's own logger configuration
  hub = await createServer(orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url }), { logger });
  await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await hub.stop();
  await orm.close(true);
  await db.drop();
});

/** A push of one member by a new association's own key, as operation PushOne. */
async function pushOne(idempotencyKey: string, member: Record<string, string>) {
  const em = orm.em.fork();
  const a = await createAssociation(em, await createFederation(em));
  const key = await createKey(em, 'ASSOCIATION', a);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...key.headers },
    body: JSON.stringify({
      operationName: 'PushOne',
      query: 'mutation PushOne($input: UpsertMembersInput!) { upsertMembers(input: $input) { created } }',
      variables: { input: { associationCode: a.code, idempotencyKey, members: [member] } },
    }),
  });
  return { key, res };
}

it('logs each request as JSON with operation name, duration, key id and request id; never the key or personal data', async () => {
  const { key, res } = await pushOne('log-1', { externalId: 'L1', fullName: 'Nguyễn Thị Bí Mật', email: 'bimat@example.org', phone: '0909 000 111' });
  expect(res.status).toBe(200);
  const requestId = res.headers.get('x-request-id');
  const line = lines.find((l) => l.msg === 'graphql request' && l.requestId === requestId);
  expect(line).toMatchObject({ operationName: 'PushOne', keyId: key.id, role: 'ASSOCIATION', errors: 0 });
  expect(typeof line!.durationMs).toBe('number');
  const all = JSON.stringify(lines);
  expect(all).not.toContain(key.key);
  expect(all).not.toContain('bimat@example.org');
  expect(all).not.toContain('0909 000 111');
});

it('logs an unexpected error with the request id the client got, without leaking it to the client', async () => {
  // A database that is gone makes any query fail unexpectedly.
  const dead = await openOrm(db.url.replace(/\/[^/]*$/, '/no_such_database_for_logging'), 1);
  const sink: Record<string, any>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, d) => (String(c).split('\n').filter(Boolean).forEach((l) => sink.push(JSON.parse(l))), d()) }));
  const broken = await createServer(dead, loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url }), { logger });
  await new Promise<void>((r) => broken.httpServer.listen(0, '127.0.0.1', r));
  try {
    const r = await fetch(`http://127.0.0.1:${(broken.httpServer.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ federations { totalCount } }' }),
    });
    const body = (await r.json()) as any;
    const text = JSON.stringify(body);
    expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(body.errors[0].message).toBe('Internal server error');
    expect(text).not.toMatch(/select|no_such_database|at \w+ \(/i);
    const requestId = body.errors[0].extensions.requestId;
    expect(requestId).toBe(r.headers.get('x-request-id'));
    expect(sink.some((l) => l.level === 50 && l.requestId === requestId)).toBe(true);
  } finally {
    await broken.stop();
    await dead.close(true);
  }
});

it('logs a database error by its code and constraint, never the row values or SQL it quotes (personal data)', async () => {
  // A rule of the database that the hub's validation does not know: breaking it is an unexpected
  // error, and PostgreSQL's error quotes the whole failing row.
  await orm.em.getConnection().execute(`alter table intellectual add constraint logging_test_rule check (full_name <> 'Trần Thị Bí Mật')`);
  try {
    const { res } = await pushOne('log-db-1', { externalId: 'L2', fullName: 'Trần Thị Bí Mật', email: 'bimat2@example.org', phone: '0909 222 333', birthDate: '1981-02-03' });
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = body.errors[0].extensions.requestId;
    const logged = lines.find((l) => l.level === 50 && l.requestId === requestId);
    expect(logged?.err).toMatchObject({ code: '23514', constraint: 'logging_test_rule', table: 'intellectual' });
    expect(logged!.err.stack).toMatch(/^\s+at /);
    const all = JSON.stringify(lines.filter((l) => l.requestId === requestId));
    for (const secret of ['Bí Mật', 'bimat2@example.org', '0909 222 333', '1981-02-03', 'insert into', 'Failing row']) expect(all).not.toContain(secret);
    // Nothing of the push was written.
    const [{ n }] = await orm.em.getConnection().execute(`select count(*)::int as n from membership where external_id = 'L2'`);
    expect(n).toBe(0);
  } finally {
    await orm.em.getConnection().execute(`alter table intellectual drop constraint logging_test_rule`);
  }
});
