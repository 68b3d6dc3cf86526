import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('StatBucket', {
  description:
    'One group of a breakdown: its key, a readable label where there is one, and how many it holds. For anonymous callers and association keys the count is rounded to a multiple of 5, or suppressed (see `disclosureControl`).',
})
export class StatBucket {
  @Field(() => String, {
    description:
      'What the group is: an enum value (e.g. "TS", "FEMALE"; "OTHER" only where the enum has that value), a field code ("3.2"), an association code, a decade ("1970s"), a year ("2021") or "BEFORE_1983" (memberships that began earlier, in protected answers); "UNKNOWN" where the value is missing. Always a real group: never a marker of merged or hidden groups.',
  })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Readable label where the key has one (field and association names, in Vietnamese).' })
  label!: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'How many are in the group: exact for ANALYST and ADMIN keys; for anonymous callers and association keys a multiple of 5 (fixed random rounding, unbiased), and null when the group is suppressed (0 to 4).',
  })
  count!: number | null;

  @Field(() => Boolean, { description: 'True when the count is withheld (null): the group rounds to 0, so it holds 0 to 4. Never true for exact answers.' })
  suppressed!: boolean;
}

/** Which statistics: a federation (with its member federations) or one association. */
export type StatsScope = 'federation' | 'association';

export interface StatsRoot {
  scope: StatsScope;
  id: number;
}

const PROTECTION =
  'For anonymous callers and association keys every group of the breakdown is listed (none is left out for being empty), each count rounded to a multiple of 5 or suppressed; exact answers list the groups that have someone.';
const PEOPLE_NOTE = `People with an active membership in scope; a person in several associations counts once per group. ${PROTECTION}`;
const BY_COUNT = 'Largest first (suppressed groups last), then by key.';

@ObjectType('FederationStats', {
  description:
    'Totals and breakdowns of a federation: its own associations and those of its member federations. Counts are of active memberships unless said otherwise; each breakdown is one SQL aggregate. `disclosureControl` says how the figures were protected.',
})
export class FederationStats implements StatsRoot {
  scope = 'federation' as const;
  constructor(readonly id: number) {}
}

@ObjectType('AssociationStats', {
  description: 'Totals and breakdowns of one association. Counts are of active memberships unless said otherwise. `disclosureControl` says how the figures were protected.',
})
export class AssociationStats implements StatsRoot {
  scope = 'association' as const;
  constructor(readonly id: number) {}
}

export const STATS_DESCRIPTIONS = {
  disclosureControl: 'How the figures of this answer were protected: exact (ANALYST, ADMIN), or rounded to base 5 with groups that round to 0 suppressed (anonymous callers, association keys).',
  associationCount: 'Member associations, whatever their status (exact for every caller: associations are public).',
  activeMembers:
    'Active memberships (a person in two associations counts twice). Rounded to a multiple of 5 for anonymous callers and association keys; null when suppressed (see activeMembersSuppressed).',
  activeMembersSuppressed: 'True when activeMembers is withheld (null): it rounds to 0, so it is 0 to 4.',
  distinctPeople:
    'People with at least one active membership (each counts once). Rounded to a multiple of 5 for anonymous callers and association keys; null when suppressed (see distinctPeopleSuppressed).',
  distinctPeopleSuppressed: 'True when distinctPeople is withheld (null): it rounds to 0, so it is 0 to 4.',
  peopleByAssociation: `Active members per association (each person once per association). ${PROTECTION} ${BY_COUNT}`,
  peopleByField: `People per field of expertise (OECD FOS code; protected answers list every code of the list). ${PEOPLE_NOTE} A person with two fields counts in both. ${BY_COUNT}`,
  peopleByDegree: `People per highest degree ("UNKNOWN" when not given). ${PEOPLE_NOTE} ${BY_COUNT}`,
  peopleByAcademicTitle: `People per academic title. ${PEOPLE_NOTE} ${BY_COUNT}`,
  peopleByGender: `People per gender. ${PEOPLE_NOTE} ${BY_COUNT}`,
  peopleByBirthDecade: `People per decade of birth ("1970s"; protected answers list every decade from the 1900s to the present one), "UNKNOWN" last. ${PEOPLE_NOTE}`,
  associationsByField: 'Associations per field of activity (OECD FOS code); an association with two fields counts in both. Exact for every caller: associations are public. Largest first.',
  newMembershipsByYear:
    'Memberships by the year they began (joinedOn), whatever their status now, oldest first. Protected answers (anonymous callers, association keys) list "BEFORE_1983" and then every year from 1983 to the present one, each rounded to a multiple of 5 or suppressed; exact answers list the years that have memberships.',
} as const;
