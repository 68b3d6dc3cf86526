import type { EntityManager } from '@mikro-orm/postgresql';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { FIELDS, fieldByCode } from '../field/field.data';
import { AcademicTitle, Degree, Gender } from '../intellectual/intellectual.enums';
import { exactFigure, Figure, Measure, ScopePublisher, secretBytes } from './stats.disclosure';
import { StatBucket, StatsScope } from './stats.types';

/** A true count of one group, before publication. */
export interface Count {
  key: string;
  label: string | null;
  n: number;
}

export interface ExactTotals {
  associationCount: number;
  activeMembers: number;
  distinctPeople: number;
}

export interface PeopleCounts {
  degree: Count[];
  title: Count[];
  gender: Count[];
  decade: Count[];
}

/** Totals as published: associations exactly, people and memberships as figures. */
export interface StatsTotals {
  associationCount: number;
  activeMembers: Figure;
  distinctPeople: Figure;
}

export interface PeopleBreakdowns {
  degree: StatBucket[];
  title: StatBucket[];
  gender: StatBucket[];
  decade: StatBucket[];
}

/** An association's line of peopleByAssociation: the association's own scope identifies the cell. */
export interface AssociationCount extends Count {
  associationId: number;
}

type Row = Record<string, unknown> & { root: number };

const UNKNOWN = 'UNKNOWN';

/**
 * Protected answers list every group of a breakdown's domain, so that a missing group never
 * tells "empty" apart from "suppressed". Birth dates and joining dates are checked to be from
 * 1900 on and not in the future, so the decades start with the 1900s.
 */
export const FIRST_DECADE = 1900;
/**
 * Years of joining shown one by one from the founding of the Vietnam Union of Science and
 * Technology Associations (1983); earlier memberships are one group. A start taken from the
 * data (the first year anyone joined) would itself be a published fact about one person.
 */
export const FIRST_YEAR = 1983;
export const BEFORE_FIRST_YEAR = `BEFORE_${FIRST_YEAR}`;

/** The latest calendar year anywhere (UTC+14): a date just begun in Vietnam is never "future". */
const thisYear = () => new Date(Date.now() + 14 * 3_600_000).getUTCFullYear();

export const DOMAINS = {
  degree: (): string[] => [...Object.values(Degree), UNKNOWN],
  title: (): string[] => Object.values(AcademicTitle),
  gender: (): string[] => Object.values(Gender),
  decade: (): string[] => {
    const out: string[] = [];
    for (let d = FIRST_DECADE; d <= thisYear(); d += 10) out.push(`${d}s`);
    return [...out, UNKNOWN];
  },
  field: (): string[] => FIELDS.map((f) => f.code),
  year: (): string[] => {
    const out = [BEFORE_FIRST_YEAR];
    for (let y = FIRST_YEAR; y <= thisYear(); y++) out.push(String(y));
    return out;
  },
};

const byCount = (a: StatBucket, b: StatBucket) => (b.count ?? -1) - (a.count ?? -1) || a.key.localeCompare(b.key);

const bucket = (key: string, label: string | null, figure: Figure): StatBucket => Object.assign(new StatBucket(), { key, label, ...figure });

/** Exact answers (ANALYST, ADMIN): the groups that have someone, with their true counts. */
export function exactBuckets(counts: readonly Count[], order: 'count' | 'key'): StatBucket[] {
  const list = counts.filter((c) => c.n > 0).map((c) => bucket(c.key, c.label, exactFigure(c.n)));
  return list.sort(order === 'count' ? byCount : (a, b) => a.key.localeCompare(b.key));
}

/**
 * Protected answers: every key of the domain (in the domain's order when `order` is 'domain'),
 * each published through the scope's publisher. Counts under a key outside the domain come only
 * from data that bypassed validation, and are not published.
 */
export function protectedBuckets(
  counts: readonly Count[],
  domain: readonly string[],
  publisher: ScopePublisher,
  measure: Measure,
  order: 'count' | 'domain',
  label: (key: string) => string | null = () => null,
): StatBucket[] {
  const n = new Map(counts.map((c) => [c.key, c.n]));
  const list = domain.map((key) => bucket(key, label(key), publisher.figure(measure, key, n.get(key) ?? 0)));
  return order === 'count' ? list.sort(byCount) : list;
}

