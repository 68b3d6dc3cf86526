import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { MutationSpec, runMutation } from '../../common/mutation';
import { insertRow, readRow, updateRow } from '../../common/sql';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { diff } from '../audit/audit.service';
import { Federation } from '../federation/federation.entity';
import { Association } from './association.entity';
import { Charter, Contact } from './association.embeddables';
import { AssociationStatus } from './association.enums';
import { associationLock, dissolved, writableAssociation } from './association.policy';
import { CharterInput, ContactInput, CreateAssociationInput, SetAssociationStatusInput, UpdateAssociationProfileInput } from './association-write.inputs';

export interface AssociationResult {
  association: Association | null;
  userErrors: UserError[];
}

const CODE_RE = /^[A-Z0-9][A-Z0-9-]{1,39}$/;

function charterChanges(p: Problems, path: string[], c: CharterInput | null | undefined): Partial<Charter> {
  if (!c) return {};
  const out: Partial<Charter> = {};
  if (c.title !== undefined) out.title = v.text(p, [...path, 'title'], c.title, { max: 300 }) ?? null;
  if (c.approvingDecision !== undefined) out.approvingDecision = v.text(p, [...path, 'approvingDecision'], c.approvingDecision, { max: 300 }) ?? null;
  if (c.approvedOn !== undefined) out.approvedOn = v.date(p, [...path, 'approvedOn'], c.approvedOn, { notFuture: true, min: '1900-01-01' }) ?? null;
  if (c.url !== undefined) out.url = v.url(p, [...path, 'url'], c.url) ?? null;
  return out;
}

function contactChanges(p: Problems, path: string[], c: ContactInput | null | undefined): Partial<Contact> {
  if (!c) return {};
  const out: Partial<Contact> = {};
  if (c.address !== undefined) out.address = v.text(p, [...path, 'address'], c.address, { max: 500 }) ?? null;
  if (c.email !== undefined) out.email = v.email(p, [...path, 'email'], c.email) ?? null;
  if (c.phone !== undefined) out.phone = v.phone(p, [...path, 'phone'], c.phone) ?? null;
  if (c.website !== undefined) out.website = v.url(p, [...path, 'website'], c.website) ?? null;
  return out;
}

/** The public columns of an association, for audit diffs. */
function snapshot(a: Association): Record<string, unknown> {
  return {
    code: a.code,
    name: a.name,
    nameEn: a.nameEn ?? null,
    shortName: a.shortName ?? null,
    fields: a.fields,
    status: a.status,
    joinedOn: a.joinedOn ?? null,
    charter: { ...a.charter },
    contact: { ...a.contact },
  };
}

