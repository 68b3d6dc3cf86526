import { defineModule } from '../../common/module';
import { ConsultationAssignment, ConsultationRequest, ConsultationRequestDocument, ConsultationTransition } from './consultation-request.entity';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { ConsultationConflict, PanelMember } from './panel-member.entity';
import { Opinion, OpinionRevision } from './opinion.entity';
import { PolicyDocument, PolicyDocumentSection } from './policy-document.entity';
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
  resolvers: [FederationConsultationStatsResolver, ConsultationStatsResolver, AssociationOpinionCountResolver],
  loaders: ({ em, viewer }) => ({ ...consultationStatsLoaders(em, viewer) }),
  demoSeed: async (em) => void (await seedConsultationDemo(em)),
});
