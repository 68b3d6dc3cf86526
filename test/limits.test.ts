import net from 'node:net';
import { getIntrospectionQuery, OperationDefinitionNode, parse } from 'graphql';
import { MAX_COST_STEPS, nodeCost } from '../src/common/query-limits';
import { buildSchema } from '../src/schema';
import { startTestHub, TestHub } from './support/harness';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership } from './factories';

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

  it('depth: the root node(id:) is a level (only the node inside an edge is a wrapper)', async () => {
    const head = '{ associations(first: 1) { edges { node { ';
    const viaNode = (levels: number) => {
      const inner = deepQuery(levels).slice(head.length, -' } } } }'.length);
      return `{ node(id: "QXNzb2NpYXRpb246MQ") { ... on Association { ${inner} } } }`;
    };
    expect(deepQuery(3).startsWith(head)).toBe(true);
    const ok = await t.gql(viaNode(10));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const over = await t.gql(viaNode(11));
    expect(over.status).toBe(400);
    expect(over.body.errors![0].message).toMatch(/this operation has 11/);
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

  it('tokens: 2,000 tokens pass, 2,001 are refused with 400 GRAPHQL_PARSE_FAILED', async () => {
    // 20 tokens around a list of n strings (commas are not tokens): n + 20.
    const doc = (tokens: number) =>
      `mutation { endMemberships(input: { associationCode: "NO-SUCH", externalIds: [${Array.from({ length: tokens - 20 }, (_, k) => `"E${k}"`).join(', ')}] }) { ended } }`;
    const admin = await createKey(t.em(), 'ADMIN');
    const under = await t.gql(doc(2000), undefined, admin.headers);
    expect(under.status).toBe(200);
    expect(under.body).toEqual({ data: { endMemberships: { ended: 0 } } });
    const over = await t.gql(doc(2001), undefined, admin.headers);
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(over.body.errors![0].message).toMatch(/more th\w+ 2000 tokens/);
  });

  it('a document graphql-js gives up validating (thousands of repeats of one field) gets 400 with a clear message', async () => {
    const r = await t.gql(`{ ${Array.from({ length: 1900 }, () => '__typename').join(' ')} }`);
    expect(r.status).toBe(400);
    expect(r.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors![0].message).toMatch(/^Validation aborted: the document repeats fields or fragments too often/);
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
    // Exactly at the limit: 100 + 100·49 + 100·49·50 = 250,000 passes; one node more does not.
    const exact = `query($extra: Boolean!) { associations(first: 100) { edges { node { members(first: 49) { edges { node { intellectual {
      memberships(first: 50) { totalCount } } } } } } } } federations(first: 1) @include(if: $extra) { totalCount } }`;
    const at = await t.gql(exact, { extra: false });
    expect(at.status).toBe(200);
    expect(at.body.errors).toBeUndefined();
    const oneMore = await t.gql(exact, { extra: true });
    expect(oneMore.status).toBe(400);
    expect(oneMore.body.errors![0].extensions).toMatchObject({ limit: 'nodes', max: 250_000, found: 250_001 });
    // Missing first = 20: 100 · 100 · 20 = 200,000 (+10,100) is allowed.
    const defaults = await t.gql(`{ associations(first: 100) { edges { node { members(first: 100) { edges { node { intellectual { memberships { totalCount } } } } } } } } }`);
    expect(defaults.body.errors).toBeUndefined();
  });
});

