import { Field, InputType } from 'type-graphql';

/**
 * One member row of a push. Every value is a plain string (or list of strings), checked by the
 * service row by row, so that each problem comes back with its path (["members", 17, "email"]).
 * An omitted field keeps its stored value; null clears it.
 */
@InputType('MemberInput', { description: "One member as the association's app knows it. Omitted fields keep their value; null clears them." })
export class MemberInput {
  @Field(() => String, { nullable: true, description: "The association's own id for this member (required, unique within the association, at most 100 characters)." })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'Full name in Vietnamese order (required for a new member, never empty).' })
  fullName?: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address (personal data).' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Telephone number (personal data).' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'Date of birth, YYYY-MM-DD, not in the future (personal data).' })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'FEMALE, MALE, OTHER or UNDISCLOSED (null: UNDISCLOSED).' })
  gender?: string | null;

  @Field(() => String, { nullable: true, description: 'Highest degree: TSKH, TS, THS, CKII, CKI, BS, DS, KS, CN or OTHER.' })
  degree?: string | null;

  @Field(() => String, { nullable: true, description: 'GS, PGS or NONE (null: NONE).' })
  academicTitle?: string | null;

  @Field(() => [String], { nullable: true, description: 'Fields of expertise, OECD FOS 2007 codes such as "3.2" (null: none).' })
  fields?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Workplace.' })
  workplace?: string | null;

  @Field(() => String, { nullable: true, description: 'Position at the workplace.' })
  position?: string | null;

  @Field(() => String, { nullable: true, description: 'Member number on the association card.' })
  memberNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'Date admitted, YYYY-MM-DD, not in the future.' })
  joinedOn?: string | null;

  @Field(() => String, { nullable: true, description: 'MEMBER, EXECUTIVE, PRESIDENT, VICE_PRESIDENT, SECRETARY_GENERAL or HONORARY (null: MEMBER).' })
  role?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Consent to a public profile (null: no).' })
  publicProfile?: boolean | null;
}

@InputType('UpsertMembersInput', { description: "A push of an association's members: created or updated by externalId, all or nothing." })
export class UpsertMembersInput {
  @Field(() => String, { description: 'The association the members belong to; an ASSOCIATION key may push only to its own.' })
  associationCode!: string;

  @Field(() => String, {
    description:
      'Chosen by the caller, unique per push (1 to 200 characters: letters, digits, . _ : -). Repeating a push with the same key within 24 hours returns the first response and writes nothing more.',
  })
  idempotencyKey!: string;

  @Field(() => [MemberInput], { description: 'The members, at most 5,000 per call.' })
  members!: MemberInput[];
}

@InputType('EndMembershipsInput', { description: 'Ends memberships (history stays): all or nothing.' })
export class EndMembershipsInput {
  @Field(() => String, { description: 'The association; an ASSOCIATION key may end only its own memberships.' })
  associationCode!: string;

  @Field(() => [String], { description: "The association's ids of the members whose membership ends (at most 5,000)." })
  externalIds!: string[];

  @Field(() => String, { nullable: true, description: 'Date the memberships ended, YYYY-MM-DD, not in the future and not before they began (default: today in Vietnam).' })
  leftOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Why they ended (at most 500 characters), kept with each membership.' })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'Optional idempotency key, as for upsertMembers.' })
  idempotencyKey?: string | null;
}
