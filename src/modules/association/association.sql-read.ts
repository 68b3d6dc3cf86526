import { columnFields, filteredConnection, ReadScope, SqlReadContribution } from '../../common/sql-read';
import { ScienceField } from '../field/field.types';
import { AssociationFilter } from './association.inputs';
import { AssociationPolicy } from './association.policy';
import { AssociationService } from './association.service';
import { AssociationOrder, ASSOCIATION_SORTS } from './association.types';

/** Associations in compiled reads (common/sql-read.ts): the service's sources and sorts. A search is left to the resolvers. */

const visible = (s: ReadScope) => AssociationPolicy.visible(s.viewer, s.knex('association as t'), 't');

/** Pages of associations, as `associations` and `Federation.associations` list them. */
const page = filteredConnection(
  'Association',
  AssociationFilter,
  (s, filter) => ({ q: new AssociationService(s.em, s.viewer).base(filter).clearSelect(), alias: 'a' }),
  (args) => ASSOCIATION_SORTS[args.orderBy as AssociationOrder],
);

export const associationSqlRead: SqlReadContribution = {
  types: [
    {
      type: 'Association',
      byId: (s) => ({ q: visible(s), alias: 't' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({
          code: 'code',
          name: 'name',
          nameEn: 'name_en',
          shortName: 'short_name',
          status: 'status',
          joinedOn: 'joined_on',
          version: 'version',
          demo: 'demo',
        }),
        fields: { kind: 'value', sql: (alias) => `${alias}.fields`, value: (codes) => (codes as string[]).map(ScienceField.of) },
        federation: { kind: 'object', type: 'Federation', key: (alias) => `${alias}.federation_id` },
      },
    },
    {
      // Federation.associations lives here, beside the associations it lists (as its resolver does).
      type: 'Federation',
      fields: {
        associations: { kind: 'connection', ...page, childColumn: 'a.federation_id' },
      },
    },
  ],
  roots: {
    association: { kind: 'one', type: 'Association', source: (s, args) => ({ q: visible(s).where('t.code', args.code as string), alias: 't' }) },
    associations: { kind: 'connection', ...page },
  },
};
