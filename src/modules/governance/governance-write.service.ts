import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { LegalDocument } from '../../common/legal-document';
import { checkVersion, MutationSpec, MutationWork, refuse, runMutation } from '../../common/mutation';
import { insertRow, knexOf, pgArray, readRow, runQuery, updateRow } from '../../common/sql';
import { normalizeText } from '../../common/text';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { diff } from '../audit/audit.service';
import type { LegalDocumentInput } from '../federation/federation-write.inputs';
import { Congress, Seat, Term } from './governance.entity';
import { DelegateKind, GoverningBodyKind, Office, OFFICES_OF_BODY, SeatFilledBy, SINGLE_HOLDER_OFFICES } from './governance.enums';
import { AddDelegatesInput, AddSeatInput, CreateCongressInput, CreateTermInput, EndSeatInput, UpdateSeatInput } from './governance-write.inputs';
import { AddDelegatesPayload, CreateCongressPayload, CreateTermPayload, SeatPayload } from './governance-write.types';

/*
 * The ADMIN writes of the governance module, each through runMutation (role check → validation →
 * transaction → idempotency → work → audit → stored response), writing with SQL.
 *
 * Validation reads what it needs without locks (references, formats) and reports every problem
 * at once. Rules across rows (TERMS_OVERLAP, OFFICE_TAKEN, NOT_ON_EXECUTIVE_COMMITTEE, a person
 * twice on one body, an ordinal taken) are checked in the work, after `select … for update` of
 * the federation's row: two writers of one federation's terms or seats run one after the other,
 * so they cannot both pass a check the other's write would fail.
 *
 * Lock order, the same in every write (and in mergeFederation): federation → congress or seat.
 * addDelegates locks the congress only; endSeat the seat only (ending a seat frees days, it
 * cannot break OFFICE_TAKEN).
 */

type Path = (string | number)[];
type Row = Record<string, unknown>;

const NAME_MAX = 300;
const PLACE_MAX = 300;
const DESCRIPTION_MAX = 20_000;
const TITLE_MAX = 500;
const NOTE_MAX = 2000;
const MAX_RESOLUTIONS = 100;
const MAX_DELEGATES = 1000;
const ORDINAL_MAX = 999;
const DEFAULT_TERM_YEARS = 5;
/** Dates people and the date arithmetic below can use (the Date scalar takes years 1000 to 9999). */
const EARLIEST_DAY = '1900-01-01';
const LATEST_DAY = '2999-12-31';

// ---------------------------------------------------------------- small helpers

/** A date of the domain, inside 1900..2999 (INVALID_DATE otherwise); undefined/null pass through. */
function day(p: Problems, path: Path, value: string | null | undefined): string | null | undefined {
  const d = v.date(p, path, value, { min: EARLIEST_DAY });
  if (d && d > LATEST_DAY) p.add(UserErrorCode.INVALID_DATE, path, `${path[path.length - 1]} ${d} is after ${LATEST_DAY}`);
  return d;
}

/** The last day of a term of `years` years from `startsOn`: the day before the same date `years` later (29 February → 28 February). */
export function termEndOn(startsOn: string, years: number): string {
  const [y, m, d] = startsOn.split('-').map(Number);
  return new Date(Date.UTC(y + years, m - 1, d) - 86_400_000).toISOString().slice(0, 10);
}

/** A decision as stored: number, date (not in the future), issuer, title. */
function decisionOf(p: Problems, path: Path, d: LegalDocumentInput | null | undefined): LegalDocument | null {
  if (!d) return null;
  return new LegalDocument({
    number: v.text(p, [...path, 'number'], d.number ?? null, { max: 100 }) ?? null,
    date: v.date(p, [...path, 'date'], d.date ?? null, { notFuture: true, min: EARLIEST_DAY }) ?? null,
    issuer: v.text(p, [...path, 'issuer'], d.issuer ?? null, { max: 300 }) ?? null,
    title: v.text(p, [...path, 'title'], d.title ?? null, { max: 500 }) ?? null,
  });
}

const decisionJson = (d: LegalDocument | null | undefined) => (d && (d.number || d.date || d.issuer || d.title) ? { number: d.number ?? null, date: d.date ?? null, issuer: d.issuer ?? null, title: d.title ?? null } : null);

/** An APPOINTED seat needs its decision's number and date. */
function appointedNeedsDecision(p: Problems, filledBy: SeatFilledBy, decision: LegalDocument | null | undefined): void {
  if (filledBy !== SeatFilledBy.APPOINTED) return;
  if (!decision?.number) p.add(UserErrorCode.REQUIRED, ['decision', 'number'], 'An APPOINTED seat needs the number of its decision');
  if (!decision?.date) p.add(UserErrorCode.REQUIRED, ['decision', 'date'], 'An APPOINTED seat needs the date of its decision');
}

async function federationByCode(p: Problems, em: EntityManager, path: Path, code: string): Promise<{ id: number; code: string } | null> {
  const c = normalizeText(code ?? '');
  const [row] = c ? await runQuery<{ id: number; code: string }>(em, knexOf(em)('federation').select('id', 'code').where('code', c)) : [];
  if (!row) p.add(UserErrorCode.NOT_FOUND, path, `No federation has the code ${code}`);
  return row ? { id: Number(row.id), code: row.code } : null;
}

