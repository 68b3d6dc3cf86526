import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireRole, Viewer } from '../../common/auth';
import { LegalDocument } from '../../common/legal-document';
import { Problems, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { AuditService, diff } from '../audit/audit.service';
import { Federation } from './federation.entity';
import { FederationLevel } from './federation.enums';
import { CreateFederationInput } from './federation-write.inputs';
import { FederationPayload } from './federation-write.types';

const CODE_RE = /^[A-Z0-9][A-Z0-9-]{1,39}$/;

export class FederationWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  async create(input: CreateFederationInput): Promise<FederationPayload> {
    requireRole(this.viewer, ['ADMIN'], 'Creating a federation');
    const p = new Problems();
    const code = v.text(p, ['code'], input.code, { max: 40, required: true }) ?? '';
    if (code && !CODE_RE.test(code)) p.add(UserErrorCode.INVALID, ['code'], 'code must be 2 to 40 capital letters, digits and dashes');
    const name = v.text(p, ['name'], input.name, { max: 300, required: true }) ?? '';
    const level = v.enumValue(p, ['level'], input.level, FederationLevel);
    if (!level && !p.list.some((e) => e.field[0] === 'level')) p.add(UserErrorCode.REQUIRED, ['level'], 'level is required');
    const d = input.foundingDecision;
    const decision = d
      ? new LegalDocument({
          number: v.text(p, ['foundingDecision', 'number'], d.number ?? null, { max: 100 }) ?? null,
          date: v.date(p, ['foundingDecision', 'date'], d.date ?? null, { notFuture: true, min: '1900-01-01' }) ?? null,
          issuer: v.text(p, ['foundingDecision', 'issuer'], d.issuer ?? null, { max: 300 }) ?? null,
          title: v.text(p, ['foundingDecision', 'title'], d.title ?? null, { max: 500 }) ?? null,
        })
      : null;
    const values = {
      code,
      name,
      nameEn: v.text(p, ['nameEn'], input.nameEn ?? null, { max: 300 }) ?? null,
      shortName: v.text(p, ['shortName'], input.shortName ?? null, { max: 100 }) ?? null,
      province: v.text(p, ['province'], input.province ?? null, { max: 100 }) ?? null,
      foundedOn: v.date(p, ['foundedOn'], input.foundedOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? null,
      description: v.text(p, ['description'], input.description ?? null, { max: 10_000 }) ?? null,
    };
    const parent = input.parentCode ? await this.em.findOne(Federation, { code: input.parentCode }) : null;
    if (input.parentCode && !parent) p.add(UserErrorCode.NOT_FOUND, ['parentCode'], `No federation has the code ${input.parentCode}`);
    if (code && (await this.em.count(Federation, { code }))) p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `A federation with the code ${code} exists already`);
    if (p.any || !level) return { federation: null, userErrors: p.list };
    try {
      return await this.em.transactional(async (tx) => {
        const f = tx.create(Federation, { ...values, level, foundingDecision: decision, parent: parent ? tx.getReference(Federation, parent.id) : null });
        await tx.flush();
        await new AuditService(tx, this.viewer).record([
          { entityType: 'Federation', entityId: f.id, action: 'CREATE', changes: diff(null, { ...values, level, parentCode: input.parentCode ?? null }) },
        ]);
        return { federation: f, userErrors: [] };
      });
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) {
        const r = new Problems();
        r.add(UserErrorCode.ALREADY_EXISTS, ['code'], `A federation with the code ${code} exists already`);
        return { federation: null, userErrors: r.list };
      }
      throw e;
    }
  }
}
