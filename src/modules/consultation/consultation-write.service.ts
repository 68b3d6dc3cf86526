import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, type Viewer } from '../../common/auth';
import { hydrate } from '../../common/hydrate';
import { LegalDocument } from '../../common/legal-document';
import { checkVersion, MutationSpec, MutationWork, refuse, runMutation } from '../../common/mutation';
import { insertRow, knexOf, readRow, rowExists, runQuery, updateRow } from '../../common/sql';
import { normalizeText } from '../../common/text';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { Association } from '../association/association.entity';
import { AssociationStatus } from '../association/association.enums';
import { dissolved } from '../association/association.policy';
import { diff, MASK, type Changes } from '../audit/audit.service';
import { Federation } from '../federation/federation.entity';
import { LegalDocumentInput } from '../federation/federation-write.inputs';
import { isCurrentMember } from '../intellectual/intellectual.policy';
import {
  AssignmentRole,
  BEFORE_REPORT,
  ConflictOfInterest,
  ConsultationOrigin,
  ConsultationStatus,
  ConsultationVisibility,
  PanelRole,
  TRANSITIONS,
} from './consultation.enums';
import { Agency, ConsultationAssignment, ConsultationRequest, ConsultationRequestDocument, ConsultationTransition } from './consultation-request.entity';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { involved, OpinionPolicy } from './consultation.policy';
import { Opinion, OpinionRevision } from './opinion.entity';
import { ConsultationConflict, PanelMember } from './panel-member.entity';
import { PolicyDocument, PolicyDocumentSection } from './policy-document.entity';
import {
  AddPanelMemberInput,
  AddPolicyDocumentInput,
  AgencyInput,
  AssignAssociationsInput,
  CreateConsultationRequestInput,
  DeclareConflictOfInterestInput,
  RecordAgencyResponseInput,
  RemovePanelMemberInput,
  SectionRefInput,
  SubmitOpinionInput,
  SubmitReportInput,
  TransitionConsultationRequestInput,
  UpdateConsultationRequestInput,
  UpdateOpinionInput,
} from './consultation-write.inputs';
import { ConsultationRequestPayload, OpinionPayload, PanelMemberPayload, PolicyDocumentPayload } from './consultation-write.types';

/*
 * Every write of the consultation module. Each runs through runMutation (role check → validation
 * → transaction → idempotency → work → audit → stored response) and writes with SQL (insertRow,
 * updateRow), not the unit of work (see association-write.service.ts).
 *
 * Serialising: every write to a request, or to what hangs off it (documents, assignment, panel,
 * conflicts, report, response), first locks the request's row (`select … for update`) and checks
 * its state under that lock, so two moves of one request run one after the other and the second
 * sees the first (a stale expectedVersion → CONFLICT; a status no longer allowed → its refusal).
 * Opinions take the row `for share`: they do not change the request, but a move out of IN_REVIEW
 * waits for them and they for it. Each such write bumps the request's version; opinions bump
 * their own.
 */

type Path = (string | number)[];
type Row = Record<string, unknown>;

const FINAL: readonly ConsultationStatus[] = [ConsultationStatus.DECLINED, ConsultationStatus.CLOSED, ConsultationStatus.WITHDRAWN];
/** Moves that need a note saying why (besides REPORT_SUBMITTED → CLOSED, closing without a response). */
const NOTE_NEEDED: readonly ConsultationStatus[] = [ConsultationStatus.DECLINED, ConsultationStatus.WITHDRAWN];

const MAX_SECTIONS = 500;
const MAX_RECOMMENDATIONS = 100;
const MAX_CONTRIBUTORS = 100;

// ---------------------------------------------------------------- reading and locking

const readRequest = (em: EntityManager, id: number, lock?: 'update' | 'share') => readRow(em, ConsultationRequest, id, lock);

/** The request a global id names, or null with NOT_FOUND at `path` (not a request's id, or no such request). */
async function namedRequest(p: Problems, em: EntityManager, path: Path, globalId: string): Promise<ConsultationRequest | null> {
  const id = v.globalId(p, path, globalId, 'ConsultationRequest');
  const r = id === null ? null : await readRequest(em, id);
  if (id !== null && !r) p.add(UserErrorCode.NOT_FOUND, path, 'No consultation request has this id');
  return r;
}

/** The association is involved in the request (assigned, or a current member on its panel): consultation.policy.ts's `involved`. */
async function isInvolved(em: EntityManager, requestId: number, associationId: number): Promise<boolean> {
  const [cond, b] = involved('r.id', associationId);
  const rows = await runQuery(em, knexOf(em)('consultation_request as r').select('r.id').where('r.id', requestId).whereRaw(cond, b));
  return rows.length > 0;
}

/**
 * An ASSOCIATION key writes only on requests it is involved in. Any other request, a confidential
 * one it may not know of or one that does not exist, answers the same FORBIDDEN: nothing tells them apart.
 */
async function requireInvolved(em: EntityManager, viewer: Viewer, requestId: number): Promise<void> {
  if (viewer.role !== 'ASSOCIATION') return;
  if (!(await isInvolved(em, requestId, viewer.associationId!)))
    throw forbidden('This key may write opinions only on requests its association is assigned to or whose panel holds one of its current members');
}

async function panelSeat(em: EntityManager, requestId: number, intellectualId: number): Promise<PanelMember | null> {
  const [row] = await runQuery(em, knexOf(em)('consultation_panel_member').select('*').where({ request_id: requestId, intellectual_id: intellectualId }));
  return row ? hydrate(em, PanelMember, row) : null;
}


/** INVALID_STATE unless the request is in one of `allowed`. */
function checkStatus(w: MutationWork, r: ConsultationRequest, allowed: readonly ConsultationStatus[], field: Path, what: string): void {
  if (!allowed.includes(r.status)) refuse(w, UserErrorCode.INVALID_STATE, field, `The request is ${r.status}: ${what} only in ${allowed.join(', ')}`);
}

/** The request's next version (every change to it or to what hangs off it). */
const bump = (tx: EntityManager, r: ConsultationRequest, data: Row = {}) => updateRow(tx, ConsultationRequest, r.id, { ...data, version: r.version + 1, updatedAt: new Date() });