const fieldLabel = (code: string) => fieldByCode(code)?.vi ?? null;

/*
 * What a caller sees. `publisher` is null for exact answers (ANALYST, ADMIN) and the root's
 * ScopePublisher for protected ones (anonymous callers, association keys).
 */

export function publishTotals(t: ExactTotals, publisher: ScopePublisher | null): StatsTotals {
  if (!publisher) return { associationCount: t.associationCount, activeMembers: exactFigure(t.activeMembers), distinctPeople: exactFigure(t.distinctPeople) };
  return {
    associationCount: t.associationCount,
    // The same people, each once per membership: the same cell identity, hence the same random number.
    activeMembers: publisher.figure('people', '', t.activeMembers),
    distinctPeople: publisher.figure('people', '', t.distinctPeople),
  };
}

/** Each association's line counts the association's own people: the same figure as its own `distinctPeople`. */
export function publishPeopleByAssociation(list: readonly AssociationCount[], publisher: ScopePublisher | null): StatBucket[] {
  if (!publisher) return exactBuckets(list, 'count');
  return list.map((a) => bucket(a.key, a.label, publisher.forAssociations([a.associationId]).figure('people', '', a.n))).sort(byCount);
}

export function publishPeople(c: PeopleCounts, publisher: ScopePublisher | null): PeopleBreakdowns {
  if (!publisher) {
    return { degree: exactBuckets(c.degree, 'count'), title: exactBuckets(c.title, 'count'), gender: exactBuckets(c.gender, 'count'), decade: exactBuckets(c.decade, 'key') };
  }
  return {
    degree: protectedBuckets(c.degree, DOMAINS.degree(), publisher, 'degree', 'count'),
    title: protectedBuckets(c.title, DOMAINS.title(), publisher, 'title', 'count'),
    gender: protectedBuckets(c.gender, DOMAINS.gender(), publisher, 'gender', 'count'),
    decade: protectedBuckets(c.decade, DOMAINS.decade(), publisher, 'birthDecade', 'domain'),
  };
}

export function publishPeopleByField(list: readonly Count[], publisher: ScopePublisher | null): StatBucket[] {
  return publisher ? protectedBuckets(list, DOMAINS.field(), publisher, 'field', 'count', fieldLabel) : exactBuckets(list, 'count');
}

/** Associations are public: their counts are exact for every caller. */
export function publishAssociationsByField(list: readonly Count[]): StatBucket[] {
  return exactBuckets(list, 'count');
}

export function publishNewMembershipsByYear(list: readonly Count[], publisher: ScopePublisher | null): StatBucket[] {
  if (!publisher) return exactBuckets(list, 'key');
  const before = list.filter((c) => Number(c.key) < FIRST_YEAR).reduce((n, c) => n + c.n, 0);
  const folded = [...list.filter((c) => Number(c.key) >= FIRST_YEAR), { key: BEFORE_FIRST_YEAR, label: null, n: before }];
  return protectedBuckets(folded, DOMAINS.year(), publisher, 'joinedYear', 'domain');
}

/**
 * Statistics for many roots (federations or associations) at once: every method is one SQL
 * aggregate grouped by root, so a list of federations with their stats costs the same few
 * statements as one federation. A federation's scope is its associations and those of its
 * member federations, recursively. The aggregates are exact; `publish*` turns them into what a
 * caller sees (exact, or protected by stats.disclosure.ts) in TypeScript.
 */
