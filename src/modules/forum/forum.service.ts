import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { groupByParent, hydrate, PARENT, readColumns } from '../../common/hydrate';
import { expectGlobalId } from '../../common/node-id';
import { Page, PageArgs } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { normalizeText } from '../../common/text';
import { currentMemberOf } from '../intellectual/intellectual.policy';
import { Forum, forumStatusIs } from './forum.entity';
import { ReactionKind } from './forum.enums';
import { ForumFilter, ForumPostFilter, ForumPostsArgs, ForumsArgs, ForumThreadsArgs } from './forum.inputs';
import { ForumPolicy, ForumPostPolicy, ForumThreadPolicy, seesForumId, seesHidden } from './forum.policy';
import { ForumPost, ForumPostRevision } from './forum-post.entity';
import { ForumSynthesis, ForumSynthesisRecommendation } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';
import { FORUM_SORTS, POST_NEWEST_SORT, POST_SORT, THREAD_SORTS } from './forum.types';

/** A person's reaction asked for on a post (ForumPost.viewerReaction). */
export interface ReactionKey {
  postId: number;
  personId: number;
}

/**
 * forum_post with the fields masked on hidden posts (body, stance, author, association, the
 * reason) null while hidden: the compiled reads' source for all but ADMIN. The planner flattens it
 * into the query over forum_post, so its indexes serve as before.
 */
const MASKED_POSTS =
  'select p0.id, p0.created_at, p0.updated_at, p0.thread_id, p0.forum_id, p0.parent_id, p0.by_federation, p0.section_id, p0.edited_at, p0.hidden_at, ' +
  'p0.reply_count, p0.support_count, p0.oppose_count, p0.version, p0.demo, p0.search_text, null::text as hidden_reason, ' +
  ['body', 'stance', 'author_id', 'association_id'].map((c) => `case when p0.hidden_at is null then p0.${c} end as ${c}`).join(', ') +
  ' from forum_post p0';

/** SQL: a section number of a document (threads and posts point at sections by id). */
const SECTION_NUMBER = (column: string) => `${column} in (select fs.id from policy_document_section fs where fs.number = ?)`;

/**
 * Reads of the forum module, as its policies allow (forum.policy.ts): every query starts from
 * ForumPolicy, ForumThreadPolicy or ForumPostPolicy (or seesForumId for what hangs off a forum),
 * so that lists, counts, nested fields and node(id) agree. Hidden posts are masked by the
 * resolvers (seesHidden); here they are kept out of what would match on masked values (search,
 * stance, association) for viewers who may not see them.
 */
