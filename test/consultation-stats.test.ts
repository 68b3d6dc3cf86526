import type { Knex } from '@mikro-orm/postgresql';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * Federation.consultationStats against numbers worked out by hand for a small data set built
 * here in SQL, per role (the public, an analyst, two association keys), per year, and batched.
 */

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

// --- A few rows, straight into the tables (this file's own helpers) ---------------------------

interface RequestRow {
  kind: 'CONSULTATION' | 'SOCIAL_CRITIQUE' | 'SOCIAL_ASSESSMENT';
  origin: 'REQUESTED' | 'SELF_INITIATED';
  visibility: 'PUBLIC' | 'CONFIDENTIAL';
  status: string;
  receivedOn: string;
  dueOn: string | null;
}

async function insertRequest(knex: Knex, federationId: number, r: RequestRow): Promise<number> {
  const [row] = await knex('consultation_request')
    .insert({
      federation_id: federationId,
      kind: r.kind,
      subject_kind: 'POLICY',
      title: `Dự thảo chính sách thử nghiệm ${uniq('T')}`,
      origin: r.origin,
      agency_name: 'Ủy ban nhân dân tỉnh thử nghiệm',
      agency_level: 'PEOPLES_COMMITTEE',
      format: 'WRITTEN_OPINIONS',
      received_on: r.receivedOn,
      due_on: r.dueOn,
      visibility: r.visibility,
      status: r.status,
    })
    .returning('id');
  return Number(row.id);
}

const report = (knex: Knex, requestId: number, submittedOn: string) => knex('consultation_report').insert({ request_id: requestId, summary: 'Báo cáo tổng hợp', submitted_on: submittedOn });
const recommendations = (knex: Knex, requestId: number, outcomes: (string | null)[]) =>
  knex('consultation_recommendation').insert(outcomes.map((outcome, i) => ({ request_id: requestId, number: i + 1, text: `Kiến nghị ${i + 1}`, outcome })));
const assign = (knex: Knex, requestId: number, associationId: number, role: 'LEAD' | 'CONTRIBUTOR') => knex('consultation_assignment').insert({ request_id: requestId, association_id: associationId, role });
const opinion = (knex: Knex, requestId: number, associationId: number, authorId: number | null = null) =>
  knex('consultation_opinion').insert({ request_id: requestId, association_id: associationId, intellectual_id: authorId, stance: 'SUPPORT_WITH_CHANGES', text: 'Đề nghị bổ sung' });

const FIGURES = `total byKind { key count } byStatus { key count } byOrigin { key count } byYear { year count }
  medianDaysToReport onTimeRate opinionsPerAssociation { association { code } count } outcomes { outcome count }`;

const STATS = `query($f: String!, $y: Int) { federation(code: $f) { consultationStats(year: $y) { ${FIGURES} } } }`;

/** A breakdown as { key: count }, zeros left out (every enum value is listed, zeros included: checked once below). */
const nonZero = (list: { key?: string; outcome?: string; count: number }[]) => Object.fromEntries(list.filter((b) => b.count > 0).map((b) => [b.key ?? b.outcome, b.count]));

