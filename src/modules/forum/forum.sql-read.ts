import type { Viewer } from '../../common/auth';
import { fromGlobalId } from '../../common/node-id';
import { Args, columnFields, filteredConnection, filterOf, ReadScope, SqlField, SqlReadContribution } from '../../common/sql-read';
import { ConsultationService } from '../consultation/consultation.service';
import { forumStatusSql } from './forum.entity';
import { ForumOrder, ThreadOrder } from './forum.enums';
import { ForumFilter, ForumPostFilter } from './forum.inputs';
import { renderPostBody } from './forum.markdown';
import { seesForumId, seesHidden } from './forum.policy';
import { ForumService } from './forum.service';
import { FORUM_SORTS, POST_NEWEST_SORT, POST_SORT, THREAD_SORTS } from './forum.types';

/**
 * Forums in compiled reads (common/sql-read.ts): forums (unless searched: ranked, on the
 * resolvers), forum(id), forumPosts and node(id); Forum with its federation, document, request,
 * counters, threads and synthesis; threads with their author, name shown, association and posts;
 * posts with their replies, rendered body, reactions, author, name shown and history. The sources
 * are the service's (its policies, then the filters), in the resolvers' orders. Posts are read
 * from the masked source (ForumService.posts(true)): for all but ADMIN a hidden post's body,
 * stance, author and association are null in the rows themselves. Sections, the viewer's reaction
 * and the person behind a thread stay on the resolvers where not declared.
 */

const service = (s: ReadScope) => new ForumService(s.em, s.viewer);

/** A DateTime column: through a JS Date, as the resolvers serialise it (milliseconds). */
const dateTime = (column: string): SqlField => ({ kind: 'value', sql: (a) => `${a}.${column}`, value: (v) => new Date(v as string) });

/**
 * SQL of ForumThread.authorName / ForumPost.authorName (as authorNameOf in forum.resolver.ts):
 * the federation's name, else the person's full name, else (the public, no public profile)
 * "Member of <association short name, else name>".
 */
function authorNameSql(a: string, viewer: Viewer): string {
  const named = viewer.role === 'PUBLIC' ? 'an_i.public_profile' : 'true';
  return (
    `(case when ${a}.by_federation then (select an_fed.name from forum an_f join federation an_fed on an_fed.id = an_f.federation_id where an_f.id = ${a}.forum_id)` +
    ` when ${a}.author_id is null then null` +
    ` else (select case when ${named} then an_i.full_name else 'Member of ' || coalesce(nullif(an_a.short_name, ''), an_a.name) end` +
    ` from intellectual an_i left join association an_a on an_a.id = ${a}.association_id where an_i.id = ${a}.author_id) end)`
  );
}

/** The posts of a level, masked: top-level ones of a thread, replies of a post, cited ones. */
const postConnection = (childColumn: string, top: boolean): SqlField => ({
  kind: 'connection',
  type: 'ForumPost',
  childColumn,
  source: (s) => ({ q: (top ? service(s).topPostBase(true) : service(s).posts(true)).clearSelect(), alias: 'fp' }),
  count: (s) => ({ q: (top ? service(s).topPostBase(true) : service(s).posts(true)).clearSelect(), alias: 'fp' }),
  sort: () => POST_SORT,
});

const forums = filteredConnection('Forum', ForumFilter, (s, filter) => ({ q: service(s).forumBase(filter).clearSelect(), alias: 'f' }), (args: Args) =>
  FORUM_SORTS[(args.orderBy as ForumOrder | undefined) ?? ForumOrder.OPENS_DESC],
);

