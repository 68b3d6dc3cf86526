/**
 * Demo data of the governance module: the Sóc Trăng union's three congresses (I, II, III) and
 * their five-year terms, delegates sent by its member associations, the seats of the current
 * (III) term in all four bodies, the leaders of terms I and II, and then the union's merger into
 * Cần Thơ on 1 July 2025, recorded by recordFederationMerger (the function behind mergeFederation).
 *
 * Only the number of congresses (3) and the five-year term come from the source page; dates,
 * places, delegates and seats are invented (demo = true). People are the demo's intellectuals:
 * each association is represented by its president (else its most senior member admitted by the
 * term's start); the top offices go to people with a public profile. Every association of the
 * union but one (the last to join, admitted a month before congress III) has an Executive
 * Committee seat in term III, so Term.representationGaps shows exactly that one.
 *
 * Runs after the forum module's seed, in the same transaction, through plain SQL; deterministic
 * (rows taken in a fixed order, no clock, no randomness).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { knexOf, runQuery } from '../../common/sql';
import { Problems } from '../../common/user-errors';
import { DelegateKind, GoverningBodyKind, Office, SeatEndReason, SeatFilledBy } from './governance.enums';
import { checkMergerInput, MergerResult, recordFederationMerger } from './governance-merge.service';

const FEDERATION = 'SOCTRANG';
const SUCCESSOR = 'CANTHO';
/** The association left without an Executive Committee seat in term III (it joined on 2020-10-22). */
export const DEMO_UNREPRESENTED = 'ST-COKHIDIEN';
export const DEMO_MERGER_ON = '2025-07-01';

const ROMAN = ['I', 'II', 'III'];
const CONGRESSES = [
  { ordinal: 1, startsOn: '2010-11-25', endsOn: '2010-11-25', termEndsOn: '2015-11-24' },
  { ordinal: 2, startsOn: '2015-11-26', endsOn: '2015-11-27', termEndsOn: '2020-11-25' },
  { ordinal: 3, startsOn: '2020-11-26', endsOn: '2020-11-27', termEndsOn: '2025-11-25' },
] as const;

/** The merger's legal basis: the National Assembly's resolution on the 2025 reorganisation of provinces (not on the source page). */
const MERGER_DECISION = {
  number: '202/2025/QH15',
  date: '2025-06-12',
  issuer: 'Quốc hội',
  title: 'Nghị quyết về việc sắp xếp đơn vị hành chính cấp tỉnh',
};

interface Person {
  id: number;
  public: boolean;
}

interface Member extends Person {
  association_id: number;
  code: string;
}

export interface GovernanceDemoReport {
  congresses: number;
  delegates: number;
  seats: number;
  merger: MergerResult;
}

