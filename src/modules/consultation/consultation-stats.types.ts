import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Range } from '../../common/arg-rules';
import { ConsultationKind, ConsultationOrigin, ConsultationStatus, RecommendationOutcome } from './consultation.enums';

/** Years a statistic may be asked for: receivedOn is a date of the hub's era, not a typo's. */
export const STATS_FIRST_YEAR = 1990;
export const STATS_LAST_YEAR = 2100;

@ArgsType()
export class ConsultationStatsArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Only requests received in this calendar year (receivedOn), ${STATS_FIRST_YEAR} to ${STATS_LAST_YEAR}; all years when omitted.`,
  })
  @Range(STATS_FIRST_YEAR, STATS_LAST_YEAR)
  year?: number | null;
}

/**
 * The root of a federation's consultation figures: which federation, which year. The figures are
 * field resolvers, each loaded when asked for, batched across federations (consultation-stats.loaders.ts).
 */
@ObjectType('ConsultationStats', {
  description:
    "Figures on a federation's consultation, social critique and social assessment requests, over the requests the caller may see " +
    '(anonymous callers: PUBLIC requests only; association keys: PUBLIC ones and those they are involved in; ANALYST and ADMIN: all), ' +
    'optionally one year of receipt. Opinions and recommendation outcomes count only where the caller sees the inside of the request. ' +
    'Counts are exact: requests are records of public bodies, not personal data.',
})
export class ConsultationStats {
  constructor(
    readonly federationId: number,
    readonly year: number | null,
  ) {}
}

@ObjectType('ConsultationKindCount', { description: 'Requests of one kind.' })
export class ConsultationKindCount {
  @Field(() => ConsultationKind, { description: 'The kind.' })
  key!: ConsultationKind;

  @Field(() => Int, { description: 'Requests of this kind (0 included).' })
  count!: number;
}

@ObjectType('ConsultationStatusCount', { description: 'Requests in one status.' })
export class ConsultationStatusCount {
  @Field(() => ConsultationStatus, { description: 'The status.' })
  key!: ConsultationStatus;

  @Field(() => Int, { description: 'Requests now in this status (0 included).' })
  count!: number;
}

@ObjectType('ConsultationOriginCount', { description: 'Requests of one origin.' })
export class ConsultationOriginCount {
  @Field(() => ConsultationOrigin, { description: 'The origin.' })
  key!: ConsultationOrigin;

  @Field(() => Int, { description: 'Requests of this origin (0 included).' })
  count!: number;
}

@ObjectType('ConsultationYearCount', { description: 'Requests received in one calendar year.' })
export class ConsultationYearCount {
  @Field(() => Int, { description: 'The year of receipt (receivedOn).' })
  year!: number;

  @Field(() => Int, { description: 'Requests received that year.' })
  count!: number;
}

@ObjectType('AssociationOpinionCount', { description: 'Opinions recorded for one association.' })
export class AssociationOpinionCount {
  /** The association (its field `association` is resolved from it, batched). */
  associationId!: number;

  @Field(() => Int, { description: 'Opinions it gave or submitted (its own and its members’ on panels).' })
  count!: number;
}

@ObjectType('RecommendationOutcomeCount', { description: 'Recommendations the agency answered in one way.' })
export class RecommendationOutcomeCount {
  @Field(() => RecommendationOutcome, { description: 'The outcome.' })
  outcome!: RecommendationOutcome;

  @Field(() => Int, { description: 'Recommendations with this outcome (0 included).' })
  count!: number;
}

export const CONSULTATION_STATS_DESCRIPTIONS = {
  total: 'Requests counted (those the caller may see, of the year when one is given).',
  byKind: 'Requests per kind, every kind listed (0 included), in the enum’s order.',
  byStatus: 'Requests per current status, every status listed (0 included), in lifecycle order.',
  byOrigin: 'Requests per origin, every origin listed (0 included).',
  byYear: 'Requests per year of receipt, oldest first; only years that have requests.',
  medianDaysToReport:
    'Median days from receipt (receivedOn) to the report (submittedOn), over the requests whose report has been submitted (REPORT_SUBMITTED, RESPONSE_RECEIVED, CLOSED) and dated; null when there is none.',
  onTimeRate:
    'Share (0 to 1) of submitted reports sent by the due date (submittedOn ≤ dueOn), among submitted, dated reports of requests with a due date; null when there is none.',
  opinionsPerAssociation:
    'Opinions per association that gave or submitted them, largest first, then by association code. Only opinions the caller may see: none for anonymous callers; an association key sees those on requests it is involved in. Opinions ADMIN entered for a panel member without an association are not counted.',
  outcomes:
    "The agency's answers to the recommendations, per outcome, every outcome listed (0 included). Only where the caller sees the inside of the request (ADMIN, ANALYST, the associations involved): all zeros for anonymous callers.",
} as const;
