import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { GoverningBodyKind, Office, SeatFilledBy, type DelegateKind, type SeatEndReason } from '../../src/modules/governance/governance.enums';

/**
 * Read fixtures of the governance module, written straight into the database with SQL (the
 * mutations have their own tests, which go through the schema). A term comes with its four
 * bodies, as createTerm makes them. Dates are 'YYYY-MM-DD'.
 */

type Ref = { id: number };
const knexOf = (em: EntityManager): Knex => em.getKnex();

export interface TermRow {
  id: number;
  federationId: number;
  congressId: number | null;
  startsOn: string;
  endsOn: string;
  bodies: Record<GoverningBodyKind, number>;
}

/** A congress of `federation` (one day long unless said otherwise); no term. */
export async function createCongress(
  em: EntityManager,
  federation: Ref,
  data: { ordinal: number; startsOn: string; endsOn?: string; name?: string; place?: string | null; demo?: boolean },
): Promise<{ id: number }> {
  const [row] = await knexOf(em)('congress')
    .insert({
      federation_id: federation.id,
      ordinal: data.ordinal,
      name: data.name ?? `Đại hội đại biểu lần thứ ${data.ordinal}`,
      starts_on: data.startsOn,
      ends_on: data.endsOn ?? data.startsOn,
      place: data.place ?? 'Hội trường Ủy ban nhân dân tỉnh, Sóc Trăng',
      demo: data.demo ?? false,
    })
    .returning('id');
  return { id: row.id };
}

/** A term of `federation` from `startsOn` to `endsOn` (inclusive), with its four bodies. */
export async function createTerm(em: EntityManager, federation: Ref, data: { startsOn: string; endsOn: string; congress?: Ref | null }): Promise<TermRow> {
  const knex = knexOf(em);
  const [t] = await knex('term')
    .insert({ federation_id: federation.id, congress_id: data.congress?.id ?? null, starts_on: data.startsOn, ends_on: data.endsOn })
    .returning('id');
  const kinds = Object.values(GoverningBodyKind);
  const rows: Array<{ id: number; kind: GoverningBodyKind }> = await knex('governing_body')
    .insert(kinds.map((kind) => ({ term_id: t.id, kind })))
    .returning(['id', 'kind']);
  const bodies = Object.fromEntries(rows.map((r) => [r.kind, r.id])) as Record<GoverningBodyKind, number>;
  return { id: t.id, federationId: federation.id, congressId: data.congress?.id ?? null, startsOn: data.startsOn, endsOn: data.endsOn, bodies };
}

export interface SeatData {
  office?: Office;
  association?: Ref | null;
  filledBy?: SeatFilledBy;
  electedBy?: number | null;
  decision?: { number?: string; date?: string; issuer?: string; title?: string } | null;
  startsOn?: string;
  endsOn?: string | null;
  endReason?: SeatEndReason | null;
  demo?: boolean;
}

/** A seat of `person` on the `kind` body of `term` (a MEMBER elected by the congress, from the term's start, unless said otherwise). */
export async function createSeat(em: EntityManager, term: TermRow, kind: GoverningBodyKind, person: Ref, data: SeatData = {}): Promise<{ id: number }> {
  const [row] = await knexOf(em)('seat')
    .insert({
      body_id: term.bodies[kind],
      term_id: term.id,
      federation_id: term.federationId,
      intellectual_id: person.id,
      office: data.office ?? Office.MEMBER,
      association_id: data.association?.id ?? null,
      filled_by: data.filledBy ?? SeatFilledBy.ELECTED_BY_CONGRESS,
      elected_by_id: data.electedBy ?? null,
      decision_number: data.decision?.number ?? null,
      decision_date: data.decision?.date ?? null,
      decision_issuer: data.decision?.issuer ?? null,
      decision_title: data.decision?.title ?? null,
      starts_on: data.startsOn ?? term.startsOn,
      ends_on: data.endsOn ?? null,
      end_reason: data.endReason ?? null,
      demo: data.demo ?? false,
    })
    .returning('id');
  return { id: row.id };
}

/** Delegates of a congress. */
export async function createDelegates(em: EntityManager, congress: Ref, rows: Array<{ person: Ref; association?: Ref | null; kind: DelegateKind }>): Promise<void> {
  if (rows.length === 0) return;
  await knexOf(em)('congress_delegate').insert(
    rows.map((r) => ({ congress_id: congress.id, intellectual_id: r.person.id, association_id: r.association?.id ?? null, kind: r.kind })),
  );
}
