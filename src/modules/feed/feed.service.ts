import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { ErrorCode, HubError, badInput } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { startPurge, type NodeTypeEntry } from '../../common/module';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { inTransaction } from '../../common/transaction';
import type { ChangeKindValue, ChangeRecord } from './feed.writer';
import { Change, ChangeFeedPage, ChangeFilter, checkChangeFilter, encodeFeedCursor, decodeFeedCursor, FeedPosition } from './feed.types';
import { visibleChanges } from './feed.visibility';

export const FEED_DEFAULT_FIRST = 100;
export const FEED_MAX_FIRST = 500;
/** The most records one call scans for changes the viewer may see before it answers what it found. */
export const FEED_SCAN_CAP = 5_000;
/** How often a running hub purges records older than the retention. */
export const FEED_PURGE_EVERY_MS = 60 * 60 * 1000;
/** Records deleted per purge statement (each its own short transaction). */
export const FEED_PURGE_BATCH = 5_000;

interface Row {
  id: string | null;
  xid: string;
  entity_type: string;
  entity_id: number;
  kind: ChangeKindValue;
  association_code: string | null;
  federation_code: string | null;
  at: Date;
  expired: boolean | null;
}

const toRecord = (r: Row): ChangeRecord => ({
  id: r.id!,
  xid: r.xid,
  entityType: r.entity_type,
  entityId: r.entity_id,
  kind: r.kind,
  associationCode: r.association_code,
  federationCode: r.federation_code,
  at: new Date(r.at),
});

const cursorExpired = () =>
  new HubError(ErrorCode.CURSOR_EXPIRED, 'This cursor is older than the change feed keeps: read the data in full again, then follow the feed from a new cursor');

export class FeedService {
  constructor(private readonly em: EntityManager) {}

  /**
   * The changes after `after` that the viewer may see, in feed order (xid, id). Only records of
   * transactions older than the oldest still running are read (`pg_snapshot_xmin`): a transaction
   * that has not ended yet may still add records with a smaller position, and reading past it
   * would skip them. Records the viewer may not see are passed over, and the cursor moves past
   * them, scanning at most FEED_SCAN_CAP records per call.
   */
  async page(viewer: Viewer, loaders: object, nodeTypes: ReadonlyMap<string, NodeTypeEntry>, after: string | null | undefined, first: number | null | undefined, filter: ChangeFilter | null | undefined): Promise<ChangeFeedPage> {
    const want = first ?? FEED_DEFAULT_FIRST;
    if (!Number.isInteger(want) || want < 1 || want > FEED_MAX_FIRST) throw badInput(`first must be between 1 and ${FEED_MAX_FIRST}`, { argumentName: 'first' });
    checkChangeFilter(filter);
    let pos: FeedPosition | null = after ? decodeFeedCursor(after) : null;

    const nodes: Change[] = [];
    let scanned = 0;
    let more = false;
    while (nodes.length < want && scanned < FEED_SCAN_CAP) {
      // As many as still wanted (all of them are visible to ADMIN and ANALYST keys); more per
      // round once records turn out hidden, so that a sparse feed takes few rounds.
      const missing = want - nodes.length;
      const batch = Math.min(FEED_SCAN_CAP - scanned, scanned === 0 ? missing : Math.max(100, missing * 4));
      const { rows, expired } = await this.read(pos, batch + 1, filter);
      if (expired) {
        // Records after `pos` were purged: the caller's cursor, or (a purge between two rounds) the page so far.
        if (!scanned) throw cursorExpired();
        more = true;
        break;
      }
      more = rows.length > batch;
      const records = rows.slice(0, batch).map(toRecord);
      if (!records.length) break;
      scanned += records.length;
      const visible = await visibleChanges(records, viewer, loaders, nodeTypes);
      if (nodes.length + visible.length > want) {
        // Stop at the page's last change: the cursor goes no further than what was returned.
        const keep = visible.slice(0, missing);
        nodes.push(...keep);
        pos = decodeFeedCursor(keep[keep.length - 1].cursor);
        more = true;
        break;
      }
      nodes.push(...visible);
      const last = records[records.length - 1];
      pos = { xid: last.xid, id: last.id };
      if (!more) break;
    }
    return { nodes, pageInfo: { endCursor: pos ? encodeFeedCursor(pos) : null, hasNextPage: more } };
  }

  /**
   * The position after every record readable now (null when the feed holds none): any record
   * that becomes readable later is after it, since every transaction below the oldest running
   * one has ended (see `page`). An app takes it before reading its data in full, then follows
   * the feed from it.
   */
  async end(): Promise<string | null> {
    const [row] = await runQuery<{ xid: string; id: string }>(
      this.em,
      knexOf(this.em).raw(`select xid::text as xid, id::text as id from change_event where xid < pg_snapshot_xmin(pg_current_snapshot()) order by xid desc, id desc limit 1`),
    );
    return row ? encodeFeedCursor(row) : null;
  }

