import { checkArgument } from '../../common/arg-rules';
import { Args, columnFields, ReadScope, SqlReadContribution } from '../../common/sql-read';
import { ScienceField } from '../field/field.types';
import { AssociationFilter } from './association.inputs';
import { AssociationPolicy } from './association.policy';
import { AssociationService } from './association.service';
import { AssociationOrder, ASSOCIATION_SORTS } from './association.types';

/** Associations in compiled reads (common/sql-read.ts): the service's sources and sorts. A search is left to the resolvers. */

function filterOf(args: Args): AssociationFilter | null {
  if (args.filter === null || args.filter === undefined) return null;
  const filter = Object.assign(new AssociationFilter(), args.filter);
  checkArgument(filter);
  return filter;
}

const visible = (s: ReadScope) => AssociationPolicy.visible(s.viewer, s.knex('association as t'), 't');

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
      },
    },
  ],
  roots: {
    association: { kind: 'one', type: 'Association', source: (s, args) => ({ q: visible(s).where('t.code', args.code as string), alias: 't' }) },
    associations: {
      kind: 'connection',
      type: 'Association',
      source(s, args) {
        const filter = filterOf(args);
        if (filter?.search) return null;
        return { q: new AssociationService(s.em, s.viewer).base(filter).clearSelect(), alias: 'a' };
      },
      count: (s, args) => ({ q: new AssociationService(s.em, s.viewer).base(filterOf(args)).clearSelect(), alias: 'a' }),
      sort: (args) => ASSOCIATION_SORTS[args.orderBy as AssociationOrder],
    },
  },
};
