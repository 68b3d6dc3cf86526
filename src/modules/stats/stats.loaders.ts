import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { mergesSmallGroups, PeopleBreakdowns, StatsService, StatsTotals } from './stats.service';
import { StatBucket, StatsScope } from './stats.types';
import { StatsCache } from './stats.cache';

function scopeLoaders(service: StatsService, scope: StatsScope, cache: StatsCache, audience: string) {
  /** One loader per breakdown: batched across roots, answers shared through the cache. */
  const loader = <T>(part: string, fetch: (ids: readonly number[]) => Promise<Map<number, T>>, fallback: T) =>
    new DataLoader<number, T>(async (ids) => {
      const found = await cache.getMany(`${scope}:${part}:${audience}`, ids, fetch);
      return ids.map((id) => found.get(id) ?? fallback);
    });
  return {
    totals: loader<StatsTotals>('totals', (ids) => service.totals(scope, ids), { associationCount: 0, activeMembers: 0, distinctPeople: 0 }),
    peopleByAssociation: loader<StatBucket[]>('byAssociation', (ids) => service.peopleByAssociation(scope, ids), []),
    people: loader<PeopleBreakdowns>('people', (ids) => service.peopleBreakdowns(scope, ids), { degree: [], title: [], gender: [], decade: [] }),
    peopleByField: loader<StatBucket[]>('byField', (ids) => service.peopleByField(scope, ids), []),
    associationsByField: loader<StatBucket[]>('associationsByField', (ids) => service.associationsByField(scope, ids), []),
    newMembershipsByYear: loader<StatBucket[]>('byYear', (ids) => service.newMembershipsByYear(scope, ids), []),
  };
}

export type ScopeLoaders = ReturnType<typeof scopeLoaders>;

export function statsLoaders(em: EntityManager, viewer: Viewer, cache: StatsCache) {
  const service = new StatsService(em, viewer);
  // Callers who get small groups merged are kept apart from those who see them all.
  const audience = mergesSmallGroups(viewer) ? 'merged' : 'full';
  return {
    stats: { federation: scopeLoaders(service, 'federation', cache, audience), association: scopeLoaders(service, 'association', cache, audience) },
  };
}
