import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../common/user-errors';
import { Association } from './association.entity';

@ObjectType('AssociationPayload', { description: 'The result of a change to an association.' })
export class AssociationPayload {
  @Field(() => Association, {
    nullable: true,
    description: 'The association as it is now: changed on success; unchanged on CONFLICT (so the caller can merge and retry); null when it does not exist.',
  })
  association!: Association | null;

  @Field(() => [UserError], { description: 'Every problem found in the input; empty on success. With any, nothing was written.' })
  userErrors!: UserError[];
}
