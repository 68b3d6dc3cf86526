import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import type { ChangeScope } from '../../common/module';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import type { AuditRecord } from '../audit/audit.service';

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

/**
 * One record per (type, id) the events touched: CREATED when it was created in this transaction,
 * else DELETED, ENDED or UPDATED by the strongest of its actions. In the order first touched.
 */
export function changesOf(events: readonly AuditRecord[]): { entityType: string; entityId: number; kind: ChangeKindValue; associationCode: string | null }[] {
  const byKey = new Map<string, { entityType: string; entityId: number; kind: ChangeKindValue; associationCode: string | null }>();
  const rank: Record<ChangeKindValue, number> = { UPDATED: 0, ENDED: 1, DELETED: 2, CREATED: 3 };
  for (const e of events) {
    const kind: ChangeKindValue = e.action === 'CREATE' ? 'CREATED' : REMOVING.has(e.action) ? 'DELETED' : ENDING.has(e.action) ? 'ENDED' : 'UPDATED';
    const key = `${e.entityType}:${e.entityId}`;
    const had = byKey.get(key);
    if (!had) byKey.set(key, { entityType: e.entityType, entityId: e.entityId, kind, associationCode: e.associationCode ?? null });
    else {
      // Created then removed in one transaction: nothing for a reader to load; it reads DELETED.
      if (had.kind === 'CREATED' && kind === 'DELETED') had.kind = 'DELETED';
      else if (rank[kind] > rank[had.kind] && had.kind !== 'CREATED') had.kind = kind;
      had.associationCode ??= e.associationCode ?? null;
    }
  }
  return [...byKey.values()];
}

/**
 * Adds the change records of a write's audit events, in the write's transaction: one statement,
 * which finds each record's association and federation from its row (the module's ChangeScope).
 */
export async function recordChanges(tx: EntityManager, viewer: Viewer, events: readonly AuditRecord[]): Promise<ChangeRecord[]> {
  const changes = changesOf(events);
  if (!changes.length) return [];
  const types = [...new Set(changes.map((c) => c.entityType))].filter((t) => scopes.has(t));
  const located = types.map((type) => {
    const s = scopes.get(type)!;
    return `select '${type}'::text as entity_type, t.id as entity_id, ${s.association ?? 'null::int'} as association_id, ${s.federation ?? 'null::int'} as federation_id
            from "${s.table}" t where t.id = any(?::int[])`;
  });
  const ids = types.map((type) => changes.filter((c) => c.entityType === type).map((c) => c.entityId));
  const rows = changes.map((c, ord) => ({ ord, entity_type: c.entityType, entity_id: c.entityId, kind: c.kind, association_code: c.associationCode }));
  const sql = `
    with x as (select * from jsonb_to_recordset(?::jsonb) as x(ord int, entity_type text, entity_id int, kind text, association_code text)),
    s as (${located.length ? located.join(' union all ') : 'select null::text as entity_type, null::int as entity_id, null::int as association_id, null::int as federation_id where false'})
    insert into change_event (entity_type, entity_id, kind, association_code, federation_code, key_id, key_label)
    select x.entity_type, x.entity_id, x.kind, coalesce(a.code, x.association_code), f.code, ?::int, ?::text
    from x
    left join s on s.entity_type = x.entity_type and s.entity_id = x.entity_id
    left join association a on a.id = s.association_id
    left join association ax on ax.code = coalesce(a.code, x.association_code)
    left join federation f on f.id = coalesce(s.federation_id, ax.federation_id)
    order by x.ord
    returning id::text as id, xid::text as xid, entity_type, entity_id, kind, association_code, federation_code, at`;
  const out = await runQuery<{ id: string; xid: string; entity_type: string; entity_id: number; kind: ChangeKindValue; association_code: string | null; federation_code: string | null; at: Date }>(
    tx,
    knexOf(tx).raw(sql, [JSON.stringify(rows), ...ids.map(pgArray), viewer.keyId, viewer.keyLabel]),
  );
  return out
    .map((r) => ({ id: r.id, xid: r.xid, entityType: r.entity_type, entityId: r.entity_id, kind: r.kind, associationCode: r.association_code, federationCode: r.federation_code, at: new Date(r.at) }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
