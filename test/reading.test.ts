import { createAssociation, createFederation, createIntellectual, createMembership, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { AcademicTitle, Degree, MembershipStatus } from '../src/modules/intellectual/intellectual.enums';
import { AssociationStatus } from '../src/modules/association/association.enums';
import { FederationStatus } from '../src/modules/federation/federation.enums';
import { Charter, Contact } from '../src/modules/association/association.embeddables';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const PEOPLE = `query($filter: IntellectualFilter, $first: Int, $after: String) {
  intellectuals(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { fullName } } } }`;

describe('pagination', () => {
  let code: string;
  beforeAll(async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f);
    code = a.code;
    for (let k = 0; k < 25; k++) await createMembership(em, await createIntellectual(em, { fullName: `Phạm Văn Trang${String(k).padStart(2, '0')}` }), a);
  });

  it('walks every page once, ending on a short last page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    for (;;) {
      const d: any = await t.data(PEOPLE, { filter: { associationCode: code }, first: 10, after });
      const c = d.intellectuals;
      expect(c.totalCount).toBe(25);
      pages.push(c.edges.length);
      seen.push(...c.edges.map((e: any) => e.node.fullName));
      expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(pages).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
  });

  it('defaults to 20 items', async () => {
    const d: any = await t.data(PEOPLE, { filter: { associationCode: code } });
    expect(d.intellectuals.edges).toHaveLength(20);
  });

  it('answers an empty page after the last item', async () => {
    const d: any = await t.data(PEOPLE, { filter: { associationCode: code }, first: 100 });
    const last = d.intellectuals.pageInfo.endCursor;
    const next: any = await t.data(PEOPLE, { filter: { associationCode: code }, first: 10, after: last });
    expect(next.intellectuals.edges).toEqual([]);
    expect(next.intellectuals.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
  });

  it.each([0, 101, -1])('refuses first: %d with BAD_USER_INPUT', async (first) => {
    const r = await t.gql(PEOPLE, { first });
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors![0].message).toMatch(/first must be/);
  });

  it('accepts first: 1 and first: 100', async () => {
    for (const first of [1, 100]) expect((await t.gql(PEOPLE, { first })).body.errors).toBeUndefined();
  });

  it.each(['garbage', 'eyJ4Ijox', Buffer.from(JSON.stringify(['an', 'x', 1])).toString('base64url')])('refuses a bad cursor %s with BAD_USER_INPUT', async (after) => {
    const r = await t.gql(PEOPLE, { after });
    expect(r.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors![0].message).toMatch(/cursor/i);
  });
});

