import { Client } from 'pg';
import { startTestHub, TestHub } from './support/harness';
import { createServer } from '../src/server';
import { loadConfig } from '../src/config';
import { openOrm } from '../src/db/database';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ CORS_ORIGINS: 'https://app.example.org', BODY_LIMIT_BYTES: '100000' });
});
afterAll(() => t.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('HTTP behaviour', () => {
  it('answers malformed JSON with a JSON error, no stack', async () => {
    const r = await post('{"query": "{ federations { totalCount } "');
    expect(r.status).toBe(400);
    const text = await r.text();
    const body = JSON.parse(text);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(text).not.toMatch(/at \w+ \(|node_modules|SyntaxError/);
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('never returns a stack trace or SQL for a GraphQL error', async () => {
    const r = await t.gql('{ federations(first: 500) { totalCount } }');
    const text = JSON.stringify(r.body);
    expect(r.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(text).not.toMatch(/stacktrace|select |node_modules/i);
    const syntax = await t.gql('{ federations(');
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(syntax.body)).not.toMatch(/stacktrace/);
  });

  it("gives every response a request id of the hub's own (a new UUID), and echoes a safe one the client sent beside it", async () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const r = await t.gql('{ scienceFields { code } }', undefined, { 'x-request-id': 'abc-123' });
    expect(r.headers.get('x-request-id')).toMatch(UUID);
    expect(r.headers.get('x-client-request-id')).toBe('abc-123');
    // Answers are not hashed into ETags (no client sends them back; each answer differs by its id anyway).
    expect(r.headers.get('etag')).toBeNull();
    // The same client id twice: two requests, two hub ids.
    const again = await t.gql('{ scienceFields { code } }', undefined, { 'x-request-id': 'abc-123' });
    expect(again.headers.get('x-request-id')).toMatch(UUID);
    expect(again.headers.get('x-request-id')).not.toBe(r.headers.get('x-request-id'));
    // Another request's hub id, sent back as the client's: still a new one of the hub's.
    const forged = await t.gql('{ scienceFields { code } }', undefined, { 'x-request-id': r.headers.get('x-request-id')! });
    expect(forged.headers.get('x-request-id')).not.toBe(r.headers.get('x-request-id'));
    expect(forged.headers.get('x-client-request-id')).toBe(r.headers.get('x-request-id'));
    // An implausible one is neither used nor echoed.
    for (const bad of ['bad id <script>', 'x'.repeat(65), 'a\tb', 'ünïcode']) {
      const other = await t.gql('{ scienceFields { code } }', undefined, { 'x-request-id': bad });
      expect(other.headers.get('x-request-id')).toMatch(UUID);
      expect(other.headers.get('x-client-request-id')).toBeNull();
    }
    const none = await t.gql('{ scienceFields { code } }');
    expect(none.headers.get('x-request-id')).toMatch(UUID);
    expect(none.headers.get('x-client-request-id')).toBeNull();
  });

  it('lets a browser on an allowed origin read both request ids', async () => {
    const r = await fetch(t.url, { method: 'POST', headers: { origin: 'https://app.example.org', 'content-type': 'application/json', 'x-request-id': 'app-42' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(r.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    expect(r.headers.get('access-control-expose-headers')).toMatch(/X-Client-Request-Id/);
    expect(r.headers.get('x-client-request-id')).toBe('app-42');
  });

  it('allows only the configured CORS origins', async () => {
    const ok = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.org', 'access-control-request-method': 'POST' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
    const no = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers POST /graphql alike through its own handler (JSON in UTF-8) and through Express (any other way of saying it)', async () => {
    // `application/json` takes src/common/graphql-http.ts's handler; a quoted charset is the same
    // media type to body-parser but not to that handler, so Express's chain answers it.
    const bodies = [
      JSON.stringify({ query: '{ scienceFields { code } }' }),
      JSON.stringify({ query: '{ federations(first: 500) { totalCount } }' }),
      JSON.stringify({ query: '{ federations(' }),
      '{"query": "{ __typename }"',
      'null',
      '',
      JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(100_000) }),
    ];
    const extra: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { origin: 'https://app.example.org', 'x-request-id': 'app-7' }, { accept: 'application/graphql-response+json' }];
    const seen = (r: Response, text: string) => ({
      status: r.status,
      headers: [...r.headers].filter(([name]) => !['date', 'x-request-id', 'ratelimit-remaining'].includes(name)),
      body: text.replace(/"requestId":"[^"]+"/g, '"requestId":"…"'),
    });
    for (const body of bodies) {
      for (const headers of extra) {
        const answers = [];
        for (const type of ['application/json', 'application/json; charset="utf-8"']) {
          const r = await fetch(t.url, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
          answers.push(seen(r, await r.text()));
        }
        expect(answers[1]).toEqual(answers[0]);
      }
    }
  });

  it('answers unknown paths with a JSON 404', async () => {
    const r = await fetch(t.url.replace('/graphql', '/nope'));
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('lists the OECD FOS 2007 fields with Vietnamese and English labels', async () => {
    const d = await t.data<any>('{ scienceFields { code labelVi labelEn parent { code } } scienceField(code: "2.3") { labelVi labelEn parent { labelEn } } }');
    expect(d.scienceFields).toHaveLength(48);
    expect(d.scienceFields.filter((f: any) => !f.parent)).toHaveLength(6);
    expect(d.scienceField).toEqual({ labelVi: 'Kỹ thuật cơ khí', labelEn: 'Mechanical engineering', parent: { labelEn: 'Engineering and technology' } });
  });
});

describe('readiness', () => {
  it('answers 503 until ready, 200 when ready, 503 when the database does not answer', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url });
    const hub = await createServer(t.orm, config, { state: { ready: false } });
    await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(hub.httpServer.address() as any).port}`;
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const early = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ scienceFields { code } }"}' });
      expect(early.status).toBe(503);
      expect(((await early.json()) as any).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      hub.state.ready = true;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      // STATS_CACHE_SECONDS is 0 in tests: no warm-up, now or when asked for.
      expect(await ready.json()).toEqual({ status: 'ready', statsWarmup: 'off' });
      await expect(hub.warmStats()).resolves.toBe(0);
      expect(hub.state.statsWarmup).toBe('off');
    } finally {
      await hub.stop();
    }
    // A hub whose database is gone: not ready.
    const deadOrm = await openOrm(t.db.url.replace(/\/[^/]*$/, '/no_such_database_here'), 1);
    const dead = await createServer(deadOrm, config, { state: { ready: true } });
    await new Promise<void>((r) => dead.httpServer.listen(0, '127.0.0.1', r));
    try {
      expect((await fetch(`http://127.0.0.1:${(dead.httpServer.address() as any).port}/readyz`)).status).toBe(503);
    } finally {
      await dead.stop();
      await deadOrm.close(true);
    }
  });

  it("reports the statistics warm-up in /readyz's body: running while it runs, then done (failed when it fails), with status 200 throughout", async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url, STATS_CACHE_SECONDS: '60' });
    const hub = await createServer(t.orm, config, { state: { ready: true } });
    await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
    const readyz = async () => {
      const r = await fetch(`http://127.0.0.1:${(hub.httpServer.address() as any).port}/readyz`);
      return { status: r.status, body: (await r.json()) as { status: string; statsWarmup?: string } };
    };
    const locker = new Client({ connectionString: t.db.url });
    try {
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', statsWarmup: 'off' } }); // none started
      // The warm-up's first query reads the federation table: while another session holds it, the
      // warm-up is surely still running when /readyz is asked.
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table federation in access exclusive mode');
      const warming = hub.warmStats();
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', statsWarmup: 'running' } });
      await locker.query('rollback');
      // Polled as a benchmark would; the bound is generous, the warm-up of the test data is quick.
      const until = Date.now() + 60_000;
      let seen = await readyz();
      while (seen.body.statsWarmup === 'running' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await readyz();
      }
      expect(seen).toEqual({ status: 200, body: { status: 'ready', statsWarmup: 'done' } });
      await expect(warming).resolves.toEqual(expect.any(Number));
    } finally {
      await locker.end();
      await hub.stop();
    }
    // A warm-up whose database is gone: 'failed' (its /readyz is 503 for the database anyway).
    const deadOrm = await openOrm(t.db.url.replace(/\/[^/]*$/, '/no_such_database_here'), 1);
    const dead = await createServer(deadOrm, config, { state: { ready: true } });
    await new Promise<void>((r) => dead.httpServer.listen(0, '127.0.0.1', r));
    try {
      await expect(dead.warmStats()).rejects.toThrow();
      expect(dead.state.statsWarmup).toBe('failed');
    } finally {
      await dead.stop();
      await deadOrm.close(true);
    }
  });
});