/**
 * Associations by code, and whether each is (or was) a member of federation `federationId`: it
 * belongs to it now, or has a closed period in it (an association moved by a merger still
 * represents its old federation in that federation's history).
 */
async function associationsByCode(em: EntityManager, codes: string[], federationId: number): Promise<Map<string, { id: number; member: boolean }>> {
  if (!codes.length) return new Map();
  const rows = await runQuery<{ id: number; code: string; member: boolean }>(
    em,
    knexOf(em).raw(
      `select a.id, a.code, (a.federation_id = ? or exists (select 1 from association_federation_period p where p.association_id = a.id and p.federation_id = ?)) as member
       from association a where a.code = any(?::text[])`,
      [federationId, federationId, pgArray(codes)],
    ),
  );
  return new Map(rows.map((r) => [r.code, { id: Number(r.id), member: Boolean(r.member) }]));
}

/** One association code, checked as associationsByCode does (NOT_FOUND, INVALID when not of the federation). */
async function associationOf(p: Problems, em: EntityManager, path: Path, code: string | null | undefined, federationId: number | null): Promise<number | null> {
  const c = v.text(p, path, code ?? null, { max: 64 });
  if (!c || federationId === null) return null;
  const a = (await associationsByCode(em, [c], federationId)).get(c);
  if (!a) p.add(UserErrorCode.NOT_FOUND, path, `No association has the code ${c}`);
  else if (!a.member) p.add(UserErrorCode.INVALID, path, `${c} is not a member association of this federation`);
  return a?.id ?? null;
}

/** The seat a mutation names (NOT_FOUND at `seatId` when none has the id). */
async function seatOf(p: Problems, em: EntityManager, globalId: string): Promise<Seat | null> {
  const id = v.globalId(p, ['seatId'], globalId, 'Seat');
  const seat = id === null ? null : await readRow(em, Seat, id);
  if (id !== null && !seat) p.add(UserErrorCode.NOT_FOUND, ['seatId'], 'No seat has this id');
  return seat;
}

async function intellectualExists(p: Problems, em: EntityManager, path: Path, globalId: string): Promise<number | null> {
  const id = v.globalId(p, path, globalId, 'Intellectual');
  if (id === null) return null;
  const [row] = await runQuery(em, knexOf(em)('intellectual').select('id').where('id', id));
  if (!row) p.add(UserErrorCode.NOT_FOUND, path, 'No person has this id');
  return row ? id : null;
}

/** Takes the federation's row lock for the rest of the transaction (see the header). */
async function lockFederation(tx: EntityManager, federationId: number): Promise<void> {
  await runQuery(tx, knexOf(tx)('federation').select('id').where('id', federationId).forUpdate());
}

/** TERMS_OVERLAP at `path` when another term of the federation shares a day with [startsOn, endsOn]. */
async function checkTermsOverlap(tx: EntityManager, p: Problems, path: Path, federationId: number, startsOn: string, endsOn: string): Promise<void> {
  const [other] = await runQuery<{ starts_on: string; ends_on: string }>(
    tx,
    knexOf(tx)('term').select('starts_on', 'ends_on').where('federation_id', federationId).where('starts_on', '<=', endsOn).where('ends_on', '>=', startsOn).orderBy('starts_on').limit(1),
  );
  if (other) p.add(UserErrorCode.TERMS_OVERLAP, path, `The federation has a term from ${other.starts_on} to ${other.ends_on}: terms of a federation never share a day`);
}

/** A term with its four bodies; audited. */
async function insertTerm(w: MutationWork, data: { federationId: number; congressId: number | null; startsOn: string; endsOn: string }): Promise<Term> {
  const term = await insertRow(w.tx, Term, { federation: data.federationId, congress: data.congressId, startsOn: data.startsOn, endsOn: data.endsOn });
  await runQuery(w.tx, knexOf(w.tx)('governing_body').insert(Object.values(GoverningBodyKind).map((kind) => ({ term_id: term.id, kind }))));
  w.audit({
    entityType: 'Term',
    entityId: term.id,
    action: 'CREATE',
    changes: diff(null, { federationId: data.federationId, congressId: data.congressId, startsOn: data.startsOn, endsOn: data.endsOn, bodies: Object.values(GoverningBodyKind) }),
  });
  return term;
}

/** A seat as the rules see it (new, or an existing one as it would be after a change). */
interface SeatDraft {
  id: number | null;
  bodyId: number;
  bodyKind: GoverningBodyKind;
  termId: number;
  termStartsOn: string;
  termEndsOn: string;
  federationId: number;
  intellectualId: number;
  office: Office;
  associationId: number | null;
  filledBy: SeatFilledBy;
  electedById: number | null;
  decision: LegalDocument | null;
  startsOn: string;
  endsOn: string | null;
}

