import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType, SortSpec } from '../../common/pagination';
import { Forum } from './forum.entity';
import { ForumPost } from './forum-post.entity';
import { ForumThread } from './forum-thread.entity';
import { ForumOrder, ThreadOrder } from './forum.enums';

export const ForumConnection = ConnectionType('Forum', Forum, 'forum');
export const ForumThreadConnection = ConnectionType('ForumThread', ForumThread, 'thread');
export const ForumPostConnection = ConnectionType('ForumPost', ForumPost, 'post');

/** Orders of forum lists (alias `f`), each served by an index of forum (see the entity). */
export const FORUM_SORTS: Record<ForumOrder, SortSpec> = {
  OPENS_DESC: {
    key: 'fo',
    direction: 'desc',
    columns: [
      { column: 'opens_at', type: 'timestamp', sql: 'f.opens_at' },
      { column: 'id', type: 'int', sql: 'f.id' },
    ],
  },
  CLOSES_ASC: {
    key: 'fc',
    direction: 'asc',
    columns: [
      { column: 'closes_at', type: 'timestamp', sql: 'f.closes_at' },
      { column: 'id', type: 'int', sql: 'f.id' },
    ],
  },
  // Forums without posts last (their null sorts as -infinity in a descending order).
  ACTIVITY_DESC: {
    key: 'fa',
    direction: 'desc',
    columns: [
      { column: 'last_activity_at', type: 'timestamp', sql: 'f.last_activity_at', nullsAs: "'-infinity'::timestamptz" },
      { column: 'id', type: 'int', sql: 'f.id' },
    ],
  },
};

/** Orders of a forum's threads (alias `t`): forum_thread_activity_idx, forum_thread_posts_idx, forum_thread_created_idx. */
export const THREAD_SORTS: Record<ThreadOrder, SortSpec> = {
  LAST_ACTIVITY_DESC: {
    key: 'ta',
    direction: 'desc',
    columns: [
      { column: 'last_activity_at', type: 'timestamp', sql: 't.last_activity_at' },
      { column: 'id', type: 'int', sql: 't.id' },
    ],
  },
  POSTS_DESC: {
    key: 'tp',
    direction: 'desc',
    columns: [
      { column: 'post_count', type: 'int', sql: 't.post_count' },
      { column: 'id', type: 'int', sql: 't.id' },
    ],
  },
  CREATED_ASC: { key: 'tc', direction: 'asc', columns: [{ column: 'id', type: 'int', sql: 't.id' }] },
};

/** A thread's posts and a post's replies: oldest first, by id (ids within a thread are in commit order). */
export const POST_SORT: SortSpec = { key: 'po', direction: 'asc', columns: [{ column: 'id', type: 'int', sql: 'fp.id' }] };

/** forumPosts: newest first. */
export const POST_NEWEST_SORT: SortSpec = { key: 'pn', direction: 'desc', columns: [{ column: 'id', type: 'int', sql: 'fp.id' }] };

@ObjectType('ForumReactionCounts', { description: 'How many people reacted to a post, by reaction.' })
export class ForumReactionCounts {
  @Field(() => Int, { description: 'SUPPORT reactions.' })
  support!: number;

  @Field(() => Int, { description: 'OPPOSE reactions.' })
  oppose!: number;
}
