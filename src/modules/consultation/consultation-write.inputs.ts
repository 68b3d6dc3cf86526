import { Field, ID, InputType, Int } from 'type-graphql';
import { IdempotentInput } from '../../common/mutation';
import { LocalDateScalar, URLScalar } from '../../common/scalars';
import { LegalDocumentInput } from '../federation/federation-write.inputs';
import {
  AgencyLevel,
  ConflictOfInterest,
  ConsultationFormat,
  ConsultationKind,
  ConsultationOrigin,
  ConsultationStatus,
  ConsultationVisibility,
  OpinionStance,
  PanelRole,
  RecommendationOutcome,
  SubjectKind,
} from './consultation.enums';

@InputType('AgencyInput', { description: 'The body that asked for the review (or that a self-initiated review addresses). Given whole: it replaces the stored one.' })
export class AgencyInput {
  @Field(() => String, { description: 'Name, e.g. "Ủy ban nhân dân tỉnh Sóc Trăng" (at most 300 characters).' })
  name!: string;

  @Field(() => AgencyLevel, { description: 'The kind of body.' })
  level!: AgencyLevel;

  @Field(() => String, { nullable: true, description: 'Contact (office, person, address) as given, at most 500 characters.' })
  contact?: string | null;
}

@InputType('CreateConsultationRequestInput', {
  description: 'A new consultation request (ADMIN only). It starts at REQUESTED, or at ACCEPTED when SELF_INITIATED; its creation is the first entry of its history.',
})
export class CreateConsultationRequestInput extends IdempotentInput {
  @Field(() => String, { description: 'Code of the federation that handles the request.' })
  federationCode!: string;

  @Field(() => ConsultationKind, { description: 'Consultation, social critique or social assessment.' })
  kind!: ConsultationKind;

  @Field(() => SubjectKind, { description: 'What is under review.' })
  subjectKind!: SubjectKind;

  @Field(() => String, { description: 'Title, in Vietnamese (at most 500 characters).' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Summary of what is asked and why (at most 10,000 characters).' })
  summary?: string | null;

  @Field(() => ConsultationOrigin, { description: 'REQUESTED by an agency (starts at REQUESTED) or SELF_INITIATED (starts at ACCEPTED).' })
  origin!: ConsultationOrigin;

  @Field(() => AgencyInput, { description: 'The body that asked (or that a self-initiated review addresses).' })
  agency!: AgencyInput;

  @Field(() => LegalDocumentInput, { nullable: true, description: "The agency's request letter: number, date (not in the future), issuer, title." })
  requestDocument?: LegalDocumentInput | null;

  @Field(() => ConsultationFormat, { description: 'How the review is held.' })
  format!: ConsultationFormat;

  @Field(() => LocalDateScalar, { description: 'Date the request was received (or, self-initiated, taken up); not in the future.' })
  receivedOn!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the report is due; not before receivedOn.' })
  dueOn?: string | null;

  @Field(() => ConsultationVisibility, { nullable: true, defaultValue: ConsultationVisibility.PUBLIC, description: 'PUBLIC (the default) or CONFIDENTIAL.' })
  visibility?: ConsultationVisibility | null;

  @Field(() => [String], { nullable: true, description: 'Fields of science the subject touches, OECD FOS 2007 codes (at most 20).' })
  fields?: string[] | null;
}

@InputType('UpdateConsultationRequestInput', {
  description:
    'Changes to a request, guarded by its version (ADMIN only); not once it is DECLINED, CLOSED or WITHDRAWN. Omitted fields keep their value; null clears optional ones.',
})
export class UpdateConsultationRequestInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  id!: string;

  @Field(() => Int, { description: 'The `version` the caller last read; if the request changed since, nothing is written and CONFLICT comes back with the request as it is now.' })
  expectedVersion!: number;

  @Field(() => ConsultationKind, { nullable: true, description: 'Consultation, social critique or social assessment.' })
  kind?: ConsultationKind | null;

  @Field(() => SubjectKind, { nullable: true, description: 'What is under review.' })
  subjectKind?: SubjectKind | null;

  @Field(() => String, { nullable: true, description: 'Title, in Vietnamese (never empty; at most 500 characters).' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Summary (at most 10,000 characters); null clears it.' })
  summary?: string | null;

  @Field(() => AgencyInput, { nullable: true, description: 'The agency, given whole (replaces the stored one).' })
  agency?: AgencyInput | null;

  @Field(() => LegalDocumentInput, { nullable: true, description: "The agency's request letter, given whole; null clears it." })
  requestDocument?: LegalDocumentInput | null;

  @Field(() => ConsultationFormat, { nullable: true, description: 'How the review is held.' })
  format?: ConsultationFormat | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date received; not in the future, not after dueOn.' })
  receivedOn?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the report is due, not before receivedOn; null clears it.' })
  dueOn?: string | null;

  @Field(() => ConsultationVisibility, { nullable: true, description: 'PUBLIC or CONFIDENTIAL.' })
  visibility?: ConsultationVisibility | null;

  @Field(() => [String], { nullable: true, description: 'Fields of science, OECD FOS 2007 codes (at most 20); replaces the list.' })
  fields?: string[] | null;
}

@InputType('PolicyDocumentSectionInput', { description: 'A numbered section of a new policy document.' })
export class PolicyDocumentSectionInput {
  @Field(() => String, { description: 'Section number as written in the document: "3", "3.2", "IV.1"… (unique within the document; at most 50 characters).' })
  number!: string;

  @Field(() => String, { nullable: true, description: 'Heading of the section (at most 500 characters).' })
  heading?: string | null;

  @Field(() => String, { description: 'Text of the section (1 to 50,000 characters).' })
  text!: string;
}

@InputType('PolicyDocumentInput', { description: 'A new policy document under review, with its optional numbered sections.' })
export class PolicyDocumentInput {
  @Field(() => String, { description: 'Title (at most 500 characters).' })
  title!: string;

  @Field(() => URLScalar, { nullable: true, description: 'Where the full text is published: an http(s) URL.' })
  link?: string | null;

  @Field(() => String, { nullable: true, description: 'Version label as the drafting body gives it, e.g. "Dự thảo lần 2" (at most 100 characters).' })
  versionLabel?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date this version was issued; not in the future.' })
  issuedOn?: string | null;

  @Field(() => [PolicyDocumentSectionInput], { nullable: true, description: 'Its numbered sections, in document order (at most 500; numbers unique).' })
  sections?: PolicyDocumentSectionInput[] | null;
}

@InputType('AddPolicyDocumentInput', {
  description: 'Puts a document under review in a request (ADMIN only), before REPORT_SUBMITTED: an existing one (documentId) or a new one (document), exactly one of the two.',
})
export class AddPolicyDocumentInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => ID, { nullable: true, description: 'An existing document to attach (a PolicyDocument id); not with `document`.' })
  documentId?: string | null;

  @Field(() => PolicyDocumentInput, { nullable: true, description: 'A new document to create and attach; not with `documentId`.' })
  document?: PolicyDocumentInput | null;
}

@InputType('AssignAssociationsInput', {
  description: "Replaces the associations assigned to a request (ADMIN only): its lead and its contributors, all of the request's federation and not dissolved.",
})
export class AssignAssociationsInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => String, { nullable: true, description: 'Code of the lead association; null or omitted: no lead.' })
  leadAssociationCode?: string | null;

  @Field(() => [String], { nullable: true, description: 'Codes of the contributing associations (at most 100; none twice, not the lead); omitted or null: none.' })
  contributingAssociationCodes?: string[] | null;
}

