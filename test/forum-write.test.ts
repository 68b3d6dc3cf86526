import { createAssociation, createFederation, createIntellectual, createKey, createMembership } from './factories';
import { createConsultationRequest, createPolicyDocument, createReport } from './factories/consultation';
import { startTestHub, TestHub } from './support/harness';
import { fromGlobalId, toGlobalId } from '../src/common/node-id';
import { ConsultationStatus } from '../src/modules/consultation/consultation.enums';
import { MembershipStatus } from '../src/modules/intellectual/intellectual.enums';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';
import type { Intellectual } from '../src/modules/intellectual/intellectual.entity';

/**
 * The writes of the forum module, through the schema over HTTP: forums and their status, threads
 * and posts (authors, counters, replies, locking order under concurrency, idempotent retries,
 * flood control), edits and their history, reactions, moderation, the synthesis and its copy into
 * a consultation request's report, who may call what, and the audit log. The read side's fields
 * (body, author, replies…) belong to the reads module: what hangs off a record is checked in SQL.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
type Row = Record<string, any>;
let admin: Key;
let analyst: Key;
let keyA: Key; // Hội Nông nghiệp Cần Thơ's app
let keyB: Key; // another association's app
let federation: Federation;
let assocA: Association;
let assocB: Association;
let duc: Intellectual; // member of A
let lan: Intellectual; // member of A
let minh: Intellectual; // member of B
let former: Intellectual; // membership of A ended
let documentId: string;
let otherDocumentId: string;

const SECTIONS = [
  { number: '1', heading: 'Phạm vi', text: 'Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ giai đoạn 2026-2030.' },
  { number: '2.1', heading: 'Dữ liệu', text: 'Xây dựng cơ sở dữ liệu vùng trồng lúa.' },
  { number: '3', heading: 'Kinh phí', text: 'Ngân sách thành phố hỗ trợ 50%.' },
];

beforeAll(async () => {
  // Flood control generous here (the concurrency test posts 20 at once); its own hub below tests it.
  t = await startTestHub({ FORUM_POSTS_PER_MINUTE: '100000' });
  const em = t.em();
  admin = await createKey(em, 'ADMIN');
  analyst = await createKey(em, 'ANALYST');
  federation = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' } as never);
  assocA = await createAssociation(em, federation, { name: 'Hội Nông nghiệp thành phố Cần Thơ', shortName: 'Hội Nông nghiệp' } as never);
  assocB = await createAssociation(em, federation, { name: 'Hội Tin học thành phố Cần Thơ' } as never);
  keyA = await createKey(em, 'ASSOCIATION', assocA);
  keyB = await createKey(em, 'ASSOCIATION', assocB);
  duc = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức' } as never);
  lan = await createIntellectual(em, { fullName: 'Trần Thị Lan', publicProfile: false } as never);
  minh = await createIntellectual(em, { fullName: 'Lê Hoàng Minh' } as never);
  former = await createIntellectual(em, { fullName: 'Phạm Văn Cũ' } as never);
  await createMembership(em, duc, assocA);
  await createMembership(em, lan, assocA);
  await createMembership(em, minh, assocB);
  await createMembership(em, former, assocA, { status: MembershipStatus.ENDED, leftOn: '2025-12-31' } as never);
  const { document } = await createPolicyDocument(em, { title: 'Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ', sections: SECTIONS });
  documentId = gid('PolicyDocument', document.id);
  const { document: other } = await createPolicyDocument(em, { title: 'Dự thảo Đề án du lịch nông thôn', sections: [{ number: '1', text: 'Phát triển du lịch nông thôn.' }] });
  otherDocumentId = gid('PolicyDocument', other.id);
});
afterAll(() => t.close());

const ERRORS = 'userErrors { code field message }';
const FORUM = 'forum { id title description opensAt closesAt visibility tags version status }';
const THREAD = 'thread { id title byFederation locked lastActivityAt postCount version }';
const POST = 'post { id byFederation editedAt replyCount version }';
const SYNTHESIS = 'synthesis { summary publishedAt attachedAt version }';
const MUTATIONS: Record<string, [input: string, payload: string]> = {
  createForum: ['CreateForumInput', `{ ${FORUM} ${ERRORS} }`],
  updateForum: ['UpdateForumInput', `{ ${FORUM} ${ERRORS} }`],
  setForumStatus: ['SetForumStatusInput', `{ ${FORUM} ${ERRORS} }`],
  createThread: ['CreateThreadInput', `{ ${THREAD} ${POST} ${ERRORS} }`],
  createPost: ['CreatePostInput', `{ ${POST} ${ERRORS} }`],
  editPost: ['EditPostInput', `{ ${POST} ${ERRORS} }`],
  reactToPost: ['ReactToPostInput', `{ ${POST} ${ERRORS} }`],
  hidePost: ['HidePostInput', `{ ${POST} ${ERRORS} }`],
  unhidePost: ['UnhidePostInput', `{ ${POST} ${ERRORS} }`],
  lockThread: ['LockThreadInput', `{ ${THREAD} ${POST} ${ERRORS} }`],
  publishSynthesis: ['PublishSynthesisInput', `{ ${SYNTHESIS} ${ERRORS} }`],
  attachSynthesisToRequest: ['AttachSynthesisToRequestInput', `{ consultationRequest { id version status } ${SYNTHESIS} ${ERRORS} }`],
};
const doc = (name: string) => `mutation($input: ${MUTATIONS[name][0]}!) { ${name}(input: $input) ${MUTATIONS[name][1]} }`;

async function m(name: string, input: Row, headers: Record<string, string> = admin.headers, hub: TestHub = t): Promise<Row> {
  const r = await hub.gql<any>(doc(name), { input }, headers);
  if (r.body.errors) throw new Error(`${name}: GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data[name];
}

async function ok(name: string, input: Row, headers?: Record<string, string>, hub?: TestHub): Promise<Row> {
  const payload = await m(name, input, headers, hub);
  expect({ name, userErrors: payload.userErrors }).toEqual({ name, userErrors: [] });
  return payload;
}

/** A mutation the caller may not make: [HTTP status, error code]; nothing in data. */
async function denied(name: string, input: Row, headers: Record<string, string>): Promise<[number, string]> {
  const r = await t.gql<any>(doc(name), { input }, headers);
  expect(r.body.data?.[name] ?? null).toBeNull();
  return [r.status, r.body.errors![0].extensions!.code];
}

const codes = (payload: Row) => payload.userErrors.map((e: Row) => `${e.code} ${e.field.join('.')}`);

async function sql<T = Row>(query: string, params: unknown[] = [], hub: TestHub = t): Promise<T[]> {
  return hub.orm.em.getConnection().execute(query, params);
}

const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const gid = (type: string, id: number) => toGlobalId(type, id);
const person = (i: Intellectual) => gid('Intellectual', i.id);

/** Row counts of every table the module writes (and the report's), and of the audit log. */
async function counts(): Promise<Row> {
  const tables = [
    'forum',
    'forum_thread',
    'forum_post',
    'forum_post_revision',
    'forum_reaction',
    'forum_synthesis',
    'forum_synthesis_recommendation',
    'forum_synthesis_citation',
    'consultation_report',
    'consultation_recommendation',
    'audit_event',
    'idempotency_record',
  ];
  const [r] = await sql(`select ${tables.map((x) => `(select count(*) from ${x})::int as ${x}`).join(', ')}`);
  // Counters too: a refused write must not have bumped any.
  const [c] = await sql(`select coalesce(sum(post_count), 0)::int as forum_posts, coalesce(sum(thread_count), 0)::int as forum_threads,
    (select coalesce(sum(post_count), 0)::int from forum_thread) as thread_posts, (select coalesce(sum(reply_count), 0)::int from forum_post) as replies,
    (select coalesce(sum(support_count + oppose_count), 0)::int from forum_post) as reactions,
    (select coalesce(sum(version), 0)::int from forum_post) as post_versions, (select coalesce(sum(version), 0)::int from forum) as forum_versions from forum`);
  return { ...r, ...c };
}

