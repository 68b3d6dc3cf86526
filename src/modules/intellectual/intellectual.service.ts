import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { badInput } from '../../common/errors';
import { hydrate } from '../../common/hydrate';
import { Page } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { expandFieldCode, isFieldCode } from '../field/field.data';
import { Intellectual } from './intellectual.entity';
import { IntellectualFilter, IntellectualsArgs, MembershipFilter, MembershipsArgs } from './intellectual.inputs';
import { Membership } from './membership.entity';
import { INTELLECTUAL_SORTS, MEMBERSHIP_SORTS } from './intellectual.types';

/**
 * Reads people and memberships. Who may see whom is decided here and nowhere else:
 * for now (no keys yet) only people who consented to a public profile are visible,
 * and only memberships of visible people.
 */
export class IntellectualService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** Restricts a query over `intellectual as <alias>` to the people this viewer may see. */
  private visible(q: Knex.QueryBuilder, alias: string): Knex.QueryBuilder {
    switch (this.viewer.role) {
      case 'ADMIN':
      case 'ANALYST':
        return q;
      case 'ASSOCIATION':
        // Public profiles, and every member (past or present) of the key's own association.
        return q.where((w) =>
          w
            .where(`${alias}.public_profile`, true)
            .orWhereExists(
              knexOf(this.em)('membership as own')
                .select(knexOf(this.em).raw('1'))
                .whereRaw(`own.intellectual_id = ${alias}.id`)
                .where('own.association_id', this.viewer.associationId),
            ),
        );
      case 'PUBLIC':
        return q.where(`${alias}.public_profile`, true);
    }
  }

  /**
   * Which of these people's personal data (e-mail, phone, birth date) the viewer may see:
   * ADMIN all; an ASSOCIATION key its own current (not ended) members'; nobody else any.
   */
  async personalDataAccess(ids: readonly number[]): Promise<Set<number>> {
    if (this.viewer.role === 'ADMIN') return new Set(ids);
    if (this.viewer.role !== 'ASSOCIATION' || this.viewer.associationId === null) return new Set();
    // Current members only: once a membership has ended, the association no longer sees the person's personal data.
    const q = knexOf(this.em)('membership')
      .distinct('intellectual_id')
      .where('association_id', this.viewer.associationId)
      .whereNot('status', 'ENDED')
      .whereIn('intellectual_id', [...ids]);
    return new Set((await runQuery<{ intellectual_id: number }>(this.em, q)).map((r) => Number(r.intellectual_id)));
  }

  private peopleBase(filter?: IntellectualFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = this.visible(knex('intellectual as i').select('i.*'), 'i');
    if (filter?.search) whereNameMatches(q, 'i.search_name', searchTerm(filter.search), true);
    if (filter?.field) {
      if (!isFieldCode(filter.field)) throw badInput(`Unknown field code "${filter.field}"; see the scienceFields query`, { argumentName: 'filter.field' });
      q.whereRaw('i.fields && ?::text[]', [pgArray(expandFieldCode(filter.field))]);
    }
    if (filter?.degree) q.where('i.highest_degree', filter.degree);
    if (filter?.academicTitle) q.where('i.academic_title', filter.academicTitle);
    if (filter?.associationCode || filter?.status) {
      const sub = knex('membership as fm').select(knex.raw('1')).whereRaw('fm.intellectual_id = i.id');
      if (filter.associationCode) sub.whereIn('fm.association_id', knex('association').select('id').where('code', filter.associationCode));
      if (filter.status) sub.where('fm.status', filter.status);
      q.whereExists(sub);
    }
    return q;
  }

  async list(args: IntellectualsArgs): Promise<{ page: Page<Intellectual>; count: () => Promise<number> }> {
    const base = this.peopleBase(args.filter);
    const page = args.filter?.search
      ? await entityPage(this.em, Intellectual, withSearchRank(knexOf(this.em), base, 'i', 'i.full_name', searchTerm(args.filter.search), 'i.search_name'), rankedSort('i', 'is'), args)
      : await entityPage(this.em, Intellectual, base, INTELLECTUAL_SORTS[args.orderBy], args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Visible people by id, for node(id) and Membership.intellectual. */
  async byIds(ids: readonly number[]): Promise<Intellectual[]> {
    const q = this.visible(knexOf(this.em)('intellectual as i').select('i.*'), 'i').whereIn('i.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, Intellectual, r));
  }

  private membershipBase(filter?: MembershipFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = this.visible(knex('membership as m').select('m.*').join('intellectual as i', 'i.id', 'm.intellectual_id'), 'i');
    if (filter?.status) q.where('m.status', filter.status);
    if (filter?.role) q.where('m.role', filter.role);
    return q;
  }

  /** Members of many associations: one statement for the pages. */
  membersOf(associationIds: number[], args: MembershipsArgs): Promise<Map<number, Page<Membership>>> {
    return nestedPages(this.em, Membership, associationIds, 'm.association_id', this.membershipBase(args.filter), MEMBERSHIP_SORTS[args.orderBy], args);
  }

  memberCounts(associationIds: number[], filter?: MembershipFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, associationIds, 'm.association_id', this.membershipBase(filter));
  }

  /** Memberships of many people: one statement for the pages. */
  membershipsOf(intellectualIds: number[], args: MembershipsArgs): Promise<Map<number, Page<Membership>>> {
    return nestedPages(this.em, Membership, intellectualIds, 'm.intellectual_id', this.membershipBase(args.filter), MEMBERSHIP_SORTS[args.orderBy], args);
  }

  membershipCounts(intellectualIds: number[], filter?: MembershipFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, intellectualIds, 'm.intellectual_id', this.membershipBase(filter));
  }

  /** Visible memberships by id, for node(id). */
  async membershipsByIds(ids: readonly number[]): Promise<Membership[]> {
    const q = this.membershipBase().whereIn('m.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, Membership, r));
  }
}