/** What every association write shares: its payload, and how a replay finds the record again. */
const ASSOCIATION_PAYLOAD = {
  refused: (userErrors: UserError[]): AssociationResult => ({ association: null, userErrors }),
  store: (r: AssociationResult) => ({ associationId: r.association?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<AssociationResult> => {
    const s = stored as { associationId: number | null; userErrors: UserError[] };
    return { association: s.associationId === null ? null : await tx.findOne(Association, { id: s.associationId }), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, AssociationResult>>;

/** The association as stored now; with `lock`, its row locked for the length of the transaction. */
async function readAssociation(tx: EntityManager, id: number, lock = false): Promise<Association> {
  return (await readRow(tx, Association, id, lock ? 'update' : undefined))!;
}

/*
 * Writes go through SQL (insertRow, updateRow), not MikroORM's unit of work: a flush
 * runs in an AsyncLocalStorage, which would slow every later request (common/transaction.ts).
 * The version moves on with every change, as the ORM's optimistic lock moves it.
 */

/** Writes to associations: their own profile (version-guarded), and ADMIN's create and status changes. */
export class AssociationWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  updateProfile(input: UpdateAssociationProfileInput): Promise<AssociationResult> {
    let current: Association | null = null;
    return runMutation(this.em, this.viewer, {
      ...ASSOCIATION_PAYLOAD,
      // A refusal shows the association as it is (CONFLICT's promise), when there is one.
      refused: (userErrors) => ({ association: current, userErrors }),
      operation: 'updateAssociationProfile',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Changing an association',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await writableAssociation(em, this.viewer, input.code, p, ['code']);
        if (!current) return null!;
        const changes: Partial<Association> = {};
        if (input.name !== undefined) changes.name = v.text(p, ['name'], input.name, { max: 300, required: true }) ?? undefined;
        if (input.nameEn !== undefined) changes.nameEn = v.text(p, ['nameEn'], input.nameEn, { max: 300 }) ?? null;
        if (input.shortName !== undefined) changes.shortName = v.text(p, ['shortName'], input.shortName, { max: 100 }) ?? null;
        if (input.fields !== undefined) changes.fields = v.fieldCodes(p, ['fields'], input.fields) ?? [];
        return { id: current.id, changes, charter: charterChanges(p, ['charter'], input.charter), contact: contactChanges(p, ['contact'], input.contact) };
      },
      work: async (w, { id, changes, charter, contact }) => {
        const a = await readAssociation(w.tx, id, true);
        current = a;
        if (a.status === AssociationStatus.DISSOLVED) {
          // Dissolved since the check above (setAssociationStatus locks the same row).
          const p = new Problems();
          dissolved(p, ['code'], a.code);
          w.refuse(p);
        }
        if (a.version !== input.expectedVersion) {
          const p = new Problems();
          p.add(UserErrorCode.CONFLICT, ['expectedVersion'], `The association is at version ${a.version}, not ${input.expectedVersion}: read it again and retry`);
          w.refuse(p);
        }
        const next = { ...changes, charter: Object.assign(new Charter(), a.charter, charter), contact: Object.assign(new Contact(), a.contact, contact) };
        const changed = diff(snapshot(a), snapshot(Object.assign(Object.create(Object.getPrototypeOf(a)), a, next)));
        if (!Object.keys(changed).length) return { association: a, userErrors: [] };
        const updated = await updateRow(w.tx, Association, id, { ...next, version: a.version + 1, updatedAt: new Date() });
        w.audit({ entityType: 'Association', entityId: a.id, action: 'UPDATE', associationCode: a.code, changes: changed });
        return { association: updated, userErrors: [] };
      },
    });
  }

  create(input: CreateAssociationInput): Promise<AssociationResult> {
    return runMutation(this.em, this.viewer, {
      ...ASSOCIATION_PAYLOAD,
      operation: 'createAssociation',
      roles: ['ADMIN'],
      what: 'Creating an association',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const code = v.text(p, ['code'], input.code, { max: 40, required: true }) ?? '';
        if (code && !CODE_RE.test(code)) p.add(UserErrorCode.INVALID, ['code'], 'code must be 2 to 40 capital letters, digits and dashes, starting with a letter or digit');
        const values = {
          code,
          name: v.text(p, ['name'], input.name, { max: 300, required: true }) ?? '',
          nameEn: v.text(p, ['nameEn'], input.nameEn ?? null, { max: 300 }) ?? null,
          shortName: v.text(p, ['shortName'], input.shortName ?? null, { max: 100 }) ?? null,
          fields: v.fieldCodes(p, ['fields'], input.fields ?? []) ?? [],
          joinedOn: v.date(p, ['joinedOn'], input.joinedOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? null,
          charter: Object.assign(new Charter(), charterChanges(p, ['charter'], input.charter)),
          contact: Object.assign(new Contact(), contactChanges(p, ['contact'], input.contact)),
        };
        const federation = await em.findOne(Federation, { code: input.federationCode });
        if (!federation) p.add(UserErrorCode.NOT_FOUND, ['federationCode'], `No federation has the code ${input.federationCode}`);
        if (code && (await em.count(Association, { code }))) p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `An association with the code ${code} exists already`);
        return { values, federationId: federation?.id ?? 0 };
      },
      work: async (w, { values, federationId }) => {
        const a = await insertRow(w.tx, Association, { ...values, federation: federationId });
        w.audit({ entityType: 'Association', entityId: a.id, action: 'CREATE', associationCode: a.code, changes: diff(null, snapshot(a)) });
        return { association: a, userErrors: [] };
      },
      // Two admins creating the same code at once: the unique index decides.
      onUniqueViolation: (p) => p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `An association with the code ${input.code} exists already`),
    });
  }

  setStatus(input: SetAssociationStatusInput): Promise<AssociationResult> {
    let current: Association | null = null;
    return runMutation(this.em, this.viewer, {
      ...ASSOCIATION_PAYLOAD,
      refused: (userErrors) => ({ association: current, userErrors }),
      operation: 'setAssociationStatus',
      roles: ['ADMIN'],
      what: 'Changing the status of an association',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const status = v.enumValue(p, ['status'], input.status, AssociationStatus);
        if (!status && !p.any) p.add(UserErrorCode.REQUIRED, ['status'], 'status is required');
        const reason = v.text(p, ['reason'], input.reason ?? null, { max: 500 }) ?? null;
        current = await em.findOne(Association, { code: input.code });
        if (!current) p.add(UserErrorCode.NOT_FOUND, ['code'], `No association has the code ${input.code}`);
        return { id: current?.id ?? 0, status: status as AssociationStatus, reason };
      },
      // Pushes to the association hold this lock: a dissolution waits for them, and they see it after.
      locks: ({ id }) => [associationLock(id)],
      work: async (w, { id, status, reason }) => {
        const a = await readAssociation(w.tx, id, true);
        current = a;
        if (a.status === status) return { association: a, userErrors: [] };
        if (a.status === AssociationStatus.DISSOLVED) {
          const p = new Problems();
          p.add(UserErrorCode.INVALID_STATE, ['status'], `${a.code} is dissolved; its status cannot change`);
          w.refuse(p);
        }
        const before = a.status;
        const updated = await updateRow(w.tx, Association, id, { status, version: a.version + 1, updatedAt: new Date() });
        w.audit({
          entityType: 'Association',
          entityId: a.id,
          action: 'STATUS',
          associationCode: a.code,
          changes: { status: { old: before, new: status }, ...(reason ? { reason: { old: null, new: reason } } : {}) },
        });
        return { association: updated, userErrors: [] };
      },
    });
  }
}
