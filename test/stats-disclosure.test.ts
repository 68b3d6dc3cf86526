import type { AddressInfo } from 'node:net';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { loadConfig } from '../src/config';
import { createServer } from '../src/server';
import { Association } from '../src/modules/association/association.entity';
import { Federation } from '../src/modules/federation/federation.entity';
import { FederationLevel } from '../src/modules/federation/federation.enums';
import { FIELDS, fieldByCode } from '../src/modules/field/field.data';
import { AcademicTitle, Degree, Gender } from '../src/modules/intellectual/intellectual.enums';
import { Intellectual } from '../src/modules/intellectual/intellectual.entity';
import { cellRandom, Figure, Measure, publishCount, roundFixedRandom, ScopePublisher, scopeDigest } from '../src/modules/stats/stats.disclosure';

/**
 * Statistical disclosure control of the statistics (README "Statistics"): small-cell suppression
 * with fixed random rounding to base 5. Each attack of issue #16 §1 is replayed against the real
 * hub, and every protected answer is checked against the method itself: the test knows the
 * secret (STATS_SECRET) and the true counts (an ANALYST's answer), so it predicts each figure.
 */

const SECRET = 'bí mật kiểm thử của thống kê — không dùng ngoài bộ kiểm thử';
const SECRET_BYTES = Buffer.from(SECRET, 'utf8');
const PROTECTED = 'ROUNDED_BASE_5_SUPPRESSED_UNDER_5';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ STATS_SECRET: SECRET });
});
afterAll(() => t.close());

// --- data ---------------------------------------------------------------------------------------

const HO = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const DEM = ['Văn', 'Thị', 'Minh', 'Quốc', 'Thanh', 'Hữu', 'Ngọc', 'Đức'];
const TEN = ['An', 'Bình', 'Cường', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hòa', 'Hùng', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Nga', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Vân', 'Yến'];
let nameSeq = 0;
const vietnameseName = () => {
  const k = nameSeq++;
  return `${HO[k % HO.length]} ${DEM[(k * 7) % DEM.length]} ${TEN[(k * 11) % TEN.length]}`;
};

interface PersonPlan {
  count: number;
  person?: Partial<Intellectual>;
  joinedOn?: (k: number) => string | null;
}

/** Members of an association, `count` alike. */
async function members(a: Association, ...plans: PersonPlan[]): Promise<void> {
  const em = t.em();
  for (const plan of plans) {
    for (let k = 0; k < plan.count; k++) {
      const person = await createIntellectual(em, { fullName: vietnameseName(), gender: Gender.MALE, fields: ['3.2'], ...plan.person });
      await createMembership(em, person, a, { joinedOn: plan.joinedOn?.(k) ?? null });
    }
  }
}

const publisher = (associations: readonly { id: number }[]) => new ScopePublisher(SECRET_BYTES).forAssociations(associations.map((a) => a.id));

/**
 * An association of `f` whose own cells draw what `want` asks for. The secret decides whether a
 * group of 1 to 4 rounds to 0 (suppressed) or to 5; a test that shows one branch makes
 * associations until the secret gives it (the association's id is part of the cell's identity),
 * removing the others, so that the federation's scope holds only what the test built.
 */
async function associationWhere(f: Federation, data: Partial<Association>, want: (p: ScopePublisher) => boolean): Promise<Association> {
  const em = t.em();
  for (let k = 0; k < 60; k++) {
    const a = await createAssociation(em, f, { ...data, code: uniq(String(data.code ?? 'AS')) });
    if (want(publisher([a]))) return a;
    await em.removeAndFlush(a);
  }
  throw new Error('no association drew the branch this test shows in 60 tries');
}

// --- queries ------------------------------------------------------------------------------------

const B = '{ key label count suppressed }';
const COMMON = `disclosureControl activeMembers activeMembersSuppressed distinctPeople distinctPeopleSuppressed peopleByField ${B} peopleByDegree ${B}
  peopleByAcademicTitle ${B} peopleByGender ${B} peopleByBirthDecade ${B} newMembershipsByYear ${B}`;
const FED_STATS = `query($c: String!) { federation(code: $c) { stats { associationCount ${COMMON} peopleByAssociation ${B} associationsByField ${B} } } }`;
const ASSOC_STATS = `query($c: String!) { association(code: $c) { stats { ${COMMON} } } }`;

type Headers = Record<string, string>;
interface Bucket {
  key: string;
  label: string | null;
  count: number | null;
  suppressed: boolean;
}
type Stats = Record<string, any>;

const fedStats = async (f: Federation, headers: Headers = {}): Promise<Stats> => (await t.data<any>(FED_STATS, { c: f.code }, headers)).federation.stats;
const assocStats = async (a: Association, headers: Headers = {}): Promise<Stats> => (await t.data<any>(ASSOC_STATS, { c: a.code }, headers)).association.stats;
const analystHeaders = async () => (await createKey(t.em(), 'ANALYST')).headers;

const countOf = (list: Bucket[], key: string): number => list.find((b) => b.key === key)?.count ?? 0;
const shown = (list: Bucket[], key: string): number => list.find((b) => b.key === key)!.count ?? 0;

// --- the method, as the README states it, to predict every protected figure ----------------------

const latestYear = () => new Date(Date.now() + 14 * 3_600_000).getUTCFullYear();
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);
const DOMAIN = {
  peopleByDegree: () => [...Object.values(Degree), 'UNKNOWN'],
  peopleByAcademicTitle: () => Object.values(AcademicTitle) as string[],
  peopleByGender: () => Object.values(Gender) as string[],
  peopleByBirthDecade: () => [...range(1900, latestYear() - (latestYear() % 10), 10).map((d) => `${d}s`), 'UNKNOWN'],
  peopleByField: () => FIELDS.map((f) => f.code),
  newMembershipsByYear: () => ['BEFORE_1983', ...range(1983, latestYear()).map(String)],
};
const MEASURE: Record<keyof typeof DOMAIN, Measure> = {
  peopleByDegree: 'degree',
  peopleByAcademicTitle: 'title',
  peopleByGender: 'gender',
  peopleByBirthDecade: 'birthDecade',
  peopleByField: 'field',
  newMembershipsByYear: 'joinedYear',
};
const CHRONOLOGICAL = new Set(['peopleByBirthDecade', 'newMembershipsByYear']);
const byCount = (a: Bucket, b: Bucket) => (b.count ?? -1) - (a.count ?? -1) || a.key.localeCompare(b.key);
const bucket = (key: string, label: string | null, f: Figure): Bucket => ({ key, label, count: f.count, suppressed: f.suppressed });

