import DataLoader from 'dataloader';
import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Page } from './pagination';
import { hydrate } from './hydrate';
import { runQuery } from './sql';
import type { Viewer } from './auth';
import type { EntityPolicy } from './policy';

/**
 * Loads entities by primary key, as the type's policy lets the viewer see them: one `id in (…)`
 * per batch, results in key order (null when missing or hidden, alike).
 */
export function byIdLoader<T extends { id: number }>(em: EntityManager, entity: EntityClass<T>, viewer: Viewer, policy: EntityPolicy<T>): DataLoader<number, T | null> {
  const table = em.getMetadata().get(entity.name).tableName;
  return loaderInKeyOrder(async (ids) => {
    const q = policy.visible(viewer, em.getKnex()(`${table} as t`).select('t.*'), 't').whereIn('t.id', [...ids]);
    return (await runQuery(em, q)).map((r) => hydrate(em, entity, r));
  });
}

/** A by-id loader over a batch function that returns the rows it found, in any order. */
export function loaderInKeyOrder<T extends { id: number }>(fetch: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(async (ids) => {
    const byId = new Map((await fetch(ids)).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export interface ParentKey<A> {
  parentId: number;
  args: A;
}

/**
 * Per-parent pages (or counts) for a nested connection. Keys with the same arguments
 * (the usual case: one field in one query) are fetched together in one statement.
 */
export function groupedLoader<A, R>(fetch: (parentIds: number[], args: A) => Promise<Map<number, R>>, fallback: R): DataLoader<ParentKey<A>, R, string> {
  return new DataLoader<ParentKey<A>, R, string>(
    async (keys) => {
      const groups = new Map<string, { args: A; ids: number[] }>();
      for (const k of keys) {
        const g = JSON.stringify(k.args ?? null);
        let group = groups.get(g);
        if (!group) groups.set(g, (group = { args: k.args, ids: [] }));
        if (!group.ids.includes(k.parentId)) group.ids.push(k.parentId);
      }
      const results = new Map<string, Map<number, R>>();
      await Promise.all([...groups].map(async ([g, { args, ids }]) => results.set(g, await fetch(ids, args))));
      return keys.map((k) => results.get(JSON.stringify(k.args ?? null))?.get(k.parentId) ?? fallback);
    },
    { cacheKeyFn: (k) => `${k.parentId}|${JSON.stringify(k.args ?? null)}` },
  );
}

export const EMPTY_PAGE: Page<never> = { nodes: [], cursors: [], hasNextPage: false, hasPreviousPage: false };

/** Whole lists per parent id: one statement per batch, an empty list for a parent with none. */
export function listLoader<T>(fetch: (ids: readonly number[]) => Promise<Map<number, T[]>>): DataLoader<number, T[]> {
  return new DataLoader<number, T[]>(async (ids) => {
    const byParent = await fetch(ids);
    return ids.map((id) => byParent.get(id) ?? []);
  });
}

/** At most one item per parent id: one statement per batch, null for a parent with none. */
export function oneLoader<T>(fetch: (ids: readonly number[]) => Promise<Map<number, T>>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(async (ids) => {
    const byParent = await fetch(ids);
    return ids.map((id) => byParent.get(id) ?? null);
  });
}
