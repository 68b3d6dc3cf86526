import { createAssociation, createFederation, createIntellectual, createKey, createMembership } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { AcademicTitle, Degree, Gender, MembershipStatus } from '../src/modules/intellectual/intellectual.enums';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const BUCKETS = '{ key label count }';
const STATS = `associationCount activeMembers distinctPeople peopleByAssociation ${BUCKETS} peopleByField ${BUCKETS} peopleByDegree ${BUCKETS}
  peopleByAcademicTitle ${BUCKETS} peopleByGender ${BUCKETS} peopleByBirthDecade ${BUCKETS} associationsByField ${BUCKETS} newMembershipsByYear ${BUCKETS}`;
const counts = (buckets: { key: string; count: number }[]) => Object.fromEntries(buckets.map((b) => [b.key, b.count]));

describe('statistics', () => {
  it('counts federations (with member federations) and associations exactly', async () => {
    const em = t.em();
    const nat = await createFederation(em);
    const prov = await createFederation(em, { parent: nat });
    const yhoc = await createAssociation(em, prov, { code: 'STAT-YHOC', name: 'Hội Y học', fields: ['3.2', '3.1'] });
    const tinhoc = await createAssociation(em, nat, { code: 'STAT-TIN', name: 'Hội Tin học', fields: ['1.2'] });
    const empty = await createAssociation(em, prov, { code: 'STAT-EMPTY', name: 'Hội Trống', fields: ['3.2'] });
    // A: in both associations (counts once as a person); B: Y học only; C: ended (not active); D: Tin học, no data.
    const a = await createIntellectual(em, { fullName: 'Nguyễn Văn Đức', gender: Gender.MALE, highestDegree: Degree.TS, academicTitle: AcademicTitle.PGS, birthDate: '1975-03-02', fields: ['3.2', '1.2'] });
    const b = await createIntellectual(em, { fullName: 'Hồ Thị Ánh', gender: Gender.FEMALE, highestDegree: Degree.BS, birthDate: '1979-12-31', fields: ['3.2'], publicProfile: false });
    const c = await createIntellectual(em, { fullName: 'Trần Đức An', gender: Gender.MALE, highestDegree: Degree.THS, birthDate: '1990-01-01', fields: ['3.1'] });
    const d = await createIntellectual(em, { fullName: 'Lê Văn Dũng', gender: Gender.UNDISCLOSED, fields: [] });
    await createMembership(em, a, yhoc, { joinedOn: '2019-05-01' });
    await createMembership(em, a, tinhoc, { joinedOn: '2021-01-10' });
    await createMembership(em, b, yhoc, { joinedOn: '2021-07-07' });
    await createMembership(em, c, yhoc, { joinedOn: '2019-02-02', status: MembershipStatus.ENDED, leftOn: '2020-01-01' });
    await createMembership(em, d, tinhoc);

    const res = await t.gql<any>(
      `query($n: String!, $p: String!, $a: String!) {
        nat: federation(code: $n) { stats { ${STATS} } }
        prov: federation(code: $p) { stats { ${STATS} } }
        assoc: association(code: $a) { stats { activeMembers distinctPeople peopleByGender ${BUCKETS} peopleByDegree ${BUCKETS} newMembershipsByYear ${BUCKETS} } }
      }`,
      { n: nat.code, p: prov.code, a: yhoc.code },
      (await createKey(t.em(), 'ANALYST')).headers, // anonymous callers see small groups merged
    );
    expect(res.body.errors).toBeUndefined();
    const { nat: n, prov: p, assoc } = res.body.data;

    expect(n.stats).toMatchObject({ associationCount: 3, activeMembers: 4, distinctPeople: 3 });
    expect(counts(n.stats.peopleByAssociation)).toEqual({ 'STAT-YHOC': 2, 'STAT-TIN': 2 });
    expect(n.stats.peopleByAssociation.find((x: any) => x.key === 'STAT-YHOC').label).toBe('Hội Y học');
    expect(counts(n.stats.peopleByField)).toEqual({ '3.2': 2, '1.2': 1 });
    expect(n.stats.peopleByField.find((x: any) => x.key === '3.2').label).toBe('Y học lâm sàng');
    expect(counts(n.stats.peopleByDegree)).toEqual({ TS: 1, BS: 1, UNKNOWN: 1 });
    expect(counts(n.stats.peopleByAcademicTitle)).toEqual({ PGS: 1, NONE: 2 });
    expect(counts(n.stats.peopleByGender)).toEqual({ MALE: 1, FEMALE: 1, UNDISCLOSED: 1 });
    expect(counts(n.stats.peopleByBirthDecade)).toEqual({ '1970s': 2, UNKNOWN: 1 });
    expect(counts(n.stats.associationsByField)).toEqual({ '3.2': 2, '3.1': 1, '1.2': 1 });
    expect(n.stats.newMembershipsByYear).toEqual([
      { key: '2019', label: null, count: 2 },
      { key: '2021', label: null, count: 2 },
    ]);

    // The provincial union alone: Y học and the empty association.
    expect(p.stats).toMatchObject({ associationCount: 2, activeMembers: 2, distinctPeople: 2 });
    expect(counts(p.stats.associationsByField)).toEqual({ '3.2': 2, '3.1': 1 });

    expect(assoc.stats).toMatchObject({ activeMembers: 2, distinctPeople: 2 });
    expect(counts(assoc.stats.peopleByGender)).toEqual({ MALE: 1, FEMALE: 1 });
    expect(counts(assoc.stats.newMembershipsByYear)).toEqual({ '2019': 2, '2021': 1 });
    expect(empty.id).toBeGreaterThan(0);
  });

  it('batches: stats of many associations cost the same statements as of one', async () => {
    const em = t.em();
    const f = await createFederation(em);
    for (let k = 0; k < 6; k++) {
      const a = await createAssociation(em, f);
      await createMembership(em, await createIntellectual(em, { fullName: `Phan Văn Số${k}` }), a);
    }
    const q = (n: number) =>
      t.gql(`query($c: String) { associations(first: ${n}, filter: { federationCode: $c }) { edges { node { stats { activeMembers peopleByGender { key count } } } } } }`, { c: f.code });
    const one = await q(1);
    const six = await q(6);
    expect(six.body.errors).toBeUndefined();
    expect(six.sql).toBe(one.sql);
  });
});

describe('statistics cache', () => {
  it('serves a repeated question from the cache (no SQL) within STATS_CACHE_SECONDS', async () => {
    const cached = await startTestHub({ STATS_CACHE_SECONDS: '60' });
    try {
      const em = cached.em();
      const f = await createFederation(em);
      const a = await createAssociation(em, f);
      await createMembership(em, await createIntellectual(em, { fullName: 'Đặng Thị Lan' }), a);
      const q = `query($c: String!) { federation(code: $c) { stats { activeMembers distinctPeople peopleByGender { key count } } } }`;
      const analyst = (await createKey(em, 'ANALYST')).headers;
      const first = await cached.gql<any>(q, { c: f.code }, analyst);
      const again = await cached.gql<any>(q, { c: f.code }, analyst);
      expect(again.body).toEqual(first.body);
      expect(first.body.data.federation.stats.activeMembers).toBe(1);
      // The second answer ran only the key lookup and the federation lookup: no aggregate.
      expect(again.sql).toBeLessThan(first.sql);
      expect(first.sql - again.sql).toBeGreaterThanOrEqual(2);
    } finally {
      await cached.close();
    }
  });
});
