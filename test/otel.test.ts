import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKey } from './factories';
import { startTestHub } from './support/harness';
import { createTestDatabase, TestDatabase } from './support/db';
import { freePort, HubProcess, killStrayHubs, startHub, waitReady } from './support/process';
import { openOrm } from '../src/db/database';

/**
 * OpenTelemetry traces: nothing of OpenTelemetry is loaded without an endpoint; with one, a
 * request sends a span of its own and one per SQL statement under it, here to a small OTLP/HTTP
 * receiver in the test. The tests run in this order: the module registry is the file's.
 */

const loaded = (part: string) => Object.keys(require.cache).filter((k) => k.includes(part));

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

test('a hub without OTEL_EXPORTER_OTLP_ENDPOINT (and without metrics) loads no OpenTelemetry module', async () => {
  const t = await startTestHub();
  try {
    await t.data('{ federations(first: 1) { edges { node { code } } } }');
    expect(loaded('/src/server.')).not.toEqual([]); // the registry is the one this file's imports fill
    expect(loaded('/src/common/tracing.')).not.toEqual([]);
    expect(loaded('@opentelemetry/')).toEqual([]);
    expect(loaded('/prom-client/')).toEqual([]);
  } finally {
    await t.close();
  }
});

test('with metrics but no endpoint: no OpenTelemetry SDK or exporter (prom-client brings only @opentelemetry/api)', async () => {
  const t = await startTestHub({ METRICS_TOKEN: 'metrics-test-token-0123456789abcdef' });
  try {
    await t.data('{ federations(first: 1) { edges { node { code } } } }');
    expect(loaded('/prom-client/')).not.toEqual([]);
    expect(loaded('@opentelemetry/').filter((k) => !k.includes('@opentelemetry/api/'))).toEqual([]);
  } finally {
    await t.close();
  }
});

/**
 * A real hub process (dist/src/main.js): the OTLP exporter loads Node's http module with import(),
 * which jest's sandbox refuses, and a process is how traces are used anyway.
 */
describe('with OTEL_EXPORTER_OTLP_ENDPOINT (a hub process)', () => {
  let receiver: http.Server;
  const posts: { path: string; type: string | undefined; body: { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] } }[] = [];
  let db: TestDatabase;
  let hub: HubProcess;
  let adminKey: string;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          posts.push({ path: req.url ?? '', type: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    db = await createTestDatabase();
    const orm = await openOrm(db.url, 1);
    try {
      adminKey = (await createKey(orm.em.fork(), 'ADMIN')).key;
    } finally {
      await orm.close(true);
    }
    hub = startHub(
      { DATABASE_URL: db.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'hub-under-test', EXPOSE_SQL_STATS: 'true' },
      await freePort(),
    );
    await waitReady(hub);
  });
  afterAll(async () => {
    await killStrayHubs();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await db?.drop();
  });

  test('a request span per request, and a span per SQL statement under it', async () => {
    const auth = { authorization: `Bearer ${adminKey}` };
    const post = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${hub.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    const READ = 'query Feds { federations(first: 2) { edges { node { code name } } } }';
    const fast = await post(READ, undefined, auth); // graphql-http.ts; the key is looked up (MikroORM)
    expect(fast.status).toBe(200);
    expect(((await fast.json()) as { errors?: unknown }).errors).toBeUndefined();
    const get = await fetch(`${hub.base}/graphql?query=${encodeURIComponent(READ)}`, { headers: { 'apollo-require-preflight': '1' } }); // Express
    expect(get.status).toBe(200);
    const mutation = await post(
      'mutation Make($input: CreateFederationInput!) { createFederation(input: $input) { federation { code } userErrors { code } } }',
      { input: { code: 'OTEL', name: 'Liên hiệp thử nghiệm', level: 'PROVINCIAL' } },
      auth,
    );
    expect(((await mutation.json()) as { data?: { createFederation: { federation: unknown } } }).data?.createFederation.federation).toEqual({ code: 'OTEL' });
    expect((await post('query Bogus { noSuchField }')).status).toBe(400);

    // SIGTERM: the hub stops, sending what its batch holds on the way out.
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => p.path === '/v1/traces' && p.type?.startsWith('application/json'))).toBe(true);
    const spans = posts.flatMap((p) => p.body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const service = posts[0]!.body.resourceSpans[0]!.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    expect(service).toBe('hub-under-test');

    const requests = spans.filter((s) => s.kind === 2); // SPAN_KIND_SERVER
    const childrenOf = (r: OtlpSpan) => spans.filter((s) => s.parentSpanId === r.spanId && s.traceId === r.traceId);
    // Named by their operation once resolved; the document that did not validate is `(other)`.
    expect(requests.map((r) => r.name).sort()).toEqual(['graphql (other)', 'graphql Feds', 'graphql Feds', 'graphql Make']);

    const feds = requests.filter((r) => r.name === 'graphql Feds');
    for (const r of feds) {
      expect(attr(r, 'http.response.status_code')).toBe(200);
      expect(attr(r, 'hub.outcome')).toBe('ok');
      const sql = childrenOf(r);
      expect(sql.length).toBeGreaterThanOrEqual(1);
      // Every statement the request counted is a span (and MikroORM's own, like the key lookup, too).
      expect(sql.length).toBeGreaterThanOrEqual(attr(r, 'hub.sql_statements') as number);
      for (const s of sql) {
        expect(s.kind).toBe(3); // SPAN_KIND_CLIENT
        expect(attr(s, 'db.system.name')).toBe('postgresql');
      }
    }
    // The key lookup of the first read is among its statements, its key's hash blanked.
    const lookup = feds.flatMap(childrenOf).find((s) => /api_key/.test(String(attr(s, 'db.query.text'))));
    expect(lookup).toBeDefined();
    expect(String(attr(lookup!, 'db.query.text'))).toMatch(/hash = '\?'/);

    // The mutation's transaction: its statements, begin and commit included, are under its span.
    const make = requests.find((r) => r.name === 'graphql Make')!;
    const texts = childrenOf(make).map((s) => String(attr(s, 'db.query.text')).toLowerCase());
    expect(texts.some((x) => x.startsWith('begin'))).toBe(true);
    expect(texts.some((x) => x.startsWith('commit'))).toBe(true);
    expect(texts.some((x) => x.includes('insert into'))).toBe(true);
    // No SQL span outside a request's: statements of the start-up and the background have none.
    const ids = new Set(requests.map((r) => r.spanId));
    expect(spans.filter((s) => s.kind === 3).every((s) => ids.has(s.parentSpanId!))).toBe(true);
  });
});