describe('Federation.consultationStats', () => {
  let fed: Federation;
  let other: Federation;
  let parentCode: string;
  const codes = { a1: '', a2: '', a3: '' };
  let headers: { analyst: Record<string, string>; a1: Record<string, string>; a2: Record<string, string>; a3: Record<string, string> };

  beforeAll(async () => {
    const em = t.em();
    const parent = await createFederation(em);
    parentCode = parent.code;
    // Codes in a known order: the one-federation query of the batching test reads `fed`, the one with every figure.
    const fp = uniq('CSF');
    fed = await createFederation(em, { parent, code: `${fp}-A` });
    other = await createFederation(em, { parent, code: `${fp}-B` });
    // Codes in a known order: ties in opinionsPerAssociation are broken by code.
    const p = uniq('CS');
    const a1 = await createAssociation(em, fed, { code: `${p}-1` });
    const a2 = await createAssociation(em, fed, { code: `${p}-2` });
    const a3 = await createAssociation(em, fed, { code: `${p}-3` });
    Object.assign(codes, { a1: a1.code, a2: a2.code, a3: a3.code });
    const person = await createIntellectual(em, { fullName: 'Lâm Thị Phản Biện' });
    await createMembership(em, person, a2);
    headers = {
      analyst: (await createKey(t.em(), 'ANALYST')).headers,
      a1: (await createKey(t.em(), 'ASSOCIATION', a1)).headers,
      a2: (await createKey(t.em(), 'ASSOCIATION', a2)).headers,
      a3: (await createKey(t.em(), 'ASSOCIATION', a3)).headers,
    };

    const knex = em.getKnex();
    // R1: public consultation of 2023, closed; report after 50 days, by its due date; two answered recommendations.
    const r1 = await insertRequest(knex, fed.id, { kind: 'CONSULTATION', origin: 'REQUESTED', visibility: 'PUBLIC', status: 'CLOSED', receivedOn: '2023-03-01', dueOn: '2023-04-30' });
    await report(knex, r1, '2023-04-20');
    await recommendations(knex, r1, ['ACCEPTED', 'NOT_ACCEPTED']);
    await assign(knex, r1, a1.id, 'LEAD');
    await assign(knex, r1, a2.id, 'CONTRIBUTOR');
    await opinion(knex, r1, a1.id);
    await opinion(knex, r1, a2.id);
    await opinion(knex, r1, a3.id);
    // R2: public critique, report submitted after 41 days, late (due after 31).
    const r2 = await insertRequest(knex, fed.id, { kind: 'SOCIAL_CRITIQUE', origin: 'REQUESTED', visibility: 'PUBLIC', status: 'REPORT_SUBMITTED', receivedOn: '2024-01-10', dueOn: '2024-02-10' });
    await report(knex, r2, '2024-02-20');
    await recommendations(knex, r2, [null]);
    await assign(knex, r2, a1.id, 'CONTRIBUTOR');
    await opinion(knex, r2, a1.id);
    // R3: confidential self-initiated assessment, report after 30 days, on time; one answered recommendation.
    const r3 = await insertRequest(knex, fed.id, { kind: 'SOCIAL_ASSESSMENT', origin: 'SELF_INITIATED', visibility: 'CONFIDENTIAL', status: 'RESPONSE_RECEIVED', receivedOn: '2024-05-01', dueOn: '2024-06-01' });
    await report(knex, r3, '2024-05-31');
    await recommendations(knex, r3, ['PARTIALLY_ACCEPTED']);
    await assign(knex, r3, a1.id, 'LEAD');
    await opinion(knex, r3, a1.id);
    // R4: confidential consultation in review; a2 is involved through its member on the panel
    // (not assigned). Its draft report (not submitted) counts in no timing figure.
    const r4 = await insertRequest(knex, fed.id, { kind: 'CONSULTATION', origin: 'REQUESTED', visibility: 'CONFIDENTIAL', status: 'IN_REVIEW', receivedOn: '2024-07-01', dueOn: null });
    await report(knex, r4, '2024-07-02');
    await knex('consultation_panel_member').insert({ request_id: r4, intellectual_id: person.id, role: 'CHAIR' });
    await opinion(knex, r4, a2.id);
    await opinion(knex, r4, a2.id, person.id);
    // R5: public self-initiated consultation, accepted, no report.
    await insertRequest(knex, fed.id, { kind: 'CONSULTATION', origin: 'SELF_INITIATED', visibility: 'PUBLIC', status: 'ACCEPTED', receivedOn: '2024-09-01', dueOn: '2024-12-01' });
    // R6: public critique without a due date, closed; report after 30 days (2024 is a leap year); one accepted recommendation.
    const r6 = await insertRequest(knex, fed.id, { kind: 'SOCIAL_CRITIQUE', origin: 'REQUESTED', visibility: 'PUBLIC', status: 'CLOSED', receivedOn: '2024-02-01', dueOn: null });
    await report(knex, r6, '2024-03-02');
    await recommendations(knex, r6, ['ACCEPTED']);
    // R7, another federation's: never counted for this one.
    const r7 = await insertRequest(knex, other.id, { kind: 'CONSULTATION', origin: 'REQUESTED', visibility: 'PUBLIC', status: 'CLOSED', receivedOn: '2024-04-04', dueOn: '2024-05-01' });
    await report(knex, r7, '2024-04-10');
    await recommendations(knex, r7, ['NOT_ACCEPTED']);
    await opinion(knex, r7, a1.id);
  });

  const stats = async (h: Record<string, string>, year?: number) => (await t.data<any>(STATS, { f: fed.code, y: year ?? null }, h)).federation.consultationStats;

  it('ANALYST: every request, opinion and outcome', async () => {
    const s = await stats(headers.analyst);
    expect(s.total).toBe(6);
    // Every value of each enum is listed, zeros included, in the enum's order.
    expect(s.byKind).toEqual([
      { key: 'CONSULTATION', count: 3 },
      { key: 'SOCIAL_CRITIQUE', count: 2 },
      { key: 'SOCIAL_ASSESSMENT', count: 1 },
    ]);
    expect(s.byStatus.map((b: any) => b.key)).toEqual(['REQUESTED', 'SCREENING', 'ACCEPTED', 'DECLINED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED', 'WITHDRAWN']);
    expect(nonZero(s.byStatus)).toEqual({ ACCEPTED: 1, IN_REVIEW: 1, REPORT_SUBMITTED: 1, RESPONSE_RECEIVED: 1, CLOSED: 2 });
    expect(s.byOrigin).toEqual([
      { key: 'REQUESTED', count: 4 },
      { key: 'SELF_INITIATED', count: 2 },
    ]);
    expect(s.byYear).toEqual([
      { year: 2023, count: 1 },
      { year: 2024, count: 5 },
    ]);
    // Submitted reports: R1 50 days, R2 41, R3 30, R6 30 → median (30 + 41) / 2; R4's draft is not one.
    expect(s.medianDaysToReport).toBe(35.5);
    // With a due date: R1 on time, R2 late, R3 on time.
    expect(s.onTimeRate).toBeCloseTo(2 / 3, 10);
    expect(s.opinionsPerAssociation).toEqual([
      { association: { code: codes.a1 }, count: 3 },
      { association: { code: codes.a2 }, count: 3 },
      { association: { code: codes.a3 }, count: 1 },
    ]);
    expect(s.outcomes).toEqual([
      { outcome: 'ACCEPTED', count: 2 },
      { outcome: 'PARTIALLY_ACCEPTED', count: 1 },
      { outcome: 'NOT_ACCEPTED', count: 1 },
    ]);
  });

  it('the public: PUBLIC requests only, in every figure; no opinions, no outcomes', async () => {
    const s = await stats({});
    expect(s.total).toBe(4);
    expect(nonZero(s.byKind)).toEqual({ CONSULTATION: 2, SOCIAL_CRITIQUE: 2 });
    expect(nonZero(s.byStatus)).toEqual({ ACCEPTED: 1, REPORT_SUBMITTED: 1, CLOSED: 2 });
    expect(nonZero(s.byOrigin)).toEqual({ REQUESTED: 3, SELF_INITIATED: 1 });
    expect(s.byYear).toEqual([
      { year: 2023, count: 1 },
      { year: 2024, count: 3 },
    ]);
    // R1 50, R2 41, R6 30 → 41; with a due date: R1 on time, R2 late.
    expect(s.medianDaysToReport).toBe(41);
    expect(s.onTimeRate).toBe(0.5);
    expect(s.opinionsPerAssociation).toEqual([]);
    expect(s.outcomes).toEqual([
      { outcome: 'ACCEPTED', count: 0 },
      { outcome: 'PARTIALLY_ACCEPTED', count: 0 },
      { outcome: 'NOT_ACCEPTED', count: 0 },
    ]);
  });

  it('an association key: PUBLIC requests plus those it is involved in; opinions and outcomes of those it is involved in', async () => {
    // a2: public R1 R2 R5 R6, and confidential R4 through its member on the panel. Inside: R1 (contributor) and R4.
    const s2 = await stats(headers.a2);
    expect(s2.total).toBe(5);
    expect(nonZero(s2.byKind)).toEqual({ CONSULTATION: 3, SOCIAL_CRITIQUE: 2 });
    expect(nonZero(s2.byStatus)).toEqual({ ACCEPTED: 1, IN_REVIEW: 1, REPORT_SUBMITTED: 1, CLOSED: 2 });
    expect(s2.medianDaysToReport).toBe(41);
    expect(s2.onTimeRate).toBe(0.5);
    expect(s2.opinionsPerAssociation).toEqual([
      { association: { code: codes.a2 }, count: 3 },
      { association: { code: codes.a1 }, count: 1 },
      { association: { code: codes.a3 }, count: 1 },
    ]);
    expect(nonZero(s2.outcomes)).toEqual({ ACCEPTED: 1, NOT_ACCEPTED: 1 });

    // a1: public ones and confidential R3 (lead). Inside: R1, R2, R3.
    const s1 = await stats(headers.a1);
    expect(s1.total).toBe(5);
    expect(nonZero(s1.byKind)).toEqual({ CONSULTATION: 2, SOCIAL_CRITIQUE: 2, SOCIAL_ASSESSMENT: 1 });
    // R1 50, R2 41, R3 30, R6 30 → 35.5; R1 and R3 on time, R2 late.
    expect(s1.medianDaysToReport).toBe(35.5);
    expect(s1.onTimeRate).toBeCloseTo(2 / 3, 10);
    expect(s1.opinionsPerAssociation).toEqual([
      { association: { code: codes.a1 }, count: 3 },
      { association: { code: codes.a2 }, count: 1 },
      { association: { code: codes.a3 }, count: 1 },
    ]);
    expect(nonZero(s1.outcomes)).toEqual({ ACCEPTED: 1, PARTIALLY_ACCEPTED: 1, NOT_ACCEPTED: 1 });

    // a3 gave an opinion on R1 but is not involved in anything: it sees what the public sees.
    const s3 = await stats(headers.a3);
    expect(s3.total).toBe(4);
    expect(s3.opinionsPerAssociation).toEqual([]);
    expect(nonZero(s3.outcomes)).toEqual({});
  });

  it('one year of receipt', async () => {
    const y2023 = await stats(headers.analyst, 2023);
    expect(y2023).toMatchObject({ total: 1, byYear: [{ year: 2023, count: 1 }], medianDaysToReport: 50, onTimeRate: 1 });
    expect(nonZero(y2023.outcomes)).toEqual({ ACCEPTED: 1, NOT_ACCEPTED: 1 });
    expect(y2023.opinionsPerAssociation.map((o: any) => [o.association.code, o.count])).toEqual([
      [codes.a1, 1],
      [codes.a2, 1],
      [codes.a3, 1],
    ]);

    // The public in 2024: R2, R5, R6; reports R2 41 and R6 30; R2 late.
    const pub2024 = await stats({}, 2024);
    expect(pub2024).toMatchObject({ total: 3, byYear: [{ year: 2024, count: 3 }], medianDaysToReport: 35.5, onTimeRate: 0 });

    const none = await stats(headers.analyst, 2022);
    expect(none).toMatchObject({ total: 0, byYear: [], medianDaysToReport: null, onTimeRate: null, opinionsPerAssociation: [] });
    expect(nonZero(none.byKind)).toEqual({});
  });

  it('refuses a year out of range with BAD_USER_INPUT', async () => {
    for (const y of [1989, 2101]) {
      const r = await t.gql<any>(STATS, { f: fed.code, y }, headers.analyst);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message).toMatch(/year must be at (least 1990|most 2100)/);
    }
  });

  it('batches: two federations cost the same SQL statements as one', async () => {
    // A list, as dashboards ask: the federations' fields resolve in one tick, so their loads batch.
    const list = `query($p: String, $n: Int) { federations(first: $n, filter: { parentCode: $p }) { edges { node { code consultationStats { ${FIGURES} } } } } }`;
    for (const h of [headers.analyst, headers.a2, {}]) {
      const r1 = await t.gql<any>(list, { p: parentCode, n: 1 }, h);
      const r2 = await t.gql<any>(list, { p: parentCode, n: 2 }, h);
      expect(r1.body.errors).toBeUndefined();
      expect(r2.body.errors).toBeUndefined();
      expect(r1.body.data.federations.edges.map((e: any) => e.node.code)).toEqual([fed.code]);
      expect(r2.body.data.federations.edges).toHaveLength(2);
      expect(r2.sql).toBe(r1.sql);
    }
    const r = await t.data<any>(list, { p: parentCode, n: 2 }, headers.analyst);
    const byCode = Object.fromEntries(r.federations.edges.map((e: any) => [e.node.code, e.node.consultationStats]));
    expect(byCode[fed.code].total).toBe(6);
    expect(byCode[other.code]).toMatchObject({ total: 1, medianDaysToReport: 6, onTimeRate: 1, opinionsPerAssociation: [{ association: { code: codes.a1 }, count: 1 }] });
    expect(nonZero(byCode[other.code].outcomes)).toEqual({ NOT_ACCEPTED: 1 });
  });
});
