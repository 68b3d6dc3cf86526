import { defineModule } from '../../common/module';
import { ConsultationAssignment, ConsultationRequest, ConsultationRequestDocument, ConsultationTransition } from './consultation-request.entity';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { consultationLoaders } from './consultation.loaders';
import { consultationSqlRead } from './consultation.sql-read';
import {
  AssociationConsultationRequestsResolver,
  ConflictDeclarationResolver,
  ConsultationReportResolver,
  ConsultationRequestResolver,
  IntellectualPanelSeatsResolver,
  OpinionResolver,
  OpinionRevisionResolver,
  PanelMemberResolver,
  PolicyDocumentResolver,
  PolicyDocumentSectionResolver,
  RecommendationResolver,
} from './consultation.resolver';
import { ConsultationConflict, PanelMember } from './panel-member.entity';
import { Opinion, OpinionRevision } from './opinion.entity';
import { PolicyDocument, PolicyDocumentSection } from './policy-document.entity';
import { ConsultationWriteResolver } from './consultation-write.resolver';
import { consultationStatsLoaders } from './consultation-stats.loaders';
import { seedConsultationDemo } from './consultation.demo';
import { AssociationOpinionCountResolver, ConsultationStatsResolver, FederationConsultationStatsResolver } from './consultation-stats.resolver';

/** Consultation, social critique and social assessment requests, from receipt to the agency's response. */
export const consultationModule = defineModule({
  name: 'consultation',
  entities: [
    PolicyDocument,
    PolicyDocumentSection,
    ConsultationRequest,
    ConsultationRequestDocument,
    ConsultationAssignment,
    ConsultationTransition,
    PanelMember,
    ConsultationConflict,
    Opinion,
    OpinionRevision,
    ConsultationReport,
    Recommendation,
  ],
  resolvers: [
    // Reads (+ Association.consultationRequests, Intellectual.panelSeats).
    ConsultationRequestResolver,
    ConsultationReportResolver,
    RecommendationResolver,
    PolicyDocumentResolver,
    PolicyDocumentSectionResolver,
    PanelMemberResolver,
    ConflictDeclarationResolver,
    OpinionResolver,
    OpinionRevisionResolver,
    AssociationConsultationRequestsResolver,
    IntellectualPanelSeatsResolver,
    // Writes.
    ConsultationWriteResolver,
    // Statistics (+ Federation.consultationStats).
    FederationConsultationStatsResolver,
    ConsultationStatsResolver,
    AssociationOpinionCountResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...consultationLoaders(em, viewer), ...consultationStatsLoaders(em, viewer) }),
  sqlRead: consultationSqlRead,
  nodeTypes: [
    { type: ConsultationRequest, loader: 'consultationRequestById' },
    { type: PolicyDocument, loader: 'policyDocumentById' },
    { type: PanelMember, loader: 'panelMemberById' },
    { type: Opinion, loader: 'opinionById' },
  ],
  changeScopes: {
    ConsultationRequest: { table: 'consultation_request', federation: 't.federation_id' },
    PanelMember: {
      table: 'consultation_panel_member',
      federation: '(select r.federation_id from consultation_request r where r.id = t.request_id)',
      // removePanelMember deletes the row; its audit changes name the request it sat on.
      removed: { federation: "(select r.federation_id from consultation_request r where r.id = (x.changes->'requestId'->>'old')::int)" },
    },
    Opinion: { table: 'consultation_opinion', association: 't.association_id', federation: '(select r.federation_id from consultation_request r where r.id = t.request_id)' },
  },
  audit: {
    entityTypes: {
      ConsultationRequest: 'A consultation request (`ConsultationRequest`), with what hangs off it: documents, assignment, conflicts, report, response.',
      PolicyDocument: 'A document under review (`PolicyDocument`).',
      PanelMember: "A seat on a request's review panel (`PanelMember`).",
      Opinion: 'An opinion on a request under review (`Opinion`).',
    },
    actions: {
      TRANSITION: 'Moved a consultation request in its lifecycle (transitionConsultationRequest): status old → new, and the note.',
      ATTACH: 'Put a document under review in a consultation request (addPolicyDocument).',
      ASSIGN: 'Replaced the associations assigned to a consultation request (assignAssociations): lead and contributors.',
      REPORT: "Wrote or rewrote a consultation request's final report (submitReport).",
      RESPONSE: "Recorded the agency's response to a report (recordAgencyResponse).",
      CONFLICT_DECLARED: 'Recorded a conflict of interest a person declared on a consultation request (declareConflictOfInterest).',
      DELETE: 'Removed it (e.g. a panel seat, removePanelMember); changes hold what it was: old → new null.',
    },
  },
  demoSeed: async (em) => void (await seedConsultationDemo(em)),
});
