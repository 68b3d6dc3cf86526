import { ArgsType, Field, InputType } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { AcademicTitle, Degree, MembershipRole, MembershipStatus } from './intellectual.enums';
import { IntellectualOrder, MembershipOrder } from './intellectual.types';

@InputType('IntellectualFilter', { description: 'Conditions a person must meet; omitted ones do not filter.' })
export class IntellectualFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Case- and diacritic-insensitive search in the full name ("nguyen van duc" finds "Nguyễn Văn Đức"), 2 to 100 characters. When given, results are ranked by similarity.',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Field of expertise code (OECD FOS 2007); a major field ("2") also matches its subfields ("2.3").' })
  @MaxChars(8)
  field?: string | null;

  @Field(() => Degree, { nullable: true, description: 'Only people whose highest degree is this one.' })
  degree?: Degree | null;

  @Field(() => AcademicTitle, { nullable: true, description: 'Only people with this academic title.' })
  academicTitle?: AcademicTitle | null;

  @Field(() => String, { nullable: true, description: 'Only members of the association with this code.' })
  @MaxChars(64)
  associationCode?: string | null;

  @Field(() => MembershipStatus, {
    nullable: true,
    description: 'Only people holding a membership with this status (in `associationCode` when given, else in any association).',
  })
  status?: MembershipStatus | null;
}

@ArgsType()
export class IntellectualsArgs extends PageArgs {
  @Field(() => IntellectualFilter, { nullable: true, description: 'Conditions on the people.' })
  filter?: IntellectualFilter | null;

  @Field(() => IntellectualOrder, { defaultValue: IntellectualOrder.VIETNAMESE_NAME, description: 'Order of the list (default VIETNAMESE_NAME).' })
  orderBy: IntellectualOrder = IntellectualOrder.VIETNAMESE_NAME;
}

@InputType('MembershipFilter', { description: 'Conditions a membership must meet; omitted ones do not filter.' })
export class MembershipFilter {
  @Field(() => MembershipStatus, { nullable: true, description: 'Only memberships with this status.' })
  status?: MembershipStatus | null;

  @Field(() => MembershipRole, { nullable: true, description: 'Only memberships with this role.' })
  role?: MembershipRole | null;
}

/** Association.members: a roll of people, in Vietnamese name order by default. */
@ArgsType()
export class MembershipsArgs extends PageArgs {
  @Field(() => MembershipFilter, { nullable: true, description: 'Conditions on the memberships.' })
  filter?: MembershipFilter | null;

  @Field(() => MembershipOrder, { defaultValue: MembershipOrder.VIETNAMESE_NAME, description: 'Order of the list (default VIETNAMESE_NAME).' })
  orderBy: MembershipOrder = MembershipOrder.VIETNAMESE_NAME;
}

/**
 * Intellectual.memberships: one person's associations, read as a history, most recently joined
 * first (every membership of one person has the same name, so a name order means nothing here).
 */
@ArgsType()
export class IntellectualMembershipsArgs extends PageArgs {
  @Field(() => MembershipFilter, { nullable: true, description: 'Conditions on the memberships.' })
  filter?: MembershipFilter | null;

  @Field(() => MembershipOrder, { defaultValue: MembershipOrder.RECENTLY_JOINED, description: 'Order of the list (default RECENTLY_JOINED).' })
  orderBy: MembershipOrder = MembershipOrder.RECENTLY_JOINED;
}
