import { registerEnumType } from 'type-graphql';

/**
 * Where a forum stands. Stored are the times and two admin decisions (closed early, archived);
 * the status follows from them (forumStatusSql / forumStatusAt in forum.entity.ts):
 * ARCHIVED if archived; CLOSED if closed early or past closesAt; OPEN from opensAt; else DRAFT.
 */
export enum ForumStatus {
  DRAFT = 'DRAFT',
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(ForumStatus, {
  name: 'ForumStatus',
  description: 'Where a forum stands. OPEN and CLOSED follow opensAt and closesAt; ADMIN may close a forum early (setForumStatus) or archive a closed one.',
  valuesConfig: {
    DRAFT: { description: 'Being prepared: opensAt is still ahead. Seen by ADMIN and ANALYST only.' },
    OPEN: { description: 'Between opensAt and closesAt: threads, posts and reactions are taken.' },
    CLOSED: { description: 'Past closesAt, or closed early by ADMIN: read-only; the synthesis can be published.' },
    ARCHIVED: { description: 'Closed and put away by ADMIN: read-only, still readable.' },
  },
});

export enum ForumVisibility {
  PUBLIC = 'PUBLIC',
  MEMBERS_ONLY = 'MEMBERS_ONLY',
}
registerEnumType(ForumVisibility, {
  name: 'ForumVisibility',
  description: 'Who reads a forum.',
  valuesConfig: {
    PUBLIC: { description: 'Everyone, without a key.' },
    MEMBERS_ONLY: { description: 'Association keys, ANALYST and ADMIN; for the public it does not exist (lists, counts, search, stats, node).' },
  },
});

export enum PostStance {
  AGREE = 'AGREE',
  AGREE_WITH_CHANGES = 'AGREE_WITH_CHANGES',
  DISAGREE = 'DISAGREE',
}
registerEnumType(PostStance, {
  name: 'ForumPostStance',
  description: 'Where a post stands on the document (optional).',
  valuesConfig: {
    AGREE: { description: 'Agrees (đồng ý).' },
    AGREE_WITH_CHANGES: { description: 'Agrees with changes (đồng ý, có sửa đổi).' },
    DISAGREE: { description: 'Disagrees (không đồng ý).' },
  },
});

export enum ReactionKind {
  SUPPORT = 'SUPPORT',
  OPPOSE = 'OPPOSE',
}
registerEnumType(ReactionKind, {
  name: 'ForumReactionKind',
  description: 'A reaction to a post: one per person per post, changeable and removable.',
  valuesConfig: {
    SUPPORT: { description: 'Supports the post.' },
    OPPOSE: { description: 'Opposes the post.' },
  },
});

export enum ForumOrder {
  OPENS_DESC = 'OPENS_DESC',
  CLOSES_ASC = 'CLOSES_ASC',
  ACTIVITY_DESC = 'ACTIVITY_DESC',
}
registerEnumType(ForumOrder, {
  name: 'ForumOrder',
  description: 'Order of a forum list (ties broken by id).',
  valuesConfig: {
    OPENS_DESC: { description: 'Latest opening first (the default).' },
    CLOSES_ASC: { description: 'Closing soonest first.' },
    ACTIVITY_DESC: { description: 'Most recent post first; forums without posts last.' },
  },
});

export enum ThreadOrder {
  LAST_ACTIVITY_DESC = 'LAST_ACTIVITY_DESC',
  POSTS_DESC = 'POSTS_DESC',
  CREATED_ASC = 'CREATED_ASC',
}
registerEnumType(ThreadOrder, {
  name: 'ForumThreadOrder',
  description: 'Order of a forum’s threads (ties broken by id).',
  valuesConfig: {
    LAST_ACTIVITY_DESC: { description: 'Most recent post first (the default).' },
    POSTS_DESC: { description: 'Most posts first.' },
    CREATED_ASC: { description: 'Oldest thread first.' },
  },
});

/** Moves setForumStatus makes, by the status the forum has now. */
export const FORUM_MOVES: Record<ForumStatus, ForumStatus[]> = {
  [ForumStatus.DRAFT]: [ForumStatus.OPEN],
  [ForumStatus.OPEN]: [ForumStatus.CLOSED],
  [ForumStatus.CLOSED]: [ForumStatus.OPEN, ForumStatus.ARCHIVED],
  [ForumStatus.ARCHIVED]: [ForumStatus.CLOSED],
};
