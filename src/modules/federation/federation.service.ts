import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { hydrate } from '../../common/hydrate';
import { Page } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, runQuery } from '../../common/sql';
import { Federation } from './federation.entity';
import { FederationPolicy } from './federation.policy';
import { FederationFilter, FederationsArgs, MemberFederationsArgs } from './federation.inputs';
import { FEDERATION_SORTS } from './federation.types';

/** Reads federations. Federations are public; the viewer is taken for the checks that come with keys. */
export class FederationService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  async byCode(code: string): Promise<Federation | null> {
    // One statement, read as every other read is (the type's policy, no unit of work).
    const q = FederationPolicy.visible(this.viewer, knexOf(this.em)('federation as t').select('t.*'), 't').where('t.code', code);
    const [row] = await runQuery(this.em, q);
    return row ? hydrate(this.em, Federation, row) : null;
  }

  /** Federations as lists read them (also the compiled reads' source: federation.sql-read.ts). */
  base(filter?: FederationFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = knex('federation as f').select('f.*');
    if (filter?.search) whereNameMatches(q, 'f.name', searchTerm(filter.search));
    if (filter?.level) q.where('f.level', filter.level);
    if (filter?.status) q.where('f.status', filter.status);
    if (filter?.parentCode) q.whereIn('f.parent_id', knex('federation').select('id').where('code', filter.parentCode));
    return q;
  }

  async list(args: FederationsArgs): Promise<{ page: Page<Federation>; count: () => Promise<number> }> {
    const base = this.base(args.filter);
    const page = args.filter?.search
      ? await entityPage(this.em, Federation, withSearchRank(knexOf(this.em), base, 'f', 'f.name', searchTerm(args.filter.search)), rankedSort('f', 'fs'), args)
      : await entityPage(this.em, Federation, base, FEDERATION_SORTS[args.orderBy], args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Member federations of many parents, one statement. */
  membersOf(parentIds: number[], args: MemberFederationsArgs): Promise<Map<number, Page<Federation>>> {
    return nestedPages(this.em, Federation, parentIds, 'f.parent_id', this.base(), FEDERATION_SORTS[args.orderBy], args);
  }

  memberCounts(parentIds: number[]): Promise<Map<number, number>> {
    return nestedCounts(this.em, parentIds, 'f.parent_id', this.base());
  }
}
