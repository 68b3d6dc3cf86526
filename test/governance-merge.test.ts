import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { createSeat, createTerm } from './factories/governance';
import { startTestHub, TestHub } from './support/harness';
import { FederationStatus } from '../src/modules/federation/federation.enums';
import { GoverningBodyKind, Office, SeatEndReason } from '../src/modules/governance/governance.enums';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * mergeFederation through the schema: the merged federation's state and its reads by the old
 * code, the associations' federationHistory, the successor's statistics, the term cut and the
 * seats ended, every userError (nothing written), idempotent retries, who may call it, the audit
 * trail. Term and seat reads belong to the reads module: they are checked in SQL here.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
type Row = Record<string, any>;
let admin: Key;
let analyst: Key;

beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  admin = await createKey(em, 'ADMIN');
  analyst = await createKey(em, 'ANALYST');
});
afterAll(() => t?.close());

const MERGE = `mutation($input: MergeFederationInput!) { mergeFederation(input: $input) {
  federation { code status statusChangedOn statusDecision { number date issuer title } successor { code } }
  successor { code status } movedAssociations endedSeats userErrors { code field message } } }`;

const DECISION = { number: '202/2025/QH15', date: '2025-06-12', issuer: 'Quốc hội', title: 'Nghị quyết về việc sắp xếp đơn vị hành chính cấp tỉnh' };

async function merge(input: Row, headers: Record<string, string> = admin.headers): Promise<Row> {
  const r = await t.gql<any>(MERGE, { input }, headers);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.mergeFederation;
}

const codes = (payload: Row) => payload.userErrors.map((e: Row) => `${e.code} ${e.field.join('.')}`).sort();

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

/** Rows of every table the merger writes, and the audit log. */
async function counts(): Promise<Row> {
  const [r] = await sql(
    `select (select count(*)::int from association_federation_period) as periods, (select count(*)::int from audit_event) as audit,
       (select count(*)::int from federation where status = 'MERGED') as merged,
       (select count(*)::int from seat where end_reason = 'FEDERATION_MERGED') as ended,
       (select coalesce(sum(version), 0)::int from term) as term_versions, (select coalesce(sum(version), 0)::int from association) as association_versions`,
  );
  return r!;
}

/**
 * A provincial union founded in 2007 with three associations (one joined in 2008, one with no
 * joining date, one that came from a third union in 2015), members in each, and a successor with
 * one association of its own. Its term 2020-11-26…2025-11-25 has seats open across the merger,
 * one ended before, one starting after; its earlier term has a seat left open (ended with the term).
 */
