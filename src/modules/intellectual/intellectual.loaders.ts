import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EMPTY_PAGE, groupedLoader, loaderInKeyOrder } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { Intellectual } from './intellectual.entity';
import { MembershipFilter, MembershipsArgs } from './intellectual.inputs';
import { IntellectualService } from './intellectual.service';
import { Membership } from './membership.entity';
import type { PersonName } from './intellectual.policy';

export function intellectualLoaders(em: EntityManager, viewer: Viewer) {
  const service = new IntellectualService(em, viewer);
  return {
    /** Visible people only (a hidden person loads as null), with their personal-data grant. */
    intellectualById: loaderInKeyOrder<Intellectual>((ids) => service.byIds(ids)),
    /** Names and consent of people, whatever the viewer sees of them (names shown per seesPersonName). */
    personNameById: loaderInKeyOrder<PersonName>((ids) => service.namesByIds(ids)),
    membershipById: loaderInKeyOrder<Membership>((ids) => service.membershipsByIds(ids)),
    membersOfAssociation: groupedLoader<MembershipsArgs, Page<Membership>>((ids, args) => service.membersOf(ids, args), EMPTY_PAGE),
    memberCountOfAssociation: groupedLoader<MembershipFilter | null, number>((ids, f) => service.memberCounts(ids, f), 0),
    membershipsOfIntellectual: groupedLoader<MembershipsArgs, Page<Membership>>((ids, args) => service.membershipsOf(ids, args), EMPTY_PAGE),
    membershipCountOfIntellectual: groupedLoader<MembershipFilter | null, number>((ids, f) => service.membershipCounts(ids, f), 0),
  };
}