describe('fragments cost one walk each', () => {
  // Each fragment spreads the next one twice: 2^n paths if every spread were followed.
  const fan = (n: number, leaf: string) =>
    `{ ...F0 }\n${Array.from({ length: n }, (_, k) => `fragment F${k} on Query { ${k + 1 < n ? `...F${k + 1} ...F${k + 1}` : leaf} }`).join('\n')}`;

  it('a fan of 40 fragments (2^40 paths) is answered, its depth and budget counted once', async () => {
    // A walk that followed every spread would need 2^40 steps: the cost walk would have given up
    // (MAX_COST_STEPS: refused as too intricate), and the old walk never ended at 40 (this test's
    // timeout). Answered, with the fragments costed once, is the proof; no clock needed.
    const ok = await t.gql(fan(40, 'associations(first: 100) { edges { node { code } } }'));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.associations.edges).toEqual([]);
    const doc = parse(fan(40, 'associations(first: 100) { edges { node { code } } }'));
    const cost = nodeCost(buildSchema(), doc, doc.definitions[0] as OperationDefinitionNode);
    expect({ tooComplex: !!cost.tooComplex, total: cost.total }).toEqual({ tooComplex: false, total: 100 });
  });

  it('depth and node budget still see through fragments', async () => {
    const deep = await t.gql(`{ ...A } fragment A on Query { ${deepQuery(11).slice(2, -2)} }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0].message).toMatch(/this operation has 11/);
    const costly = await t.gql(`{ associations(first: 100) { ...E } } fragment E on AssociationConnection { edges { node { members(first: 100) { edges { node { intellectual {
      memberships(first: 30) { totalCount } } } } } } } }`);
    expect(costly.status).toBe(400);
    expect(costly.body.errors![0].extensions).toMatchObject({ limit: 'nodes', found: 100 + 100 * 100 + 100 * 100 * 30, path: 'associations.members.intellectual.memberships' });
  });

  it('the same field selected by two fragments is one field, as execution merges it, and costs once', async () => {
    const q = `query($n: Int) { associations(first: 100) { ...A ...B } }
      fragment A on AssociationConnection { edges { node { members(first: 100) { totalCount } } } }
      fragment B on AssociationConnection { edges { node { members(first: 100) { edges { node { intellectual { memberships(first: $n) { totalCount } } } } } } } }`;
    // 100 + 100·100 + 100·100·23 = 240,100 (counting members twice would make it 250,100: refused).
    const ok = await t.gql(q, { n: 23 });
    expect(ok.body.errors).toBeUndefined();
    const over = await t.gql(q, { n: 24 });
    expect(over.body.errors![0].extensions).toMatchObject({ limit: 'nodes', found: 250_100 });
  });

  it('a document too intricate to cost within the step bound is refused, not walked for long', () => {
    // 30 aliases, each spreading a 4,000-field fragment: 120,000 selections to merge (> MAX_COST_STEPS).
    const doc = parse(`{ ${Array.from({ length: 30 }, (_, k) => `a${k}: federation(code: "X") { ...Big }`).join(' ')} }
      fragment Big on Federation { ${Array.from({ length: 4000 }, () => 'code').join(' ')} }`);
    // tooComplex: the walk stopped at its step bound (MAX_COST_STEPS) instead of merging on.
    const cost = nodeCost(buildSchema(), doc, doc.definitions[0] as OperationDefinitionNode);
    expect(cost).toMatchObject({ tooComplex: true, total: Infinity });
    expect(MAX_COST_STEPS).toBe(100_000);
  });

  it('a fragment cycle through a field is refused as invalid (was endless recursion and a 500)', async () => {
    const r = await t.gql('{ ...A } fragment A on Query { viewer { ...A } }');
    expect(r.status).toBe(400);
    expect(r.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors!.map((e) => e.message).join(' ')).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('below `node`, the budget counts the costliest possible type, not the sum of the types, following type conditions', async () => {
    // Federation branch: 100 + 100·100 + 100·100·n; Association branch: 100 + 100·100 = 10,100.
    const q = `query($n: Int) { node(id: "RmVkZXJhdGlvbjox") {
      ... on Federation { associations(first: 100) { edges { node { members(first: 100) { edges { node { intellectual { memberships(first: $n) { totalCount } } } } } } } } }
      ... on Association { members(first: 100) { edges { node { intellectual { memberships(first: 100) { totalCount } } } } } } } }`;
    const over = await t.gql(q, { n: 24 });
    expect(over.status).toBe(400);
    expect(over.body.errors![0].extensions).toMatchObject({ limit: 'nodes', found: 250_100, path: 'node.associations.members.intellectual.memberships' });
    // 240,100: passes (with the Association branch added it would be 250,200 and refused).
    const ok = await t.gql(q, { n: 23 });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  });
});

describe('input the database cannot store is refused at the edge', () => {
  it('a NUL character in a variable or a literal is BAD_USER_INPUT (400) naming where, and writes nothing', async () => {
    const federation = await createFederation(t.em(), { code: 'LIM-F' });
    const association = await createAssociation(t.em(), federation, { code: 'LIM-A' });
    const key = await createKey(t.em(), 'ASSOCIATION', association);
    const before = await t.orm.em.getConnection().execute(`select (select count(*) from intellectual)::int as i, (select count(*) from audit_event)::int as a`);
    const push = await t.gql(
      `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }`,
      { input: { associationCode: 'LIM-A', idempotencyKey: 'lim-nul-1', members: [{ externalId: 'HV-1', fullName: 'Nguyễn Văn Đức' }, { externalId: 'HV-2', fullName: 'Trần\u0000Thị Hồng' }] } },
      key.headers,
    );
    expect(push.status).toBe(400);
    expect(push.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', path: 'variables.input.members.1.fullName' });
    expect(push.body.errors![0].message).toMatch(/Text at variables\.input\.members\.1\.fullName contains a NUL character/);
    const after = await t.orm.em.getConnection().execute(`select (select count(*) from intellectual)::int as i, (select count(*) from audit_event)::int as a`);
    expect(after).toEqual(before);

    const literal = await t.gql(`{\n  association(code: "LIM-A\\u0000") { code }\n}`);
    expect(literal.status).toBe(400);
    expect(literal.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(literal.body.errors![0].message).toMatch(/Text at line 2, column 21 contains a NUL character/);
    const search = await t.gql(`query($q: String!) { intellectuals(filter: { search: $q }) { totalCount } }`, { q: 'Đức\u0000' });
    expect(search.status).toBe(400);
  });

  it('an unpaired surrogate (not Unicode) is refused too; Vietnamese text and emoji pass', async () => {
    const bad = await t.gql(`query($q: String!) { intellectuals(filter: { search: $q }) { totalCount } }`, { q: 'Nguy\ud800n' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0].message).toMatch(/unpaired surrogate \(U\+D800\)/);
    const ok = await t.gql(`query($q: String!) { intellectuals(filter: { search: $q }) { totalCount } }`, { q: 'Hồ Chí Minh 🎓' });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  });

  it('forged cursors (values of the wrong type, out of range, NUL) are BAD_USER_INPUT, not a database error', async () => {
    const federation = await createFederation(t.em(), { code: 'LIM-C' });
    const association = await createAssociation(t.em(), federation, { code: 'LIM-CA' });
    for (const fullName of ['Nguyễn Văn Đức', 'Hồ Thị Ân']) await createMembership(t.em(), await createIntellectual(t.em(), { fullName }), association);
    const admin = await createKey(t.em(), 'ADMIN');
    const page = async (after: string) =>
      t.gql(`query($after: String) { association(code: "LIM-CA") { members(first: 1, after: $after) { edges { node { intellectual { fullName } } } pageInfo { endCursor } } } }`, { after }, admin.headers);
    const first = await page(null as unknown as string);
    const real = first.body.data!.association.members.pageInfo.endCursor as string;
    const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as unknown[];
    expect((await page(real)).body.data!.association.members.edges[0].node.intellectual.fullName).toBe('Nguyễn Văn Đức');
    const forge = (values: unknown[]) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
    const [sortKey, given, full] = decoded;
    for (const forged of [
      forge([sortKey, given, full, "'; drop table x; --"]), // id as text
      forge([sortKey, given, full, 1e20]), // id beyond integer
      forge([sortKey, given, full, 1.5]), // id not an integer
      forge([sortKey, 'Đ\u0000', full, 1]), // NUL in text
      forge([sortKey, 7, full, 1]), // a number for a text column
    ]) {
      const r = await page(forged);
      expect(r.status).toBe(200);
      expect(r.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    }
    // Search cursors carry rounded numerics as strings: a forged one is refused the same way.
    const search = await t.gql(`{ intellectuals(first: 1, filter: { search: "duc" }) { pageInfo { endCursor } } }`, undefined, admin.headers);
    const s = JSON.parse(Buffer.from(search.body.data!.intellectuals.pageInfo.endCursor, 'base64url').toString('utf8')) as unknown[];
    const forgedSearch = await t.gql(`query($a: String) { intellectuals(first: 1, after: $a, filter: { search: "duc" }) { totalCount } }`, { a: forge([s[0], 'NaN', s[2], s[3]]) }, admin.headers);
    expect(forgedSearch.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('requests the hub does not serve get client errors', () => {
  it('subscriptions over HTTP: 400 BAD_REQUEST, naming the WebSocket endpoint', async () => {
    const r = await t.gql('subscription { changed { cursor } }');
    expect(r.status).toBe(400);
    expect(r.body.errors![0].extensions!.code).toBe('BAD_REQUEST');
    expect(r.body.errors![0].message).toMatch(/subscriptions are not served over HTTP: open a WebSocket to \/graphql/i);
  });

  it('automatic persisted queries: PERSISTED_QUERY_NOT_SUPPORTED (the protocol lets clients fall back to the full query)', async () => {
    for (const extensions of [{ persistedQuery: { version: 1, sha256Hash: 'abc' } }, { persistedQuery: { version: 2 } }, { persistedQuery: 'x' }]) {
      const r = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', extensions }) });
      const body = (await r.json()) as any;
      expect(r.status).toBeLessThan(500);
      expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    }
  });

  it('a request Node cannot parse as HTTP gets 400 with a JSON error and a request id', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1', () => socket.write('NOT AN HTTP REQUEST\r\n\r\n'));
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('a URL over 16 KiB gets 431 with a JSON error saying to use POST', async () => {
    const q = encodeURIComponent(`{ scienceField(code: "${'x'.repeat(20_000)}") { code } }`);
    const r = await fetch(`${t.url}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(r.status).toBe(431);
    const body = (await r.json()) as any;
    expect(body.errors[0].extensions.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
    expect(body.errors[0].message).toMatch(/POST/);
    expect(r.headers.get('x-request-id')).toBe(body.errors[0].extensions.requestId); // every response has one
    expect((await t.gql('{ __typename }')).status).toBe(200); // and the hub goes on
  });
});

describe('request bodies', () => {
  const post = (body: string, headers: Record<string, string> = {}) => fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('a body of BODY_LIMIT_BYTES passes, one byte more gets 413 with a JSON error naming the limit', async () => {
    const limit = 64 * 1024;
    const sized = (bytes: number) => {
      const bare = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
      return JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes - bare.length) } });
    };
    expect(sized(limit)).toHaveLength(limit);
    const under = await post(sized(limit));
    expect(under.status).toBe(200);
    const r = await post(sized(limit + 1));
    expect(r.status).toBe(413);
    const body = (await r.json()) as any;
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.errors[0].message).toBe(`The request body is larger than the limit of ${limit} bytes: this one has ${limit + 1}`);
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
    const m = encodeURIComponent('mutation { createFederation(input: { code: "X", name: "X", level: NATIONAL }) { userErrors { code } } }');
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
