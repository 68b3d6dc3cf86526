import { Args, columnFields, filteredConnection, filterOf, ReadScope, RowSource, sqlOf, SqlReadContribution } from '../../common/sql-read';
import { ScienceField } from '../field/field.types';
import { IntellectualFilter, MembershipFilter } from './intellectual.inputs';
import { IntellectualPolicy } from './intellectual.policy';
import { IntellectualService } from './intellectual.service';
import { IntellectualOrder, INTELLECTUAL_SORTS, MembershipOrder, MEMBERSHIP_SORTS } from './intellectual.types';

/**
 * People and memberships in compiled reads (common/sql-read.ts): the same sources as the service
 * (its policy-restricted queries), the same sorts and cursors. A search (ranked) is left to the
 * resolvers.
 */

const service = (s: ReadScope) => new IntellectualService(s.em, s.viewer);

/** Memberships with their person joined (as `mp`), both under their policies: as the service pages them. */
function membershipPage(s: ReadScope, args: Args): RowSource {
  return { q: service(s).membershipPageBase(filterOf(MembershipFilter, args)).clearSelect(), alias: 'm', joins: { intellectual: 'mp' } };
}

function membershipCount(s: ReadScope, args: Args): RowSource {
  return { q: service(s).membershipBase(filterOf(MembershipFilter, args)).clearSelect(), alias: 'm' };
}

const membershipSort = (args: Args) => MEMBERSHIP_SORTS[args.orderBy as MembershipOrder];

/** Personal data: the column where IntellectualPolicy grants it, else null (as the entity's getters answer). */
const personal = (column: string) => ({
  kind: 'column' as const,
  sql: (alias: string, s: ReadScope) => {
    const grant = sqlOf(IntellectualPolicy.personalData(s.viewer, s.knex, alias));
    return { sql: `case when ${grant.sql} then ${alias}.${column} end`, bindings: grant.bindings };
  },
});

export const intellectualSqlRead: SqlReadContribution = {
  types: [
    {
      type: 'Intellectual',
      byId: (s) => ({ q: service(s).people('i').clearSelect(), alias: 'i' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({
          fullName: 'full_name',
          gender: 'gender',
          academicTitle: 'academic_title',
          highestDegree: 'highest_degree',
          workplace: 'workplace',
          position: 'position',
          publicProfile: 'public_profile',
          version: 'version',
          demo: 'demo',
        }),
        fields: { kind: 'value', sql: (alias) => `${alias}.fields`, value: (codes) => (codes as string[]).map(ScienceField.of) },
        email: personal('email'),
        phone: personal('phone'),
        birthDate: personal('birth_date'),
        memberships: { kind: 'connection', type: 'Membership', childColumn: 'm.intellectual_id', source: membershipPage, count: membershipCount, sort: membershipSort },
      },
    },
    {
      type: 'Membership',
      byId: (s) => membershipPage(s, {}),
      fields: {
        id: { kind: 'id' },
        ...columnFields({
          externalId: 'external_id',
          memberNumber: 'member_number',
          joinedOn: 'joined_on',
          leftOn: 'left_on',
          endReason: 'end_reason',
          status: 'status',
          role: 'role',
        }),
        intellectual: { kind: 'joined', type: 'Intellectual', join: 'intellectual' },
        association: { kind: 'object', type: 'Association', key: (alias) => `${alias}.association_id` },
      },
    },
    {
      type: 'Association',
      fields: {
        members: { kind: 'connection', type: 'Membership', childColumn: 'm.association_id', source: membershipPage, count: membershipCount, sort: membershipSort },
      },
    },
  ],
  roots: {
    intellectuals: {
      kind: 'connection',
      ...filteredConnection(
        'Intellectual',
        IntellectualFilter,
        (s, filter) => ({ q: service(s).peopleBase(filter).clearSelect(), alias: 'i' }),
        (args) => INTELLECTUAL_SORTS[args.orderBy as IntellectualOrder],
      ),
    },
  },
};
