import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { createConsultationRequest, createPolicyDocument } from './factories/consultation';
import { createForum, createForumGraph, createPost, createPosts, createSynthesis, createThread, editPost, react } from './factories/forum';
import { startTestHub, TestHub } from './support/harness';
import { toGlobalId } from '../src/common/node-id';
import { ConsultationVisibility } from '../src/modules/consultation/consultation.enums';
import { ForumStatus, ForumVisibility, PostStance, ReactionKind } from '../src/modules/forum/forum.enums';
import { MembershipStatus } from '../src/modules/intellectual/intellectual.enums';

/**
 * The read side of forums, through the schema against PostgreSQL: who sees which forum (per role),
 * author display per consent, hidden posts and their replies, safe bodyHtml, filters, orders,
 * cursors, search without case or diacritics, and the nested read's SQL statement count.
 */

let t: TestHub;
type Row = Record<string, any>;
type Ref = { id: number } & Row;
const PUBLIC: Record<string, string> = {};
const gid = (type: string, r: { id: number }) => toGlobalId(type, r.id);

/**
 * The world: federation F (Cần Thơ) with associations A (short name "Hội Nông nghiệp") and B (no
 * short name); Đức (public profile, member of A), Nhung (no public profile, member of A), Vinh (no
 * public profile, member of B). Document D with sections 1 and 2. Forums of F:
 * - OPEN: PUBLIC, on D, feeding request R, tags nông nghiệp / chuyển đổi số, threads T1 (section 1,
 *   by Đức), T2 (section 2, by Nhung), T3 (by the federation); T1's posts: p1 (Đức, AGREE, with
 *   <script> and a javascript: link, edited once), p2 (Nhung, DISAGREE, hidden) with reply r1
 *   (Vinh by B) and r1's reply r2 (federation);
 * - MEMBERS: OPEN, MEMBERS_ONLY, title with "Cần Thơ", one thread with one post;
 * - DRAFT: PUBLIC, opens in 10 days, title with "Cần Thơ";
 * - CLOSED: PUBLIC, with a published synthesis citing p1 and p2;
 * - ARCHIVED: PUBLIC.
 */
const w = {} as {
  F: Ref;
  A: Ref;
  B: Ref;
  duc: Ref;
  nhung: Ref;
  vinh: Ref;
  D: Ref;
  sections: Row[];
  R: Ref;
  open: Ref;
  members: Ref;
  draft: Ref;
  closed: Ref;
  archived: Ref;
  T1: Ref;
  T2: Ref;
  T3: Ref;
  p1: Ref;
  p2: Ref;
  r1: Ref;
  r2: Ref;
  m1: Ref;
  keys: Record<'admin' | 'analyst' | 'A' | 'B', Record<string, string>>;
};

const SCRIPT_BODY =
  'Đề nghị **bổ sung** mục tiêu.\n<script>alert("xss")</script>\n<img src=x onerror=alert(1)>\n[bấm vào đây](javascript:alert(1)) và [tài liệu](https://example.org/tai-lieu)';

beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  w.F = await createFederation(em, { code: uniq('CT'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' });
  w.A = await createAssociation(em, w.F as never, { code: uniq('NN'), name: 'Hội Nông nghiệp thành phố Cần Thơ', shortName: 'Hội Nông nghiệp' });
  w.B = await createAssociation(em, w.F as never, { code: uniq('TIN'), name: 'Hội Tin học Cần Thơ' });
  w.duc = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức', publicProfile: true, email: 'duc@example.org' });
  w.nhung = await createIntellectual(em, { fullName: 'Trần Thị Hồng Nhung', publicProfile: false, email: 'nhung@example.org' });
  w.vinh = await createIntellectual(em, { fullName: 'Lê Quang Vinh', publicProfile: false });
  await createMembership(em, w.duc as never, w.A as never, { status: MembershipStatus.ACTIVE });
  await createMembership(em, w.nhung as never, w.A as never, { status: MembershipStatus.ACTIVE });
  await createMembership(em, w.vinh as never, w.B as never, { status: MembershipStatus.ACTIVE });
  w.R = await createConsultationRequest(em, w.F as never, { title: 'Phản biện Kế hoạch chuyển đổi số nông nghiệp' });
  const doc = await createPolicyDocument(em, {
    title: 'Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ',
    sections: [
      { number: '1', heading: 'Mục tiêu', text: 'Số hóa 50% hợp tác xã.' },
      { number: '2', heading: 'Giải pháp', text: 'Đào tạo kỹ năng số.' },
    ],
  });
  w.D = doc.document as never;
  w.sections = doc.sections as never;

  w.open = await createForum(em, w.F, w.D, {
    title: 'Góp ý Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ',
    consultationRequest: w.R as never,
    tags: ['nông nghiệp', 'chuyển đổi số'],
  });
  w.members = await createForum(em, w.F, w.D, { title: 'Trao đổi nội bộ hội viên về Cần Thơ', visibility: ForumVisibility.MEMBERS_ONLY, tags: ['nội bộ'] });
  w.draft = await createForum(em, w.F, w.D, { title: 'Dự thảo diễn đàn Cần Thơ', status: ForumStatus.DRAFT, tags: ['nông nghiệp'] });
  w.closed = await createForum(em, w.F, w.D, { title: 'Góp ý Chiến lược khoa học công nghệ', status: ForumStatus.CLOSED, tags: [] });
  w.archived = await createForum(em, w.F, w.D, { title: 'Diễn đàn cũ về thủy sản', status: ForumStatus.ARCHIVED, tags: ['thủy sản'] });

  const at = (min: number) => new Date(Date.now() - (200 - min) * 60_000);
  w.T1 = await createThread(em, w.open, { title: 'Về mục tiêu số hóa hợp tác xã', section: w.sections[0] as never, author: w.duc, association: w.A, at: at(0) });
  w.p1 = await createPost(em, w.T1, { body: SCRIPT_BODY, author: w.duc, association: w.A, stance: PostStance.AGREE, at: at(1) });
  w.p2 = await createPost(em, w.T1, { body: 'Không đồng ý: Cần Thơ chưa đủ hạ tầng.', author: w.nhung, association: w.A, stance: PostStance.DISAGREE, hidden: 'Lời lẽ xúc phạm', at: at(2) });
  w.r1 = await createPost(em, w.T1, { body: 'Tôi thấy hạ tầng ở Phong Điền đã khá tốt.', author: w.vinh, association: w.B, parent: w.p2, at: at(3) });
  w.r2 = await createPost(em, w.T1, { body: 'Liên hiệp hội ghi nhận ý kiến.', byFederation: true, parent: w.r1, at: at(4) });
  w.T2 = await createThread(em, w.open, { title: 'Giải pháp đào tạo', section: w.sections[1] as never, author: w.nhung, association: w.A, at: at(5) });
  await createPost(em, w.T2, { body: 'Cần mở lớp tập huấn tại xã.', author: w.nhung, association: w.A, stance: PostStance.AGREE_WITH_CHANGES, at: at(6) });
  await createPost(em, w.T2, { body: 'Đồng ý với việc đào tạo.', author: w.vinh, association: w.B, stance: PostStance.AGREE, at: at(7) });
  w.T3 = await createThread(em, w.open, { title: 'Thông báo của Liên hiệp hội', byFederation: true, at: at(8) });
  await createPost(em, w.T3, { body: 'Hạn góp ý là cuối tháng.', byFederation: true, at: at(9) });
  await editPost(em, w.p1, SCRIPT_BODY, PostStance.AGREE);
  await react(em, w.p1, w.duc, ReactionKind.SUPPORT, w.A);
  await react(em, w.p1, w.vinh, ReactionKind.OPPOSE, w.B);
  await react(em, w.p1, w.nhung, ReactionKind.SUPPORT, w.A);

  const mt = await createThread(em, w.members, { title: 'Chủ đề nội bộ', author: w.duc, association: w.A });
  w.m1 = await createPost(em, mt, { body: 'Ý kiến nội bộ về Cần Thơ.', author: w.duc, association: w.A, stance: PostStance.AGREE });
  const ct = await createThread(em, w.closed, { title: 'Chủ đề đã đóng', author: w.duc, association: w.A, at: at(-60) });
  const c1 = await createPost(em, ct, { body: 'Đề xuất tăng ngân sách nghiên cứu.', author: w.duc, association: w.A, at: at(-59) });
  await createSynthesis(em, w.closed, {
    summary: 'Hội viên ủng hộ tăng ngân sách.',
    recommendations: [
      { text: 'Tăng ngân sách nghiên cứu.', section: w.sections[0] as never, posts: [c1, w.p1] },
      { text: 'Công khai tiến độ.', posts: [] },
    ],
  });

  w.keys = {
    admin: (await createKey(em, 'ADMIN')).headers,
    analyst: (await createKey(em, 'ANALYST')).headers,
    A: (await createKey(em, 'ASSOCIATION', w.A as never)).headers,
    B: (await createKey(em, 'ASSOCIATION', w.B as never)).headers,
  };
});
afterAll(() => t.close());

const FORUMS = `query($f: ForumFilter, $o: ForumOrder, $first: Int, $after: String) { forums(filter: $f, orderBy: $o, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title status visibility tags } } } }`;

async function forumTitles(headers: Record<string, string>, filter: Row = {}, orderBy?: string): Promise<{ titles: string[]; total: number }> {
  const d = await t.data<Row>(FORUMS, { f: { federationCode: w.F.code, ...filter }, o: orderBy, first: 50 }, headers);
  return { titles: d.forums.edges.map((e: Row) => e.node.title), total: d.forums.totalCount };
}

describe('visibility per role', () => {
  it('lists and counts only the forums the role may see', async () => {
    const all = [w.open, w.members, w.draft, w.closed, w.archived].map((f) => f.title).sort();
    const past = [w.open, w.members, w.closed, w.archived].map((f) => f.title).sort();
    const pub = [w.open, w.closed, w.archived].map((f) => f.title).sort();
    for (const [headers, want] of [
      [w.keys.admin, all],
      [w.keys.analyst, all],
      [w.keys.A, past],
      [w.keys.B, past],
      [PUBLIC, pub],
    ] as const) {
      const got = await forumTitles(headers);
      expect(got.titles.sort()).toEqual(want);
      expect(got.total).toBe(want.length);
    }
  });

  it('node(id), forum(id), threads and posts of a forum not seen do not exist', async () => {
    const q = `query($f: ID!, $t: ID!, $p: ID!) { node(id: $f) { id } forum(id: $f) { id } thread: node(id: $t) { id } post: node(id: $p) { id } }`;
    const mt = await t.data<Row>(`query($id: ID!) { node(id: $id) { ... on ForumPost { thread { id } } } }`, { id: gid('ForumPost', w.m1) }, w.keys.admin);
    const vars = { f: gid('Forum', w.members), t: mt.node.thread.id, p: gid('ForumPost', w.m1) };
    expect(await t.data<Row>(q, vars, PUBLIC)).toEqual({ node: null, forum: null, thread: null, post: null });
    expect(await t.data<Row>(q, vars, w.keys.B)).toEqual({ node: { id: vars.f }, forum: { id: vars.f }, thread: { id: vars.t }, post: { id: vars.p } });
    const draft = { f: gid('Forum', w.draft), t: vars.t, p: vars.p };
    for (const h of [PUBLIC, w.keys.A]) expect((await t.data<Row>(q, draft, h)).forum).toBeNull();
    for (const h of [w.keys.admin, w.keys.analyst]) expect((await t.data<Row>(q, draft, h)).forum).toEqual({ id: draft.f });
  });

  it('search and forumPosts leave out forums not seen', async () => {
    expect((await forumTitles(PUBLIC, { search: 'can tho' })).titles).toEqual([w.open.title]);
    expect((await forumTitles(w.keys.A, { search: 'can tho' })).titles.sort()).toEqual([w.open.title, w.members.title].sort());
    expect((await forumTitles(w.keys.admin, { search: 'Cần Thơ' })).titles.sort()).toEqual([w.open.title, w.members.title, w.draft.title].sort());
    const posts = `query($f: ForumPostFilter) { forumPosts(filter: $f, first: 50) { totalCount edges { node { id } } } }`;
    const pub = await t.data<Row>(posts, { f: { search: 'noi bo' } }, PUBLIC);
    expect(pub.forumPosts.totalCount).toBe(0);
    const a = await t.data<Row>(posts, { f: { search: 'noi bo' } }, w.keys.A);
    expect(a.forumPosts.edges.map((e: Row) => e.node.id)).toEqual([gid('ForumPost', w.m1)]);
  });
});

const POST = `query($id: ID!, $person: ID!) { node(id: $id) { ... on ForumPost { id hidden hiddenReason body bodyHtml stance authorName
  author { fullName } association { code } history { revision body } viewerReaction(personId: $person)
  replies { totalCount edges { node { id hidden body authorName replies { edges { node { id body authorName } } } } } } } } }`;

describe('authors and hidden posts', () => {
  it('shows the author by consent: a name with a public profile, "Member of" the association without, the federation by name', async () => {
    const q = `query($id: ID!) { forum(id: $id) { threads(orderBy: CREATED_ASC) { edges { node { title authorName author { fullName } association { code }
      posts { edges { node { authorName author { fullName } } } } } } } } }`;
    const pub = await t.data<Row>(q, { id: gid('Forum', w.open) }, PUBLIC);
    const [t1, t2, t3] = pub.forum.threads.edges.map((e: Row) => e.node);
    expect([t1.authorName, t1.author]).toEqual(['Nguyễn Văn Đức', { fullName: 'Nguyễn Văn Đức' }]);
    // Nhung has no public profile: the public sees her association's short name, no person.
    expect([t2.authorName, t2.author, t2.association.code]).toEqual(['Member of Hội Nông nghiệp', null, w.A.code]);
    expect(t2.posts.edges.map((e: Row) => e.node.authorName)).toEqual(['Member of Hội Nông nghiệp', 'Member of Hội Tin học Cần Thơ']);
    expect([t3.authorName, t3.author, t3.association]).toEqual([w.F.name, null, null]);
    // A key sees full names; the person only where its policy lets it (B does not see A's Nhung).
    const b = await t.data<Row>(q, { id: gid('Forum', w.open) }, w.keys.B);
    const bt2 = b.forum.threads.edges[1].node;
    expect([bt2.authorName, bt2.author]).toEqual(['Trần Thị Hồng Nhung', null]);
    const a = await t.data<Row>(q, { id: gid('Forum', w.open) }, w.keys.A);
    expect(a.forum.threads.edges[1].node.author).toEqual({ fullName: 'Trần Thị Hồng Nhung' });
  });

  it('masks a hidden post for all but ADMIN and keeps its replies', async () => {
    const vars = { id: gid('ForumPost', w.p2), person: gid('Intellectual', w.nhung) };
    for (const h of [PUBLIC, w.keys.analyst, w.keys.A, w.keys.B]) {
      const p = (await t.data<Row>(POST, vars, h)).node;
      expect(p).toMatchObject({ hidden: true, hiddenReason: null, body: null, bodyHtml: null, stance: null, authorName: null, author: null, association: null, history: [] });
      expect(p.replies.totalCount).toBe(1);
      const reply = p.replies.edges[0].node;
      expect(reply).toMatchObject({ id: gid('ForumPost', w.r1), hidden: false, body: 'Tôi thấy hạ tầng ở Phong Điền đã khá tốt.' });
      expect(reply.replies.edges[0].node).toEqual({ id: gid('ForumPost', w.r2), body: 'Liên hiệp hội ghi nhận ý kiến.', authorName: w.F.name });
    }
    const admin = (await t.data<Row>(POST, vars, w.keys.admin)).node;
    expect(admin).toMatchObject({
      hidden: true,
      hiddenReason: 'Lời lẽ xúc phạm',
      body: 'Không đồng ý: Cần Thơ chưa đủ hạ tầng.',
      stance: 'DISAGREE',
      authorName: 'Trần Thị Hồng Nhung',
      author: { fullName: 'Trần Thị Hồng Nhung' },
      association: { code: w.A.code },
    });
  });

  it('hidden posts do not match search, stance or association for non-ADMIN', async () => {
    const q = `query($f: ForumPostFilter) { forumPosts(filter: $f, first: 50) { totalCount edges { node { id } } } }`;
    const forumId = gid('Forum', w.open);
    for (const f of [{ search: 'chua du ha tang' }, { stance: 'DISAGREE' }]) {
      expect((await t.data<Row>(q, { f: { forumId, ...f } }, w.keys.A)).forumPosts.totalCount).toBe(0);
      expect((await t.data<Row>(q, { f: { forumId, ...f } }, w.keys.admin)).forumPosts.edges.map((e: Row) => e.node.id)).toEqual([gid('ForumPost', w.p2)]);
    }
    const byA = (h: Record<string, string>) => t.data<Row>(q, { f: { forumId, associationCode: w.A.code } }, h);
    expect((await byA(w.keys.A)).forumPosts.totalCount).toBe(2);
    expect((await byA(w.keys.admin)).forumPosts.totalCount).toBe(3);
    // Without a masked condition the hidden post is listed (as hidden).
    expect((await t.data<Row>(q, { f: { forumId } }, PUBLIC)).forumPosts.totalCount).toBe(7);
  });

  it('renders bodies inert: no script, no event handler, no javascript: link; rel on links', async () => {
    const p = (await t.data<Row>(POST, { id: gid('ForumPost', w.p1), person: gid('Intellectual', w.duc) }, PUBLIC)).node;
    expect(p.body).toBe(SCRIPT_BODY);
    const html: string = p.bodyHtml;
    expect(html).toContain('<strong>bổ sung</strong>');
    // Escaped text only: no tag, no attribute, no link made of them.
    expect(html).not.toMatch(/<script|<img|<[^>]*onerror|href="javascript:/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<a href="https://example.org/tai-lieu" rel="nofollow noopener noreferrer">tài liệu</a>');
    expect(html).not.toMatch(/<a [^>]*javascript/i);
  });

  it('history, reactions and viewerReaction as the role may know them', async () => {
    const q = `query($id: ID!, $duc: ID!, $vinh: ID!) { node(id: $id) { ... on ForumPost { version editedAt history { revision body stance } reactions { support oppose }
      duc: viewerReaction(personId: $duc) vinh: viewerReaction(personId: $vinh) } } }`;
    const vars = { id: gid('ForumPost', w.p1), duc: gid('Intellectual', w.duc), vinh: gid('Intellectual', w.vinh) };
    const admin = (await t.data<Row>(q, vars, w.keys.admin)).node;
    expect(admin).toMatchObject({ version: 2, history: [{ revision: 1, body: SCRIPT_BODY, stance: 'AGREE' }], reactions: { support: 2, oppose: 1 }, duc: 'SUPPORT', vinh: 'OPPOSE' });
    expect(admin.editedAt).toBeTruthy();
    expect((await t.data<Row>(q, vars, w.keys.A)).node).toMatchObject({ duc: 'SUPPORT', vinh: null });
    expect((await t.data<Row>(q, vars, w.keys.B)).node).toMatchObject({ duc: null, vinh: 'OPPOSE' });
    expect((await t.data<Row>(q, vars, PUBLIC)).node).toMatchObject({ duc: null, vinh: null, reactions: { support: 2, oppose: 1 } });
  });
});

describe('forum fields, synthesis', () => {
  it('answers the forum with its federation, document, request, counters and synthesis', async () => {
    const q = `query($id: ID!) { forum(id: $id) { title status visibility tags createdAt postCount threadCount lastActivityAt
      federation { code } document { title sections { number } } consultationRequest { title }
      synthesis { summary version publishedAt forum { id } recommendations { number text section { number } citedPosts { id hidden body } } } } }`;
    const open = (await t.data<Row>(q, { id: gid('Forum', w.open) }, PUBLIC)).forum;
    expect(open).toMatchObject({ status: 'OPEN', visibility: 'PUBLIC', tags: ['nông nghiệp', 'chuyển đổi số'], postCount: 7, threadCount: 3, federation: { code: w.F.code } });
    expect(open.document).toEqual({ title: 'Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ', sections: [{ number: '1' }, { number: '2' }] });
    expect(open.consultationRequest).toEqual({ title: 'Phản biện Kế hoạch chuyển đổi số nông nghiệp' });
    expect(open.synthesis).toBeNull();
    expect(new Date(open.lastActivityAt).getTime()).toBeGreaterThan(new Date(open.createdAt).getTime() - 86_400_000);
    const closed = (await t.data<Row>(q, { id: gid('Forum', w.closed) }, PUBLIC)).forum;
    expect(closed.status).toBe('CLOSED');
    expect(closed.synthesis).toMatchObject({ summary: 'Hội viên ủng hộ tăng ngân sách.', version: 1, forum: { id: gid('Forum', w.closed) } });
    const recs = closed.synthesis.recommendations;
    expect(recs.map((r: Row) => [r.number, r.section?.number ?? null, r.citedPosts.length])).toEqual([
      [1, '1', 2],
      [2, null, 0],
    ]);
    // In the order given: the closed forum's post, then p1.
    expect(recs[0].citedPosts[1].id).toBe(gid('ForumPost', w.p1));
  });

  it("publishes its document to whoever sees the forum, even a document under review only in a CONFIDENTIAL request", async () => {
    const em = t.em();
    const other = await createFederation(em, { code: uniq('HCM'), name: 'Liên hiệp hội Thành phố Hồ Chí Minh' });
    const secret = await createConsultationRequest(em, other as never, { title: 'Phản biện mật', visibility: ConsultationVisibility.CONFIDENTIAL });
    const { document } = await createPolicyDocument(em, { title: 'Dự thảo Đề án nông nghiệp số Hồ Chí Minh', sections: [{ number: '1', text: 'Mục tiêu.' }] }, secret);
    const q = `query($d: ID!) { node(id: $d) { ... on PolicyDocument { title } } }`;
    const d = gid('PolicyDocument', document);
    expect((await t.data<Row>(q, { d }, PUBLIC)).node).toBeNull(); // confidential with its request
    const forum = await createForum(em, other, document, { title: 'Diễn đàn Đề án nông nghiệp số', visibility: ForumVisibility.PUBLIC });
    const read = `query($id: ID!) { forum(id: $id) { document { title sections { number } } } }`;
    expect((await t.data<Row>(read, { id: gid('Forum', forum) }, PUBLIC)).forum.document).toEqual({ title: 'Dự thảo Đề án nông nghiệp số Hồ Chí Minh', sections: [{ number: '1' }] });
    expect((await t.data<Row>(q, { d }, PUBLIC)).node).toEqual({ title: 'Dự thảo Đề án nông nghiệp số Hồ Chí Minh' });
  });

  it('answers threads and posts with their parents', async () => {
    const q = `query($id: ID!) { node(id: $id) { ... on ForumPost { createdAt replyCount section { number } thread { title postCount locked byFederation lastActivityAt createdAt
      section { number } forum { id } } forum { id } parent { id } } } }`;
    const r1 = (await t.data<Row>(q, { id: gid('ForumPost', w.r1) }, w.keys.A)).node;
    expect(r1).toMatchObject({
      replyCount: 1,
      section: { number: '1' },
      thread: { title: 'Về mục tiêu số hóa hợp tác xã', postCount: 4, locked: false, byFederation: false, section: { number: '1' }, forum: { id: gid('Forum', w.open) } },
      forum: { id: gid('Forum', w.open) },
      parent: { id: gid('ForumPost', w.p2) },
    });
  });
});

describe('filters and orders', () => {
  it('filters forums by status, visibility, tag, search and request', async () => {
    const h = w.keys.admin;
    expect((await forumTitles(h, { status: 'OPEN' })).titles.sort()).toEqual([w.open.title, w.members.title].sort());
    expect((await forumTitles(h, { status: 'DRAFT' })).titles).toEqual([w.draft.title]);
    expect((await forumTitles(h, { status: 'CLOSED' })).titles).toEqual([w.closed.title]);
    expect((await forumTitles(h, { status: 'ARCHIVED' })).titles).toEqual([w.archived.title]);
    expect((await forumTitles(h, { visibility: 'MEMBERS_ONLY' })).titles).toEqual([w.members.title]);
    expect((await forumTitles(h, { tag: 'Nông nghiệp' })).titles.sort()).toEqual([w.open.title, w.draft.title].sort());
    expect((await forumTitles(PUBLIC, { tag: 'nông nghiệp' })).titles).toEqual([w.open.title]);
    expect((await forumTitles(h, { search: 'thuy san' })).titles).toEqual([w.archived.title]);
    expect((await forumTitles(h, { search: 'CHUYỂN ĐỔI SỐ' })).titles).toEqual([w.open.title]);
    expect((await forumTitles(h, { consultationRequestId: gid('ConsultationRequest', w.R) })).titles).toEqual([w.open.title]);
    const bad = await t.gql(FORUMS, { f: { consultationRequestId: gid('Forum', w.open) } }, h);
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('orders forums: opening, closing, activity', async () => {
    const h = w.keys.admin;
    expect((await forumTitles(h, {}, 'OPENS_DESC')).titles).toEqual([w.draft, w.members, w.open, w.closed, w.archived].map((f) => f.title));
    expect((await forumTitles(h, {}, 'CLOSES_ASC')).titles).toEqual([w.archived, w.closed, w.open, w.members, w.draft].map((f) => f.title));
    // The newest post first (the members' forum was written last, the open one before, the closed one earlier); no posts last.
    const activity = (await forumTitles(h, {}, 'ACTIVITY_DESC')).titles;
    expect(activity.slice(0, 3)).toEqual([w.members, w.open, w.closed].map((f) => f.title));
    expect(activity.slice(3).sort()).toEqual([w.draft.title, w.archived.title].sort());
  });

  it('orders and filters threads', async () => {
    const q = `query($id: ID!, $o: ForumThreadOrder, $s: String) { forum(id: $id) { threads(orderBy: $o, section: $s) { totalCount edges { node { title postCount } } } } }`;
    const titles = async (o?: string, s?: string) => {
      const d = await t.data<Row>(q, { id: gid('Forum', w.open), o, s }, PUBLIC);
      return { titles: d.forum.threads.edges.map((e: Row) => e.node.title), total: d.forum.threads.totalCount };
    };
    const [T1, T2, T3] = [w.T1, w.T2, w.T3].map((x) => x.title);
    expect((await titles()).titles).toEqual([T3, T2, T1]);
    expect((await titles('POSTS_DESC')).titles).toEqual([T1, T2, T3]);
    expect((await titles('CREATED_ASC')).titles).toEqual([T1, T2, T3]);
    expect(await titles(undefined, '2')).toEqual({ titles: [T2], total: 1 });
    expect(await titles(undefined, '9')).toEqual({ titles: [], total: 0 });
  });

  it('filters forumPosts by stance, section, association and search ("Cần Thơ" and "can tho" alike), newest first', async () => {
    const q = `query($f: ForumPostFilter) { forumPosts(filter: $f, first: 50) { totalCount edges { node { body } } } }`;
    const bodies = async (f: Row, h: Record<string, string> = PUBLIC) => (await t.data<Row>(q, { f: { forumId: gid('Forum', w.open), ...f } }, h)).forumPosts.edges.map((e: Row) => e.node.body);
    expect(await bodies({ stance: 'AGREE' })).toEqual(['Đồng ý với việc đào tạo.', SCRIPT_BODY]);
    expect(await bodies({ section: '2' })).toEqual(['Đồng ý với việc đào tạo.', 'Cần mở lớp tập huấn tại xã.']);
    expect(await bodies({ associationCode: w.B.code })).toEqual(['Đồng ý với việc đào tạo.', 'Tôi thấy hạ tầng ở Phong Điền đã khá tốt.']);
    // Thread titles match too: "đào tạo" is T2's title.
    expect(await bodies({ search: 'DAO TAO' })).toEqual(['Đồng ý với việc đào tạo.', 'Cần mở lớp tập huấn tại xã.']);
    expect(await bodies({ search: 'phong dien' })).toEqual(['Tôi thấy hạ tầng ở Phong Điền đã khá tốt.']);
    expect(await bodies({ search: 'Cần Thơ' }, w.keys.admin)).toEqual(['Không đồng ý: Cần Thơ chưa đủ hạ tầng.']);
    expect(await bodies({ search: 'can tho' }, w.keys.admin)).toEqual(['Không đồng ý: Cần Thơ chưa đủ hạ tầng.']);
    const all = await t.data<Row>(q, { f: { search: 'can tho' } }, w.keys.A);
    expect(all.forumPosts.edges.map((e: Row) => e.node.body)).toEqual(['Ý kiến nội bộ về Cần Thơ.']);
  });
});

describe('paging', () => {
  it('pages forums two at a time without gaps or repeats, in every order', async () => {
    for (const o of ['OPENS_DESC', 'CLOSES_ASC', 'ACTIVITY_DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let k = 0; k < 10; k++) {
        const d: Row = await t.data<Row>(FORUMS, { f: { federationCode: w.F.code }, o, first: 2, after }, w.keys.admin);
        seen.push(...d.forums.edges.map((e: Row) => e.node.title));
        if (!d.forums.pageInfo.hasNextPage) break;
        after = d.forums.pageInfo.endCursor;
      }
      expect(seen).toEqual((await forumTitles(w.keys.admin, {}, o)).titles);
    }
    const wrong = await t.gql(FORUMS, { o: 'CLOSES_ASC', after: (await t.data<Row>(FORUMS, { first: 1 }, w.keys.admin)).forums.pageInfo.endCursor }, w.keys.admin);
    expect(wrong.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages a 10,000-post thread without gaps or repeats while new posts arrive', async () => {
    const em = t.em();
    const forum = await createForum(em, w.F, w.D, { title: 'Diễn đàn đông người' });
    const thread = await createThread(em, forum, { title: 'Chủ đề mười nghìn ý kiến', author: w.duc, association: w.A });
    const ids = await createPosts(em, thread, 10_000, { author: w.duc, association: w.A });
    expect(ids).toHaveLength(10_000);
    const q = `query($id: ID!, $after: String) { node(id: $id) { ... on ForumThread { postCount posts(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`;
    const post = `mutation($i: CreatePostInput!) { createPost(input: $i) { post { id } userErrors { code } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    // New posts arrive through the API while the reader pages, three at once every tenth page and
    // not awaited: they commit in any order beside the reads, and must all come at the end.
    const arriving: Promise<Row>[] = [];
    const read = async () => {
      for (;;) {
        const d: Row = await t.data<Row>(q, { id: gid('ForumThread', thread), after }, PUBLIC);
        const conn = d.node.posts;
        seen.push(...conn.edges.map((e: Row) => e.node.id));
        if (conn.pageInfo.endCursor) after = conn.pageInfo.endCursor;
        if (!conn.pageInfo.hasNextPage) return;
        if (seen.length % 1000 === 0) {
          for (let k = 0; k < 3; k++) {
            arriving.push(t.data<Row>(post, { i: { threadId: gid('ForumThread', thread), authorId: gid('Intellectual', w.duc), body: `Ý kiến mới ${seen.length}-${k} về Cần Thơ` } }, w.keys.A));
          }
        }
      }
    };
    await read();
    expect(arriving.length).toBeGreaterThanOrEqual(27);
    const made = await Promise.all(arriving);
    expect(made.every((m) => m.createPost.userErrors.length === 0)).toBe(true);
    await read(); // the posts that committed after the last page was read
    const stored = await em.getConnection().execute<{ id: number }[]>('select id from forum_post where thread_id = ? and parent_id is null order by id', [thread.id]);
    expect(stored).toHaveLength(10_000 + arriving.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(stored.map((r) => toGlobalId('ForumPost', r.id)));
  });
});

describe('no N+1', () => {
  const NESTED = `query($c: String) { forums(first: 20, filter: { federationCode: $c }) { totalCount edges { node { title postCount federation { code }
    synthesis { summary }
    threads(first: 5) { totalCount edges { node { title authorName author { fullName } association { code }
      posts(first: 5) { totalCount edges { node { body bodyHtml hidden stance authorName reactions { support oppose }
        author { fullName memberships { totalCount edges { node { association { code } } } } }
        replies(first: 5) { totalCount edges { node { body authorName author { fullName memberships { edges { node { association { code } } } } } } } } } } } } } } } } } }`;

  const build = async (n: number) => {
    const em = t.em();
    const f = await createFederation(em, { code: uniq('CT'), name: 'Liên hiệp hội Cần Thơ' });
    const as = [await createAssociation(em, f), await createAssociation(em, f, { shortName: 'Hội Tin học' })];
    await createForumGraph(em, f, w.D, as, n);
    return f;
  };

  it('forums → threads → posts → replies → author → memberships → association: same statements on 1× and 10×', async () => {
    const small = await build(1);
    const large = await build(10);
    for (const h of [w.keys.admin, PUBLIC]) {
      const s = await t.gql<Row>(NESTED, { c: small.code }, h);
      const l = await t.gql<Row>(NESTED, { c: large.code }, h);
      expect(s.body.errors).toBeUndefined();
      expect(l.body.errors).toBeUndefined();
      const forums = l.body.data!.forums;
      expect(forums.totalCount).toBe(10);
      const post = forums.edges[0].node.threads.edges[0].node.posts.edges[0].node;
      expect(post.replies.totalCount).toBe(2);
      expect(forums.edges.flatMap((e: Row) => e.node.threads.edges.flatMap((x: Row) => x.node.posts.edges))).toHaveLength(60);
      expect(l.sql).toBe(s.sql);
      // Levels, each one statement (pages with their counts): forums (+count), federation, synthesis; threads (+count),
      // their authors, names and associations; posts (+count), authors, names, memberships (+count); replies (+count),
      // authors, names, memberships.
      expect(l.sql).toBeLessThanOrEqual(24);
    }
  });
});
