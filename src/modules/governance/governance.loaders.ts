import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { byIdLoader, EMPTY_PAGE, groupedLoader, listLoader, oneLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { Association } from '../association/association.entity';
import { Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';
import { BodySeatsArgs, CongressDelegatesArgs } from './governance.inputs';
import { GovernancePolicy } from './governance.policy';
import { GovernanceService } from './governance.service';
import { CongressDelegateCount } from './governance.types';

/** Filters of a congress's delegates (Congress.delegates and its totalCount). */
export type DelegateFilterKey = Pick<CongressDelegatesArgs, 'associationCode' | 'kind'>;

export function governanceLoaders(em: EntityManager, viewer: Viewer) {
  const service = new GovernanceService(em, viewer);
  return {
    congressById: byIdLoader<Congress>(em, Congress, viewer, GovernancePolicy),
    congressDelegateById: byIdLoader<CongressDelegate>(em, CongressDelegate, viewer, GovernancePolicy),
    congressResolutionById: byIdLoader<CongressResolution>(em, CongressResolution, viewer, GovernancePolicy),
    termById: byIdLoader<Term>(em, Term, viewer, GovernancePolicy),
    governingBodyById: byIdLoader<GoverningBody>(em, GoverningBody, viewer, GovernancePolicy),
    seatById: byIdLoader<Seat>(em, Seat, viewer, GovernancePolicy),
    congressesOfFederation: listLoader<Congress>((ids) => service.congressesOf(ids)),
    termsOfFederation: listLoader<Term>((ids) => service.termsOf(ids)),
    currentTermOfFederation: oneLoader<Term>((ids) => service.currentTermsOf(ids)),
    termOfCongress: oneLoader<Term>((ids) => service.termsOfCongresses(ids)),
    bodiesOfTerm: listLoader<GoverningBody>((ids) => service.bodiesOf(ids)),
    seatsOfBody: groupedLoader<BodySeatsArgs, Seat[]>((ids, args) => service.seatsOfBodies(ids, args), []),
    /** Seats of people (Intellectual.offices), per date asked for (null: all). */
    officesOfIntellectual: groupedLoader<string | null, Seat[]>((ids, on) => service.officesOf(ids, on), []),
    delegatesOfCongress: groupedLoader<CongressDelegatesArgs, Page<CongressDelegate>>((ids, args) => service.delegatesOf(ids, args), EMPTY_PAGE),
    delegateCountOfCongress: groupedLoader<DelegateFilterKey, number>((ids, f) => service.delegateCountsOf(ids, f), 0),
    delegateCountsOfCongress: listLoader<CongressDelegateCount>((ids) => service.delegateCountsByAssociation(ids)),
    resolutionsOfCongress: listLoader<CongressResolution>((ids) => service.resolutionsOf(ids)),
    /** Term.representationGaps, per date asked for (null: today clamped into each term). */
    representationGapsOfTerm: groupedLoader<string | null, Association[]>((ids, on) => service.representationGapsOf(ids, on), []),
  };
}
