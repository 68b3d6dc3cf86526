import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, Viewer } from './common/auth';
import { bindScope, RequestScope } from './common/request-scope';
import { StatsCache } from './modules/stats/stats.cache';
import type { CountCache } from './common/count-cache';
import type { ForumSettings } from './modules/forum/forum.settings';
import { createLoaders, Loaders } from './modules';
import type { LiveSource } from './modules/feed/feed.live';

export type { Loaders };

/** Everything one request owns: its entity manager, its viewer, its loaders. Nothing is shared between requests. */
export interface Context {
  em: EntityManager;
  /** The hub's query builder (no entity manager needed): compiled reads build and run SQL with it. */
  knex: Knex;
  viewer: Viewer;
  loaders: Loaders;
  requestId: string;
  /** The request's ids, caller address and SQL statement count (common/request-scope.ts). */
  scope: RequestScope;
  /** The forum module's settings and flood control (one per hub). */
  forum: ForumSettings;
  /** The hub's kept counts of root connections (compiled reads). */
  counts?: CountCache;
  /** Subscriptions only (a WebSocket operation, src/common/graphql-ws.ts): where the `changed` subscription takes its changes. */
  live?: LiveSource;
}

/** Caches that outlive a request: one set per hub (server), never module-level. */
export interface SharedCaches {
  stats: StatsCache;
  forum: ForumSettings;
  /** Root connections' counts, kept while no write commits (common/count-cache.ts). */
  counts?: CountCache;
}

export function createContext(rootEm: EntityManager, caches: SharedCaches, opts: { scope?: RequestScope; viewer?: Viewer } = {}): Context {
  const scope = opts.scope ?? { requestId: randomUUID(), sqlStatements: 0 };
  return new RequestContext(rootEm, caches, opts.viewer ?? ANONYMOUS, scope);
}

/**
 * The entity manager and the loaders are made on first use: a read compiled to one statement
 * (common/sql-read.ts) needs neither, and forking plus two dozen DataLoaders cost more than it.
 * They are getters of the class, not of the object: Apollo copies the context's own properties
 * into a new object of the same prototype before executing, which would call own getters.
 */
class RequestContext implements Context {
  readonly knex: Knex;
  readonly requestId: string;
  private made: { em?: EntityManager; loaders?: Loaders } = {};
  constructor(
    private readonly rootEm: EntityManager,
    private readonly caches: SharedCaches,
    readonly viewer: Viewer,
    readonly scope: RequestScope,
  ) {
    this.knex = rootEm.getKnex();
    this.requestId = scope.requestId;
  }

  get em(): EntityManager {
    if (!this.made.em) bindScope((this.made.em = this.rootEm.fork({ useContext: false })), this.scope);
    return this.made.em;
  }

  get forum(): ForumSettings {
    return this.caches.forum;
  }

  get counts(): CountCache | undefined {
    return this.caches.counts;
  }

  get loaders(): Loaders {
    return (this.made.loaders ??= createLoaders({ em: this.em, viewer: this.viewer, caches: this.caches }));
  }
}