@InputType('AddPanelMemberInput', { description: "Seats a person on a request's review panel (ADMIN only), up to IN_REVIEW." })
export class AddPanelMemberInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => ID, { description: 'The person (an Intellectual id). Not one already seated, nor one who declared a conflict of interest on the request.' })
  intellectualId!: string;

  @Field(() => PanelRole, { description: 'Chair, secretary or member; one chair per panel.' })
  role!: PanelRole;

  @Field(() => ConflictOfInterest, {
    nullable: true,
    defaultValue: ConflictOfInterest.NONE,
    description: 'The person’s declaration: NONE (the default), or DECLARED, which refuses the seat (CONFLICT_OF_INTEREST; record it with declareConflictOfInterest).',
  })
  conflictOfInterest?: ConflictOfInterest | null;

  @Field(() => String, { nullable: true, description: 'A note on the declaration (at most 2,000 characters).' })
  conflictNote?: string | null;
}

@InputType('RemovePanelMemberInput', { description: "Removes a seat from a request's review panel (ADMIN only), up to IN_REVIEW." })
export class RemovePanelMemberInput extends IdempotentInput {
  @Field(() => ID, { description: 'The seat (a PanelMember id).' })
  id!: string;
}

@InputType('DeclareConflictOfInterestInput', {
  description: 'Records that a person declared a conflict of interest on a request (ADMIN only), up to IN_REVIEW: they cannot be seated on its panel, and expert candidates leave them out.',
})
export class DeclareConflictOfInterestInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => ID, { description: 'The person (an Intellectual id); not one seated on the panel (remove the seat first).' })
  intellectualId!: string;

  @Field(() => String, { description: 'What the conflict is (1 to 2,000 characters).' })
  note!: string;
}

@InputType('TransitionConsultationRequestInput', {
  description: 'Moves a request in its lifecycle (ADMIN only), if it is still at expectedVersion and the move is allowed (see ConsultationStatus).',
})
export class TransitionConsultationRequestInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  id!: string;

  @Field(() => ConsultationStatus, { description: 'The status to move to; one of the statuses allowed after the current one.' })
  to!: ConsultationStatus;

  @Field(() => String, {
    nullable: true,
    description: 'Why (kept in the history, at most 2,000 characters); required when declining, withdrawing, or closing without a response.',
  })
  note?: string | null;

  @Field(() => Int, { description: 'The `version` the caller last read; if the request changed since, nothing is written and CONFLICT comes back with the request as it is now.' })
  expectedVersion!: number;
}