  /**
   * Up to `limit` records after `pos`, and whether retention has purged records after `pos`: one
   * statement, so both answers come from one snapshot (checked apart, a purge committing between
   * the two would let the read skip what it deleted).
   */
  private async read(pos: FeedPosition | null, limit: number, filter: ChangeFilter | null | undefined): Promise<{ rows: Row[]; expired: boolean }> {
    const where = ['e.xid < pg_snapshot_xmin(pg_current_snapshot())'];
    const bindings: unknown[] = [];
    let expired = 'false';
    if (pos) {
      expired = `coalesce((select (?::text::xid8, ?::bigint) <= (h.xid, h.event_id) from change_feed_horizon h where h.id = 1), false)`;
      bindings.push(pos.xid, pos.id);
      where.push('(e.xid, e.id) > (?::text::xid8, ?::bigint)');
      bindings.push(pos.xid, pos.id);
    }
    if (filter?.types?.length) {
      where.push('e.entity_type = any(?::text[])');
      bindings.push(pgArray(filter.types));
    }
    if (filter?.associationCode != null) {
      where.push('e.association_code = ?');
      bindings.push(filter.associationCode);
    }
    if (filter?.federationCode != null) {
      where.push('e.federation_code = ?');
      bindings.push(filter.federationCode);
    }
    bindings.push(limit);
    const rows = await runQuery<Row>(
      this.em,
      knexOf(this.em).raw(
        `select ${expired} as expired, c.id::text as id, c.xid::text as xid, c.entity_type, c.entity_id, c.kind, c.association_code, c.federation_code, c.at
         from (values (1)) as one (x)
         left join lateral (
           select e.id, e.xid, e.entity_type, e.entity_id, e.kind, e.association_code, e.federation_code, e.at
           from change_event e where ${where.join(' and ')} order by e.xid, e.id limit ?
         ) c on true
         order by c.xid, c.id`,
        bindings as never,
      ),
    );
    return { rows: rows.filter((r) => r.id !== null), expired: rows[0]?.expired === true };
  }

  /**
   * Deletes the records older than `retentionDays` (only of transactions that have ended), oldest
   * position first, FEED_PURGE_BATCH at a time, and raises the horizon to the highest position
   * deleted in the same statement: a cursor at or below it answers CURSOR_EXPIRED. Each batch
   * deletes a whole prefix of the feed (everything at or below its highest position), so no record
   * is left below the horizon for a reader starting afresh to be handed an expired cursor by. One
   * hub purges at a time (an advisory lock; the others skip). Returns the number deleted.
   */
  async purge(retentionDays: number, batch = FEED_PURGE_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await inTransaction(this.em, async (tx) => {
        const [lock] = await runQuery<{ ok: boolean }>(tx, knexOf(tx).raw(`select pg_try_advisory_xact_lock(hashtext('federation-hub:change-feed-purge'), 0) as ok`));
        if (!lock.ok) return { cut: 0, deleted: 0 };
        const [r] = await runQuery<{ cut: number; deleted: number }>(
          tx,
          knexOf(tx).raw(
            `with cut as (
               select xid, id from change_event
               where at < now() - make_interval(days => ?) and xid < pg_snapshot_xmin(pg_current_snapshot())
               order by xid, id limit ?
             ),
             top as (select xid, id from cut order by xid desc, id desc limit 1),
             gone as (delete from change_event e using top where (e.xid, e.id) <= (top.xid, top.id) returning 1),
             raised as (
               insert into change_feed_horizon (id, xid, event_id, purged_at) select 1, xid, id, now() from top
               on conflict (id) do update set xid = excluded.xid, event_id = excluded.event_id, purged_at = excluded.purged_at
               where (excluded.xid, excluded.event_id) > (change_feed_horizon.xid, change_feed_horizon.event_id)
               returning 1
             )
             select (select count(*) from cut)::int as cut, (select count(*) from gone)::int as deleted`,
            [retentionDays, batch],
          ),
        );
        return r;
      });
      total += done.deleted;
      if (done.cut < batch) return total;
    }
  }
}

/** Purges records older than the retention now, then every `everyMs`; returns the function that stops it. */
export function startChangeFeedPurge(em: EntityManager, logger: Logger, retentionDays: number, everyMs = FEED_PURGE_EVERY_MS): () => void {
  return startPurge(logger, 'change feed records past their retention', everyMs, () => new FeedService(em.fork()).purge(retentionDays), { retentionDays });
}