describe('filters', () => {
  it('filter people by field (a major field matches its subfields), degree, title, association and status', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f);
    const b = await createAssociation(em, f);
    const gs = await createIntellectual(em, { fullName: 'Lê Thị Giáo Sư', academicTitle: AcademicTitle.GS, highestDegree: Degree.TS, fields: ['1.1'] });
    const ks = await createIntellectual(em, { fullName: 'Võ Văn Kỹ Sư', highestDegree: Degree.KS, fields: ['2.3'] });
    const ended = await createIntellectual(em, { fullName: 'Đỗ Văn Nghỉ', highestDegree: Degree.KS, fields: ['2.1'] });
    await createMembership(em, gs, a);
    await createMembership(em, ks, a);
    await createMembership(em, ks, b);
    await createMembership(em, ended, b, { status: MembershipStatus.ENDED, leftOn: '2024-01-01' });
    const names = async (filter: Record<string, unknown>) =>
      ((await t.data<any>(PEOPLE, { filter, first: 100 })).intellectuals.edges as any[]).map((e) => e.node.fullName).sort();
    expect(await names({ associationCode: a.code })).toEqual(['Lê Thị Giáo Sư', 'Võ Văn Kỹ Sư']);
    expect(await names({ associationCode: b.code, field: '2' })).toEqual(['Võ Văn Kỹ Sư', 'Đỗ Văn Nghỉ'].sort());
    expect(await names({ associationCode: b.code, field: '2.3' })).toEqual(['Võ Văn Kỹ Sư']);
    expect(await names({ associationCode: a.code, academicTitle: 'GS' })).toEqual(['Lê Thị Giáo Sư']);
    expect(await names({ associationCode: b.code, degree: 'KS' })).toEqual(['Võ Văn Kỹ Sư', 'Đỗ Văn Nghỉ'].sort());
    expect(await names({ associationCode: b.code, status: 'ENDED' })).toEqual(['Đỗ Văn Nghỉ']);
    expect(await names({ associationCode: 'NO-SUCH' })).toEqual([]);
    const bad = await t.gql(PEOPLE, { filter: { field: '9.9' } });
    expect(bad.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('filter associations by field, status and federation; federations by level, status and parent', async () => {
    const em = t.em();
    const parent = await createFederation(em, { code: uniq('NAT') });
    const f = await createFederation(em, { parent });
    const merged = await createFederation(em, { parent, status: FederationStatus.MERGED, successor: f, statusChangedOn: '2025-07-01' });
    await createAssociation(em, f, { name: 'Hội Tin học', fields: ['1.2'] });
    await createAssociation(em, f, { name: 'Hội Dược học', fields: ['3.1'], status: AssociationStatus.SUSPENDED });
    const list = async (filter: Record<string, unknown>) =>
      ((await t.data<any>(`query($filter: AssociationFilter) { associations(filter: $filter) { totalCount edges { node { name } } } }`, { filter })).associations
        .edges as any[]).map((e) => e.node.name);
    expect(await list({ federationCode: f.code })).toEqual(['Hội Dược học', 'Hội Tin học']);
    expect(await list({ federationCode: f.code, field: '1' })).toEqual(['Hội Tin học']);
    expect(await list({ federationCode: f.code, status: 'SUSPENDED' })).toEqual(['Hội Dược học']);
    const feds = await t.data<any>(
      `query($p: String) { federations(filter: { parentCode: $p, status: MERGED }) { edges { node { code status statusChangedOn successor { code } parent { code } } } } }`,
      { p: parent.code },
    );
    expect(feds.federations.edges.map((e: any) => e.node)).toEqual([
      { code: merged.code, status: 'MERGED', statusChangedOn: '2025-07-01', successor: { code: f.code }, parent: { code: parent.code } },
    ]);
    const members = await t.data<any>(`query($c: String!) { federation(code: $c) { members { totalCount edges { node { code } } } } }`, { c: parent.code });
    expect(members.federation.members.totalCount).toBe(2);
  });
});

describe('orders of memberships', () => {
  const MEMBERSHIPS = `query($id: ID!, $first: Int!, $after: String, $orderBy: MembershipOrder) { node(id: $id) { ... on Intellectual {
    memberships(first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } edges { node { externalId joinedOn } } } } } }`;

  it('a person’s memberships: most recently joined first, undated last, the same day newest record first, paged through the nulls', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const person = await createIntellectual(em, { fullName: 'Trịnh Văn Lịch', publicProfile: true });
    for (const [externalId, joinedOn] of [
      ['OLD', '2010-01-01'],
      ['UNDATED-1', null],
      ['SAME-DAY-1', '2020-05-01'],
      ['SAME-DAY-2', '2020-05-01'],
      ['UNDATED-2', null],
    ] as const) {
      await createMembership(em, person, await createAssociation(em, f), { externalId, joinedOn });
    }
    const walk = async (orderBy?: string) => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const d: any = await t.data(MEMBERSHIPS, { id: person.globalId, first: 2, after, ...(orderBy ? { orderBy } : {}) });
        const c = d.node.memberships;
        expect(c.totalCount).toBe(5);
        seen.push(...c.edges.map((e: any) => e.node.externalId));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      return seen;
    };
    const joined = ['SAME-DAY-2', 'SAME-DAY-1', 'OLD', 'UNDATED-2', 'UNDATED-1'];
    expect(await walk()).toEqual(joined);
    expect(await walk('RECENTLY_JOINED')).toEqual(joined);
    expect(await walk('RECENTLY_ADDED')).toEqual(['UNDATED-2', 'SAME-DAY-2', 'SAME-DAY-1', 'UNDATED-1', 'OLD']);

    // Forged cursors of this order: a value that is not a date, or not a real one, is refused.
    for (const values of [['abc', 1], ['2023-02-30', 1], ['2020-05-01', 'x'], [1, 1]]) {
      const after = Buffer.from(JSON.stringify(['mj', ...values])).toString('base64url');
      const r = await t.gql(MEMBERSHIPS, { id: person.globalId, first: 2, after });
      expect(r.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    }
  });

  it('an association’s members keep the Vietnamese name order by default, and can be read most recently joined first', async () => {
    const em = t.em();
    const a = await createAssociation(em, await createFederation(em));
    for (const [fullName, joinedOn] of [
      ['Phan Văn Bình', '2001-01-01'],
      ['Lý Thị An', null],
      ['Mai Văn Cường', '2024-03-08'],
    ] as const) {
      await createMembership(em, await createIntellectual(em, { fullName, publicProfile: true }), a, { joinedOn });
    }
    const names = async (orderBy?: string) => {
      const d = await t.data<any>(
        `query($c: String!, $o: MembershipOrder! = VIETNAMESE_NAME) { association(code: $c) { members(orderBy: $o) { edges { node { intellectual { fullName } } } } } }`,
        { c: a.code, ...(orderBy ? { o: orderBy } : {}) },
      );
      return d.association.members.edges.map((e: any) => e.node.intellectual.fullName);
    };
    const byDefault = await t.data<any>(`query($c: String!) { association(code: $c) { members { edges { node { intellectual { fullName } } } } } }`, { c: a.code });
    expect(byDefault.association.members.edges.map((e: any) => e.node.intellectual.fullName)).toEqual(['Lý Thị An', 'Phan Văn Bình', 'Mai Văn Cường']);
    expect(await names('RECENTLY_JOINED')).toEqual(['Mai Văn Cường', 'Phan Văn Bình', 'Lý Thị An']);
  });
});