async function scenario() {
  const em = t.em();
  const old = await createFederation(em, { code: uniq('SOCTRANG'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng', foundedOn: '2007-05-17' } as never);
  const succ = await createFederation(em, { code: uniq('CANTHO'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' } as never);
  const third = await createFederation(em, { code: uniq('HAUGIANG'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hậu Giang' } as never);
  const yhoc = await createAssociation(em, old, { name: 'Hội Y học tỉnh Sóc Trăng', joinedOn: '2008-03-12' } as never);
  const luat = await createAssociation(em, old, { name: 'Hội Luật gia tỉnh Sóc Trăng', joinedOn: null } as never);
  const dongy = await createAssociation(em, old, { name: 'Hội Đông y tỉnh Sóc Trăng', joinedOn: '2009-01-01' } as never);
  await sql(`insert into association_federation_period (association_id, federation_id, from_on, to_on) values (?, ?, '2009-01-01', '2015-01-01')`, [dongy.id, third.id]);
  const own = await createAssociation(em, succ, { name: 'Hội Tin học thành phố Cần Thơ', joinedOn: '2012-01-01' } as never);
  const people = [];
  for (const [i, a] of [yhoc, yhoc, luat, dongy, own].entries()) {
    const p = await createIntellectual(em, { fullName: ['Nguyễn Văn Đức', 'Hồ Thị Ánh', 'Trần Đức An', 'Lê Thị Hồng', 'Phạm Minh Quân'][i] } as never);
    await createMembership(em, p, a, { joinedOn: '2019-01-01' } as never);
    people.push(p);
  }
  const termII = await createTerm(em, old, { startsOn: '2015-11-26', endsOn: '2020-11-25' });
  const termIII = await createTerm(em, old, { startsOn: '2020-11-26', endsOn: '2025-11-25' });
  const [duc, anh, an, hong] = people as [any, any, any, any];
  const seats = {
    earlier: await createSeat(em, termII, GoverningBodyKind.EXECUTIVE_COMMITTEE, duc, { association: yhoc }),
    president: await createSeat(em, termIII, GoverningBodyKind.STANDING_BOARD, duc, { office: Office.PRESIDENT, association: yhoc }),
    member: await createSeat(em, termIII, GoverningBodyKind.EXECUTIVE_COMMITTEE, an, { association: luat, endsOn: '2025-10-31' }),
    resigned: await createSeat(em, termIII, GoverningBodyKind.EXECUTIVE_COMMITTEE, anh, { association: yhoc, endsOn: '2023-03-31', endReason: SeatEndReason.RESIGNED }),
    later: await createSeat(em, termIII, GoverningBodyKind.EXECUTIVE_COMMITTEE, hong, { association: dongy, startsOn: '2025-08-01' }),
  };
  return { old, succ, third, yhoc, luat, dongy, own, termII, termIII, seats };
}

const input = (old: Federation, succ: Federation, extra: Row = {}) => ({ code: old.code, intoCode: succ.code, on: '2025-07-01', decision: DECISION, ...extra });

/** Member associations of a federation on a date, as the spec defines them (plain SQL: the shared helper is the reads module's). */
async function membersOn(federation: Federation, on: string): Promise<string[]> {
  const rows = await sql<{ code: string }>(
    `select a.code from association a
     where a.status = 'ACTIVE' and (
       (a.federation_id = ? and (a.joined_on is null or a.joined_on <= ?::date)
         and ?::date >= coalesce((select max(p.to_on) from association_federation_period p where p.association_id = a.id), '-infinity'))
       or exists (select 1 from association_federation_period p where p.association_id = a.id and p.federation_id = ? and (p.from_on is null or p.from_on <= ?::date) and ?::date < p.to_on))
     order by a.code`,
    [federation.id, on, on, federation.id, on, on],
  );
  return rows.map((r) => r.code);
}

describe('mergeFederation', () => {
  it('marks the federation MERGED, moves its associations with their history, cuts its term and ends its open seats; reads by the old code keep working', async () => {
    const s = await scenario();
    const statsQ = `query($code: String!) { federation(code: $code) { stats { associationCount activeMembers } } }`;
    const before = (await t.data<any>(statsQ, { code: s.succ.code }, admin.headers)).federation.stats;
    expect(before).toEqual({ associationCount: 1, activeMembers: 1 });

    const r = await merge(input(s.old, s.succ));
    expect(r).toEqual({
      federation: { code: s.old.code, status: 'MERGED', statusChangedOn: '2025-07-01', statusDecision: DECISION, successor: { code: s.succ.code } },
      successor: { code: s.succ.code, status: 'ACTIVE' },
      movedAssociations: 3,
      endedSeats: 2,
      userErrors: [],
    });

    // Reads by the old code: status, successor, decision; current members none, former ones listed.
    const old = await t.data<any>(
      `query($code: String!) { federation(code: $code) { status statusChangedOn successor { code } statusDecision { number }
         associations { totalCount } formerAssociations { totalCount edges { node { code federation { code } } } } stats { associationCount } } }`,
      { code: s.old.code },
      admin.headers,
    );
    expect(old.federation).toMatchObject({ status: 'MERGED', statusChangedOn: '2025-07-01', successor: { code: s.succ.code }, statusDecision: { number: '202/2025/QH15' } });
    expect(old.federation.associations.totalCount).toBe(0);
    expect(old.federation.stats.associationCount).toBe(0);
    // By name in Vietnamese order: Đông y, Luật gia, Y học.
    expect(old.federation.formerAssociations.totalCount).toBe(3);
    expect(old.federation.formerAssociations.edges.map((e: Row) => e.node)).toEqual([s.dongy, s.luat, s.yhoc].map((a) => ({ code: a.code, federation: { code: s.succ.code } })));

    // The successor's statistics include the moved associations and their members.
    const after = (await t.data<any>(statsQ, { code: s.succ.code }, admin.headers)).federation.stats;
    expect(after).toEqual({ associationCount: 4, activeMembers: 5 });
    const succ = await t.data<any>(`query($code: String!) { federation(code: $code) { associations { totalCount } formerAssociations { totalCount } } }`, { code: s.succ.code });
    expect(succ.federation).toEqual({ associations: { totalCount: 4 }, formerAssociations: { totalCount: 0 } });

    // Each association's history: the old federation from its joining date (or the end of its
    // previous period) to the merger, then the successor from the merger on.
    const history = async (a: Association) =>
      (await t.data<any>(`query($code: String!) { association(code: $code) { federation { code } version federationHistory { federation { code } from to } } }`, { code: a.code })).association;
    expect(await history(s.yhoc)).toEqual({
      federation: { code: s.succ.code },
      version: 2,
      federationHistory: [
        { federation: { code: s.old.code }, from: '2008-03-12', to: '2025-07-01' },
        { federation: { code: s.succ.code }, from: '2025-07-01', to: null },
      ],
    });
    expect((await history(s.luat)).federationHistory).toEqual([
      { federation: { code: s.old.code }, from: null, to: '2025-07-01' },
      { federation: { code: s.succ.code }, from: '2025-07-01', to: null },
    ]);
    expect((await history(s.dongy)).federationHistory).toEqual([
      { federation: { code: s.third.code }, from: '2009-01-01', to: '2015-01-01' },
      { federation: { code: s.old.code }, from: '2015-01-01', to: '2025-07-01' },
      { federation: { code: s.succ.code }, from: '2025-07-01', to: null },
    ]);
    // An association never moved: its current federation from its joining date.
    expect((await history(s.own)).federationHistory).toEqual([{ federation: { code: s.succ.code }, from: '2012-01-01', to: null }]);

    // Members on a date (the spec's definition): the old union's on the eve, the successor's from the day.
    expect(await membersOn(s.old, '2025-06-30')).toEqual([s.dongy.code, s.luat.code, s.yhoc.code].sort());
    expect(await membersOn(s.old, '2025-07-01')).toEqual([]);
    expect(await membersOn(s.succ, '2025-06-30')).toEqual([s.own.code]);
    expect(await membersOn(s.succ, '2025-07-01')).toEqual([s.dongy.code, s.luat.code, s.own.code, s.yhoc.code].sort());
    expect(await membersOn(s.old, '2016-01-01')).toEqual([s.dongy.code, s.luat.code, s.yhoc.code].sort());
    expect(await membersOn(s.old, '2014-12-31')).toEqual([s.luat.code, s.yhoc.code].sort());

    // The term held on the eve ends that day; the seats open then end with it; others are untouched.
    const terms = await sql(`select id, ends_on::text as ends_on, version from term where federation_id = ? order by starts_on`, [s.old.id]);
    expect(terms).toEqual([
      { id: s.termII.id, ends_on: '2020-11-25', version: 1 },
      { id: s.termIII.id, ends_on: '2025-06-30', version: 2 },
    ]);
    const seat = async (id: number) => (await sql(`select ends_on::text as ends_on, end_reason, version from seat where id = ?`, [id]))[0];
    expect(await seat(s.seats.president.id)).toEqual({ ends_on: '2025-06-30', end_reason: SeatEndReason.FEDERATION_MERGED, version: 2 });
    expect(await seat(s.seats.member.id)).toEqual({ ends_on: '2025-06-30', end_reason: SeatEndReason.FEDERATION_MERGED, version: 2 });
    expect(await seat(s.seats.resigned.id)).toEqual({ ends_on: '2023-03-31', end_reason: SeatEndReason.RESIGNED, version: 1 });
    expect(await seat(s.seats.earlier.id)).toEqual({ ends_on: null, end_reason: null, version: 1 });
    expect(await seat(s.seats.later.id)).toEqual({ ends_on: null, end_reason: null, version: 1 });

    // Audited: the federation, each association moved, the term and each seat.
    const audit = await sql(
      `select entity_type, entity_id, action, association_code, changes from audit_event where key_id = ? and created_at > now() - interval '1 minute'
       and (entity_type = 'Federation' and entity_id = ? or entity_type = 'Association' and entity_id = any(?::int[]) or entity_type = 'Term' and entity_id = ?
            or entity_type = 'Seat' and entity_id = any(?::int[])) order by id`,
      [admin.id, s.old.id, `{${[s.yhoc.id, s.luat.id, s.dongy.id]}}`, s.termIII.id, `{${Object.values(s.seats).map((x) => x.id)}}`],
    );
    expect(audit.map((a) => `${a.entity_type} ${a.action}`)).toEqual([
      'Federation FEDERATION_MERGED',
      'Association UPDATE',
      'Association UPDATE',
      'Association UPDATE',
      'Term UPDATE',
      'Seat SEAT_ENDED',
      'Seat SEAT_ENDED',
    ]);
    expect(audit[0]!.changes).toMatchObject({ status: { old: 'ACTIVE', new: 'MERGED' }, successorCode: { old: null, new: s.succ.code }, statusChangedOn: { new: '2025-07-01' } });
    expect(audit.filter((a) => a.entity_type === 'Association').map((a) => a.association_code).sort()).toEqual([s.yhoc.code, s.luat.code, s.dongy.code].sort());
    expect(audit[1]!.changes).toEqual({ federationCode: { old: s.old.code, new: s.succ.code } });
    expect(audit[4]!.changes).toEqual({ endsOn: { old: '2025-11-25', new: '2025-06-30' } });
  });

  it('refuses with userErrors and writes nothing: unknown codes, itself, not ACTIVE, dates, the decision', async () => {
    const s = await scenario();
    const merged = await createFederation(t.em(), { code: uniq('MERGED'), status: FederationStatus.MERGED, successor: s.succ, statusChangedOn: '2020-01-01' } as never);
    const before = await counts();
    const cases: Array<[Row, string[]]> = [
      [{ code: 'KHONG-CO' }, ['NOT_FOUND code']],
      [{ intoCode: 'KHONG-CO' }, ['NOT_FOUND intoCode']],
      [{ intoCode: s.old.code }, ['INVALID intoCode']],
      [{ code: merged.code }, ['INVALID_TRANSITION code']],
      [{ intoCode: merged.code }, ['INVALID_TRANSITION intoCode']],
      [{ on: '2099-01-01' }, ['FUTURE_DATE on']],
      [{ on: '2007-05-17' }, ['INVALID_DATE on']],
      // An association joined on 2008-03-12: a merger before that would give it a period ending before it began.
      [{ on: '2008-01-01' }, ['INVALID_DATE on']],
      [{ decision: { date: '2025-06-12' } }, ['REQUIRED decision.number']],
      [{ decision: { number: '1/QĐ' } }, ['REQUIRED decision.date']],
      [{ decision: { number: '1/QĐ', date: '2099-01-01' } }, ['FUTURE_DATE decision.date']],
      [{ code: '', intoCode: '', idempotencyKey: 'khóa sai' }, ['INVALID idempotencyKey', 'REQUIRED code', 'REQUIRED intoCode']],
    ];
    for (const [extra, expected] of cases) {
      const r = await merge(input(s.old, s.succ, extra));
      expect({ extra, errors: codes(r) }).toEqual({ extra, errors: expected.sort() });
      expect(r).toMatchObject({ federation: null, successor: null, movedAssociations: 0, endedSeats: 0 });
    }
    expect(await counts()).toEqual(before);
    expect((await sql(`select status from federation where id = ?`, [s.old.id]))[0]!.status).toBe('ACTIVE');

    // Merging twice: the second is an invalid transition, naming where it went.
    expect((await merge(input(s.old, s.succ))).userErrors).toEqual([]);
    const again = await merge(input(s.old, s.third));
    expect(codes(again)).toEqual(['INVALID_TRANSITION code']);
    expect(again.userErrors[0].message).toContain(s.succ.code);
    // Nor can anything merge into a merged federation.
    expect(codes(await merge(input(s.third, s.old)))).toEqual(['INVALID_TRANSITION intoCode']);
  });

  it('a retry with the same idempotency key answers the first response and writes nothing more; another input under it is refused', async () => {
    const s = await scenario();
    const key = uniq('merge');
    const first = await merge(input(s.old, s.succ, { idempotencyKey: key }));
    expect(first.userErrors).toEqual([]);
    const after = await counts();
    const retry = await merge(input(s.old, s.succ, { idempotencyKey: key }));
    expect(retry).toEqual(first);
    expect(await counts()).toEqual(after);
    const reused = await merge(input(s.old, s.third, { idempotencyKey: key }));
    expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED idempotencyKey']);
    expect(await counts()).toEqual(after);
  });

  it('is for ADMIN only: FORBIDDEN for analysts and association keys, UNAUTHENTICATED without a key; nothing written', async () => {
    const s = await scenario();
    const assocKey = await createKey(t.em(), 'ASSOCIATION', s.yhoc);
    const before = await counts();
    for (const [headers, code] of [
      [analyst.headers, 'FORBIDDEN'],
      [assocKey.headers, 'FORBIDDEN'],
      [{}, 'UNAUTHENTICATED'],
    ] as const) {
      const r = await t.gql<any>(MERGE, { input: input(s.old, s.succ) }, headers);
      expect(r.body.data?.mergeFederation ?? null).toBeNull();
      expect(r.body.errors![0].extensions!.code).toBe(code);
    }
    expect(await counts()).toEqual(before);
  });

  it('federationHistory and formerAssociations are batched: the same number of SQL statements for 2 and 8 merged federations', async () => {
    const statements = async (n: number): Promise<number> => {
      const parent = await createFederation(t.em(), { code: uniq('PARENT') } as never);
      const succ = await createFederation(t.em(), { code: uniq('SUCC'), parent } as never);
      for (let i = 0; i < n; i++) {
        const old = await createFederation(t.em(), { code: uniq('OLD'), parent } as never);
        await createAssociation(t.em(), old, { name: `Hội thử nghiệm ${i}`, joinedOn: '2010-01-01' } as never);
        expect((await merge(input(old, succ))).userErrors).toEqual([]);
      }
      const r = await t.gql<any>(
        `query($code: String!) { federation(code: $code) { members(first: 20) { edges { node { code formerAssociations(first: 5) { totalCount edges { node { code
           federationHistory { from to federation { code } } } } } } } } } }`,
        { code: parent.code },
      );
      expect(r.body.errors).toBeUndefined();
      const nodes = r.body.data.federation.members.edges.map((e: Row) => e.node).filter((f: Row) => f.code !== succ.code);
      expect(nodes).toHaveLength(n);
      for (const f of nodes) expect(f.formerAssociations.edges[0].node.federationHistory.map((h: Row) => h.federation.code)).toEqual([f.code, succ.code]);
      expect(r.sql).toBeGreaterThan(0);
      return r.sql;
    };
    expect(await statements(8)).toBe(await statements(2));
  });

  it('two concurrent mergers of the same federation: exactly one wins, the other is an invalid transition', async () => {
    const s = await scenario();
    const results = await Promise.all([merge(input(s.old, s.succ)), merge(input(s.old, s.third))]);
    expect(results.map((r) => (r.userErrors.length ? codes(r).join() : 'ok')).sort()).toEqual(['INVALID_TRANSITION code', 'ok']);
    const [{ n }] = await sql<{ n: number }>(`select count(*)::int as n from association_federation_period where federation_id = ?`, [s.old.id]);
    expect(n).toBe(3);
  });
});
