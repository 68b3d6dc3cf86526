import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { buildSchema, getIntrospectionQuery, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType } from 'graphql';
import { compiledExecutorGateway, MAX_COMPILED_FIELDS } from '../src/common/executor';
import { formatError } from '../src/common/error-policy';
import { ErrorCode, HubError } from '../src/common/errors';
import { loadConfig } from '../src/config';
import { createServer, Hub } from '../src/server';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership } from './factories';
import { assign, createConsultationRequest, createOpinion, createPolicyDocument, seat } from './factories/consultation';
import { createForum, createPost, createSynthesis, createThread, editPost, react } from './factories/forum';
import { ForumStatus, ForumVisibility, PostStance, ReactionKind } from '../src/modules/forum/forum.enums';
import { LegalDocument } from '../src/common/legal-document';
import { toGlobalId } from '../src/common/node-id';
import { AssignmentRole, ConsultationKind, ConsultationOrigin, ConsultationStatus, ConsultationVisibility, OpinionStance, PanelRole } from '../src/modules/consultation/consultation.enums';
import { startTestHub, TestHub } from './support/harness';

/**
 * The compiled executor (src/common/executor.ts) answers exactly what graphql-js answers, through
 * Apollo (statuses, error formatting and masking), and leaves to graphql-js what it does not serve.
 */

const SDL = `
  interface Thing { id: ID! }
  type A implements Thing { id: ID! name: String! child: A nn: String! when: String }
  type B implements Thing { id: ID! size: Int }
  union Any = A | B
  enum Order { UP DOWN }
  input Range { from: Int! to: Int! }
  type Query {
    a(id: ID!): A
    things: [Thing!]!
    anys: [Any!]!
    list(first: Int! = 2, order: Order = UP, range: Range): [A!]!
    forbidden: String
    broken: String
    mustHave: A!
    holder: Holder
    echo(text: String!, times: Int = 1): String
  }
  type Holder { a: A! other: String }
  type Mutation { bump: Int! }
`;

function testSchema(): { schema: GraphQLSchema; bumps: number[] } {
  const schema = buildSchema(SDL);
  const bumps: number[] = [];
  const a = (id: string) => ({ id, name: `name ${id}`, nn: 'set', child: null, when: null });
  const query = schema.getQueryType()!.getFields();
  query.a.resolve = (_s, args) => (args.id === 'missing' ? null : a(args.id));
  query.things.resolve = () => [a('1'), { id: '2', size: 3 }];
  query.anys.resolve = async () => [a('3'), { id: '4', size: 5 }];
  query.list.resolve = (_s, args) => Array.from({ length: args.first }, (_, k) => a(`${args.order}${k}${args.range ? `:${args.range.from}-${args.range.to}` : ''}`));
  query.forbidden.resolve = () => {
    throw new HubError(ErrorCode.FORBIDDEN, 'Not for you');
  };
  query.broken.resolve = async () => {
    throw Object.assign(new Error('password=hunter2 in SQL'), { code: 'XX000' });
  };
  // A non-null field whose object has a null non-null field: null propagates to the nearest nullable parent.
  query.mustHave.resolve = () => ({ ...a('5'), nn: null });
  query.holder.resolve = () => ({ a: { ...a('6'), nn: null }, other: 'x' });
  query.echo.resolve = (_s, args) => String(args.text).repeat(args.times);
  (schema.getType('Thing') as GraphQLInterfaceType).resolveType = (v: { size?: number }) => ('size' in v ? 'B' : 'A');
  // An async type resolver: graphql-jit cannot wait for it, so documents reaching `Any` run on graphql-js.
  (schema.getType('Any') as GraphQLUnionType).resolveType = async (v: { size?: number }) => ('size' in v ? 'B' : 'A');
  const A = schema.getType('A') as GraphQLObjectType;
  A.getFields().child.resolve = async (s: { id: string }) => (s.id === '1' ? { id: '1a', name: 'child', nn: 'set' } : null);
  let counter = 0;
  schema.getMutationType()!.getFields().bump.resolve = async () => {
    const mine = ++counter;
    // The first bump waits longer: executed serially, the results are still in order.
    await new Promise((r) => setTimeout(r, mine === 1 ? 30 : 1));
    bumps.push(mine);
    return mine;
  };
  return { schema, bumps };
}


