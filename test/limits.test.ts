import { getIntrospectionQuery } from 'graphql';
import { startTestHub, TestHub } from './support/harness';
import { createKey } from './factories';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ BODY_LIMIT_BYTES: String(64 * 1024), MAX_TOKENS: '2000' });
});
afterAll(() => t.close());

/** A query `levels` object levels deep: associations → members → intellectual → memberships → association → … */
function deepQuery(levels: number): string {
  // Each pair of steps is association → member(ship) → intellectual → membership → association …
  const steps = ['members(first: 1) { edges { node { %', 'intellectual { %', 'memberships(first: 1) { edges { node { %', 'association { %'];
  const closers = ['} } }', '}', '} } }', '}'];
  let open = 'associations(first: 1) { edges { node { %';
  let close = '} } }';
  for (let k = 1; k < levels; k++) {
    open = open.replace('%', steps[(k - 1) % 4]);
    close = `${closers[(k - 1) % 4]} ${close}`;
  }
  return `{ ${open.replace('%', 'id')} ${close} }`;
}

describe('query limits', () => {
  it('depth: 10 object levels pass, 11 are refused with 400 GRAPHQL_VALIDATION_FAILED naming the limit', async () => {
    const ok = await t.gql(deepQuery(10));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const over = await t.gql(deepQuery(11));
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.body.errors![0].message).toMatch(/depth limit exceeded: the limit is 10 levels, this operation has 11/i);
  });

  it('introspection is exempt from the depth limit (the explorer and codegen need it)', async () => {
    const r = await t.gql(getIntrospectionQuery());
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });

  it('aliases: 30 pass, 31 are refused', async () => {
    const q = (n: number) => `{ ${Array.from({ length: n }, (_, k) => `a${k}: scienceField(code: "1.1") { code }`).join(' ')} }`;
    expect((await t.gql(q(30))).body.errors).toBeUndefined();
    const over = await t.gql(q(31));
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.body.errors![0].message).toMatch(/alias limit exceeded: the limit is 30 aliases, this document has 31/i);
  });

  it('tokens: a document over MAX_TOKENS is refused with 400 GRAPHQL_PARSE_FAILED', async () => {
    const under = `{ ${Array.from({ length: 100 }, () => '__typename').join(' ')} }`;
    expect((await t.gql(under)).status).toBe(200);
    const over = await t.gql(`{ ${Array.from({ length: 2100 }, () => '__typename').join(' ')} }`);
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(over.body.errors![0].message).toMatch(/more th\w+ 2000 tokens/);
  });

  it('node budget: 250,000 pass, more are refused naming the most expensive path; a missing first counts as 20', async () => {
    const q = `query($a: Int, $m: Int, $i: Int) { associations(first: $a) { edges { node { members(first: $m) { edges { node { intellectual {
      memberships(first: $i) { edges { node { id } } } } } } } } } } }`;
    // 100 + 100·100 + 100·100·24 = 250,100 > 250,000; with 23: 240,100.
    const ok = await t.gql(q, { a: 100, m: 100, i: 23 });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const over = await t.gql(q, { a: 100, m: 100, i: 24 });
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'nodes', found: 250_100 });
    expect(over.body.errors![0].message).toContain('associations.members.intellectual.memberships');
    // Missing first = 20: 100 · 100 · 20 = 200,000 (+10,100) is allowed.
    const defaults = await t.gql(`{ associations(first: 100) { edges { node { members(first: 100) { edges { node { intellectual { memberships { totalCount } } } } } } } } }`);
    expect(defaults.body.errors).toBeUndefined();
  });
});

describe('request bodies', () => {
  const post = (body: string, headers: Record<string, string> = {}) => fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('a body over BODY_LIMIT_BYTES gets 413 with a JSON error naming the limit', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(70 * 1024) } });
    const r = await post(big);
    expect(r.status).toBe(413);
    const body = (await r.json()) as any;
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.errors[0].message).toContain(String(64 * 1024));
    const under = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(60 * 1024) } }));
    expect(under.status).toBe(200);
  });

  it('batched arrays are refused with 400', async () => {
    const r = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(r.status).toBe(400);
  });

  it('GET works for queries (with a CSRF-safe header) and is refused for mutations; a simple GET is blocked by CSRF prevention', async () => {
    const q = encodeURIComponent('{ scienceField(code: "2.3") { labelVi } }');
    const ok = await fetch(`${t.url}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.scienceField.labelVi).toBe('Kỹ thuật cơ khí');
    const csrf = await fetch(`${t.url}?query=${q}`);
    expect(csrf.status).toBe(400);
    const m = encodeURIComponent('mutation { createFederation(input: { code: "X", name: "X", level: "NATIONAL" }) { userErrors { code } } }');
    const mutation = await fetch(`${t.url}?query=${m}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(mutation.status).toBe(405);
  });
});

describe('rate limits through the hub', () => {
  it('an anonymous burst over the limit gets 429 with Retry-After; introspection and keys are not held up', async () => {
    const limited = await startTestHub({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: '6', RATE_LIMIT_ANONYMOUS_BURST: '3', RATE_LIMIT_KEYED_PER_MINUTE: '600' });
    try {
      const statuses: number[] = [];
      for (let k = 0; k < 4; k++) statuses.push((await limited.gql('{ scienceFields { code } }')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await limited.gql('{ scienceFields { code } }');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body.errors![0].extensions!.code).toBe('RATE_LIMITED');
      expect((await limited.gql(getIntrospectionQuery())).status).toBe(200);
      const key = await createKey(limited.em(), 'ANALYST');
      expect((await limited.gql('{ viewer { role } }', undefined, key.headers)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
