import type { Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EntityPolicy } from '../../common/policy';
import { seesPersonName } from '../intellectual/intellectual.policy';
import { Forum, forumStatusIs } from './forum.entity';
import { ForumPost } from './forum-post.entity';
import { ForumThread } from './forum-thread.entity';
import { ForumStatus, ForumVisibility } from './forum.enums';

type Sql = [sql: string, bindings: Knex.RawBinding[]];

/**
 * SQL: the viewer sees the forum `alias` at all. ADMIN and ANALYST: every forum; an ASSOCIATION
 * key: every forum past DRAFT; the public: PUBLIC forums past DRAFT.
 */
export function seesForum(viewer: Viewer, alias: string): Sql {
  switch (viewer.role) {
    case 'ADMIN':
    case 'ANALYST':
      return ['true', []];
    case 'ASSOCIATION':
      return [`not ${forumStatusIs(alias, ForumStatus.DRAFT)}`, []];
    case 'PUBLIC':
      return [`(${alias}.visibility = ? and not ${forumStatusIs(alias, ForumStatus.DRAFT)})`, [ForumVisibility.PUBLIC]];
  }
}

/** SQL: the viewer sees the forum whose id is `forumId` (an SQL expression). */
export function seesForumId(viewer: Viewer, forumId: string): Sql {
  if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return ['true', []];
  const [seen, b] = seesForum(viewer, 'vf');
  return [`exists (select 1 from forum vf where vf.id = ${forumId} and ${seen})`, b];
}

/** Hidden posts show their body, author, stance and history to ADMIN only. */
export function seesHidden(viewer: Viewer): boolean {
  return viewer.role === 'ADMIN';
}

/** Authors' names: the public sees them only for people with a public profile ("Member of <association>" otherwise); the rule of people's names (seesPersonName). */
export const seesAuthorName = seesPersonName;

/**
 * Forums. Reading: ADMIN and ANALYST see every forum; association keys every forum once it is past
 * DRAFT; the public PUBLIC forums past DRAFT. A forum the viewer may not see does not exist for it
 * (lists, counts, search, stats, node). Written by ADMIN.
 */
export const ForumPolicy: EntityPolicy<Forum> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.whereRaw(...seesForum(viewer, alias));
  },
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/** Threads: seen where their forum is. Opened by association apps (for a current member) and ADMIN; locked by ADMIN. */
export const ForumThreadPolicy: EntityPolicy<ForumThread> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.whereRaw(...seesForumId(viewer, `${alias}.forum_id`));
  },
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/**
 * Posts: seen where their forum is (hidden ones as hidden, except to ADMIN). Edited by the
 * association whose app wrote them (within FORUM_EDIT_WINDOW_MINUTES) and by ADMIN; hidden by ADMIN.
 */
export const ForumPostPolicy: EntityPolicy<ForumPost> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.whereRaw(...seesForumId(viewer, `${alias}.forum_id`));
  },
  canWrite: (viewer, p) => viewer.role === 'ADMIN' || (viewer.role === 'ASSOCIATION' && p.association?.id === viewer.associationId),
};