/** A line of the request's history: creation (from null) or a move, by the calling key. */
const historyRow = (w: MutationWork, requestId: number, from: ConsultationStatus | null, to: ConsultationStatus, note: string | null) =>
  insertRow(w.tx, ConsultationTransition, { request: requestId, from, to, note, keyId: w.viewer.keyId, by: w.viewer.keyLabel, at: new Date() });

/** The sections of the documents under review in a request, to resolve SectionRefInputs. */
interface RequestSections {
  documents: Set<number>;
  sections: Map<string, number>;
}

async function requestSections(em: EntityManager, requestId: number): Promise<RequestSections> {
  const docs = await runQuery<{ document_id: number }>(em, knexOf(em)('consultation_request_document').select('document_id').where('request_id', requestId));
  const rows = await runQuery<{ id: number; document_id: number; number: string }>(
    em,
    knexOf(em)('policy_document_section as s')
      .join('consultation_request_document as d', 'd.document_id', 's.document_id')
      .select('s.id', 's.document_id', 's.number')
      .where('d.request_id', requestId),
  );
  return { documents: new Set(docs.map((d) => Number(d.document_id))), sections: new Map(rows.map((s) => [`${s.document_id}:${s.number}`, Number(s.id)])) };
}

/** The section a SectionRefInput names, in the request's documents under review; NOT_FOUND otherwise. */
function sectionOf(p: Problems, path: Path, ref: SectionRefInput | null | undefined, known: RequestSections): number | null {
  if (!ref) return null;
  const documentId = v.globalId(p, [...path, 'documentId'], ref.documentId, 'PolicyDocument');
  if (documentId === null) return null;
  if (!known.documents.has(documentId)) {
    p.add(UserErrorCode.NOT_FOUND, [...path, 'documentId'], 'The document is not under review in this request');
    return null;
  }
  const number = normalizeText(ref.number ?? '');
  const id = known.sections.get(`${documentId}:${number}`);
  if (id === undefined) p.add(UserErrorCode.NOT_FOUND, [...path, 'number'], `The document has no section "${number}"`);
  return id ?? null;
}

// ---------------------------------------------------------------- request values

function agencyOf(p: Problems, path: Path, a: AgencyInput): Agency {
  return new Agency({
    name: v.text(p, [...path, 'name'], a.name, { max: 300, required: true }) ?? '',
    level: a.level,
    contact: v.text(p, [...path, 'contact'], a.contact ?? null, { max: 500 }) ?? null,
  });
}

function legalDocumentOf(p: Problems, path: Path, d: LegalDocumentInput | null | undefined): LegalDocument | null {
  if (!d) return null;
  return new LegalDocument({
    number: v.text(p, [...path, 'number'], d.number ?? null, { max: 100 }) ?? null,
    date: v.date(p, [...path, 'date'], d.date ?? null, { notFuture: true, min: '1900-01-01' }) ?? null,
    issuer: v.text(p, [...path, 'issuer'], d.issuer ?? null, { max: 300 }) ?? null,
    title: v.text(p, [...path, 'title'], d.title ?? null, { max: 500 }) ?? null,
  });
}

/** A required value given as null in an update (GraphQL lets nullable input fields be null). */
function required<T>(p: Problems, path: Path, value: T | null | undefined): T | undefined {
  if (value === null) p.add(UserErrorCode.REQUIRED, path, `${path[path.length - 1]} cannot be null`);
  return value ?? undefined;
}

/**
 * The public columns of a request, for audit diffs. The agency's contact may name a person and
 * their telephone: the log records that it changed, never what to (see `withContact`).
 */
function snapshot(r: ConsultationRequest): Record<string, unknown> {
  return {
    kind: r.kind,
    subjectKind: r.subjectKind,
    title: r.title,
    summary: r.summary ?? null,
    origin: r.origin,
    agency: { name: r.agency.name, level: r.agency.level },
    requestDocument: r.requestDocument ? { ...r.requestDocument } : null,
    format: r.format,
    receivedOn: r.receivedOn,
    dueOn: r.dueOn ?? null,
    visibility: r.visibility,
    fields: r.fields,
  };
}

function withContact(changes: Changes, before: string | null, after: string | null): Changes {
  if ((before ?? null) !== (after ?? null)) changes.agencyContact = { old: before ? MASK : null, new: after ? MASK : null };
  return changes;
}

/** Empty legal documents are stored as none. */
const legalOrNull = (d: LegalDocument | null | undefined) => (d && Object.values(d).some((x) => x !== null && x !== undefined) ? d : null);

// ---------------------------------------------------------------- payloads

interface RequestIds {
  requestId: number | null;
  userErrors: UserError[];
}