async function auditOf(entityType: string, id: string | number): Promise<Row[]> {
  return sql(`select * from audit_event where entity_type = ? and entity_id = ? order by id`, [entityType, typeof id === 'number' ? id : dbId(id)]);
}

async function postRow(id: string): Promise<Row> {
  const [r] = await sql(`select * from forum_post where id = ?`, [dbId(id)]);
  return r;
}

// ---------------------------------------------------------------- building forums through the mutations

let seq = 0;
const idem = () => `fw-${process.pid}-${seq++}`;
const HOUR = 3600_000;

function forumInput(over: Row = {}): Row {
  return {
    federationCode: federation.code,
    title: `Góp ý Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ ${seq++}`,
    description: 'Mời hội viên góp ý từng mục của dự thảo.\n\nThời hạn: 30 ngày.',
    documentId,
    opensAt: new Date(Date.now() - HOUR).toISOString(),
    closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString(),
    tags: ['Nông nghiệp', 'chuyển đổi số', 'nông nghiệp'],
    ...over,
  };
}

async function openForum(over: Row = {}): Promise<Row> {
  return (await ok('createForum', forumInput(over))).forum;
}

async function closedForum(over: Row = {}): Promise<Row> {
  const f = await openForum(over);
  return (await ok('setForumStatus', { id: f.id, status: 'CLOSED' })).forum;
}

async function thread(forum: Row, over: Row = {}, headers = keyA.headers): Promise<{ thread: Row; post: Row }> {
  const p = await ok(
    'createThread',
    { forumId: forum.id, title: 'Về cơ sở dữ liệu vùng trồng', section: '2.1', authorId: headers === admin.headers ? undefined : person(duc), body: 'Đề nghị làm rõ **ai** quản lý dữ liệu.', stance: 'AGREE_WITH_CHANGES', ...over },
    headers,
  );
  return { thread: p.thread, post: p.post };
}

async function post(threadId: string, over: Row = {}, headers = keyA.headers): Promise<Row> {
  return (await ok('createPost', { threadId, authorId: headers === admin.headers ? undefined : person(duc), body: 'Đồng ý với ý kiến trên.', ...over }, headers)).post;
}

// ---------------------------------------------------------------- forums