async function servers() {
  const plain = testSchema();
  const compiled = testSchema();
  const gateway = compiledExecutorGateway(compiled.schema, { compileAfter: 1 });
  const a = new ApolloServer({ schema: plain.schema, formatError: formatError(), includeStacktraceInErrorResponses: false });
  const b = new ApolloServer({ gateway, formatError: formatError(), includeStacktraceInErrorResponses: false });
  await Promise.all([a.start(), b.start()]);
  return { a, b, gateway, plain, compiled };
}

type Op = { query: string; variables?: Record<string, unknown>; operationName?: string };

async function both(s: Awaited<ReturnType<typeof servers>>, op: Op) {
  const [ra, rb] = await Promise.all([s.a.executeOperation(op), s.b.executeOperation(op)]);
  const shape = (r: typeof ra) => {
    if (r.body.kind !== 'single') throw new Error('expected a single result');
    return { status: r.http.status ?? 200, body: r.body.singleResult };
  };
  return { graphqlJs: shape(ra), jit: shape(rb) };
}

describe('compiled executor against graphql-js, through Apollo', () => {
  let s: Awaited<ReturnType<typeof servers>>;
  beforeAll(async () => {
    s = await servers();
  });
  afterAll(async () => {
    await Promise.all([s.a.stop(), s.b.stop()]);
  });

  const SAME: [string, Op][] = [
    ['fields, aliases, arguments and __typename', { query: '{ a(id: "1") { __typename id name x: name child { id name } } missing: a(id: "missing") { id } }' }],
    ['interfaces with fragments', { query: 'query T { things { __typename id ... on A { name } ... on B { size } ...F } } fragment F on Thing { id }' }],
    ['lists, defaults, enums, input objects', { query: 'query($r: Range) { list(first: 3, order: DOWN, range: $r) { id } d: list { id } }', variables: { r: { from: 1, to: 2 } } }],
    ['a HubError: its code, message and HTTP status', { query: '{ forbidden a(id: "2") { id } }' }],
    ['an unexpected error: masked', { query: '{ broken a(id: "2") { id } }' }],
    ['non-null propagation to data', { query: '{ mustHave { id nn } a(id: "3") { id } }' }],
    ['non-null propagation to a nullable parent', { query: '{ holder { other a { id nn } } }' }],
    ['variables coerced: defaults', { query: 'query($t: String!, $n: Int) { echo(text: $t, times: $n) }', variables: { t: 'ab' } }],
    ['variables that do not coerce: 400 BAD_USER_INPUT', { query: 'query($t: String!, $n: Int) { echo(text: $t, times: $n) }', variables: { n: 'three' } }],
    ['a missing variable: 400', { query: 'query($t: String!) { echo(text: $t) }' }],
    ['an unknown operation name', { query: 'query A { a(id: "1") { id } } query B { a(id: "2") { id } }', operationName: 'C' }],
    ['one operation of several', { query: 'query A { a(id: "1") { id } } query B { a(id: "2") { id } }', operationName: 'B' }],
    ['@skip/@include (graphql-js)', { query: 'query($s: Boolean!) { a(id: "1") { id name @skip(if: $s) ...F @include(if: $s) } } fragment F on A { nn }', variables: { s: true } }],
    ['an async type resolver (graphql-js)', { query: '{ anys { __typename ... on A { name } ... on B { size } } }' }],
    ['introspection (graphql-js)', { query: '{ __schema { queryType { name } types { name kind } } __type(name: "A") { fields { name } } }' }],
    ['a mutation, executed serially (graphql-js)', { query: 'mutation { one: bump two: bump three: bump }' }],
  ];

  it.each(SAME)('%s: the same answer', async (_name, op) => {
    // Twice: the first arrival compiles, the second runs the cached plan.
    for (let k = 0; k < 2; k++) {
      const r = await both(s, op);
      expect(r.jit).toEqual(r.graphqlJs);
    }
  });

  it('keeps statuses and codes of today', async () => {
    const forbidden = await both(s, { query: '{ forbidden }' });
    expect(forbidden.jit.status).toBe(403);
    expect(forbidden.jit.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    const masked = await both(s, { query: '{ broken }' });
    expect(masked.jit.body.errors![0]).toMatchObject({ message: 'Internal server error', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const badVariable = await both(s, { query: 'query($n: Int) { echo(text: "x", times: $n) }', variables: { n: 'x' } });
    expect(badVariable.jit.status).toBe(400);
    expect(badVariable.jit.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(s.compiled.bumps).toEqual([...s.plain.bumps]);
  });

  it('compiles reads once and leaves to graphql-js what it does not serve', async () => {
    const gateway = compiledExecutorGateway(testSchema().schema, { compileAfter: 2, cacheSize: 3 });
    const server = new ApolloServer({ gateway });
    await server.start();
    const run = (query: string) => server.executeOperation({ query });
    try {
      await run('{ a(id: "1") { id } }');
      expect(gateway.stats()).toMatchObject({ compiled: 0, jit: 0, fallback: 1 });
      await run('{ a(id: "1") { id } }');
      await run('{ a(id: "1") { id } }');
      expect(gateway.stats()).toMatchObject({ compiled: 1, jit: 2, fallback: 1, cached: 1 });
      for (const q of ['mutation { bump }', '{ __typename __schema { queryType { name } } }', '{ a(id: "1") { id @include(if: false) } }', '{ anys { __typename } }']) {
        for (let k = 0; k < 3; k++) await run(q);
      }
      expect(gateway.stats()).toMatchObject({ compiled: 1, jit: 2 });
      // The cache is bounded: the oldest entries leave first.
      for (let k = 0; k < 5; k++) for (let n = 0; n < 2; n++) await run(`{ a(id: "${k}") { id } }`);
      expect(gateway.stats().cached).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('bounds the cache by the fields of the compiled documents', async () => {
    const gateway = compiledExecutorGateway(testSchema().schema, { compileAfter: 1, cacheFields: MAX_COMPILED_FIELDS });
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      // 200 fields each: two fit in 500, the third pushes the oldest out.
      const doc = (k: number) => `{ ${Array.from({ length: 100 }, (_, n) => `f${n}: a(id: "${k}") { id }`).join(' ')} }`;
      for (let k = 0; k < 3; k++) await server.executeOperation({ query: doc(k) });
      expect(gateway.stats()).toMatchObject({ compiled: 3, jit: 3, cached: 2, cachedFields: 400 });
    } finally {
      await server.stop();
    }
  });

  it('does not compile documents that expand to more fields than MAX_COMPILED_FIELDS', async () => {
    const gateway = compiledExecutorGateway(testSchema().schema, { compileAfter: 1 });
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      // Small text, large expansion: each level spreads the next fragment under two fields.
      const levels = 9;
      const fragments = Array.from({ length: levels }, (_, k) => `fragment F${k} on A { id child { ...F${k + 1} } c2: child { ...F${k + 1} } }`).join(' ');
      const query = `{ a(id: "1") { ...F0 } } ${fragments} fragment F${levels} on A { id }`;
      const r = await server.executeOperation({ query });
      expect(r.body.kind === 'single' && r.body.singleResult.errors).toBeUndefined();
      expect(2 ** levels).toBeGreaterThan(MAX_COMPILED_FIELDS);
      expect(gateway.stats()).toMatchObject({ compiled: 0, fallback: 1 });
    } finally {
      await server.stop();
    }
  });
});

describe('the hub with each executor, on the same database', () => {
  let t: TestHub;
  let plain: Hub;
  let plainUrl: string;
  let jitOnly: Hub;
  let jitOnlyUrl: string;
  let headers: Record<string, string>;
  let viewers: Record<'ADMIN' | 'ANALYST' | 'ASSOCIATION' | 'PUBLIC', Record<string, string>>;
  let personId: string;
  let requestId: string;
  let documentId: string;
  const forumIds = { forum: '', thread: '', post: '', hidden: '' };
  let membershipId: string;
  let associationId: string;
  let cursor: string;
  beforeAll(async () => {
    t = await startTestHub();
    plain = await createServer(t.orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url, EXPOSE_SQL_STATS: 'true', LOG_LEVEL: 'silent', GRAPHQL_EXECUTOR: 'graphql-js' }));
    await new Promise<void>((resolve) => plain.httpServer.listen(0, '127.0.0.1', resolve));
    plainUrl = `http://127.0.0.1:${(plain.httpServer.address() as AddressInfo).port}/graphql`;
    // graphql-jit without the SQL reads (common/sql-read.ts): the resolvers, compiled.
    jitOnly = await createServer(t.orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url, EXPOSE_SQL_STATS: 'true', LOG_LEVEL: 'silent', GRAPHQL_SQL_READS: 'false' }));
    await new Promise<void>((resolve) => jitOnly.httpServer.listen(0, '127.0.0.1', resolve));
    jitOnlyUrl = `http://127.0.0.1:${(jitOnly.httpServer.address() as AddressInfo).port}/graphql`;
    const em = t.em();
    const f = await createFederation(em, { code: 'EXE-FED' });
    const associations = [];
    const people = [];
    for (let k = 0; k < 3; k++) {
      const a = await createAssociation(em, f, { code: `EXE-AS${k}` });
      associations.push(a);
      for (let m = 0; m < 4; m++) {
        const i = await createIntellectual(em, {
          fullName: `Ngô Văn Chạy${k}${m}`,
          publicProfile: m % 2 === 0,
          email: `chay${k}${m}@example.vn`,
          phone: `0912 000 ${k}${m}`,
          birthDate: `198${m}-0${k + 1}-1${m}`,
          fields: m % 2 ? ['2.3'] : ['1', '3.2'],
        } as never);
        people.push(i);
        await createMembership(em, i, a, { externalId: `HV-EXE-${k}-${m}`, joinedOn: m === 3 ? null : `201${m}-05-0${k + 1}`, status: m === 2 ? 'ENDED' : 'ACTIVE' } as never);
        // Some people belong to two associations (one of them ended).
        if (k === 1 && m < 2) await createMembership(em, i, associations[0], { externalId: `HV-EXE-X-${m}` });
      }
    }
    // Consultation requests: a public one with its request letter, a confidential one, a self-initiated one.
    const letter = new LegalDocument({ number: '1234/UBND-VX', date: '2026-02-20', issuer: 'Ủy ban nhân dân Thành phố Hồ Chí Minh' });
    const r1 = await createConsultationRequest(em, f, { dueOn: '2026-05-01', requestDocument: letter } as never);
    const r2 = await createConsultationRequest(em, f, {
      title: 'Giám định xã hội Đề án chuyển đổi số tỉnh Sóc Trăng',
      kind: ConsultationKind.SOCIAL_ASSESSMENT,
      visibility: ConsultationVisibility.CONFIDENTIAL,
      dueOn: null,
      fields: ['1.2', '2.2'],
    });
    const r3 = await createConsultationRequest(em, f, {
      title: 'Tư vấn Kế hoạch phát triển nông nghiệp công nghệ cao',
      kind: ConsultationKind.CONSULTATION,
      origin: ConsultationOrigin.SELF_INITIATED,
      status: ConsultationStatus.ACCEPTED,
      receivedOn: '2026-06-15',
      summary: null,
    });
    await assign(em, r1, associations[0], AssignmentRole.LEAD);
    await assign(em, r2, associations[1], AssignmentRole.LEAD);
    await assign(em, r2, associations[0]);
    await assign(em, r3, associations[0]);
    requestId = toGlobalId('ConsultationRequest', r1.id);
    const sections = [
      { number: '1', heading: 'Phạm vi điều chỉnh', text: 'Nghị quyết quy định chính sách hỗ trợ nhiệm vụ khoa học và công nghệ cấp tỉnh.' },
      { number: '2.1', heading: null, text: 'Đối tượng áp dụng:\n- tổ chức khoa học;\n- doanh nghiệp.' },
    ];
    const { document } = await createPolicyDocument(em, { sections }, r1, r2);
    await createPolicyDocument(em, { title: 'Dự thảo Đề án chuyển đổi số', link: null, versionLabel: null, issuedOn: null }, r2);
    documentId = toGlobalId('PolicyDocument', document.id);
    // Forums: open (public, feeding r1), members only, draft, closed with a synthesis; threads by members with and without a
    // public profile and by the federation; a hidden post with replies; an edited post; reactions.
    const open = await createForum(em, f, document, { title: 'Góp ý chuyển đổi số nông nghiệp Cần Thơ', consultationRequest: r1 });
    const members = await createForum(em, f, document, { title: 'Trao đổi nội bộ', visibility: ForumVisibility.MEMBERS_ONLY, tags: [] });
    await createForum(em, f, document, { title: 'Diễn đàn sắp mở', status: ForumStatus.DRAFT, description: null });
    const closed = await createForum(em, f, document, { title: 'Diễn đàn đã đóng', status: ForumStatus.CLOSED });
    const docSections = (await em.getConnection().execute<{ id: number }[]>('select id from policy_document_section where document_id = ? order by position', [document.id])).map((r) => r.id);
    for (const forum of [open, members, closed]) {
      const t1 = await createThread(em, forum, { title: 'Về mục tiêu', section: { id: docSections[0] }, author: people[0], association: associations[0] });
      const p1 = await createPost(em, t1, { body: 'Đồng ý **một phần**.\n<script>alert(1)</script> [x](javascript:alert(1)) https://example.org', author: people[0], association: associations[0], stance: PostStance.AGREE });
      const p2 = await createPost(em, t1, { body: 'Ý kiến bị ẩn.', author: people[1], association: associations[0], stance: PostStance.DISAGREE, hidden: 'Vi phạm nội quy' });
      const r = await createPost(em, t1, { body: 'Trả lời ý kiến bị ẩn.', author: people[5], association: associations[1], parent: p2 });
      await createPost(em, t1, { body: 'Liên hiệp hội ghi nhận.', byFederation: true, parent: r });
      const t2 = await createThread(em, forum, { title: 'Thông báo', byFederation: true });
      await createPost(em, t2, { body: 'Hạn góp ý cuối tháng.', byFederation: true, section: { id: docSections[1] } });
      await editPost(em, p1, 'Đồng ý **một phần**, đề nghị sửa mục 1.', PostStance.AGREE_WITH_CHANGES);
      await react(em, p1, people[0], ReactionKind.SUPPORT, associations[0]);
      await react(em, p1, people[5], ReactionKind.OPPOSE, associations[1]);
      if (forum === open) Object.assign(forumIds, { forum: toGlobalId('Forum', open.id), thread: toGlobalId('ForumThread', t1.id), post: toGlobalId('ForumPost', p1.id), hidden: toGlobalId('ForumPost', p2.id) });
      if (forum === closed) await createSynthesis(em, closed, { recommendations: [{ text: 'Tăng ngân sách.', section: { id: docSections[0] }, posts: [p1, p2] }, { text: 'Công khai tiến độ.' }] });
    }
    await seat(em, r1, people[1]);
    await seat(em, r1, people[0], PanelRole.CHAIR);
    await seat(em, r1, people[9], PanelRole.SECRETARY);
    await seat(em, r2, people[5], PanelRole.CHAIR);
    await createOpinion(em, r1, { association: associations[0], stance: OpinionStance.SUPPORT });
    await createOpinion(em, r1, { association: associations[0], author: people[0], text: 'Đồng ý, đề nghị làm rõ nguồn kinh phí.' });
    await createOpinion(em, r1, { association: associations[2], stance: OpinionStance.OPPOSE, text: 'Chưa đồng ý với mức hỗ trợ.' });
    await createOpinion(em, r2, { association: null, author: people[5], stance: OpinionStance.NO_OPINION });
    headers = (await createKey(em, 'ANALYST')).headers;
    viewers = {
      ADMIN: (await createKey(em, 'ADMIN')).headers,
      ANALYST: headers,
      ASSOCIATION: (await createKey(em, 'ASSOCIATION', associations[0])).headers,
      PUBLIC: {},
    };
    const d = await t.data<any>(
      '{ intellectuals(first: 1, orderBy: RECENTLY_ADDED) { edges { cursor node { id memberships(first: 1) { edges { node { id association { id } } } } } } } }',
      undefined,
      headers,
    );
    personId = d.intellectuals.edges[0].node.id;
    membershipId = d.intellectuals.edges[0].node.memberships.edges[0].node.id;
    associationId = d.intellectuals.edges[0].node.memberships.edges[0].node.association.id;
    cursor = d.intellectuals.edges[0].cursor;
  });
  afterAll(async () => {
    await jitOnly.stop();
    await plain.stop();
    await t.close();
  });

  async function post(url: string, body: unknown, h: Record<string, string>) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify(body) });
    const json = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    // Masked errors name the request: the one thing that differs between two requests.
    for (const e of json.errors ?? []) delete e.extensions?.requestId;
    return { status: res.status, json, sql: res.headers.get('x-sql-statements') };
  }

  const QUERIES: [string, (id: string) => Op, boolean][] = [
    [
      'nested connections',
      () => ({
        query: `query Nested { associations(first: 20, orderBy: CODE) { totalCount edges { cursor node { __typename id code name federation { code }
          members(first: 10, orderBy: RECENTLY_ADDED) { totalCount edges { node { role status externalId intellectual { fullName memberships(first: 5) { edges { node { association { name } } } } } } } } } } } }`,
      }),
      true,
    ],
    ['node(id) with fragments on every type', (id) => ({ query: 'query($id: ID!) { node(id: $id) { __typename id ... on Intellectual { fullName memberships(first: 3) { edges { node { association { code } } } } } ... on Association { code } } }', variables: { id } }), true],
    ['people with variables and a filter', () => ({ query: 'query($f: IntellectualFilter, $n: Int!) { intellectuals(filter: $f, first: $n) { totalCount pageInfo { hasNextPage endCursor } edges { node { fullName } } } }', variables: { f: { associationCode: 'EXE-AS1' }, n: 3 } }), true],
    ['a bad page size (BAD_USER_INPUT from a resolver)', () => ({ query: '{ intellectuals(first: 1000) { totalCount } }' }), true],
    ['a bad cursor', () => ({ query: '{ intellectuals(after: "garbage") { totalCount } }' }), true],
    ['a variable of the wrong type (400)', () => ({ query: 'query($n: Int!) { intellectuals(first: $n) { totalCount } }', variables: { n: 'ten' } }), true],
    ['the viewer', () => ({ query: '{ viewer { role } federation(code: "EXE-FED") { code associations { totalCount } } }' }), true],
    ['anonymous reads', () => ({ query: '{ intellectuals(first: 20) { edges { node { fullName } } } }' }), false],
  ];

  it.each(QUERIES)('%s: the same status, answer and SQL statements', async (_name, op, keyed) => {
    const body = op(personId);
    const h = keyed ? headers : {};
    for (let k = 0; k < 2; k++) {
      const [jit, graphqlJs] = [await post(jitOnlyUrl, body, h), await post(plainUrl, body, h)];
      expect(jit).toEqual(graphqlJs);
      // The hub as configured by default: reads it compiles to one statement answer the same, in fewer statements.
      const sqlRead = await post(t.url, body, h);
      expect({ status: sqlRead.status, json: sqlRead.json }).toEqual({ status: graphqlJs.status, json: graphqlJs.json });
      expect(Number(sqlRead.sql)).toBeLessThanOrEqual(Number(graphqlJs.sql));
    }
  });

  /**
   * Reads compiled to one SQL statement (common/sql-read.ts) against the resolvers, for every role:
   * the same answer, in one statement where the whole document is declared.
   */
  const SQL_READS: [string, () => Op, boolean][] = [
    [
      'people with personal data, fields, memberships and their associations',
      () => ({
        query: `{ intellectuals(first: 30, orderBy: RECENTLY_ADDED) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename } edges { __typename cursor node {
          __typename id fullName gender academicTitle highestDegree workplace position publicProfile version demo email phone birthDate fields { code labelVi labelEn parent { code labelVi } }
          memberships(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id externalId memberNumber joinedOn leftOn endReason status role association { id code name nameEn shortName status joinedOn version demo fields { code } } } } } } } } }`,
      }),
      true,
    ],
    [
      'members in Vietnamese order, filtered, with aliases and fragments',
      () => ({
        query: `query M($code: String!) { a: association(code: $code) { ...A active: members(filter: { status: ACTIVE }) { totalCount edges { node { ...Mem } } } byJoin: members(orderBy: RECENTLY_JOINED, first: 3) { edges { cursor node { joinedOn intellectual { fullName email } } } } }
          missing: association(code: "NO-SUCH") { code } __typename }
          fragment A on Association { __typename id code name }
          fragment Mem on Membership { role status intellectual { ... on Intellectual { fullName birthDate } ... on Node { id } } }`,
        variables: { code: 'EXE-AS0' },
      }),
      true,
    ],
    ['the next page after a cursor', () => ({ query: 'query($c: String) { intellectuals(first: 2, orderBy: RECENTLY_ADDED, after: $c) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { fullName } } } }', variables: { c: cursor } }), true],
    ['associations by code with their members', () => ({ query: '{ associations(first: 2, orderBy: CODE) { totalCount edges { node { code members(first: 2, orderBy: RECENTLY_ADDED) { edges { node { externalId intellectual { fullName phone } } } } } } } }' }), true],
    ['node(id) of a person', () => ({ query: 'query($id: ID!) { node(id: $id) { __typename id ... on Intellectual { fullName email memberships { edges { node { status association { code } } } } } } }', variables: { id: personId } }), true],
    ['node(id) of a membership', () => ({ query: 'query($id: ID!) { node(id: $id) { id ... on Membership { externalId intellectual { fullName } association { code } } } }', variables: { id: membershipId } }), true],
    ['node(id) of an association', () => ({ query: 'query($id: ID!) { node(id: $id) { id ... on Association { code members(first: 1) { totalCount } } } }', variables: { id: associationId } }), true],
    ['node(id) of nothing', () => ({ query: '{ node(id: "SW50ZWxsZWN0dWFsOjk5OTk5OTk") { id } }' }), true],
    [
      'federations with their parents, members and associations',
      () => ({
        query: `{ federations(first: 5) { totalCount edges { cursor node { id code name nameEn shortName level province foundedOn description status statusChangedOn demo
          parent { code } successor { code } members(first: 3) { totalCount edges { node { code } } }
          associations(first: 2, orderBy: CODE, filter: { status: ACTIVE }) { totalCount pageInfo { hasNextPage endCursor } edges { node { code federation { code } } } } } } }
          federation(code: "EXE-FED") { code associations(first: 1, orderBy: NAME) { edges { node { name } } } } }`,
      }),
      true,
    ],
    [
      'consultation requests with their agency, letter, federation and lead association, in each order',
      () => ({
        query: `{ byDue: consultationRequests(first: 5, orderBy: DUE_ASC) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node {
          __typename id kind subjectKind title summary origin format receivedOn dueOn visibility status version demo fields { code labelVi }
          agency { name level contact } requestDocument { number date issuer title } federation { code } leadAssociation { code name } } } }
          byTitle: consultationRequests(first: 2, orderBy: TITLE, filter: { kind: SOCIAL_CRITIQUE }) { totalCount edges { cursor node { title } } }
          newest: consultationRequests { edges { node { title receivedOn } } } }`,
      }),
      true,
    ],
    [
      "an association's consultation requests",
      () => ({ query: '{ association(code: "EXE-AS0") { code consultationRequests(first: 2, orderBy: TITLE) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title visibility leadAssociation { code } } } } } }' }),
      true,
    ],
    [
      'a consultation request by id and as a node',
      () => ({
        query: 'query($id: ID!) { consultationRequest(id: $id) { id title agency { name } } node(id: $id) { id ... on ConsultationRequest { status requestDocument { number date } } } }',
        variables: { id: requestId },
      }),
      true,
    ],
    ['consultation requests with overdue', () => ({ query: '{ consultationRequests(filter: { overdue: false }) { totalCount edges { node { title overdue dueOn status } } } }' }), true],
    [
      'consultation requests with their documents and sections, panel and opinions (the inside: empty for some roles)',
      () => ({
        query: `{ consultationRequests(first: 5, orderBy: TITLE) { edges { node { id title
          documents { __typename id title link versionLabel issuedOn demo sections { __typename number heading text } }
          panel { __typename id role intellectual { id fullName email } request { id title } }
          opinions(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id stance text version association { code } author { fullName phone } request { id } } } }
          supports: opinions(filter: { stance: SUPPORT }) { totalCount edges { node { text } } } } } } }`,
      }),
      true,
    ],
    ['node(id) of a policy document', () => ({ query: 'query($id: ID!) { node(id: $id) { id ... on PolicyDocument { title sections { number } } } }', variables: { id: documentId } }), true],
    // Timestamps (DateTime) stay on the resolvers.
    ['opinions with their timestamps', () => ({ query: '{ consultationRequests { edges { node { opinions { edges { node { createdAt } } } panel { since } } } } }' }), false],
    [
      'forums → threads → posts → replies, authors by consent, hidden posts masked, bodies rendered, synthesis',
      () => ({
        query: `{ forums(first: 5) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { __typename id title description status visibility tags version demo opensAt closesAt createdAt postCount threadCount lastActivityAt federation { code } document { title } consultationRequest { title }
          synthesis { summary version publishedAt attachedAt forum { id } recommendations { number text section { number } citedPosts { id hidden body authorName } } }
          threads(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title byFederation locked postCount version demo createdAt lastActivityAt authorName
            author { fullName email } association { code } section { number } forum { id }
            posts(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id body bodyHtml hidden hiddenReason stance authorName createdAt editedAt replyCount version byFederation reactions { support oppose } author { fullName email } association { code } section { number heading } history { revision body stance writtenAt }
              thread { id } forum { id } parent { id }
              replies(first: 3) { totalCount edges { node { id body hidden authorName parent { id } replies { totalCount edges { node { body authorName } } } } } } } } } } } } } } } }`,
      }),
      true,
    ],
    [
      'forums in each order, threads in each order and by section',
      () => ({
        query: `{ a: forums(orderBy: ACTIVITY_DESC) { edges { cursor node { title lastActivityAt } } } c: forums(orderBy: CLOSES_ASC, first: 2, filter: { status: OPEN }) { totalCount edges { cursor node { title } } }
          m: forums(filter: { visibility: MEMBERS_ONLY }) { totalCount } n: forums(filter: { tag: "Nông nghiệp" }) { totalCount edges { node { title threads(orderBy: POSTS_DESC) { edges { cursor node { title } } } s: threads(section: "1", orderBy: CREATED_ASC) { totalCount edges { node { title } } } } } } }`,
      }),
      true,
    ],
    [
      'forum(id), and threads and posts as nodes',
      () => ({
        query: `query($f: ID!, $t: ID!, $p: ID!, $h: ID!) { forum(id: $f) { title status } f: node(id: $f) { id ... on Forum { title } } t: node(id: $t) { id ... on ForumThread { title authorName posts { totalCount } } }
          p: node(id: $p) { id ... on ForumPost { id body bodyHtml hidden hiddenReason stance authorName createdAt editedAt replyCount version byFederation reactions { support oppose } author { fullName email } association { code } section { number heading } history { revision body stance writtenAt } } } h: node(id: $h) { id ... on ForumPost { id body bodyHtml hidden hiddenReason stance authorName createdAt editedAt replyCount version byFederation reactions { support oppose } author { fullName email } association { code } section { number heading } history { revision body stance writtenAt } replies { edges { node { body } } } } } }`,
        variables: { f: forumIds.forum, t: forumIds.thread, p: forumIds.post, h: forumIds.hidden },
      }),
      true,
    ],
    [
      'forumPosts, filtered (stance, search in bodies and thread titles, association), newest first',
      () => ({
        query: `query($f: ID!) { all: forumPosts(first: 4) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id body hidden stance authorName } } }
          agree: forumPosts(filter: { stance: AGREE_WITH_CHANGES }) { totalCount edges { node { body } } }
          search: forumPosts(filter: { search: "MUC TIEU", forumId: $f }) { totalCount edges { node { body thread { title } } } }
          hidden: forumPosts(filter: { search: "bi an" }) { totalCount edges { node { id hidden } } }
          as0: forumPosts(filter: { associationCode: "EXE-AS0", section: "1" }) { totalCount edges { node { id } } } }`,
        variables: { f: forumIds.forum },
      }),
      true,
    ],
    // A search of forums is ranked (on the resolvers); so is a person's reaction.
    ['forums searched, and reactions of people', () => ({ query: `query($p: ID!) { forums(filter: { search: "can tho" }) { totalCount edges { node { title } } } node(id: $p) { ... on ForumPost { viewerReaction(personId: "${'SW50ZWxsZWN0dWFsOjE'}") } } }`, variables: { p: forumIds.post } }), false],
    ['people of a field (filter) and Vietnamese order', () => ({ query: '{ intellectuals(filter: { field: "2", associationCode: "EXE-AS1" }) { totalCount edges { node { fullName fields { code } } } } }' }), true],
  ];

  it.each(SQL_READS)('%s: as the resolvers answer, for every role, in one statement', async (_name, op, compiled) => {
    for (const [role, h] of Object.entries(viewers)) {
      const body = op();
      const [sqlRead, resolvers] = [await post(t.url, body, h), await post(plainUrl, body, h)];
      expect({ role, status: sqlRead.status, json: sqlRead.json }).toEqual({ role, status: resolvers.status, json: resolvers.json });
      expect(resolvers.json.errors).toBeUndefined();
      if (compiled) expect({ role, sql: sqlRead.sql }).toEqual({ role, sql: '1' });
    }
  });

  it('serves the introspection query the explorer sends', async () => {
    const [jit, graphqlJs] = [await post(t.url, { query: getIntrospectionQuery() }, {}), await post(plainUrl, { query: getIntrospectionQuery() }, {})];
    expect(jit.status).toBe(200);
    expect(jit).toEqual(graphqlJs);
  });
});
