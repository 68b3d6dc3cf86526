import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction } from '../common/transaction';
import type { BackgroundDeps, HubModule, LoaderDeps, NodeTypeEntry } from '../common/module';
import { SqlReadRegistry, sqlReadRegistry } from '../common/sql-read';
import { associationModule } from './association/association.module';
import { consultationModule } from './consultation/consultation.module';
import { auditModule } from './audit/audit.module';
import { defineAuditVocabulary } from './audit/audit.enums';
import { federationModule } from './federation/federation.module';
import { forumModule } from './forum/forum.module';
import { governanceModule } from './governance/governance.module';
import { fieldModule } from './field/field.module';
import { feedModule } from './feed/feed.module';
import { defineChangeScopes } from './feed/feed.writer';
import { idempotencyModule } from './idempotency/idempotency.module';
import { intellectualModule } from './intellectual/intellectual.module';
import { keyModule } from './key/key.module';
import { nodeModule } from './node/node.module';
import { statsModule } from './stats/stats.module';

/**
 * Every module of the hub, in order (demo seed steps run in this order). Adding a module is its
 * folder plus one line here: see "How to add a module" in the README.
 */
export const MODULES = [
  fieldModule,
  federationModule,
  associationModule,
  intellectualModule,
  statsModule,
  consultationModule,
  forumModule,
  governanceModule,
  keyModule,
  auditModule,
  feedModule,
  idempotencyModule,
  nodeModule,
] as const;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type LoadersOf<M> = M extends HubModule<infer L> ? L : never;

/** Every module's per-request loaders, as `ctx.loaders` has them. */
export type Loaders = UnionToIntersection<LoadersOf<(typeof MODULES)[number]>>;

const all = MODULES as readonly HubModule[];

export const ENTITIES = all.flatMap((m) => m.entities ?? []);
export const RESOLVERS = all.flatMap((m) => m.resolvers ?? []);

/** Root query fields that read on the primary even with read replicas. */
export const PRIMARY_READS: ReadonlySet<string> = new Set(all.flatMap((m) => m.primaryReads ?? []));

/** Node types by name (the type part of a global id). */
export const NODE_TYPES: ReadonlyMap<string, NodeTypeEntry> = new Map(all.flatMap((m) => (m.nodeTypes ?? []) as NodeTypeEntry[]).map((n) => [n.type.name, n]));

/** Every module's part in compiled reads, merged (a module may add fields to another's type). */
export const SQL_READS: SqlReadRegistry = sqlReadRegistry(all.flatMap((m) => (m.sqlRead ? [m.sqlRead] : [])));

export function createLoaders(deps: LoaderDeps): Loaders {
  return Object.assign({}, ...all.map((m) => m.loaders?.(deps) ?? {})) as Loaders;
}

/** The audit vocabulary of every module: entity types and actions, with their meanings. */
export function auditVocabulary(): { entityTypes: Map<string, string>; actions: Map<string, string> } {
  const entityTypes = new Map<string, string>();
  const actions = new Map<string, string>();
  for (const m of all) {
    for (const [k, v] of Object.entries(m.audit?.entityTypes ?? {})) entityTypes.set(k, v);
    for (const [k, v] of Object.entries(m.audit?.actions ?? {})) if (!actions.has(k)) actions.set(k, v);
  }
  return { entityTypes, actions };
}

{
  const { entityTypes, actions } = auditVocabulary();
  defineAuditVocabulary(entityTypes, actions);
  defineChangeScopes(all.flatMap((m) => Object.entries(m.changeScopes ?? {})));
}

/** The demo data: every module's seed step, in module order, in one transaction. */
export async function seedDemoData(em: EntityManager): Promise<void> {
  await inTransaction(em, async (tx) => {
    for (const m of all) await m.demoSeed?.(tx);
  });
}

/** Starts every module's background work; the function returned stops all of it. */
export function startBackground(deps: BackgroundDeps): () => void {
  const stops = all.map((m) => m.background?.(deps));
  return () => stops.forEach((stop) => stop?.());
}
