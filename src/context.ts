import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, Viewer } from './common/auth';
import { associationLoaders } from './modules/association/association.loaders';
import { federationLoaders } from './modules/federation/federation.loaders';
import { intellectualLoaders } from './modules/intellectual/intellectual.loaders';
import { statsLoaders } from './modules/stats/stats.loaders';
import { auditLoaders } from './modules/audit/audit.loaders';
import { StatsCache } from './modules/stats/stats.cache';

function createLoaders(em: EntityManager, viewer: Viewer, statsCache: StatsCache) {
  return {
    ...federationLoaders(em, viewer),
    ...associationLoaders(em, viewer),
    ...intellectualLoaders(em, viewer),
    ...statsLoaders(em, viewer, statsCache),
    ...auditLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Everything one request owns: its entity manager, its viewer, its loaders. Nothing is shared between requests. */
export interface Context {
  em: EntityManager;
  viewer: Viewer;
  loaders: Loaders;
  requestId: string;
}

/** Caches that outlive a request: one set per hub (server), never module-level. */
export interface SharedCaches {
  stats: StatsCache;
}

export function createContext(rootEm: EntityManager, caches: SharedCaches, opts: { requestId?: string; viewer?: Viewer } = {}): Context {
  const em = rootEm.fork({ useContext: false });
  const viewer = opts.viewer ?? ANONYMOUS;
  return { em, viewer, loaders: createLoaders(em, viewer, caches.stats), requestId: opts.requestId ?? randomUUID() };
}
