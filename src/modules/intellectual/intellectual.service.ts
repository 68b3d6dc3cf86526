import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { badInput } from '../../common/errors';
import { hydrate, RELATED_SUFFIX } from '../../common/hydrate';
import { GRANTS_COLUMN } from '../../common/policy';
import { Page } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { expandFieldCode, isFieldCode } from '../field/field.data';
import { Intellectual } from './intellectual.entity';
import { IntellectualPolicy, MembershipPolicy, PersonName } from './intellectual.policy';
import { IntellectualFilter, IntellectualsArgs, MembershipFilter, MembershipsArgs } from './intellectual.inputs';
import { Membership } from './membership.entity';
import { INTELLECTUAL_SORTS, MEMBERSHIP_SORTS } from './intellectual.types';

/**
 * Reads people and memberships, as IntellectualPolicy and MembershipPolicy allow: every query
 * here starts from them, so lists, counts and loads by id agree.
 */
export class IntellectualService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** The people the viewer may see (IntellectualPolicy), with their personal-data grant. */
  people(alias: string): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    return IntellectualPolicy.visible(this.viewer, knex(`intellectual as ${alias}`).select(IntellectualPolicy.columns(this.viewer, knex, alias)), alias);
  }

  /** People as `intellectuals` lists them (also the compiled reads' source: intellectual.sql-read.ts). */
  peopleBase(filter?: IntellectualFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = this.people('i');
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
    const q = this.people('i').whereIn('i.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, Intellectual, r));
  }

  /**
   * Names and consent of people, whatever the viewer may see of them: for the names shown in
   * their place (seesPersonName decides between the name and a stand-in), nothing else of theirs.
   */
  async namesByIds(ids: readonly number[]): Promise<PersonName[]> {
    const q = knexOf(this.em)('intellectual as i').select('i.id', 'i.full_name', 'i.public_profile').whereIn('i.id', [...ids]);
    return (await runQuery<{ id: number; full_name: string; public_profile: boolean }>(this.em, q)).map((r) => ({ id: r.id, fullName: r.full_name, publicProfile: r.public_profile }));
  }

  /** The memberships the viewer may see (MembershipPolicy), for counts. */
  membershipBase(filter?: MembershipFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const q = MembershipPolicy.visible(this.viewer, knex('membership as m').select('m.*'), 'm');
    if (filter?.status) q.where('m.status', filter.status);
    if (filter?.role) q.where('m.role', filter.role);
    return q;
  }

  /**
   * Pages of memberships bring their person along, read in the same statement under the same
   * policy: a page never points at a person whom a concurrent write (consent switched off, a
   * membership ended) has hidden since the page was read.
   */
  membershipPageBase(filter?: MembershipFilter | null): Knex.QueryBuilder {
    const knex = knexOf(this.em);
    const grant = IntellectualPolicy.personalData(this.viewer, knex, 'mp').toSQL();
    const q = this.membershipBase(filter)
      .join('intellectual as mp', 'mp.id', 'm.intellectual_id')
      .select(knex.raw(`to_jsonb(mp) || jsonb_build_object('${GRANTS_COLUMN}', ${grant.sql}) as intellectual${RELATED_SUFFIX}`, grant.bindings as Knex.RawBinding[]));
    return IntellectualPolicy.visible(this.viewer, q, 'mp');
  }

  /** Members of many associations: one statement for the pages. */
  membersOf(associationIds: number[], args: MembershipsArgs): Promise<Map<number, Page<Membership>>> {
    return nestedPages(this.em, Membership, associationIds, 'm.association_id', this.membershipPageBase(args.filter), MEMBERSHIP_SORTS[args.orderBy], args);
  }

  memberCounts(associationIds: number[], filter?: MembershipFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, associationIds, 'm.association_id', this.membershipBase(filter));
  }

  /** Memberships of many people: one statement for the pages. */
  membershipsOf(intellectualIds: number[], args: MembershipsArgs): Promise<Map<number, Page<Membership>>> {
    return nestedPages(this.em, Membership, intellectualIds, 'm.intellectual_id', this.membershipPageBase(args.filter), MEMBERSHIP_SORTS[args.orderBy], args);
  }

  membershipCounts(intellectualIds: number[], filter?: MembershipFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, intellectualIds, 'm.intellectual_id', this.membershipBase(filter));
  }

  /** Visible memberships by id, for node(id). */
  async membershipsByIds(ids: readonly number[]): Promise<Membership[]> {
    const q = this.membershipPageBase().whereIn('m.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, Membership, r));
  }
}