/** A seat with its body and term, as SeatDraft (null when there is none). */
async function seatDraft(em: EntityManager, seatId: number): Promise<(SeatDraft & { version: number; endReason: string | null; endNote: string | null }) | null> {
  const [r] = await runQuery<Row>(
    em,
    knexOf(em)('seat as s')
      .join('governing_body as b', 'b.id', 's.body_id')
      .join('term as t', 't.id', 's.term_id')
      .select('s.*', 'b.kind as body_kind', 't.starts_on as term_starts_on', 't.ends_on as term_ends_on')
      .where('s.id', seatId),
  );
  if (!r) return null;
  const decision = new LegalDocument({
    number: (r.decision_number as string) ?? null,
    date: (r.decision_date as string) ?? null,
    issuer: (r.decision_issuer as string) ?? null,
    title: (r.decision_title as string) ?? null,
  });
  return {
    id: Number(r.id),
    bodyId: Number(r.body_id),
    bodyKind: r.body_kind as GoverningBodyKind,
    termId: Number(r.term_id),
    termStartsOn: r.term_starts_on as string,
    termEndsOn: r.term_ends_on as string,
    federationId: Number(r.federation_id),
    intellectualId: Number(r.intellectual_id),
    office: r.office as Office,
    associationId: r.association_id === null ? null : Number(r.association_id),
    filledBy: r.filled_by as SeatFilledBy,
    electedById: r.elected_by_id === null ? null : Number(r.elected_by_id),
    decision: decisionJson(decision) ? decision : null,
    startsOn: r.starts_on as string,
    endsOn: (r.ends_on as string) ?? null,
    version: Number(r.version),
    endReason: (r.end_reason as string) ?? null,
    endNote: (r.end_note as string) ?? null,
  };
}

/** The public columns of a seat, for audit diffs. */
function seatSnapshot(s: SeatDraft & { endReason?: string | null; endNote?: string | null }): Row {
  return {
    bodyId: s.bodyId,
    intellectualId: s.intellectualId,
    office: s.office,
    associationId: s.associationId,
    filledBy: s.filledBy,
    electedById: s.electedById,
    decision: decisionJson(s.decision),
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    endReason: s.endReason ?? null,
    endNote: s.endNote ?? null,
  };
}

/**
 * Every rule of a seat, into `p`: INVALID_OFFICE, OUTSIDE_TERM, and (under the federation's row
 * lock) NOT_ON_EXECUTIVE_COMMITTEE, OFFICE_TAKEN and the person's other seat on the same body.
 * The seat itself (draft.id) is left out of the comparisons.
 */
async function checkSeatRules(tx: EntityManager, p: Problems, s: SeatDraft): Promise<void> {
  if (!OFFICES_OF_BODY[s.bodyKind].has(s.office))
    p.add(UserErrorCode.INVALID_OFFICE, ['office'], `The ${s.bodyKind} has no ${s.office}; its offices: ${[...OFFICES_OF_BODY[s.bodyKind]].join(', ')}`);
  let datesOk = true;
  if (s.startsOn < s.termStartsOn || s.startsOn > s.termEndsOn) {
    p.add(UserErrorCode.OUTSIDE_TERM, ['startsOn'], `startsOn ${s.startsOn} is outside the term (${s.termStartsOn} to ${s.termEndsOn})`);
    datesOk = false;
  }
  if (s.endsOn !== null && s.endsOn > s.termEndsOn) {
    p.add(UserErrorCode.OUTSIDE_TERM, ['endsOn'], `endsOn ${s.endsOn} is after the end of the term (${s.termEndsOn})`);
    datesOk = false;
  } else if (s.endsOn !== null && s.endsOn < s.startsOn) {
    p.add(UserErrorCode.OUTSIDE_TERM, ['endsOn'], `endsOn ${s.endsOn} is before startsOn ${s.startsOn}`);
    datesOk = false;
  }
  if (!datesOk) return; // the rules below compare days: meaningless on dates outside the term
  const knex = knexOf(tx);
  const until = s.endsOn ?? s.termEndsOn;
  const exclude = s.id ?? 0;
  if (s.bodyKind === GoverningBodyKind.STANDING_COMMITTEE) {
    const [ec] = await runQuery(
      tx,
      knex('seat as s')
        .join('governing_body as b', 'b.id', 's.body_id')
        .select('s.id')
        .where({ 's.term_id': s.termId, 'b.kind': GoverningBodyKind.EXECUTIVE_COMMITTEE, 's.intellectual_id': s.intellectualId })
        .where('s.starts_on', '<=', s.startsOn)
        .where((q) => q.whereNull('s.ends_on').orWhere('s.ends_on', '>=', s.startsOn))
        .limit(1),
    );
    if (!ec) p.add(UserErrorCode.NOT_ON_EXECUTIVE_COMMITTEE, ['intellectualId'], `The person holds no Executive Committee seat of this term on ${s.startsOn}: Standing Committee members are elected from it`);
  }
  // A seat's last day: its endsOn, else its term's (least(): a term cut short by a merger ends its seats with it).
  const lastDay = 'least(coalesce(s.ends_on, t.ends_on), t.ends_on)';
  if (SINGLE_HOLDER_OFFICES.has(s.office)) {
    const [taken] = await runQuery<{ starts_on: string; last_day: string }>(
      tx,
      knex('seat as s')
        .join('term as t', 't.id', 's.term_id')
        .select('s.starts_on', knex.raw(`${lastDay} as last_day`))
        .where({ 's.federation_id': s.federationId, 's.office': s.office })
        .whereNot('s.intellectual_id', s.intellectualId)
        .whereNot('s.id', exclude)
        .where('s.starts_on', '<=', until)
        .whereRaw(`${lastDay} >= ?`, [s.startsOn])
        .orderBy('s.starts_on')
        .limit(1),
    );
    if (taken) p.add(UserErrorCode.OFFICE_TAKEN, ['office'], `Another person is ${s.office} of the federation from ${taken.starts_on} to ${taken.last_day}: one holder at a time`);
  }
  const [twice] = await runQuery<{ starts_on: string }>(
    tx,
    knex('seat as s')
      .join('term as t', 't.id', 's.term_id')
      .select('s.starts_on')
      .where({ 's.body_id': s.bodyId, 's.intellectual_id': s.intellectualId })
      .whereNot('s.id', exclude)
      .where('s.starts_on', '<=', until)
      .whereRaw(`${lastDay} >= ?`, [s.startsOn])
      .limit(1),
  );
  if (twice) p.add(UserErrorCode.ALREADY_EXISTS, ['intellectualId'], `The person already has a seat on this body on some of these days (from ${twice.starts_on}): end it first`);
}