@InputType('SectionRefInput', { description: 'A numbered section of a document under review in the request.' })
export class SectionRefInput {
  @Field(() => ID, { description: 'The document (a PolicyDocument id), under review in the request.' })
  documentId!: string;

  @Field(() => String, { description: 'The section number as the document has it, e.g. "3.2".' })
  number!: string;
}

@InputType('SubmitOpinionInput', {
  description:
    "An opinion on a request IN_REVIEW (ASSOCIATION or ADMIN): an association's own, or a panel member's (authorId). An ASSOCIATION key writes only on requests it is assigned to or whose panel holds one of its current members, and only for itself or its current members on the panel.",
})
export class SubmitOpinionInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => OpinionStance, { description: 'Where the opinion stands.' })
  stance!: OpinionStance;

  @Field(() => String, { description: 'The opinion (1 to 20,000 characters).' })
  text!: string;

  @Field(() => SectionRefInput, { nullable: true, description: 'The section it is about, if any.' })
  section?: SectionRefInput | null;

  @Field(() => ID, {
    nullable: true,
    description: "A panel member's opinion: the person (an Intellectual id), who must sit on the panel and, for an ASSOCIATION key, be a current member of its association. Omitted: the association's own opinion.",
  })
  authorId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "ADMIN only: the association whose opinion it is (or that submits the member's opinion). An ASSOCIATION key always submits as itself.",
  })
  associationCode?: string | null;
}

@InputType('UpdateOpinionInput', {
  description: 'Edits an opinion while its request is IN_REVIEW (ADMIN, or the association that submitted it), if it is still at expectedVersion; the previous text is kept in its history.',
})
export class UpdateOpinionInput extends IdempotentInput {
  @Field(() => ID, { description: 'The opinion (an Opinion id).' })
  id!: string;

  @Field(() => Int, { description: 'The opinion’s `version` the caller last read; if it changed since, nothing is written and CONFLICT comes back with the opinion as it is now.' })
  expectedVersion!: number;

  @Field(() => OpinionStance, { nullable: true, description: 'The new stance; omitted keeps it.' })
  stance?: OpinionStance | null;

  @Field(() => String, { nullable: true, description: 'The new text (1 to 20,000 characters); omitted keeps it.' })
  text?: string | null;

  @Field(() => SectionRefInput, { nullable: true, description: 'The section it is about; omitted keeps it, null clears it.' })
  section?: SectionRefInput | null;
}

@InputType('RecommendationInput', { description: 'A recommendation of the final report (numbered in the order given, from 1).' })
export class RecommendationInput {
  @Field(() => String, { description: 'The recommendation (1 to 10,000 characters).' })
  text!: string;

  @Field(() => SectionRefInput, { nullable: true, description: 'The section of a document under review it is about, if any.' })
  section?: SectionRefInput | null;
}

@InputType('SubmitReportInput', {
  description: "Writes the request's final report (ADMIN only), in PANEL_FORMED or IN_REVIEW; replaces the draft. The request then moves to REPORT_SUBMITTED with transitionConsultationRequest.",
})
export class SubmitReportInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => String, { description: 'Summary of the findings (1 to 20,000 characters).' })
  summary!: string;

  @Field(() => [RecommendationInput], { description: 'The recommendations, 1 to 100, numbered 1..n in the order given.' })
  recommendations!: RecommendationInput[];

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the report was (or is to be) sent; not before the request was received. When the request moves to REPORT_SUBMITTED without one, that day (Vietnam time) is recorded.' })
  submittedOn?: string | null;

  @Field(() => URLScalar, { nullable: true, description: 'Where the full report is published: an http(s) URL.' })
  link?: string | null;
}

@InputType('RecommendationOutcomeInput', { description: "The agency's answer to one recommendation." })
export class RecommendationOutcomeInput {
  @Field(() => Int, { description: 'The recommendation’s number in the report.' })
  number!: number;

  @Field(() => RecommendationOutcome, { description: 'What the agency did with it.' })
  outcome!: RecommendationOutcome;
}

@InputType('RecordAgencyResponseInput', {
  description: "Records the agency's written answer to the report (ADMIN only), in REPORT_SUBMITTED: an outcome for every recommendation, exactly once each. Recording it again replaces it.",
})
export class RecordAgencyResponseInput extends IdempotentInput {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id).' })
  requestId!: string;

  @Field(() => LocalDateScalar, { description: 'Date the answer was received; not in the future, not before the report was submitted.' })
  receivedOn!: string;

  @Field(() => RecommendationOutcome, { description: 'What the agency did with the report as a whole.' })
  overall!: RecommendationOutcome;

  @Field(() => String, { nullable: true, description: 'A note on the answer (at most 10,000 characters).' })
  note?: string | null;

  @Field(() => [RecommendationOutcomeInput], { description: 'The outcome of every recommendation of the report, each exactly once.' })
  outcomes!: RecommendationOutcomeInput[];
}
