import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { ErrorCode, HubError, badInput } from '../../common/errors';
import type { NodeTypeEntry } from '../../common/module';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import type { ChangeKindValue, ChangeRecord } from './feed.writer';
import { ChangeFeedPage, ChangeFilter, decodeFeedCursor, encodeFeedCursor, FeedPosition } from './feed.types';
import { visibleChanges } from './feed.visibility';

export const FEED_DEFAULT_FIRST = 100;
export const FEED_MAX_FIRST = 500;
/** The most records one call scans for changes the viewer may see before it answers what it found. */
export const FEED_SCAN_CAP = 5_000;

interface Row {
  id: string;
  xid: string;
  entity_type: string;
  entity_id: number;
  kind: ChangeKindValue;
  association_code: string | null;
  federation_code: string | null;
  at: Date;
}

const toRecord = (r: Row): ChangeRecord => ({
  id: r.id,
  xid: r.xid,
  entityType: r.entity_type,
  entityId: r.entity_id,
  kind: r.kind,
  associationCode: r.association_code,
  federationCode: r.federation_code,
  at: new Date(r.at),
});

export class FeedService {
  constructor(private readonly em: EntityManager) {}

  /**
   * The changes after `after` that the viewer may see, in feed order (xid, id). Only records of
   * transactions older than the oldest still running are read (`pg_snapshot_xmin`): a transaction
   * that has not ended yet may still add records with a smaller position, and reading past it
   * would skip them. Records of types the viewer may not see are passed over, and the cursor
   * moves past them, scanning at most FEED_SCAN_CAP records per call.
   */
  async page(viewer: Viewer, loaders: object, nodeTypes: ReadonlyMap<string, NodeTypeEntry>, after: string | null | undefined, first: number | null | undefined, filter: ChangeFilter | null | undefined): Promise<ChangeFeedPage> {
    const want = first ?? FEED_DEFAULT_FIRST;
    if (!Number.isInteger(want) || want < 1 || want > FEED_MAX_FIRST) throw badInput(`first must be between 1 and ${FEED_MAX_FIRST}`, { argumentName: 'first' });
    if (filter?.types && (filter.types.length < 1 || filter.types.length > 30)) throw badInput('filter.types takes 1 to 30 types', { argumentName: 'filter' });
    let pos: FeedPosition | null = after ? decodeFeedCursor(after) : null;
    if (pos) await this.checkHorizon(pos);

    const nodes = [];
    let scanned = 0;
    let more = true;
    while (nodes.length < want && scanned < FEED_SCAN_CAP && more) {
      const batch = Math.min(FEED_SCAN_CAP - scanned, Math.max(100, (want - nodes.length) * 4));
      const rows = await this.read(pos, batch + 1, filter);
      more = rows.length > batch;
      const records = rows.slice(0, batch).map(toRecord);
      if (!records.length) break;
      scanned += records.length;
      const visible = await visibleChanges(records, viewer, loaders, nodeTypes);
      // Stop at the page's last change: the cursor goes no further than what was returned.
      if (nodes.length + visible.length > want) {
        const keep = visible.slice(0, want - nodes.length);
        nodes.push(...keep);
        pos = decodeFeedCursor(keep[keep.length - 1].cursor);
        more = true;
        break;
      }
      nodes.push(...visible);
      const last = records[records.length - 1];
      pos = { xid: last.xid, id: last.id };
    }
    return { nodes, pageInfo: { endCursor: pos ? encodeFeedCursor(pos) : null, hasNextPage: more } };
  }

  private async read(pos: FeedPosition | null, limit: number, filter: ChangeFilter | null | undefined): Promise<Row[]> {
    const where = ['xid < pg_snapshot_xmin(pg_current_snapshot())'];
    const bindings: unknown[] = [];
    if (pos) {
      where.push('(xid, id) > (?::text::xid8, ?::bigint)');
      bindings.push(pos.xid, pos.id);
    }
    if (filter?.types?.length) {
      where.push('entity_type = any(?::text[])');
      bindings.push(pgArray(filter.types));
    }
    if (filter?.associationCode != null) {
      where.push('association_code = ?');
      bindings.push(filter.associationCode);
    }
    if (filter?.federationCode != null) {
      where.push('federation_code = ?');
      bindings.push(filter.federationCode);
    }
    bindings.push(limit);
    return runQuery<Row>(
      this.em,
      knexOf(this.em).raw(
        `select id::text as id, xid::text as xid, entity_type, entity_id, kind, association_code, federation_code, at
         from change_event where ${where.join(' and ')} order by xid, id limit ?`,
        bindings as never,
      ),
    );
  }

  /** CURSOR_EXPIRED when retention has purged records after the cursor's position could have been read. */
  private async checkHorizon(pos: FeedPosition): Promise<void> {
    const [h] = await runQuery<{ expired: boolean }>(
      this.em,
      knexOf(this.em).raw(`select (?::text::xid8, ?::bigint) <= (xid, event_id) as expired from change_feed_horizon where id = 1`, [pos.xid, pos.id]),
    );
    if (h?.expired) throw new HubError(ErrorCode.CURSOR_EXPIRED, 'This cursor is older than the change feed keeps: read the data in full again, then follow the feed from a new cursor');
  }
}
