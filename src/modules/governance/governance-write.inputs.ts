import { Field, ID, InputType, Int } from 'type-graphql';
import { IdempotentInput } from '../../common/mutation';
import { LocalDateScalar } from '../../common/scalars';
import { LegalDocumentInput } from '../federation/federation-write.inputs';
import { Office, SeatEndReason, SeatFilledBy } from './governance.enums';

@InputType('CongressResolutionInput', {
  description: 'A resolution of a congress: a policy document (policyDocumentId), or a title with an optional link and date; at least one of policyDocumentId and title.',
})
export class CongressResolutionInput {
  @Field(() => ID, { nullable: true, description: 'The document the congress adopted (a PolicyDocument id).' })
  policyDocumentId?: string | null;

  @Field(() => String, { nullable: true, description: "Title, in Vietnamese (at most 500 characters); with a document, it replaces the document's title." })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the text can be read (an http(s) URL).' })
  url?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date adopted.' })
  adoptedOn?: string | null;
}

@InputType('CreateCongressInput', { description: 'A congress of a federation (ADMIN only), and by default the term it opens with its four bodies.' })
export class CreateCongressInput extends IdempotentInput {
  @Field(() => String, { description: 'Code of the federation.' })
  federationCode!: string;

  @Field(() => Int, { description: 'Its number within the federation (1 to 999), unique there (ALREADY_EXISTS otherwise).' })
  ordinal!: number;

  @Field(() => String, { description: 'Name, in Vietnamese (1 to 300 characters).' })
  name!: string;

  @Field(() => LocalDateScalar, { description: 'First day of the congress.' })
  startsOn!: string;

  @Field(() => LocalDateScalar, { description: 'Last day of the congress; not before startsOn (INVALID_DATE).' })
  endsOn!: string;

  @Field(() => String, { nullable: true, description: 'Where it met (at most 300 characters).' })
  place?: string | null;

  @Field(() => String, { nullable: true, description: 'What it was about (at most 20,000 characters, line breaks kept).' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'Whether the congress opens a term (the default): from startsOn, termYears long, with its four bodies (TERMS_OVERLAP when another term of the federation shares a day).' })
  openTerm?: boolean | null;

  @Field(() => Int, { nullable: true, defaultValue: 5, description: 'Length of the term opened, in years (1 to 10; 5 by default): it ends the day before the same date termYears later.' })
  termYears?: number | null;

  @Field(() => [CongressResolutionInput], { nullable: true, description: 'Its resolutions, in order (at most 100).' })
  resolutions?: CongressResolutionInput[] | null;
}

@InputType('DelegateRowInput', {
  description: 'One delegate of addDelegates, as plain strings: every bad row comes back in userErrors with its path (["delegates", 17, "intellectualId"]).',
})
export class DelegateRowInput {
  @Field(() => String, { description: 'The person (an Intellectual id); once per congress.' })
  intellectualId!: string;

  @Field(() => String, { nullable: true, description: "Code of the member association the delegate represents (one of the congress's federation)." })
  associationCode?: string | null;

  @Field(() => String, { description: 'How the delegate came: ELECTED, EX_OFFICIO or INVITED (a DelegateKind).' })
  kind!: string;
}

@InputType('AddDelegatesInput', { description: 'Delegates to add to a congress (ADMIN only): all of them, or none when any row is wrong.' })
export class AddDelegatesInput extends IdempotentInput {
  @Field(() => ID, { description: 'The congress (a Congress id).' })
  congressId!: string;

  @Field(() => [DelegateRowInput], { description: '1 to 1,000 delegates; a person already a delegate of the congress (ALREADY_EXISTS) or twice in the list (DUPLICATE) is an error on that row.' })
  delegates!: DelegateRowInput[];
}

@InputType('CreateTermInput', { description: 'A term of a federation (ADMIN only), with its four governing bodies.' })
export class CreateTermInput extends IdempotentInput {
  @Field(() => String, { description: 'Code of the federation.' })
  federationCode!: string;

