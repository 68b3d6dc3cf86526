import { performance } from 'node:perf_hooks';
import { ANONYMOUS, Viewer } from '../../common/auth';
import { Lru } from '../../common/lru';
import { presentedKeyHash } from './api-key.service';

/** Keys remembered at most (the least recently used go first). */
export const KEY_CACHE_ENTRIES = 10_000;

export interface KeyCacheStats {
  /** Requests whose key was answered from the cache. */
  hits: number;
  /** Requests whose key was looked up in the database (not cached, expired, or the cache not in use). */
  misses: number;
  /** Keys cached now. */
  entries: number;
  /** The listener is connected and its LISTEN confirmed: only then does the cache answer. */
  listening: boolean;
}

/**
 * The keys this hub has accepted, by the SHA-256 of the key: the viewer each authenticated as, for
 * `API_KEY_CACHE_SECONDS`, so that a request with a known key runs no SQL statement to
 * authenticate. Only accepted keys are kept; an unknown or revoked key is looked up every time.
 *
 * Revocation: the database notifies every hub of each change to a key (a trigger on api_key,
 * channel `api_key_changed`, at the commit) and `KeyChangeListener` evicts that key here. The
 * cache answers only while that listener is connected and its LISTEN confirmed (`setListening`):
 * before, and from the moment it errors or ends, the cache is emptied and every request is
 * authenticated in the database, so a notification missed while the listener was away can never
 * let a revoked key through. A lookup that raced a change (a revocation, a listener that dropped
 * or came back while the statement ran) is not stored: each change moves a generation, and a
 * result is stored only if the generation is still the one of its lookup's start.
 *
 * The last use of a key (api_key.last_used_at) is written by the lookup on a miss, at most once a
 * minute, so with the cache it is accurate to within the cache lifetime plus one minute.
 */
export class KeyCache {
  private readonly entries: Lru<{ viewer: Viewer; expiresAt: number }>;
  private generation = 0;
  private serving = false;
  private hits = 0;
  private misses = 0;
  /** Key ids whose change was processed since the start (bounded: only for `heard`). */
  private readonly heardIds = new Lru<true>(KEY_CACHE_ENTRIES);
  private readonly waiting = new Map<number, (() => void)[]>();
  private stateWaiters: { listening: boolean; resolve: () => void }[] = [];
  private readonly changeListeners = new Set<(keyId: number | null) => void>();

  constructor(
    private readonly ttlMs: number,
    maxEntries = KEY_CACHE_ENTRIES,
  ) {
    this.entries = new Lru(maxEntries);
  }

  /** API_KEY_CACHE_SECONDS=0 turns the cache off (and no listener is needed). */
  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /**
   * The viewer for an Authorization header: anonymous without one; a malformed header is refused
   * before any lookup; then the cache, else `lookup` (the database), whose answer is stored.
   */
  async authenticate(header: string | undefined, lookup: (hash: string) => Promise<Viewer>): Promise<Viewer> {
    const hash = presentedKeyHash(header);
    if (hash === null) return ANONYMOUS;
    const cached = this.get(hash);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const generation = this.generation;
    const viewer = await lookup(hash);
    if (this.serving && generation === this.generation && viewer.keyId !== null) {
      this.entries.set(hash, { viewer: Object.freeze({ ...viewer }), expiresAt: performance.now() + this.ttlMs });
    }
    return viewer;
  }

  private get(hash: string): Viewer | undefined {
    if (!this.serving) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (performance.now() >= entry.expiresAt) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.viewer;
  }

  /** The listener's state: the cache answers only while it listens; any change empties it. */
  setListening(listening: boolean): void {
    this.generation++;
    this.entries.clear();
    const wasServing = this.serving;
    this.serving = listening && this.enabled;
    // Notifications sent while the listener was away are lost: any key may have changed meanwhile.
    if (this.serving && !wasServing) this.tellChange(null);
    // Nothing from before is cached any more: whoever waits for a key's notification may go on.
    const waiting = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const resolve of waiting) resolve();
    const due = this.stateWaiters.filter((w) => w.listening === this.serving);
    this.stateWaiters = this.stateWaiters.filter((w) => w.listening !== this.serving);
    for (const w of due) w.resolve();
  }

  /** Resolves when the cache is (`true`) or is not (`false`) in use, i.e. its listener listens or not. */
  whenListening(listening = true): Promise<void> {
    if (this.serving === listening) return Promise.resolve();
    return new Promise((resolve) => this.stateWaiters.push({ listening, resolve }));
  }

  /** A notification of a change to key `keyId` (revoked, deleted, role or association changed): forget it. */
  evict(keyId: number): void {
    this.generation++;
    const gone: string[] = [];
    for (const [hash, entry] of this.entries.entries()) if (entry.viewer.keyId === keyId) gone.push(hash);
    for (const hash of gone) this.entries.delete(hash);
    this.heardIds.set(String(keyId), true);
    const waiters = this.waiting.get(keyId);
    this.waiting.delete(keyId);
    for (const resolve of waiters ?? []) resolve();
    this.tellChange(keyId);
  }

  /**
   * Calls `listener` with the id of every key whose change was notified (revoked, deleted, role or
   * association changed), and with null when notifications may have been missed (the listener
   * has just (re)connected): the WebSocket connections look their keys up again. Returns the way to stop.
   */
  onKeyChange(listener: (keyId: number | null) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private tellChange(keyId: number | null): void {
    for (const listener of this.changeListeners) listener(keyId);
  }

  /**
   * Resolves once this cache can no longer answer for key `keyId` from before a change the caller
   * has committed: a notification for it has been processed (now or since the start), or the
   * cache is not in use (then nothing is cached, and what it stores later is read after the change).
   */
  heard(keyId: number): Promise<void> {
    if (!this.serving || this.heardIds.get(String(keyId))) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiting.get(keyId) ?? [];
      list.push(resolve);
      this.waiting.set(keyId, list);
    });
  }

  stats(): KeyCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, listening: this.serving };
  }
}
