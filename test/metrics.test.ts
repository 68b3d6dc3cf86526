import type { AddressInfo } from 'node:net';
import { createAssociation, createFederation, createKey } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { ConfigError, loadConfig } from '../src/config';

/**
 * /metrics through real HTTP: what a hub counts after reads on both ways in (graphql-http.ts's
 * POST and Express's GET and POST), a refused document, a refused key, a push and an end of
 * memberships; the operation label's cap; and how it is exposed (404 when off, the token on the
 * main port, a port of its own).
 */

const TOKEN = 'metrics-test-token-0123456789abcdef';

/** Parses Prometheus text into `name{labels}` → value (labels as printed, in prom-client's order). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/**
 * Scrapes until `ready` holds: a request is counted when its response closes, which may come a
 * moment after the client has read the answer. Bounded by attempts, never by a clock.
 */
async function scrapeUntil(url: string, headers: Record<string, string>, ready: (m: Map<string, number>) => boolean): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const r = await scrape(url, headers);
    expect(r.status).toBe(200);
    last = parse(r.text);
    if (ready(last)) return last;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return last;
}

describe('metrics off (the default)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  test('/metrics is 404, also with a token', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    expect((await scrape(`${base}/metrics`)).status).toBe(404);
    expect((await scrape(`${base}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect(t.hub.metricsServer).toBeNull();
  });
});

describe('metrics behind METRICS_TOKEN on the main port', () => {
  let t: TestHub;
  let metricsUrl: string;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    t = await startTestHub({ METRICS_TOKEN: TOKEN, METRICS_MAX_OPERATIONS: '6' });
    metricsUrl = t.url.replace(/\/graphql$/, '/metrics');
  });
  afterAll(() => t.close());

  test('401 without a token, with a wrong one, with another scheme; 200 with it', async () => {
    const none = await fetch(metricsUrl);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape(metricsUrl, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await scrape(metricsUrl, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).status).toBe(401);
    const ok = await scrape(metricsUrl, auth);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parse(ok.text);
    // Pool, event loop and process metrics are there before any request.
    expect(m.get('hub_db_pool_max')).toBe(5);
    for (const state of ['used', 'free', 'pending_acquires', 'pending_creates']) expect(m.has(`hub_db_pool_connections{state="${state}"}`)).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.has('process_cpu_seconds_total')).toBe(true);
  });

  test('reads on both ways in, a refused document and key, a push: counted with their labels', async () => {
    const federation = await createFederation(t.em());
    const association = await createAssociation(t.em(), federation);
    const admin = await createKey(t.em(), 'ADMIN');
    const READ = 'query Feds { federations(first: 2) { edges { node { code name } } } }';
    const sqlOf: number[] = [];

    // 1. POST application/json: graphql-http.ts's own handler.
    const fast = await t.gql(READ);
    expect(fast.body.errors).toBeUndefined();
    sqlOf.push(fast.sql);
    // 2. POST with a Content-Encoding: Express's chain.
    const viaExpress = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, body: JSON.stringify({ query: READ }) });
    expect(viaExpress.status).toBe(200);
    expect(((await viaExpress.json()) as { errors?: unknown }).errors).toBeUndefined();
    sqlOf.push(Number(viaExpress.headers.get('x-sql-statements')));
    // 3. GET: Express too.
    const get = await fetch(`${t.url}?query=${encodeURIComponent(READ)}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { errors?: unknown }).errors).toBeUndefined();
    sqlOf.push(Number(get.headers.get('x-sql-statements')));
    expect(sqlOf.every((n) => n >= 1)).toBe(true);

    // A document that does not validate, whatever it calls itself; a key the hub does not know.
    const bad = await t.gql('query Bogus { noSuchField }');
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const refused = await t.gql(READ, undefined, { authorization: 'Bearer fh_not_a_key_0000000000000000000000000000' });
    expect(refused.status).toBe(401);

    // A push (a mutation): two rows created, then one unchanged and one updated, then one ended.
    const UPSERT = `mutation Push($input: UpsertMembersInput!) { upsertMembers(input: $input) { created updated unchanged userErrors { code } } }`;
    const rows = [
      { externalId: 'm-1', fullName: 'Nguyễn Văn An' },
      { externalId: 'm-2', fullName: 'Trần Thị Bình' },
    ];
    const first = await t.data<{ upsertMembers: { created: number; userErrors: unknown[] } }>(UPSERT, { input: { associationCode: association.code, idempotencyKey: 'metrics-1', members: rows } }, admin.headers);
    expect(first.upsertMembers).toMatchObject({ created: 2, userErrors: [] });
    const second = await t.data<{ upsertMembers: { updated: number; unchanged: number } }>(
      UPSERT,
      { input: { associationCode: association.code, idempotencyKey: 'metrics-2', members: [rows[0], { ...rows[1], workplace: 'Viện Hàn lâm' }] } },
      admin.headers,
    );
    expect(second.upsertMembers).toMatchObject({ updated: 1, unchanged: 1 });
    // Replayed: the same key and input answer the stored response and write nothing, so count nothing.
    await t.data(UPSERT, { input: { associationCode: association.code, idempotencyKey: 'metrics-1', members: rows } }, admin.headers);
    // Refused by userErrors (no fullName for a new member): nothing written, nothing counted.
    const refusedPush = await t.data<{ upsertMembers: { userErrors: unknown[] } }>(UPSERT, { input: { associationCode: association.code, idempotencyKey: 'metrics-3', members: [{ externalId: 'm-3' }] } }, admin.headers);
    expect(refusedPush.upsertMembers.userErrors.length).toBeGreaterThan(0);
    const END = `mutation End($input: EndMembershipsInput!) { endMemberships(input: $input) { ended userErrors { code } } }`;
    const ended = await t.data<{ endMemberships: { ended: number } }>(END, { input: { associationCode: association.code, externalIds: ['m-1'] } }, admin.headers);
    expect(ended.endMemberships.ended).toBe(1);

    const m = await scrapeUntil(metricsUrl, auth, (m) => m.get('hub_graphql_requests_total{operation="End",outcome="ok"}') === 1);
    expect(m.get('hub_graphql_requests_total{operation="Feds",outcome="ok"}')).toBe(3);
    expect(m.get('hub_graphql_request_duration_seconds_count{operation="Feds",outcome="ok"}')).toBe(3);
    expect(m.get('hub_graphql_request_duration_seconds_bucket{operation="Feds",outcome="ok",le="+Inf"}')).toBe(3);
    expect(m.get('hub_graphql_request_sql_statements_count{operation="Feds"}')).toBe(3);
    expect(m.get('hub_graphql_request_sql_statements_sum{operation="Feds"}')).toBe(sqlOf.reduce((a, b) => a + b, 0));
    // The refused document and the refused key: no operation was resolved, one label for both.
    expect(m.get('hub_graphql_requests_total{operation="(other)",outcome="error"}')).toBe(2);
    expect(m.has('hub_graphql_requests_total{operation="Bogus",outcome="error"}')).toBe(false);
    expect(m.get('hub_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(m.get('hub_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(m.get('hub_graphql_requests_total{operation="Push",outcome="ok"}')).toBe(4);
    expect(m.get('hub_push_rows_total{outcome="created"}')).toBe(2);
    expect(m.get('hub_push_rows_total{outcome="updated"}')).toBe(1);
    expect(m.get('hub_push_rows_total{outcome="unchanged"}')).toBe(1);
    expect(m.get('hub_push_rows_total{outcome="ended"}')).toBe(1);
    expect(m.has('hub_push_rows_total{outcome="already_ended"}')).toBe(false);
  });

  test('operation names past METRICS_MAX_OPERATIONS are counted as (other)', async () => {
    const before = parse((await scrape(metricsUrl, auth)).text);
    const other = before.get('hub_graphql_requests_total{operation="(other)",outcome="ok"}') ?? 0;
    // Feds, Push, End, Bogus-free so far: 3 names; 6 may have labels, so 3 of these 10 get one.
    for (let i = 0; i < 10; i++) expect((await t.gql(`query Spam${i} { __typename }`)).status).toBe(200);
    await t.gql('{ __typename }');
    const m = await scrapeUntil(metricsUrl, auth, (m) => m.get('hub_graphql_requests_total{operation="(anonymous)",outcome="ok"}') === 1);
    const named = [...m.keys()].filter((k) => k.startsWith('hub_graphql_requests_total{operation="Spam')).map((k) => /operation="(\w+)"/.exec(k)![1]);
    expect(named).toEqual(['Spam0', 'Spam1', 'Spam2']);
    expect(m.get('hub_graphql_requests_total{operation="(other)",outcome="ok"}')).toBe(other + 7);
  });
});

