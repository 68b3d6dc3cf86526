import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import {
  AddPanelMemberInput,
  AddPolicyDocumentInput,
  AssignAssociationsInput,
  CreateConsultationRequestInput,
  DeclareConflictOfInterestInput,
  RecordAgencyResponseInput,
  RemovePanelMemberInput,
  SubmitOpinionInput,
  SubmitReportInput,
  TransitionConsultationRequestInput,
  UpdateConsultationRequestInput,
  UpdateOpinionInput,
} from './consultation-write.inputs';
import { ConsultationWriteService } from './consultation-write.service';
import { ConsultationRequestPayload, OpinionPayload, PanelMemberPayload, PolicyDocumentPayload } from './consultation-write.types';

const service = (ctx: Context) => new ConsultationWriteService(ctx.em, ctx.viewer);

@Resolver()
export class ConsultationWriteResolver {
  @Mutation(() => ConsultationRequestPayload, {
    description: 'Records a consultation request (ADMIN only): at REQUESTED, or at ACCEPTED when SELF_INITIATED; its creation is the first entry of its history.',
  })
  createConsultationRequest(@Arg('input', () => CreateConsultationRequestInput, { description: 'The new request.' }) input: CreateConsultationRequestInput, @Ctx() ctx: Context) {
    return service(ctx).createRequest(input);
  }

  @Mutation(() => ConsultationRequestPayload, {
    description: 'Changes a request (ADMIN only), if it is still at expectedVersion (otherwise CONFLICT) and not DECLINED, CLOSED or WITHDRAWN (INVALID_STATE).',
  })
  updateConsultationRequest(@Arg('input', () => UpdateConsultationRequestInput, { description: 'The request, the version read, and the changes.' }) input: UpdateConsultationRequestInput, @Ctx() ctx: Context) {
    return service(ctx).updateRequest(input);
  }

  @Mutation(() => PolicyDocumentPayload, { description: 'Puts a document under review in a request (ADMIN only), before REPORT_SUBMITTED: an existing one, or a new one with its sections.' })
  addPolicyDocument(@Arg('input', () => AddPolicyDocumentInput, { description: 'The request and the document.' }) input: AddPolicyDocumentInput, @Ctx() ctx: Context) {
    return service(ctx).addPolicyDocument(input);
  }

  @Mutation(() => ConsultationRequestPayload, { description: 'Replaces the associations assigned to a request: its lead and its contributors (ADMIN only).' })
  assignAssociations(@Arg('input', () => AssignAssociationsInput, { description: 'The request and its associations.' }) input: AssignAssociationsInput, @Ctx() ctx: Context) {
    return service(ctx).assignAssociations(input);
  }

  @Mutation(() => PanelMemberPayload, {
    description: "Seats a person on a request's review panel (ADMIN only), up to IN_REVIEW; not someone who declared a conflict of interest (CONFLICT_OF_INTEREST), seated already, or a second chair (DUPLICATE).",
  })
  addPanelMember(@Arg('input', () => AddPanelMemberInput, { description: 'The request, the person and the role.' }) input: AddPanelMemberInput, @Ctx() ctx: Context) {
    return service(ctx).addPanelMember(input);
  }

  @Mutation(() => PanelMemberPayload, { description: "Removes a seat from a request's review panel (ADMIN only), up to IN_REVIEW." })
  removePanelMember(@Arg('input', () => RemovePanelMemberInput, { description: 'The seat.' }) input: RemovePanelMemberInput, @Ctx() ctx: Context) {
    return service(ctx).removePanelMember(input);
  }

  @Mutation(() => ConsultationRequestPayload, {
    description: 'Records that a person declared a conflict of interest on a request (ADMIN only), up to IN_REVIEW: they cannot then sit on its panel. Not while they sit on it (INVALID_STATE).',
  })
  declareConflictOfInterest(@Arg('input', () => DeclareConflictOfInterestInput, { description: 'The request, the person and the note.' }) input: DeclareConflictOfInterestInput, @Ctx() ctx: Context) {
    return service(ctx).declareConflict(input);
  }

  @Mutation(() => ConsultationRequestPayload, {
    description:
      'Moves a request in its lifecycle (ADMIN only), if it is still at expectedVersion (otherwise CONFLICT, with the request as it is now) and the move is allowed (otherwise INVALID_TRANSITION, naming the allowed next statuses). ' +
      'Guards: PANEL_FORMED needs a chair (PANEL_INCOMPLETE), IN_REVIEW a document (DOCUMENT_REQUIRED), REPORT_SUBMITTED a report (REPORT_REQUIRED), RESPONSE_RECEIVED the response (RESPONSE_REQUIRED); ' +
      'DECLINED, WITHDRAWN and closing without a response need a note (NOTE_REQUIRED). Every move is kept in the history and the audit log.',
  })
  transitionConsultationRequest(@Arg('input', () => TransitionConsultationRequestInput, { description: 'The request, the status to move to, the note and the version read.' }) input: TransitionConsultationRequestInput, @Ctx() ctx: Context) {
    return service(ctx).transition(input);
  }

  @Mutation(() => OpinionPayload, {
    description:
      "Submits an opinion on a request IN_REVIEW (otherwise REVIEW_CLOSED): an association's own, or a panel member's. ASSOCIATION keys: only on requests their association is involved in (otherwise FORBIDDEN), for themselves or their current members on the panel; ADMIN: for anyone. One per association and one per panel member (DUPLICATE: use updateOpinion).",
  })
  submitOpinion(@Arg('input', () => SubmitOpinionInput, { description: 'The request, the stance and the text, and whose opinion it is.' }) input: SubmitOpinionInput, @Ctx() ctx: Context) {
    return service(ctx).submitOpinion(input);
  }

  @Mutation(() => OpinionPayload, {
    description: "Edits an opinion while the request is IN_REVIEW (ADMIN, or the association that submitted it; never another association's), if it is still at expectedVersion; the previous text is kept in its history.",
  })
  updateOpinion(@Arg('input', () => UpdateOpinionInput, { description: 'The opinion, the version read, and the changes.' }) input: UpdateOpinionInput, @Ctx() ctx: Context) {
    return service(ctx).updateOpinion(input);
  }

  @Mutation(() => ConsultationRequestPayload, { description: "Writes (or rewrites) a request's final report with its numbered recommendations (ADMIN only), in PANEL_FORMED or IN_REVIEW." })
  submitReport(@Arg('input', () => SubmitReportInput, { description: 'The request and its report.' }) input: SubmitReportInput, @Ctx() ctx: Context) {
    return service(ctx).submitReport(input);
  }

  @Mutation(() => ConsultationRequestPayload, {
    description: "Records the agency's written answer (ADMIN only), in REPORT_SUBMITTED: an overall outcome and one for every recommendation of the report, exactly once each.",
  })
  recordAgencyResponse(@Arg('input', () => RecordAgencyResponseInput, { description: 'The request and the answer.' }) input: RecordAgencyResponseInput, @Ctx() ctx: Context) {
    return service(ctx).recordResponse(input);
  }
}
