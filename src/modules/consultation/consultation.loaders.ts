import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EMPTY_PAGE, groupedLoader, listLoader, loaderInKeyOrder, oneLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { ConsultationRequestFilter, ConsultationRequestsArgs, OpinionFilter, OpinionsArgs } from './consultation.inputs';
import { AssignedAssociation, ConsultationService } from './consultation.service';
import { ConsultationRequest } from './consultation-request.entity';
import { Opinion } from './opinion.entity';

export function consultationLoaders(em: EntityManager, viewer: Viewer) {
  const service = new ConsultationService(em, viewer);
  return {
    /** Requests the viewer may see (ConsultationRequestPolicy); a hidden one loads as null. */
    consultationRequestById: loaderInKeyOrder<ConsultationRequest>((ids) => service.requestsByIds(ids)),
    policyDocumentById: loaderInKeyOrder((ids) => service.documentsByIds(ids)),
    policyDocumentSectionById: loaderInKeyOrder((ids) => service.sectionsByIds(ids)),
    panelMemberById: loaderInKeyOrder((ids) => service.panelMembersByIds(ids)),
    opinionById: loaderInKeyOrder<Opinion>((ids) => service.opinionsByIds(ids)),
    consultationRequestsOfAssociation: groupedLoader<ConsultationRequestsArgs, Page<ConsultationRequest>>((ids, args) => service.ofAssociations(ids, args), EMPTY_PAGE),
    consultationRequestCountOfAssociation: groupedLoader<ConsultationRequestFilter | null, number>((ids, f) => service.countsOfAssociations(ids, f), 0),
    documentsOfRequest: listLoader((ids) => service.documentsOf(ids)),
    sectionsOfDocument: listLoader((ids) => service.sectionsOf(ids)),
    assignmentsOfRequest: listLoader<AssignedAssociation>((ids) => service.assignmentsOf(ids)),
    panelOfRequest: listLoader((ids) => service.panelsOf(ids)),
    panelSeatsOfIntellectual: listLoader((ids) => service.seatsOf(ids)),
    conflictsOfRequest: listLoader((ids) => service.conflictsOf(ids)),
    historyOfRequest: listLoader((ids) => service.historiesOf(ids)),
    reportOfRequest: oneLoader((ids) => service.reportsOf(ids)),
    recommendationsOfRequest: listLoader((ids) => service.recommendationsOf(ids)),
    responseOfRequest: oneLoader((ids) => service.responsesOf(ids)),
    opinionsOfRequest: groupedLoader<OpinionsArgs, Page<Opinion>>((ids, args) => service.opinionsOf(ids, args), EMPTY_PAGE),
    opinionCountOfRequest: groupedLoader<OpinionFilter | null, number>((ids, f) => service.opinionCounts(ids, f), 0),
    revisionsOfOpinion: listLoader((ids) => service.revisionsOf(ids)),
  };
}
