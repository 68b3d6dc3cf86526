import type { EntityManager } from '@mikro-orm/postgresql';
import { ANONYMOUS, Viewer } from '../../common/auth';
import { knexOf, runQuery } from '../../common/sql';
import { StatsCache } from './stats.cache';
import { statsLoaders } from './stats.loaders';

const ANALYST_VIEW: Viewer = { role: 'ANALYST', keyId: null, keyLabel: null, associationId: null };

/**
 * Fills the statistics cache for every federation, for both audiences (protected figures for
 * anonymous callers and association keys, exact ones for analysts), so that the first analyst after a start does not wait for a cold computation (seconds
 * at a million people). Runs in the background once the hub is ready.
 */
export async function warmStatsCache(rootEm: EntityManager, cache: StatsCache): Promise<number> {
  if (cache.ttlMs <= 0) return 0;
  const em = rootEm.fork();
  const ids = (await runQuery<{ id: number }>(em, knexOf(em)('federation').select('id'))).map((r) => Number(r.id));
  for (const viewer of [ANONYMOUS, ANALYST_VIEW]) {
    const loaders = statsLoaders(rootEm.fork(), viewer, cache).stats.federation;
    await Promise.all(Object.values(loaders).map((loader) => loader.loadMany(ids)));
  }
  return ids.length;
}
