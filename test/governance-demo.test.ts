import { DemoHub, startDemoHub } from './support/demo';

/**
 * The governance module's demo data, loaded with every module's demo seed into a fresh database
 * (as a first start does), read back in SQL (the read fields are another helper's part): the Sóc
 * Trăng union's three congresses and terms, delegates, the seats of term III with every
 * association but one on the Executive Committee, and its merger into Cần Thơ on 1 July 2025,
 * recorded as mergeFederation records one.
 */

// One demo database for the SQL checks and the reads through the schema.
let t: DemoHub;
beforeAll(async () => {
  t = await startDemoHub();
});
afterAll(async () => {
  await t?.close();
});

const q = <T = Record<string, any>>(sql: string, bindings: unknown[] = []): Promise<T[]> => t.q<T>(sql, bindings);

const federationId = async (code: string): Promise<number> => (await q<{ id: number }>(`select id from federation where code = ?`, [code]))[0]!.id;

describe('governance demo data', () => {
  it('SOCTRANG merged into CANTHO on 2025-07-01, its sourced facts kept; all 17 associations moved with their history', async () => {
    const [st] = await q(
      `select f.status, s.code as successor, f.status_changed_on::text as on, f.status_decision_number as decision, f.founded_on::text as founded_on,
         f.founding_decision_number, f.demo, f.description
       from federation f left join federation s on s.id = f.successor_id where f.code = 'SOCTRANG'`,
    );
    expect(st).toMatchObject({ status: 'MERGED', successor: 'CANTHO', on: '2025-07-01', decision: '202/2025/QH15', founded_on: '2007-05-17', founding_decision_number: '192/QĐTC-CTUBND', demo: false });
    expect(st!.description).toContain('3 kỳ đại hội');

    const soctrang = await federationId('SOCTRANG');
    const cantho = await federationId('CANTHO');
    expect(await q(`select count(*)::int as n from association where federation_id = ?`, [soctrang])).toEqual([{ n: 0 }]);
    expect(await q(`select count(*)::int as n from association where federation_id = ?`, [cantho])).toEqual([{ n: 19 }]);
    const periods = await q<{ code: string; joined_on: string | null; from_on: string | null; to_on: string }>(
      `select a.code, a.joined_on::text as joined_on, p.from_on::text as from_on, p.to_on::text as to_on
       from association_federation_period p join association a on a.id = p.association_id where p.federation_id = ? order by a.code`,
      [soctrang],
    );
    expect(periods).toHaveLength(17);
    for (const p of periods) {
      expect(p.code).toMatch(/^ST-/);
      expect(p).toMatchObject({ from_on: p.joined_on, to_on: '2025-07-01' });
    }
  });

  it('three congresses (I, II, III) with five-year terms that never overlap, delegates from the member associations; all demo', async () => {
    const soctrang = await federationId('SOCTRANG');
    const rows = await q(
      `select c.ordinal, c.name, c.demo, c.starts_on::text as starts_on, t.starts_on::text as term_starts_on, t.ends_on::text as term_ends_on, t.demo as term_demo,
         (t.starts_on + interval '5 years' - interval '1 day')::date::text as five_years,
         (select count(*)::int from governing_body b where b.term_id = t.id) as bodies,
         (select count(*)::int from congress_delegate d where d.congress_id = c.id) as delegates,
         (select count(distinct d.association_id)::int from congress_delegate d where d.congress_id = c.id) as delegations,
         (select count(*)::int from congress_delegate d where d.congress_id = c.id and d.kind = 'INVITED' and d.association_id is null) as invited,
         (select count(*)::int from congress_resolution r where r.congress_id = c.id) as resolutions
       from congress c join term t on t.congress_id = c.id where c.federation_id = ? order by c.ordinal`,
      [soctrang],
    );
    expect(rows.map((r) => r.ordinal)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.name.match(/lần thứ (I+)\b/u)?.[1])).toEqual(['I', 'II', 'III']);
    for (const [i, r] of rows.entries()) {
      expect(r).toMatchObject({ demo: true, term_demo: true, bodies: 4, term_starts_on: r.starts_on, resolutions: 1, invited: 2 });
      expect(r.delegates).toBeGreaterThan(r.delegations);
      // Five-year terms, except the last, cut by the merger to end the day before it.
      expect(r.term_ends_on).toBe(i < 2 ? r.five_years : '2025-06-30');
      if (i > 0) expect(r.term_starts_on > rows[i - 1]!.term_ends_on).toBe(true);
    }
    // Congress III: every association of the union had joined (17 in 2020, as the source says).
    expect(rows[2]!.delegations).toBe(17);
  });

  it('term III: every body seated, the top offices held by people with a public profile, the Standing Committee on the Executive Committee, one Vice President replaced', async () => {
    const soctrang = await federationId('SOCTRANG');
    const [term] = await q<{ id: number }>(`select t.id from term t join congress c on c.id = t.congress_id where c.federation_id = ? and c.ordinal = 3`, [soctrang]);
    const seats = await q(
      `select s.id, b.kind, s.office, s.intellectual_id, s.association_id, s.filled_by, s.elected_by_id, s.starts_on::text as starts_on, s.ends_on::text as ends_on,
         s.end_reason, s.decision_number, s.demo, i.public_profile
       from seat s join governing_body b on b.id = s.body_id join intellectual i on i.id = s.intellectual_id where s.term_id = ? order by s.id`,
      [term!.id],
    );
    expect(seats.every((s) => s.demo)).toBe(true);
    expect(new Set(seats.map((s) => s.kind))).toEqual(new Set(['EXECUTIVE_COMMITTEE', 'STANDING_COMMITTEE', 'STANDING_BOARD', 'INSPECTION_COMMITTEE']));
    const of = (kind: string, office: string) => seats.filter((s) => s.kind === kind && s.office === office);
    expect(of('STANDING_BOARD', 'PRESIDENT')).toHaveLength(1);
    expect(of('STANDING_BOARD', 'SECRETARY_GENERAL')).toHaveLength(1);
    expect(of('STANDING_BOARD', 'CHIEF_OF_OFFICE')).toHaveLength(1);
    expect(of('INSPECTION_COMMITTEE', 'INSPECTION_CHAIR')).toHaveLength(1);
    expect(of('STANDING_BOARD', 'VICE_PRESIDENT')).toHaveLength(4);
    for (const s of seats.filter((x) => x.office !== 'MEMBER')) expect(s.public_profile).toBe(true);
    // Standing Committee members sit on the Executive Committee.
    const ec = new Set(seats.filter((s) => s.kind === 'EXECUTIVE_COMMITTEE').map((s) => s.intellectual_id));
    for (const s of seats.filter((x) => x.kind === 'STANDING_COMMITTEE')) expect(ec.has(s.intellectual_id)).toBe(true);
    // The Vice President who resigned and the one appointed after.
    expect(seats.filter((s) => s.end_reason === 'RESIGNED')).toEqual([expect.objectContaining({ kind: 'STANDING_BOARD', office: 'VICE_PRESIDENT', ends_on: '2023-03-31' })]);
    expect(seats.filter((s) => s.filled_by === 'APPOINTED')).toEqual([expect.objectContaining({ office: 'VICE_PRESIDENT', starts_on: '2023-04-15', decision_number: '15/QĐ-LHH' })]);
    // Every other seat was open until the merger: it ended the day before, FEDERATION_MERGED.
    expect(seats.filter((s) => s.end_reason !== 'RESIGNED').every((s) => s.ends_on === '2025-06-30' && s.end_reason === 'FEDERATION_MERGED')).toBe(true);
  });

  it('every member association of the union on the last day of term III but one has an Executive Committee seat held that day', async () => {
    const soctrang = await federationId('SOCTRANG');
    const day = '2025-06-30';
    // Member associations on a day (the spec's definition, in plain SQL) without an EC seat held that day.
    const gaps = await q<{ code: string }>(
      `select a.code from association a
       where a.status = 'ACTIVE' and (
         (a.federation_id = ? and (a.joined_on is null or a.joined_on <= ?::date)
           and ?::date >= coalesce((select max(p.to_on) from association_federation_period p where p.association_id = a.id), '-infinity'))
         or exists (select 1 from association_federation_period p where p.association_id = a.id and p.federation_id = ? and (p.from_on is null or p.from_on <= ?::date) and ?::date < p.to_on))
       and not exists (
         select 1 from seat s join governing_body b on b.id = s.body_id join term t on t.id = s.term_id
         where s.federation_id = ? and b.kind = 'EXECUTIVE_COMMITTEE' and s.association_id = a.id
           and s.starts_on <= ?::date and (s.ends_on is null or ?::date <= s.ends_on) and ?::date <= t.ends_on)
       order by a.code`,
      [soctrang, day, day, soctrang, day, day, soctrang, day, day, day],
    );
    expect(gaps.map((g) => g.code)).toEqual(['ST-COKHIDIEN']);
    // The day after, the union has no member associations left (they are Cần Thơ's).
    const [{ n }] = await q<{ n: number }>(
      `select count(*)::int as n from association a where a.federation_id = ? or exists (select 1 from association_federation_period p where p.association_id = a.id and p.federation_id = ? and '2025-07-01'::date < p.to_on)`,
      [soctrang, soctrang],
    );
    expect(n).toBe(0);
  });

  it('terms I and II: a President and a Secretary General each, on the Standing Board and the Executive Committee, ended with their terms', async () => {
    const soctrang = await federationId('SOCTRANG');
    const rows = await q(
      `select c.ordinal, s.office, b.kind, s.ends_on from seat s join governing_body b on b.id = s.body_id join term t on t.id = s.term_id join congress c on c.id = t.congress_id
       where s.federation_id = ? and c.ordinal < 3 and s.office in ('PRESIDENT', 'SECRETARY_GENERAL') order by c.ordinal, s.office, b.kind`,
      [soctrang],
    );
    expect(rows.map((r) => `${r.ordinal} ${r.office} ${r.kind} ${r.ends_on}`)).toEqual([
      '1 PRESIDENT EXECUTIVE_COMMITTEE null',
      '1 PRESIDENT STANDING_BOARD null',
      '1 SECRETARY_GENERAL EXECUTIVE_COMMITTEE null',
      '1 SECRETARY_GENERAL STANDING_BOARD null',
      '2 PRESIDENT EXECUTIVE_COMMITTEE null',
      '2 PRESIDENT STANDING_BOARD null',
      '2 SECRETARY_GENERAL EXECUTIVE_COMMITTEE null',
      '2 SECRETARY_GENERAL STANDING_BOARD null',
    ]);
  });
});

