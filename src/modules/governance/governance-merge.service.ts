import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { LegalDocument } from '../../common/legal-document';
import { MutationWork, runMutation } from '../../common/mutation';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { Problems, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { AuditRecord } from '../audit/audit.service';
import { Federation } from '../federation/federation.entity';
import { FederationStatus } from '../federation/federation.enums';
import { SeatEndReason } from './governance.enums';
import { MergeFederationInput } from './governance-merge.inputs';
import { MergeFederationPayload } from './governance-merge.types';

/** mergeFederation's input once checked: codes, the merger date, the decision. */
export interface MergerValues {
  code: string;
  intoCode: string;
  on: string;
  decision: LegalDocument;
}

/** What the merger did (the payload's counts, the demo's report). */
export interface MergerResult {
  federationId: number;
  successorId: number;
  movedAssociations: number;
  endedSeats: number;
  /** The term held on the day before the merger, cut to end that day (null when none was held). */
  cutTermId: number | null;
}

/** What the merger's work needs from the write pipeline (MutationWork; the demo passes its own). */
export type MergerWork = Pick<MutationWork, 'tx' | 'audit' | 'refuse'>;

/** The day before a 'YYYY-MM-DD' date. */
export function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** Checks mergeFederation's input (what needs no database), adding every problem to `p`. */
export function checkMergerInput(p: Problems, input: MergeFederationInput): MergerValues {
  const code = v.text(p, ['code'], input.code, { max: 40, required: true }) ?? '';
  const intoCode = v.text(p, ['intoCode'], input.intoCode, { max: 40, required: true }) ?? '';
  if (code && intoCode && code === intoCode) p.add(UserErrorCode.INVALID, ['intoCode'], 'A federation cannot merge into itself');
  const on = v.date(p, ['on'], input.on, { notFuture: true, min: '1900-01-01' }) ?? '';
  const d = input.decision ?? {};
  const number = v.text(p, ['decision', 'number'], d.number ?? null, { max: 100, required: true }) ?? null;
  const date = v.date(p, ['decision', 'date'], d.date ?? null, { notFuture: true, min: '1900-01-01' }) ?? null;
  if (!date && !p.list.some((e) => e.field[0] === 'decision' && e.field[1] === 'date')) p.add(UserErrorCode.REQUIRED, ['decision', 'date'], 'decision.date is required');
  const decision = new LegalDocument({
    number,
    date,
    issuer: v.text(p, ['decision', 'issuer'], d.issuer ?? null, { max: 300 }) ?? null,
    title: v.text(p, ['decision', 'title'], d.title ?? null, { max: 500 }) ?? null,
  });
  return { code, intoCode, on, decision };
}

interface FederationRow {
  id: number;
  code: string;
  status: FederationStatus;
  founded_on: string | null;
  successor_code: string | null;
}

/**
 * The merger itself, in the caller's transaction: the one function behind the mutation and the
 * demo seed. Locks both federation rows (in id order, so two mergers touching the same
 * federations queue instead of deadlocking), checks their states, then:
 * - the federation becomes MERGED, with its successor, the date and the decision;
 * - each of its associations moves to the successor, leaving a closed period (old federation,
 *   from its joining date or the end of its previous period, to the merger date);
 * - its term held on the day before the merger ends that day, and so do its seats open then
 *   (FEDERATION_MERGED). Terms and seats that start on or after the merger date are left as
 *   they are (never held under the old federation: every read clamps seats into their term).
 * Refuses (through `w.refuse`, nothing written) with NOT_FOUND, INVALID_TRANSITION or INVALID_DATE.
 */
export async function recordFederationMerger(w: MergerWork, values: MergerValues): Promise<MergerResult> {
  const { tx } = w;
  const knex = knexOf(tx);
  const { code, intoCode, on, decision } = values;
  const rows = await runQuery<FederationRow>(
    tx,
    knex.raw(
      `select f.id, f.code, f.status, f.founded_on::text as founded_on, s.code as successor_code
       from federation f left join federation s on s.id = f.successor_id
       where f.code in (?, ?) order by f.id for update of f`,
      [code, intoCode],
    ),
  );
  const from = rows.find((r) => r.code === code);
  const into = rows.find((r) => r.code === intoCode);
  const p = new Problems();
  if (!from) p.add(UserErrorCode.NOT_FOUND, ['code'], `No federation has the code ${code}`);
  else if (from.status !== FederationStatus.ACTIVE)
    p.add(UserErrorCode.INVALID_TRANSITION, ['code'], `${code} is ${from.status}${from.successor_code ? ` (into ${from.successor_code})` : ''}: only an ACTIVE federation can merge`);
  if (!into) p.add(UserErrorCode.NOT_FOUND, ['intoCode'], `No federation has the code ${intoCode}`);
  else if (into.status !== FederationStatus.ACTIVE)
    p.add(UserErrorCode.INVALID_TRANSITION, ['intoCode'], `${intoCode} is ${into.status}${into.successor_code ? ` (into ${into.successor_code})` : ''}: the successor must be ACTIVE`);
  if (from?.founded_on && on <= from.founded_on) p.add(UserErrorCode.INVALID_DATE, ['on'], `on ${on} is not after ${code} was founded (${from.founded_on})`);
  if (p.any || !from || !into) return w.refuse(p);

  // Each association's current period starts at the end of its last closed one, else at its joining date.
  const members = await runQuery<{ id: number; code: string; since: string | null }>(
    tx,
    knex.raw(
      `select a.id, a.code,
         coalesce((select max(pr.to_on) from association_federation_period pr where pr.association_id = a.id), a.joined_on)::text as since
       from association a where a.federation_id = ? order by a.id for update of a`,
      [from.id],
    ),
  );
  const late = members.filter((m) => m.since !== null && m.since >= on);
  if (late.length) {
    const list = late.slice(0, 5).map((m) => `${m.code} (${m.since})`).join(', ');
    p.add(UserErrorCode.INVALID_DATE, ['on'], `on ${on} is not after ${late.length} association(s) joined ${code}: ${list}${late.length > 5 ? ', …' : ''}`);
    return w.refuse(p);
  }

  await runQuery(
    tx,
    knex('federation')
      .update({
        status: FederationStatus.MERGED,
        successor_id: into.id,
        status_changed_on: on,
        status_decision_number: decision.number ?? null,
        status_decision_date: decision.date ?? null,
        status_decision_issuer: decision.issuer ?? null,
        status_decision_title: decision.title ?? null,
        updated_at: knex.fn.now(),
      })
      .where('id', from.id),
  );

  const ids = members.map((m) => m.id);
  if (ids.length) {
    await runQuery(
      tx,
      knex.raw(
        `insert into association_federation_period (association_id, federation_id, from_on, to_on)
         select a.id, ?, coalesce((select max(pr.to_on) from association_federation_period pr where pr.association_id = a.id), a.joined_on), ?::date
         from association a where a.id = any(?::int[])`,
        [from.id, on, pgArray(ids)],
      ),
    );
    // The association's version moves too: a client holding the old one must read it again.
    await runQuery(
      tx,
      knex.raw(`update association set federation_id = ?, version = version + 1, updated_at = now() where id = any(?::int[])`, [into.id, pgArray(ids)]),
    );
  }

  const last = dayBefore(on);
  const [term] = await runQuery<{ id: number; ends_on: string }>(
    tx,
    knex.raw(
      `select id, ends_on::text as ends_on from term where federation_id = ? and starts_on <= ?::date and ends_on >= ?::date for update`,
      [from.id, last, last],
    ),
  );
  if (term && term.ends_on !== last) {
    await runQuery(tx, knex.raw(`update term set ends_on = ?::date, version = version + 1, updated_at = now() where id = ?`, [last, term.id]));
  }
  // Seats open on the day before the merger, in any term of the federation (held through `last`).
  const ended = await runQuery<{ id: number; ends_on: string | null }>(
    tx,
    knex.raw(
      `with open as (
         select s.id, s.ends_on from seat s join term t on t.id = s.term_id
         where s.federation_id = ? and s.starts_on <= ?::date and (s.ends_on is null or s.ends_on > ?::date) and t.ends_on >= ?::date
         for update of s
       )
       update seat s set ends_on = ?::date, end_reason = ?, version = s.version + 1, updated_at = now()
       from open where open.id = s.id
       returning s.id, open.ends_on::text as ends_on`,
      [from.id, last, last, last, last, SeatEndReason.FEDERATION_MERGED],
    ),
  );

  w.audit(
    {
      entityType: 'Federation',
      entityId: from.id,
      action: 'FEDERATION_MERGED',
      changes: {
        status: { old: FederationStatus.ACTIVE, new: FederationStatus.MERGED },
        successorCode: { old: from.successor_code, new: intoCode },
        statusChangedOn: { old: null, new: on },
        statusDecision: { old: null, new: { ...decision } },
        movedAssociations: { old: null, new: members.map((m) => m.code) },
      },
    },
    ...members.map(
      (m): AuditRecord => ({ entityType: 'Association', entityId: m.id, action: 'UPDATE', associationCode: m.code, changes: { federationCode: { old: code, new: intoCode } } }),
    ),
    ...(term && term.ends_on !== last ? [{ entityType: 'Term', entityId: term.id, action: 'UPDATE', changes: { endsOn: { old: term.ends_on, new: last } } }] : []),
    ...ended.map(
      (s): AuditRecord => ({
        entityType: 'Seat',
        entityId: s.id,
        action: 'SEAT_ENDED',
        changes: { endsOn: { old: s.ends_on, new: last }, endReason: { old: null, new: SeatEndReason.FEDERATION_MERGED } },
      }),
    ),
  );
  return { federationId: from.id, successorId: into.id, movedAssociations: members.length, endedSeats: ended.length, cutTermId: term && term.ends_on !== last ? term.id : null };
}

export class GovernanceMergeService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  merge(input: MergeFederationInput): Promise<MergeFederationPayload> {
    return runMutation(this.em, this.viewer, {
      operation: 'mergeFederation',
      roles: ['ADMIN'],
      what: 'Merging a federation',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): MergeFederationPayload => ({ federation: null, successor: null, movedAssociations: 0, endedSeats: 0, userErrors }),
      store: (r) => ({ federationId: r.federation?.id ?? null, successorId: r.successor?.id ?? null, movedAssociations: r.movedAssociations, endedSeats: r.endedSeats, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { federationId: number | null; successorId: number | null; movedAssociations: number; endedSeats: number; userErrors: MergeFederationPayload['userErrors'] };
        const byId = async (id: number | null) => (id === null ? null : await tx.findOne(Federation, { id }, { disableIdentityMap: true }));
        return { federation: await byId(s.federationId), successor: await byId(s.successorId), movedAssociations: s.movedAssociations, endedSeats: s.endedSeats, userErrors: s.userErrors };
      },
      validate: (p) => checkMergerInput(p, input),
      work: async (w, values) => {
        const r = await recordFederationMerger(w, values);
        const federation = await w.tx.findOne(Federation, { id: r.federationId }, { disableIdentityMap: true });
        const successor = await w.tx.findOne(Federation, { id: r.successorId }, { disableIdentityMap: true });
        return { federation, successor, movedAssociations: r.movedAssociations, endedSeats: r.endedSeats, userErrors: [] };
      },
    });
  }
}
