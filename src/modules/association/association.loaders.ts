import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { byIdLoader, EMPTY_PAGE, groupedLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { Association } from './association.entity';
import { AssociationFilter, AssociationsArgs } from './association.inputs';
import { AssociationService } from './association.service';
import { AssociationPolicy } from './association.policy';

export function associationLoaders(em: EntityManager, viewer: Viewer) {
  const service = new AssociationService(em, viewer);
  return {
    associationById: byIdLoader(em, Association, viewer, AssociationPolicy),
    associationsOfFederation: groupedLoader<AssociationsArgs, Page<Association>>((ids, args) => service.ofFederations(ids, args), EMPTY_PAGE),
    associationCountOfFederation: groupedLoader<AssociationFilter | null, number>((ids, filter) => service.countsOfFederations(ids, filter), 0),
  };
}
