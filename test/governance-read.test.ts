import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { createPolicyDocument } from './factories/consultation';
import { createCongress, createDelegates, createSeat, createTerm, TermRow } from './factories/governance';
import { startTestHub, TestHub } from './support/harness';
import { toGlobalId } from '../src/common/node-id';
import { todayInVietnam } from '../src/common/validate';
import { AssociationStatus } from '../src/modules/association/association.enums';
import { DelegateKind, GoverningBodyKind, Office, SeatEndReason, SeatFilledBy } from '../src/modules/governance/governance.enums';
import { MembershipStatus } from '../src/modules/intellectual/intellectual.enums';

/**
 * The read side of governance, through the schema against PostgreSQL: who held office on a date
 * (before, inside and after seats, across a term boundary), representation gaps (member
 * associations on a date: joined later, suspended, moved away), names of people without a public
 * profile masked for the public, delegates and their counts, resolutions, node(id) of each type,
 * and the nested read's SQL statement count on 1× and 10× data.
 */

let t: TestHub;
type Row = Record<string, any>;
type Ref = { id: number } & Row;
const PUBLIC: Record<string, string> = {};
const gid = (type: string, r: { id: number }) => toGlobalId(type, r.id);
const EC = GoverningBodyKind.EXECUTIVE_COMMITTEE;
const SC = GoverningBodyKind.STANDING_COMMITTEE;

/**
 * The world: federation F (Sóc Trăng) with associations A ("Hội Y học Sóc Trăng", short name
 * "Hội Y học"), B ("Hội Nông nghiệp Sóc Trăng"), C ("Hội Đông y Sóc Trăng", joined 2021-06-01),
 * D (suspended); E ("Hội Tin học Sóc Trăng") now in federation G, in F until 2022-01-01.
 * People: Đức and Lan (public profiles), Nhung and Vinh (none; Nhung with an e-mail).
 * Congresses of F: I (2010, no term), II (2015, term T1 2015–2019), III (2020, term T2 2020–2024).
 * Seats: T1: Đức President on the EC for A. T2: Đức President on the EC for B until 2022-06-30
 * (resigned), Lan President from 2022-07-01 (appointed, for no association), Nhung EC member for A,
 * Vinh Standing Committee member for no association. Congress III's delegates: Đức and Nhung
 * (A, elected), Vinh (B, by office), Lan (invited, no association); resolutions: a policy
 * document (no title of its own), a title with a link.
 */
const w = {} as {
  F: Ref;
  G: Ref;
  N: Ref;
  A: Ref;
  B: Ref;
  C: Ref;
  D: Ref;
  E: Ref;
  duc: Ref;
  lan: Ref;
  nhung: Ref;
  vinh: Ref;
  c1: Ref;
  c2: Ref;
  c3: Ref;
  T1: TermRow;
  T2: TermRow;
  now: TermRow;
  s1: Ref;
  s2: Ref;
  s3: Ref;
  s4: Ref;
  s5: Ref;
  doc: Ref;
  keys: Record<'admin' | 'analyst' | 'A', Record<string, string>>;
};

beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  w.F = await createFederation(em, { code: uniq('ST'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng' });
  w.G = await createFederation(em, { code: uniq('CT'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' });
  w.N = await createFederation(em, { code: uniq('NOW'), name: 'Liên hiệp hội có nhiệm kỳ hiện tại' });
  w.A = await createAssociation(em, w.F as never, { code: uniq('YH'), name: 'Hội Y học Sóc Trăng', shortName: 'Hội Y học' });
  w.B = await createAssociation(em, w.F as never, { code: uniq('NN'), name: 'Hội Nông nghiệp Sóc Trăng' });
  w.C = await createAssociation(em, w.F as never, { code: uniq('DY'), name: 'Hội Đông y Sóc Trăng', joinedOn: '2021-06-01' });
  w.D = await createAssociation(em, w.F as never, { code: uniq('TS'), name: 'Hội Thủy sản Sóc Trăng', status: AssociationStatus.SUSPENDED });
  w.E = await createAssociation(em, w.G as never, { code: uniq('TH'), name: 'Hội Tin học Sóc Trăng' });
  await em.getKnex()('association_federation_period').insert({ association_id: w.E.id, federation_id: w.F.id, from_on: null, to_on: '2022-01-01' });

  w.duc = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức', publicProfile: true });
  w.lan = await createIntellectual(em, { fullName: 'Lê Thị Lan', publicProfile: true });
  w.nhung = await createIntellectual(em, { fullName: 'Trần Thị Hồng Nhung', publicProfile: false, email: 'nhung@example.org' });
  w.vinh = await createIntellectual(em, { fullName: 'Lê Quang Vinh', publicProfile: false });
  await createMembership(em, w.duc as never, w.A as never, { status: MembershipStatus.ACTIVE });
  await createMembership(em, w.nhung as never, w.A as never, { status: MembershipStatus.ACTIVE });

  w.c1 = await createCongress(em, w.F, { ordinal: 1, startsOn: '2010-05-20' });
  w.c2 = await createCongress(em, w.F, { ordinal: 2, startsOn: '2015-01-01' });
  w.c3 = await createCongress(em, w.F, { ordinal: 3, startsOn: '2019-12-28', endsOn: '2019-12-29', name: 'Đại hội đại biểu lần thứ III' });
  w.T1 = await createTerm(em, w.F, { startsOn: '2015-01-01', endsOn: '2019-12-31', congress: w.c2 });
  w.T2 = await createTerm(em, w.F, { startsOn: '2020-01-01', endsOn: '2024-12-31', congress: w.c3 });
  const year = Number(todayInVietnam().slice(0, 4));
  w.now = await createTerm(em, w.N, { startsOn: `${year - 1}-01-01`, endsOn: `${year + 3}-12-31` });

  w.s1 = await createSeat(em, w.T1, EC, w.duc, { office: Office.PRESIDENT, association: w.A });
  w.s2 = await createSeat(em, w.T2, EC, w.duc, { office: Office.PRESIDENT, association: w.B, endsOn: '2022-06-30', endReason: SeatEndReason.RESIGNED });
  w.s3 = await createSeat(em, w.T2, EC, w.lan, {
    office: Office.PRESIDENT,
    startsOn: '2022-07-01',
    filledBy: SeatFilledBy.APPOINTED,
    decision: { number: '15/QĐ-LHH', date: '2022-06-30', issuer: 'Ban Chấp hành' },
  });
  w.s4 = await createSeat(em, w.T2, EC, w.nhung, { association: w.A });
  w.s5 = await createSeat(em, w.T2, SC, w.vinh, { filledBy: SeatFilledBy.ELECTED_BY_BODY, electedBy: w.T2.bodies[EC] });

  await createDelegates(em, w.c3, [
    { person: w.duc, association: w.A, kind: DelegateKind.ELECTED },
    { person: w.nhung, association: w.A, kind: DelegateKind.ELECTED },
    { person: w.vinh, association: w.B, kind: DelegateKind.EX_OFFICIO },
    { person: w.lan, association: null, kind: DelegateKind.INVITED },
  ]);
  w.doc = (await createPolicyDocument(em, { title: 'Nghị quyết Đại hội lần thứ III về phát triển khoa học' })).document as never;
  await em.getKnex()('congress_resolution').insert([
    { congress_id: w.c3.id, position: 1, policy_document_id: w.doc.id },
    { congress_id: w.c3.id, position: 2, title: 'Chương trình hành động nhiệm kỳ 2020–2024', url: 'https://example.org/ctht.pdf', adopted_on: '2019-12-29' },
  ]);

  w.keys = {
    admin: (await createKey(em, 'ADMIN')).headers,
    analyst: (await createKey(em, 'ANALYST')).headers,
    A: (await createKey(em, 'ASSOCIATION', w.A as never)).headers,
  };
});
afterAll(() => t.close());

const HOLDERS = `query($c: String!, $on: Date!, $b: [GoverningBodyKind!], $o: [Office!]) {
  officeHolders(federationCode: $c, on: $on, bodies: $b, offices: $o) { id office holderName startsOn endsOn term { id } body { id kind } } }`;

async function holders(on: string, opts: { code?: string; bodies?: string[]; offices?: string[] } = {}): Promise<Row[]> {
  const d = await t.data<Row>(HOLDERS, { c: opts.code ?? w.F.code, on, b: opts.bodies, o: opts.offices }, w.keys.admin);
  return d.officeHolders;
}

describe('officeHolders', () => {
  const presidents = async (on: string) => (await holders(on, { offices: ['PRESIDENT'] })).map((s: Row) => s.holderName);

  it('before, inside and after seats, and across a term boundary', async () => {
    expect(await presidents('2014-12-31')).toEqual([]);
    expect(await presidents('2015-01-01')).toEqual(['Nguyễn Văn Đức']);
    // The last day of term I: the open seat ends with it.
    const last = await holders('2019-12-31', { offices: ['PRESIDENT'] });
    expect(last.map((s) => s.id)).toEqual([gid('Seat', w.s1)]);
    expect(last[0].term.id).toBe(gid('Term', w.T1));
    // The first day of term II: the same person, on the new term's seat.
    const first = await holders('2020-01-01', { offices: ['PRESIDENT'] });
    expect(first.map((s) => s.id)).toEqual([gid('Seat', w.s2)]);
    expect(first[0].term.id).toBe(gid('Term', w.T2));
    // The end day is held; the successor from the next day.
    expect(await presidents('2022-06-30')).toEqual(['Nguyễn Văn Đức']);
    expect(await presidents('2022-07-01')).toEqual(['Lê Thị Lan']);
    expect(await presidents('2024-12-31')).toEqual(['Lê Thị Lan']);
    // After the last term: nobody.
    expect(await presidents('2025-01-01')).toEqual([]);
  });

  it('lists every seat held that day by body, office and start; filters by body; unknown code → empty list', async () => {
    const all = await holders('2021-03-01');
    expect(all.map((s) => [s.body.kind, s.office, s.holderName])).toEqual([
      ['EXECUTIVE_COMMITTEE', 'PRESIDENT', 'Nguyễn Văn Đức'],
      ['EXECUTIVE_COMMITTEE', 'MEMBER', 'Trần Thị Hồng Nhung'],
      ['STANDING_COMMITTEE', 'MEMBER', 'Lê Quang Vinh'],
    ]);
    expect((await holders('2021-03-01', { bodies: ['STANDING_COMMITTEE'] })).map((s) => s.id)).toEqual([gid('Seat', w.s5)]);
    expect(await holders('2021-03-01', { code: 'NO-SUCH-CODE' })).toEqual([]);
  });

  it('refuses a date that is not a calendar date', async () => {
    const r = await t.gql(HOLDERS, { c: w.F.code, on: '2021-02-30' });
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('federation → congresses, terms, currentTerm; congress and term fields', () => {
  it('reads congresses by ordinal with Roman numerals, terms oldest first, and the term held today', async () => {
    const q = `query($c: String!) { federation(code: $c) { id currentTerm { id } congresses { id ordinal ordinalRoman term { id startsOn endsOn } }
      terms { id startsOn endsOn congress { id ordinalRoman } federation { id } bodies { id kind } body(kind: STANDING_BOARD) { id kind term { id } } } } }`;
    const f = (await t.data<Row>(q, { c: w.F.code })).federation;
    expect(f.currentTerm).toBeNull();
    expect(f.congresses.map((c: Row) => [c.ordinal, c.ordinalRoman, c.term?.id ?? null])).toEqual([
      [1, 'I', null],
      [2, 'II', gid('Term', w.T1)],
      [3, 'III', gid('Term', w.T2)],
    ]);
    expect(f.terms.map((x: Row) => [x.startsOn, x.endsOn, x.congress.ordinalRoman])).toEqual([
      ['2015-01-01', '2019-12-31', 'II'],
      ['2020-01-01', '2024-12-31', 'III'],
    ]);
    expect(f.terms[1].bodies.map((b: Row) => b.kind)).toEqual(['EXECUTIVE_COMMITTEE', 'STANDING_COMMITTEE', 'STANDING_BOARD', 'INSPECTION_COMMITTEE']);
    expect(f.terms[1].body).toEqual({ id: gid('GoverningBody', { id: w.T2.bodies.STANDING_BOARD }), kind: 'STANDING_BOARD', term: { id: gid('Term', w.T2) } });
    const n = (await t.data<Row>(q, { c: w.N.code })).federation;
    expect(n.currentTerm).toEqual({ id: gid('Term', w.now) });
  });

  it('body seats: all, held on a date, of some offices; seat fields', async () => {
    const q = `query($id: ID!) { node(id: $id) { ... on GoverningBody { id kind
      all: seats { id office }
      on: seats(on: "2022-07-01") { id holderName }
      presidents: seats(offices: [PRESIDENT]) { id filledBy decision { number date issuer } startsOn endsOn endReason version demo electedBy { id }
        association { id } federation { id } } } } }`;
    const b = (await t.data<Row>(q, { id: gid('GoverningBody', { id: w.T2.bodies[EC] }) }, w.keys.admin)).node;
    expect(b.all.map((s: Row) => s.id)).toEqual([w.s2, w.s3, w.s4].map((s) => gid('Seat', s)));
    expect(b.on.map((s: Row) => s.holderName)).toEqual(['Lê Thị Lan', 'Trần Thị Hồng Nhung']);
    expect(b.presidents[0]).toMatchObject({ filledBy: 'ELECTED_BY_CONGRESS', startsOn: '2020-01-01', endsOn: '2022-06-30', endReason: 'RESIGNED', association: { id: gid('Association', w.B) } });
    expect(b.presidents[1]).toMatchObject({ filledBy: 'APPOINTED', decision: { number: '15/QĐ-LHH', date: '2022-06-30', issuer: 'Ban Chấp hành' }, endsOn: null, association: null, version: 1, demo: false });
    expect(b.presidents[1].federation.id).toBe(gid('Federation', w.F));
    const sc = (await t.data<Row>(`query($id: ID!) { node(id: $id) { ... on Seat { electedBy { id kind } body { kind } } } }`, { id: gid('Seat', w.s5) })).node;
    expect(sc).toEqual({ electedBy: { id: gid('GoverningBody', { id: w.T2.bodies[EC] }), kind: 'EXECUTIVE_COMMITTEE' }, body: { kind: 'STANDING_COMMITTEE' } });
  });
});

describe('representationGaps', () => {
  const GAPS = `query($id: ID!, $on: Date) { node(id: $id) { ... on Term { representationGaps(on: $on) { id name } } } }`;
  const gaps = async (term: TermRow, on?: string) => (await t.data<Row>(GAPS, { id: gid('Term', term), on })).node.representationGaps.map((a: Row) => a.name);

  it('member associations on the date without an Executive Committee seat held that day, by Vietnamese name', async () => {
    // 2021-01-01: A (Nhung) and B (Đức) have seats; C had not joined; D is suspended; E was still in F.
    expect(await gaps(w.T2, '2021-01-01')).toEqual(['Hội Tin học Sóc Trăng']);
    // 2022-08-01: Đức's seat for B has ended, Lan's represents none; C has joined; E has moved to G.
    expect(await gaps(w.T2, '2022-08-01')).toEqual(['Hội Đông y Sóc Trăng', 'Hội Nông nghiệp Sóc Trăng']);
  });

  it('by default on today moved into the term (term I: its last day)', async () => {
    expect(await gaps(w.T1)).toEqual(['Hội Nông nghiệp Sóc Trăng', 'Hội Tin học Sóc Trăng']);
    expect(await gaps(w.T1, '2019-12-31')).toEqual(['Hội Nông nghiệp Sóc Trăng', 'Hội Tin học Sóc Trăng']);
  });
});

describe('public masking of names', () => {
  const SEATS = `query($id: ID!) { node(id: $id) { ... on GoverningBody { seats { id holderName holder { id fullName email } association { id } } } } }`;

  it('the public sees "Representative of <association>" or "Member of <the body>" and no person for people without a public profile', async () => {
    const ec = await t.gql<Row>(SEATS, { id: gid('GoverningBody', { id: w.T2.bodies[EC] }) }, PUBLIC);
    expect(ec.body.errors).toBeUndefined();
    const seats = ec.body.data!.node.seats;
    expect(seats.map((s: Row) => s.holderName)).toEqual(['Nguyễn Văn Đức', 'Lê Thị Lan', 'Representative of Hội Y học']);
    expect(seats[2].holder).toBeNull();
    expect(seats[0].holder).toEqual({ id: gid('Intellectual', w.duc), fullName: 'Nguyễn Văn Đức', email: null });
    const sc = await t.gql<Row>(SEATS, { id: gid('GoverningBody', { id: w.T2.bodies[SC] }) }, PUBLIC);
    expect(sc.body.data!.node.seats.map((s: Row) => [s.holderName, s.holder])).toEqual([['Member of the Standing Committee', null]]);
    const text = JSON.stringify([ec.body, sc.body]);
    for (const secret of ['Nhung', 'nhung@example.org', 'Vinh']) expect(text).not.toContain(secret);
  });

  it('callers with a key see the names; the holder as IntellectualPolicy allows', async () => {
    const an = (await t.data<Row>(SEATS, { id: gid('GoverningBody', { id: w.T2.bodies[EC] }) }, w.keys.analyst)).node.seats;
    expect(an[2]).toMatchObject({ holderName: 'Trần Thị Hồng Nhung', holder: { id: gid('Intellectual', w.nhung), email: null } });
    const own = (await t.data<Row>(SEATS, { id: gid('GoverningBody', { id: w.T2.bodies[EC] }) }, w.keys.A)).node.seats;
    expect(own[2].holder).toEqual({ id: gid('Intellectual', w.nhung), fullName: 'Trần Thị Hồng Nhung', email: 'nhung@example.org' });
    const sc = (await t.data<Row>(SEATS, { id: gid('GoverningBody', { id: w.T2.bodies[SC] }) }, w.keys.A)).node.seats;
    expect(sc).toEqual([{ id: gid('Seat', w.s5), holderName: 'Lê Quang Vinh', holder: null, association: null }]);
  });

  it('Intellectual.offices: newest first, by date; only where the person is visible', async () => {
    const q = `query($id: ID!) { node(id: $id) { ... on Intellectual { offices { id } held: offices(on: "2016-06-01") { id office } } } }`;
    const d = (await t.data<Row>(q, { id: gid('Intellectual', w.duc) })).node;
    expect(d.offices.map((s: Row) => s.id)).toEqual([gid('Seat', w.s2), gid('Seat', w.s1)]);
    expect(d.held).toEqual([{ id: gid('Seat', w.s1), office: 'PRESIDENT' }]);
    expect((await t.data<Row>(q, { id: gid('Intellectual', w.nhung) }, PUBLIC)).node).toBeNull();
    expect((await t.data<Row>(q, { id: gid('Intellectual', w.nhung) }, w.keys.admin)).node.offices.map((s: Row) => s.id)).toEqual([gid('Seat', w.s4)]);
  });
});

describe('congress delegates and resolutions', () => {
  const Q = `query($id: ID!, $a: String, $k: DelegateKind, $first: Int, $after: String) { node(id: $id) { ... on Congress { name delegateCount
    delegateCounts { association { id name } elected exOfficio invited total }
    delegates(associationCode: $a, kind: $k, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id kind personName person { id fullName } association { id } congress { id } } } }
    resolutions { id position title url adoptedOn document { id title } congress { id } } } } }`;

  it('counts per association (by name, none last), pages delegates with filters, masks names for the public', async () => {
    const c = (await t.data<Row>(Q, { id: gid('Congress', w.c3) }, PUBLIC)).node;
    expect(c.delegateCount).toBe(4);
    expect(c.delegateCounts).toEqual([
      { association: { id: gid('Association', w.B), name: 'Hội Nông nghiệp Sóc Trăng' }, elected: 0, exOfficio: 1, invited: 0, total: 1 },
      { association: { id: gid('Association', w.A), name: 'Hội Y học Sóc Trăng' }, elected: 2, exOfficio: 0, invited: 0, total: 2 },
      { association: null, elected: 0, exOfficio: 0, invited: 1, total: 1 },
    ]);
    const nodes = c.delegates.edges.map((e: Row) => e.node);
    expect(c.delegates.totalCount).toBe(4);
    expect(nodes.map((n: Row) => [n.personName, n.person?.fullName ?? null, n.kind])).toEqual([
      ['Nguyễn Văn Đức', 'Nguyễn Văn Đức', 'ELECTED'],
      ['Representative of Hội Y học', null, 'ELECTED'],
      ['Representative of Hội Nông nghiệp Sóc Trăng', null, 'EX_OFFICIO'],
      ['Lê Thị Lan', 'Lê Thị Lan', 'INVITED'],
    ]);
    expect(nodes[0].congress.id).toBe(gid('Congress', w.c3));
    const a = (await t.data<Row>(Q, { id: gid('Congress', w.c3), a: w.A.code, first: 1 }, w.keys.analyst)).node.delegates;
    expect(a.totalCount).toBe(2);
    expect(a.edges.map((e: Row) => e.node.personName)).toEqual(['Nguyễn Văn Đức']);
    const next = (await t.data<Row>(Q, { id: gid('Congress', w.c3), a: w.A.code, first: 1, after: a.pageInfo.endCursor }, w.keys.analyst)).node.delegates;
    expect(next.edges.map((e: Row) => e.node.personName)).toEqual(['Trần Thị Hồng Nhung']);
    expect(next.pageInfo.hasNextPage).toBe(false);
    const invited = (await t.data<Row>(Q, { id: gid('Congress', w.c3), k: 'INVITED' }, PUBLIC)).node.delegates;
    expect(invited.edges.map((e: Row) => e.node.personName)).toEqual(['Lê Thị Lan']);
  });

  it('resolutions in order; a document resolution takes the document title', async () => {
    const r = (await t.data<Row>(Q, { id: gid('Congress', w.c3) })).node.resolutions;
    expect(r.map((x: Row) => [x.position, x.title, x.url, x.adoptedOn, x.document?.id ?? null])).toEqual([
      [1, 'Nghị quyết Đại hội lần thứ III về phát triển khoa học', null, null, gid('PolicyDocument', w.doc)],
      [2, 'Chương trình hành động nhiệm kỳ 2020–2024', 'https://example.org/ctht.pdf', '2019-12-29', null],
    ]);
  });
});

describe('node(id)', () => {
  it('fetches Congress, Term, GoverningBody, Seat, CongressDelegate and CongressResolution', async () => {
    const q = `query($id: ID!) { node(id: $id) { __typename id
      ... on Congress { ordinalRoman } ... on Term { startsOn } ... on GoverningBody { kind } ... on Seat { office }
      ... on CongressDelegate { delegateKind: kind } ... on CongressResolution { position } } }`;
    const one = async (id: string) => (await t.data<Row>(q, { id }, PUBLIC)).node;
    expect(await one(gid('Congress', w.c3))).toEqual({ __typename: 'Congress', id: gid('Congress', w.c3), ordinalRoman: 'III' });
    expect(await one(gid('Term', w.T1))).toEqual({ __typename: 'Term', id: gid('Term', w.T1), startsOn: '2015-01-01' });
    const body = gid('GoverningBody', { id: w.T1.bodies.INSPECTION_COMMITTEE });
    expect(await one(body)).toEqual({ __typename: 'GoverningBody', id: body, kind: 'INSPECTION_COMMITTEE' });
    expect(await one(gid('Seat', w.s3))).toEqual({ __typename: 'Seat', id: gid('Seat', w.s3), office: 'PRESIDENT' });
    const [delegateId, resolutionId] = await Promise.all([
      t.em().getKnex()('congress_delegate').where({ congress_id: w.c3.id, intellectual_id: w.lan.id }).first('id'),
      t.em().getKnex()('congress_resolution').where({ congress_id: w.c3.id, position: 2 }).first('id'),
    ]);
    expect((await one(gid('CongressDelegate', delegateId))).delegateKind).toBe('INVITED');
    expect((await one(gid('CongressResolution', resolutionId))).position).toBe(2);
    expect(await one(gid('Seat', { id: 987654321 }))).toBeNull();
  });
});

describe('batching', () => {
  const NESTED = `query($c: String!) { federation(code: $c) { id terms { id congress { id ordinalRoman } bodies { id kind
    seats { id office holderName association { id name } holder { id fullName
      memberships(first: 5) { totalCount edges { node { id association { id name } } } } } } } } } }`;

  /** A federation with n five-year terms, each with 3 seats (two on the EC for associations, one on the SC for none) of members of its 2 associations; only the first holder has a public profile. */
  const build = async (n: number) => {
    const em = t.em();
    const f = await createFederation(em, { code: uniq('BT'), name: 'Liên hiệp hội thử nghiệm' });
    const as = [await createAssociation(em, f, { name: 'Hội Vật lý' }), await createAssociation(em, f, { shortName: 'Hội Tin học' })];
    for (let k = 0; k < n; k++) {
      const y = 1970 + 5 * k;
      const c = await createCongress(em, f, { ordinal: k + 1, startsOn: `${y}-01-01` });
      const term = await createTerm(em, f, { startsOn: `${y}-01-01`, endsOn: `${y + 4}-12-31`, congress: c });
      for (const [j, kind] of [EC, EC, SC].entries()) {
        const person = await createIntellectual(em, { fullName: `Phạm Văn Thử ${k}-${j}`, publicProfile: j === 0 });
        await createMembership(em, person, as[j % 2], { status: MembershipStatus.ACTIVE });
        await createSeat(em, term, kind, person, { association: kind === EC ? as[j] : null, office: j === 0 ? Office.PRESIDENT : Office.MEMBER });
      }
    }
    return f;
  };

  it('federation → terms → bodies → seats → holder → memberships → association: same statements on 1× and 10×', async () => {
    const small = await build(1);
    const large = await build(10);
    for (const h of [w.keys.admin, PUBLIC]) {
      const s = await t.gql<Row>(NESTED, { c: small.code }, h);
      const l = await t.gql<Row>(NESTED, { c: large.code }, h);
      expect(s.body.errors).toBeUndefined();
      expect(l.body.errors).toBeUndefined();
      const terms = l.body.data!.federation.terms;
      expect(terms).toHaveLength(10);
      expect(terms.flatMap((x: Row) => x.bodies.flatMap((b: Row) => b.seats))).toHaveLength(30);
      expect(l.sql).toBe(s.sql);
      // Levels, one statement each: federation, terms, congresses, bodies, seats, their holders' names and
      // associations, holders, memberships (+count); bodies by id for the public ("Member of …" stand-ins).
      expect(l.sql).toBeLessThanOrEqual(h === PUBLIC ? 12 : 11);
    }
  });
});
