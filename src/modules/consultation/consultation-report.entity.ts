import { Entity, Enum, ManyToOne, OneToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { LocalDateScalar, URLScalar } from '../../common/scalars';
import { RecommendationOutcome } from './consultation.enums';
import { ConsultationRequest } from './consultation-request.entity';
import { PolicyDocumentSection } from './policy-document.entity';

/**
 * The federation's final report on a request (a draft until the request moves to
 * REPORT_SUBMITTED), and the agency's response to it once recorded.
 */
@Entity({ tableName: 'consultation_report' })
@ObjectType('ConsultationReport', {
  description: "The federation's final report: summary, numbered recommendations, date and link. Public on a PUBLIC request once submitted (REPORT_SUBMITTED and after).",
})
export class ConsultationReport {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @OneToOne(() => ConsultationRequest, { owner: true, unique: 'consultation_report_request_key', deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Summary of the findings.' })
  summary!: string;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the report was (or is to be) sent to the agency.' })
  submittedOn?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => URLScalar, { nullable: true, description: 'Where the full report is published.' })
  link?: string | null;

  @Property({ type: 'date', nullable: true })
  responseReceivedOn?: string | null;

  @Enum({ items: () => RecommendationOutcome, type: 'text', nullable: true })
  responseOverall?: RecommendationOutcome | null;

  @Property({ type: 'text', nullable: true })
  responseNote?: string | null;
}

/** A numbered recommendation of a report, and what the agency did with it (once answered). */
@Entity({ tableName: 'consultation_recommendation' })
@Unique({ name: 'consultation_recommendation_number_key', properties: ['request', 'number'] })
@ObjectType('Recommendation', { description: 'A numbered recommendation of a report.' })
export class Recommendation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Its number in the report, from 1.' })
  number!: number;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The recommendation.' })
  text!: string;

  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;

  /** The forum whose synthesis it was copied from (attachSynthesisToRequest); null when written in the report. */
  @Property({ type: 'integer', nullable: true })
  sourceForumId?: number | null;

  /** The agency's answer to it; part of the response, not of the report. */
  @Enum({ items: () => RecommendationOutcome, type: 'text', nullable: true })
  outcome?: RecommendationOutcome | null;
}
