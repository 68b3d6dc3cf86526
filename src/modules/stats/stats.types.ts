import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('StatBucket', { description: 'One group of a breakdown: its key, a readable label where there is one, and how many it holds.' })
export class StatBucket {
  @Field(() => String, {
    description:
      'What the group is: an enum value (e.g. "TS", "FEMALE"), a field code ("3.2"), an association code, a decade ("1970s") or a year ("2021"); "UNKNOWN" where the value is missing.',
  })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Readable label where the key has one (field and association names, in Vietnamese).' })
  label!: string | null;

  @Field(() => Int, { description: 'How many are in the group.' })
  count!: number;
}

/** Which statistics: a federation (with its member federations) or one association. */
export type StatsScope = 'federation' | 'association';

export interface StatsRoot {
  scope: StatsScope;
  id: number;
}

const PEOPLE_NOTE =
  'People with an active membership in scope; a person in several associations counts once per group. For anonymous callers and association keys, groups of fewer than 5 are merged into one group with key "OTHER".';

@ObjectType('FederationStats', {
  description:
    "Totals and breakdowns of a federation for analysts: its own associations and those of its member federations. Counts are of active memberships unless said otherwise; each breakdown is one SQL aggregate.",
})
export class FederationStats implements StatsRoot {
  scope = 'federation' as const;
  constructor(readonly id: number) {}
}

@ObjectType('AssociationStats', { description: 'Totals and breakdowns of one association for analysts. Counts are of active memberships unless said otherwise.' })
export class AssociationStats implements StatsRoot {
  scope = 'association' as const;
  constructor(readonly id: number) {}
}

export const STATS_DESCRIPTIONS = {
  associationCount: 'Member associations, whatever their status.',
  activeMembers: 'Active memberships (a person in two associations counts twice).',
  distinctPeople: 'People with at least one active membership (each counts once).',
  peopleByAssociation: 'Active members per association, largest first. For anonymous callers and association keys, associations with fewer than 5 are merged into "OTHER".',
  peopleByField: `People per field of expertise (OECD FOS code). ${PEOPLE_NOTE} A person with two fields counts in both.`,
  peopleByDegree: `People per highest degree. ${PEOPLE_NOTE}`,
  peopleByAcademicTitle: `People per academic title. ${PEOPLE_NOTE}`,
  peopleByGender: `People per gender. ${PEOPLE_NOTE}`,
  peopleByBirthDecade: `People per decade of birth ("1970s"). ${PEOPLE_NOTE}`,
  associationsByField: 'Associations per field of activity (OECD FOS code); an association with two fields counts in both.',
  newMembershipsByYear:
    'Memberships by the year they began (joinedOn), whatever their status now, oldest year first. For anonymous callers and association keys, years with fewer than 5 are merged into "OTHER".',
} as const;
