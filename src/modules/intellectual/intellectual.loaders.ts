import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EMPTY_PAGE, groupedLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { Intellectual } from './intellectual.entity';
import { MembershipFilter, MembershipsArgs } from './intellectual.inputs';
import { IntellectualService } from './intellectual.service';
import { Membership } from './membership.entity';

function inKeyOrder<T extends { id: number }>(ids: readonly number[], rows: T[]): (T | null)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

export function intellectualLoaders(em: EntityManager, viewer: Viewer) {
  const service = new IntellectualService(em, viewer);
  return {
    /** Visible people only: a hidden person loads as null. */
    intellectualById: new DataLoader<number, Intellectual | null>(async (ids) => inKeyOrder(ids, await service.byIds(ids))),
    /** May the viewer see this person's personal data? */
    personalDataAccess: new DataLoader<number, boolean>(async (ids) => {
      const allowed = await service.personalDataAccess(ids);
      return ids.map((id) => allowed.has(id));
    }),
    membershipById: new DataLoader<number, Membership | null>(async (ids) => inKeyOrder(ids, await service.membershipsByIds(ids))),
    membersOfAssociation: groupedLoader<MembershipsArgs, Page<Membership>>((ids, args) => service.membersOf(ids, args), EMPTY_PAGE),
    memberCountOfAssociation: groupedLoader<MembershipFilter | null, number>((ids, f) => service.memberCounts(ids, f), 0),
    membershipsOfIntellectual: groupedLoader<MembershipsArgs, Page<Membership>>((ids, args) => service.membershipsOf(ids, args), EMPTY_PAGE),
    membershipCountOfIntellectual: groupedLoader<MembershipFilter | null, number>((ids, f) => service.membershipCounts(ids, f), 0),
  };
}