export const forumSqlRead: SqlReadContribution = {
  plainTypes: ['ForumReactionCounts'],
  types: [
    {
      type: 'Forum',
      byId: (s) => ({ q: service(s).forums('f').clearSelect(), alias: 'f' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({ title: 'title', description: 'description', visibility: 'visibility', version: 'version', demo: 'demo', postCount: 'post_count', threadCount: 'thread_count' }),
        tags: { kind: 'value', sql: (a) => `to_json(${a}.tags)`, value: (v) => v },
        status: { kind: 'column', sql: (a) => forumStatusSql(a) },
        opensAt: dateTime('opens_at'),
        closesAt: dateTime('closes_at'),
        createdAt: dateTime('created_at'),
        lastActivityAt: dateTime('last_activity_at'),
        federation: { kind: 'object', type: 'Federation', key: (a) => `${a}.federation_id` },
        document: { kind: 'object', type: 'PolicyDocument', key: (a) => `${a}.document_id` },
        consultationRequest: { kind: 'object', type: 'ConsultationRequest', key: (a) => `${a}.consultation_request_id` },
        synthesis: { kind: 'object', type: 'ForumSynthesis', key: (a) => `(select sy.id from forum_synthesis sy where sy.forum_id = ${a}.id)` },
        threads: {
          kind: 'connection',
          type: 'ForumThread',
          childColumn: 't.forum_id',
          source: (s, args) => ({ q: service(s).threadBase(args.section as string | null | undefined).clearSelect(), alias: 't' }),
          count: (s, args) => ({ q: service(s).threadBase(args.section as string | null | undefined).clearSelect(), alias: 't' }),
          sort: (args) => THREAD_SORTS[(args.orderBy as ThreadOrder | undefined) ?? ThreadOrder.LAST_ACTIVITY_DESC],
        },
      },
    },
    {
      type: 'ForumThread',
      byId: (s) => ({ q: service(s).threads().clearSelect(), alias: 't' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({ title: 'title', byFederation: 'by_federation', locked: 'locked', postCount: 'post_count', version: 'version', demo: 'demo' }),
        createdAt: dateTime('created_at'),
        lastActivityAt: dateTime('last_activity_at'),
        authorName: { kind: 'column', sql: (a, s) => authorNameSql(a, s.viewer) },
        forum: { kind: 'object', type: 'Forum', key: (a) => `${a}.forum_id` },
        author: { kind: 'object', type: 'Intellectual', key: (a) => `${a}.author_id` },
        association: { kind: 'object', type: 'Association', key: (a) => `${a}.association_id` },
        section: { kind: 'object', type: 'PolicyDocumentSection', key: (a) => `${a}.section_id` },
        posts: postConnection('fp.thread_id', true),
      },
    },
    {
      type: 'ForumPost',
      byId: (s) => ({ q: service(s).posts(true).clearSelect(), alias: 'fp' }),
      fields: {
        id: { kind: 'id' },
        // Masked in the source (null on hidden posts for all but ADMIN).
        ...columnFields({ byFederation: 'by_federation', replyCount: 'reply_count', version: 'version', demo: 'demo', body: 'body', stance: 'stance' }),
        hidden: { kind: 'column', sql: (a) => `(${a}.hidden_at is not null)` },
        hiddenReason: { kind: 'column', sql: (a) => `(case when ${a}.hidden_at is not null then ${a}.hidden_reason end)` },
        bodyHtml: { kind: 'value', sql: (a) => `${a}.body`, value: (v) => renderPostBody(v as string) },
        createdAt: dateTime('created_at'),
        editedAt: dateTime('edited_at'),
        authorName: { kind: 'column', sql: (a, s) => (seesHidden(s.viewer) ? authorNameSql(a, s.viewer) : `(case when ${a}.hidden_at is null then ${authorNameSql(a, s.viewer)} end)`) },
        reactions: { kind: 'value', sql: (a) => `json_build_object('support', ${a}.support_count, 'oppose', ${a}.oppose_count)`, value: (v) => v },
        thread: { kind: 'object', type: 'ForumThread', key: (a) => `${a}.thread_id` },
        forum: { kind: 'object', type: 'Forum', key: (a) => `${a}.forum_id` },
        parent: { kind: 'object', type: 'ForumPost', key: (a) => `${a}.parent_id` },
        author: { kind: 'object', type: 'Intellectual', key: (a) => `${a}.author_id` },
        association: { kind: 'object', type: 'Association', key: (a) => `${a}.association_id` },
        section: { kind: 'object', type: 'PolicyDocumentSection', key: (a) => `${a}.section_id` },
        replies: postConnection('fp.parent_id', false),
        history: {
          kind: 'list',
          type: 'ForumPostRevision',
          source: (s) => ({ q: service(s).revisionBase().clearSelect(), alias: 'rv' }),
          childColumn: 'rv.post_id',
          order: 'rv.revision',
        },
      },
    },
    {
      type: 'ForumPostRevision',
      fields: { ...columnFields({ revision: 'revision', body: 'body', stance: 'stance' }), writtenAt: dateTime('written_at') },
    },
    {
      type: 'ForumSynthesis',
      byId: (s) => ({ q: s.knex('forum_synthesis as sy').whereRaw(...seesForumId(s.viewer, 'sy.forum_id')), alias: 'sy' }),
      fields: {
        ...columnFields({ summary: 'summary', version: 'version' }),
        publishedAt: dateTime('published_at'),
        attachedAt: dateTime('attached_at'),
        forum: { kind: 'object', type: 'Forum', key: (a) => `${a}.forum_id` },
        recommendations: {
          kind: 'list',
          type: 'ForumRecommendation',
          source: (s) => ({ q: s.knex('forum_synthesis_recommendation as rec'), alias: 'rec' }),
          childColumn: 'rec.synthesis_id',
          order: 'rec.number',
        },
      },
    },
    {
      type: 'ForumRecommendation',
      fields: {
        ...columnFields({ number: 'number', text: 'text' }),
        section: { kind: 'object', type: 'PolicyDocumentSection', key: (a) => `${a}.section_id` },
        citedPosts: { kind: 'list', type: 'ForumPost', source: (s) => ({ q: service(s).citedPostBase(true).clearSelect(), alias: 'fp' }), childColumn: 'c.recommendation_id', order: 'c.id' },
      },
    },
    {
      // Sections by id, under PolicyDocumentPolicy (as policyDocumentSectionById), for the sections threads and posts point at.
      type: 'PolicyDocumentSection',
      byId: (s) => ({ q: new ConsultationService(s.em, s.viewer).sectionBase().clearSelect(), alias: 's' }),
      fields: {},
    },
  ],
  roots: {
    forums: { kind: 'connection', ...forums },
    forum: {
      kind: 'one',
      type: 'Forum',
      source(s, args) {
        const d = fromGlobalId(String(args.id));
        return d?.type === 'Forum' ? { q: service(s).forums('f').clearSelect().where('f.id', d.id), alias: 'f' } : null;
      },
    },
    forumPosts: {
      kind: 'connection',
      type: 'ForumPost',
      source: (s, args) => ({ q: service(s).postBase(filterOf(ForumPostFilter, args), true).clearSelect(), alias: 'fp' }),
      count: (s, args) => ({ q: service(s).postBase(filterOf(ForumPostFilter, args), true).clearSelect(), alias: 'fp' }),
      sort: () => POST_NEWEST_SORT,
    },
  },
};
