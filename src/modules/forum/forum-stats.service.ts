import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { PostStance } from './forum.enums';
import { seesForum, seesHidden } from './forum.policy';
import { FORUM_STATS_TIME_ZONE, PUBLIC_MIN_GROUP } from './forum-stats.types';

export interface ForumTotals {
  posts: number;
  threads: number;
  participants: number;
}

export interface AssociationFigures {
  /** null: the merged row. */
  associationId: number | null;
  participants: number;
  posts: number;
  merged: number;
}

export interface SectionFigures {
  /** null: posts on no section, or the merged row (merged > 0). */
  sectionId: number | null;
  posts: number;
  agree: number;
  agreeWithChanges: number;
  disagree: number;
  merged: number;
}

export interface DayFigures {
  /** YYYY-MM-DD, Vietnam time. */
  day: string;
  posts: number;
}

export const NO_TOTALS = (): ForumTotals => ({ posts: 0, threads: 0, participants: 0 });

/**
 * Merges the groups smaller than `min` (by `size`) into one row made by `merge`, put last; the
 * others keep their order. Nothing is merged when no group is small. A single small group is
 * merged too: its row no longer says which group it is.
 */
export function mergeSmallGroups<T>(rows: readonly T[], size: (row: T) => number, min: number, merge: (small: T[]) => T): T[] {
  const kept: T[] = [];
  const small: T[] = [];
  for (const r of rows) (size(r) < min ? small : kept).push(r);
  return small.length ? [...kept, merge(small)] : kept;
}

const sum = <T>(rows: readonly T[], f: (r: T) => number) => rows.reduce((n, r) => n + f(r), 0);

type Row = Record<string, unknown> & { root: number };

/**
 * A forum's figures for many forums at once: each method is ONE aggregate statement over the
 * posts (or threads) of every forum asked for, grouped by forum, so a list of forums with their
 * figures costs the same statements as one. The forum's visibility (forum.policy.ts, seesForum)
 * is part of every statement: a forum the viewer may not see counts nothing, whoever asks for it.
 */
