import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/user-errors';

export enum PushOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  ENDED = 'ENDED',
  ALREADY_ENDED = 'ALREADY_ENDED',
}
registerEnumType(PushOutcome, {
  name: 'PushOutcome',
  description: 'What a write did to one row.',
  valuesConfig: {
    CREATED: { description: 'A new person and membership.' },
    UPDATED: { description: 'Something changed (an ended membership pushed again is reactivated: UPDATED).' },
    UNCHANGED: { description: 'Identical to what the hub held: nothing written.' },
    ENDED: { description: 'The membership ended now.' },
    ALREADY_ENDED: { description: 'The membership had ended before: nothing written.' },
  },
});

@ObjectType('PushResult', { description: 'What happened to one row of a push.' })
export class PushResult {
  @Field(() => String, { description: "The association's id of the member." })
  externalId!: string;

  // Not `id`: a normalised client cache (Apollo Client) takes `id` for the result's own identity.
  @Field(() => ID, { description: 'Global id of the person (Intellectual) in the hub; pass it to `node(id:)`.' })
  intellectualId!: string;

  @Field(() => ID, { description: 'Global id of the membership in the hub; pass it to `node(id:)`.' })
  membershipId!: string;

  @Field(() => PushOutcome, { description: 'What the push did to this row.' })
  outcome!: PushOutcome;
}

@ObjectType('UpsertMembersPayload', { description: 'The result of upsertMembers. With any userErrors, nothing was written and the counts are 0.' })
export class UpsertMembersPayload {
  @Field(() => Int, { description: 'Rows that created a person and membership.' })
  created!: number;

  @Field(() => Int, { description: 'Rows that changed something.' })
  updated!: number;

  @Field(() => Int, { description: 'Rows identical to what the hub held.' })
  unchanged!: number;

  @Field(() => [PushResult], { description: 'One result per row, in input order (empty when there are userErrors).' })
  results!: PushResult[];

  @Field(() => [UserError], { description: 'Every problem found in the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('EndMembershipsPayload', { description: 'The result of endMemberships. With any userErrors, nothing was written.' })
export class EndMembershipsPayload {
  @Field(() => Int, { description: 'Memberships ended by this call.' })
  ended!: number;

  @Field(() => [PushResult], { description: 'One result per externalId, in input order.' })
  results!: PushResult[];

  @Field(() => [UserError], { description: 'Every problem found in the input; empty on success.' })
  userErrors!: UserError[];
}
