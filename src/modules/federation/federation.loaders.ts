import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { byIdLoader, EMPTY_PAGE, groupedLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { Federation } from './federation.entity';
import { MemberFederationsArgs } from './federation.inputs';
import { FederationService } from './federation.service';
import { FederationPolicy } from './federation.policy';

export function federationLoaders(em: EntityManager, viewer: Viewer) {
  const service = new FederationService(em, viewer);
  return {
    federationById: byIdLoader(em, Federation, viewer, FederationPolicy),
    memberFederations: groupedLoader<MemberFederationsArgs, Page<Federation>>((ids, args) => service.membersOf(ids, args), EMPTY_PAGE),
    memberFederationCount: groupedLoader<null, number>((ids) => service.memberCounts(ids), 0),
  };
}
