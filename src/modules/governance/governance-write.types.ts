import { Field, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/user-errors';
import { Congress, Seat, Term } from './governance.entity';

const USER_ERRORS = 'Every problem found in the input; empty on success. With any, nothing was written.';

@ObjectType('CreateCongressPayload', { description: 'The result of recording a congress.' })
export class CreateCongressPayload {
  @Field(() => Congress, { nullable: true, description: 'The congress recorded; null when refused.' })
  congress!: Congress | null;

  @Field(() => Term, { nullable: true, description: 'The term it opened (with its four bodies); null without openTerm or when refused.' })
  term!: Term | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('AddDelegatesPayload', { description: 'The result of adding delegates to a congress.' })
export class AddDelegatesPayload {
  @Field(() => Congress, { nullable: true, description: 'The congress; null when it does not exist.' })
  congress!: Congress | null;

  @Field(() => Int, { description: 'How many delegates were added: all the rows given, or 0 when refused.' })
  added!: number;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('CreateTermPayload', { description: 'The result of recording a term.' })
export class CreateTermPayload {
  @Field(() => Term, { nullable: true, description: 'The term recorded, with its four bodies; null when refused.' })
  term!: Term | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('SeatPayload', { description: 'The result of adding, ending or changing a seat.' })
export class SeatPayload {
  @Field(() => Seat, {
    nullable: true,
    description: 'The seat as it is now: new or changed on success; unchanged when a change to an existing seat is refused (on CONFLICT, so the caller can read its version and retry); null otherwise.',
  })
  seat!: Seat | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}
