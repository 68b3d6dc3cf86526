import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, Viewer } from './common/auth';
import { bindScope, RequestScope } from './common/request-scope';
import { StatsCache } from './modules/stats/stats.cache';
import { createLoaders, Loaders } from './modules';

export type { Loaders };

/** Everything one request owns: its entity manager, its viewer, its loaders. Nothing is shared between requests. */
export interface Context {
  em: EntityManager;
  viewer: Viewer;
  loaders: Loaders;
  requestId: string;
  /** The request's ids, caller address and SQL statement count (common/request-scope.ts). */
  scope: RequestScope;
}

/** Caches that outlive a request: one set per hub (server), never module-level. */
export interface SharedCaches {
  stats: StatsCache;
}

export function createContext(rootEm: EntityManager, caches: SharedCaches, opts: { scope?: RequestScope; viewer?: Viewer } = {}): Context {
  const em = rootEm.fork({ useContext: false });
  const scope = opts.scope ?? { requestId: randomUUID(), sqlStatements: 0 };
  bindScope(em, scope);
  const viewer = opts.viewer ?? ANONYMOUS;
  return { em, viewer, loaders: createLoaders({ em, viewer, caches }), requestId: scope.requestId, scope };
}
