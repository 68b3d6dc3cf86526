/**
 * Statistics answers kept for a while, per hub process: at a million people one breakdown is a
 * scan of every membership (seconds), while analysts ask the same dashboards again and again.
 * Within `ttlMs` an answer is served as computed; after that, for up to `staleMs` more, the old
 * answer is served at once while one refresh runs in the background (stale-while-revalidate).
 * Concurrent requests for the same numbers share one computation. `ttlMs = 0` turns it off.
 * Answers are kept per audience (exact, protected). One per hub: it also carries the hub's
 * configured statistics secret to the loaders.
 */
export class StatsCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown>; refreshing?: boolean }>();

  readonly staleMs: number;
  /** STATS_SECRET, the key of the random numbers of protected figures; null: the database's own (table stats_secret). */
  readonly secret: string | null;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    readonly ttlMs: number,
    opts: { staleMs?: number; maxEntries?: number; now?: () => number; secret?: string | null } = {},
  ) {
    this.staleMs = opts.staleMs ?? ttlMs * 10;
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.now = opts.now ?? Date.now;
    this.secret = opts.secret ?? null;
  }

  async getMany<T>(prefix: string, ids: readonly number[], fetch: (ids: readonly number[]) => Promise<Map<number, T>>): Promise<Map<number, T>> {
    if (this.ttlMs <= 0) return fetch(ids);
    const now = this.now();
    const missing: number[] = [];
    const stale: number[] = [];
    const found = new Map<number, Promise<unknown>>();
    for (const id of ids) {
      const e = this.entries.get(`${prefix}:${id}`);
      const age = e ? now - e.at : Infinity;
      if (e && age < this.ttlMs) found.set(id, e.value);
      else if (e && age < this.ttlMs + this.staleMs) {
        found.set(id, e.value);
        if (!e.refreshing) {
          e.refreshing = true;
          stale.push(id);
        }
      } else missing.push(id);
    }
    if (missing.length) this.store(prefix, missing, fetch(missing));
    if (stale.length) {
      // Refresh in the background; the stale answers are served meanwhile.
      const refreshed = fetch(stale);
      refreshed.then(
        () => this.store(prefix, stale, refreshed),
        () => stale.forEach((id) => this.entries.get(`${prefix}:${id}`) && (this.entries.get(`${prefix}:${id}`)!.refreshing = false)),
      );
    }
    const out = new Map<number, T>();
    for (const id of ids) {
      const value = found.get(id) ?? this.entries.get(`${prefix}:${id}`)?.value;
      out.set(id, (await value) as T);
    }
    return out;
  }

  private store<T>(prefix: string, ids: number[], result: Promise<Map<number, T>>): void {
    if (this.entries.size > this.maxEntries) this.entries.clear();
    const at = this.now();
    for (const id of ids) {
      const key = `${prefix}:${id}`;
      const value = result.then((m) => m.get(id));
      value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
      this.entries.set(key, { at, value });
    }
  }
}