// ---------------------------------------------------------------- payloads (what a replay stores)

const SEAT_PAYLOAD = {
  refused: (userErrors: UserError[]): SeatPayload => ({ seat: null, userErrors }),
  store: (r: SeatPayload) => ({ seatId: r.seat?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<SeatPayload> => {
    const s = stored as { seatId: number | null; userErrors: UserError[] };
    return { seat: s.seatId === null ? null : await readRow(tx, Seat, s.seatId), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, SeatPayload>>;

/** Writes to congresses, delegates, terms and seats (ADMIN only). */
export class GovernanceWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  createCongress(input: CreateCongressInput): Promise<CreateCongressPayload> {
    return runMutation(this.em, this.viewer, {
      operation: 'createCongress',
      roles: ['ADMIN'],
      what: 'Recording a congress',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): CreateCongressPayload => ({ congress: null, term: null, userErrors }),
      store: (r) => ({ congressId: r.congress?.id ?? null, termId: r.term?.id ?? null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { congressId: number | null; termId: number | null; userErrors: UserError[] };
        return {
          congress: s.congressId === null ? null : await readRow(tx, Congress, s.congressId),
          term: s.termId === null ? null : await readRow(tx, Term, s.termId),
          userErrors: s.userErrors,
        };
      },
      onUniqueViolation: (p) => p.add(UserErrorCode.ALREADY_EXISTS, ['ordinal'], 'The federation has a congress with this ordinal'),
      validate: async (p, em) => {
        const federation = await federationByCode(p, em, ['federationCode'], input.federationCode);
        if (!Number.isInteger(input.ordinal) || input.ordinal < 1 || input.ordinal > ORDINAL_MAX) p.add(UserErrorCode.INVALID, ['ordinal'], `ordinal must be 1 to ${ORDINAL_MAX}`);
        else if (federation) {
          const [taken] = await runQuery(em, knexOf(em)('congress').select('id').where({ federation_id: federation.id, ordinal: input.ordinal }));
          if (taken) p.add(UserErrorCode.ALREADY_EXISTS, ['ordinal'], `The federation has a congress numbered ${input.ordinal}`);
        }
        const name = v.text(p, ['name'], input.name, { max: NAME_MAX, required: true }) ?? '';
        const startsOn = day(p, ['startsOn'], input.startsOn) ?? '';
        const endsOn = day(p, ['endsOn'], input.endsOn) ?? '';
        if (startsOn && endsOn && endsOn < startsOn) p.add(UserErrorCode.INVALID_DATE, ['endsOn'], `endsOn ${endsOn} is before startsOn ${startsOn}`);
        const openTerm = input.openTerm ?? true;
        const termYears = input.termYears ?? DEFAULT_TERM_YEARS;
        if (!Number.isInteger(termYears) || termYears < 1 || termYears > 10) p.add(UserErrorCode.INVALID, ['termYears'], 'termYears must be 1 to 10');
        const list = input.resolutions ?? [];
        if (list.length > MAX_RESOLUTIONS) p.add(UserErrorCode.TOO_MANY_ROWS, ['resolutions'], `at most ${MAX_RESOLUTIONS} resolutions`);
        const resolutions: Row[] = [];
        for (const [k, r] of list.slice(0, MAX_RESOLUTIONS).entries()) {
          const path = ['resolutions', k];
          const documentId = v.globalId(p, [...path, 'policyDocumentId'], r.policyDocumentId, 'PolicyDocument');
          const title = v.text(p, [...path, 'title'], r.title ?? null, { max: TITLE_MAX }) ?? null;
          if (r.policyDocumentId == null && title === null) p.add(UserErrorCode.REQUIRED, [...path, 'title'], 'A resolution is a policy document (policyDocumentId) or has a title');
          resolutions.push({
            position: k + 1,
            policy_document_id: documentId,
            title,
            url: v.url(p, [...path, 'url'], r.url ?? null) ?? null,
            adopted_on: day(p, [...path, 'adoptedOn'], r.adoptedOn ?? null) ?? null,
          });
        }
        const documentIds = [...new Set(resolutions.map((r) => r.policy_document_id).filter((id): id is number => id !== null))];
        if (documentIds.length) {
          const found = new Set(
            (await runQuery<{ id: number }>(em, knexOf(em)('policy_document').select('id').whereRaw('id = any(?::int[])', [pgArray(documentIds)]))).map((r) => Number(r.id)),
          );
          resolutions.forEach((r, k) => {
            if (r.policy_document_id !== null && !found.has(r.policy_document_id as number)) p.add(UserErrorCode.NOT_FOUND, ['resolutions', k, 'policyDocumentId'], 'No policy document has this id');
          });
        }
        return {
          federation: federation ?? { id: 0, code: '' },
          congress: {
            ordinal: input.ordinal,
            name,
            startsOn,
            endsOn,
            place: v.text(p, ['place'], input.place ?? null, { max: PLACE_MAX }) ?? null,
            description: v.text(p, ['description'], input.description ?? null, { max: DESCRIPTION_MAX, multiline: true }) ?? null,
          },
          term: openTerm && startsOn ? { startsOn, endsOn: termEndOn(startsOn, termYears) } : null,
          resolutions,
        };
      },
      work: async (w, { federation, congress: data, term: termDates, resolutions }) => {
        await lockFederation(w.tx, federation.id);
        const p = new Problems();
        const [taken] = await runQuery(w.tx, knexOf(w.tx)('congress').select('id').where({ federation_id: federation.id, ordinal: data.ordinal }));
        if (taken) p.add(UserErrorCode.ALREADY_EXISTS, ['ordinal'], `The federation has a congress numbered ${data.ordinal}`);
        if (termDates) await checkTermsOverlap(w.tx, p, ['startsOn'], federation.id, termDates.startsOn, termDates.endsOn);
        if (p.any) w.refuse(p);
        const congress = await insertRow(w.tx, Congress, { federation: federation.id, ...data });
        if (resolutions.length) await runQuery(w.tx, knexOf(w.tx)('congress_resolution').insert(resolutions.map((r) => ({ ...r, congress_id: congress.id }))));
        w.audit({
          entityType: 'Congress',
          entityId: congress.id,
          action: 'CREATE',
          changes: diff(null, { federationCode: federation.code, ...data, resolutions: resolutions.length || null }),
        });
        const term = termDates ? await insertTerm(w, { federationId: federation.id, congressId: congress.id, ...termDates }) : null;
        return { congress, term, userErrors: [] };
      },
    });
  }

  addDelegates(input: AddDelegatesInput): Promise<AddDelegatesPayload> {
    let congress: Congress | null = null;
    return runMutation(this.em, this.viewer, {
      operation: 'addDelegates',
      roles: ['ADMIN'],
      what: 'Adding delegates to a congress',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): AddDelegatesPayload => ({ congress, added: 0, userErrors }),
      store: (r) => ({ congressId: r.congress?.id ?? null, added: r.added, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { congressId: number | null; added: number; userErrors: UserError[] };
        return { congress: s.congressId === null ? null : await readRow(tx, Congress, s.congressId), added: s.added, userErrors: s.userErrors };
      },
      onUniqueViolation: (p) => p.add(UserErrorCode.ALREADY_EXISTS, ['delegates'], 'Some of these people became delegates of the congress meanwhile: read its delegates and retry'),
      validate: async (p, em) => {
        const congressId = v.globalId(p, ['congressId'], input.congressId, 'Congress');
        congress = congressId === null ? null : await readRow(em, Congress, congressId);
        if (congressId !== null && !congress) p.add(UserErrorCode.NOT_FOUND, ['congressId'], 'No congress has this id');
        const rows = input.delegates ?? [];
        if (rows.length === 0) p.add(UserErrorCode.REQUIRED, ['delegates'], 'Give at least one delegate');
        if (rows.length > MAX_DELEGATES) {
          p.add(UserErrorCode.TOO_MANY_ROWS, ['delegates'], `at most ${MAX_DELEGATES} delegates per call`);
          return { congressId: 0, rows: [] };
        }
        // Row by row (formats), then three queries for the whole list (people, associations, delegates already there).
        const parsed = rows.map((r, k) => {
          const path = ['delegates', k];
          const rawId = normalizeText(r.intellectualId ?? '');
          if (!rawId) p.add(UserErrorCode.REQUIRED, [...path, 'intellectualId'], 'intellectualId must not be empty');
          const intellectualId = rawId ? v.globalId(p, [...path, 'intellectualId'], rawId, 'Intellectual') : null;
          if (!normalizeText(r.kind ?? '')) p.add(UserErrorCode.REQUIRED, [...path, 'kind'], 'kind must not be empty');
          const kind = v.enumValue(p, [...path, 'kind'], r.kind, DelegateKind);
          const associationCode = v.text(p, [...path, 'associationCode'], r.associationCode ?? null, { max: 64 }) ?? null;
          return { intellectualId, kind: kind ?? null, associationCode };
        });
        const ids = [...new Set(parsed.map((r) => r.intellectualId).filter((id): id is number => id !== null))];
        const knex = knexOf(em);
        const people = ids.length
          ? new Set((await runQuery<{ id: number }>(em, knex('intellectual').select('id').whereRaw('id = any(?::int[])', [pgArray(ids)]))).map((r) => Number(r.id)))
          : new Set<number>();
        const already =
          ids.length && congress
            ? new Set(
                (
                  await runQuery<{ intellectual_id: number }>(
                    em,
                    knex('congress_delegate').select('intellectual_id').where('congress_id', congress.id).whereRaw('intellectual_id = any(?::int[])', [pgArray(ids)]),
                  )
                ).map((r) => Number(r.intellectual_id)),
              )
            : new Set<number>();
        const federationId = congress ? (congress.federation as unknown as { id: number }).id : null;
        const codes = [...new Set(parsed.map((r) => r.associationCode).filter((c): c is string => c !== null))];
        const associations = federationId === null ? new Map<string, { id: number; member: boolean }>() : await associationsByCode(em, codes, federationId);
        const seen = new Map<number, number>();
        const out = parsed.map((r, k) => {
          const path = ['delegates', k];
          if (r.intellectualId !== null) {
            if (!people.has(r.intellectualId)) p.add(UserErrorCode.NOT_FOUND, [...path, 'intellectualId'], 'No person has this id');
            else if (already.has(r.intellectualId)) p.add(UserErrorCode.ALREADY_EXISTS, [...path, 'intellectualId'], 'This person is already a delegate of the congress');
            else if (seen.has(r.intellectualId)) p.add(UserErrorCode.DUPLICATE, [...path, 'intellectualId'], `This person is also in row ${seen.get(r.intellectualId)}`);
            else seen.set(r.intellectualId, k);
          }
          let associationId: number | null = null;
          if (r.associationCode !== null && federationId !== null) {
            const a = associations.get(r.associationCode);
            if (!a) p.add(UserErrorCode.NOT_FOUND, [...path, 'associationCode'], `No association has the code ${r.associationCode}`);
            else if (!a.member) p.add(UserErrorCode.INVALID, [...path, 'associationCode'], `${r.associationCode} is not a member association of the congress's federation`);
            else associationId = a.id;
          }
          return { intellectual_id: r.intellectualId, association_id: associationId, kind: r.kind };
        });
        return { congressId: congress?.id ?? 0, rows: out };
      },
      work: async (w, { congressId, rows }) => {
        // The congress's row lock serialises additions to one congress (the unique key is the last word).
        const locked = (congress = (await readRow(w.tx, Congress, congressId, 'update'))!);
        const [{ n: before }] = await runQuery<{ n: number }>(w.tx, knexOf(w.tx)('congress_delegate').where('congress_id', congressId).count({ n: '*' }));
        await runQuery(w.tx, knexOf(w.tx)('congress_delegate').insert(rows.map((r) => ({ ...r, congress_id: congressId }))));
        w.audit({ entityType: 'Congress', entityId: congressId, action: 'DELEGATES_ADDED', changes: { delegates: { old: Number(before), new: Number(before) + rows.length } } });
        return { congress: locked, added: rows.length, userErrors: [] };
      },
    });
  }

  createTerm(input: CreateTermInput): Promise<CreateTermPayload> {
    return runMutation(this.em, this.viewer, {
      operation: 'createTerm',
      roles: ['ADMIN'],
      what: 'Recording a term',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): CreateTermPayload => ({ term: null, userErrors }),
      store: (r) => ({ termId: r.term?.id ?? null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { termId: number | null; userErrors: UserError[] };
        return { term: s.termId === null ? null : await readRow(tx, Term, s.termId), userErrors: s.userErrors };
      },
      onUniqueViolation: (p) => p.add(UserErrorCode.ALREADY_EXISTS, ['congressId'], 'The congress opened a term already'),
      validate: async (p, em) => {
        const federation = await federationByCode(p, em, ['federationCode'], input.federationCode);
        const congressId = v.globalId(p, ['congressId'], input.congressId, 'Congress');
        if (congressId !== null) {
          const [c] = await runQuery<{ federation_id: number; term_id: number | null }>(
            em,
            knexOf(em)('congress as c').leftJoin('term as t', 't.congress_id', 'c.id').select('c.federation_id', 't.id as term_id').where('c.id', congressId),
          );
          if (!c) p.add(UserErrorCode.NOT_FOUND, ['congressId'], 'No congress has this id');
          else if (federation && Number(c.federation_id) !== federation.id) p.add(UserErrorCode.INVALID, ['congressId'], `The congress is not one of ${federation.code}`);
          else if (c.term_id !== null) p.add(UserErrorCode.ALREADY_EXISTS, ['congressId'], 'The congress opened a term already');
        }
        const startsOn = day(p, ['startsOn'], input.startsOn) ?? '';
        let endsOn = day(p, ['endsOn'], input.endsOn ?? null) ?? null;
        if (startsOn && endsOn && endsOn < startsOn) p.add(UserErrorCode.INVALID_DATE, ['endsOn'], `endsOn ${endsOn} is before startsOn ${startsOn}`);
        if (startsOn && !endsOn) endsOn = termEndOn(startsOn, DEFAULT_TERM_YEARS);
        return { federationId: federation?.id ?? 0, congressId, startsOn, endsOn: endsOn ?? '' };
      },
      work: async (w, values) => {
        await lockFederation(w.tx, values.federationId);
        const p = new Problems();
        await checkTermsOverlap(w.tx, p, ['startsOn'], values.federationId, values.startsOn, values.endsOn);
        if (p.any) w.refuse(p);
        return { term: await insertTerm(w, values), userErrors: [] };
      },
    });
  }

  addSeat(input: AddSeatInput): Promise<SeatPayload> {
    return runMutation(this.em, this.viewer, {
      ...SEAT_PAYLOAD,
      operation: 'addSeat',
      roles: ['ADMIN'],
      what: 'Adding a seat to a governing body',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const bodyId = v.globalId(p, ['bodyId'], input.bodyId, 'GoverningBody');
        const [body] =
          bodyId === null
            ? []
            : await runQuery<Row>(
                em,
                knexOf(em)('governing_body as b')
                  .join('term as t', 't.id', 'b.term_id')
                  .select('b.id', 'b.kind', 'b.term_id', 't.federation_id', 't.starts_on', 't.ends_on')
                  .where('b.id', bodyId),
              );
        if (bodyId !== null && !body) p.add(UserErrorCode.NOT_FOUND, ['bodyId'], 'No governing body has this id');
        const federationId = body ? Number(body.federation_id) : null;
        const intellectualId = await intellectualExists(p, em, ['intellectualId'], input.intellectualId);
        const associationId = await associationOf(p, em, ['associationCode'], input.associationCode, federationId);
        const electedById = v.globalId(p, ['electedByBodyId'], input.electedByBodyId, 'GoverningBody');
        if (input.filledBy === SeatFilledBy.ELECTED_BY_BODY) {
          if (input.electedByBodyId == null) p.add(UserErrorCode.REQUIRED, ['electedByBodyId'], 'A seat ELECTED_BY_BODY names the electing body');
          else if (electedById !== null && body) {
            const [elector] = await runQuery<{ term_id: number }>(em, knexOf(em)('governing_body').select('term_id').where('id', electedById));
            if (!elector) p.add(UserErrorCode.NOT_FOUND, ['electedByBodyId'], 'No governing body has this id');
            else if (electedById === Number(body.id) || Number(elector.term_id) !== Number(body.term_id))
              p.add(UserErrorCode.INVALID, ['electedByBodyId'], 'The electing body must be another body of the same term');
          }
        } else if (input.electedByBodyId != null) {
          p.add(UserErrorCode.INVALID, ['electedByBodyId'], 'Only a seat ELECTED_BY_BODY names an electing body');
        }
        const decision = decisionOf(p, ['decision'], input.decision);
        appointedNeedsDecision(p, input.filledBy, decision);
        const startsOn = day(p, ['startsOn'], input.startsOn ?? null) ?? (body ? (body.starts_on as string) : '');
        const endsOn = day(p, ['endsOn'], input.endsOn ?? null) ?? null;
        const draft: SeatDraft = {
          id: null,
          bodyId: bodyId ?? 0,
          bodyKind: (body?.kind as GoverningBodyKind) ?? GoverningBodyKind.EXECUTIVE_COMMITTEE,
          termId: body ? Number(body.term_id) : 0,
          termStartsOn: (body?.starts_on as string) ?? '',
          termEndsOn: (body?.ends_on as string) ?? '',
          federationId: federationId ?? 0,
          intellectualId: intellectualId ?? 0,
          office: input.office,
          associationId,
          filledBy: input.filledBy,
          electedById: input.filledBy === SeatFilledBy.ELECTED_BY_BODY ? electedById : null,
          decision: decisionJson(decision) ? decision : null,
          startsOn,
          endsOn,
        };
        return draft;
      },
      work: async (w, s) => {
        await lockFederation(w.tx, s.federationId);
        const p = new Problems();
        await checkSeatRules(w.tx, p, s);
        if (p.any) w.refuse(p);
        const seat = await insertRow(w.tx, Seat, {
          body: s.bodyId,
          term: s.termId,
          federation: s.federationId,
          intellectual: s.intellectualId,
          office: s.office,
          association: s.associationId,
          filledBy: s.filledBy,
          electedBy: s.electedById,
          decision: s.decision,
          startsOn: s.startsOn,
          endsOn: s.endsOn,
        });
        w.audit({ entityType: 'Seat', entityId: seat.id, action: 'CREATE', changes: diff(null, seatSnapshot(s)) });
        return { seat, userErrors: [] };
      },
    });
  }

  endSeat(input: EndSeatInput): Promise<SeatPayload> {
    let current: Seat | null = null;
    return runMutation(this.em, this.viewer, {
      ...SEAT_PAYLOAD,
      refused: (userErrors) => ({ seat: current, userErrors }),
      operation: 'endSeat',
      roles: ['ADMIN'],
      what: 'Ending a seat',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await seatOf(p, em, input.seatId);
        const endsOn = day(p, ['endsOn'], input.endsOn) ?? '';
        const note = v.text(p, ['note'], input.note ?? null, { max: NOTE_MAX, multiline: true }) ?? null;
        return { id: current?.id ?? 0, endsOn, note };
      },
      work: async (w, { id, endsOn, note }) => {
        const seat = (current = (await readRow(w.tx, Seat, id, 'update'))!);
        checkVersion(w, 'seat', seat.version, input.expectedVersion);
        if (seat.endReason) refuse(w, UserErrorCode.INVALID_TRANSITION, ['seatId'], `The seat ended already (${seat.endsOn}, ${seat.endReason}): change its end with updateSeat`);
        const [term] = await runQuery<{ ends_on: string }>(w.tx, knexOf(w.tx)('term').select('ends_on').where('id', (seat.term as unknown as { id: number }).id));
        if (endsOn < seat.startsOn) refuse(w, UserErrorCode.OUTSIDE_TERM, ['endsOn'], `endsOn ${endsOn} is before the seat's first day (${seat.startsOn})`);
        if (endsOn > term.ends_on) refuse(w, UserErrorCode.OUTSIDE_TERM, ['endsOn'], `endsOn ${endsOn} is after the end of the term (${term.ends_on})`);
        const updated = await updateRow(w.tx, Seat, seat.id, { endsOn, endReason: input.reason, endNote: note, version: seat.version + 1, updatedAt: new Date() });
        w.audit({
          entityType: 'Seat',
          entityId: seat.id,
          action: 'SEAT_ENDED',
          changes: diff({ endsOn: seat.endsOn ?? null, endReason: null, endNote: seat.endNote ?? null }, { endsOn, endReason: input.reason, endNote: note }),
        });
        return { seat: updated, userErrors: [] };
      },
    });
  }

  updateSeat(input: UpdateSeatInput): Promise<SeatPayload> {
    let current: Seat | null = null;
    return runMutation(this.em, this.viewer, {
      ...SEAT_PAYLOAD,
      refused: (userErrors) => ({ seat: current, userErrors }),
      operation: 'updateSeat',
      roles: ['ADMIN'],
      what: 'Changing a seat',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await seatOf(p, em, input.seatId);
        const federationId = current ? (current.federation as unknown as { id: number }).id : null;
        const changes: Partial<SeatDraft> & { endReason?: null; endNote?: null } = {};
        if (input.office !== undefined) {
          if (input.office === null) p.add(UserErrorCode.REQUIRED, ['office'], 'office cannot be null');
          else changes.office = input.office;
        }
        if (input.associationCode !== undefined) changes.associationId = input.associationCode === null ? null : await associationOf(p, em, ['associationCode'], input.associationCode, federationId);
        if (input.startsOn !== undefined) {
          if (input.startsOn === null) p.add(UserErrorCode.REQUIRED, ['startsOn'], 'startsOn cannot be null');
          else changes.startsOn = day(p, ['startsOn'], input.startsOn) ?? undefined;
        }
        if (input.endsOn !== undefined) {
          changes.endsOn = day(p, ['endsOn'], input.endsOn) ?? null;
          // Held again: the end's reason and note go with the end.
          if (changes.endsOn === null) Object.assign(changes, { endReason: null, endNote: null });
        }
        if (input.decision !== undefined) {
          const d = decisionOf(p, ['decision'], input.decision);
          changes.decision = decisionJson(d) ? d : null;
        }
        return { id: current?.id ?? 0, federationId: federationId ?? 0, changes };
      },
      work: async (w, { id, federationId, changes }) => {
        await lockFederation(w.tx, federationId);
        current = (await readRow(w.tx, Seat, id, 'update'))!;
        checkVersion(w, 'seat', current.version, input.expectedVersion);
        const before = (await seatDraft(w.tx, id))!;
        const next = { ...before, ...changes };
        const p = new Problems();
        appointedNeedsDecision(p, next.filledBy, next.decision);
        await checkSeatRules(w.tx, p, next);
        if (p.any) w.refuse(p);
        const changed = diff(seatSnapshot(before), seatSnapshot(next));
        if (!Object.keys(changed).length) return { seat: current, userErrors: [] };
        const data: Row = {};
        if (changes.office !== undefined) data.office = changes.office;
        if (changes.associationId !== undefined) data.association = changes.associationId;
        if (changes.startsOn !== undefined) data.startsOn = changes.startsOn;
        if (changes.endsOn !== undefined) data.endsOn = changes.endsOn;
        if (changes.endReason !== undefined) Object.assign(data, { endReason: null, endNote: null });
        if (changes.decision !== undefined) data.decision = changes.decision;
        const updated = await updateRow(w.tx, Seat, id, { ...data, version: current.version + 1, updatedAt: new Date() });
        w.audit({ entityType: 'Seat', entityId: id, action: 'UPDATE', changes: changed });
        return { seat: updated, userErrors: [] };
      },
    });
  }
}