describe('Vietnamese text', () => {
  it('sorts people by given name, then full name, with Vietnamese collation', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f);
    const names = ['Nguyễn Văn Đức', 'Trần Thị Ánh', 'Lê Văn Dũng', 'Phạm Thị An', 'Nguyễn Thị Ân', 'Hồ Văn Anh', 'Bùi Văn Bình', 'Vũ Thị Anh', 'Đỗ Văn Zung', 'Hoàng Văn Duy'];
    for (const fullName of names) await createMembership(em, await createIntellectual(em, { fullName }), a);
    const d = await t.data<any>(`query($c: String) { intellectuals(filter: { associationCode: $c }, first: 50) { edges { node { fullName } } } }`, { c: a.code });
    expect(d.intellectuals.edges.map((e: any) => e.node.fullName)).toEqual([
      'Phạm Thị An',
      'Hồ Văn Anh',
      'Vũ Thị Anh',
      'Trần Thị Ánh',
      'Nguyễn Thị Ân',
      'Bùi Văn Bình',
      'Lê Văn Dũng',
      'Hoàng Văn Duy',
      'Nguyễn Văn Đức',
      'Đỗ Văn Zung',
    ]);
    const members = await t.data<any>(`query($c: String!) { association(code: $c) { members(first: 3) { edges { node { intellectual { fullName } } } } } }`, { c: a.code });
    expect(members.association.members.edges.map((e: any) => e.node.intellectual.fullName)).toEqual(['Phạm Thị An', 'Hồ Văn Anh', 'Vũ Thị Anh']);
  });

  it('stores names in NFC, so two keyboards give one string', async () => {
    const em = t.em();
    const decomposed = 'Nguyễn Văn Đức'.normalize('NFD');
    expect(decomposed).not.toBe('Nguyễn Văn Đức');
    const person = await createIntellectual(em, { fullName: decomposed });
    // The factory goes through the entity, as every write does.
    const d = await t.data<any>(`query($id: ID!) { node(id: $id) { ... on Intellectual { fullName } } }`, { id: person.globalId });
    expect(d.node.fullName).toBe('Nguyễn Văn Đức');
  });
});

describe('embedded values (charter, contact) read the same by every path', () => {
  it('association(code), the associations list and node(id) answer the stored charter and contact', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f, {
      name: 'Hội Khoa học Lịch sử Đồng Tháp',
      charter: Object.assign(new Charter(), { title: 'Điều lệ Hội', approvingDecision: 'QĐ 12/2020', approvedOn: '2020-02-29', url: 'https://hoi.example.vn/dieu-le' }),
      contact: Object.assign(new Contact(), { address: 'Số 1 Lê Lợi, Cao Lãnh', email: 'lienhe@hoi.example.vn', phone: '0277 3851 234', website: null }),
    } as never);
    const sel = 'id charter { title approvingDecision approvedOn url } contact { address email phone website }';
    const want = {
      charter: { title: 'Điều lệ Hội', approvingDecision: 'QĐ 12/2020', approvedOn: '2020-02-29', url: 'https://hoi.example.vn/dieu-le' },
      contact: { address: 'Số 1 Lê Lợi, Cao Lãnh', email: 'lienhe@hoi.example.vn', phone: '0277 3851 234', website: null },
    };
    const one = await t.data<any>(`query($c: String!) { association(code: $c) { ${sel} } }`, { c: a.code });
    expect(one.association).toMatchObject(want);
    const list = await t.data<any>(`query($f: String!) { associations(filter: { federationCode: $f }) { edges { node { ${sel} } } } }`, { f: f.code });
    expect(list.associations.edges[0].node).toMatchObject(want);
    expect((await t.data<any>(`query($id: ID!) { node(id: $id) { ... on Association { ${sel} } } }`, { id: one.association.id })).node).toMatchObject(want);
  });
});
