import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, requireRole, requireWriteAccess, Viewer } from '../../common/auth';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { AuditService, diff } from '../audit/audit.service';
import { Federation } from '../federation/federation.entity';
import { Association } from './association.entity';
import { Charter, Contact } from './association.embeddables';
import { AssociationStatus } from './association.enums';
import { CharterInput, ContactInput, CreateAssociationInput, SetAssociationStatusInput, UpdateAssociationProfileInput } from './association-write.inputs';

export interface AssociationResult {
  association: Association | null;
  userErrors: UserError[];
}

const CODE_RE = /^[A-Z0-9][A-Z0-9-]{1,39}$/;

class Refusal {
  constructor(readonly payload: AssociationResult) {}
}

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

/** Writes to associations: their own profile (version-guarded), and ADMIN's create and status changes. */
export class AssociationWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private async refusable(fn: (tx: EntityManager) => Promise<AssociationResult>): Promise<AssociationResult> {
    try {
      return await this.em.transactional(fn);
    } catch (e) {
      if (e instanceof Refusal) return e.payload;
      throw e;
    }
  }

  private static refuse(association: Association | null, code: UserErrorCode, field: string[], message: string): Refusal {
    const p = new Problems();
    p.add(code, field, message);
    return new Refusal({ association, userErrors: p.list });
  }

  async updateProfile(input: UpdateAssociationProfileInput): Promise<AssociationResult> {
    requireRole(this.viewer, ['ADMIN', 'ASSOCIATION'], 'Changing an association');
    const current = await this.em.findOne(Association, { code: input.code });
    if (!current) {
      if (this.viewer.role !== 'ADMIN') throw forbidden(`This key may not write to association ${input.code}`);
      return AssociationWriteService.refuse(null, UserErrorCode.NOT_FOUND, ['code'], `No association has the code ${input.code}`).payload;
    }
    requireWriteAccess(this.viewer, current.id, current.code);

    const p = new Problems();
    const changes: Partial<Association> = {};
    if (input.name !== undefined) changes.name = v.text(p, ['name'], input.name, { max: 300, required: true }) ?? undefined;
    if (input.nameEn !== undefined) changes.nameEn = v.text(p, ['nameEn'], input.nameEn, { max: 300 }) ?? null;
    if (input.shortName !== undefined) changes.shortName = v.text(p, ['shortName'], input.shortName, { max: 100 }) ?? null;
    if (input.fields !== undefined) changes.fields = v.fieldCodes(p, ['fields'], input.fields) ?? [];
    const charter = charterChanges(p, ['charter'], input.charter);
    const contact = contactChanges(p, ['contact'], input.contact);
    if (p.any) return { association: current, userErrors: p.list };

    return this.refusable(async (tx) => {
      const a = await tx.findOneOrFail(Association, { id: current.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (a.version !== input.expectedVersion) {
        throw AssociationWriteService.refuse(a, UserErrorCode.CONFLICT, ['expectedVersion'], `The association is at version ${a.version}, not ${input.expectedVersion}: read it again and retry`);
      }
      const before = snapshot(a);
      Object.assign(a, changes);
      a.charter = Object.assign(new Charter(), a.charter, charter);
      a.contact = Object.assign(new Contact(), a.contact, contact);
      const changed = diff(before, snapshot(a));
      if (Object.keys(changed).length) {
        await tx.flush(); // the version column moves on by itself
        await new AuditService(tx, this.viewer).record([{ entityType: 'Association', entityId: a.id, action: 'UPDATE', associationCode: a.code, changes: changed }]);
      }
      return { association: a, userErrors: [] };
    });
  }

  async create(input: CreateAssociationInput): Promise<AssociationResult> {
    requireRole(this.viewer, ['ADMIN'], 'Creating an association');
    const p = new Problems();
    const code = v.text(p, ['code'], input.code, { max: 40, required: true }) ?? '';
    if (code && !CODE_RE.test(code)) p.add(UserErrorCode.INVALID, ['code'], 'code must be 2 to 40 capital letters, digits and dashes, starting with a letter or digit');
    const name = v.text(p, ['name'], input.name, { max: 300, required: true }) ?? '';
    const nameEn = v.text(p, ['nameEn'], input.nameEn ?? null, { max: 300 }) ?? null;
    const shortName = v.text(p, ['shortName'], input.shortName ?? null, { max: 100 }) ?? null;
    const fields = v.fieldCodes(p, ['fields'], input.fields ?? []) ?? [];
    const joinedOn = v.date(p, ['joinedOn'], input.joinedOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? null;
    const charter = charterChanges(p, ['charter'], input.charter);
    const contact = contactChanges(p, ['contact'], input.contact);
    const federation = await this.em.findOne(Federation, { code: input.federationCode });
    if (!federation) p.add(UserErrorCode.NOT_FOUND, ['federationCode'], `No federation has the code ${input.federationCode}`);
    if (code && (await this.em.count(Association, { code }))) p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `An association with the code ${code} exists already`);
    if (p.any) return { association: null, userErrors: p.list };

    try {
      return await this.refusable(async (tx) => {
        const a = tx.create(Association, {
          code,
          name,
          nameEn,
          shortName,
          fields,
          joinedOn,
          federation: tx.getReference(Federation, federation!.id),
          charter: Object.assign(new Charter(), charter),
          contact: Object.assign(new Contact(), contact),
        });
        await tx.flush();
        await new AuditService(tx, this.viewer).record([{ entityType: 'Association', entityId: a.id, action: 'CREATE', associationCode: a.code, changes: diff(null, snapshot(a)) }]);
        return { association: a, userErrors: [] };
      });
    } catch (e) {
      // Two admins creating the same code at once: the unique index decides.
      if (e instanceof UniqueConstraintViolationException) {
        return AssociationWriteService.refuse(null, UserErrorCode.ALREADY_EXISTS, ['code'], `An association with the code ${code} exists already`).payload;
      }
      throw e;
    }
  }

  async setStatus(input: SetAssociationStatusInput): Promise<AssociationResult> {
    requireRole(this.viewer, ['ADMIN'], 'Changing the status of an association');
    const p = new Problems();
    const status = v.enumValue(p, ['status'], input.status, AssociationStatus);
    if (!status && !p.any) p.add(UserErrorCode.REQUIRED, ['status'], 'status is required');
    const reason = v.text(p, ['reason'], input.reason ?? null, { max: 500 }) ?? null;
    const current = await this.em.findOne(Association, { code: input.code });
    if (!current) p.add(UserErrorCode.NOT_FOUND, ['code'], `No association has the code ${input.code}`);
    if (p.any || !current || !status) return { association: current, userErrors: p.list };

    return this.refusable(async (tx) => {
      const a = await tx.findOneOrFail(Association, { id: current.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (a.status === status) return { association: a, userErrors: [] };
      if (a.status === AssociationStatus.DISSOLVED) {
        throw AssociationWriteService.refuse(a, UserErrorCode.INVALID_STATE, ['status'], `${a.code} is dissolved; its status cannot change`);
      }
      const before = a.status;
      a.status = status;
      await tx.flush();
      await new AuditService(tx, this.viewer).record([
        { entityType: 'Association', entityId: a.id, action: 'STATUS', associationCode: a.code, changes: { status: { old: before, new: status }, ...(reason ? { reason: { old: null, new: reason } } : {}) } },
      ]);
      return { association: a, userErrors: [] };
    });
  }
}
