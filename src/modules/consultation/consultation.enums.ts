import { registerEnumType } from 'type-graphql';

export enum ConsultationKind {
  CONSULTATION = 'CONSULTATION',
  SOCIAL_CRITIQUE = 'SOCIAL_CRITIQUE',
  SOCIAL_ASSESSMENT = 'SOCIAL_ASSESSMENT',
}
registerEnumType(ConsultationKind, {
  name: 'ConsultationKind',
  description: 'What the federation is asked to do (Decision 14/2014/QĐ-TTg).',
  valuesConfig: {
    CONSULTATION: { description: 'Tư vấn: advice on a policy, programme or project.' },
    SOCIAL_CRITIQUE: { description: 'Phản biện xã hội: critical review before the authority decides.' },
    SOCIAL_ASSESSMENT: { description: 'Giám định xã hội: independent appraisal.' },
  },
});

export enum SubjectKind {
  POLICY = 'POLICY',
  PROGRAMME = 'PROGRAMME',
  PROJECT = 'PROJECT',
  PLAN = 'PLAN',
  LEGAL_DOCUMENT = 'LEGAL_DOCUMENT',
  OTHER = 'OTHER',
}
registerEnumType(SubjectKind, {
  name: 'ConsultationSubjectKind',
  description: 'What is under review.',
  valuesConfig: {
    POLICY: { description: 'A policy (chính sách).' },
    PROGRAMME: { description: 'A programme (chương trình).' },
    PROJECT: { description: 'A project (dự án, đề án).' },
    PLAN: { description: 'A plan or master plan (kế hoạch, quy hoạch).' },
    LEGAL_DOCUMENT: { description: 'A draft legal document (dự thảo văn bản quy phạm pháp luật).' },
    OTHER: { description: 'Anything else.' },
  },
});

export enum ConsultationOrigin {
  REQUESTED = 'REQUESTED',
  SELF_INITIATED = 'SELF_INITIATED',
}
registerEnumType(ConsultationOrigin, {
  name: 'ConsultationOrigin',
  description: 'Who started the request.',
  valuesConfig: {
    REQUESTED: { description: 'An agency asked the federation (starts at REQUESTED).' },
    SELF_INITIATED: { description: 'The federation took it up on its own initiative (starts at ACCEPTED).' },
  },
});

export enum AgencyLevel {
  PARTY_COMMITTEE = 'PARTY_COMMITTEE',
  PEOPLES_COUNCIL = 'PEOPLES_COUNCIL',
  PEOPLES_COMMITTEE = 'PEOPLES_COMMITTEE',
  DEPARTMENT = 'DEPARTMENT',
  COMMUNE = 'COMMUNE',
  ENTERPRISE = 'ENTERPRISE',
  OTHER = 'OTHER',
}
registerEnumType(AgencyLevel, {
  name: 'AgencyLevel',
  description: 'The kind of body that asked for the review.',
  valuesConfig: {
    PARTY_COMMITTEE: { description: 'A Party committee (Tỉnh ủy, Thành ủy…).' },
    PEOPLES_COUNCIL: { description: "A People's Council (Hội đồng nhân dân)." },
    PEOPLES_COMMITTEE: { description: "A People's Committee (Ủy ban nhân dân)." },
    DEPARTMENT: { description: 'A department or agency (Sở, ban, ngành).' },
    COMMUNE: { description: 'A commune, ward or district authority.' },
    ENTERPRISE: { description: 'An enterprise or other organisation.' },
    OTHER: { description: 'Anything else.' },
  },
});

export enum ConsultationFormat {
  COUNCIL = 'COUNCIL',
  WORKSHOP = 'WORKSHOP',
  WRITTEN_OPINIONS = 'WRITTEN_OPINIONS',
}
registerEnumType(ConsultationFormat, {
  name: 'ConsultationFormat',
  description: 'How the review is held.',
  valuesConfig: {
    COUNCIL: { description: 'A review council (hội đồng).' },
    WORKSHOP: { description: 'A workshop or seminar (hội thảo, tọa đàm).' },
    WRITTEN_OPINIONS: { description: 'Written opinions collected from experts and associations.' },
  },
});

export enum ConsultationVisibility {
  PUBLIC = 'PUBLIC',
  CONFIDENTIAL = 'CONFIDENTIAL',
}
registerEnumType(ConsultationVisibility, {
  name: 'ConsultationVisibility',
  description: 'Who may know of a request.',
  valuesConfig: {
    PUBLIC: { description: 'Anyone sees its subject, status, dates, documents and (once submitted) its report.' },
    CONFIDENTIAL: {
      description: 'Only ADMIN, ANALYST and the associations involved (assigned, or with a current member on the panel) know it exists; for anyone else it does not.',
    },
  },
});

export enum ConsultationStatus {
  REQUESTED = 'REQUESTED',
  SCREENING = 'SCREENING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  PANEL_FORMED = 'PANEL_FORMED',
  IN_REVIEW = 'IN_REVIEW',
  REPORT_SUBMITTED = 'REPORT_SUBMITTED',
  RESPONSE_RECEIVED = 'RESPONSE_RECEIVED',
  CLOSED = 'CLOSED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(ConsultationStatus, {
  name: 'ConsultationStatus',
  description:
    'Where a request stands. REQUESTED → SCREENING → ACCEPTED or DECLINED; ACCEPTED → PANEL_FORMED → IN_REVIEW → REPORT_SUBMITTED → RESPONSE_RECEIVED → CLOSED; ' +
    'REPORT_SUBMITTED → CLOSED (no response, with a note); WITHDRAWN from any status before REPORT_SUBMITTED.',
  valuesConfig: {
    REQUESTED: { description: 'Received from the agency, not yet screened.' },
    SCREENING: { description: 'Being screened: within the federation’s remit, capacity, deadline.' },
    ACCEPTED: { description: 'Taken up (a self-initiated request starts here).' },
    DECLINED: { description: 'Declined, with a note (final).' },
    PANEL_FORMED: { description: 'The review panel has its chair.' },
    IN_REVIEW: { description: 'Under review: opinions are taken.' },
    REPORT_SUBMITTED: { description: 'The final report went to the agency.' },
    RESPONSE_RECEIVED: { description: "The agency's written answer is recorded." },
    CLOSED: { description: 'Closed (final).' },
    WITHDRAWN: { description: 'Withdrawn before the report, with a note (final).' },
  },
});