export class StatsService {
  constructor(
    private readonly em: EntityManager,
    /** STATS_SECRET; without it the database's own secret (table stats_secret) is used. */
    private readonly configuredSecret: string | null,
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

  private async query(scope: StatsScope, roots: readonly number[], select: string, more: unknown[] = []): Promise<Row[]> {
    const knex = knexOf(this.em);
    const rows = await runQuery<Row>(this.em, knex.raw(`${this.ctes(scope)} ${select}`, [pgArray(roots), ...(more as never[])]));
    return rows.map((r) => ({ ...r, root: Number(r.root) }));
  }

  private static collect<T>(roots: readonly number[], rows: Row[], item: (r: Row) => T): Map<number, T[]> {
    const out = new Map<number, T[]>(roots.map((id) => [id, []]));
    for (const r of rows) out.get(r.root)?.push(item(r));
    return out;
  }

  private static count(key: unknown, n: unknown, label: string | null = null): Count {
    return { key: String(key), label, n: Number(n) };
  }

  /**
   * The publisher of each root's protected figures: the associations in its scope (which people
   * its cells count) and the secret, in one statement (the secret is read with it, so the first
   * protected answer of a hub costs no extra statement).
   */
  async publishers(scope: StatsScope, roots: readonly number[]): Promise<Map<number, ScopePublisher>> {
    const rows = await this.query(
      scope,
      roots,
      `select r.root, array_remove(array_agg(s.association_id), null) as ids,
         ${this.configuredSecret ? 'null' : '(select secret from stats_secret where id = 1)'} as secret
       from unnest(?::int[]) as r(root) left join scope s on s.root = r.root
       group by r.root`,
      [pgArray(roots)],
    );
    const out = new Map<number, ScopePublisher>();
    for (const r of rows) {
      const secret = secretBytes(this.configuredSecret, (r.secret as string | null) ?? null);
      out.set(r.root, new ScopePublisher(secret).forAssociations((r.ids as unknown[]).map(Number)));
    }
    return out;
  }

  async totals(scope: StatsScope, roots: readonly number[]): Promise<Map<number, ExactTotals>> {
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
    const out = new Map<number, ExactTotals>(roots.map((id) => [id, { associationCount: 0, activeMembers: 0, distinctPeople: 0 }]));
    for (const r of rows) out.set(r.root, { associationCount: Number(r.associations), activeMembers: Number(r.active), distinctPeople: Number(r.people) });
    return out;
  }

  /** Every association in scope, with its active members (0 included: protected answers list them all). */
  async peopleByAssociation(scope: StatsScope, roots: readonly number[]): Promise<Map<number, AssociationCount[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, a.id, a.code, a.name, count(distinct m.intellectual_id) as n
       from scope s join association a on a.id = s.association_id
       left join membership m on m.association_id = a.id and m.status = 'ACTIVE'
       group by s.root, a.id`,
    );
    return StatsService.collect(roots, rows, (r) => ({ ...StatsService.count(r.code, r.n, String(r.name)), associationId: Number(r.id) }));
  }

  /** Degree, academic title, gender and decade of birth: one pass over the people, GROUPING SETS. */
  async peopleBreakdowns(scope: StatsScope, roots: readonly number[]): Promise<Map<number, PeopleCounts>> {
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
    const out = new Map<number, PeopleCounts>(roots.map((id) => [id, { degree: [], title: [], gender: [], decade: [] }]));
    // grouping() sets a bit for each column left out of the grouping set: 0b0111 means only degree is grouped.
    const dims: [number, keyof PeopleCounts][] = [
      [0b0111, 'degree'],
      [0b1011, 'title'],
      [0b1101, 'gender'],
      [0b1110, 'decade'],
    ];
    for (const r of rows) {
      const dim = dims.find(([g]) => g === Number(r.g))?.[1];
      if (dim) out.get(r.root)?.[dim].push(StatsService.count(r[dim], r.n));
    }
    return out;
  }

  async peopleByField(scope: StatsScope, roots: readonly number[]): Promise<Map<number, Count[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select p.root, f.code, count(*) as n
       from people p join intellectual i on i.id = p.intellectual_id cross join lateral unnest(i.fields) as f(code)
       group by p.root, f.code`,
    );
    return StatsService.collect(roots, rows, (r) => StatsService.count(r.code, r.n, fieldLabel(String(r.code))));
  }

  async associationsByField(scope: StatsScope, roots: readonly number[]): Promise<Map<number, Count[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, f.code, count(*) as n
       from scope s join association a on a.id = s.association_id cross join lateral unnest(a.fields) as f(code)
       group by s.root, f.code`,
    );
    return StatsService.collect(roots, rows, (r) => StatsService.count(r.code, r.n, fieldLabel(String(r.code))));
  }

  async newMembershipsByYear(scope: StatsScope, roots: readonly number[]): Promise<Map<number, Count[]>> {
    const rows = await this.query(
      scope,
      roots,
      `select s.root, extract(year from m.joined_on)::int as year, count(*) as n
       from scope s join membership m on m.association_id = s.association_id
       where m.joined_on is not null
       group by s.root, year`,
    );
    return StatsService.collect(roots, rows, (r) => StatsService.count(r.year, r.n));
  }
}