export async function seedGovernanceDemo(em: EntityManager): Promise<GovernanceDemoReport> {
  const knex = knexOf(em);
  const [fed] = await runQuery<{ id: number }>(em, knex('federation').select('id').where({ code: FEDERATION }));
  if (!fed) throw new Error(`governance demo: no ${FEDERATION} federation (the intellectual module seeds it first)`);

  const associations = await runQuery<{ id: number; code: string; joined_on: string | null }>(
    em,
    knex.raw(`select id, code, joined_on::text as joined_on from association where federation_id = ? order by joined_on nulls last, code`, [fed.id]),
  );
  /**
   * Active members of each association, those admitted by `on` first (the memberships are a
   * snapshot of 2024: few go back to 2010), then president, vice presidents…, then by seniority.
   */
  const membersOn = async (on: string): Promise<Map<number, Member[]>> => {
    const list = await runQuery<Member>(
      em,
      knex.raw(
        `select m.intellectual_id as id, i.public_profile as public, m.association_id, a.code
         from membership m join intellectual i on i.id = m.intellectual_id join association a on a.id = m.association_id
         where a.federation_id = ? and m.status = 'ACTIVE'
         order by a.id, m.joined_on <= ?::date desc, case m.role when 'PRESIDENT' then 0 when 'VICE_PRESIDENT' then 1 when 'SECRETARY_GENERAL' then 2 when 'EXECUTIVE' then 3 else 4 end, m.joined_on, m.id`,
        [fed.id, on],
      ),
    );
    const out = new Map<number, Member[]>();
    for (const m of list) out.set(m.association_id, [...(out.get(m.association_id) ?? []), m]);
    return out;
  };

  let delegateCount = 0;
  let seatCount = 0;
  for (const c of CONGRESSES) {
    const roman = ROMAN[c.ordinal - 1]!;
    const [congress] = await runQuery<{ id: number }>(
      em,
      knex('congress')
        .insert({
          federation_id: fed.id,
          ordinal: c.ordinal,
          name: `Đại hội đại biểu Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng lần thứ ${roman}, nhiệm kỳ ${c.startsOn.slice(0, 4)}–${c.termEndsOn.slice(0, 4)}`,
          starts_on: c.startsOn,
          ends_on: c.endsOn,
          place: 'Hội trường Trung tâm Hội nghị tỉnh Sóc Trăng, thành phố Sóc Trăng',
          description: `Dữ liệu minh họa: đại hội lần thứ ${roman} bầu Ban Chấp hành nhiệm kỳ ${c.startsOn.slice(0, 4)}–${c.termEndsOn.slice(0, 4)}, thông qua báo cáo chính trị và phương hướng hoạt động 5 năm.`,
          demo: true,
        })
        .returning('id'),
    );
    await runQuery(
      em,
      knex('congress_resolution').insert([
        { congress_id: congress!.id, position: 1, title: `Nghị quyết Đại hội đại biểu Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng lần thứ ${roman}`, adopted_on: c.endsOn },
      ]),
    );
    const [term] = await runQuery<{ id: number }>(
      em,
      knex('term').insert({ federation_id: fed.id, congress_id: congress!.id, starts_on: c.startsOn, ends_on: c.termEndsOn, demo: true }).returning('id'),
    );
    const bodyRows = await runQuery<{ id: number; kind: GoverningBodyKind }>(
      em,
      knex('governing_body').insert(Object.values(GoverningBodyKind).map((kind) => ({ term_id: term!.id, kind }))).returning(['id', 'kind']),
    );
    const body = Object.fromEntries(bodyRows.map((b) => [b.kind, b.id])) as Record<GoverningBodyKind, number>;

    // Delegates: each member association's first three active members admitted by the congress
    // (its president ex officio from congress II on, as a member of the outgoing committee).
    const members = await membersOn(c.startsOn);
    const memberAssociations = associations.filter((a) => a.joined_on !== null && a.joined_on <= c.startsOn);
    const delegates: Array<{ congress_id: number; intellectual_id: number; association_id: number | null; kind: DelegateKind }> = [];
    const seen = new Set<number>();
    for (const a of memberAssociations) {
      (members.get(a.id) ?? [])
        .filter((m) => !seen.has(m.id))
        .slice(0, 3)
        .forEach((m, i) => {
          seen.add(m.id);
          delegates.push({ congress_id: congress!.id, intellectual_id: m.id, association_id: a.id, kind: i === 0 && c.ordinal > 1 ? DelegateKind.EX_OFFICIO : DelegateKind.ELECTED });
        });
    }
    // Two guests: the fourth members of the first two associations, without an association (no vote).
    for (const a of memberAssociations.slice(0, 2)) {
      const guest = (members.get(a.id) ?? []).find((m) => !seen.has(m.id));
      if (!guest) continue;
      seen.add(guest.id);
      delegates.push({ congress_id: congress!.id, intellectual_id: guest.id, association_id: null, kind: DelegateKind.INVITED });
    }
    if (delegates.length) await runQuery(em, knex('congress_delegate').insert(delegates));
    delegateCount += delegates.length;

    // Seats. Executive Committee: one representative per member association (not DEMO_UNREPRESENTED in term III).
    const used = new Set<number>();
    const reps: Array<{ person: Member; associationId: number }> = [];
    for (const a of memberAssociations) {
      if (c.ordinal === 3 && a.code === DEMO_UNREPRESENTED) continue;
      const rep = (members.get(a.id) ?? []).find((m) => !used.has(m.id));
      if (!rep) continue;
      used.add(rep.id);
      reps.push({ person: rep, associationId: a.id });
    }
    // Top offices go to public representatives, in association order; the others stay members.
    // Where too few representatives are public, associations send a public member instead.
    const needed = c.ordinal === 3 ? 10 : 3;
    for (const r of reps) {
      if (reps.filter((x) => x.person.public).length >= needed) break;
      if (r.person.public) continue;
      const alt = (members.get(r.associationId) ?? []).find((m) => m.public && !used.has(m.id));
      if (!alt) continue;
      used.delete(r.person.id);
      used.add(alt.id);
      r.person = alt;
    }
    const publicReps = reps.filter((r) => r.person.public);
    const take = () => {
      const r = publicReps.shift();
      if (!r) throw new Error(`governance demo: too few public representatives for term ${roman}`);
      return r;
    };
    const president = take();
    const secretary = take();
    const vps = c.ordinal === 3 ? [take(), take(), take()] : [take()];
    const standingMembers = c.ordinal === 3 ? [take(), take()] : [];
    const inspectionChair = c.ordinal === 3 ? take() : null;
    const inspectionMembers = c.ordinal === 3 ? [take(), take()] : [];
    const nominated = (members.get(associations[0]!.id) ?? []).filter((m) => m.public && !used.has(m.id)).slice(0, c.ordinal === 3 ? 2 : 0);
    nominated.forEach((m) => used.add(m.id));

    type SeatRow = Record<string, unknown>;
    const seats: SeatRow[] = [];
    const seat = (kind: GoverningBodyKind, personId: number, office: Office, associationId: number | null, extra: SeatRow = {}): void => {
      seats.push({
        body_id: body[kind],
        term_id: term!.id,
        federation_id: fed.id,
        intellectual_id: personId,
        office,
        association_id: associationId,
        filled_by: kind === GoverningBodyKind.EXECUTIVE_COMMITTEE ? SeatFilledBy.ELECTED_BY_CONGRESS : SeatFilledBy.ELECTED_BY_BODY,
        elected_by_id: kind === GoverningBodyKind.EXECUTIVE_COMMITTEE ? null : body[GoverningBodyKind.EXECUTIVE_COMMITTEE],
        starts_on: c.startsOn,
        demo: true,
        ...extra,
      });
    };
    const officeOf = new Map<number, Office>([[president.person.id, Office.PRESIDENT], [secretary.person.id, Office.SECRETARY_GENERAL], ...vps.map((v): [number, Office] => [v.person.id, Office.VICE_PRESIDENT])]);
    // Terms I and II: only the Executive Committee and the Standing Board's elected leaders are recorded.
    for (const r of reps) seat(GoverningBodyKind.EXECUTIVE_COMMITTEE, r.person.id, officeOf.get(r.person.id) ?? Office.MEMBER, r.associationId);
    for (const m of nominated) seat(GoverningBodyKind.EXECUTIVE_COMMITTEE, m.id, Office.MEMBER, null);
    for (const r of [president, ...vps, secretary]) {
      const office = officeOf.get(r.person.id)!;
      seat(GoverningBodyKind.STANDING_BOARD, r.person.id, office, r.associationId);
      if (c.ordinal === 3) seat(GoverningBodyKind.STANDING_COMMITTEE, r.person.id, office, r.associationId);
    }
    if (c.ordinal === 3) {
      for (const r of standingMembers) seat(GoverningBodyKind.STANDING_COMMITTEE, r.person.id, Office.MEMBER, r.associationId);
      // The Chief of Office: a nominated member of the Executive Committee, on the Standing Board.
      if (nominated[0]) seat(GoverningBodyKind.STANDING_BOARD, nominated[0].id, Office.CHIEF_OF_OFFICE, null);
      seat(GoverningBodyKind.INSPECTION_COMMITTEE, inspectionChair!.person.id, Office.INSPECTION_CHAIR, inspectionChair!.associationId);
      for (const r of inspectionMembers) seat(GoverningBodyKind.INSPECTION_COMMITTEE, r.person.id, Office.MEMBER, r.associationId);
      // One change during the term: the third Vice President resigned from the Standing Board and
      // the Standing Committee member first elected replaced him, appointed by decision.
      const leaving = vps[2]!.person.id;
      for (const s of seats) {
        if (s.intellectual_id === leaving && s.body_id === body[GoverningBodyKind.STANDING_BOARD]) Object.assign(s, { ends_on: '2023-03-31', end_reason: SeatEndReason.RESIGNED, end_note: 'Xin thôi giữ chức vì chuyển công tác (dữ liệu minh họa).' });
      }
      const replacement = standingMembers[0]!;
      seat(GoverningBodyKind.STANDING_BOARD, replacement.person.id, Office.VICE_PRESIDENT, replacement.associationId, {
        filled_by: SeatFilledBy.APPOINTED,
        elected_by_id: null,
        decision_number: '15/QĐ-LHH',
        decision_date: '2023-04-10',
        decision_issuer: 'Ban Thường vụ Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng',
        decision_title: 'Quyết định công nhận Phó Chủ tịch Liên hiệp hội (dữ liệu minh họa)',
        starts_on: '2023-04-15',
      });
    }
    await runQuery(em, knex('seat').insert(seats));
    seatCount += seats.length;
  }

  // The merger, as mergeFederation records it (without an audit trail: the demo has no key).
  const p = new Problems();
  const values = checkMergerInput(p, { code: FEDERATION, intoCode: SUCCESSOR, on: DEMO_MERGER_ON, decision: MERGER_DECISION });
  const refuse = (problems: Problems): never => {
    throw new Error(`governance demo: the merger was refused: ${JSON.stringify(problems.list)}`);
  };
  if (p.any) refuse(p);
  const merger = await recordFederationMerger({ tx: em, audit: () => undefined, refuse }, values);
  return { congresses: CONGRESSES.length, delegates: delegateCount, seats: seatCount, merger };
}
