import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { Node } from './node';
import type { Viewer } from './auth';
import type { SharedCaches } from '../context';
import type { Config } from '../config';
import type { Logger } from './logger';
import type { SqlReadContribution } from './sql-read';

/** What a module's loader factory gets: one request's entity manager and viewer, and the hub's caches. */
export interface LoaderDeps {
  em: EntityManager;
  viewer: Viewer;
  caches: SharedCaches;
}

/**
 * A Node type `node(id:)` can fetch: its GraphQL class, and the module's by-id loader that applies
 * the type's policy (null when the object does not exist or the viewer may not see it).
 */
export interface NodeTypeEntry<L = Record<string, unknown>> {
  /** The class (its name is the type name in global ids). */
  type: Function;
  /** The name of a loader of this module: a DataLoader<number, T | null>. */
  loader: keyof L & string;
}

/**
 * A Node by type name and id through its type's by-id loader (the type's policy applied, batched
 * per type): null when the type is not a Node type, the object does not exist or the viewer may
 * not see it. `node(id:)` and the change feed both load Nodes this way.
 */
export function loadNode(nodeTypes: ReadonlyMap<string, NodeTypeEntry>, loaders: object, type: string, id: number): Promise<Node | null> | null {
  const entry = nodeTypes.get(type);
  return entry ? (loaders as Record<string, DataLoader<number, Node | null>>)[entry.loader].load(id) : null;
}

/** What background work gets: the hub's root entity manager (fork it per run), its logger and its configuration. */
export interface BackgroundDeps {
  em: EntityManager;
  logger: Logger;
  config: Config;
}

/**
 * Where a Node type sits, for the change feed's records (src/modules/feed): SQL expressions over
 * the type's row (alias `t`) giving the id of the association and of the federation it concerns
 * (without `federation`, the association's federation). A type without a scope has neither.
 */
export interface ChangeScope {
  table: string;
  /** e.g. `t.association_id` */
  association?: string;
  /** e.g. `t.federation_id`, or `(select f.federation_id from forum f where f.id = t.forum_id)` */
  federation?: string;
  /**
   * For a type whose rows are deleted (DELETED): the same, as SQL over the audit changes of the
   * removal (`x.changes`, jsonb `{ field: { old, new } }`), since the row is gone by then.
   */
  removed?: { association?: string; federation?: string };
}

/**
 * Background work that purges what has expired: now, then every `everyMs`, one run at a time
 * (a run still going when the next is due is not doubled); `purge` answers how many records it
 * removed, logged with `fields` when any. Returns the function that stops it.
 */
export function startPurge(logger: Logger, what: string, everyMs: number, purge: () => Promise<number>, fields: Record<string, unknown> = {}): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    purge()
      .then((n) => n && logger.info({ purged: n, ...fields }, `${what} purged`))
      .catch((err) => logger.warn({ err }, `purging ${what} failed`))
      .finally(() => (running = false));
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Audit vocabulary a module writes: names (as stored) and what they mean. */
export interface AuditVocabulary {
  entityTypes?: Record<string, string>;
  actions?: Record<string, string>;
}

/**
 * One module of the hub: a folder under src/modules with one `<name>.module.ts` that lists what
 * it brings, and one line in src/modules/index.ts. Nothing else needs editing to add one.
 */
export interface HubModule<L extends object = object> {
  name: string;
  /** MikroORM entities (tables). */
  entities?: EntityClass<any>[];
  /** type-graphql resolvers (queries, mutations, fields on any type). */
  resolvers?: Function[];
  /** Per-request DataLoaders, merged into `ctx.loaders`. */
  loaders?(deps: LoaderDeps): L;
  /** Node types that `node(id:)` dispatches to. */
  nodeTypes?: NodeTypeEntry<L>[];
  /** Entity types and actions the module records in the audit log. */
  audit?: AuditVocabulary;
  /**
   * Root query fields that read on the primary even with read replicas (common/read-routing.ts):
   * a document that asks for one of them reads everything on the primary.
   */
  primaryReads?: string[];
  /** Where its audited Node types sit (association, federation), for the change feed's records and filters. */
  changeScopes?: Record<string, ChangeScope>;
  /**
   * Work the module does in the background of a ready hub (e.g. purging expired records): started
   * once the database is migrated, stopped (by the function it returns) when the hub stops.
   */
  background?(deps: BackgroundDeps): () => void;
  /**
   * The module's part in compiled reads (common/sql-read.ts): its types' fields as SQL over their
   * policy-restricted sources, and its root fields. What is not declared runs on the resolvers.
   */
  sqlRead?: SqlReadContribution;
  /** A step of the demo data, run in module order on an empty database. */
  demoSeed?(em: EntityManager): Promise<void>;
}

/** Declares a module (keeps its loader type for `ctx.loaders`). */
export function defineModule<L extends object = object>(m: HubModule<L>): HubModule<L> {
  return m;
}
