import { Args, columnFields, filteredConnection, ReadScope, SqlReadContribution } from '../../common/sql-read';
import { FederationFilter } from './federation.inputs';
import { FederationPolicy } from './federation.policy';
import { FederationService } from './federation.service';
import { FederationOrder, FEDERATION_SORTS } from './federation.types';

/**
 * Federations in compiled reads (common/sql-read.ts): the service's sources and sorts. A search,
 * the legal documents (embedded values) and the statistics are left to the resolvers.
 */

const visible = (s: ReadScope) => FederationPolicy.visible(s.viewer, s.knex('federation as t'), 't');
const base = (s: ReadScope, filter: FederationFilter | null) => new FederationService(s.em, s.viewer).base(filter).clearSelect();
const sort = (args: Args) => FEDERATION_SORTS[args.orderBy as FederationOrder];

export const federationSqlRead: SqlReadContribution = {
  types: [
    {
      type: 'Federation',
      byId: (s) => ({ q: visible(s), alias: 't' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({
          code: 'code',
          name: 'name',
          nameEn: 'name_en',
          shortName: 'short_name',
          level: 'level',
          province: 'province',
          foundedOn: 'founded_on',
          description: 'description',
          status: 'status',
          statusChangedOn: 'status_changed_on',
          demo: 'demo',
        }),
        parent: { kind: 'object', type: 'Federation', key: (alias) => `${alias}.parent_id` },
        successor: { kind: 'object', type: 'Federation', key: (alias) => `${alias}.successor_id` },
        members: {
          kind: 'connection',
          type: 'Federation',
          childColumn: 'f.parent_id',
          source: (s) => ({ q: base(s, null), alias: 'f' }),
          count: (s) => ({ q: base(s, null), alias: 'f' }),
          sort,
        },
      },
    },
  ],
  roots: {
    federation: { kind: 'one', type: 'Federation', source: (s, args) => ({ q: visible(s).where('t.code', args.code as string), alias: 't' }) },
    federations: { kind: 'connection', ...filteredConnection('Federation', FederationFilter, (s, filter) => ({ q: base(s, filter), alias: 'f' }), sort) },
  },
};