/** The lifecycle: each status and the statuses it may move to. */
export const TRANSITIONS: Readonly<Record<ConsultationStatus, readonly ConsultationStatus[]>> = {
  REQUESTED: [ConsultationStatus.SCREENING, ConsultationStatus.WITHDRAWN],
  SCREENING: [ConsultationStatus.ACCEPTED, ConsultationStatus.DECLINED, ConsultationStatus.WITHDRAWN],
  ACCEPTED: [ConsultationStatus.PANEL_FORMED, ConsultationStatus.WITHDRAWN],
  DECLINED: [],
  PANEL_FORMED: [ConsultationStatus.IN_REVIEW, ConsultationStatus.WITHDRAWN],
  IN_REVIEW: [ConsultationStatus.REPORT_SUBMITTED, ConsultationStatus.WITHDRAWN],
  REPORT_SUBMITTED: [ConsultationStatus.RESPONSE_RECEIVED, ConsultationStatus.CLOSED],
  RESPONSE_RECEIVED: [ConsultationStatus.CLOSED],
  CLOSED: [],
  WITHDRAWN: [],
};

/** Statuses before the report: a request in one of them whose due date has passed is overdue. */
export const BEFORE_REPORT: readonly ConsultationStatus[] = [
  ConsultationStatus.REQUESTED,
  ConsultationStatus.SCREENING,
  ConsultationStatus.ACCEPTED,
  ConsultationStatus.PANEL_FORMED,
  ConsultationStatus.IN_REVIEW,
];

/** Statuses in which the report has been submitted (the public sees it from then on). */
export const REPORT_OUT: readonly ConsultationStatus[] = [ConsultationStatus.REPORT_SUBMITTED, ConsultationStatus.RESPONSE_RECEIVED, ConsultationStatus.CLOSED];

export enum PanelRole {
  CHAIR = 'CHAIR',
  SECRETARY = 'SECRETARY',
  MEMBER = 'MEMBER',
}
registerEnumType(PanelRole, {
  name: 'PanelRole',
  description: 'A seat on a review panel.',
  valuesConfig: {
    CHAIR: { description: 'Chair of the panel (one per panel; a panel is formed once it has one).' },
    SECRETARY: { description: 'Secretary of the panel.' },
    MEMBER: { description: 'Member of the panel.' },
  },
});

export enum ConflictOfInterest {
  NONE = 'NONE',
  DECLARED = 'DECLARED',
}
registerEnumType(ConflictOfInterest, {
  name: 'ConflictOfInterest',
  description: "A person's conflict-of-interest declaration on a request.",
  valuesConfig: {
    NONE: { description: 'No conflict declared.' },
    DECLARED: { description: 'A conflict was declared (with a note): the person cannot sit on the panel.' },
  },
});

export enum OpinionStance {
  SUPPORT = 'SUPPORT',
  SUPPORT_WITH_CHANGES = 'SUPPORT_WITH_CHANGES',
  OPPOSE = 'OPPOSE',
  NO_OPINION = 'NO_OPINION',
}
registerEnumType(OpinionStance, {
  name: 'OpinionStance',
  description: 'Where an opinion stands on the document under review.',
  valuesConfig: {
    SUPPORT: { description: 'Supports it as it is.' },
    SUPPORT_WITH_CHANGES: { description: 'Supports it with changes.' },
    OPPOSE: { description: 'Opposes it.' },
    NO_OPINION: { description: 'Takes no position.' },
  },
});

export enum AssignmentRole {
  LEAD = 'LEAD',
  CONTRIBUTOR = 'CONTRIBUTOR',
}
registerEnumType(AssignmentRole, {
  name: 'ConsultationAssignmentRole',
  description: "An association's part in a request.",
  valuesConfig: {
    LEAD: { description: 'Leads the review (one per request).' },
    CONTRIBUTOR: { description: 'Contributes opinions.' },
  },
});

export enum RecommendationOutcome {
  ACCEPTED = 'ACCEPTED',
  PARTIALLY_ACCEPTED = 'PARTIALLY_ACCEPTED',
  NOT_ACCEPTED = 'NOT_ACCEPTED',
}
registerEnumType(RecommendationOutcome, {
  name: 'RecommendationOutcome',
  description: 'What the agency did with a recommendation (or with the report as a whole).',
  valuesConfig: {
    ACCEPTED: { description: 'Taken up.' },
    PARTIALLY_ACCEPTED: { description: 'Taken up in part.' },
    NOT_ACCEPTED: { description: 'Not taken up.' },
  },
});

export enum ConsultationOrder {
  RECEIVED_DESC = 'RECEIVED_DESC',
  DUE_ASC = 'DUE_ASC',
  TITLE = 'TITLE',
}
registerEnumType(ConsultationOrder, {
  name: 'ConsultationRequestOrder',
  description: 'Orders of a list of consultation requests.',
  valuesConfig: {
    RECEIVED_DESC: { description: 'Newest received first (the default).' },
    DUE_ASC: { description: 'Earliest due first; requests without a due date last.' },
    TITLE: { description: 'By title in Vietnamese alphabetical order.' },
  },
});