  @Field(() => ID, { nullable: true, description: 'The congress that opened it (a Congress id of the same federation, without a term yet).' })
  congressId?: string | null;

  @Field(() => LocalDateScalar, { description: 'First day of the term.' })
  startsOn!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day of the term (inclusive); by default the day before the same date five years later. No other term of the federation may share a day with it (TERMS_OVERLAP).' })
  endsOn?: string | null;
}

@InputType('AddSeatInput', { description: 'A seat on a governing body (ADMIN only), checked against every rule: INVALID_OFFICE, OUTSIDE_TERM, NOT_ON_EXECUTIVE_COMMITTEE, OFFICE_TAKEN.' })
export class AddSeatInput extends IdempotentInput {
  @Field(() => ID, { description: 'The body (a GoverningBody id).' })
  bodyId!: string;

  @Field(() => ID, { description: 'The holder (an Intellectual id).' })
  intellectualId!: string;

  @Field(() => Office, { description: 'The office; one the body has (INVALID_OFFICE otherwise).' })
  office!: Office;

  @Field(() => String, { nullable: true, description: "Code of the member association the holder represents (one of the term's federation)." })
  associationCode?: string | null;

  @Field(() => SeatFilledBy, { description: 'How the seat was filled.' })
  filledBy!: SeatFilledBy;

  @Field(() => ID, { nullable: true, description: 'The electing body (a GoverningBody id): required with ELECTED_BY_BODY, another body of the same term; not given otherwise.' })
  electedByBodyId?: string | null;

  @Field(() => LegalDocumentInput, { nullable: true, description: 'The decision that appointed or recognised the holder: required with APPOINTED (number and date).' })
  decision?: LegalDocumentInput | null;

  @Field(() => LocalDateScalar, { nullable: true, description: "First day in the seat; the term's first day by default. Inside the term (OUTSIDE_TERM)." })
  startsOn?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day in the seat (inclusive), if known: not before startsOn nor after the end of the term (OUTSIDE_TERM). Null: held to the end of the term.' })
  endsOn?: string | null;
}

@InputType('EndSeatInput', { description: 'Ends a seat (ADMIN only): a seat ended already is INVALID_TRANSITION.' })
export class EndSeatInput extends IdempotentInput {
  @Field(() => ID, { description: 'The seat (a Seat id).' })
  seatId!: string;

  @Field(() => LocalDateScalar, { description: 'Last day in the seat (inclusive): not before its first day nor after the end of its term (OUTSIDE_TERM).' })
  endsOn!: string;

  @Field(() => SeatEndReason, { description: 'Why it ended.' })
  reason!: SeatEndReason;

  @Field(() => String, { nullable: true, description: 'A note (at most 2,000 characters), e.g. the reason when it is OTHER.' })
  note?: string | null;

  @Field(() => Int, { nullable: true, description: 'The `version` the caller last read, if it wants the end refused (CONFLICT) when the seat changed since.' })
  expectedVersion?: number | null;
}

@InputType('UpdateSeatInput', {
  description:
    'Changes a seat, guarded by its version (ADMIN only); every rule is checked again on the result (the seat itself excluded). Omitted fields keep their value; null clears associationCode, endsOn (and with it the end reason and note: the seat is held again) and decision.',
})
export class UpdateSeatInput extends IdempotentInput {
  @Field(() => ID, { description: 'The seat (a Seat id).' })
  seatId!: string;

  @Field(() => Int, { description: 'The `version` the caller last read; if the seat changed since, nothing is written and CONFLICT comes back with the seat as it is now.' })
  expectedVersion!: number;

  @Field(() => Office, { nullable: true, description: 'Another office on the same body.' })
  office?: Office | null;

  @Field(() => String, { nullable: true, description: 'Code of the association represented; null clears it.' })
  associationCode?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day in the seat (never null).' })
  startsOn?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day in the seat; null: held to the end of the term.' })
  endsOn?: string | null;

  @Field(() => LegalDocumentInput, { nullable: true, description: 'The decision, given whole; null clears it (not for an APPOINTED seat).' })
  decision?: LegalDocumentInput | null;
}