/** What an anonymous caller must get, from the exact answer, the scope's associations and the secret. */
function predict(exact: Stats, scope: readonly { id: number }[], associations?: readonly Association[]): Stats {
  const p = publisher(scope);
  const out: Stats = { disclosureControl: PROTECTED };
  const people = p.figure('people', '', exact.distinctPeople);
  const memberships = p.figure('people', '', exact.activeMembers);
  Object.assign(out, {
    activeMembers: memberships.count,
    activeMembersSuppressed: memberships.suppressed,
    distinctPeople: people.count,
    distinctPeopleSuppressed: people.suppressed,
  });
  for (const name of Object.keys(DOMAIN) as (keyof typeof DOMAIN)[]) {
    const list: Bucket[] = exact[name];
    const n = (key: string) =>
      name === 'newMembershipsByYear' && key === 'BEFORE_1983' ? list.filter((b) => Number(b.key) < 1983).reduce((s, b) => s + b.count!, 0) : countOf(list, key);
    const label = (key: string) => (name === 'peopleByField' ? (fieldByCode(key)?.vi ?? null) : null);
    const buckets = DOMAIN[name]().map((key) => bucket(key, label(key), p.figure(MEASURE[name], key, n(key))));
    out[name] = CHRONOLOGICAL.has(name) ? buckets : buckets.sort(byCount);
  }
  if (associations) {
    out.associationCount = exact.associationCount;
    out.associationsByField = exact.associationsByField;
    out.peopleByAssociation = associations
      .map((a) => bucket(a.code, a.name, publisher([a]).figure('people', '', countOf(exact.peopleByAssociation, a.code))))
      .sort(byCount);
  }
  return out;
}

/** Every figure of a protected answer: a multiple of 5 from 5 on, or null and suppressed. */
function figuresOf(stats: Stats): Figure[] {
  const out: Figure[] = [
    { count: stats.activeMembers, suppressed: stats.activeMembersSuppressed },
    { count: stats.distinctPeople, suppressed: stats.distinctPeopleSuppressed },
  ];
  for (const name of [...Object.keys(DOMAIN), 'peopleByAssociation']) for (const b of (stats[name] ?? []) as Bucket[]) out.push(b);
  return out;
}
const isProtectedFigure = (f: Figure) => (f.suppressed ? f.count === null : f.count !== null && f.count >= 5 && f.count % 5 === 0);

// --- the pure method ----------------------------------------------------------------------------

