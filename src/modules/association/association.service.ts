import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { hydrate } from '../../common/hydrate';
import { badInput } from '../../common/errors';
import { Page } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { expandFieldCode, isFieldCode } from '../field/field.data';
import { Association } from './association.entity';
import { AssociationPolicy } from './association.policy';
import { AssociationFilter, AssociationsArgs } from './association.inputs';
import { ASSOCIATION_SORTS } from './association.types';

/** Reads associations (public data). */
export class AssociationService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  async byCode(code: string): Promise<Association | null> {
    // One statement, read as every other read is (the type's policy, no unit of work).
    const q = AssociationPolicy.visible(this.viewer, knexOf(this.em)('association as t').select('t.*'), 't').where('t.code', code);
    const [row] = await runQuery(this.em, q);
    return row ? hydrate(this.em, Association, row) : null;
  }

  /** Associations as lists read them (also the compiled reads' source: association.sql-read.ts). */
  base(filter?: AssociationFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = knex('association as a').select('a.*');
    if (filter?.search) whereNameMatches(q, 'a.name', searchTerm(filter.search));
    if (filter?.field) {
      if (!isFieldCode(filter.field)) throw badInput(`Unknown field code "${filter.field}"; see the scienceFields query`, { argumentName: 'filter.field' });
      q.whereRaw('a.fields && ?::text[]', [pgArray(expandFieldCode(filter.field))]);
    }
    if (filter?.status) q.where('a.status', filter.status);
    if (filter?.federationCode) q.whereIn('a.federation_id', knex('federation').select('id').where('code', filter.federationCode));
    return q;
  }

  async list(args: AssociationsArgs): Promise<{ page: Page<Association>; count: () => Promise<number> }> {
    const base = this.base(args.filter);
    const page = args.filter?.search
      ? await entityPage(this.em, Association, withSearchRank(knexOf(this.em), base, 'a', 'a.name', searchTerm(args.filter.search)), rankedSort('a', 'as'), args)
      : await entityPage(this.em, Association, base, ASSOCIATION_SORTS[args.orderBy], args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Associations of many federations, one statement. */
  ofFederations(federationIds: number[], args: AssociationsArgs): Promise<Map<number, Page<Association>>> {
    return nestedPages(this.em, Association, federationIds, 'a.federation_id', this.base(args.filter), ASSOCIATION_SORTS[args.orderBy], args);
  }

  countsOfFederations(federationIds: number[], filter?: AssociationFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, federationIds, 'a.federation_id', this.base(filter));
  }
}
