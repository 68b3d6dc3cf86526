import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import {
  AssociationCount,
  Count,
  ExactTotals,
  PeopleBreakdowns,
  PeopleCounts,
  publishAssociationsByField,
  publishNewMembershipsByYear,
  publishPeople,
  publishPeopleByAssociation,
  publishPeopleByField,
  publishTotals,
  StatsService,
  StatsTotals,
} from './stats.service';
import { protectsFigures, ScopePublisher } from './stats.disclosure';
import { StatBucket, StatsScope } from './stats.types';
import { StatsCache } from './stats.cache';

function scopeLoaders(service: StatsService, scope: StatsScope, cache: StatsCache, protect: boolean) {
  const audience = protect ? 'protected' : 'exact';
  /** Which people each root's cells count, and the secret: needed by protected answers only, loaded once per request. */
  const publishers = new DataLoader<number, ScopePublisher>(async (ids) => {
    const found = await service.publishers(scope, ids);
    return ids.map((id) => found.get(id) ?? new Error(`no statistics scope for ${scope} ${id}`));
  });
  /**
   * One loader per breakdown: one SQL aggregate batched across roots, published in TypeScript
   * (exactly, or protected), and shared through the cache per audience.
   */
  const loader = <E, T>(part: string, aggregate: (ids: readonly number[]) => Promise<Map<number, E>>, publish: (exact: E, p: ScopePublisher | null) => T, empty: E) =>
    new DataLoader<number, T>(async (ids) => {
      const found = await cache.getMany(`${scope}:${part}:${audience}`, ids, async (missing) => {
        const [exact, pubs] = await Promise.all([aggregate(missing), protect ? publishers.loadMany(missing) : null]);
        const out = new Map<number, T>();
        missing.forEach((id, k) => {
          const p = pubs?.[k] ?? null;
          if (p instanceof Error) throw p;
          out.set(id, publish(exact.get(id) ?? empty, p));
        });
        return out;
      });
      return ids.map((id) => found.get(id) as T);
    });
  return {
    totals: loader<ExactTotals, StatsTotals>('totals', (ids) => service.totals(scope, ids), publishTotals, { associationCount: 0, activeMembers: 0, distinctPeople: 0 }),
    peopleByAssociation: loader<AssociationCount[], StatBucket[]>('byAssociation', (ids) => service.peopleByAssociation(scope, ids), publishPeopleByAssociation, []),
    people: loader<PeopleCounts, PeopleBreakdowns>('people', (ids) => service.peopleBreakdowns(scope, ids), publishPeople, { degree: [], title: [], gender: [], decade: [] }),
    peopleByField: loader<Count[], StatBucket[]>('byField', (ids) => service.peopleByField(scope, ids), publishPeopleByField, []),
    associationsByField: loader<Count[], StatBucket[]>('associationsByField', (ids) => service.associationsByField(scope, ids), (e) => publishAssociationsByField(e), []),
    newMembershipsByYear: loader<Count[], StatBucket[]>('byYear', (ids) => service.newMembershipsByYear(scope, ids), publishNewMembershipsByYear, []),
  };
}

export type ScopeLoaders = ReturnType<typeof scopeLoaders>;

export function statsLoaders(em: EntityManager, viewer: Viewer, cache: StatsCache) {
  const service = new StatsService(em, cache.secret);
  // Callers who get protected figures are kept apart from those who see exact ones, in the cache too.
  const protect = protectsFigures(viewer);
  return {
    stats: { federation: scopeLoaders(service, 'federation', cache, protect), association: scopeLoaders(service, 'association', cache, protect) },
  };
}