describe('createForum, updateForum', () => {
  it('creates a forum (ADMIN), tags lower-cased without duplicates, status from the times, audited', async () => {
    const f = await openForum({ title: '  Góp ý   Dự thảo  Kế hoạch Cần Thơ ' });
    expect(f).toMatchObject({ title: 'Góp ý Dự thảo Kế hoạch Cần Thơ', visibility: 'PUBLIC', tags: ['nông nghiệp', 'chuyển đổi số'], version: 1, status: 'OPEN' });
    expect(f.description).toBe('Mời hội viên góp ý từng mục của dự thảo.\n\nThời hạn: 30 ngày.');
    const [row] = await sql(`select * from forum where id = ?`, [dbId(f.id)]);
    expect(row).toMatchObject({ federation_id: federation.id, document_id: dbId(documentId), consultation_request_id: null, post_count: 0, thread_count: 0, closed_at: null });
    const [e] = await auditOf('Forum', f.id);
    expect(e).toMatchObject({ action: 'CREATE', key_id: admin.id });
    expect(e.changes.title).toEqual({ old: null, new: 'Góp ý Dự thảo Kế hoạch Cần Thơ' });
    const draft = await openForum({ opensAt: new Date(Date.now() + 24 * HOUR).toISOString(), visibility: 'MEMBERS_ONLY' });
    expect(draft).toMatchObject({ status: 'DRAFT', visibility: 'MEMBERS_ONLY' });
  });

  it('refuses bad input with every problem and its path, and writes nothing', async () => {
    const before = await counts();
    const p = await m(
      'createForum',
      forumInput({
        federationCode: 'KHONG-CO',
        title: '   ',
        documentId: gid('PolicyDocument', 2147483000),
        consultationRequestId: 'không-phải-id',
        closesAt: new Date(Date.now() - 2 * HOUR).toISOString(),
        tags: [...Array.from({ length: 21 }, (_, k) => `thẻ ${k}`)],
        idempotencyKey: 'khóa sai',
      }),
    );
    expect(p.forum).toBeNull();
    expect(codes(p).sort()).toEqual(
      ['INVALID idempotencyKey', 'NOT_FOUND federationCode', 'NOT_FOUND documentId', 'NOT_FOUND consultationRequestId', 'INVALID_DATE closesAt', 'REQUIRED title', 'TOO_MANY_ROWS tags'].sort(),
    );
    const tags = await m('createForum', forumInput({ tags: ['', 'x'.repeat(51)], opensAt: '1000-01-01T00:00:00Z' }));
    expect(codes(tags).sort()).toEqual(['INVALID_DATE opensAt', 'REQUIRED tags.0', 'TOO_LONG tags.1']);
    expect(await counts()).toEqual(before);
  });

  it('only ADMIN writes forums: the public, ANALYST and association keys are refused', async () => {
    expect(await denied('createForum', forumInput(), {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await denied('createForum', forumInput(), analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('createForum', forumInput(), keyA.headers)).toEqual([403, 'FORBIDDEN']);
    const f = await openForum();
    expect(await denied('updateForum', { id: f.id, expectedVersion: 1, title: 'x' }, keyA.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('setForumStatus', { id: f.id, status: 'CLOSED' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
  });

  it('updates under the version guard: CONFLICT with the forum as it is; the document only while there are no threads', async () => {
    const f = await openForum();
    const p = await ok('updateForum', { id: f.id, expectedVersion: 1, title: 'Góp ý dự thảo (lần 2)', description: null, tags: ['Cần Thơ'], visibility: 'MEMBERS_ONLY' });
    expect(p.forum).toMatchObject({ version: 2, title: 'Góp ý dự thảo (lần 2)', description: null, tags: ['cần thơ'], visibility: 'MEMBERS_ONLY' });
    const [, e] = await auditOf('Forum', f.id);
    expect(e).toMatchObject({ action: 'UPDATE' });
    expect(Object.keys(e.changes).sort()).toEqual(['description', 'tags', 'title', 'visibility']);

    const before = await counts();
    const stale = await m('updateForum', { id: f.id, expectedVersion: 1, title: 'Cũ' });
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.forum).toMatchObject({ id: f.id, version: 2, title: 'Góp ý dự thảo (lần 2)' });
    expect(codes(await m('updateForum', { id: f.id, expectedVersion: 2, closesAt: new Date(Date.now() - 2 * HOUR).toISOString() }))).toEqual(['INVALID_DATE closesAt']);
    expect(codes(await m('updateForum', { id: f.id, expectedVersion: 2, title: null, opensAt: null }))).toEqual(['REQUIRED title', 'REQUIRED opensAt']);
    // Nothing to change: nothing written.
    expect((await ok('updateForum', { id: f.id, expectedVersion: 2, title: 'Góp ý dự thảo (lần 2)' })).forum.version).toBe(2);
    expect(await counts()).toEqual(before);

    expect((await ok('updateForum', { id: f.id, expectedVersion: 2, documentId: otherDocumentId })).forum.version).toBe(3);
    await ok('updateForum', { id: f.id, expectedVersion: 3, documentId });
    await thread(f, { section: null });
    const moved = await m('updateForum', { id: f.id, expectedVersion: 4, documentId: otherDocumentId });
    expect(codes(moved)).toEqual(['INVALID_STATE documentId']);
  });
});

describe('setForumStatus', () => {
  it('walks DRAFT → OPEN → CLOSED → OPEN → CLOSED → ARCHIVED → CLOSED, setting the times, audited', async () => {
    const f = await openForum({ opensAt: new Date(Date.now() + 24 * HOUR).toISOString() });
    expect(f.status).toBe('DRAFT');
    let version = f.version;
    const walk: [string, Row][] = [
      ['OPEN', { closed_at: null }],
      ['CLOSED', {}],
      ['OPEN', { closed_at: null }],
      ['CLOSED', {}],
      ['ARCHIVED', {}],
      ['CLOSED', { archived_at: null }],
    ];
    for (const [status, expected] of walk) {
      const p = await ok('setForumStatus', { id: f.id, status, expectedVersion: version, note: `Chuyển sang ${status}` });
      expect(p.forum).toMatchObject({ status, version: version + 1 });
      version++;
      const [row] = await sql(`select * from forum where id = ?`, [dbId(f.id)]);
      expect(row).toMatchObject(expected);
      if (status === 'CLOSED') expect(row.closed_at).not.toBeNull();
      if (status === 'ARCHIVED') expect(row.archived_at).not.toBeNull();
    }
    const [row] = await sql(`select opens_at from forum where id = ?`, [dbId(f.id)]);
    expect(new Date(row.opens_at).getTime()).toBeLessThanOrEqual(Date.now());
    const moves = (await auditOf('Forum', f.id)).filter((e) => e.action === 'STATUS');
    expect(moves.map((e) => `${e.changes.status.old}→${e.changes.status.new}`)).toEqual(['DRAFT→OPEN', 'OPEN→CLOSED', 'CLOSED→OPEN', 'OPEN→CLOSED', 'CLOSED→ARCHIVED', 'ARCHIVED→CLOSED']);
    expect(moves[0].changes.note).toEqual({ old: null, new: 'Chuyển sang OPEN' });
  });

  it('refuses every other move with INVALID_TRANSITION, a forum closed by its time does not reopen, a stale version is CONFLICT; nothing changes', async () => {
    const draft = await openForum({ opensAt: new Date(Date.now() + 24 * HOUR).toISOString() });
    const open = await openForum();
    const archived = await closedForum();
    await ok('setForumStatus', { id: archived.id, status: 'ARCHIVED' });
    // Closed by its time (closesAt passed): moved back with SQL, as no clock is waited for.
    const timeUp = await openForum();
    await sql(`update forum set opens_at = now() - interval '10 days', closes_at = now() - interval '1 day' where id = ?`, [dbId(timeUp.id)]);
    const before = await counts();
    const refused: [Row, string][] = [
      [draft, 'CLOSED'],
      [draft, 'ARCHIVED'],
      [draft, 'DRAFT'],
      [open, 'ARCHIVED'],
      [open, 'OPEN'],
      [open, 'DRAFT'],
      [archived, 'OPEN'],
      [archived, 'ARCHIVED'],
      [timeUp, 'OPEN'],
      [timeUp, 'DRAFT'],
    ];
    for (const [f, status] of refused) {
      const p = await m('setForumStatus', { id: f.id, status });
      expect({ status, errors: codes(p) }).toEqual({ status, errors: ['INVALID_TRANSITION status'] });
      expect(p.forum.id).toBe(f.id);
    }
    const stale = await m('setForumStatus', { id: open.id, status: 'CLOSED', expectedVersion: 7 });
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.forum).toMatchObject({ status: 'OPEN', version: 1 });
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- threads and posts

describe('createThread and createPost', () => {
  it('an association writes for its current member: thread and first post, counters, audited', async () => {
    const f = await openForum();
    const { thread: th, post: first } = await thread(f);
    expect(th).toMatchObject({ title: 'Về cơ sở dữ liệu vùng trồng', byFederation: false, locked: false, postCount: 1, version: 1 });
    expect(first).toMatchObject({ byFederation: false, editedAt: null, replyCount: 0, version: 1 });
    const [tRow] = await sql(`select t.*, s.number from forum_thread t join policy_document_section s on s.id = t.section_id where t.id = ?`, [dbId(th.id)]);
    expect(tRow).toMatchObject({ author_id: duc.id, association_id: assocA.id, number: '2.1', post_count: 1 });
    const pRow = await postRow(first.id);
    expect(pRow).toMatchObject({ thread_id: dbId(th.id), forum_id: dbId(f.id), parent_id: null, author_id: duc.id, association_id: assocA.id, body: 'Đề nghị làm rõ **ai** quản lý dữ liệu.', stance: 'AGREE_WITH_CHANGES', section_id: tRow.section_id });
    const [fRow] = await sql(`select * from forum where id = ?`, [dbId(f.id)]);
    expect(fRow).toMatchObject({ thread_count: 1, post_count: 1 });
    expect(fRow.last_activity_at).not.toBeNull();
    expect(await auditOf('ForumThread', th.id)).toMatchObject([{ action: 'CREATE', association_code: assocA.code }]);
    expect(await auditOf('ForumPost', first.id)).toMatchObject([{ action: 'CREATE', association_code: assocA.code }]);
  });

  it('ADMIN writes as the federation (no author); an authorId from ADMIN is INVALID', async () => {
    const f = await openForum();
    const { thread: th, post: first } = await thread(f, { authorId: undefined, section: null }, admin.headers);
    expect(th.byFederation).toBe(true);
    expect(first.byFederation).toBe(true);
    expect(await postRow(first.id)).toMatchObject({ author_id: null, association_id: null, by_federation: true });
    const p = await post(th.id, {}, admin.headers);
    expect(await postRow(p.id)).toMatchObject({ author_id: null, association_id: null, by_federation: true });
    const before = await counts();
    expect(codes(await m('createPost', { threadId: th.id, authorId: person(duc), body: 'Ý kiến' }))).toEqual(['INVALID authorId']);
    expect(codes(await m('createThread', { forumId: f.id, title: 'T', authorId: person(duc), body: 'Ý kiến' }))).toEqual(['INVALID authorId']);
    expect(await counts()).toEqual(before);
  });

  it('NOT_A_MEMBER for a person of another association, an ended membership, or no such person; REQUIRED without an author', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    const before = await counts();
    for (const who of [minh, former]) {
      expect(codes(await m('createThread', { forumId: f.id, title: 'Ý kiến', authorId: person(who), body: 'Nội dung' }, keyA.headers))).toEqual(['NOT_A_MEMBER authorId']);
      expect(codes(await m('createPost', { threadId: th.id, authorId: person(who), body: 'Nội dung' }, keyA.headers))).toEqual(['NOT_A_MEMBER authorId']);
    }
    expect(codes(await m('createPost', { threadId: th.id, authorId: gid('Intellectual', 2147483000), body: 'Nội dung' }, keyA.headers))).toEqual(['NOT_A_MEMBER authorId']);
    expect(codes(await m('createPost', { threadId: th.id, body: 'Nội dung' }, keyA.headers))).toEqual(['REQUIRED authorId']);
    expect(await counts()).toEqual(before);
  });

  it('validates title, body, section and ids, reporting every problem at once; nothing written', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    const before = await counts();
    const p = await m('createThread', { forumId: f.id, title: 'x'.repeat(301), section: '9.9', authorId: person(duc), body: '   ' }, keyA.headers);
    expect(codes(p).sort()).toEqual(['NOT_FOUND section', 'REQUIRED body', 'TOO_LONG title']);
    const q = await m('createPost', { threadId: th.id, authorId: person(duc), body: 'ấ'.repeat(20_001), section: 'IV' }, keyA.headers);
    expect(codes(q).sort()).toEqual(['NOT_FOUND section', 'TOO_LONG body']);
    for (const id of [f.id, gid('ForumThread', 2147483000), 'không-phải-id']) expect(codes(await m('createPost', { threadId: id, authorId: person(duc), body: 'x' }, keyA.headers))).toEqual(['NOT_FOUND threadId']);
    expect(codes(await m('createThread', { forumId: th.id, title: 'x', authorId: person(duc), body: 'x' }, keyA.headers))).toEqual(['NOT_FOUND forumId']);
    expect(await counts()).toEqual(before);
    // A body of exactly 20,000 characters, Markdown and line breaks kept as given.
    const head = '# Ý kiến của Hội\n\n- Một\n- Hai\n';
    const body = `${head}${'đ'.repeat(20_000 - [...head].length)}`;
    expect([...body].length).toBe(20_000);
    const long = await post(th.id, { body, section: '3' });
    expect((await postRow(long.id)).body).toBe(body);
  });

  it('replies to any depth: reply counts, thread and forum counters exact; a reply across threads is INVALID', async () => {
    const f = await openForum();
    const { thread: th, post: first } = await thread(f);
    const { thread: other, post: otherFirst } = await thread(f, { title: 'Về kinh phí', section: '3' });
    const r1 = await post(th.id, { parentId: first.id, stance: 'DISAGREE' });
    const r2 = await post(th.id, { parentId: r1.id, authorId: person(lan) });
    const r3 = await post(th.id, { parentId: r2.id }, admin.headers);
    await post(th.id, { parentId: first.id }, admin.headers);
    await post(th.id);
    const replies = await sql(`select id, parent_id, reply_count from forum_post where thread_id = ? order by id`, [dbId(th.id)]);
    expect(replies.map((r) => [r.id, r.parent_id, r.reply_count])).toEqual([
      [dbId(first.id), null, 2],
      [dbId(r1.id), dbId(first.id), 1],
      [dbId(r2.id), dbId(r1.id), 1],
      [dbId(r3.id), dbId(r2.id), 0],
      [expect.any(Number), dbId(first.id), 0],
      [expect.any(Number), null, 0],
    ]);
    // A reply takes its thread's section unless it names one.
    expect((await postRow(r1.id)).section_id).toBe((await postRow(first.id)).section_id);
    const [t1] = await sql(`select post_count from forum_thread where id = ?`, [dbId(th.id)]);
    expect(t1.post_count).toBe(6);
    const [fr] = await sql(`select post_count, thread_count from forum where id = ?`, [dbId(f.id)]);
    expect(fr).toEqual({ post_count: 7, thread_count: 2 });

    const before = await counts();
    const across = await m('createPost', { threadId: other.id, parentId: first.id, authorId: person(duc), body: 'Trả lời nhầm chỗ' }, keyA.headers);
    expect(codes(across)).toEqual(['INVALID parentId']);
    expect(codes(await m('createPost', { threadId: other.id, parentId: gid('ForumPost', 2147483000), authorId: person(duc), body: 'x' }, keyA.headers))).toEqual(['NOT_FOUND parentId']);
    expect(await counts()).toEqual(before);
    expect(otherFirst).toBeTruthy();
  });

  it('FORUM_CLOSED in a forum not OPEN (DRAFT for ADMIN, CLOSED, ARCHIVED; a DRAFT does not exist for an association), THREAD_LOCKED in a locked thread', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    const draft = await openForum({ opensAt: new Date(Date.now() + 24 * HOUR).toISOString() });
    const before = await counts();
    expect(codes(await m('createThread', { forumId: draft.id, title: 'Sớm quá', body: 'x' }))).toEqual(['FORUM_CLOSED forumId']);
    expect(codes(await m('createThread', { forumId: draft.id, title: 'Sớm quá', authorId: person(duc), body: 'x' }, keyA.headers))).toEqual(['NOT_FOUND forumId']);

    await ok('lockThread', { id: th.id });
    expect(codes(await m('createPost', { threadId: th.id, authorId: person(duc), body: 'Muộn rồi' }, keyA.headers))).toEqual(['THREAD_LOCKED threadId']);
    expect(codes(await m('createPost', { threadId: th.id, body: 'Muộn rồi' }))).toEqual(['THREAD_LOCKED threadId']);
    await ok('lockThread', { id: th.id, locked: false });

    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    const after = await counts();
    expect(codes(await m('createPost', { threadId: th.id, authorId: person(duc), body: 'Muộn rồi' }, keyA.headers))).toEqual(['FORUM_CLOSED threadId']);
    expect(codes(await m('createThread', { forumId: f.id, title: 'Muộn', authorId: person(duc), body: 'x' }, keyA.headers))).toEqual(['FORUM_CLOSED forumId']);
    await ok('setForumStatus', { id: f.id, status: 'ARCHIVED' });
    expect(codes(await m('createPost', { threadId: th.id, body: 'Muộn rồi' }))).toEqual(['FORUM_CLOSED threadId']);
    const [{ n }] = await sql(`select count(*)::int as n from forum_post where thread_id = ?`, [dbId(th.id)]);
    expect(n).toBe(1);
    expect(after.forum_post).toBe(before.forum_post);
  });

  it('the public and ANALYST cannot write threads or posts', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    expect(await denied('createThread', { forumId: f.id, title: 'x', body: 'x' }, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await denied('createThread', { forumId: f.id, title: 'x', body: 'x' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('createPost', { threadId: th.id, body: 'x' }, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await denied('createPost', { threadId: th.id, body: 'x' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('lockThread', { id: th.id }, keyA.headers)).toEqual([403, 'FORBIDDEN']);
  });

  it('a retried createPost with the same idempotency key posts once and answers the same; another input with the key is IDEMPOTENCY_KEY_REUSED', async () => {
    const f = await openForum();
    const { thread: th, post: first } = await thread(f);
    const key = idem();
    const input = { threadId: th.id, parentId: first.id, authorId: person(duc), body: 'Gửi lại sau khi hết thời gian chờ.', idempotencyKey: key };
    const a = await ok('createPost', input, keyA.headers);
    const b = await ok('createPost', input, keyA.headers);
    expect(b).toEqual(a);
    const [{ n }] = await sql(`select count(*)::int as n from forum_post where thread_id = ? and body = ?`, [dbId(th.id), input.body]);
    expect(n).toBe(1);
    const [tr] = await sql(`select post_count from forum_thread where id = ?`, [dbId(th.id)]);
    expect(tr.post_count).toBe(2);
    expect((await postRow(first.id)).reply_count).toBe(1);
    expect((await auditOf('ForumPost', a.post.id)).filter((e) => e.action === 'CREATE')).toHaveLength(1);
    const reused = await m('createPost', { ...input, body: 'Nội dung khác' }, keyA.headers);
    expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED idempotencyKey']);
    // The same for a thread.
    const tkey = idem();
    const tIn = { forumId: f.id, title: 'Một lần thôi', authorId: person(lan), body: 'Nội dung', idempotencyKey: tkey };
    const t1 = await ok('createThread', tIn, keyA.headers);
    expect(await ok('createThread', tIn, keyA.headers)).toEqual(t1);
    const [{ threads }] = await sql(`select count(*)::int as threads from forum_thread where forum_id = ? and title = 'Một lần thôi'`, [dbId(f.id)]);
    expect(threads).toBe(1);
  });

  it('20 posts at once on one thread: all stored, post_count exact, and ids in commit order (a reader paging by id never misses one)', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    const threadId = dbId(th.id);
    const snapshots: number[][] = [];
    let done = false;
    const reader = (async () => {
      while (!done) snapshots.push((await sql<{ id: number }>(`select id from forum_post where thread_id = ? order by id`, [threadId])).map((r) => r.id));
    })();
    let payloads: Row[];
    try {
      payloads = await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          k % 3 ? ok('createPost', { threadId: th.id, authorId: person(k % 2 ? duc : lan), body: `Ý kiến số ${k + 1} từ Cần Thơ` }, keyA.headers) : ok('createPost', { threadId: th.id, body: `Ý kiến số ${k + 1} của Liên hiệp hội` }),
        ),
      );
    } finally {
      done = true;
      await reader;
    }
    const final = (await sql<{ id: number }>(`select id from forum_post where thread_id = ? order by id`, [threadId])).map((r) => r.id);
    expect(final).toHaveLength(21);
    expect(new Set(payloads.map((p) => dbId(p.post.id))).size).toBe(20);
    // Every committed state a reader saw is a prefix of the final order: no post committed behind one already seen.
    for (const s of snapshots) expect(final.slice(0, s.length)).toEqual(s);
    expect(snapshots.length).toBeGreaterThan(0);
    const [tr] = await sql(`select post_count from forum_thread where id = ?`, [threadId]);
    expect(tr.post_count).toBe(21);
    const [fr] = await sql(`select post_count from forum where id = ?`, [dbId(f.id)]);
    expect(fr.post_count).toBe(21);
  });
});

// ---------------------------------------------------------------- edits

describe('editPost', () => {
  it('the writing association edits its post: earlier bodies kept as revisions, editedAt set, version + 1, audited', async () => {
    const f = await openForum();
    const { post: p } = await thread(f);
    const e1 = await ok('editPost', { id: p.id, expectedVersion: 1, body: 'Đề nghị làm rõ cơ quan quản lý dữ liệu.' }, keyA.headers);
    expect(e1.post).toMatchObject({ version: 2 });
    expect(e1.post.editedAt).not.toBeNull();
    const e2 = await ok('editPost', { id: p.id, expectedVersion: 2, body: 'Đề nghị giao Sở Nông nghiệp quản lý dữ liệu.', stance: null }, keyA.headers);
    expect(e2.post.version).toBe(3);
    const row = await postRow(p.id);
    expect(row).toMatchObject({ body: 'Đề nghị giao Sở Nông nghiệp quản lý dữ liệu.', stance: null, version: 3 });
    const revs = await sql(`select revision, body, stance from forum_post_revision where post_id = ? order by revision`, [dbId(p.id)]);
    expect(revs).toEqual([
      { revision: 1, body: 'Đề nghị làm rõ **ai** quản lý dữ liệu.', stance: 'AGREE_WITH_CHANGES' },
      { revision: 2, body: 'Đề nghị làm rõ cơ quan quản lý dữ liệu.', stance: 'AGREE_WITH_CHANGES' },
    ]);
    const edits = (await auditOf('ForumPost', p.id)).filter((e) => e.action === 'UPDATE');
    expect(edits).toHaveLength(2);
    expect(edits[1].changes.stance).toEqual({ old: 'AGREE_WITH_CHANGES', new: null });
    // The same body again: nothing written.
    const same = await ok('editPost', { id: p.id, body: 'Đề nghị giao Sở Nông nghiệp quản lý dữ liệu.' }, keyA.headers);
    expect(same.post.version).toBe(3);
  });

  it('another association cannot edit (FORBIDDEN); a stale version is CONFLICT with the post as it is', async () => {
    const f = await openForum();
    const { post: p } = await thread(f);
    expect(await denied('editPost', { id: p.id, body: 'Sửa bài của hội khác' }, keyB.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('editPost', { id: p.id, body: 'x' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('editPost', { id: p.id, body: 'x' }, {})).toEqual([401, 'UNAUTHENTICATED']);
    await ok('editPost', { id: p.id, body: 'Bản sửa lần một.' }, keyA.headers);
    const before = await counts();
    const stale = await m('editPost', { id: p.id, expectedVersion: 1, body: 'Bản cũ' }, keyA.headers);
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.post).toMatchObject({ id: p.id, version: 2 });
    expect(await counts()).toEqual(before);
    // ADMIN edits anyone's post.
    expect((await ok('editPost', { id: p.id, expectedVersion: 2, body: 'Ban quản trị sửa lỗi chính tả.' })).post.version).toBe(3);
  });

  it('EDIT_WINDOW_CLOSED once the post is older than the window (ADMIN exempt); INVALID_STATE on a hidden post; THREAD_LOCKED; FORUM_CLOSED', async () => {
    const f = await openForum();
    const { thread: th, post: p } = await thread(f);
    // Two days old: moved back with SQL (the window is 1440 minutes by default).
    await sql(`update forum_post set created_at = now() - interval '2 days' where id = ?`, [dbId(p.id)]);
    const before = await counts();
    const late = await m('editPost', { id: p.id, body: 'Sửa muộn' }, keyA.headers);
    expect(codes(late)).toEqual(['EDIT_WINDOW_CLOSED id']);
    expect(late.post).toMatchObject({ id: p.id, version: 1 });
    expect(await counts()).toEqual(before);
    expect((await ok('editPost', { id: p.id, body: 'Ban quản trị sửa' })).post.version).toBe(2);

    const fresh = await post(th.id);
    await ok('hidePost', { id: fresh.id, reason: 'Vi phạm nội quy diễn đàn' });
    const b2 = await counts();
    expect(codes(await m('editPost', { id: fresh.id, body: 'Sửa bài đã ẩn' }, keyA.headers))).toEqual(['INVALID_STATE id']);
    await ok('unhidePost', { id: fresh.id });
    await ok('lockThread', { id: th.id });
    const b3 = await counts();
    expect(codes(await m('editPost', { id: fresh.id, body: 'Sửa trong chủ đề đã khóa' }, keyA.headers))).toEqual(['THREAD_LOCKED id']);
    await ok('lockThread', { id: th.id, locked: false });
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    const b4 = await counts();
    expect(codes(await m('editPost', { id: fresh.id, body: 'Sửa khi đã đóng' }, keyA.headers))).toEqual(['FORUM_CLOSED id']);
    expect(await counts()).toEqual(b4);
    expect(b3.forum_post_revision).toBe(b2.forum_post_revision);
  });
});

describe('editPost with a window of 0 minutes', () => {
  let h: TestHub;
  beforeAll(async () => {
    h = await startTestHub({ FORUM_EDIT_WINDOW_MINUTES: '0' });
  });
  afterAll(() => h.close());

  it('an association can no longer edit; ADMIN still can', async () => {
    const em = h.em();
    const adm = await createKey(em, 'ADMIN');
    const fed = await createFederation(em, { name: 'Liên hiệp hội Cần Thơ' } as never);
    const a = await createAssociation(em, fed, { name: 'Hội Thủy sản Cần Thơ' } as never);
    const k = await createKey(em, 'ASSOCIATION', a);
    const who = await createIntellectual(em, { fullName: 'Võ Thị Đức Hạnh' } as never);
    await createMembership(em, who, a);
    const { document } = await createPolicyDocument(em, { sections: SECTIONS });
    const f = (await ok('createForum', { ...forumInput({ documentId: gid('PolicyDocument', document.id) }), federationCode: fed.code }, adm.headers, h)).forum;
    const th = await ok('createThread', { forumId: f.id, title: 'Nuôi tôm', authorId: person(who), body: 'Ý kiến ban đầu' }, k.headers, h);
    expect(codes(await m('editPost', { id: th.post.id, body: 'Sửa ngay' }, k.headers, h))).toEqual(['EDIT_WINDOW_CLOSED id']);
    expect((await ok('editPost', { id: th.post.id, body: 'Ban quản trị sửa' }, adm.headers, h)).post.version).toBe(2);
  });
});

// ---------------------------------------------------------------- reactions

describe('reactToPost', () => {
  it('one reaction per person per post: set, change, remove; counts kept; audited without names', async () => {
    const f = await openForum();
    const { post: p } = await thread(f);
    const reactions = async () => sql(`select intellectual_id, kind, association_id from forum_reaction where post_id = ? order by intellectual_id`, [dbId(p.id)]);
    const tally = async () => {
      const r = await postRow(p.id);
      return [r.support_count, r.oppose_count];
    };
    await ok('reactToPost', { postId: p.id, personId: person(duc), reaction: 'SUPPORT' }, keyA.headers);
    await ok('reactToPost', { postId: p.id, personId: person(lan), reaction: 'SUPPORT' }, keyA.headers);
    expect(await tally()).toEqual([2, 0]);
    // Again: nothing changes.
    await ok('reactToPost', { postId: p.id, personId: person(duc), reaction: 'SUPPORT' }, keyA.headers);
    expect(await tally()).toEqual([2, 0]);
    await ok('reactToPost', { postId: p.id, personId: person(duc), reaction: 'OPPOSE' }, keyA.headers);
    expect(await tally()).toEqual([1, 1]);
    expect(await reactions()).toEqual([
      { intellectual_id: duc.id, kind: 'OPPOSE', association_id: assocA.id },
      { intellectual_id: lan.id, kind: 'SUPPORT', association_id: assocA.id },
    ]);
    await ok('reactToPost', { postId: p.id, personId: person(lan), reaction: null }, keyA.headers);
    expect(await tally()).toEqual([0, 1]);
    // ADMIN for anyone, even a person of another association.
    await ok('reactToPost', { postId: p.id, personId: person(minh), reaction: 'SUPPORT' });
    expect(await tally()).toEqual([1, 1]);
    expect((await reactions()).map((r) => r.intellectual_id).sort()).toEqual([duc.id, minh.id].sort());
    const events = (await auditOf('ForumPost', p.id)).filter((e) => e.action === 'REACT');
    expect(events.map((e) => `${e.changes.reaction.old}→${e.changes.reaction.new}`)).toEqual(['null→SUPPORT', 'null→SUPPORT', 'SUPPORT→OPPOSE', 'SUPPORT→null', 'null→SUPPORT']);
    expect(JSON.stringify(events)).not.toContain('Nguyễn');
  });

  it('NOT_A_MEMBER for a person outside the association; FORUM_CLOSED, THREAD_LOCKED; nothing written', async () => {
    const f = await openForum();
    const { thread: th, post: p } = await thread(f);
    const before = await counts();
    expect(codes(await m('reactToPost', { postId: p.id, personId: person(minh), reaction: 'SUPPORT' }, keyA.headers))).toEqual(['NOT_A_MEMBER personId']);
    expect(codes(await m('reactToPost', { postId: p.id, personId: person(former), reaction: 'SUPPORT' }, keyA.headers))).toEqual(['NOT_A_MEMBER personId']);
    expect(codes(await m('reactToPost', { postId: p.id, personId: gid('Intellectual', 2147483000), reaction: 'SUPPORT' }))).toEqual(['NOT_FOUND personId']);
    await ok('lockThread', { id: th.id });
    const locked = await counts();
    expect(codes(await m('reactToPost', { postId: p.id, personId: person(duc), reaction: 'SUPPORT' }, keyA.headers))).toEqual(['THREAD_LOCKED postId']);
    expect(await counts()).toEqual(locked);
    await ok('lockThread', { id: th.id, locked: false });
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    const closed = await counts();
    expect(codes(await m('reactToPost', { postId: p.id, personId: person(duc), reaction: 'SUPPORT' }, keyA.headers))).toEqual(['FORUM_CLOSED postId']);
    expect(await counts()).toEqual(closed);
    expect(closed.forum_reaction).toBe(before.forum_reaction);
    expect(await denied('reactToPost', { postId: p.id, personId: person(duc), reaction: 'SUPPORT' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
  });
});

// ---------------------------------------------------------------- moderation

describe('hidePost, unhidePost, lockThread', () => {
  it('hides and shows a post (ADMIN, any forum status), keeping its place and counts; audited; refused twice', async () => {
    const f = await openForum();
    const { thread: th, post: p } = await thread(f);
    const reply = await post(th.id, { parentId: p.id });
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    expect(await denied('hidePost', { id: p.id, reason: 'x' }, keyA.headers)).toEqual([403, 'FORBIDDEN']);
    const h = await ok('hidePost', { id: p.id, reason: 'Thông tin cá nhân của người khác' });
    expect(h.post).toMatchObject({ id: p.id, replyCount: 1 });
    expect(await postRow(p.id)).toMatchObject({ hidden_reason: 'Thông tin cá nhân của người khác', reply_count: 1 });
    expect((await postRow(p.id)).hidden_at).not.toBeNull();
    expect((await postRow(reply.id)).parent_id).toBe(dbId(p.id));
    const before = await counts();
    expect(codes(await m('hidePost', { id: p.id, reason: 'Lần nữa' }))).toEqual(['INVALID_STATE id']);
    expect(codes(await m('hidePost', { id: reply.id, reason: '  ' }))).toEqual(['REQUIRED reason']);
    expect(codes(await m('hidePost', { id: reply.id, reason: 'x'.repeat(501) }))).toEqual(['TOO_LONG reason']);
    expect(codes(await m('unhidePost', { id: reply.id }))).toEqual(['INVALID_STATE id']);
    expect(await counts()).toEqual(before);
    await ok('unhidePost', { id: p.id });
    expect(await postRow(p.id)).toMatchObject({ hidden_at: null, hidden_reason: null });
    const events = (await auditOf('ForumPost', p.id)).filter((e) => ['HIDE', 'UNHIDE'].includes(e.action));
    expect(events).toMatchObject([
      { action: 'HIDE', key_id: admin.id, association_code: assocA.code, changes: { hidden: { old: false, new: true }, reason: { old: null, new: 'Thông tin cá nhân của người khác' } } },
      { action: 'UNHIDE', changes: { hidden: { old: true, new: false } } },
    ]);
    const [tr] = await sql(`select post_count from forum_thread where id = ?`, [dbId(th.id)]);
    expect(tr.post_count).toBe(2);
  });

  it('locks and unlocks a thread, version + 1 each time, audited LOCK; locking a locked thread changes nothing', async () => {
    const f = await openForum();
    const { thread: th } = await thread(f);
    const l = await ok('lockThread', { id: th.id });
    expect(l.thread).toMatchObject({ locked: true, version: 2 });
    expect(l.post).toBeNull();
    expect((await ok('lockThread', { id: th.id, locked: true })).thread.version).toBe(2);
    expect((await ok('lockThread', { id: th.id, locked: false })).thread).toMatchObject({ locked: false, version: 3 });
    const events = (await auditOf('ForumThread', th.id)).filter((e) => e.action === 'LOCK');
    expect(events.map((e) => e.changes.locked)).toEqual([
      { old: false, new: true },
      { old: true, new: false },
    ]);
    expect(codes(await m('lockThread', { id: gid('ForumThread', 2147483000) }))).toEqual(['NOT_FOUND id']);
  });
});

// ---------------------------------------------------------------- synthesis

describe('publishSynthesis', () => {
  it('FORUM_NOT_CLOSED before CLOSED (and once ARCHIVED); cited posts must be visible posts of that forum', async () => {
    const f = await openForum();
    const { thread: th, post: p } = await thread(f);
    const hidden = await post(th.id);
    const elsewhere = (await thread(await openForum())).post;
    const input = (over: Row = {}) => ({ forumId: f.id, summary: 'Hội viên đồng tình với định hướng, đề nghị làm rõ quản lý dữ liệu.', recommendations: [{ text: 'Giao Sở Nông nghiệp quản lý dữ liệu.', section: '2.1', postIds: [p.id] }], ...over });
    const before = await counts();
    expect(codes(await m('publishSynthesis', input()))).toEqual(['FORUM_NOT_CLOSED forumId']);
    await ok('hidePost', { id: hidden.id, reason: 'Quảng cáo' });
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    const b2 = await counts();
    const bad = await m(
      'publishSynthesis',
      input({
        summary: '',
        recommendations: [
          { text: 'Một', postIds: [p.id, hidden.id, elsewhere.id, th.id, p.id] },
          { text: '', section: '9' },
        ],
      }),
    );
    expect(codes(bad).sort()).toEqual(
      [
        'REQUIRED summary',
        'INVALID recommendations.0.postIds.1',
        'INVALID recommendations.0.postIds.2',
        'INVALID recommendations.0.postIds.3',
        'DUPLICATE recommendations.0.postIds.4',
        'REQUIRED recommendations.1.text',
        'NOT_FOUND recommendations.1.section',
      ].sort(),
    );
    expect(codes(await m('publishSynthesis', input({ recommendations: [] })))).toEqual(['REQUIRED recommendations']);
    expect(codes(await m('publishSynthesis', input({ recommendations: Array.from({ length: 101 }, () => ({ text: 'x' })) })))).toEqual(['TOO_MANY_ROWS recommendations']);
    expect(await denied('publishSynthesis', input(), keyA.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await counts()).toEqual({ ...b2 });
    expect(b2.forum_synthesis).toBe(before.forum_synthesis);
    await ok('setForumStatus', { id: f.id, status: 'ARCHIVED' });
    expect(codes(await m('publishSynthesis', input()))).toEqual(['FORUM_NOT_CLOSED forumId']);
  });

  it('publishes, and publishing again replaces the recommendations and citations (version + 1); CONFLICT on a stale version', async () => {
    const f = await openForum();
    const { thread: th, post: p } = await thread(f);
    const q = await post(th.id, { parentId: p.id });
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    const first = await ok('publishSynthesis', {
      forumId: f.id,
      summary: 'Tổng hợp ý kiến lần 1.',
      expectedVersion: 0,
      recommendations: [
        { text: 'Làm rõ cơ quan quản lý dữ liệu.', section: '2.1', postIds: [p.id, q.id] },
        { text: 'Tăng mức hỗ trợ kinh phí.', section: '3' },
      ],
    });
    expect(first.synthesis).toMatchObject({ summary: 'Tổng hợp ý kiến lần 1.', version: 1, attachedAt: null });
    const recs = async () =>
      sql(
        `select r.number, r.text, s.number as section, (select array_agg(c.post_id order by c.id) from forum_synthesis_citation c where c.recommendation_id = r.id) as posts
         from forum_synthesis_recommendation r join forum_synthesis y on y.id = r.synthesis_id left join policy_document_section s on s.id = r.section_id where y.forum_id = ? order by r.number`,
        [dbId(f.id)],
      );
    expect(await recs()).toEqual([
      { number: 1, text: 'Làm rõ cơ quan quản lý dữ liệu.', section: '2.1', posts: [dbId(p.id), dbId(q.id)] },
      { number: 2, text: 'Tăng mức hỗ trợ kinh phí.', section: '3', posts: null },
    ]);
    const before = await counts();
    expect(codes(await m('publishSynthesis', { forumId: f.id, summary: 'Cũ', expectedVersion: 0, recommendations: [{ text: 'x' }] }))).toEqual(['CONFLICT expectedVersion']);
    expect(await counts()).toEqual(before);
    const again = await ok('publishSynthesis', { forumId: f.id, summary: 'Tổng hợp ý kiến lần 2.', expectedVersion: 1, recommendations: [{ text: 'Chỉ một kiến nghị.', postIds: [q.id] }] });
    expect(again.synthesis).toMatchObject({ summary: 'Tổng hợp ý kiến lần 2.', version: 2 });
    expect(await recs()).toEqual([{ number: 1, text: 'Chỉ một kiến nghị.', section: null, posts: [dbId(q.id)] }]);
    const [{ n }] = await sql(`select count(*)::int as n from forum_synthesis where forum_id = ?`, [dbId(f.id)]);
    expect(n).toBe(1);
    expect((await auditOf('Forum', f.id)).filter((e) => e.action === 'PUBLISH')).toHaveLength(2);
  });
});

describe('attachSynthesisToRequest', () => {
  async function requestInReview(status = ConsultationStatus.IN_REVIEW, withReport = true) {
    const em = t.em();
    const r = await createConsultationRequest(em, federation, { status, title: 'Phản biện Dự thảo Kế hoạch chuyển đổi số nông nghiệp Cần Thơ' });
    const { sections } = await createPolicyDocument(em, { title: 'Dự thảo Kế hoạch (bản trình)', sections: [{ number: '2.1', text: 'Dữ liệu' }] }, r);
    if (withReport) await createReport(em, r, { recommendations: [{ text: 'Kiến nghị của hội đồng số 1.' }, { text: 'Kiến nghị của hội đồng số 2.' }] });
    return { request: r, sectionId: sections[0].id };
  }

  async function forumWithSynthesis(requestId: number | null): Promise<Row> {
    const f = await openForum({ documentId, consultationRequestId: requestId === null ? null : gid('ConsultationRequest', requestId) });
    const { post: p } = await thread(f);
    await ok('setForumStatus', { id: f.id, status: 'CLOSED' });
    await ok('publishSynthesis', {
      forumId: f.id,
      summary: 'Diễn đàn đề nghị làm rõ quản lý dữ liệu và kinh phí.',
      recommendations: [
        { text: 'Giao Sở Nông nghiệp quản lý dữ liệu vùng trồng.', section: '2.1', postIds: [p.id] },
        { text: 'Công khai tiến độ chuyển đổi số hằng quý.' },
      ],
    });
    return f;
  }

  const requestRecs = (requestId: number) =>
    sql(`select number, text, section_id, source_forum_id from consultation_recommendation where request_id = ? order by number`, [requestId]);

  it("copies the recommendations after the report's own; re-attaching replaces, never duplicates; the request's version bumps; audited", async () => {
    const { request } = await requestInReview();
    const f = await forumWithSynthesis(request.id);
    const a = await ok('attachSynthesisToRequest', { forumId: f.id });
    expect(a.consultationRequest).toMatchObject({ id: gid('ConsultationRequest', request.id), version: request.version + 1, status: 'IN_REVIEW' });
    expect(a.synthesis.attachedAt).not.toBeNull();
    const forumId = dbId(f.id);
    const copied = await requestRecs(request.id);
    // The forum's document is not the request's: its section is not kept.
    expect(copied).toEqual([
      { number: 1, text: 'Kiến nghị của hội đồng số 1.', section_id: null, source_forum_id: null },
      { number: 2, text: 'Kiến nghị của hội đồng số 2.', section_id: null, source_forum_id: null },
      { number: 3, text: 'Giao Sở Nông nghiệp quản lý dữ liệu vùng trồng.', section_id: null, source_forum_id: forumId },
      { number: 4, text: 'Công khai tiến độ chuyển đổi số hằng quý.', section_id: null, source_forum_id: forumId },
    ]);
    // Republished with one recommendation, attached again: replaced.
    await ok('publishSynthesis', { forumId: f.id, summary: 'Bản tổng hợp cuối.', recommendations: [{ text: 'Chỉ giữ kiến nghị về dữ liệu.' }] });
    const b = await ok('attachSynthesisToRequest', { forumId: f.id });
    expect(b.consultationRequest.version).toBe(request.version + 2);
    expect((await requestRecs(request.id)).map((r) => `${r.number} ${r.text}`)).toEqual(['1 Kiến nghị của hội đồng số 1.', '2 Kiến nghị của hội đồng số 2.', '3 Chỉ giữ kiến nghị về dữ liệu.']);
    await ok('attachSynthesisToRequest', { forumId: f.id });
    expect(await requestRecs(request.id)).toHaveLength(3);
    expect((await auditOf('Forum', f.id)).filter((e) => e.action === 'SYNTHESIS_ATTACHED')).toHaveLength(3);
    expect((await auditOf('ConsultationRequest', request.id)).filter((e) => e.action === 'SYNTHESIS_ATTACHED')).toHaveLength(3);
  });

  it("keeps a section that is one of the request's documents'; creates the draft report when there is none; other forums' copies close ranks", async () => {
    const { request, sectionId } = await requestInReview(ConsultationStatus.PANEL_FORMED, false);
    const doc = gid('PolicyDocument', (await sql(`select document_id from consultation_request_document where request_id = ?`, [request.id]))[0].document_id);
    const f = await forumWithSynthesis(null);
    // The forum on the request's own document, so its section "2.1" is one of the request's.
    const g = await openForum({ documentId: doc, consultationRequestId: gid('ConsultationRequest', request.id) });
    const { post: p } = await thread(g);
    await ok('setForumStatus', { id: g.id, status: 'CLOSED' });
    await ok('publishSynthesis', { forumId: g.id, summary: 'Tổng hợp của diễn đàn thứ hai.', recommendations: [{ text: 'Về mục 2.1.', section: '2.1', postIds: [p.id] }] });
    await ok('updateForum', { id: f.id, expectedVersion: (await sql(`select version from forum where id = ?`, [dbId(f.id)]))[0].version, consultationRequestId: gid('ConsultationRequest', request.id) });
    await ok('attachSynthesisToRequest', { forumId: f.id });
    const [report] = await sql(`select summary from consultation_report where request_id = ?`, [request.id]);
    expect(report.summary).toBe('Diễn đàn đề nghị làm rõ quản lý dữ liệu và kinh phí.');
    await ok('attachSynthesisToRequest', { forumId: g.id });
    expect((await requestRecs(request.id)).map((r) => [r.number, r.section_id, r.source_forum_id])).toEqual([
      [1, null, dbId(f.id)],
      [2, null, dbId(f.id)],
      [3, sectionId, dbId(g.id)],
    ]);
    // Attaching the first forum again: its copies go, the second's close ranks, the new copies follow.
    await ok('attachSynthesisToRequest', { forumId: f.id });
    expect((await requestRecs(request.id)).map((r) => [r.number, r.source_forum_id])).toEqual([
      [1, dbId(g.id)],
      [2, dbId(f.id)],
      [3, dbId(f.id)],
    ]);
  });

  it('SYNTHESIS_REQUIRED without a synthesis or a linked request; INVALID_STATE once the report is no longer a draft; nothing written', async () => {
    const { request } = await requestInReview();
    const noSynthesis = await closedForum({ consultationRequestId: gid('ConsultationRequest', request.id) });
    const unlinked = await forumWithSynthesis(null);
    const { request: submitted } = await requestInReview(ConsultationStatus.REPORT_SUBMITTED);
    const late = await forumWithSynthesis(submitted.id);
    const before = await counts();
    expect(codes(await m('attachSynthesisToRequest', { forumId: noSynthesis.id }))).toEqual(['SYNTHESIS_REQUIRED forumId']);
    expect(codes(await m('attachSynthesisToRequest', { forumId: unlinked.id }))).toEqual(['SYNTHESIS_REQUIRED forumId']);
    expect(codes(await m('attachSynthesisToRequest', { forumId: late.id }))).toEqual(['INVALID_STATE forumId']);
    expect(codes(await m('attachSynthesisToRequest', { forumId: gid('Forum', 2147483000) }))).toEqual(['NOT_FOUND forumId']);
    expect(await denied('attachSynthesisToRequest', { forumId: late.id }, keyA.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await counts()).toEqual(before);
    const [r] = await sql(`select version from consultation_request where id = ?`, [submitted.id]);
    expect(r.version).toBe(submitted.version);
  });
});

// ---------------------------------------------------------------- flood control

describe('flood control (FORUM_POSTS_PER_MINUTE)', () => {
  let h: TestHub;
  beforeAll(async () => {
    h = await startTestHub({ FORUM_POSTS_PER_MINUTE: '3' });
  });
  afterAll(() => h.close());

  it('RATE_LIMITED with HTTP 429 and Retry-After once a key has used its posts; a replay costs nothing; other keys are not affected', async () => {
    const em = h.em();
    const adm = await createKey(em, 'ADMIN');
    const fed = await createFederation(em, { name: 'Liên hiệp hội Cần Thơ' } as never);
    const a = await createAssociation(em, fed, { name: 'Hội Làm vườn Cần Thơ' } as never);
    const k = await createKey(em, 'ASSOCIATION', a);
    const k2 = await createKey(em, 'ASSOCIATION', a);
    const who = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức' } as never);
    await createMembership(em, who, a);
    const { document } = await createPolicyDocument(em, { sections: SECTIONS });
    const f = (await ok('createForum', { ...forumInput({ documentId: gid('PolicyDocument', document.id) }), federationCode: fed.code }, adm.headers, h)).forum;
    const key = idem();
    const th = await ok('createThread', { forumId: f.id, title: 'Cây ăn trái', authorId: person(who), body: 'Ý kiến 1', idempotencyKey: key }, k.headers, h);
    await ok('createPost', { threadId: th.thread.id, authorId: person(who), body: 'Ý kiến 2' }, k.headers, h);
    await ok('createPost', { threadId: th.thread.id, authorId: person(who), body: 'Ý kiến 3' }, k.headers, h);
    const [{ n: before }] = await sql(`select count(*)::int as n from forum_post`, [], h);
    const r = await h.gql<any>(doc('createPost'), { input: { threadId: th.thread.id, authorId: person(who), body: 'Ý kiến 4' } }, k.headers);
    expect(r.status).toBe(429);
    expect(r.body.errors![0].extensions!.code).toBe('RATE_LIMITED');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(r.body.data?.createPost ?? null).toBeNull();
    const [{ n: after }] = await sql(`select count(*)::int as n from forum_post`, [], h);
    expect(after).toBe(before);
    // The retried thread (same key, same input) answers the same thread and post, without a token.
    const replay = await ok('createThread', { forumId: f.id, title: 'Cây ăn trái', authorId: person(who), body: 'Ý kiến 1', idempotencyKey: key }, k.headers, h);
    expect([replay.thread.id, replay.post.id]).toEqual([th.thread.id, th.post.id]);
    // Another key has its own bucket; reactions and edits are not posts.
    await ok('createPost', { threadId: th.thread.id, authorId: person(who), body: 'Ý kiến từ ứng dụng thứ hai' }, k2.headers, h);
    await ok('reactToPost', { postId: th.post.id, personId: person(who), reaction: 'SUPPORT' }, k.headers, h);
    await ok('editPost', { id: th.post.id, body: 'Ý kiến 1 (sửa)' }, k.headers, h);
  });
});
