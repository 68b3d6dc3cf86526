import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { requireRole, Viewer } from '../../common/auth';
import { Page, PageArgs, SortSpec } from '../../common/pagination';
import { scopeOfEm } from '../../common/request-scope';
import { countRows, entityPage, knexOf, runQuery } from '../../common/sql';
import { AuditEvent } from './audit-event.entity';
import { AuditEventPolicy } from './audit.policy';
import { isAuditAction, isAuditEntityType } from './audit.enums';

/** Fields whose values never enter the audit log: it records that they changed, not what to. */
export const PERSONAL_FIELDS = new Set(['email', 'phone', 'birthDate']);
export const MASK = '[masked]';

export type Changes = Record<string, { old: unknown; new: unknown }>;

export interface AuditRecord {
  /** A type name its module lists in its audit vocabulary (e.g. 'Membership'). */
  entityType: string;
  entityId: number;
  /** An action its module lists (e.g. 'END'). */
  action: string;
  associationCode?: string | null;
  changes: Changes;
}

/** old → new for every field that differs; personal data masked. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown>): Changes {
  const out: Changes = {};
  for (const [k, v] of Object.entries(after)) {
    const old = before ? (before[k] ?? null) : null;
    if (JSON.stringify(old) === JSON.stringify(v ?? null)) continue;
    out[k] = PERSONAL_FIELDS.has(k) ? { old: old === null ? null : MASK, new: v === null || v === undefined ? null : MASK } : { old, new: v ?? null };
  }
  return out;
}

export const AUDIT_SORT: SortSpec = { key: 'au', direction: 'desc', columns: [{ column: 'id', type: 'int', sql: 'e.id' }] };

export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** Adds audit events in the caller's transaction: one INSERT for any number of them. */
  async record(events: AuditRecord[]): Promise<void> {
    if (!events.length) return;
    for (const e of events) {
      // A module that records what it did not declare is a programming error: the enums would lie.
      if (!isAuditEntityType(e.entityType) || !isAuditAction(e.action)) throw new Error(`audit: ${e.entityType}/${e.action} is not in any module's audit vocabulary`);
    }
    const scope = scopeOfEm(this.em);
    const rows = events.map((e) => ({
      key_id: this.viewer.keyId,
      key_label: this.viewer.keyLabel,
      association_code: e.associationCode ?? null,
      entity_type: e.entityType,
      entity_id: e.entityId,
      action: e.action,
      changes: e.changes,
      request_id: scope?.requestId ?? null,
      client_request_id: scope?.clientRequestId ?? null,
    }));
    const knex = knexOf(this.em);
    await runQuery(
      this.em,
      knex.raw(
        `insert into audit_event (key_id, key_label, association_code, entity_type, entity_id, action, changes, request_id, client_request_id)
         select key_id, key_label, association_code, entity_type, entity_id, action, changes, request_id, client_request_id
         from jsonb_to_recordset(?::jsonb) as x(key_id int, key_label text, association_code text, entity_type text, entity_id int, action text, changes jsonb,
                                                request_id text, client_request_id text)`,
        [JSON.stringify(rows)],
      ),
    );
  }

  /** The audit log, newest first, as AuditEventPolicy allows (ADMIN, and association keys for what concerns them). */
  async list(
    filter: { associationCode?: string | null; entityType?: string | null; since?: Date | null } | null | undefined,
    args: PageArgs,
  ): Promise<{ page: Page<AuditEvent>; count: () => Promise<number> }> {
    requireRole(this.viewer, ['ADMIN', 'ASSOCIATION'], 'The audit log');
    const q: Knex.QueryBuilder = AuditEventPolicy.visible(this.viewer, knexOf(this.em)('audit_event as e').select('e.*'), 'e');
    if (filter?.associationCode) q.where('e.association_code', filter.associationCode);
    if (filter?.entityType) q.where('e.entity_type', filter.entityType);
    if (filter?.since) q.where('e.at', '>=', filter.since);
    const page = await entityPage(this.em, AuditEvent, q, AUDIT_SORT, args);
    return { page, count: () => countRows(this.em, q) };
  }
}
