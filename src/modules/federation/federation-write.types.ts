import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../common/user-errors';
import { Federation } from './federation.entity';

@ObjectType('FederationPayload', { description: 'The result of creating a federation.' })
export class FederationPayload {
  @Field(() => Federation, { nullable: true, description: 'The new federation; null when there are userErrors.' })
  federation!: Federation | null;

  @Field(() => [UserError], { description: 'Every problem found in the input; with any, nothing was written.' })
  userErrors!: UserError[];
}
