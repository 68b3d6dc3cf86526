import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { PeopleBreakdowns, StatsService, StatsTotals } from './stats.service';
import { StatBucket, StatsScope } from './stats.types';

function loader<T>(fetch: (ids: readonly number[]) => Promise<Map<number, T>>, fallback: T): DataLoader<number, T> {
  return new DataLoader<number, T>(async (ids) => {
    const found = await fetch(ids);
    return ids.map((id) => found.get(id) ?? fallback);
  });
}

function scopeLoaders(service: StatsService, scope: StatsScope) {
  return {
    totals: loader<StatsTotals>((ids) => service.totals(scope, ids), { associationCount: 0, activeMembers: 0, distinctPeople: 0 }),
    peopleByAssociation: loader<StatBucket[]>((ids) => service.peopleByAssociation(scope, ids), []),
    people: loader<PeopleBreakdowns>((ids) => service.peopleBreakdowns(scope, ids), { degree: [], title: [], gender: [], decade: [] }),
    peopleByField: loader<StatBucket[]>((ids) => service.peopleByField(scope, ids), []),
    associationsByField: loader<StatBucket[]>((ids) => service.associationsByField(scope, ids), []),
    newMembershipsByYear: loader<StatBucket[]>((ids) => service.newMembershipsByYear(scope, ids), []),
  };
}

export type ScopeLoaders = ReturnType<typeof scopeLoaders>;

export function statsLoaders(em: EntityManager, viewer: Viewer) {
  const service = new StatsService(em, viewer);
  return { stats: { federation: scopeLoaders(service, 'federation'), association: scopeLoaders(service, 'association') } };
}