export class ForumService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private get knex(): Knex {
    return knexOf(this.em);
  }

  /** True when this post's body, author, stance and history are masked for the viewer. */
  static masked(viewer: Viewer, post: Pick<ForumPost, 'hiddenAt'>): boolean {
    return Boolean(post.hiddenAt) && !seesHidden(viewer);
  }

  // --- forums --------------------------------------------------------------------------------

  /** The forums the viewer may see, as `alias`. */
  forums(alias = 'f'): Knex.QueryBuilder {
    return ForumPolicy.visible(this.viewer, this.knex(`forum as ${alias}`).select(readColumns(this.em, Forum, alias)), alias);
  }

  /** Forums as lists read them: the policy, then the filter (alias `f`). */
  forumBase(filter?: ForumFilter | null): Knex.QueryBuilder {
    const q = this.forums('f');
    if (!filter) return q;
    if (filter.status) q.whereRaw(forumStatusIs('f', filter.status));
    if (filter.visibility) q.where('f.visibility', filter.visibility);
    // Tags are stored in lower case; the GIN index serves `@>`.
    if (filter.tag) q.whereRaw('f.tags @> ?::text[]', [pgArray([normalizeText(filter.tag).toLowerCase()])]);
    if (filter.search) whereNameMatches(q, 'f.search_text', searchTerm(filter.search), true);
    if (filter.consultationRequestId) q.where('f.consultation_request_id', expectGlobalId(filter.consultationRequestId, 'ConsultationRequest', 'filter.consultationRequestId'));
    if (filter.federationCode) q.where('f.federation_id', this.knex('federation').select('id').where('code', filter.federationCode));
    return q;
  }

  /** A page of forums: ranked by similarity when searching, else in the order asked for. */
  async list(args: ForumsArgs): Promise<{ page: Page<Forum>; count: () => Promise<number> }> {
    const base = this.forumBase(args.filter);
    const page = args.filter?.search
      ? await entityPage(this.em, Forum, withSearchRank(this.knex, base, 'f', 'f.title', searchTerm(args.filter.search), 'f.search_text'), rankedSort('f', 'fs'), args)
      : await entityPage(this.em, Forum, base, FORUM_SORTS[args.orderBy], args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Visible forums by id (node(id), forum(id), the forum of threads and posts). */
  async forumsByIds(ids: readonly number[]): Promise<Forum[]> {
    return (await runQuery(this.em, this.forums('f').whereIn('f.id', [...ids]))).map((r) => hydrate(this.em, Forum, r));
  }

  // --- threads -------------------------------------------------------------------------------

  /** The threads the viewer may see (alias `t`). */
  threads(): Knex.QueryBuilder {
    return ForumThreadPolicy.visible(this.viewer, this.knex('forum_thread as t').select(readColumns(this.em, ForumThread, 't')), 't');
  }

  /** Threads as Forum.threads lists them: the policy, then the section (alias `t`). */
  threadBase(section?: string | null): Knex.QueryBuilder {
    const q = this.threads();
    if (section) q.whereRaw(SECTION_NUMBER('t.section_id'), [normalizeText(section)]);
    return q;
  }

  /** Threads of many forums: one statement for the pages. */
  threadsOf(forumIds: number[], args: ForumThreadsArgs): Promise<Map<number, Page<ForumThread>>> {
    return nestedPages(this.em, ForumThread, forumIds, 't.forum_id', this.threadBase(args.section), THREAD_SORTS[args.orderBy], args);
  }

  threadCounts(forumIds: number[], section: string | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, forumIds, 't.forum_id', this.threadBase(section));
  }

  async threadsByIds(ids: readonly number[]): Promise<ForumThread[]> {
    return (await runQuery(this.em, this.threads().whereIn('t.id', [...ids]))).map((r) => hydrate(this.em, ForumThread, r));
  }

  // --- posts ---------------------------------------------------------------------------------

  /**
   * The posts the viewer may see (alias `fp`: nestedPages names its parent list `p`), hidden ones
   * included (masked by the resolvers). `masked`: for compiled reads, whose fields are plain
   * columns, the masked fields of hidden posts read as null in the source itself for all but ADMIN.
   */
  posts(masked = false): Knex.QueryBuilder {
    const from = masked && !seesHidden(this.viewer) ? this.knex.raw(`(${MASKED_POSTS}) as fp`) : 'forum_post as fp';
    return ForumPostPolicy.visible(this.viewer, this.knex.from(from as unknown as string).select(readColumns(this.em, ForumPost, 'fp')), 'fp');
  }

  /** A thread's top-level posts (ForumThread.posts; forum_post_thread_top_idx). */
  topPostBase(masked = false): Knex.QueryBuilder {
    return this.posts(masked).whereNull('fp.parent_id');
  }

  topPostsOf(threadIds: number[], args: PageArgs): Promise<Map<number, Page<ForumPost>>> {
    return nestedPages(this.em, ForumPost, threadIds, 'fp.thread_id', this.topPostBase(), POST_SORT, args);
  }

  topPostCounts(threadIds: number[]): Promise<Map<number, number>> {
    return nestedCounts(this.em, threadIds, 'fp.thread_id', this.topPostBase());
  }

  /** Direct replies of many posts: one statement for the pages (forum_post_parent_idx). */
  repliesOf(postIds: number[], args: PageArgs): Promise<Map<number, Page<ForumPost>>> {
    return nestedPages(this.em, ForumPost, postIds, 'fp.parent_id', this.posts(), POST_SORT, args);
  }

  replyCounts(postIds: number[]): Promise<Map<number, number>> {
    return nestedCounts(this.em, postIds, 'fp.parent_id', this.posts());
  }

  async postsByIds(ids: readonly number[]): Promise<ForumPost[]> {
    return (await runQuery(this.em, this.posts().whereIn('fp.id', [...ids]))).map((r) => hydrate(this.em, ForumPost, r));
  }

  /**
   * Posts as forumPosts lists them (alias `fp`). Search, stance and association are masked on
   * hidden posts for all but ADMIN, so hidden posts never match them for others.
   */
  postBase(filter?: ForumPostFilter | null, masked = false): Knex.QueryBuilder {
    const q = this.posts(masked);
    if (!filter) return q;
    const knex = this.knex;
    if (filter.forumId) q.where('fp.forum_id', expectGlobalId(filter.forumId, 'Forum', 'filter.forumId'));
    if (filter.search) {
      const term = searchTerm(filter.search);
      // Post bodies or thread titles, each through its trigram index: a union, not an OR, which
      // PostgreSQL answers by walking the posts' primary key and filtering every row.
      q.whereRaw(
        `fp.id in (select sp.id from forum_post sp where sp.search_text like '%' || btrim(f_fold(?)) || '%'` +
          ` union all select tp.id from forum_post tp join forum_thread st on st.id = tp.thread_id where st.search_text like '%' || btrim(f_fold(?)) || '%')`,
        [term, term],
      );
    }
    if (filter.stance) q.where('fp.stance', filter.stance);
    if (filter.section) q.whereRaw(SECTION_NUMBER('fp.section_id'), [normalizeText(filter.section)]);
    if (filter.associationCode) q.where('fp.association_id', knex('association').select('id').where('code', filter.associationCode));
    if ((filter.search || filter.stance || filter.associationCode) && !seesHidden(this.viewer)) q.whereNull('fp.hidden_at');
    return q;
  }

  /** A page of posts, newest first. */
  async listPosts(args: ForumPostsArgs): Promise<{ page: Page<ForumPost>; count: () => Promise<number> }> {
    const base = this.postBase(args.filter);
    const page = await entityPage(this.em, ForumPost, base, POST_NEWEST_SORT, args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Earlier bodies of posts (alias `rv`, the post `fp`): none of a hidden post for all but ADMIN. */
  revisionBase(): Knex.QueryBuilder {
    const q = ForumPostPolicy.visible(
      this.viewer,
      this.knex('forum_post_revision as rv').join('forum_post as fp', 'fp.id', 'rv.post_id').select(readColumns(this.em, ForumPostRevision, 'rv')),
      'fp',
    );
    return seesHidden(this.viewer) ? q : q.whereNull('fp.hidden_at');
  }

  /** Earlier bodies of many posts, oldest first. */
  async revisionsOf(postIds: readonly number[]): Promise<Map<number, ForumPostRevision[]>> {
    const q = this.revisionBase()
      .select(`rv.post_id as ${PARENT}`)
      .whereIn('rv.post_id', [...postIds])
      .orderBy([{ column: 'rv.post_id' }, { column: 'rv.revision' }]);
    return groupByParent(this.em, ForumPostRevision, await runQuery(this.em, q));
  }

  /**
   * The reactions of people to posts (viewerReaction): ADMIN any person's, an association key its
   * current members' only, nobody else's (no statement then).
   */
  async reactionsOf(keys: readonly ReactionKey[]): Promise<Map<string, ReactionKind>> {
    const out = new Map<string, ReactionKind>();
    if (this.viewer.role !== 'ADMIN' && this.viewer.role !== 'ASSOCIATION') return out;
    const q = this.knex('forum_reaction as r')
      .select('r.post_id', 'r.intellectual_id', 'r.kind')
      .whereRaw('(r.post_id, r.intellectual_id) in (select * from unnest(?::int[], ?::int[]))', [pgArray(keys.map((k) => k.postId)), pgArray(keys.map((k) => k.personId))]);
    if (this.viewer.role === 'ASSOCIATION') q.whereRaw(...currentMemberOf('r.intellectual_id', this.viewer.associationId));
    for (const row of await runQuery<{ post_id: number; intellectual_id: number; kind: ReactionKind }>(this.em, q)) out.set(`${row.post_id}:${row.intellectual_id}`, row.kind);
    return out;
  }

  // --- synthesis -----------------------------------------------------------------------------

  /** The synthesis of many forums, where the viewer sees the forum. */
  async synthesesOf(forumIds: readonly number[]): Promise<Map<number, ForumSynthesis>> {
    const q = this.knex('forum_synthesis as fs')
      .select(readColumns(this.em, ForumSynthesis, 'fs'))
      .whereIn('fs.forum_id', [...forumIds])
      .whereRaw(...seesForumId(this.viewer, 'fs.forum_id'));
    const out = new Map<number, ForumSynthesis>();
    for (const row of await runQuery(this.em, q)) {
      // hydrate() reads many-to-one relations only: the synthesis' one-to-one forum is set here.
      out.set(Number(row.forum_id), Object.assign(hydrate(this.em, ForumSynthesis, row), { forum: { id: Number(row.forum_id) } }));
    }
    return out;
  }

  /** Recommendations of many syntheses, by number. */
  async recommendationsOf(synthesisIds: readonly number[]): Promise<Map<number, ForumSynthesisRecommendation[]>> {
    const q = this.knex('forum_synthesis_recommendation as rec')
      .join('forum_synthesis as fs', 'fs.id', 'rec.synthesis_id')
      .select(...readColumns(this.em, ForumSynthesisRecommendation, 'rec'), `rec.synthesis_id as ${PARENT}`)
      .whereIn('rec.synthesis_id', [...synthesisIds])
      .whereRaw(...seesForumId(this.viewer, 'fs.forum_id'))
      .orderBy([{ column: 'rec.synthesis_id' }, { column: 'rec.number' }]);
    return groupByParent(this.em, ForumSynthesisRecommendation, await runQuery(this.em, q));
  }

  /** The posts many recommendations cite, in the order given (citation ids), under ForumPostPolicy. */
  citedPostBase(masked = false): Knex.QueryBuilder {
    return this.posts(masked).join('forum_synthesis_citation as c', 'c.post_id', 'fp.id');
  }

  async citedPostsOf(recommendationIds: readonly number[]): Promise<Map<number, ForumPost[]>> {
    const q = this.citedPostBase()
      .select(`c.recommendation_id as ${PARENT}`)
      .whereIn('c.recommendation_id', [...recommendationIds])
      .orderBy([{ column: 'c.recommendation_id' }, { column: 'c.id' }]);
    return groupByParent(this.em, ForumPost, await runQuery(this.em, q));
  }
}