const REQUEST_PAYLOAD = {
  refused: (userErrors: UserError[]): ConsultationRequestPayload => ({ consultationRequest: null, userErrors }),
  store: (r: ConsultationRequestPayload): RequestIds => ({ requestId: r.consultationRequest?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<ConsultationRequestPayload> => {
    const s = stored as RequestIds;
    return { consultationRequest: s.requestId === null ? null : await readRequest(tx, s.requestId), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, ConsultationRequestPayload>>;

/** Writes to consultation requests and to what hangs off them (ADMIN), and opinions (ASSOCIATION or ADMIN). */
export class ConsultationWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  createRequest(input: CreateConsultationRequestInput): Promise<ConsultationRequestPayload> {
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      operation: 'createConsultationRequest',
      roles: ['ADMIN'],
      what: 'Creating a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const receivedOn = v.date(p, ['receivedOn'], input.receivedOn, { notFuture: true, min: '1900-01-01' }) ?? null;
        const receivedOk = !p.list.some((e) => e.field[0] === 'receivedOn');
        if (!receivedOn && receivedOk) p.add(UserErrorCode.REQUIRED, ['receivedOn'], 'receivedOn is required');
        const dueOn = v.date(p, ['dueOn'], input.dueOn ?? null, receivedOn && receivedOk ? { min: receivedOn } : {}) ?? null;
        const values = {
          kind: input.kind,
          subjectKind: input.subjectKind,
          title: v.text(p, ['title'], input.title, { max: 500, required: true }) ?? '',
          summary: v.text(p, ['summary'], input.summary ?? null, { max: 10_000, multiline: true }) ?? null,
          origin: input.origin,
          agency: agencyOf(p, ['agency'], input.agency),
          requestDocument: legalOrNull(legalDocumentOf(p, ['requestDocument'], input.requestDocument)),
          format: input.format,
          receivedOn: receivedOn ?? '',
          dueOn,
          visibility: input.visibility ?? ConsultationVisibility.PUBLIC,
          fields: v.fieldCodes(p, ['fields'], input.fields ?? []) ?? [],
          status: input.origin === ConsultationOrigin.SELF_INITIATED ? ConsultationStatus.ACCEPTED : ConsultationStatus.REQUESTED,
        };
        const federation = await em.findOne(Federation, { code: input.federationCode });
        if (!federation) p.add(UserErrorCode.NOT_FOUND, ['federationCode'], `No federation has the code ${input.federationCode}`);
        return { values, federationId: federation?.id ?? 0, federationCode: federation?.code ?? '' };
      },
      work: async (w, { values, federationId, federationCode }) => {
        const r = await insertRow(w.tx, ConsultationRequest, { ...values, federation: federationId });
        await historyRow(w, r.id, null, r.status, null);
        w.audit({
          entityType: 'ConsultationRequest',
          entityId: r.id,
          action: 'CREATE',
          changes: withContact(diff(null, { ...snapshot(r), federationCode, status: r.status }), null, r.agency.contact ?? null),
        });
        return { consultationRequest: r, userErrors: [] };
      },
    });
  }

  updateRequest(input: UpdateConsultationRequestInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'updateConsultationRequest',
      roles: ['ADMIN'],
      what: 'Changing a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['id'], input.id);
        const id = current?.id ?? null;
        const changes: Partial<ConsultationRequest> = {};
        if (input.kind !== undefined) changes.kind = required(p, ['kind'], input.kind);
        if (input.subjectKind !== undefined) changes.subjectKind = required(p, ['subjectKind'], input.subjectKind);
        if (input.format !== undefined) changes.format = required(p, ['format'], input.format);
        if (input.visibility !== undefined) changes.visibility = required(p, ['visibility'], input.visibility);
        if (input.title !== undefined) changes.title = v.text(p, ['title'], input.title, { max: 500, required: true }) ?? undefined;
        if (input.summary !== undefined) changes.summary = v.text(p, ['summary'], input.summary, { max: 10_000, multiline: true }) ?? null;
        if (input.agency !== undefined) changes.agency = required(p, ['agency'], input.agency) && agencyOf(p, ['agency'], input.agency!);
        if (input.requestDocument !== undefined) changes.requestDocument = legalOrNull(legalDocumentOf(p, ['requestDocument'], input.requestDocument));
        if (input.receivedOn !== undefined) {
          changes.receivedOn = v.date(p, ['receivedOn'], input.receivedOn, { notFuture: true, min: '1900-01-01' }) ?? undefined;
          if (input.receivedOn === null) p.add(UserErrorCode.REQUIRED, ['receivedOn'], 'receivedOn cannot be null');
        }
        if (input.dueOn !== undefined) changes.dueOn = v.date(p, ['dueOn'], input.dueOn) ?? null;
        if (input.fields !== undefined) changes.fields = v.fieldCodes(p, ['fields'], input.fields) ?? [];
        return { id: id ?? 0, changes };
      },
      work: async (w, { id, changes }) => {
        const r = (current = (await readRequest(w.tx, id, 'update'))!);
        checkVersion(w, 'request', r.version, input.expectedVersion);
        if (FINAL.includes(r.status)) refuse(w, UserErrorCode.INVALID_STATE, ['id'], `The request is ${r.status}: a final request cannot change`);
        const next = Object.assign(Object.create(Object.getPrototypeOf(r)), r, changes) as ConsultationRequest;
        if (next.dueOn && next.dueOn < next.receivedOn)
          refuse(w, UserErrorCode.INVALID_DATE, [input.dueOn !== undefined ? 'dueOn' : 'receivedOn'], `dueOn ${next.dueOn} is before receivedOn ${next.receivedOn}`);
        const changed = withContact(diff(snapshot(r), snapshot(next)), r.agency.contact ?? null, next.agency.contact ?? null);
        if (!Object.keys(changed).length) return { consultationRequest: r, userErrors: [] };
        const updated = await bump(w.tx, r, changes);
        w.audit({ entityType: 'ConsultationRequest', entityId: r.id, action: 'UPDATE', changes: changed });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  addPolicyDocument(input: AddPolicyDocumentInput): Promise<PolicyDocumentPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      operation: 'addPolicyDocument',
      roles: ['ADMIN'],
      what: 'Adding a document to a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): PolicyDocumentPayload => ({ document: null, consultationRequest: current, userErrors }),
      store: (r) => ({ documentId: r.document?.id ?? null, requestId: r.consultationRequest?.id ?? null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { documentId: number | null; requestId: number | null; userErrors: UserError[] };
        return {
          document: s.documentId === null ? null : await readRow(tx, PolicyDocument, s.documentId),
          consultationRequest: s.requestId === null ? null : await readRequest(tx, s.requestId),
          userErrors: s.userErrors,
        };
      },
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const given = (input.documentId != null ? 1 : 0) + (input.document != null ? 1 : 0);
        if (given !== 1) p.add(given ? UserErrorCode.INVALID : UserErrorCode.REQUIRED, ['document'], 'Give exactly one of documentId (an existing document) and document (a new one)');
        const documentId = v.globalId(p, ['documentId'], input.documentId, 'PolicyDocument');
        if (documentId !== null && !(await rowExists(em, 'policy_document', documentId))) p.add(UserErrorCode.NOT_FOUND, ['documentId'], 'No policy document has this id');
        const d = input.document;
        let document: { values: Row; sections: Row[] } | null = null;
        if (d) {
          const values = {
            title: v.text(p, ['document', 'title'], d.title, { max: 500, required: true }) ?? '',
            link: v.url(p, ['document', 'link'], d.link ?? null) ?? null,
            versionLabel: v.text(p, ['document', 'versionLabel'], d.versionLabel ?? null, { max: 100 }) ?? null,
            issuedOn: v.date(p, ['document', 'issuedOn'], d.issuedOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? null,
          };
          const sections = d.sections ?? [];
          if (sections.length > MAX_SECTIONS) p.add(UserErrorCode.TOO_MANY_ROWS, ['document', 'sections'], `at most ${MAX_SECTIONS} sections`);
          const seen = new Set<string>();
          const rows = sections.slice(0, MAX_SECTIONS).map((s, k) => {
            const path = ['document', 'sections', k];
            const number = v.text(p, [...path, 'number'], s.number, { max: 50, required: true }) ?? '';
            if (number && seen.has(number)) p.add(UserErrorCode.DUPLICATE, [...path, 'number'], `Section number "${number}" appears twice`);
            seen.add(number);
            return {
              number,
              heading: v.text(p, [...path, 'heading'], s.heading ?? null, { max: 500 }) ?? null,
              text: v.text(p, [...path, 'text'], s.text, { max: 50_000, required: true, multiline: true }) ?? '',
              position: k,
            };
          });
          document = { values, sections: rows };
        }
        return { requestId: requestId ?? 0, documentId, document };
      },
      work: async (w, { requestId, documentId, document }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        checkStatus(w, r, BEFORE_REPORT, ['requestId'], 'documents are added');
        let doc: PolicyDocument;
        if (documentId !== null) {
          const attached = await runQuery(w.tx, knexOf(w.tx)('consultation_request_document').select('id').where({ request_id: r.id, document_id: documentId }));
          if (attached.length) refuse(w, UserErrorCode.DUPLICATE, ['documentId'], 'This document is under review in the request already');
          doc = (await readRow(w.tx, PolicyDocument, documentId))!;
        } else {
          doc = await insertRow(w.tx, PolicyDocument, document!.values);
          if (document!.sections.length) {
            const table = w.tx.getMetadata().get(PolicyDocumentSection.name).tableName;
            await runQuery(w.tx, knexOf(w.tx)(table).insert(document!.sections.map((s) => ({ ...s, document_id: doc.id }))));
          }
          w.audit({ entityType: 'PolicyDocument', entityId: doc.id, action: 'CREATE', changes: diff(null, { ...document!.values, sections: document!.sections.length }) });
        }
        const [{ next }] = await runQuery<{ next: number }>(
          w.tx,
          knexOf(w.tx).raw('select coalesce(max(position) + 1, 0)::int as next from consultation_request_document where request_id = ?', [r.id]),
        );
        await insertRow(w.tx, ConsultationRequestDocument, { request: r.id, document: doc.id, position: next });
        const updated = await bump(w.tx, r);
        w.audit({ entityType: 'ConsultationRequest', entityId: r.id, action: 'ATTACH', changes: { documentId: { old: null, new: doc.id }, documentTitle: { old: null, new: doc.title } } });
        return { document: doc, consultationRequest: updated, userErrors: [] };
      },
    });
  }

  assignAssociations(input: AssignAssociationsInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'assignAssociations',
      roles: ['ADMIN'],
      what: 'Assigning associations to a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const federationId = current?.federation.id ?? null;
        const check = async (path: Path, raw: string): Promise<Association | null> => {
          const code = normalizeText(raw);
          const a = await em.findOne(Association, { code });
          if (!a) p.add(UserErrorCode.NOT_FOUND, path, `No association has the code ${code}`);
          else if (federationId !== null && a.federation.id !== federationId) p.add(UserErrorCode.INVALID, path, `${code} does not belong to the request's federation`);
          else if (a.status === AssociationStatus.DISSOLVED) dissolved(p, path.map(String), code);
          else return a;
          return null;
        };
        const lead = input.leadAssociationCode ? await check(['leadAssociationCode'], input.leadAssociationCode) : null;
        const codes = input.contributingAssociationCodes ?? [];
        if (codes.length > MAX_CONTRIBUTORS) p.add(UserErrorCode.TOO_MANY_ROWS, ['contributingAssociationCodes'], `at most ${MAX_CONTRIBUTORS} contributors`);
        const contributors: Association[] = [];
        const seen = new Set<string>(lead ? [lead.code] : []);
        for (const [k, raw] of codes.slice(0, MAX_CONTRIBUTORS).entries()) {
          const path = ['contributingAssociationCodes', k];
          const code = normalizeText(raw);
          if (seen.has(code)) {
            p.add(UserErrorCode.DUPLICATE, path, lead?.code === code ? `${code} is the lead: it cannot also contribute` : `${code} appears twice`);
            continue;
          }
          seen.add(code);
          const a = await check(path, raw);
          if (a) contributors.push(a);
        }
        return { requestId: requestId ?? 0, lead, contributors };
      },
      work: async (w, { requestId, lead, contributors }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        if (FINAL.includes(r.status)) refuse(w, UserErrorCode.INVALID_STATE, ['requestId'], `The request is ${r.status}: a final request cannot change`);
        const before = await runQuery<{ code: string; role: AssignmentRole }>(
          w.tx,
          knexOf(w.tx)('consultation_assignment as ca').join('association as a', 'a.id', 'ca.association_id').select('a.code', 'ca.role').where('ca.request_id', r.id).orderBy('a.code'),
        );
        const old = { lead: before.find((b) => b.role === AssignmentRole.LEAD)?.code ?? null, contributors: before.filter((b) => b.role === AssignmentRole.CONTRIBUTOR).map((b) => b.code) };
        const now = { lead: lead?.code ?? null, contributors: contributors.map((c) => c.code).sort() };
        const changed = diff({ leadAssociationCode: old.lead, contributingAssociationCodes: old.contributors }, { leadAssociationCode: now.lead, contributingAssociationCodes: now.contributors });
        if (!Object.keys(changed).length) return { consultationRequest: r, userErrors: [] };
        await runQuery(w.tx, knexOf(w.tx)('consultation_assignment').where('request_id', r.id).delete());
        const rows = [...(lead ? [{ a: lead, role: AssignmentRole.LEAD }] : []), ...contributors.map((a) => ({ a, role: AssignmentRole.CONTRIBUTOR }))];
        if (rows.length) {
          const table = w.tx.getMetadata().get(ConsultationAssignment.name).tableName;
          await runQuery(w.tx, knexOf(w.tx)(table).insert(rows.map(({ a, role }) => ({ request_id: r.id, association_id: a.id, role }))));
        }
        const updated = await bump(w.tx, r);
        w.audit({ entityType: 'ConsultationRequest', entityId: r.id, action: 'ASSIGN', changes: changed });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  addPanelMember(input: AddPanelMemberInput): Promise<PanelMemberPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...this.panelPayload(),
      refused: (userErrors): PanelMemberPayload => ({ panelMember: null, consultationRequest: current, userErrors }),
      operation: 'addPanelMember',
      roles: ['ADMIN'],
      what: 'Seating a panel member',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const intellectualId = v.globalId(p, ['intellectualId'], input.intellectualId, 'Intellectual');
        if (intellectualId !== null && !(await rowExists(em, 'intellectual', intellectualId))) p.add(UserErrorCode.NOT_FOUND, ['intellectualId'], 'No person has this id');
        v.text(p, ['conflictNote'], input.conflictNote ?? null, { max: 2000 });
        if (input.conflictOfInterest === ConflictOfInterest.DECLARED)
          p.add(UserErrorCode.CONFLICT_OF_INTEREST, ['conflictOfInterest'], 'A person who declares a conflict of interest cannot sit on the panel (record it with declareConflictOfInterest)');
        return { requestId: requestId ?? 0, intellectualId: intellectualId ?? 0 };
      },
      work: async (w, { requestId, intellectualId }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        checkStatus(w, r, BEFORE_REPORT, ['requestId'], 'the panel changes');
        const knex = knexOf(w.tx);
        const [conflict] = await runQuery(w.tx, knex('consultation_conflict').select('id').where({ request_id: r.id, intellectual_id: intellectualId }));
        if (conflict) refuse(w, UserErrorCode.CONFLICT_OF_INTEREST, ['intellectualId'], 'This person declared a conflict of interest on the request: they cannot sit on its panel');
        if (await panelSeat(w.tx, r.id, intellectualId)) refuse(w, UserErrorCode.DUPLICATE, ['intellectualId'], 'This person sits on the panel already');
        if (input.role === PanelRole.CHAIR) {
          const [chair] = await runQuery(w.tx, knex('consultation_panel_member').select('id').where({ request_id: r.id, role: PanelRole.CHAIR }));
          if (chair) refuse(w, UserErrorCode.DUPLICATE, ['role'], 'The panel has a chair already (one per panel)');
        }
        const seat = await insertRow(w.tx, PanelMember, { request: r.id, intellectual: intellectualId, role: input.role });
        const updated = await bump(w.tx, r);
        w.audit({ entityType: 'PanelMember', entityId: seat.id, action: 'CREATE', changes: diff(null, { requestId: r.id, intellectualId, role: input.role }) });
        return { panelMember: seat, consultationRequest: updated, userErrors: [] };
      },
    });
  }

  removePanelMember(input: RemovePanelMemberInput): Promise<PanelMemberPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...this.panelPayload(),
      refused: (userErrors): PanelMemberPayload => ({ panelMember: null, consultationRequest: current, userErrors }),
      operation: 'removePanelMember',
      roles: ['ADMIN'],
      what: 'Removing a panel member',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const id = v.globalId(p, ['id'], input.id, 'PanelMember');
        const seat = id === null ? null : await readRow(em, PanelMember, id);
        if (id !== null && !seat) p.add(UserErrorCode.NOT_FOUND, ['id'], 'No panel seat has this id');
        if (seat) current = await readRequest(em, seat.request.id);
        return { id: id ?? 0, requestId: seat?.request.id ?? 0 };
      },
      work: async (w, { id, requestId }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        // Under the request's lock: the seat cannot go between this read and the delete.
        const seat = await readRow(w.tx, PanelMember, id);
        if (!seat) refuse(w, UserErrorCode.NOT_FOUND, ['id'], 'No panel seat has this id');
        checkStatus(w, r, BEFORE_REPORT, ['id'], 'the panel changes');
        await runQuery(w.tx, knexOf(w.tx)('consultation_panel_member').where('id', id).delete());
        const updated = await bump(w.tx, r);
        w.audit({ entityType: 'PanelMember', entityId: id, action: 'DELETE', changes: diff({ requestId: r.id, intellectualId: seat.intellectual.id, role: seat.role }, { requestId: null, intellectualId: null, role: null }) });
        return { panelMember: null, consultationRequest: updated, userErrors: [] };
      },
    });
  }

  declareConflict(input: DeclareConflictOfInterestInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'declareConflictOfInterest',
      roles: ['ADMIN'],
      what: 'Recording a conflict of interest',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const intellectualId = v.globalId(p, ['intellectualId'], input.intellectualId, 'Intellectual');
        if (intellectualId !== null && !(await rowExists(em, 'intellectual', intellectualId))) p.add(UserErrorCode.NOT_FOUND, ['intellectualId'], 'No person has this id');
        const note = v.text(p, ['note'], input.note, { max: 2000, required: true, multiline: true }) ?? '';
        return { requestId: requestId ?? 0, intellectualId: intellectualId ?? 0, note };
      },
      work: async (w, { requestId, intellectualId, note }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        checkStatus(w, r, BEFORE_REPORT, ['requestId'], 'conflicts of interest are recorded');
        if (await panelSeat(w.tx, r.id, intellectualId))
          refuse(w, UserErrorCode.INVALID_STATE, ['intellectualId'], 'This person sits on the panel: remove the seat (removePanelMember) before recording the conflict');
        const [declared] = await runQuery(w.tx, knexOf(w.tx)('consultation_conflict').select('id').where({ request_id: r.id, intellectual_id: intellectualId }));
        if (declared) refuse(w, UserErrorCode.DUPLICATE, ['intellectualId'], 'This person declared a conflict on the request already');
        const c = await insertRow(w.tx, ConsultationConflict, { request: r.id, intellectual: intellectualId, note, declaredAt: new Date() });
        const updated = await bump(w.tx, r);
        w.audit({ entityType: 'ConsultationRequest', entityId: r.id, action: 'CONFLICT_DECLARED', changes: diff(null, { conflictId: c.id, intellectualId, note }) });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  transition(input: TransitionConsultationRequestInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'transitionConsultationRequest',
      roles: ['ADMIN'],
      what: 'Moving a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['id'], input.id);
        const id = current?.id ?? null;
        const note = v.text(p, ['note'], input.note ?? null, { max: 2000, multiline: true }) ?? null;
        return { id: id ?? 0, note };
      },
      work: async (w, { id, note }) => {
        // The row lock: two moves of one request run one after the other, and the second sees the first.
        const r = (current = (await readRequest(w.tx, id, 'update'))!);
        checkVersion(w, 'request', r.version, input.expectedVersion);
        const from = r.status;
        const to = input.to;
        const allowed = TRANSITIONS[from];
        if (!allowed.includes(to)) {
          const next = allowed.length ? allowed.join(', ') : `none (${from} is final)`;
          refuse(w, UserErrorCode.INVALID_TRANSITION, ['to'], `A request in ${from} cannot move to ${to}; allowed next statuses: ${next}`);
        }
        const knex = knexOf(w.tx);
        const report = await runQuery<{ id: number; response_received_on: string | null; submitted_on: string | null }>(
          w.tx,
          knex('consultation_report').select('id', 'response_received_on', 'submitted_on').where('request_id', r.id),
        );
        const p = new Problems();
        if (to === ConsultationStatus.PANEL_FORMED) {
          const [chair] = await runQuery(w.tx, knex('consultation_panel_member').select('id').where({ request_id: r.id, role: PanelRole.CHAIR }));
          if (!chair) p.add(UserErrorCode.PANEL_INCOMPLETE, ['to'], 'The panel has no chair: seat one (addPanelMember with role CHAIR) first');
        } else if (to === ConsultationStatus.IN_REVIEW) {
          const [doc] = await runQuery(w.tx, knex('consultation_request_document').select('id').where('request_id', r.id).limit(1));
          if (!doc) p.add(UserErrorCode.DOCUMENT_REQUIRED, ['to'], 'The request has no document under review: add one (addPolicyDocument) first');
        } else if (to === ConsultationStatus.REPORT_SUBMITTED) {
          if (!report.length) p.add(UserErrorCode.REPORT_REQUIRED, ['to'], 'The request has no report: write it (submitReport) first');
        } else if (to === ConsultationStatus.RESPONSE_RECEIVED) {
          if (!report[0]?.response_received_on) p.add(UserErrorCode.RESPONSE_REQUIRED, ['to'], "The agency's response is not recorded: record it (recordAgencyResponse) first");
        }
        const closingUnanswered = from === ConsultationStatus.REPORT_SUBMITTED && to === ConsultationStatus.CLOSED;
        if ((NOTE_NEEDED.includes(to) || closingUnanswered) && !note)
          p.add(UserErrorCode.NOTE_REQUIRED, ['note'], closingUnanswered ? 'Closing without the agency’s response needs a note saying why' : `Moving to ${to} needs a note saying why`);
        if (p.any) w.refuse(p);
        // The report's date, when it was left open, is the day it goes out.
        if (to === ConsultationStatus.REPORT_SUBMITTED && !report[0].submitted_on)
          await runQuery(w.tx, knex('consultation_report').update({ submitted_on: v.todayInVietnam() }).where('id', report[0].id));
        const updated = await bump(w.tx, r, { status: to });
        await historyRow(w, r.id, from, to, note);
        w.audit({ entityType: 'ConsultationRequest', entityId: r.id, action: 'TRANSITION', changes: { status: { old: from, new: to }, ...(note ? { note: { old: null, new: note } } : {}) } });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  submitReport(input: SubmitReportInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'submitReport',
      roles: ['ADMIN'],
      what: 'Writing the report of a consultation request',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const summary = v.text(p, ['summary'], input.summary, { max: 20_000, required: true, multiline: true }) ?? '';
        const submittedOn = v.date(p, ['submittedOn'], input.submittedOn ?? null, current ? { min: current.receivedOn } : {}) ?? null;
        const link = v.url(p, ['link'], input.link ?? null) ?? null;
        const list = input.recommendations ?? [];
        if (!list.length) p.add(UserErrorCode.REQUIRED, ['recommendations'], 'A report has at least one recommendation');
        if (list.length > MAX_RECOMMENDATIONS) p.add(UserErrorCode.TOO_MANY_ROWS, ['recommendations'], `at most ${MAX_RECOMMENDATIONS} recommendations`);
        const known = current ? await requestSections(em, current.id) : null;
        const recommendations = list.slice(0, MAX_RECOMMENDATIONS).map((rec, k) => ({
          number: k + 1,
          text: v.text(p, ['recommendations', k, 'text'], rec.text, { max: 10_000, required: true, multiline: true }) ?? '',
          section_id: known ? sectionOf(p, ['recommendations', k, 'section'], rec.section, known) : null,
        }));
        return { requestId: requestId ?? 0, summary, submittedOn, link, recommendations };
      },
      work: async (w, { requestId, summary, submittedOn, link, recommendations }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        checkStatus(w, r, [ConsultationStatus.PANEL_FORMED, ConsultationStatus.IN_REVIEW], ['requestId'], 'the report is written');
        const knex = knexOf(w.tx);
        const [old] = await runQuery<{ id: number; summary: string; submitted_on: string | null; link: string | null }>(w.tx, knex('consultation_report').select('*').where('request_id', r.id));
        const oldRecs = await runQuery<{ text: string }>(w.tx, knex('consultation_recommendation').select('text').where('request_id', r.id).orderBy('number'));
        const values = { summary, submittedOn, link };
        if (old) await updateRow(w.tx, ConsultationReport, old.id, values);
        // Not insertRow: the report's request is a one-to-one relation, which insertRow does not write.
        else await runQuery(w.tx, knex('consultation_report').insert({ request_id: r.id, summary, submitted_on: submittedOn, link }));
        await runQuery(w.tx, knex('consultation_recommendation').where('request_id', r.id).delete());
        const table = w.tx.getMetadata().get(Recommendation.name).tableName;
        await runQuery(w.tx, knex(table).insert(recommendations.map((rec) => ({ ...rec, request_id: r.id }))));
        const updated = await bump(w.tx, r);
        w.audit({
          entityType: 'ConsultationRequest',
          entityId: r.id,
          action: 'REPORT',
          changes: diff(
            old ? { summary: old.summary, submittedOn: old.submitted_on, link: old.link, recommendations: oldRecs.map((x) => x.text) } : null,
            { ...values, recommendations: recommendations.map((x) => x.text) },
          ),
        });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  recordResponse(input: RecordAgencyResponseInput): Promise<ConsultationRequestPayload> {
    let current: ConsultationRequest | null = null;
    return runMutation(this.em, this.viewer, {
      ...REQUEST_PAYLOAD,
      refused: (userErrors) => ({ consultationRequest: current, userErrors }),
      operation: 'recordAgencyResponse',
      roles: ['ADMIN'],
      what: "Recording the agency's response",
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedRequest(p, em, ['requestId'], input.requestId);
        const requestId = current?.id ?? null;
        const receivedOn = v.date(p, ['receivedOn'], input.receivedOn, { notFuture: true, min: '1900-01-01' }) ?? null;
        if (!receivedOn && !p.list.some((e) => e.field[0] === 'receivedOn')) p.add(UserErrorCode.REQUIRED, ['receivedOn'], 'receivedOn is required');
        const note = v.text(p, ['note'], input.note ?? null, { max: 10_000, multiline: true }) ?? null;
        if ((input.outcomes ?? []).length > MAX_RECOMMENDATIONS) p.add(UserErrorCode.TOO_MANY_ROWS, ['outcomes'], `at most ${MAX_RECOMMENDATIONS} outcomes`);
        return { requestId: requestId ?? 0, receivedOn: receivedOn ?? '', note };
      },
      work: async (w, { requestId, receivedOn, note }) => {
        const r = (current = (await readRequest(w.tx, requestId, 'update'))!);
        checkStatus(w, r, [ConsultationStatus.REPORT_SUBMITTED], ['requestId'], "the agency's response is recorded");
        const knex = knexOf(w.tx);
        const [report] = await runQuery<{ id: number; submitted_on: string | null; response_received_on: string | null; response_overall: string | null; response_note: string | null }>(
          w.tx,
          knex('consultation_report').select('*').where('request_id', r.id),
        );
        const recs = await runQuery<{ id: number; number: number; outcome: string | null }>(w.tx, knex('consultation_recommendation').select('id', 'number', 'outcome').where('request_id', r.id).orderBy('number'));
        const byNumber = new Map(recs.map((x) => [Number(x.number), x]));
        const p = new Problems();
        if (report.submitted_on && receivedOn < report.submitted_on)
          p.add(UserErrorCode.INVALID_DATE, ['receivedOn'], `receivedOn ${receivedOn} is before the report was submitted (${report.submitted_on})`);
        const given = new Map<number, string>();
        input.outcomes.forEach((o, k) => {
          if (!byNumber.has(o.number)) p.add(UserErrorCode.NOT_FOUND, ['outcomes', k, 'number'], `The report has no recommendation ${o.number}`);
          else if (given.has(o.number)) p.add(UserErrorCode.DUPLICATE, ['outcomes', k, 'number'], `Recommendation ${o.number} has an outcome already in this input`);
          else given.set(o.number, o.outcome);
        });
        const missing = recs.map((x) => Number(x.number)).filter((n) => !given.has(n));
        if (missing.length) p.add(UserErrorCode.REQUIRED, ['outcomes'], `No outcome for recommendation${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: each needs one`);
        if (p.any) w.refuse(p);
        await updateRow(w.tx, ConsultationReport, report.id, { responseReceivedOn: receivedOn, responseOverall: input.overall, responseNote: note });
        await runQuery(
          w.tx,
          knex.raw(
            `update consultation_recommendation r set outcome = x.outcome from unnest(?::int[], ?::text[]) as x(number, outcome) where r.request_id = ? and r.number = x.number`,
            [`{${[...given.keys()].join(',')}}`, `{${[...given.values()].join(',')}}`, r.id],
          ),
        );
        const updated = await bump(w.tx, r);
        w.audit({
          entityType: 'ConsultationRequest',
          entityId: r.id,
          action: 'RESPONSE',
          changes: diff(
            { receivedOn: report.response_received_on, overall: report.response_overall, note: report.response_note, outcomes: recs.map((x) => x.outcome) },
            { receivedOn, overall: input.overall, note, outcomes: recs.map((x) => given.get(Number(x.number))) },
          ),
        });
        return { consultationRequest: updated, userErrors: [] };
      },
    });
  }

  submitOpinion(input: SubmitOpinionInput): Promise<OpinionPayload> {
    return runMutation(this.em, this.viewer, {
      ...OPINION_PAYLOAD,
      operation: 'submitOpinion',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Submitting an opinion',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const requestId = v.globalId(p, ['requestId'], input.requestId, 'ConsultationRequest');
        let association: Association | null = null;
        if (this.viewer.role === 'ASSOCIATION') {
          association = await em.findOne(Association, { id: this.viewer.associationId! });
          if (input.associationCode != null && normalizeText(input.associationCode) !== association?.code)
            throw forbidden('An ASSOCIATION key submits opinions as its own association only (associationCode is for ADMIN)');
          if (requestId !== null) await requireInvolved(em, this.viewer, requestId);
        } else {
          if (requestId !== null && !(await rowExists(em, 'consultation_request', requestId))) p.add(UserErrorCode.NOT_FOUND, ['requestId'], 'No consultation request has this id');
          if (input.associationCode != null) {
            const code = normalizeText(input.associationCode);
            association = await em.findOne(Association, { code });
            if (!association) p.add(UserErrorCode.NOT_FOUND, ['associationCode'], `No association has the code ${code}`);
          } else if (input.authorId == null) {
            p.add(UserErrorCode.REQUIRED, ['associationCode'], "Whose opinion: give associationCode (an association's own) or authorId (a panel member's)");
          }
        }
        const authorId = v.globalId(p, ['authorId'], input.authorId, 'Intellectual');
        if (authorId !== null && !(await rowExists(em, 'intellectual', authorId))) p.add(UserErrorCode.NOT_FOUND, ['authorId'], 'No person has this id');
        const text = v.text(p, ['text'], input.text, { max: 20_000, required: true, multiline: true }) ?? '';
        const known = requestId !== null && input.section ? await requestSections(em, requestId) : null;
        const sectionId = known ? sectionOf(p, ['section'], input.section, known) : null;
        return { requestId: requestId ?? 0, association, authorId, text, sectionId };
      },
      work: async (w, { requestId, association, authorId, text, sectionId }) => {
        // Shared: a move out of IN_REVIEW (which locks the row for update) waits for this opinion, or this for it.
        const r = (await readRequest(w.tx, requestId, 'share'))!;
        await requireInvolved(w.tx, w.viewer, r.id);
        if (r.status !== ConsultationStatus.IN_REVIEW) refuse(w, UserErrorCode.REVIEW_CLOSED, ['requestId'], `The request is ${r.status}: opinions are taken only while it is IN_REVIEW`);
        const knex = knexOf(w.tx);
        const p = new Problems();
        if (association && authorId === null && !(await isInvolved(w.tx, r.id, association.id)))
          p.add(UserErrorCode.INVALID, ['associationCode'], `${association.code} is neither assigned to the request nor has a member on its panel`);
        if (authorId !== null) {
          if (!(await panelSeat(w.tx, r.id, authorId))) p.add(UserErrorCode.NOT_ON_PANEL, ['authorId'], "This person does not sit on the request's panel");
          if (association && !(await isCurrentMember(w.tx, authorId, association.id)))
            p.add(UserErrorCode.NOT_A_MEMBER, ['authorId'], `This person is not a current member of ${association.code}`);
        }
        if (p.any) w.refuse(p);
        const [dup] = await runQuery(
          w.tx,
          authorId !== null
            ? knex('consultation_opinion').select('id').where({ request_id: r.id, intellectual_id: authorId })
            : knex('consultation_opinion').select('id').where({ request_id: r.id, association_id: association!.id }).whereNull('intellectual_id'),
        );
        if (dup) duplicateOpinion(w, authorId !== null);
        const o = await insertRow(w.tx, Opinion, { request: r.id, association: association?.id ?? null, author: authorId, stance: input.stance, text, section: sectionId });
        w.audit({
          entityType: 'Opinion',
          entityId: o.id,
          action: 'CREATE',
          associationCode: association?.code ?? null,
          changes: diff(null, { requestId: r.id, authorId, stance: o.stance, text, sectionId }),
        });
        return { opinion: o, userErrors: [] };
      },
      // Two calls for the same opinion at once: the unique index decides.
      onUniqueViolation: (p) => p.add(UserErrorCode.DUPLICATE, [input.authorId ? 'authorId' : 'requestId'], 'This opinion exists already: edit it with updateOpinion'),
    });
  }

  updateOpinion(input: UpdateOpinionInput): Promise<OpinionPayload> {
    let current: Opinion | null = null;
    return runMutation(this.em, this.viewer, {
      ...OPINION_PAYLOAD,
      refused: (userErrors) => ({ opinion: current, userErrors }),
      operation: 'updateOpinion',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Editing an opinion',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const id = v.globalId(p, ['id'], input.id, 'Opinion');
        const o = id === null ? null : await readRow(em, Opinion, id);
        if (this.viewer.role === 'ASSOCIATION' && id !== null) {
          // Another association's opinion, one of a request it may not see, and none at all answer alike.
          if (!o || !OpinionPolicy.canWrite(this.viewer, o)) throw forbidden("This key may edit only its own association's opinions");
          await requireInvolved(em, this.viewer, o.request.id);
        }
        if (id !== null && !o) p.add(UserErrorCode.NOT_FOUND, ['id'], 'No opinion has this id');
        current = o;
        const changes: Partial<Record<'stance' | 'text' | 'section', unknown>> = {};
        if (input.stance !== undefined) changes.stance = required(p, ['stance'], input.stance);
        if (input.text !== undefined) changes.text = v.text(p, ['text'], input.text, { max: 20_000, required: true, multiline: true }) ?? undefined;
        if (input.section !== undefined) changes.section = o && input.section ? sectionOf(p, ['section'], input.section, await requestSections(em, o.request.id)) : null;
        return { id: id ?? 0, requestId: o?.request.id ?? 0, changes };
      },
      work: async (w, { id, requestId, changes }) => {
        const r = (await readRequest(w.tx, requestId, 'share'))!;
        const o = (current = (await readRow(w.tx, Opinion, id, 'update'))!);
        await requireInvolved(w.tx, w.viewer, r.id);
        if (r.status !== ConsultationStatus.IN_REVIEW) refuse(w, UserErrorCode.REVIEW_CLOSED, ['id'], `The request is ${r.status}: opinions change only while it is IN_REVIEW`);
        checkVersion(w, 'opinion', o.version, input.expectedVersion);
        const before = { stance: o.stance, text: o.text, sectionId: o.section?.id ?? null };
        const after = {
          stance: (changes.stance as string | undefined) ?? o.stance,
          text: (changes.text as string | undefined) ?? o.text,
          sectionId: changes.section !== undefined ? (changes.section as number | null) : before.sectionId,
        };
        const changed = diff(before, after);
        if (!Object.keys(changed).length) return { opinion: o, userErrors: [] };
        // The text being replaced is kept: revision n is the text of version n.
        await insertRow(w.tx, OpinionRevision, { opinion: o.id, revision: o.version, stance: o.stance, text: o.text, section: before.sectionId, writtenAt: o.updatedAt });
        const updated = await updateRow(w.tx, Opinion, o.id, { stance: after.stance, text: after.text, section: after.sectionId, version: o.version + 1, updatedAt: new Date() });
        const [assoc] = o.association ? await runQuery<{ code: string }>(w.tx, knexOf(w.tx)('association').select('code').where('id', o.association.id)) : [];
        w.audit({ entityType: 'Opinion', entityId: o.id, action: 'UPDATE', associationCode: assoc?.code ?? null, changes: changed });
        return { opinion: updated, userErrors: [] };
      },
    });
  }

  /** What the panel payloads share: how a replay finds the records again. */
  private panelPayload() {
    return {
      store: (r: PanelMemberPayload) => ({ panelMemberId: r.panelMember?.id ?? null, requestId: r.consultationRequest?.id ?? null, userErrors: r.userErrors }),
      restore: async (stored: unknown, tx: EntityManager): Promise<PanelMemberPayload> => {
        const s = stored as { panelMemberId: number | null; requestId: number | null; userErrors: UserError[] };
        return {
          panelMember: s.panelMemberId === null ? null : await readRow(tx, PanelMember, s.panelMemberId),
          consultationRequest: s.requestId === null ? null : await readRequest(tx, s.requestId),
          userErrors: s.userErrors,
        };
      },
    };
  }
}

function duplicateOpinion(w: MutationWork, member: boolean): never {
  return refuse(
    w,
    UserErrorCode.DUPLICATE,
    [member ? 'authorId' : 'requestId'],
    member ? "This panel member's opinion on the request exists already: edit it with updateOpinion" : "This association's opinion on the request exists already: edit it with updateOpinion",
  );
}

const OPINION_PAYLOAD = {
  refused: (userErrors: UserError[]): OpinionPayload => ({ opinion: null, userErrors }),
  store: (r: OpinionPayload) => ({ opinionId: r.opinion?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<OpinionPayload> => {
    const s = stored as { opinionId: number | null; userErrors: UserError[] };
    return { opinion: s.opinionId === null ? null : await readRow(tx, Opinion, s.opinionId), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, OpinionPayload>>;
