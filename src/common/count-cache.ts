import { Lru } from './lru';

/**
 * totalCount of the compiled reads' root connections, kept between requests (src/common/sql-read.ts).
 * A count is the answer of one statement's snapshot; it stays right for as long as no write has
 * committed since, which the same statement tells: it reads the change feed's newest record
 * visible to it (every write through the mutation pipeline adds one, on any hub), the "data
 * generation". The next statement with the same count passes the generation it was counted at
 * and gets the count back from PostgreSQL unevaluated when nothing was written since, counted
 * afresh otherwise.
 *
 * A count is kept only when its snapshot was settled (no transaction older than the newest record
 * still running): a write still in progress then has a later position, so it cannot end without
 * moving the generation. Writes outside the pipeline (the command line's seeds, hand-made SQL)
 * add no record: the entries also expire after `ttlMs`.
 */
export class CountCache {
  private readonly entries = new Lru<{ generation: string; count: number; until: number }>(2_000);

  constructor(readonly ttlMs: number) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The count kept for this statement text and bindings, with its generation. */
  get(key: string): { generation: string; count: number } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Keeps a count made at `generation` (only when the statement said its snapshot was settled). */
  set(key: string, generation: string, count: number): void {
    if (this.enabled) this.entries.set(key, { generation, count, until: Date.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A count kept or made, with the data generation: `[count, generation, settled]`, where the
 * generation is the newest change record the snapshot sees ('' when none) and `settled` whether
 * no transaction older than it was still running. Its two `?` (the kept generation and count,
 * null when none is kept) come before `countSql`'s bindings. PostgreSQL evaluates `countSql` only
 * when the generation moved (an uncorrelated subplan is run when first needed), and reads the
 * generation once.
 */
export function keptCountSql(countSql: string): string {
  return `(select case when g.key = ?::text then json_build_array(?::bigint, g.key, g.settled) else json_build_array((${countSql}), g.key, g.settled) end
  from (select coalesce(c.xid::text || ':' || c.id, '') as key, coalesce(pg_snapshot_xmin(pg_current_snapshot()) > c.xid, true) as settled
        from (select 1) one left join lateral (select xid, id from change_event order by xid desc, id desc limit 1) c on true) g)`;
}
