import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, Viewer } from './common/auth';
import { associationLoaders } from './modules/association/association.loaders';
import { federationLoaders } from './modules/federation/federation.loaders';
import { intellectualLoaders } from './modules/intellectual/intellectual.loaders';
import { statsLoaders } from './modules/stats/stats.loaders';

function createLoaders(em: EntityManager, viewer: Viewer) {
  return {
    ...federationLoaders(em, viewer),
    ...associationLoaders(em, viewer),
    ...intellectualLoaders(em, viewer),
    ...statsLoaders(em, viewer),
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

export function createContext(rootEm: EntityManager, opts: { requestId?: string; viewer?: Viewer } = {}): Context {
  const em = rootEm.fork({ useContext: false });
  const viewer = opts.viewer ?? ANONYMOUS;
  return { em, viewer, loaders: createLoaders(em, viewer), requestId: opts.requestId ?? randomUUID() };
}
