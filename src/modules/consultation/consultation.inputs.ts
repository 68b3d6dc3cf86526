import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { LocalDateScalar } from '../../common/scalars';
import { AgencyLevel, ConsultationKind, ConsultationOrder, ConsultationOrigin, ConsultationStatus, OpinionStance } from './consultation.enums';

@InputType('ConsultationRequestFilter', { description: 'Conditions a consultation request must meet; omitted ones do not filter.' })
export class ConsultationRequestFilter {
  @Field(() => ConsultationKind, { nullable: true, description: 'Only requests of this kind.' })
  kind?: ConsultationKind | null;

  @Field(() => ConsultationStatus, { nullable: true, description: 'Only requests in this status.' })
  status?: ConsultationStatus | null;

  @Field(() => ConsultationOrigin, { nullable: true, description: 'Only requests of this origin.' })
  origin?: ConsultationOrigin | null;

  @Field(() => AgencyLevel, { nullable: true, description: 'Only requests from an agency of this level.' })
  agencyLevel?: AgencyLevel | null;

  @Field(() => String, { nullable: true, description: 'Only requests assigned to the association with this code (as lead or contributor).' })
  @MaxChars(64)
  associationCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'When true, only overdue requests (due date passed, Vietnam time, and no report submitted); when false, only those not overdue.' })
  overdue?: boolean | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only requests due before this date (dueOn earlier than it; requests without a due date never match).' })
  dueBefore?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only requests received after this date (receivedOn later than it).' })
  receivedAfter?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case- and diacritic-insensitive search in the title and summary ("phan bien" finds "phản biện"), 2 to 100 characters. When given, results are ranked by similarity (orderBy is not used).',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Only requests of the federation with this code.' })
  @MaxChars(64)
  federationCode?: string | null;
}

@ArgsType()
export class ConsultationRequestsArgs extends PageArgs {
  @Field(() => ConsultationRequestFilter, { nullable: true, description: 'Conditions on the requests.' })
  filter?: ConsultationRequestFilter | null;

  @Field(() => ConsultationOrder, { defaultValue: ConsultationOrder.RECEIVED_DESC, description: 'Order of the list (default RECEIVED_DESC).' })
  orderBy: ConsultationOrder = ConsultationOrder.RECEIVED_DESC;
}

@InputType('OpinionFilter', { description: 'Conditions an opinion must meet; omitted ones do not filter.' })
export class OpinionFilter {
  @Field(() => OpinionStance, { nullable: true, description: 'Only opinions with this stance.' })
  stance?: OpinionStance | null;

  @Field(() => String, { nullable: true, description: 'Only opinions given or submitted by the association with this code.' })
  @MaxChars(64)
  associationCode?: string | null;
}

@ArgsType()
export class OpinionsArgs extends PageArgs {
  @Field(() => OpinionFilter, { nullable: true, description: 'Conditions on the opinions.' })
  filter?: OpinionFilter | null;
}

@ArgsType()
export class ExpertCandidatesArgs extends PageArgs {
  @Field(() => ID, { description: 'The request (a ConsultationRequest id) to find experts for.' })
  requestId!: string;

  @Field(() => [String], {
    nullable: true,
    description: "Fields of science (OECD FOS codes) to match instead of the request's own; a major field (\"3\") also matches its subfields (\"3.2\"). At most 50.",
  })
  fields?: string[] | null;
}
