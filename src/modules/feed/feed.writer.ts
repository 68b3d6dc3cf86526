import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import type { ChangeScope } from '../../common/module';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import type { AuditRecord, Changes } from '../audit/audit.service';

/** What a change did to its Node. */
export type ChangeKindValue = 'CREATED' | 'UPDATED' | 'ENDED' | 'DELETED';

/** A record as written (and as published once its transaction has committed). */
export interface ChangeRecord {
  id: string;
  xid: string;
  entityType: string;
  entityId: number;
  kind: ChangeKindValue;
  associationCode: string | null;
  federationCode: string | null;
  at: Date;
}

const scopes = new Map<string, ChangeScope>();

/** Filled by src/modules/index.ts from the modules' `changeScopes`, before any write. */
export function defineChangeScopes(entries: Iterable<[string, ChangeScope]>): void {
  for (const [type, scope] of entries) scopes.set(type, scope);
}

/** Audit actions that end their entity (it stays readable) and that remove it. */
const ENDING = new Set(['END', 'SEAT_ENDED', 'FEDERATION_MERGED']);
const REMOVING = new Set(['DELETE']);

/** One change record to write: a Node the audit events named, and the changes of its removal (for its scope). */
export interface PendingChange {
  entityType: string;
  entityId: number;
  kind: ChangeKindValue;
  /** The audit changes of the event that removed it (DELETED only): where it sat, once its row is gone. */
  removed: Changes | null;
}

/**
 * One record per (type, id) the events touched: CREATED when it was created in this transaction
 * (DELETED if it was removed again), else DELETED, ENDED or UPDATED by the strongest of its
 * actions. In the order first touched.
 */
export function changesOf(events: readonly AuditRecord[]): PendingChange[] {
  const byKey = new Map<string, PendingChange>();
  const rank: Record<ChangeKindValue, number> = { UPDATED: 0, ENDED: 1, DELETED: 2, CREATED: 3 };
  for (const e of events) {
    const kind: ChangeKindValue = e.action === 'CREATE' ? 'CREATED' : REMOVING.has(e.action) ? 'DELETED' : ENDING.has(e.action) ? 'ENDED' : 'UPDATED';
    const removed = kind === 'DELETED' ? e.changes : null;
    const key = `${e.entityType}:${e.entityId}`;
    const had = byKey.get(key);
    if (!had) byKey.set(key, { entityType: e.entityType, entityId: e.entityId, kind, removed });
    else if (kind === 'DELETED') {
      // Created then removed in one transaction: nothing for a reader to load; it reads DELETED.
      had.kind = 'DELETED';
      had.removed = removed;
    } else if (had.kind !== 'CREATED' && had.kind !== 'DELETED' && rank[kind] > rank[had.kind]) had.kind = kind;
  }
  return [...byKey.values()];
}

/**
 * Adds the change records of a write's audit events, in the write's transaction: one statement,
 * which finds each record's association and federation from the Node's own row, as its module's
 * ChangeScope says (from the audit changes of its removal when the row is gone). A type without a
 * scope carries no codes: a person (Intellectual) belongs to no one association, and naming the
 * association that wrote would tell other associations where a person without a public profile
 * is a member. The audit event's own association code is not used for the same reason.
 */
export async function recordChanges(tx: EntityManager, viewer: Viewer, events: readonly AuditRecord[]): Promise<ChangeRecord[]> {
  const changes = changesOf(events);
  if (!changes.length) return [];
  const types = [...new Set(changes.map((c) => c.entityType))].filter((t) => scopes.has(t));
  // Type names and SQL come from the modules' declarations, never from a caller.
  const located = types.map((type) => {
    const s = scopes.get(type)!;
    return `select '${type}'::text as entity_type, t.id as entity_id, ${s.association ?? 'null::int'} as association_id, ${s.federation ?? 'null::int'} as federation_id
            from "${s.table}" t where t.id = any(?::int[])`;
  });
  const ids = types.map((type) => changes.filter((c) => c.entityType === type).map((c) => c.entityId));
  const removedTypes = types.filter((t) => scopes.get(t)!.removed && changes.some((c) => c.entityType === t && c.kind === 'DELETED'));
  const whenRemoved = (part: 'association' | 'federation') => {
    const arms = removedTypes.filter((t) => scopes.get(t)!.removed![part]).map((t) => `when '${t}' then ${scopes.get(t)!.removed![part]}`);
    return arms.length ? `case when x.kind = 'DELETED' then case x.entity_type ${arms.join(' ')} end end` : 'null::int';
  };
  const rows = changes.map((c, ord) => ({ ord, entity_type: c.entityType, entity_id: c.entityId, kind: c.kind, changes: removedTypes.includes(c.entityType) ? c.removed : null }));
  const sql = `
    with x as (select * from jsonb_to_recordset(?::jsonb) as x(ord int, entity_type text, entity_id int, kind text, changes jsonb)),
    s as (${located.length ? located.join(' union all ') : 'select null::text as entity_type, null::int as entity_id, null::int as association_id, null::int as federation_id where false'}),
    w as (
      select x.ord, x.entity_type, x.entity_id, x.kind,
             coalesce(s.association_id, ${whenRemoved('association')}) as association_id,
             coalesce(s.federation_id, ${whenRemoved('federation')}) as federation_id
      from x left join s on s.entity_type = x.entity_type and s.entity_id = x.entity_id
    )
    insert into change_event (entity_type, entity_id, kind, association_code, federation_code, key_id, key_label)
    select w.entity_type, w.entity_id, w.kind, a.code, f.code, ?::int, ?::text
    from w
    left join association a on a.id = w.association_id
    left join federation f on f.id = coalesce(w.federation_id, a.federation_id)
    order by w.ord
    returning id::text as id, xid::text as xid, entity_type, entity_id, kind, association_code, federation_code, at`;
  const out = await runQuery<{ id: string; xid: string; entity_type: string; entity_id: number; kind: ChangeKindValue; association_code: string | null; federation_code: string | null; at: Date }>(
    tx,
    knexOf(tx).raw(sql, [JSON.stringify(rows), ...ids.map(pgArray), viewer.keyId, viewer.keyLabel]),
  );
  return out
    .map((r) => ({ id: r.id, xid: r.xid, entityType: r.entity_type, entityId: r.entity_id, kind: r.kind, associationCode: r.association_code, federationCode: r.federation_code, at: new Date(r.at) }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
