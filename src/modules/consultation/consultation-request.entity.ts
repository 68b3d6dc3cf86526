import { Embeddable, Embedded, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { LegalDocument } from '../../common/legal-document';
import { Node } from '../../common/node';
import { LocalDateScalar } from '../../common/scalars';
import { todayInVietnam } from '../../common/validate';
import { Association } from '../association/association.entity';
import { Federation } from '../federation/federation.entity';
import { ScienceField } from '../field/field.types';
import {
  AgencyLevel,
  AssignmentRole,
  BEFORE_REPORT,
  ConsultationFormat,
  ConsultationKind,
  ConsultationOrigin,
  ConsultationStatus,
  ConsultationVisibility,
  SubjectKind,
} from './consultation.enums';
import { PolicyDocument } from './policy-document.entity';

/** The body that asked for the review (or, for a self-initiated one, the body it addresses). */
@Embeddable()
@ObjectType('Agency', { description: 'The body that asked for the review, or that a self-initiated review addresses.' })
export class Agency {
  @Property({ type: 'text' })
  @Field(() => String, { description: 'Name, e.g. "Ủy ban nhân dân tỉnh Sóc Trăng".' })
  name!: string;

  @Enum({ items: () => AgencyLevel, type: 'text' })
  @Field(() => AgencyLevel, { description: 'The kind of body.' })
  level!: AgencyLevel;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Contact (office, person, address) as given.' })
  contact?: string | null;

  constructor(init: Partial<Agency> = {}) {
    Object.assign(this, init);
  }
}

@Entity({ tableName: 'consultation_request' })
@Index({ name: 'consultation_request_received_idx', expression: 'create index "consultation_request_received_idx" on "consultation_request" ("received_on" desc, "id" desc)' })
@Index({ name: 'consultation_request_due_idx', expression: `create index "consultation_request_due_idx" on "consultation_request" (coalesce("due_on", 'infinity'::date), "id")` })
@Index({ name: 'consultation_request_title_vi_idx', expression: 'create index "consultation_request_title_vi_idx" on "consultation_request" ("title" collate "vi-x-icu", "id")' })
@Index({ name: 'consultation_request_search_trgm_idx', expression: 'create index "consultation_request_search_trgm_idx" on "consultation_request" using gin ("search_text" gin_trgm_ops)' })
@Index({ name: 'consultation_request_status_idx', expression: 'create index "consultation_request_status_idx" on "consultation_request" ("status", "received_on" desc, "id" desc)' })
@Index({ name: 'consultation_request_kind_idx', expression: 'create index "consultation_request_kind_idx" on "consultation_request" ("kind", "received_on" desc, "id" desc)' })
@Index({ name: 'consultation_request_origin_idx', expression: 'create index "consultation_request_origin_idx" on "consultation_request" ("origin", "received_on" desc, "id" desc)' })
@Index({ name: 'consultation_request_agency_level_idx', expression: 'create index "consultation_request_agency_level_idx" on "consultation_request" ("agency_level", "received_on" desc, "id" desc)' })
@Index({ name: 'consultation_request_federation_idx', expression: 'create index "consultation_request_federation_idx" on "consultation_request" ("federation_id", "received_on" desc, "id" desc)' })
// A federation's requests by due date (its desk's usual list): without it, the whole table is sorted.
@Index({
  name: 'consultation_request_federation_due_idx',
  expression: `create index "consultation_request_federation_due_idx" on "consultation_request" ("federation_id", coalesce("due_on", 'infinity'::date), "id")`,
})
@Index({
  name: 'consultation_request_open_due_idx',
  expression: `create index "consultation_request_open_due_idx" on "consultation_request" ("due_on", "id") where "status" in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW')`,
})
@Index({ name: 'consultation_request_fields_gin_idx', expression: 'create index "consultation_request_fields_gin_idx" on "consultation_request" using gin ("fields")' })
@ObjectType('ConsultationRequest', {
  implements: Node,
  description:
    'A request for consultation (tư vấn), social critique (phản biện xã hội) or social assessment (giám định xã hội) of a policy, programme or project, ' +
    "from its receipt to the agency's response. CONFIDENTIAL requests are seen only by ADMIN, ANALYST and the associations involved; for anyone else they do not exist.",
})
export class ConsultationRequest extends BaseEntity<'searchText' | 'fields' | 'version' | 'demo' | 'fieldList' | 'overdue' | 'requestDocument' | 'summary'> {
  @ManyToOne(() => Federation)
  federation!: Federation;

  @Enum({ items: () => ConsultationKind, type: 'text' })
  @Field(() => ConsultationKind, { description: 'Consultation, social critique or social assessment.' })
  kind!: ConsultationKind;

  @Enum({ items: () => SubjectKind, type: 'text' })
  @Field(() => SubjectKind, { description: 'What is under review.' })
  subjectKind!: SubjectKind;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Title, in Vietnamese.' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Summary of what is asked and why.' })
  summary?: string | null;

  /** Title and summary folded (f_fold), computed by PostgreSQL: search reads it (trigram index). */
  @Property({ type: 'text', generated: `(f_fold(title || ' ' || coalesce(summary, ''))) stored`, nullable: true, lazy: true })
  searchText?: string | null;

  @Enum({ items: () => ConsultationOrigin, type: 'text' })
  @Field(() => ConsultationOrigin, { description: 'Asked for by an agency, or taken up by the federation itself.' })
  origin!: ConsultationOrigin;

  @Embedded(() => Agency, { prefix: 'agency_' })
  @Field(() => Agency, { description: 'The body that asked (or that a self-initiated review addresses).' })
  agency!: Agency;

  @Embedded(() => LegalDocument, { prefix: 'request_document_', nullable: true })
  @Field(() => LegalDocument, { nullable: true, description: "The agency's request letter (number, date, issuer, title); null for a self-initiated review." })
  requestDocument?: LegalDocument | null;

  @Enum({ items: () => ConsultationFormat, type: 'text' })
  @Field(() => ConsultationFormat, { description: 'How the review is held.' })
  format!: ConsultationFormat;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'Date the request was received (or, self-initiated, taken up).' })
  receivedOn!: string;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the report is due; null when none was set.' })
  dueOn?: string | null;

  @Enum({ items: () => ConsultationVisibility, type: 'text' })
  @Field(() => ConsultationVisibility, { description: 'PUBLIC or CONFIDENTIAL.' })
  visibility!: ConsultationVisibility;

  @Enum({ items: () => ConsultationStatus, type: 'text' })
  @Field(() => ConsultationStatus, { description: 'Where the request stands in its lifecycle (see ConsultationStatus).' })
  status!: ConsultationStatus;

  /** OECD FOS codes of the subject: expertCandidates ranks people by their overlap with them. */
  @Property({ type: 'text[]', default: '{}' })
  fields: string[] = [];

  @Field(() => [ScienceField], { name: 'fields', description: 'Fields of science the subject touches (OECD FOS 2007), used to find expert candidates.' })
  get fieldList(): ScienceField[] {
    return this.fields.map(ScienceField.of);
  }

  @Field(() => Boolean, { description: 'True when the due date (Vietnam time) has passed and no report has been submitted (the request is still before REPORT_SUBMITTED).' })
  get overdue(): boolean {
    return !!this.dueOn && this.dueOn < todayInVietnam() && BEFORE_REPORT.includes(this.status);
  }

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every change to the request (its fields, status, documents, assignment, panel, report or response); pass it as expectedVersion.' })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/** A document under review in a request, in the order added. */
@Entity({ tableName: 'consultation_request_document' })
@Unique({ name: 'consultation_request_document_key', properties: ['request', 'document'] })
@Index({ name: 'consultation_request_document_document_idx', properties: ['document'] })
export class ConsultationRequestDocument {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @ManyToOne(() => PolicyDocument)
  document!: PolicyDocument;

