import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { fieldByCode } from '../field/field.data';
import { StatBucket, StatsScope } from './stats.types';

export interface StatsTotals {
  associationCount: number;
  activeMembers: number;
  distinctPeople: number;
}

export interface PeopleBreakdowns {
  degree: StatBucket[];
  title: StatBucket[];
  gender: StatBucket[];
  decade: StatBucket[];
}

type Row = Record<string, unknown> & { root: number };

export const mergesSmallGroups = (viewer: Viewer) => viewer.role === 'PUBLIC' || viewer.role === 'ASSOCIATION';

/** Smallest group of people an anonymous caller sees on its own. */
export const MIN_PUBLIC_GROUP = 5;
export const OTHER_KEY = 'OTHER';
const OTHER_LABEL = 'Khác (các nhóm dưới 5 người)';

/**
 * Statistics for many roots (federations or associations) at once: every method is one SQL
 * aggregate grouped by root, so a list of federations with their stats costs the same few
 * statements as one federation. A federation's scope is its associations and those of its
 * member federations, recursively.
 */
export class StatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** `scope(root, association_id)` and `people(root, intellectual_id)` (active members, once each). */
  private ctes(scope: StatsScope): string {
    const scopeCte =
      scope === 'federation'
        ? `tree(root, fid) as (
             select id, id from federation where id = any(?::int[])
             union
             select t.root, f.id from federation f join tree t on f.parent_id = t.fid
           ),
           scope as (select t.root, a.id as association_id from tree t join association a on a.federation_id = t.fid)`
        : `scope as (select a.id as root, a.id as association_id from association a where a.id = any(?::int[]))`;
    return `with recursive ${scopeCte},
      people as (
        select distinct s.root, m.intellectual_id from scope s
        join membership m on m.association_id = s.association_id and m.status = 'ACTIVE'
      )`;
  }

  private async query(scope: StatsScope, roots: readonly number[], select: string): Promise<Row[]> {
    const knex = knexOf(this.em);
    const rows = await runQuery<Row>(this.em, knex.raw(`${this.ctes(scope)} ${select}`, [pgArray(roots)]));
    return rows.map((r) => ({ ...r, root: Number(r.root) }));
  }

  private static group(roots: readonly number[], rows: Row[], bucket: (r: Row) => StatBucket, order: 'count' | 'key'): Map<number, StatBucket[]> {
    const out = new Map<number, StatBucket[]>(roots.map((id) => [id, []]));
    for (const r of rows) out.get(r.root)?.push(bucket(r));
    for (const list of out.values()) {
      list.sort(order === 'count' ? (a, b) => b.count - a.count || a.key.localeCompare(b.key) : (a, b) => a.key.localeCompare(b.key));
    }
    return out;
  }

  /**
   * For callers who may not see every person (anonymous callers, and association keys, which
   * read as the public does beyond their own members), groups of fewer than MIN_PUBLIC_GROUP
   * people are merged into one "OTHER" group, so that a breakdown cannot single a person out.
   */
  private protect(buckets: StatBucket[]): StatBucket[] {
    if (!mergesSmallGroups(this.viewer)) return buckets;
    const small = buckets.filter((b) => b.count < MIN_PUBLIC_GROUP);
    if (!small.length) return buckets;
    const other = StatsService.bucket(OTHER_KEY, small.reduce((n, b) => n + b.count, 0), OTHER_LABEL);
    return [...buckets.filter((b) => b.count >= MIN_PUBLIC_GROUP), other];
  }

  private protectAll(m: Map<number, StatBucket[]>): Map<number, StatBucket[]> {
    for (const [k, list] of m) m.set(k, this.protect(list));
    return m;
  }

  private static bucket(key: string, count: unknown, label: string | null = null): StatBucket {
    return Object.assign(new StatBucket(), { key, label, count: Number(count) });
  }

  async totals(scope: StatsScope, roots: readonly number[]): Promise<Map<number, StatsTotals>> {
    const rows = await this.query(
      scope,
      roots,
      // Hash aggregates rather than count(distinct …), which sorts a million rows.
      `select r.root,
         (select count(*) from scope s where s.root = r.root) as associations,
         (select count(*) from scope s join membership m on m.association_id = s.association_id and m.status = 'ACTIVE' where s.root = r.root) as active,
         (select count(*) from people p where p.root = r.root) as people
       from (select distinct root from scope) as r`,
    );
    const out = new Map<number, StatsTotals>(roots.map((id) => [id, { associationCount: 0, activeMembers: 0, distinctPeople: 0 }]));
    for (const r of rows) out.set(r.root, { associationCount: Number(r.associations), activeMembers: Number(r.active), distinctPeople: Number(r.people) });
    return out;
  }

  async peopleByAssociation(scope: StatsScope, roots: readonly number[]): Promise<Map<number, StatBucket[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, a.code, a.name, count(distinct m.intellectual_id) as n
       from scope s join association a on a.id = s.association_id
       join membership m on m.association_id = a.id and m.status = 'ACTIVE'
       group by s.root, a.id`,
    );
    return this.protectAll(StatsService.group(roots, rows, (r) => StatsService.bucket(String(r.code), r.n, String(r.name)), 'count'));
  }

  /** Degree, academic title, gender and decade of birth: one pass over the people, GROUPING SETS. */
  async peopleBreakdowns(scope: StatsScope, roots: readonly number[]): Promise<Map<number, PeopleBreakdowns>> {
    const rows = await this.query(
      scope,
      roots,
      `, attrs as (
         select p.root, coalesce(i.highest_degree, 'UNKNOWN') as degree, i.academic_title as title, i.gender,
                coalesce((extract(year from i.birth_date)::int / 10 * 10)::text || 's', 'UNKNOWN') as decade
         from people p join intellectual i on i.id = p.intellectual_id
       )
       select root, degree, title, gender, decade, grouping(degree, title, gender, decade) as g, count(*) as n
       from attrs group by grouping sets ((root, degree), (root, title), (root, gender), (root, decade))`,
    );
    const out = new Map<number, PeopleBreakdowns>(roots.map((id) => [id, { degree: [], title: [], gender: [], decade: [] }]));
    // grouping() sets a bit for each column left out of the grouping set: 0b0111 means only degree is grouped.
    const dims: [number, keyof PeopleBreakdowns][] = [
      [0b0111, 'degree'],
      [0b1011, 'title'],
      [0b1101, 'gender'],
      [0b1110, 'decade'],
    ];
    for (const r of rows) {
      const dim = dims.find(([g]) => g === Number(r.g))?.[1];
      if (dim) out.get(r.root)?.[dim].push(StatsService.bucket(String(r[dim]), r.n));
    }
    for (const b of out.values()) {
      for (const k of ['degree', 'title', 'gender'] as const) b[k] = this.protect(b[k].sort((x, y) => y.count - x.count || x.key.localeCompare(y.key)));
      b.decade = this.protect(b.decade.sort((x, y) => x.key.localeCompare(y.key)));
    }
    return out;
  }

  async peopleByField(scope: StatsScope, roots: readonly number[]): Promise<Map<number, StatBucket[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select p.root, f.code, count(*) as n
       from people p join intellectual i on i.id = p.intellectual_id cross join lateral unnest(i.fields) as f(code)
       group by p.root, f.code`,
    );
    return this.protectAll(StatsService.group(roots, rows, (r) => StatsService.bucket(String(r.code), r.n, fieldByCode(String(r.code))?.vi ?? null), 'count'));
  }

  async associationsByField(scope: StatsScope, roots: readonly number[]): Promise<Map<number, StatBucket[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, f.code, count(*) as n
       from scope s join association a on a.id = s.association_id cross join lateral unnest(a.fields) as f(code)
       group by s.root, f.code`,
    );
    return StatsService.group(roots, rows, (r) => StatsService.bucket(String(r.code), r.n, fieldByCode(String(r.code))?.vi ?? null), 'count');
  }

  async newMembershipsByYear(scope: StatsScope, roots: readonly number[]): Promise<Map<number, StatBucket[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, extract(year from m.joined_on)::int as year, count(*) as n
       from scope s join membership m on m.association_id = s.association_id
       where m.joined_on is not null
       group by s.root, year`,
    );
    return this.protectAll(StatsService.group(roots, rows, (r) => StatsService.bucket(String(r.year), r.n), 'key'));
  }
}
