import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { openOrm } from '../src/db/database';
import { createServer, Hub } from '../src/server';
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
  const logger = pino({ level: 'info', redact: ['*.authorization'] }, sink);
  hub = await createServer(orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url }), { logger });
  await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await hub.stop();
  await orm.close(true);
  await db.drop();
});

it('logs each request as JSON with operation name, duration, key id and request id; never the key or personal data', async () => {
  const em = orm.em.fork();
  const a = await createAssociation(em, await createFederation(em));
  const key = await createKey(em, 'ASSOCIATION', a);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...key.headers },
    body: JSON.stringify({
      operationName: 'PushOne',
      query: 'mutation PushOne($input: UpsertMembersInput!) { upsertMembers(input: $input) { created } }',
      variables: { input: { associationCode: a.code, idempotencyKey: 'log-1', members: [{ externalId: 'L1', fullName: 'Nguyễn Thị Bí Mật', email: 'bimat@example.org', phone: '0909 000 111' }] } },
    }),
  });
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
