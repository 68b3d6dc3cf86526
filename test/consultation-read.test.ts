import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import {
  addTransition,
  assign,
  createConsultationGraph,
  createConsultationRequest,
  createOpinion,
  createPolicyDocument,
  createReport,
  declareConflict,
  seat,
} from './factories/consultation';
import { startTestHub, TestHub } from './support/harness';
import { toGlobalId } from '../src/common/node-id';
import { todayInVietnam } from '../src/common/validate';
import {
  AgencyLevel,
  AssignmentRole,
  ConsultationKind,
  ConsultationOrigin,
  ConsultationStatus,
  ConsultationVisibility,
  OpinionStance,
  PanelRole,
  RecommendationOutcome,
} from '../src/modules/consultation/consultation.enums';
import { AcademicTitle, Degree, MembershipStatus } from '../src/modules/intellectual/intellectual.enums';
import type { ConsultationRequest } from '../src/modules/consultation/consultation-request.entity';

/**
 * The read side of consultation requests, through the schema: who sees what (per role), filters,
 * orders and cursors, search, expert candidates, and the nested read's SQL statement count.
 */

let t: TestHub;
type Row = Record<string, any>;

/** A date `days` from today (Vietnam time), as YYYY-MM-DD. */
const dayFromToday = (days: number) => {
  const d = new Date(`${todayInVietnam()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const gid = (r: { id: number }) => toGlobalId('ConsultationRequest', r.id);

/**
 * The world: federation F (Hồ Chí Minh) with associations A (lead of the confidential C), M (one of
 * its members chairs C's panel) and N (involved in nothing); requests:
 * - C: CONFIDENTIAL, IN_REVIEW, lead A; panel Đức (public, member of M) as chair and Nhung (no
 *   public profile, member of A); Vinh declared a conflict; opinions of A and of Đức (by M);
 * - P1: PUBLIC, IN_REVIEW, overdue, contributor A, a document with sections;
 * - P2: PUBLIC, PANEL_FORMED, a draft report (not submitted), contributor A;
 * - P3: PUBLIC, RESPONSE_RECEIVED, report and the agency's response; panel Nhung;
 * - P4: PUBLIC, SELF_INITIATED CONSULTATION of a DEPARTMENT, no due date, title "Đề án …".
 * And G, another federation with one public request.
 */
const w = {} as {
  F: Row;
  G: Row;
  A: Row;
  M: Row;
  N: Row;
  C: ConsultationRequest;
  P1: ConsultationRequest;
  P2: ConsultationRequest;
  P3: ConsultationRequest;
  P4: ConsultationRequest;
  PG: ConsultationRequest;
  duc: Row;
  nhung: Row;
  vinh: Row;
  keys: Record<'admin' | 'analyst' | 'A' | 'M' | 'N', Record<string, string>>;
  sectionIds: number[];
};
const PUBLIC: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  w.F = await createFederation(em, { code: uniq('HCM'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Thành phố Hồ Chí Minh' });
  w.G = await createFederation(em, { code: uniq('CT'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' });
  w.A = await createAssociation(em, w.F as never, { code: uniq('YHOC'), name: 'Hội Y học Thành phố Hồ Chí Minh' });
  w.M = await createAssociation(em, w.F as never, { code: uniq('DUOC'), name: 'Hội Dược học Thành phố Hồ Chí Minh' });
  w.N = await createAssociation(em, w.F as never, { code: uniq('TIN'), name: 'Hội Tin học Thành phố Hồ Chí Minh' });
  w.duc = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức', publicProfile: true, email: 'duc@example.org' });
  w.nhung = await createIntellectual(em, { fullName: 'Trần Thị Hồng Nhung', publicProfile: false, email: 'nhung@example.org' });
  w.vinh = await createIntellectual(em, { fullName: 'Lê Quang Vinh', publicProfile: true });
  await createMembership(em, w.duc as never, w.M as never, { status: MembershipStatus.ACTIVE });
  await createMembership(em, w.nhung as never, w.A as never, { status: MembershipStatus.ACTIVE });

  w.C = await createConsultationRequest(em, w.F as never, {
    title: 'Giám định xã hội Dự án cải tạo kênh Nhiêu Lộc',
    summary: 'Hồ sơ mật của Ủy ban nhân dân Thành phố Hồ Chí Minh.',
    kind: ConsultationKind.SOCIAL_ASSESSMENT,
    visibility: ConsultationVisibility.CONFIDENTIAL,
    status: ConsultationStatus.IN_REVIEW,
    receivedOn: '2026-05-04',
    dueOn: dayFromToday(30),
  });
  await assign(em, w.C, w.A as never, AssignmentRole.LEAD);
  await seat(em, w.C, w.duc as never, PanelRole.CHAIR);
  await seat(em, w.C, w.nhung as never, PanelRole.MEMBER);
  await declareConflict(em, w.C, w.vinh as never, 'Tham gia lập dự án.');
  await createOpinion(em, w.C, { association: w.A as never, stance: OpinionStance.OPPOSE, text: 'Hội Y học không đồng ý với phương án di dời.' });
  await createOpinion(em, w.C, {
    association: w.M as never,
    author: w.duc as never,
    stance: OpinionStance.SUPPORT_WITH_CHANGES,
    text: 'Đồng ý, đề nghị bổ sung đánh giá môi trường.',
    revisions: [{ stance: OpinionStance.NO_OPINION, text: 'Chưa có ý kiến.' }],
  });

  w.P1 = await createConsultationRequest(em, w.F as never, {
    title: 'Phản biện xã hội Dự thảo Nghị quyết về phát triển khoa học, công nghệ',
    summary: 'Do ông Nguyễn Văn Đức, Phó Chủ tịch, đề nghị.',
    status: ConsultationStatus.IN_REVIEW,
    receivedOn: '2026-03-02',
    dueOn: dayFromToday(-3),
    agency: { name: 'Hội đồng nhân dân Thành phố Hồ Chí Minh', level: AgencyLevel.PEOPLES_COUNCIL },
  });
  await addTransition(em, w.P1, ConsultationStatus.REQUESTED, ConsultationStatus.SCREENING);
  await assign(em, w.P1, w.A as never, AssignmentRole.CONTRIBUTOR);
  const doc = await createPolicyDocument(
    em,
    { sections: [{ number: '1', heading: 'Phạm vi điều chỉnh', text: 'Nghị quyết này quy định…' }, { number: '3.2', text: 'Quỹ phát triển khoa học và công nghệ.' }] },
    w.P1,
  );
  w.sectionIds = doc.sections.map((s) => s.id);
  await createPolicyDocument(em, { title: 'Tờ trình của Ủy ban nhân dân', sections: [] }, w.P1);

  w.P2 = await createConsultationRequest(em, w.F as never, {
    title: 'Tư vấn Kế hoạch chuyển đổi số ngành y tế',
    summary: 'Sở Y tế đề nghị góp ý kế hoạch.',
    status: ConsultationStatus.PANEL_FORMED,
    kind: ConsultationKind.CONSULTATION,
    receivedOn: '2026-06-15',
    dueOn: dayFromToday(60),
  });
  await assign(em, w.P2, w.A as never, AssignmentRole.CONTRIBUTOR);
  await createReport(em, w.P2, { summary: 'Bản thảo báo cáo.', submittedOn: null });

  w.P3 = await createConsultationRequest(em, w.F as never, {
    title: 'Phản biện Quy hoạch hệ thống thoát nước',
    status: ConsultationStatus.RESPONSE_RECEIVED,
    receivedOn: '2026-01-10',
    dueOn: dayFromToday(-100),
    agency: { name: 'Sở Xây dựng', level: AgencyLevel.DEPARTMENT },
  });
  await seat(em, w.P3, w.nhung as never, PanelRole.CHAIR);
  await createReport(em, w.P3, {
    summary: 'Báo cáo phản biện quy hoạch thoát nước.',
    submittedOn: '2026-03-01',
    recommendations: [
      { text: 'Bổ sung hồ điều tiết.', section: null, outcome: RecommendationOutcome.ACCEPTED },
      { text: 'Tính đến nước biển dâng.', section: null, outcome: RecommendationOutcome.NOT_ACCEPTED },
    ],
    response: { receivedOn: '2026-04-02', overall: RecommendationOutcome.PARTIALLY_ACCEPTED, note: 'Tiếp thu một phần.' },
  });

  w.P4 = await createConsultationRequest(em, w.F as never, {
    title: 'Đề án phát triển nguồn nhân lực chất lượng cao',
    summary: null,
    kind: ConsultationKind.CONSULTATION,
    origin: ConsultationOrigin.SELF_INITIATED,
    status: ConsultationStatus.ACCEPTED,
    receivedOn: '2026-06-15',
    dueOn: null,
    agency: { name: 'Sở Nội vụ', level: AgencyLevel.DEPARTMENT },
  });
  w.PG = await createConsultationRequest(em, w.G as never, { title: 'Phản biện Đề án du lịch Cần Thơ', receivedOn: '2026-02-01' });

  w.keys = {
    admin: (await createKey(em, 'ADMIN')).headers,
    analyst: (await createKey(em, 'ANALYST')).headers,
    A: (await createKey(em, 'ASSOCIATION', w.A as never)).headers,
    M: (await createKey(em, 'ASSOCIATION', w.M as never)).headers,
    N: (await createKey(em, 'ASSOCIATION', w.N as never)).headers,
  };
});
afterAll(() => t.close());

const LIST = `query($f: ConsultationRequestFilter, $o: ConsultationRequestOrder, $first: Int, $after: String) {
  consultationRequests(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } } } }`;

async function titles(headers: Record<string, string>, filter: Row, orderBy?: string): Promise<{ titles: string[]; totalCount: number }> {
  const d = await t.data<Row>(LIST, { f: { federationCode: w.F.code, ...filter }, o: orderBy, first: 100 }, headers);
  return { titles: d.consultationRequests.edges.map((e: Row) => e.node.title), totalCount: d.consultationRequests.totalCount };
}

/** Every page of a list, two at a time, following the cursors. */
async function walk(headers: Record<string, string>, filter: Row, orderBy?: string): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (let k = 0; k < 20; k++) {
    const d: Row = await t.data<Row>(LIST, { f: { federationCode: w.F.code, ...filter }, o: orderBy, first: 2, after }, headers);
    out.push(...d.consultationRequests.edges.map((e: Row) => e.node.title));
    if (!d.consultationRequests.pageInfo.hasNextPage) return out;
    after = d.consultationRequests.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

const ALL_PUBLIC = () => [w.P1, w.P2, w.P3, w.P4].map((r) => r.title);
const sortedTitles = (xs: string[]) => [...xs].sort();

describe('who sees which requests', () => {
  it('lists and counts: the confidential request only for ADMIN, ANALYST, its lead A and M (a member on its panel)', async () => {
    const withC = sortedTitles([...ALL_PUBLIC(), w.C.title]);
    const cases: [string, Record<string, string>, string[]][] = [
      ['public', PUBLIC, sortedTitles(ALL_PUBLIC())],
      ['analyst', w.keys.analyst, withC],
      ['admin', w.keys.admin, withC],
      ['A (assigned)', w.keys.A, withC],
      ['M (member on the panel)', w.keys.M, withC],
      ['N (uninvolved)', w.keys.N, sortedTitles(ALL_PUBLIC())],
    ];
    for (const [who, headers, expected] of cases) {
      const got = await titles(headers, {});
      expect({ who, titles: sortedTitles(got.titles), totalCount: got.totalCount }).toEqual({ who, titles: expected, totalCount: expected.length });
    }
  });

  it('consultationRequest(id) and node(id): null where the request is invisible, as for an unknown id', async () => {
    const Q = `query($id: ID!) { consultationRequest(id: $id) { id title } node(id: $id) { id ... on ConsultationRequest { title } } }`;
    for (const [headers, sees] of [
      [PUBLIC, false],
      [w.keys.N, false],
      [w.keys.A, true],
      [w.keys.M, true],
      [w.keys.analyst, true],
      [w.keys.admin, true],
    ] as const) {
      const d = await t.data<Row>(Q, { id: gid(w.C) }, headers);
      expect(d.consultationRequest?.title ?? null).toBe(sees ? w.C.title : null);
      expect(d.node?.title ?? null).toBe(sees ? w.C.title : null);
    }
    const unknown = await t.data<Row>(Q, { id: toGlobalId('ConsultationRequest', 2_000_000_000) }, w.keys.admin);
    expect(unknown).toEqual({ consultationRequest: null, node: null });
    // Another type's id is not a request.
    expect((await t.data<Row>(Q, { id: toGlobalId('Federation', w.F.id) }, w.keys.admin)).consultationRequest).toBeNull();
  });

  it('search does not find what the caller may not see (and counts agree)', async () => {
    const pub = await titles(PUBLIC, { search: 'kênh nhiêu lộc' });
    expect(pub).toEqual({ titles: [], totalCount: 0 });
    const n = await titles(w.keys.N, { search: 'kenh nhieu loc' });
    expect(n).toEqual({ titles: [], totalCount: 0 });
    const a = await titles(w.keys.A, { search: 'kenh nhieu loc' });
    expect(a).toEqual({ titles: [w.C.title], totalCount: 1 });
  });

  it('Association.consultationRequests: requests assigned to the association, as the caller may see them', async () => {
    const Q = `query($c: String!) { association(code: $c) { consultationRequests(first: 10) { totalCount edges { node { title } } } } }`;
    const of = async (code: string, headers: Record<string, string>) => {
      const d = await t.data<Row>(Q, { c: code }, headers);
      return { titles: sortedTitles(d.association.consultationRequests.edges.map((e: Row) => e.node.title)), totalCount: d.association.consultationRequests.totalCount };
    };
    const assignedToA = sortedTitles([w.C.title, w.P1.title, w.P2.title]);
    const publicOfA = sortedTitles([w.P1.title, w.P2.title]);
    expect(await of(w.A.code, PUBLIC)).toEqual({ titles: publicOfA, totalCount: 2 });
    expect(await of(w.A.code, w.keys.N)).toEqual({ titles: publicOfA, totalCount: 2 });
    expect(await of(w.A.code, w.keys.A)).toEqual({ titles: assignedToA, totalCount: 3 });
    expect(await of(w.A.code, w.keys.M)).toEqual({ titles: assignedToA, totalCount: 3 });
    expect(await of(w.A.code, w.keys.analyst)).toEqual({ titles: assignedToA, totalCount: 3 });
    // M is not assigned to anything (its member sits on a panel): the list is about assignments.
    expect(await of(w.M.code, w.keys.admin)).toEqual({ titles: [], totalCount: 0 });
    // Filters and orders apply to the nested list too.
    const d = await t.data<Row>(`query($c: String!) { association(code: $c) { consultationRequests(orderBy: TITLE, filter: { search: "phan bien" }) { totalCount edges { node { title } } } } }`, { c: w.A.code }, w.keys.A);
    expect(d.association.consultationRequests.edges.map((e: Row) => e.node.title)).toEqual([w.P1.title]);
    const ordered = await t.data<Row>(`query($c: String!) { association(code: $c) { consultationRequests(orderBy: TITLE, first: 2) { edges { node { title } } pageInfo { hasNextPage endCursor } } } }`, { c: w.A.code }, w.keys.A);
    const page2 = await t.data<Row>(
      `query($c: String!, $after: String) { association(code: $c) { consultationRequests(orderBy: TITLE, first: 2, after: $after) { edges { node { title } } pageInfo { hasNextPage } } } }`,
      { c: w.A.code, after: ordered.association.consultationRequests.pageInfo.endCursor },
      w.keys.A,
    );
    const all = [...ordered.association.consultationRequests.edges, ...page2.association.consultationRequests.edges].map((e: Row) => e.node.title);
    expect(all).toEqual([...assignedToA].sort((x, y) => x.localeCompare(y, 'vi')));
  });
});

const INSIDE = `query($id: ID!) { consultationRequest(id: $id) { title
  federation { code } leadAssociation { code } contributingAssociations { code }
  documents { title sections { number heading document { title } } }
  panel { id role since intellectual { fullName email } request { title } }
  conflictsOfInterest { note declaredAt intellectual { fullName } }
  opinions(first: 10) { totalCount edges { node { id stance text version association { code } author { fullName email } request { title } history { revision stance text } } } }
  history { from to note by at }
  report { summary submittedOn link recommendations { number text section { number } } }
  response { receivedOn overall note outcomes { number outcome } } } }`;

describe('the inside of a request', () => {
  it('the public sees a public request, its documents and submitted report, never its panel, opinions, history, conflicts or response', async () => {
    const d = (await t.data<Row>(INSIDE, { id: gid(w.P3) }, PUBLIC)).consultationRequest;
    expect(d.federation.code).toBe(w.F.code);
    expect(d.panel).toEqual([]);
    expect(d.conflictsOfInterest).toEqual([]);
    expect(d.opinions).toEqual({ totalCount: 0, edges: [] });
    expect(d.history).toEqual([]);
    expect(d.response).toBeNull();
    expect(d.report).toEqual({
      summary: 'Báo cáo phản biện quy hoạch thoát nước.',
      submittedOn: '2026-03-01',
      link: 'https://example.org/bao-cao.pdf',
      recommendations: [
        { number: 1, text: 'Bổ sung hồ điều tiết.', section: null },
        { number: 2, text: 'Tính đến nước biển dâng.', section: null },
      ],
    });
    const p1 = (await t.data<Row>(INSIDE, { id: gid(w.P1) }, PUBLIC)).consultationRequest;
    expect(p1.documents).toEqual([
      {
        title: 'Dự thảo Nghị quyết về phát triển khoa học, công nghệ và đổi mới sáng tạo',
        sections: [
          { number: '1', heading: 'Phạm vi điều chỉnh', document: { title: 'Dự thảo Nghị quyết về phát triển khoa học, công nghệ và đổi mới sáng tạo' } },
          { number: '3.2', heading: null, document: { title: 'Dự thảo Nghị quyết về phát triển khoa học, công nghệ và đổi mới sáng tạo' } },
        ],
      },
      { title: 'Tờ trình của Ủy ban nhân dân', sections: [] },
    ]);
    expect(p1.leadAssociation).toBeNull();
    expect(p1.contributingAssociations).toEqual([{ code: w.A.code }]);
  });

  it('the report: a draft is seen by the inside only; a submitted one by everyone', async () => {
    const report = async (headers: Record<string, string>) => (await t.data<Row>(INSIDE, { id: gid(w.P2) }, headers)).consultationRequest.report?.summary ?? null;
    expect(await report(PUBLIC)).toBeNull();
    expect(await report(w.keys.N)).toBeNull();
    expect(await report(w.keys.M)).toBeNull(); // M is not involved in P2
    expect(await report(w.keys.A)).toBe('Bản thảo báo cáo.');
    expect(await report(w.keys.analyst)).toBe('Bản thảo báo cáo.');
    expect(await report(w.keys.admin)).toBe('Bản thảo báo cáo.');
    for (const headers of [PUBLIC, w.keys.N, w.keys.M]) expect((await t.data<Row>(INSIDE, { id: gid(w.P3) }, headers)).consultationRequest.report.summary).toBe('Báo cáo phản biện quy hoạch thoát nước.');
  });

  it('ANALYST sees the whole inside, with no personal data', async () => {
    const d = (await t.data<Row>(INSIDE, { id: gid(w.C) }, w.keys.analyst)).consultationRequest;
    expect(d.leadAssociation).toEqual({ code: w.A.code });
    expect(d.contributingAssociations).toEqual([]);
    expect(d.panel.map((p: Row) => [p.role, p.intellectual])).toEqual([
      ['CHAIR', { fullName: 'Nguyễn Văn Đức', email: null }],
      ['MEMBER', { fullName: 'Trần Thị Hồng Nhung', email: null }],
    ]);
    expect(d.panel.every((p: Row) => p.request.title === w.C.title && typeof p.since === 'string')).toBe(true);
    expect(d.conflictsOfInterest).toEqual([{ note: 'Tham gia lập dự án.', declaredAt: expect.any(String), intellectual: { fullName: 'Lê Quang Vinh' } }]);
    expect(d.opinions.totalCount).toBe(2);
    expect(d.opinions.edges.map((e: Row) => [e.node.stance, e.node.association?.code, e.node.author?.fullName ?? null, e.node.version, e.node.history])).toEqual([
      ['OPPOSE', w.A.code, null, 1, []],
      ['SUPPORT_WITH_CHANGES', w.M.code, 'Nguyễn Văn Đức', 2, [{ revision: 1, stance: 'NO_OPINION', text: 'Chưa có ý kiến.' }]],
    ]);
    expect(d.history).toEqual([{ from: null, to: 'IN_REVIEW', note: null, by: 'test', at: expect.any(String) }]);
    const p3 = (await t.data<Row>(INSIDE, { id: gid(w.P3) }, w.keys.analyst)).consultationRequest;
    expect(p3.response).toEqual({
      receivedOn: '2026-04-02',
      overall: 'PARTIALLY_ACCEPTED',
      note: 'Tiếp thu một phần.',
      outcomes: [
        { number: 1, outcome: 'ACCEPTED' },
        { number: 2, outcome: 'NOT_ACCEPTED' },
      ],
    });
  });

  it('association keys see the inside of what they are involved in; people per IntellectualPolicy (hidden → null, personal data of own current members only)', async () => {
    // A leads C: Nhung (its member, no public profile) with her e-mail; Đức (public, member of M) without.
    const a = (await t.data<Row>(INSIDE, { id: gid(w.C) }, w.keys.A)).consultationRequest;
    expect(a.panel.map((p: Row) => p.intellectual)).toEqual([
      { fullName: 'Nguyễn Văn Đức', email: null },
      { fullName: 'Trần Thị Hồng Nhung', email: 'nhung@example.org' },
    ]);
    expect(a.opinions.totalCount).toBe(2);
    // M is involved through Đức: it sees the inside; Nhung is hidden from it (not public, not its member).
    const m = (await t.data<Row>(INSIDE, { id: gid(w.C) }, w.keys.M)).consultationRequest;
    expect(m.panel.map((p: Row) => p.intellectual)).toEqual([{ fullName: 'Nguyễn Văn Đức', email: 'duc@example.org' }, null]);
    expect(m.opinions.edges.map((e: Row) => e.node.author?.email ?? null)).toEqual([null, 'duc@example.org']);
    expect(m.history).toHaveLength(1);
    // ADMIN: everyone's personal data.
    const admin = (await t.data<Row>(INSIDE, { id: gid(w.C) }, w.keys.admin)).consultationRequest;
    expect(admin.panel.map((p: Row) => p.intellectual.email)).toEqual(['duc@example.org', 'nhung@example.org']);
    // N sees P3 (public) but not its inside.
    const n = (await t.data<Row>(INSIDE, { id: gid(w.P3) }, w.keys.N)).consultationRequest;
    expect([n.panel, n.history, n.conflictsOfInterest, n.response, n.opinions.totalCount]).toEqual([[], [], [], null, 0]);
  });

  it('node(id) of panel seats and opinions follows the inside; Intellectual.panelSeats lists the seats the caller sees', async () => {
    const admin = (await t.data<Row>(INSIDE, { id: gid(w.C) }, w.keys.admin)).consultationRequest;
    const seatId = admin.panel[0].id;
    const opinionId = admin.opinions.edges[0].node.id;
    const Q = `query($s: ID!, $o: ID!) { s: node(id: $s) { ... on PanelMember { role } } o: node(id: $o) { ... on Opinion { stance } } }`;
    expect(await t.data<Row>(Q, { s: seatId, o: opinionId }, PUBLIC)).toEqual({ s: null, o: null });
    expect(await t.data<Row>(Q, { s: seatId, o: opinionId }, w.keys.N)).toEqual({ s: null, o: null });
    expect(await t.data<Row>(Q, { s: seatId, o: opinionId }, w.keys.M)).toEqual({ s: { role: 'CHAIR' }, o: { stance: 'OPPOSE' } });

    const SEATS = `query($id: ID!) { node(id: $id) { ... on Intellectual { panelSeats { role request { title } } } } }`;
    const nhung = toGlobalId('Intellectual', w.nhung.id);
    expect((await t.data<Row>(SEATS, { id: nhung }, w.keys.A)).node.panelSeats).toEqual([
      { role: 'CHAIR', request: { title: w.P3.title } },
      { role: 'MEMBER', request: { title: w.C.title } },
    ]);
    expect((await t.data<Row>(SEATS, { id: toGlobalId('Intellectual', w.duc.id) }, PUBLIC)).node.panelSeats).toEqual([]);
    expect((await t.data<Row>(SEATS, { id: toGlobalId('Intellectual', w.duc.id) }, w.keys.N)).node.panelSeats).toEqual([]);
    expect((await t.data<Row>(SEATS, { id: toGlobalId('Intellectual', w.duc.id) }, w.keys.analyst)).node.panelSeats).toEqual([{ role: 'CHAIR', request: { title: w.C.title } }]);
  });

  it('opinions: filtered by stance and association, paged by cursor', async () => {
    const Q = `query($id: ID!, $f: OpinionFilter, $after: String) { consultationRequest(id: $id) { opinions(filter: $f, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { stance } } } } }`;
    const first = (await t.data<Row>(Q, { id: gid(w.C) }, w.keys.admin)).consultationRequest.opinions;
    expect([first.totalCount, first.pageInfo.hasNextPage, first.edges[0].node.stance]).toEqual([2, true, 'OPPOSE']);
    const second = (await t.data<Row>(Q, { id: gid(w.C), after: first.pageInfo.endCursor }, w.keys.admin)).consultationRequest.opinions;
    expect([second.pageInfo.hasNextPage, second.edges.map((e: Row) => e.node.stance)]).toEqual([false, ['SUPPORT_WITH_CHANGES']]);
    const byStance = (await t.data<Row>(Q, { id: gid(w.C), f: { stance: 'OPPOSE' } }, w.keys.admin)).consultationRequest.opinions;
    expect([byStance.totalCount, byStance.edges.map((e: Row) => e.node.stance)]).toEqual([1, ['OPPOSE']]);
    const byAssociation = (await t.data<Row>(Q, { id: gid(w.C), f: { associationCode: w.M.code } }, w.keys.A)).consultationRequest.opinions;
    expect([byAssociation.totalCount, byAssociation.edges.map((e: Row) => e.node.stance)]).toEqual([1, ['SUPPORT_WITH_CHANGES']]);
  });
});

describe('filters, orders and search', () => {
  it('each filter', async () => {
    const admin = w.keys.admin;
    const set = async (filter: Row) => sortedTitles((await titles(admin, filter)).titles);
    expect(await set({ kind: 'CONSULTATION' })).toEqual(sortedTitles([w.P2.title, w.P4.title]));
    expect(await set({ status: 'IN_REVIEW' })).toEqual(sortedTitles([w.C.title, w.P1.title]));
    expect(await set({ origin: 'SELF_INITIATED' })).toEqual([w.P4.title]);
    expect(await set({ agencyLevel: 'DEPARTMENT' })).toEqual(sortedTitles([w.P3.title, w.P4.title]));
    expect(await set({ associationCode: w.A.code })).toEqual(sortedTitles([w.C.title, w.P1.title, w.P2.title]));
    expect(await set({ associationCode: w.N.code })).toEqual([]);
    // Overdue: P1 (due 3 days ago, in review); P3's due date passed too, but its report is out.
    expect(await set({ overdue: true })).toEqual([w.P1.title]);
    expect(await set({ overdue: false })).toEqual(sortedTitles([w.C.title, w.P2.title, w.P3.title, w.P4.title]));
    expect(await set({ dueBefore: dayFromToday(0) })).toEqual(sortedTitles([w.P1.title, w.P3.title]));
    expect(await set({ receivedAfter: '2026-05-04' })).toEqual(sortedTitles([w.P2.title, w.P4.title]));
    expect(await set({ receivedAfter: '2026-05-03' })).toEqual(sortedTitles([w.C.title, w.P2.title, w.P4.title]));
    const g = await t.data<Row>(LIST, { f: { federationCode: w.G.code } }, PUBLIC);
    expect(g.consultationRequests.edges.map((e: Row) => e.node.title)).toEqual([w.PG.title]);
    // overdue as the field says it.
    const o = await t.data<Row>(`query($id: ID!) { consultationRequest(id: $id) { overdue } }`, { id: gid(w.P1) }, PUBLIC);
    expect(o.consultationRequest.overdue).toBe(true);
  });

  it('each order, the same through pages of two (cursors)', async () => {
    const admin = w.keys.admin;
    const all = [w.C, w.P1, w.P2, w.P3, w.P4];
    const byReceived = [...all].sort((x, y) => (x.receivedOn === y.receivedOn ? y.id - x.id : x.receivedOn < y.receivedOn ? 1 : -1)).map((r) => r.title);
    const byDue = [...all]
      .sort((x, y) => {
        const dx = x.dueOn ?? '9999-12-31';
        const dy = y.dueOn ?? '9999-12-31';
        return dx === dy ? x.id - y.id : dx < dy ? -1 : 1;
      })
      .map((r) => r.title);
    const byTitle = [...all].map((r) => r.title).sort((x, y) => x.localeCompare(y, 'vi'));
    for (const [order, expected] of [
      [undefined, byReceived],
      ['RECEIVED_DESC', byReceived],
      ['DUE_ASC', byDue],
      ['TITLE', byTitle],
    ] as const) {
      expect({ order, titles: (await titles(admin, {}, order)).titles }).toEqual({ order, titles: expected });
      expect({ order, titles: await walk(admin, {}, order) }).toEqual({ order, titles: expected });
    }
    // Vietnamese order: "Đề án" after "Dự thảo"-less D…, before "G"; the undated one last by due date.
    expect(byDue[byDue.length - 1]).toBe(w.P4.title);
    // A cursor of one order is refused by another.
    const d = await t.data<Row>(LIST, { f: { federationCode: w.F.code }, o: 'TITLE', first: 1 }, admin);
    const r = await t.gql(LIST, { f: { federationCode: w.F.code }, o: 'DUE_ASC', first: 1, after: d.consultationRequests.pageInfo.endCursor }, admin);
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('search in title and summary ignores case and diacritics', async () => {
    const pub = PUBLIC;
    const phanBien = sortedTitles([w.P1.title, w.P3.title]);
    expect(sortedTitles((await titles(pub, { search: 'phản biện' })).titles)).toEqual(phanBien);
    expect(sortedTitles((await titles(pub, { search: 'phan bien' })).titles)).toEqual(phanBien);
    expect(sortedTitles((await titles(pub, { search: 'PHAN BIEN' })).titles)).toEqual(phanBien);
    // In the summary: "Do ông Nguyễn Văn Đức…"; d matches đ.
    expect((await titles(pub, { search: 'Đức' })).titles).toEqual([w.P1.title]);
    expect((await titles(pub, { search: 'duc' })).titles).toEqual([w.P1.title]);
    expect((await titles(pub, { search: 'Hồ Chí Minh' })).totalCount).toBe(0); // only in C's (hidden) summary and the agency's name
    expect((await titles(w.keys.admin, { search: 'ho chi minh' })).titles).toEqual([w.C.title]);
    // Search with filters, paged by the ranked cursor.
    const paged = await walk(pub, { search: 'phan bien' });
    expect(sortedTitles(paged)).toEqual(phanBien);
    const tooShort = await t.gql(LIST, { f: { search: 'đ%' } }, pub);
    expect(tooShort.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('expertCandidates', () => {
  const Q = `query($id: ID!, $fields: [String!], $first: Int, $after: String) { expertCandidates(requestId: $id, fields: $fields, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { overlap matchedFields { code } node { fullName email } } } }`;

  it('ranks by overlap, degree, title, then Vietnamese name; leaves out the panel and declared conflicts; ADMIN and ANALYST only', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const r = await createConsultationRequest(em, f, { title: 'Phản biện Đề án nông nghiệp công nghệ cao', fields: ['4.4', '4.5'] });
    const person = (fullName: string, fields: string[], highestDegree: Degree | null, academicTitle: AcademicTitle, email?: string) =>
      createIntellectual(em, { fullName, fields, highestDegree, academicTitle, publicProfile: false, email: email ?? null });
    await person('Trần Văn An', ['4.4', '4.5'], Degree.TS, AcademicTitle.NONE, 'an@example.org'); // overlap 2
    await person('Phạm Thị Bích', ['4.4', '4.5', '1.1'], Degree.KS, AcademicTitle.NONE); // overlap 2, lower degree
    await person('Lê Văn Đức', ['4.4'], Degree.TSKH, AcademicTitle.GS); // overlap 1, TSKH GS
    await person('Nguyễn Văn Bình', ['4.5'], Degree.TSKH, AcademicTitle.GS); // same, Bình before Đức
    await person('Hồ Thị Ánh', ['4.4'], Degree.TSKH, AcademicTitle.PGS); // PGS after GS
    await person('Võ Văn Cường', ['4.5'], null, AcademicTitle.NONE); // unknown degree last
    const seated = await person('Đặng Văn Khoa', ['4.4', '4.5'], Degree.TSKH, AcademicTitle.GS);
    const conflicted = await person('Bùi Thị Lan', ['4.4', '4.5'], Degree.TSKH, AcademicTitle.GS);
    await person('Đỗ Văn Nam', ['3.2'], Degree.TSKH, AcademicTitle.GS); // no overlap
    await seat(em, r, seated, PanelRole.CHAIR);
    await declareConflict(em, r, conflicted);

    const expected = [
      ['Trần Văn An', 2, ['4.4', '4.5']],
      ['Phạm Thị Bích', 2, ['4.4', '4.5']],
      ['Nguyễn Văn Bình', 1, ['4.5']],
      ['Lê Văn Đức', 1, ['4.4']],
      ['Hồ Thị Ánh', 1, ['4.4']],
      ['Võ Văn Cường', 1, ['4.5']],
    ];
    const shape = (c: Row) => c.edges.map((e: Row) => [e.node.fullName, e.overlap, e.matchedFields.map((m: Row) => m.code)]);
    const admin = (await t.data<Row>(Q, { id: gid(r), first: 50 }, w.keys.admin)).expertCandidates;
    expect(shape(admin)).toEqual(expected);
    expect(admin.totalCount).toBe(6);
    // Personal data as IntellectualPolicy grants it: ADMIN yes, ANALYST no.
    expect(admin.edges[0].node.email).toBe('an@example.org');
    const analyst = (await t.data<Row>(Q, { id: gid(r), first: 50 }, w.keys.analyst)).expertCandidates;
    expect(shape(analyst)).toEqual(expected);
    expect(analyst.edges[0].node.email).toBeNull();

    // Paged by cursor, two at a time.
    const names: string[] = [];
    let after: string | null = null;
    for (let k = 0; k < 5; k++) {
      const page: Row = (await t.data<Row>(Q, { id: gid(r), first: 2, after }, w.keys.analyst)).expertCandidates;
      names.push(...page.edges.map((e: Row) => e.node.fullName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(names).toEqual(expected.map((e) => e[0]));

    // `fields` instead of the request's: a major field expands to its subfields.
    const only45 = (await t.data<Row>(Q, { id: gid(r), fields: ['4.5'] }, w.keys.admin)).expertCandidates;
    expect(shape(only45)).toEqual([
      ['Nguyễn Văn Bình', 1, ['4.5']],
      ['Trần Văn An', 1, ['4.5']],
      ['Phạm Thị Bích', 1, ['4.5']],
      ['Võ Văn Cường', 1, ['4.5']],
    ]);
    const major = (await t.data<Row>(Q, { id: gid(r), fields: ['4'], first: 50 }, w.keys.admin)).expertCandidates;
    expect(shape(major)).toEqual(expected);

    // Refused: the public (401), association keys (403); bad input: unknown codes, another type's id.
    const pub = await t.gql(Q, { id: gid(r) }, PUBLIC);
    expect([pub.status, pub.body.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const assoc = await t.gql(Q, { id: gid(r) }, w.keys.A);
    expect([assoc.status, assoc.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    const badField = await t.gql(Q, { id: gid(r), fields: ['9.9'] }, w.keys.admin);
    expect(badField.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badId = await t.gql(Q, { id: toGlobalId('Federation', f.id) }, w.keys.admin);
    expect(badId.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await t.gql(Q, { id: toGlobalId('ConsultationRequest', 2_000_000_000) }, w.keys.admin);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('no N+1', () => {
  const NESTED = `query($c: String) { consultationRequests(first: 20, filter: { federationCode: $c }) { totalCount edges { node { title
    federation { code } leadAssociation { code } contributingAssociations { code }
    documents { title sections { number } }
    panel { role intellectual { fullName memberships { totalCount edges { node { association { code } } } } } }
    opinions(first: 10) { totalCount edges { node { stance association { code } } } }
    history { to } report { summary recommendations { number } } response { overall outcomes { outcome } } } } } }`;

  // People are read by one loader (intellectualById) from every level that names them. Panel seats
  // and opinions come back in different statements, so their people batch together or apart as
  // those answers happen to arrive: the opinions' authors are counted by a query of their own
  // (on the resolvers: `createdAt` is not compiled, common/sql-read.ts).
  const AUTHORS = `query($c: String) { consultationRequests(first: 20, filter: { federationCode: $c }) { edges { node { title
    opinions(first: 10) { edges { node { stance createdAt author { fullName memberships { totalCount edges { node { association { code } } } } } } } } } } } }`;

  const build = async (n: number) => {
    const em = t.em();
    const f = await createFederation(em);
    const associations = [await createAssociation(em, f), await createAssociation(em, f), await createAssociation(em, f)];
    await createConsultationGraph(em, f, associations, n);
    return f;
  };

  it('requests → panel → intellectual → memberships → association, opinions → association, documents → sections: same statements on 1× and 10×', async () => {
    const small = await build(2);
    const large = await build(20);
    const admin = w.keys.admin;
    const s = await t.gql<Row>(NESTED, { c: small.code }, admin);
    const l = await t.gql<Row>(NESTED, { c: large.code }, admin);
    expect(s.body.errors).toBeUndefined();
    expect(l.body.errors).toBeUndefined();
    const req = l.body.data!.consultationRequests;
    expect(req.totalCount).toBe(20);
    expect(req.edges).toHaveLength(20);
    const one = req.edges[0].node;
    expect([one.documents.length, one.documents[0].sections.length, one.panel.length, one.opinions.totalCount, one.history.length, one.report.recommendations.length]).toEqual([2, 3, 3, 3, 2, 2]);
    expect(one.panel[0].intellectual.memberships.edges[0].node.association.code).toBeTruthy();
    expect(one.response.outcomes).toEqual([{ outcome: 'ACCEPTED' }, { outcome: 'NOT_ACCEPTED' }]);
    expect(l.sql).toBe(s.sql);
    // Levels: requests (+count), federation, assignments, documents, sections, panel, intellectual, memberships (+count),
    // association, opinions (+count), history, report, recommendations, response.
    expect(l.sql).toBeLessThanOrEqual(17);
  });

  it('requests → opinions → author → memberships → association: same statements on 1× and 10×', async () => {
    const small = await build(2);
    const large = await build(20);
    const admin = w.keys.admin;
    const s = await t.gql<Row>(AUTHORS, { c: small.code }, admin);
    const l = await t.gql<Row>(AUTHORS, { c: large.code }, admin);
    expect(s.body.errors).toBeUndefined();
    expect(l.body.errors).toBeUndefined();
    const authors = l.body.data!.consultationRequests.edges.flatMap((e: Row) => e.node.opinions.edges.map((o: Row) => o.node.author)).filter(Boolean);
    expect(authors.length).toBeGreaterThan(0);
    expect(authors[0].memberships.edges[0].node.association.code).toBeTruthy();
    expect(l.sql).toBe(s.sql);
    // requests, opinions, people, memberships (+count); associations may come from the loader's cache.
    expect(l.sql).toBeGreaterThanOrEqual(5);
  });
});