describe('governance demo through the schema (the public, no key)', () => {
  it('SOCTRANG by its old code: MERGED into CANTHO, three terms, term III shows the one association without an Executive Committee seat', async () => {
    const r = await t.data<any>(`{
      federation(code: "SOCTRANG") {
        id status statusChangedOn successor { id code } currentTerm { id }
        congresses { id ordinalRoman term { id } }
        terms { id startsOn endsOn representationGaps(on: "2025-06-30") { id code } }
        formerAssociations(first: 50) { totalCount }
        associations(first: 1) { totalCount }
      }
    }`);
    const f = r.federation;
    expect(f).toMatchObject({ status: 'MERGED', statusChangedOn: '2025-07-01', successor: { code: 'CANTHO' }, currentTerm: null, associations: { totalCount: 0 } });
    expect(f.congresses.map((c: any) => c.ordinalRoman)).toEqual(['I', 'II', 'III']);
    expect(f.formerAssociations.totalCount).toBe(17);
    const last = f.terms[f.terms.length - 1];
    expect(last.endsOn).toBe('2025-06-30');
    expect(last.representationGaps.map((a: any) => a.code)).toEqual(['ST-COKHIDIEN']);
  });

  it('who held the Standing Board on 15 March 2024: a President, a Secretary General, names shown (public profiles)', async () => {
    const r = await t.data<any>(`{ officeHolders(federationCode: "SOCTRANG", on: "2024-03-15", bodies: [STANDING_BOARD]) { id office holderName holder { id fullName } } }`);
    const offices = r.officeHolders.map((s: any) => s.office);
    expect(offices.filter((o: string) => o === 'PRESIDENT')).toHaveLength(1);
    expect(offices).toContain('SECRETARY_GENERAL');
    const president = r.officeHolders.find((s: any) => s.office === 'PRESIDENT');
    expect(president.holder?.fullName).toBe(president.holderName);
    // After the merger nobody holds office in the merged union.
    const after = await t.data<any>(`{ officeHolders(federationCode: "SOCTRANG", on: "2025-07-01") { id } }`);
    expect(after.officeHolders).toEqual([]);
  });
});
