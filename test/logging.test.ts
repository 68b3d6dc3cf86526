import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { openOrm } from '../src/db/database';
import { createServer, Hub } from '../src/server';
import { createLogger } from '../src/common/logger';
import { createAssociation, createFederation, createKey } from './factories';
import { ApiKeyService } from '../src/modules/key/api-key.service';
import { DEFAULT_FAILED_AUTH_BURST } from '../src/common/rate-limit';
import { createTestDatabase, TestDatabase } from './support/db';
import type { MikroORM } from '@mikro-orm/postgresql';

/** A hub whose JSON log lines are captured, to check what is (and is not) logged. */
let db: TestDatabase;
let orm: MikroORM;
let hub: Hub;
let url: string;
const lines: Record<string, any>[] = [];
/** Every log line of the hubs of this file, parsed, into `lines`. */
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    done();
  },
});

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url, 3);
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

describe('request ids and client address in log lines', () => {
  it("names the hub's request id (the X-Request-Id answered), the caller's beside it, the client address and the error codes", async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'client-chosen-1' },
      body: JSON.stringify({ query: '{ federations(first: 1) { totalCount } auditEvents(first: 1) { totalCount } }' }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).not.toBe('client-chosen-1');
    const line = lines.find((l) => l.msg === 'graphql request' && l.requestId === requestId);
    expect(line).toMatchObject({ clientRequestId: 'client-chosen-1', clientAddress: '127.0.0.1', status: 200, errors: 1, errorCodes: ['UNAUTHENTICATED'] });
    expect(lines.some((l) => l.requestId === 'client-chosen-1')).toBe(false);
  });
});

describe('refusals before a request runs', () => {
  const ask = (headers: Record<string, string>, target = url) =>
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
  const refusalOf = (res: Response) => {
    const requestId = res.headers.get('x-request-id');
    const found = lines.filter((l) => l.msg === 'request refused' && l.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('logs every refused key (401) with request id, client address, reason and the key id when known; never the key', async () => {
    const em = orm.em.fork();
    const unknown = `fh_${'U'.repeat(43)}`;
    const r1 = await ask({ authorization: `Bearer ${unknown}`, 'x-request-id': 'guess-1' });
    expect(r1.status).toBe(401);
    expect(refusalOf(r1)).toMatchObject({ level: 40, status: 401, code: 'UNAUTHENTICATED', reason: 'unknown key', keyId: null, clientAddress: '127.0.0.1', clientRequestId: 'guess-1' });

    const revoked = await createKey(em, 'ANALYST');
    await new ApiKeyService(orm.em.fork()).revoke(revoked.id);
    await hub.keys.heard(revoked.id); // the hub's key cache has heard of it
    const r2 = await ask(revoked.headers);
    expect(r2.status).toBe(401);
    expect(refusalOf(r2)).toMatchObject({ status: 401, reason: 'revoked key', keyId: revoked.id, clientAddress: '127.0.0.1' });

    const r3 = await ask({ authorization: `Token ${unknown}` });
    expect(r3.status).toBe(401);
    expect(refusalOf(r3)).toMatchObject({ status: 401, reason: 'malformed Authorization header', keyId: null });

    const all = JSON.stringify(lines);
    for (const secret of [unknown, revoked.key, unknown.slice(3), revoked.key.slice(3)]) expect(all).not.toContain(secret);
  });

  it('logs rate-limited requests (429): per address, per key (with its id once seen), and refused keys past the allowance', async () => {
    const limited = await createServer(
      orm,
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1',
        RATE_LIMIT_ANONYMOUS_BURST: '1',
        RATE_LIMIT_KEYED_PER_MINUTE: '1',
        RATE_LIMIT_KEYED_BURST: '1',
        RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '1',
      }),
      { logger: createLogger('info', sink) },
    );
    await new Promise<void>((r) => limited.httpServer.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(limited.httpServer.address() as AddressInfo).port}/graphql`;
    try {
      expect((await ask({}, target)).status).toBe(200);
      const anon = await ask({ 'x-request-id': 'scraper-2' }, target);
      expect(anon.status).toBe(429);
      expect(refusalOf(anon)).toMatchObject({ status: 429, code: 'RATE_LIMITED', reason: 'rate limit: requests per address', keyId: null, clientAddress: '127.0.0.1', clientRequestId: 'scraper-2' });

      const key = await createKey(orm.em.fork(), 'ANALYST');
      expect((await ask(key.headers, target)).status).toBe(200);
      const keyed = await ask(key.headers, target);
      expect(keyed.status).toBe(429);
      expect(refusalOf(keyed)).toMatchObject({ status: 429, reason: 'rate limit: requests per key', keyId: key.id, retryAfterSeconds: expect.any(Number) });

      // The refused-key allowance (30): then a guess is 429, logged with why the key was refused.
      const guesses: Response[] = [];
      for (let i = 0; i <= DEFAULT_FAILED_AUTH_BURST; i++) guesses.push(await ask({ authorization: `Bearer fh_guess${String(i).padStart(40, '0')}` }, target));
      expect(guesses.slice(0, -1).every((g) => g.status === 401)).toBe(true);
      const last = guesses[guesses.length - 1];
      expect(last.status).toBe(429);
      expect(refusalOf(last)).toMatchObject({ status: 429, code: 'RATE_LIMITED', reason: 'unknown key', throttled: 'refused keys from this address', keyId: null });
      expect(JSON.stringify(lines)).not.toContain(key.key);
    } finally {
      await limited.stop();
    }
  });
});