describe('fixed random rounding to base 5 (the pure function)', () => {
  const identities = (n: number) => Array.from({ length: n }, (_, k) => scopeDigest([k + 1, 2 * k + 7]));

  it('publishes multiples of 5 from 5 on, suppresses what rounds to 0, never moves a count by 5 or more, and keeps multiples of 5 exact', () => {
    for (const digest of identities(100)) {
      for (let n = 0; n <= 40; n++) {
        const u = cellRandom(SECRET_BYTES, digest, 'gender', 'OTHER');
        const r = roundFixedRandom(n, u);
        expect(r % 5).toBe(0);
        expect(Math.abs(r - n)).toBeLessThan(5);
        const f = publishCount(n, u);
        expect(f).toEqual(r < 5 ? { count: null, suppressed: true } : { count: r, suppressed: false });
        if (n % 5 === 0) expect(r).toBe(n);
      }
      expect(publishCount(0, cellRandom(SECRET_BYTES, digest, 'gender', 'OTHER'))).toEqual({ count: null, suppressed: true });
    }
  });

  it('is fixed for a cell: the same secret, identity and count give the same figure; another secret or identity draws another number', () => {
    const u = cellRandom(SECRET_BYTES, scopeDigest([3, 1, 2]), 'title', 'GS');
    expect(cellRandom(Buffer.from(SECRET), scopeDigest([1, 2, 3, 3]), 'title', 'GS')).toBe(u); // the set of associations, in any order
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    const others = [
      cellRandom(Buffer.from('another secret of at least thirty-two characters'), scopeDigest([1, 2, 3]), 'title', 'GS'),
      cellRandom(SECRET_BYTES, scopeDigest([1, 2]), 'title', 'GS'),
      cellRandom(SECRET_BYTES, scopeDigest([1, 2, 3]), 'title', 'PGS'),
      cellRandom(SECRET_BYTES, scopeDigest([1, 2, 3]), 'degree', 'GS'),
    ];
    for (const v of others) expect(v).not.toBe(u);
  });

  it('is unbiased: over 10,000 cells the mean of FRR5(N) − N is near 0 for every N', () => {
    const cells = identities(10_000).map((d, k) => cellRandom(SECRET_BYTES, d, 'field', String(k % 48)));
    for (let n = 1; n <= 12; n++) {
      const mean = cells.reduce((s, u) => s + roundFixedRandom(n, u) - n, 0) / cells.length;
      // The error is −r or 5 − r (r = N mod 5): its standard deviation is at most 2.5, so 0.1 is 4 standard errors.
      expect(Math.abs(mean)).toBeLessThan(0.1);
    }
    // The random numbers are uniform over the ten tenths of [0, 1): Pearson's chi-square statistic
    // of the cells per tenth (9 degrees of freedom) stays under its 1% critical value, 21.67. That
    // bound also keeps every tenth within 148 cells of its 1,000 (148² / 1,000 ≈ 21.9). The counts
    // are fixed (a fixed secret, fixed identities, an HMAC): the same on every run and machine.
    const cellsPerTenth = new Array(10).fill(0);
    for (const u of cells) cellsPerTenth[Math.floor(u * 10)]++;
    const expectedPerTenth = cells.length / 10;
    const chiSquare = cellsPerTenth.reduce((sum, n) => sum + (n - expectedPerTenth) ** 2 / expectedPerTenth, 0);
    expect(chiSquare).toBeLessThan(21.67);
  });

  it('padding one person at a time moves a cell at most once per 5 people, at a step the true count alone does not determine', () => {
    const firstSteps = new Map<number, number>();
    for (const digest of identities(2000)) {
      const u = cellRandom(SECRET_BYTES, digest, 'gender', 'OTHER');
      const seq = range(0, 9).map((d) => roundFixedRandom(2 + d, u));
      const changes = range(1, 9).filter((d) => seq[d] !== seq[d - 1]);
      expect(changes.length).toBeLessThanOrEqual(2);
      for (const d of changes) expect(seq[d] - seq[d - 1]).toBe(5);
      if (changes.length === 2) expect(changes[1] - changes[0]).toBe(5);
      const appears = seq.findIndex((r) => r >= 5); // 0: already shown before any padding
      firstSteps.set(appears, (firstSteps.get(appears) ?? 0) + 1);
    }
    // With two real people, the group appears after 0 (already 5), 1, 2 or 3 dummies, as the
    // secret decides: an attacker who sees where it appears cannot tell the count behind it.
    expect([...firstSteps.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(firstSteps.get(0)! / 2000).toBeCloseTo(0.4, 1); // 2/5: u < 2/5 shows 2 as 5 at once
    for (const d of [1, 2, 3]) expect(firstSteps.get(d)! / 2000).toBeCloseTo(0.2, 1);
  });
});

// --- the attacks of issue #16 §1, through GraphQL -----------------------------------------------

describe('attack 1: a title with one professor', () => {
  it('the lone GS of CT-YHOC is suppressed (count null, suppressed true), for the public and for an association key; no OTHER key anywhere', async () => {
    const em = t.em();
    const cantho = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ', code: uniq('CANTHO') });
    // This test shows the suppressed branch (the other, a 1 shown as 5, is the pure function's).
    const yhoc = await associationWhere(cantho, { code: 'CT-YHOC', name: 'Hội Y học Cần Thơ' }, (p) => p.figure('title', 'GS', 1).suppressed);
    await members(
      yhoc,
      { count: 21, person: { academicTitle: AcademicTitle.NONE } },
      { count: 5, person: { academicTitle: AcademicTitle.PGS } },
      { count: 1, person: { academicTitle: AcademicTitle.GS, publicProfile: false } },
    );
    const other = await createAssociation(em, await createFederation(em), { name: 'Hội Dược học Cần Thơ' });
    const attackerKey = (await createKey(em, 'ASSOCIATION', other)).headers;

    for (const headers of [{}, attackerKey]) {
      const a = await assocStats(yhoc, headers);
      const f = await fedStats(cantho, headers);
      expect(a.disclosureControl).toBe(PROTECTED);
      const titles = a.peopleByAcademicTitle as Bucket[];
      expect(titles.map((b) => b.key).sort()).toEqual(['GS', 'NONE', 'PGS']);
      expect(titles.find((b) => b.key === 'GS')).toEqual({ key: 'GS', label: null, count: null, suppressed: true });
      expect(titles.find((b) => b.key === 'PGS')).toEqual({ key: 'PGS', label: null, count: 5, suppressed: false });
      expect([20, 25]).toContain(shown(titles, 'NONE'));
      // The federation has only this association: the same people, the same figures.
      expect(f.peopleByAcademicTitle).toEqual(titles);
      for (const s of [a, f]) for (const name of ['peopleByAcademicTitle', 'peopleByAssociation', 'newMembershipsByYear', 'peopleByField', 'peopleByBirthDecade']) {
        expect(((s[name] ?? []) as Bucket[]).some((b) => b.key === 'OTHER')).toBe(false);
      }
    }
    // The public list of professors is empty, as before; the statistics no longer say one exists.
    const gs = await t.data<any>(`query($c: String!) { intellectuals(filter: { associationCode: $c, academicTitle: GS }) { totalCount } }`, { c: yhoc.code });
    expect(gs.intellectuals.totalCount).toBe(0);
    // An ANALYST still sees the one GS.
    expect(countOf((await assocStats(yhoc, await analystHeaders())).peopleByAcademicTitle, 'GS')).toBe(1);
  });
});

describe('attack 2: subtraction across levels, totals and years', () => {
  it('parent minus children gives multiples of 5, never the small groups; the 2-member association is suppressed; VUSTA minus SOCTRANG does not give CANTHO’s years', async () => {
    const em = t.em();
    const vusta = await createFederation(em, { code: uniq('VUSTA'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam', level: FederationLevel.NATIONAL });
    const cantho = await createFederation(em, { code: uniq('CANTHO'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ', parent: vusta });
    const soctrang = await createFederation(em, { code: uniq('SOCTRANG'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng', parent: vusta });
    const vustaOwn = await createAssociation(em, vusta, { name: 'Hội Vật lý Việt Nam', fields: ['1.3'] });
    // The 2-member association: this test shows it suppressed (its people round to 0).
    const tiny = await associationWhere(cantho, { name: 'Hội Toán học Cần Thơ', fields: ['1.1'] }, (p) => p.figure('people', '', 2).suppressed);
    const ctYhoc = await createAssociation(em, cantho, { name: 'Hội Y học Cần Thơ', fields: ['3.2'] });
    const stDuoc = await createAssociation(em, soctrang, { name: 'Hội Dược học Sóc Trăng', fields: ['3.1'] });

    // Small groups planted in CANTHO: one GS, one TSKH, one OTHER gender, two born in the 1950s,
    // one mathematician, and 15 years with 1 to 4 new memberships each.
    await members(tiny, { count: 1, person: { gender: Gender.OTHER, academicTitle: AcademicTitle.GS, highestDegree: Degree.TSKH, birthDate: '1955-04-30', fields: ['1.1'] }, joinedOn: () => '2012-03-01' });
    await members(tiny, { count: 1, person: { gender: Gender.FEMALE, birthDate: '1958-09-02', fields: ['1.1'] }, joinedOn: () => '2013-06-15' });
    await members(ctYhoc, { count: 30, person: { highestDegree: Degree.BS, birthDate: '1980-01-01' }, joinedOn: (k) => `${2010 + (k % 15)}-0${1 + (k % 9)}-10` });
    await members(stDuoc, { count: 12, person: { highestDegree: Degree.DS, birthDate: '1990-05-05', fields: ['3.1'] }, joinedOn: (k) => `${2010 + (k % 15)}-05-20` });
    await members(vustaOwn, { count: 9, person: { highestDegree: Degree.TS, birthDate: '1970-07-07', fields: ['1.3'] }, joinedOn: (k) => `${2015 + (k % 3)}-11-11` });

    const analyst = await analystHeaders();
    const truth = {
      vusta: await fedStats(vusta, analyst),
      cantho: await fedStats(cantho, analyst),
      soctrang: await fedStats(soctrang, analyst),
      vustaOwn: await assocStats(vustaOwn, analyst),
      tiny: await assocStats(tiny, analyst),
      ctYhoc: await assocStats(ctYhoc, analyst),
    };
    const pub = {
      vusta: await fedStats(vusta),
      cantho: await fedStats(cantho),
      soctrang: await fedStats(soctrang),
      vustaOwn: await assocStats(vustaOwn),
      tiny: await assocStats(tiny),
      ctYhoc: await assocStats(ctYhoc),
    };

    // Every figure is protected, and is exactly what the method gives for its cell.
    for (const s of Object.values(pub)) for (const f of figuresOf(s)) expect(isProtectedFigure(f)).toBe(true);
    expect(pub.vusta).toEqual(predict(truth.vusta, [vustaOwn, tiny, ctYhoc, stDuoc], [vustaOwn, tiny, ctYhoc, stDuoc]));
    expect(pub.cantho).toEqual(predict(truth.cantho, [tiny, ctYhoc], [tiny, ctYhoc]));
    expect(pub.soctrang).toEqual(predict(truth.soctrang, [stDuoc], [stDuoc]));
    expect(pub.tiny).toEqual(predict(truth.tiny, [tiny]));
    expect(pub.ctYhoc).toEqual(predict(truth.ctYhoc, [ctYhoc]));
    // SOCTRANG's only association counts the same people as SOCTRANG: the same figures.
    expect(predict(truth.soctrang, [stDuoc]).peopleByGender).toEqual(pub.soctrang.peopleByGender);

    // The 2-member association: suppressed on its own and in every list it appears in.
    expect(truth.tiny).toMatchObject({ activeMembers: 2, distinctPeople: 2 });
    expect(pub.tiny).toMatchObject({ activeMembers: null, activeMembersSuppressed: true, distinctPeople: null, distinctPeopleSuppressed: true });
    for (const parent of [pub.cantho, pub.vusta]) {
      expect(parent.peopleByAssociation.find((b: Bucket) => b.key === tiny.code)).toEqual({ key: tiny.code, label: tiny.name, count: null, suppressed: true });
    }

    // The attacker's subtractions. With exact answers (what the ANALYST sees, and what the public
    // saw before) each gives back the planted small group; with protected answers none does.
    const minus = (a: number | null, ...rest: (number | null)[]) => rest.reduce<number>((s, v) => s - (v ?? 0), a ?? 0);
    const attacks: { what: string; exact: number; published: number; truth: number }[] = [];
    for (const name of ['peopleByGender', 'peopleByAcademicTitle', 'peopleByDegree', 'peopleByBirthDecade', 'peopleByField'] as const) {
      for (const key of DOMAIN[name]()) {
        const truthC = countOf(truth.cantho[name], key);
        if (truthC < 1 || truthC > 4) continue;
        // CANTHO = VUSTA − SOCTRANG − VUSTA's own association; CANTHO's small part = CANTHO − CT-YHOC.
        attacks.push({
          what: `${name} ${key}: VUSTA − SOCTRANG − own`,
          exact: minus(countOf(truth.vusta[name], key), countOf(truth.soctrang[name], key), countOf(truth.vustaOwn[name], key)),
          published: minus(countOf(pub.vusta[name], key), countOf(pub.soctrang[name], key), countOf(pub.vustaOwn[name], key)),
          truth: truthC,
        });
      }
    }
    attacks.push({
      what: 'distinctPeople: CANTHO − CT-YHOC',
      exact: minus(truth.cantho.distinctPeople, truth.ctYhoc.distinctPeople),
      published: minus(pub.cantho.distinctPeople, pub.ctYhoc.distinctPeople),
      truth: 2,
    });
    attacks.push({
      what: 'activeMembers: VUSTA − SOCTRANG − own − CT-YHOC',
      exact: minus(truth.vusta.activeMembers, truth.soctrang.activeMembers, truth.vustaOwn.activeMembers, truth.ctYhoc.activeMembers),
      published: minus(pub.vusta.activeMembers, pub.soctrang.activeMembers, pub.vustaOwn.activeMembers, pub.ctYhoc.activeMembers),
      truth: 2,
    });
    // GS, TSKH, OTHER, FEMALE, 1950s, 1.1 at least.
    expect(attacks.length).toBeGreaterThanOrEqual(6);
    for (const a of attacks) {
      expect({ what: a.what, exact: a.exact }).toEqual({ what: a.what, exact: a.truth });
      expect({ what: a.what, multipleOf5: a.published % 5 === 0, recovered: a.published === a.truth }).toEqual({ what: a.what, multipleOf5: true, recovered: false });
    }

    // newMembershipsByYear: VUSTA − SOCTRANG − VUSTA's own, year by year, is CANTHO's years exactly
    // with exact answers, and never a small year's count with protected ones.
    const years = range(2010, 2024).map(String);
    const smallYears = years.filter((y) => {
      const n = countOf(truth.cantho.newMembershipsByYear, y);
      return n >= 1 && n <= 4;
    });
    expect(smallYears.length).toBeGreaterThanOrEqual(10);
    for (const y of years) {
      const exact = minus(countOf(truth.vusta.newMembershipsByYear, y), countOf(truth.soctrang.newMembershipsByYear, y), countOf(truth.vustaOwn.newMembershipsByYear, y));
      expect(exact).toBe(countOf(truth.cantho.newMembershipsByYear, y));
      const published = minus(countOf(pub.vusta.newMembershipsByYear, y), countOf(pub.soctrang.newMembershipsByYear, y), countOf(pub.vustaOwn.newMembershipsByYear, y));
      expect(Math.abs(published % 5)).toBe(0);
      if (smallYears.includes(y)) expect({ y, published }).not.toEqual({ y, published: countOf(truth.cantho.newMembershipsByYear, y) });
    }
    const reconstructed = years.map((y) => minus(countOf(pub.vusta.newMembershipsByYear, y), countOf(pub.soctrang.newMembershipsByYear, y), countOf(pub.vustaOwn.newMembershipsByYear, y)));
    expect(reconstructed).not.toEqual(years.map((y) => countOf(truth.cantho.newMembershipsByYear, y)));
  });
});

describe('attack 3: padding with dummy members', () => {
  const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }`;
  const GENDER = `query($c: String!) { federation(code: $c) { stats { peopleByGender { key count suppressed } } } }`;

  /** What FRR5 publishes for a cell of 2 people padded with 0..9 more: where it changes, and after how many it appears. */
  const figuresOfPadding = (p: ScopePublisher) => range(0, 9).map((d) => p.figure('gender', 'OTHER', 2 + d).count);
  const stepsOf = (p: ScopePublisher) => {
    const seq = figuresOfPadding(p);
    return range(1, 9).filter((d) => seq[d] !== seq[d - 1]);
  };
  const appearanceOf = (p: ScopePublisher) => figuresOfPadding(p).findIndex((c) => c !== null);

  async function setting(name: string) {
    const em = t.em();
    const f = await createFederation(em, { name: `Liên hiệp các Hội Khoa học và Kỹ thuật ${name}` });
    const real = await createAssociation(em, f, { name: `Hội Sinh học ${name}` });
    const mine = await createAssociation(em, f, { name: `Hội Tin học ${name}` });
    return { f, real, mine };
  }

  /** The attacker pushes one dummy of gender OTHER at a time and reads the federation's OTHER group after each. */
  async function experiment(s: { f: Federation; real: Association; mine: Association }) {
    await members(s.real, { count: 2, person: { gender: Gender.OTHER, publicProfile: false } }, { count: 6, person: { gender: Gender.FEMALE } });
    const key = (await createKey(t.em(), 'ASSOCIATION', s.mine)).headers;
    const read = async () => (await t.data<any>(GENDER, { c: s.f.code }, key)).federation.stats.peopleByGender.find((b: Bucket) => b.key === 'OTHER');
    const seen: (number | null)[] = [(await read()).count];
    for (let d = 1; d <= 9; d++) {
      const r = await t.data<any>(
        UPSERT,
        { input: { associationCode: s.mine.code, idempotencyKey: uniq('push'), members: [{ externalId: uniq('AO'), fullName: `Trịnh Văn Ảo ${TEN[d]}`, gender: 'OTHER' }] } },
        key,
      );
      expect(r.upsertMembers).toEqual({ created: 1, userErrors: [] });
      const b = await read();
      expect(isProtectedFigure(b)).toBe(true);
      seen.push(b.count);
    }
    return seen;
  }

  it('shows at most one step per 5 dummies, where the secret puts it: two federations with 2 real people each step at different places', async () => {
    const first = await setting('Hậu Giang');
    const firstSteps = stepsOf(publisher([first.real, first.mine]));
    // A second federation with the same true count whose cell appears after another number of
    // dummies (the secret decides which; the federations differ only in their associations' ids).
    const firstAppears = appearanceOf(publisher([first.real, first.mine]));
    let second = await setting('Bạc Liêu');
    for (let k = 0; k < 40 && appearanceOf(publisher([second.real, second.mine])) === firstAppears; k++) second = await setting(`Bạc Liêu ${k}`);
    const secondSteps = stepsOf(publisher([second.real, second.mine]));
    expect(secondSteps).not.toEqual(firstSteps);

    const inferred: (number | null)[] = [];
    for (const [s, steps] of [
      [first, firstSteps],
      [second, secondSteps],
    ] as const) {
      const seen = await experiment(s);
      const changes = range(1, 9).filter((d) => seen[d] !== seen[d - 1]);
      expect(changes).toEqual(steps);
      expect(changes.length).toBeLessThanOrEqual(2);
      for (const d of changes) expect((seen[d] ?? 0) - (seen[d - 1] ?? 0)).toBe(5);
      // The old attack: "the group appeared after d dummies, so there were 5 − d real people"
      // (nothing to infer when it was shown from the start).
      const appeared = seen.findIndex((c) => c !== null);
      inferred.push(appeared > 0 ? 5 - appeared : null);
    }
    // The same 2 real people behind both, yet the inferences differ: at most one is right, and
    // the attacker cannot tell which.
    expect(inferred[0]).not.toBe(inferred[1]);
    expect(inferred.filter((n) => n === 2).length).toBeLessThanOrEqual(1);
  });
});

describe('attack 4: the key OTHER', () => {
  it('every key of a protected breakdown is a real value of its domain, each once, the whole domain listed; OTHER only where the enum has it, with its own count', async () => {
    const em = t.em();
    const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh An Giang' });
    const a = await createAssociation(em, f, { name: 'Hội Nông nghiệp An Giang', fields: ['4.1'] });
    const b = await createAssociation(em, f, { name: 'Hội Thủy sản An Giang', fields: ['4.1'] });
    await members(a, { count: 7, person: { gender: Gender.OTHER, highestDegree: Degree.OTHER, birthDate: '1966-06-06', fields: ['4.1'] }, joinedOn: () => '1979-01-01' });
    await members(b, { count: 3, person: { gender: Gender.FEMALE, highestDegree: Degree.KS, fields: ['4.1', '2.7'] }, joinedOn: () => '2020-02-02' });
    const pub = await fedStats(f);
    const exact = await fedStats(f, await analystHeaders());
    for (const name of Object.keys(DOMAIN) as (keyof typeof DOMAIN)[]) {
      const keys = (pub[name] as Bucket[]).map((x) => x.key);
      expect({ name, keys: [...keys].sort() }).toEqual({ name, keys: [...DOMAIN[name]()].sort() });
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect((pub.peopleByAssociation as Bucket[]).map((x) => x.key).sort()).toEqual([a.code, b.code].sort());
    // OTHER gender and OTHER degree are the 7 real people who have them, rounded: 5 or 10.
    expect([5, 10]).toContain(shown(pub.peopleByGender, 'OTHER'));
    expect([5, 10]).toContain(shown(pub.peopleByDegree, 'OTHER'));
    // Memberships before 1983 are their own group, first.
    expect(pub.newMembershipsByYear[0].key).toBe('BEFORE_1983');
    expect(pub).toEqual(predict(exact, [a, b], [a, b]));
  });
});

describe('ANALYST and ADMIN', () => {
  it('see exact counts, nothing suppressed, only the groups that have someone', async () => {
    const em = t.em();
    const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Trà Vinh' });
    const a = await createAssociation(em, f, { name: 'Hội Giáo dục Trà Vinh', fields: ['5.3'] });
    await members(
      a,
      { count: 3, person: { gender: Gender.FEMALE, academicTitle: AcademicTitle.PGS, highestDegree: Degree.TS, birthDate: '1972-02-02', fields: ['5.3'] }, joinedOn: () => '2018-08-08' },
      { count: 1, person: { gender: Gender.OTHER, academicTitle: AcademicTitle.GS, highestDegree: Degree.TSKH, birthDate: '1950-01-01', fields: ['5.3'] }, joinedOn: () => '2019-09-09' },
    );
    for (const role of ['ANALYST', 'ADMIN'] as const) {
      const headers = (await createKey(em, role)).headers;
      const s = await fedStats(f, headers);
      expect(s).toMatchObject({ disclosureControl: 'NONE', associationCount: 1, activeMembers: 4, activeMembersSuppressed: false, distinctPeople: 4, distinctPeopleSuppressed: false });
      const pairs = (name: string) => (s[name] as Bucket[]).map((x) => [x.key, x.count, x.suppressed]);
      expect(pairs('peopleByGender')).toEqual([
        ['FEMALE', 3, false],
        ['OTHER', 1, false],
      ]);
      expect(pairs('peopleByAcademicTitle')).toEqual([
        ['PGS', 3, false],
        ['GS', 1, false],
      ]);
      expect(pairs('peopleByDegree')).toEqual([
        ['TS', 3, false],
        ['TSKH', 1, false],
      ]);
      expect(pairs('peopleByBirthDecade')).toEqual([
        ['1950s', 1, false],
        ['1970s', 3, false],
      ]);
      expect(pairs('newMembershipsByYear')).toEqual([
        ['2018', 3, false],
        ['2019', 1, false],
      ]);
      expect(pairs('peopleByAssociation')).toEqual([[a.code, 4, false]]);
      expect(pairs('peopleByField')).toEqual([['5.3', 4, false]]);
    }
  });
});

describe('consistency, cache and cost', () => {
  it('the same figures when asked again, and from another hub on the same database without STATS_SECRET: the database’s own secret', async () => {
    const em = t.em();
    const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Vĩnh Long' });
    const a = await createAssociation(em, f, { name: 'Hội Luật gia Vĩnh Long', fields: ['5.5'] });
    await members(a, { count: 8, person: { gender: Gender.FEMALE, fields: ['5.5'] } }, { count: 3, person: { gender: Gender.MALE, fields: ['5.5'] } });
    expect(await fedStats(f)).toEqual(await fedStats(f));

    const hubs = await Promise.all([0, 1].map(() => startHub({})));
    try {
      const [one, two] = await Promise.all(hubs.map((h) => h.stats(f)));
      expect(one).toEqual(two);
      const [{ secret }] = await em.getConnection().execute<{ secret: string }[]>('select secret from stats_secret where id = 1');
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      const exact = await fedStats(f, await analystHeaders());
      const p = new ScopePublisher(Buffer.from(secret, 'utf8')).forAssociations([a.id]);
      expect(one.peopleByGender.find((b: Bucket) => b.key === 'MALE')).toMatchObject(p.figure('gender', 'MALE', countOf(exact.peopleByGender, 'MALE')));
      expect({ count: one.distinctPeople, suppressed: one.distinctPeopleSuppressed }).toEqual(p.figure('people', '', 11));
    } finally {
      await Promise.all(hubs.map((h) => h.close()));
    }
  });

  it('STATS_SECRET must be long enough, and a refusal does not print it', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', STATS_SECRET: 'ngắn-quá' })).toThrow(/STATS_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ NODE_ENV: 'test', STATS_SECRET: 'ngắn-quá' })).not.toThrow(/ngắn-quá/);
    expect(loadConfig({ NODE_ENV: 'test', STATS_SECRET: SECRET }).statsSecret).toBe(SECRET);
    expect(loadConfig({ NODE_ENV: 'test' }).statsSecret).toBeNull();
  });

  it('the cache keeps exact and protected answers apart', async () => {
    const hub = await startHub({ STATS_CACHE_SECONDS: '60', STATS_SECRET: SECRET });
    try {
      const em = t.em();
      const f = await createFederation(em);
      const a = await createAssociation(em, f, { name: 'Hội Kiến trúc sư Long An' });
      await members(a, { count: 3, person: { gender: Gender.FEMALE } });
      const analyst = await analystHeaders();
      const exact1 = await hub.stats(f, analyst);
      const pub1 = await hub.stats(f);
      const exact2 = await hub.stats(f, analyst);
      const pub2 = await hub.stats(f, (await createKey(em, 'ASSOCIATION', a)).headers);
      expect(exact1.distinctPeople).toBe(3);
      expect(exact2).toEqual(exact1);
      expect(pub1.disclosureControl).toBe(PROTECTED);
      expect(pub1).toEqual(predict(exact1, [a], [a]));
      expect(pub2).toEqual(pub1);
    } finally {
      await hub.close();
    }
  });

  it('protected statistics of many federations cost the same statements as of one', async () => {
    const em = t.em();
    const parent = await createFederation(em, { level: FederationLevel.NATIONAL });
    for (let k = 0; k < 4; k++) {
      const child = await createFederation(em, { parent });
      await members(await createAssociation(em, child), { count: 1 + k });
    }
    const q = (n: number) =>
      t.gql<any>(`query($c: String!) { federation(code: $c) { members(first: ${n}) { edges { node { stats { ${COMMON} peopleByAssociation ${B} } } } } } }`, { c: parent.code });
    const one = await q(1);
    const four = await q(4);
    expect(four.body.errors).toBeUndefined();
    expect(four.body.data.federation.members.edges).toHaveLength(4);
    expect(four.sql).toBe(one.sql);
  });
});

/** Another hub on the test's database (two hubs sharing one database, as in a deployment). */
async function startHub(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.db.url, ...env });
  const hub = await createServer(t.orm, config);
  await new Promise<void>((r) => hub.httpServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}/graphql`;
  return {
    async stats(f: Federation, headers: Headers = {}): Promise<Stats> {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: FED_STATS, variables: { c: f.code } }) });
      const body = (await res.json()) as any;
      expect(body.errors).toBeUndefined();
      return body.data.federation.stats;
    },
    close: () => hub.stop(),
  };
}