  @Property({ type: 'integer' })
  position!: number;
}

/** An association assigned to a request: its one lead, or a contributor. */
@Entity({ tableName: 'consultation_assignment' })
@Unique({ name: 'consultation_assignment_key', properties: ['request', 'association'] })
@Index({ name: 'consultation_assignment_lead_key', expression: `create unique index "consultation_assignment_lead_key" on "consultation_assignment" ("request_id") where "role" = 'LEAD'` })
@Index({ name: 'consultation_assignment_association_idx', properties: ['association', 'request'] })
export class ConsultationAssignment {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @ManyToOne(() => Association)
  association!: Association;

  @Enum({ items: () => AssignmentRole, type: 'text' })
  role!: AssignmentRole;
}

/** One move of a request's lifecycle (its creation included: `from` null). */
@Entity({ tableName: 'consultation_transition' })
@Index({ name: 'consultation_transition_request_idx', properties: ['request', 'id'] })
@ObjectType('ConsultationTransition', { description: "One move in a request's lifecycle: who, when, from, to, and the note given." })
export class ConsultationTransition {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @Enum({ items: () => ConsultationStatus, type: 'text', nullable: true })
  @Field(() => ConsultationStatus, { nullable: true, description: 'The status before; null for the creation of the request.' })
  from?: ConsultationStatus | null;

  @Enum({ items: () => ConsultationStatus, type: 'text' })
  @Field(() => ConsultationStatus, { description: 'The status after.' })
  to!: ConsultationStatus;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The note given with the move (required when declining, withdrawing or closing without a response).' })
  note?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => DateTimeResolver, { description: 'When the move was committed.' })
  at: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  keyId?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Label of the API key that made the move; null for the command line and the demo data.' })
  by?: string | null;
}
