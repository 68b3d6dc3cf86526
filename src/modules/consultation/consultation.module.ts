import { defineModule } from '../../common/module';
import { ConsultationAssignment, ConsultationRequest, ConsultationRequestDocument, ConsultationTransition } from './consultation-request.entity';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { consultationLoaders } from './consultation.loaders';
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
  ],
  loaders: ({ em, viewer }) => consultationLoaders(em, viewer),
  nodeTypes: [
    { type: ConsultationRequest, loader: 'consultationRequestById' },
    { type: PolicyDocument, loader: 'policyDocumentById' },
    { type: PanelMember, loader: 'panelMemberById' },
    { type: Opinion, loader: 'opinionById' },
  ],
});
