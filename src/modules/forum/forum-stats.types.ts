import { Field, Int, ObjectType } from 'type-graphql';
import { LocalDateScalar } from '../../common/scalars';

/**
 * Groups smaller than this (participants per association, posts per section) are merged into one
 * row for the public, so that a figure about one or two people is not published.
 */
export const PUBLIC_MIN_GROUP = 5;

/** The time zone of byDay's days (Vietnam, UTC+7 all year). */
export const FORUM_STATS_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/**
 * The root of a forum's figures: which forum. The figures are field resolvers, each loaded when
 * asked for and batched across forums (forum-stats.loaders.ts).
 */
@ObjectType('ForumStats', {
  description:
    "Figures on a forum's discussion. Everything in the forum is counted, hidden posts included (they exist), but a hidden post's stance only for ADMIN. " +
    `For anonymous callers, groups of fewer than ${PUBLIC_MIN_GROUP} (participants of an association, posts on a section) are merged into one row whose association or section is null and whose merged field says how many groups it holds.`,
})
export class ForumStats {
  constructor(readonly forumId: number) {}
}

@ObjectType('ForumAssociationStat', { description: 'Participation through one association (its app wrote the posts), or the merged row of the small ones.' })
export class ForumAssociationStat {
  /** The association (resolved from it, batched); null for the merged row. */
  associationId!: number | null;

  @Field(() => Int, { description: 'Distinct people who posted through this association (in the merged row: distinct people across the groups merged).' })
  participants!: number;

  @Field(() => Int, { description: 'Posts written through this association, replies and hidden posts included.' })
  posts!: number;

  @Field(() => Int, { description: `How many associations were merged into this row (groups of fewer than ${PUBLIC_MIN_GROUP} participants, anonymous callers only); 0 for an association's own row.` })
  merged!: number;
}

@ObjectType('ForumSectionStat', { description: "Posts on one section of the forum's document (the post's section, else its thread's), on no section, or the merged row of the small ones." })
export class ForumSectionStat {
  /** The section (resolved from it, batched); null for posts on no section and for the merged row. */
  sectionId!: number | null;

  @Field(() => Int, { description: 'Posts on it, replies and hidden posts included.' })
  posts!: number;

  @Field(() => Int, { description: 'Of those, posts whose stance is AGREE (hidden posts’ stances are counted for ADMIN only).' })
  agree!: number;

  @Field(() => Int, { description: 'Of those, posts whose stance is AGREE_WITH_CHANGES (hidden posts’ stances are counted for ADMIN only).' })
  agreeWithChanges!: number;

  @Field(() => Int, { description: 'Of those, posts whose stance is DISAGREE (hidden posts’ stances are counted for ADMIN only).' })
  disagree!: number;

  @Field(() => Int, {
    description: `How many groups (sections, and "no section") were merged into this row (groups of fewer than ${PUBLIC_MIN_GROUP} posts, anonymous callers only); 0 otherwise. A row with section null and merged 0 holds the posts on no section.`,
  })
  merged!: number;
}

@ObjectType('ForumDayStat', { description: 'Posts written on one day.' })
export class ForumDayStat {
  @Field(() => LocalDateScalar, { description: 'The day, in Vietnam time (UTC+7).' })
  day!: string;

  @Field(() => Int, { description: 'Posts written that day, replies and hidden posts included.' })
  posts!: number;
}

export const FORUM_STATS_DESCRIPTIONS = {
  stats: 'Figures on the discussion: posts, threads, participants, participation per association, posts and stances per document section, posts per day (see ForumStats).',
  posts: 'Posts in the forum, replies and hidden posts included.',
  threads: 'Threads in the forum.',
  participants: 'Distinct people who posted (the federation, posting as itself, is not counted).',
  byAssociation:
    `Participants and posts per association whose app wrote the posts, most posts first (then most participants, then association code); posts the federation wrote are in none. ` +
    `For anonymous callers the associations with fewer than ${PUBLIC_MIN_GROUP} participants are merged into one last row (association null).`,
  bySection:
    "Posts and their stances per section of the forum's document, in the document's order, then posts on no section (section null, merged 0). " +
    `For anonymous callers the groups with fewer than ${PUBLIC_MIN_GROUP} posts are merged into one last row (section null, merged > 0).`,
  byDay: 'Posts per day (Vietnam time), oldest first; only days with posts.',
} as const;