describe('metrics on a port of their own (METRICS_PORT)', () => {
  let t: TestHub;
  let metricsBase: string;
  beforeAll(async () => {
    t = await startTestHub({ METRICS_PORT: '0' });
    const address = t.hub.metricsServer!.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1'); // METRICS_HOST's default
    metricsBase = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t.close());

  test('the metrics port answers /metrics without a token; the main port does not', async () => {
    await t.data('query Feds { federations(first: 1) { edges { node { code } } } }');
    const m = await scrapeUntil(`${metricsBase}/metrics`, {}, (m) => m.get('hub_graphql_requests_total{operation="Feds",outcome="ok"}') === 1);
    expect(m.get('hub_graphql_requests_total{operation="Feds",outcome="ok"}')).toBe(1);
    expect((await scrape(t.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    expect((await scrape(`${metricsBase}/graphql`)).status).toBe(404);
    expect((await fetch(`${metricsBase}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('metrics configuration', () => {
  const env = (e: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...e });
  test('off by default; a short token, a bad port or a bad OTLP URL stop the start', () => {
    const c = env({});
    expect(c.metrics).toEqual({ port: null, host: '127.0.0.1', token: null, maxOperations: 200 });
    expect(c.otel.tracesUrl).toBeNull();
    expect(() => env({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => env({ METRICS_PORT: 'http' })).toThrow(ConfigError);
    expect(() => env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }).otel.tracesUrl).toBe('http://127.0.0.1:4318/v1/traces');
    expect(env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/x' }).otel.tracesUrl).toBe('http://c:4318/x');
  });
});
