import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { LegalDocument } from '../../common/legal-document';
import { runMutation } from '../../common/mutation';
import { insertRow } from '../../common/sql';
import { UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { diff } from '../audit/audit.service';
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

  create(input: CreateFederationInput): Promise<FederationPayload> {
    return runMutation(this.em, this.viewer, {
      operation: 'createFederation',
      roles: ['ADMIN'],
      what: 'Creating a federation',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): FederationPayload => ({ federation: null, userErrors }),
      store: (r) => ({ federationId: r.federation?.id ?? null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { federationId: number | null; userErrors: FederationPayload['userErrors'] };
        return { federation: s.federationId === null ? null : await tx.findOne(Federation, { id: s.federationId }), userErrors: s.userErrors };
      },
      validate: async (p, em) => {
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
        const parent = input.parentCode ? await em.findOne(Federation, { code: input.parentCode }) : null;
        if (input.parentCode && !parent) p.add(UserErrorCode.NOT_FOUND, ['parentCode'], `No federation has the code ${input.parentCode}`);
        if (code && (await em.count(Federation, { code }))) p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `A federation with the code ${code} exists already`);
        return { values, level: level as FederationLevel, decision, parentId: parent?.id ?? null };
      },
      work: async (w, { values, level, decision, parentId }) => {
        // SQL, not the unit of work (see common/transaction.ts).
        const f = await insertRow(w.tx, Federation, { ...values, level, foundingDecision: decision, parent: parentId });
        w.audit({ entityType: 'Federation', entityId: f.id, action: 'CREATE', changes: diff(null, { ...values, level, parentCode: input.parentCode ?? null }) });
        return { federation: f, userErrors: [] };
      },
      onUniqueViolation: (p) => p.add(UserErrorCode.ALREADY_EXISTS, ['code'], `A federation with the code ${input.code} exists already`),
    });
  }
}
