import { Field, Int, ObjectType } from 'type-graphql';
import { LocalDateScalar } from '../../common/scalars';
import { UserError } from '../../common/user-errors';
import { Federation } from '../federation/federation.entity';

@ObjectType('MergeFederationPayload', { description: 'The result of mergeFederation.' })
export class MergeFederationPayload {
  @Field(() => Federation, { nullable: true, description: 'The federation that merged, now MERGED with its successor, date and decision; null when there are userErrors.' })
  federation!: Federation | null;

  @Field(() => Federation, { nullable: true, description: 'The successor, which now has the associations; null when there are userErrors.' })
  successor!: Federation | null;

  @Field(() => Int, { description: 'Associations moved to the successor (each with a closed period in its federationHistory).' })
  movedAssociations!: number;

  @Field(() => Int, { description: 'Seats of the merged federation that were open on the merger date and ended the day before (endReason FEDERATION_MERGED).' })
  endedSeats!: number;

  @Field(() => [UserError], { description: 'Every problem found in the input; with any, nothing was written.' })
  userErrors!: UserError[];
}

/** A period of an association in a federation (Association.federationHistory). */
@ObjectType('FederationPeriod', { description: "A period of an association's membership in a federation: from when to when it belonged to it." })
export class FederationPeriod {
  /** The federation's id (the `federation` field loads it). */
  federationId!: number;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day in the federation; null when not known (e.g. no joining date was recorded).' })
  from!: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day no longer in it (exclusive), e.g. the merger date; null for the current federation.' })
  to!: string | null;
}