export class ForumStatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** WHERE condition on `forum f`: the ids asked for, as far as the viewer sees them. */
  private forums(forumIds: readonly number[]): [string, Knex.RawBinding[]] {
    const [seen, bindings] = seesForum(this.viewer, 'f');
    return [`f.id = any(?::int[]) and ${seen}`, [pgArray(forumIds), ...bindings]];
  }

  private async rows(sql: string, bindings: Knex.RawBinding[]): Promise<Row[]> {
    const rows = await runQuery<Row>(this.em, knexOf(this.em).raw(sql, bindings));
    return rows.map((r) => ({ ...r, root: Number(r.root) }));
  }

  /** Merging small groups is for the public only: keys see exact figures. */
  private get merges(): boolean {
    return this.viewer.role === 'PUBLIC';
  }

  /** Posts, threads and distinct participants. */
  async totals(forumIds: readonly number[]): Promise<Map<number, ForumTotals>> {
    const [forums, bindings] = this.forums(forumIds);
    const rows = await this.rows(
      `select f.id as root,
         (select count(*) from forum_thread t where t.forum_id = f.id) as threads,
         p.posts, p.participants
       from forum f
         cross join lateral (select count(*) as posts, count(distinct p.author_id) as participants from forum_post p where p.forum_id = f.id) p
       where ${forums}`,
      bindings,
    );
    return new Map(rows.map((r) => [r.root, { posts: Number(r.posts), threads: Number(r.threads), participants: Number(r.participants) }]));
  }

  /**
   * Participants and posts per association. For the public, the groups under PUBLIC_MIN_GROUP
   * participants are merged; the merged row's participants are distinct across those groups (a
   * person who posted through two of them counts once), which the same statement computes.
   */
  async byAssociation(forumIds: readonly number[]): Promise<Map<number, AssociationFigures[]>> {
    const [forums, bindings] = this.forums(forumIds);
    const merged = this.merges
      ? `union all
         select p.root, null, count(distinct p.author_id), count(*), 'm', null
         from p join g on g.root = p.root and g.association_id = p.association_id
         where g.participants < ?
         group by p.root`
      : '';
    const rows = await this.rows(
      `with p as (
         select f.id as root, p.association_id, p.author_id
         from forum f join forum_post p on p.forum_id = f.id
         where ${forums} and p.association_id is not null
       ), g as (
         select root, association_id, count(distinct author_id) as participants, count(*) as posts from p group by root, association_id
       )
       select * from (
         select g.root, g.association_id, g.participants, g.posts, 'g' as kind, a.code
         from g join association a on a.id = g.association_id
         ${merged}
       ) x
       order by root, posts desc, participants desc, code`,
      this.merges ? [...bindings, PUBLIC_MIN_GROUP] : bindings,
    );
    const groups = new Map<number, AssociationFigures[]>(forumIds.map((id) => [id, []]));
    const distinctMerged = new Map<number, number>();
    for (const r of rows) {
      if (r.kind === 'm') distinctMerged.set(r.root, Number(r.participants));
      else groups.get(r.root)?.push({ associationId: Number(r.association_id), participants: Number(r.participants), posts: Number(r.posts), merged: 0 });
    }
    if (!this.merges) return groups;
    const out = new Map<number, AssociationFigures[]>();
    for (const [root, list] of groups) {
      out.set(
        root,
        mergeSmallGroups(
          list,
          (g) => g.participants,
          PUBLIC_MIN_GROUP,
          (small) => ({ associationId: null, participants: distinctMerged.get(root) ?? sum(small, (g) => g.participants), posts: sum(small, (g) => g.posts), merged: small.length }),
        ),
      );
    }
    return out;
  }

  /**
   * Posts and stances per section: the post's section, else its thread's. Hidden posts count as
   * posts; their stance only for ADMIN (seesHidden). For the public, groups under
   * PUBLIC_MIN_GROUP posts are merged ("no section" is a group like the others).
   */
  async bySection(forumIds: readonly number[]): Promise<Map<number, SectionFigures[]>> {
    const [forums, bindings] = this.forums(forumIds);
    const stance = seesHidden(this.viewer) ? 'p.stance' : 'case when p.hidden_at is null then p.stance end';
    const rows = await this.rows(
      `select x.*
       from (
         select f.id as root, coalesce(p.section_id, t.section_id) as section_id, count(*) as posts,
           count(*) filter (where ${stance} = ?) as agree,
           count(*) filter (where ${stance} = ?) as agree_with_changes,
           count(*) filter (where ${stance} = ?) as disagree
         from forum f join forum_post p on p.forum_id = f.id join forum_thread t on t.id = p.thread_id
         where ${forums}
         group by f.id, coalesce(p.section_id, t.section_id)
       ) x left join policy_document_section s on s.id = x.section_id
       order by x.root, s.position nulls last, s.number, x.section_id`,
      [PostStance.AGREE, PostStance.AGREE_WITH_CHANGES, PostStance.DISAGREE, ...bindings],
    );
    const out = new Map<number, SectionFigures[]>(forumIds.map((id) => [id, []]));
    for (const r of rows) {
      out.get(r.root)?.push({
        sectionId: r.section_id === null ? null : Number(r.section_id),
        posts: Number(r.posts),
        agree: Number(r.agree),
        agreeWithChanges: Number(r.agree_with_changes),
        disagree: Number(r.disagree),
        merged: 0,
      });
    }
    if (!this.merges) return out;
    for (const [root, list] of out) {
      out.set(
        root,
        mergeSmallGroups(list, (g) => g.posts, PUBLIC_MIN_GROUP, (small) => ({
          sectionId: null,
          posts: sum(small, (g) => g.posts),
          agree: sum(small, (g) => g.agree),
          agreeWithChanges: sum(small, (g) => g.agreeWithChanges),
          disagree: sum(small, (g) => g.disagree),
          merged: small.length,
        })),
      );
    }
    return out;
  }

  /** Posts per day in Vietnam time, oldest first. */
  async byDay(forumIds: readonly number[]): Promise<Map<number, DayFigures[]>> {
    const [forums, bindings] = this.forums(forumIds);
    const rows = await this.rows(
      `select f.id as root, to_char(p.created_at at time zone ?, 'YYYY-MM-DD') as day, count(*) as posts
       from forum f join forum_post p on p.forum_id = f.id
       where ${forums}
       group by 1, 2
       order by 1, 2`,
      [FORUM_STATS_TIME_ZONE, ...bindings],
    );
    const out = new Map<number, DayFigures[]>(forumIds.map((id) => [id, []]));
    for (const r of rows) out.get(r.root)?.push({ day: String(r.day), posts: Number(r.posts) });
    return out;
  }
}
