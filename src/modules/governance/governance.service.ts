import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { groupByParent, hydrate, PARENT, readColumns } from '../../common/hydrate';
import { Page, VI_COLLATION } from '../../common/pagination';
import { knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { todayInVietnam } from '../../common/validate';
import { Association } from '../association/association.entity';
import { Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';
import { DelegateKind, GoverningBodyKind, Office } from './governance.enums';
import { BodySeatsArgs, CongressDelegatesArgs, OfficeHoldersArgs } from './governance.inputs';
import { GovernancePolicy } from './governance.policy';
import { memberAssociationsOn, seatHeldOn } from './governance.sql';
import { CongressDelegateCount, DELEGATE_SORT } from './governance.types';

/** SQL: the position of a value in a fixed order (enum order), for ORDER BY. */
const orderOf = (column: string, values: readonly string[]) => `array_position('${pgArray(values)}'::text[], ${column})`;
const BODY_ORDER = (column: string) => orderOf(column, Object.values(GoverningBodyKind));
const OFFICE_ORDER = (column: string) => orderOf(column, Object.values(Office));

/**
 * Reads of the governance module: every list is one statement for many parents (the loaders
 * batch them), through GovernancePolicy (public). People are not read here: seats and delegates
 * carry their ids, and the resolvers load them through the intellectual loaders.
 */
export class GovernanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private get knex(): Knex {
    return knexOf(this.em);
  }

  /** Rows of `entity`'s table the viewer may see (all of them), as `alias`. */
  private rows(entity: EntityClass<object>, table: string, alias: string): Knex.QueryBuilder {
    return GovernancePolicy.visible(this.viewer, this.knex(`${table} as ${alias}`).select(readColumns(this.em, entity, alias)), alias);
  }

  private async grouped<T extends object>(entity: EntityClass<T>, q: Knex.QueryBuilder): Promise<Map<number, T[]>> {
    return groupByParent(this.em, entity, await runQuery(this.em, q));
  }

  /** Congresses of many federations, by ordinal. */
  congressesOf(federationIds: readonly number[]): Promise<Map<number, Congress[]>> {
    const q = this.rows(Congress, 'congress', 'c')
      .select(`c.federation_id as ${PARENT}`)
      .whereIn('c.federation_id', [...federationIds])
      .orderBy([{ column: 'c.federation_id' }, { column: 'c.ordinal' }]);
    return this.grouped(Congress, q);
  }

  /** Terms of many federations, oldest first (term_federation_idx). */
  termsOf(federationIds: readonly number[]): Promise<Map<number, Term[]>> {
    const q = this.rows(Term, 'term', 't')
      .select(`t.federation_id as ${PARENT}`)
      .whereIn('t.federation_id', [...federationIds])
      .orderBy([{ column: 't.federation_id' }, { column: 't.starts_on' }, { column: 't.id' }]);
    return this.grouped(Term, q);
  }

  /** The term of each federation held today in Vietnam (none for a federation between terms, or merged). */
  async currentTermsOf(federationIds: readonly number[]): Promise<Map<number, Term>> {
    const today = todayInVietnam();
    const q = this.rows(Term, 'term', 't')
      .whereIn('t.federation_id', [...federationIds])
      .where('t.starts_on', '<=', today)
      .where('t.ends_on', '>=', today);
    return new Map((await runQuery(this.em, q)).map((r) => [Number(r.federation_id), hydrate(this.em, Term, r)]));
  }

  /** The term each congress opened. */
  async termsOfCongresses(congressIds: readonly number[]): Promise<Map<number, Term>> {
    const q = this.rows(Term, 'term', 't').whereIn('t.congress_id', [...congressIds]);
    return new Map((await runQuery(this.em, q)).map((r) => [Number(r.congress_id), hydrate(this.em, Term, r)]));
  }

  /** The bodies of many terms, in the order of GoverningBodyKind. */
  bodiesOf(termIds: readonly number[]): Promise<Map<number, GoverningBody[]>> {
    const q = this.rows(GoverningBody, 'governing_body', 'b')
      .select(`b.term_id as ${PARENT}`)
      .whereIn('b.term_id', [...termIds])
      .orderByRaw(`b.term_id, ${BODY_ORDER('b.kind')}`);
    return this.grouped(GoverningBody, q);
  }

  /** Seats as lists read them (alias `s`, its term `st`): held on `on` when given, of `offices` when given. */
  private seatBase(filter: { on?: string | null; offices?: Office[] | null }): Knex.QueryBuilder {
    const q = this.rows(Seat, 'seat', 's');
    if (filter.on) q.whereRaw(`exists (select 1 from term st where st.id = s.term_id and ${seatHeldOn('s', 'st.ends_on', '?::date')})`, [filter.on, filter.on, filter.on]);
    if (filter.offices?.length) q.whereRaw('s.office = any(?::text[])', [pgArray(filter.offices)]);
    return q;
  }

  /** Seats of many bodies: office order, then start date. */
  seatsOfBodies(bodyIds: readonly number[], args: BodySeatsArgs): Promise<Map<number, Seat[]>> {
    const q = this.seatBase(args)
      .select(`s.body_id as ${PARENT}`)
      .whereIn('s.body_id', [...bodyIds])
      .orderByRaw(`s.body_id, ${OFFICE_ORDER('s.office')}, s.starts_on, s.id`);
    return this.grouped(Seat, q);
  }

  /**
   * Seats of a federation (by code) held on a date, on the bodies and with the offices asked for:
   * body order, office order, start date. An unknown code has none (an empty list).
   */
  async officeHolders(args: OfficeHoldersArgs): Promise<Seat[]> {
    const q = this.seatBase(args)
      .join('governing_body as sb', 'sb.id', 's.body_id')
      .whereIn('s.federation_id', this.knex('federation').select('id').where('code', args.federationCode))
      .orderByRaw(`${BODY_ORDER('sb.kind')}, ${OFFICE_ORDER('s.office')}, s.starts_on, s.id`);
    if (args.bodies?.length) q.whereRaw('sb.kind = any(?::text[])', [pgArray(args.bodies)]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, Seat, r));
  }

  /** Seats of many people, across federations and terms, newest first; held on `on` when given. */
  officesOf(intellectualIds: readonly number[], on: string | null): Promise<Map<number, Seat[]>> {
    const q = this.seatBase({ on })
      .select(`s.intellectual_id as ${PARENT}`)
      .whereIn('s.intellectual_id', [...intellectualIds])
      .orderBy([{ column: 's.intellectual_id' }, { column: 's.starts_on', order: 'desc' }, { column: 's.id', order: 'desc' }]);
    return this.grouped(Seat, q);
  }

  /** Delegates as Congress.delegates lists them (alias `d`). */
  private delegateBase(args: { associationCode?: string | null; kind?: DelegateKind | null }): Knex.QueryBuilder {
    const q = this.rows(CongressDelegate, 'congress_delegate', 'd');
    if (args.associationCode) q.whereIn('d.association_id', this.knex('association').select('id').where('code', args.associationCode));
    if (args.kind) q.where('d.kind', args.kind);
    return q;
  }

  delegatesOf(congressIds: number[], args: CongressDelegatesArgs): Promise<Map<number, Page<CongressDelegate>>> {
    return nestedPages(this.em, CongressDelegate, congressIds, 'd.congress_id', this.delegateBase(args), DELEGATE_SORT, args);
  }

  delegateCountsOf(congressIds: number[], args: { associationCode?: string | null; kind?: DelegateKind | null }): Promise<Map<number, number>> {
    return nestedCounts(this.em, congressIds, 'd.congress_id', this.delegateBase(args));
  }

  /** Delegates of many congresses per association and kind: associations by name (vi), those without one last. */
  async delegateCountsByAssociation(congressIds: readonly number[]): Promise<Map<number, CongressDelegateCount[]>> {
    const q = this.knex('congress_delegate as d')
      .leftJoin('association as a', 'a.id', 'd.association_id')
      .select('d.congress_id', 'd.association_id')
      .select(
        this.knex.raw(`count(*) filter (where d.kind = ?)::int as elected`, [DelegateKind.ELECTED]),
        this.knex.raw(`count(*) filter (where d.kind = ?)::int as ex_officio`, [DelegateKind.EX_OFFICIO]),
        this.knex.raw(`count(*) filter (where d.kind = ?)::int as invited`, [DelegateKind.INVITED]),
        this.knex.raw('count(*)::int as total'),
      )
      .whereIn('d.congress_id', [...congressIds])
      .groupBy('d.congress_id', 'd.association_id', 'a.name')
      .orderByRaw(`d.congress_id, d.association_id is null, a.name collate "${VI_COLLATION}", d.association_id`);
    const out = new Map<number, CongressDelegateCount[]>();
    for (const r of await runQuery<{ congress_id: number; association_id: number | null; elected: number; ex_officio: number; invited: number; total: number }>(this.em, q)) {
      let list = out.get(r.congress_id);
      if (!list) out.set(r.congress_id, (list = []));
      list.push(Object.assign(new CongressDelegateCount(), { associationId: r.association_id, elected: r.elected, exOfficio: r.ex_officio, invited: r.invited, total: r.total }));
    }
    return out;
  }

  /** Resolutions of many congresses, by position. */
  resolutionsOf(congressIds: readonly number[]): Promise<Map<number, CongressResolution[]>> {
    const q = this.rows(CongressResolution, 'congress_resolution', 'r')
      .select(`r.congress_id as ${PARENT}`)
      .whereIn('r.congress_id', [...congressIds])
      .orderBy([{ column: 'r.congress_id' }, { column: 'r.position' }]);
    return this.grouped(CongressResolution, q);
  }

  /**
   * Member associations of each term's federation (memberAssociationsOn) with no Executive
   * Committee seat of that term held on the date, by name (vi collation). The date is `on`, else
   * today in Vietnam clamped into each term.
   */
  representationGapsOf(termIds: readonly number[], on: string | null): Promise<Map<number, Association[]>> {
    const day = on ? '?::date' : 'least(greatest(?::date, gt.starts_on), gt.ends_on)';
    const q = this.knex
      .from('term as gt')
      .crossJoin(this.knex.raw(`lateral (select ${day} as d) as gd`, [on ?? todayInVietnam()]))
      .join('association as a', this.knex.raw(memberAssociationsOn('gt.federation_id', 'gd.d')))
      .select(readColumns(this.em, Association, 'a'))
      .select(`gt.id as ${PARENT}`)
      .whereIn('gt.id', [...termIds])
      .whereNotExists(
        this.knex('seat as s')
          .join('governing_body as sb', 'sb.id', 's.body_id')
          .select(this.knex.raw('1'))
          .whereRaw('s.term_id = gt.id and s.association_id = a.id')
          .where('sb.kind', GoverningBodyKind.EXECUTIVE_COMMITTEE)
          .whereRaw(seatHeldOn('s', 'gt.ends_on', 'gd.d')),
      )
      .orderByRaw(`gt.id, a.name collate "${VI_COLLATION}", a.id`);
    return this.grouped(Association, q);
  }
}
