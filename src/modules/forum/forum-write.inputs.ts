import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { IdempotentInput } from '../../common/mutation';
import { ForumStatus, ForumVisibility, PostStance, ReactionKind } from './forum.enums';

@InputType('CreateForumInput', { description: 'A new policy feedback forum (ADMIN only). Its status follows opensAt and closesAt (DRAFT until it opens).' })
export class CreateForumInput extends IdempotentInput {
  @Field(() => String, { description: 'Code of the federation that holds the forum.' })
  federationCode!: string;

  @Field(() => String, { description: 'Title, in Vietnamese (1 to 300 characters).' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'What is discussed and how to take part (plain text or Markdown, at most 20,000 characters, line breaks kept).' })
  description?: string | null;

  @Field(() => ID, { description: 'The document discussed (a PolicyDocument id): its sections are what threads and posts point at.' })
  documentId!: string;

  @Field(() => ID, { nullable: true, description: 'The consultation request the forum feeds, if any (a ConsultationRequest id): attachSynthesisToRequest copies into its draft report.' })
  consultationRequestId?: string | null;

  @Field(() => DateTimeResolver, { description: 'When the forum opens for posts.' })
  opensAt!: Date;

  @Field(() => DateTimeResolver, { description: 'When it closes; after opensAt (INVALID_DATE otherwise).' })
  closesAt!: Date;

  @Field(() => ForumVisibility, { nullable: true, defaultValue: ForumVisibility.PUBLIC, description: 'PUBLIC (the default) or MEMBERS_ONLY.' })
  visibility?: ForumVisibility | null;

  @Field(() => [String], { nullable: true, description: 'Free tags (at most 20, each 1 to 50 characters), stored in lower case without duplicates.' })
  tags?: string[] | null;
}

@InputType('UpdateForumInput', {
  description: 'Changes to a forum, guarded by its version (ADMIN only). Omitted fields keep their value; null clears optional ones (description, consultationRequestId).',
})
export class UpdateForumInput extends IdempotentInput {
  @Field(() => ID, { description: 'The forum (a Forum id).' })
  id!: string;

  @Field(() => Int, { description: 'The `version` the caller last read; if the forum changed since, nothing is written and CONFLICT comes back with the forum as it is now.' })
  expectedVersion!: number;

  @Field(() => String, { nullable: true, description: 'Title (1 to 300 characters; never empty).' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Description (at most 20,000 characters); null clears it.' })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'Another document (a PolicyDocument id), only while the forum has no threads (INVALID_STATE otherwise).' })
  documentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The consultation request it feeds (a ConsultationRequest id); null unlinks it.' })
  consultationRequestId?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When it opens; before closesAt.' })
  opensAt?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When it closes; after opensAt.' })
  closesAt?: Date | null;

  @Field(() => ForumVisibility, { nullable: true, description: 'PUBLIC or MEMBERS_ONLY.' })
  visibility?: ForumVisibility | null;

  @Field(() => [String], { nullable: true, description: 'Tags (at most 20, each 1 to 50 characters); replaces the list.' })
  tags?: string[] | null;
}

@InputType('SetForumStatusInput', {
  description:
    'Moves a forum (ADMIN only): DRAFT → OPEN opens it now; OPEN → CLOSED closes it early; CLOSED → OPEN reopens a forum closed early while closesAt is ahead; CLOSED → ARCHIVED; ARCHIVED → CLOSED.',
})
export class SetForumStatusInput extends IdempotentInput {
  @Field(() => ID, { description: 'The forum (a Forum id).' })
  id!: string;

  @Field(() => ForumStatus, { description: 'The status to move to (INVALID_TRANSITION when the move is not allowed from the current one).' })
  status!: ForumStatus;

  @Field(() => Int, { nullable: true, description: 'The `version` the caller last read, if it wants the guard: CONFLICT when the forum changed since.' })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (kept in the audit log, at most 2,000 characters).' })
  note?: string | null;
}

@InputType('CreateThreadInput', {
  description:
    "A new thread with its first post (ASSOCIATION or ADMIN), in an OPEN forum. An ASSOCIATION key writes for one of its association's current members (authorId); ADMIN writes as the federation (no authorId).",
})
export class CreateThreadInput extends IdempotentInput {
  @Field(() => ID, { description: 'The forum (a Forum id).' })
  forumId!: string;

  @Field(() => String, { description: 'Title (1 to 300 characters).' })
  title!: string;

  @Field(() => String, { nullable: true, description: "The section of the forum's document the thread is about: its number, e.g. \"3.2\" (NOT_FOUND when the document has none such)." })
  section?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "ASSOCIATION keys: the author (an Intellectual id), a current member of the key's association (NOT_A_MEMBER otherwise). ADMIN: must be absent (ADMIN writes as the federation).",
  })
  authorId?: string | null;

  @Field(() => String, { description: 'The first post: plain text or Markdown, 1 to 20,000 characters, stored as given.' })
  body!: string;

  @Field(() => PostStance, { nullable: true, description: 'Where the first post stands on the document, if its author says.' })
  stance?: PostStance | null;
}

@InputType('CreatePostInput', {
  description:
    "A post in a thread (ASSOCIATION or ADMIN): top-level, or a reply to a post of the same thread (any depth). The forum must be OPEN and the thread not locked. Authors as for createThread. Retry with the same idempotencyKey: it posts once.",
})
export class CreatePostInput extends IdempotentInput {
  @Field(() => ID, { description: 'The thread (a ForumThread id).' })
  threadId!: string;

  @Field(() => ID, { nullable: true, description: 'The post it replies to (a ForumPost id of the same thread; INVALID otherwise); omitted: a top-level post.' })
  parentId?: string | null;

  @Field(() => ID, { nullable: true, description: "ASSOCIATION keys: the author (an Intellectual id), a current member of the key's association. ADMIN: must be absent." })
  authorId?: string | null;

  @Field(() => String, { description: 'The body: plain text or Markdown, 1 to 20,000 characters, stored as given.' })
  body!: string;

  @Field(() => PostStance, { nullable: true, description: 'Where the post stands on the document, if its author says.' })
  stance?: PostStance | null;

  @Field(() => String, { nullable: true, description: "The section of the forum's document it is about (its number); omitted: the thread's section." })
  section?: string | null;
}

@InputType('EditPostInput', {
  description:
    'Edits a post: ADMIN, or the association whose app wrote it, within FORUM_EDIT_WINDOW_MINUTES of its writing (EDIT_WINDOW_CLOSED; ADMIN is exempt). The earlier body is kept in its history.',
})
export class EditPostInput extends IdempotentInput {
  @Field(() => ID, { description: 'The post (a ForumPost id).' })
  id!: string;

  @Field(() => Int, { nullable: true, description: 'The post’s `version` the caller last read, if it wants the guard: CONFLICT when the post changed since.' })
  expectedVersion?: number | null;

  @Field(() => String, { description: 'The new body: plain text or Markdown, 1 to 20,000 characters.' })
  body!: string;

  @Field(() => PostStance, { nullable: true, description: 'The new stance; omitted keeps it, null clears it.' })
  stance?: PostStance | null;
}

@InputType('ReactToPostInput', {
  description: "Sets, changes or removes one person's reaction to a post (one per person per post). ASSOCIATION keys: for their association's current members; ADMIN: for anyone.",
})
export class ReactToPostInput extends IdempotentInput {
  @Field(() => ID, { description: 'The post (a ForumPost id).' })
  postId!: string;

  @Field(() => ID, { description: 'The person reacting (an Intellectual id).' })
  personId!: string;

  @Field(() => ReactionKind, { nullable: true, description: 'SUPPORT or OPPOSE; null (or omitted) removes the person’s reaction.' })
  reaction?: ReactionKind | null;
}

@InputType('HidePostInput', { description: 'Hides a post (ADMIN only): it keeps its place and its replies; others see it as hidden, without body or author.' })
export class HidePostInput extends IdempotentInput {
  @Field(() => ID, { description: 'The post (a ForumPost id).' })
  id!: string;

  @Field(() => String, { description: 'Why (1 to 500 characters); shown to ADMIN only.' })
  reason!: string;
}

@InputType('UnhidePostInput', { description: 'Shows a hidden post again (ADMIN only).' })
export class UnhidePostInput extends IdempotentInput {
  @Field(() => ID, { description: 'The post (a ForumPost id).' })
  id!: string;
}

@InputType('LockThreadInput', { description: 'Locks a thread, or unlocks it (ADMIN only): a locked thread takes no posts, edits or reactions.' })
export class LockThreadInput extends IdempotentInput {
  @Field(() => ID, { description: 'The thread (a ForumThread id).' })
  id!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'True (the default) locks it; false unlocks it.' })
  locked?: boolean | null;
}

@InputType('ForumRecommendationInput', { description: 'A recommendation of a forum synthesis (numbered in the order given, from 1).' })
export class ForumRecommendationInput {
  @Field(() => String, { description: 'The recommendation (1 to 10,000 characters).' })
  text!: string;

  @Field(() => String, { nullable: true, description: "The section of the forum's document it is about (its number), if any." })
  section?: string | null;

  @Field(() => [ID], { nullable: true, description: 'The posts it draws on (ForumPost ids of visible posts of this forum; at most 100), in the order given.' })
  postIds?: string[] | null;
}

@InputType('PublishSynthesisInput', {
  description: "Publishes the federation's synthesis of a CLOSED forum (ADMIN only); publishing again replaces its summary and recommendations.",
})
export class PublishSynthesisInput extends IdempotentInput {
  @Field(() => ID, { description: 'The forum (a Forum id).' })
  forumId!: string;

  @Field(() => String, { description: 'Summary of what the forum said (1 to 20,000 characters).' })
  summary!: string;

  @Field(() => [ForumRecommendationInput], { description: 'The recommendations, 1 to 100, numbered 1..n in the order given.' })
  recommendations!: ForumRecommendationInput[];

  @Field(() => Int, {
    nullable: true,
    description: 'The synthesis’s `version` the caller last read (0 when there is none yet), if it wants the guard: CONFLICT when it changed since.',
  })
  expectedVersion?: number | null;
}

@InputType('AttachSynthesisToRequestInput', {
  description:
    "Copies a forum's published synthesis into its consultation request's draft report (ADMIN only): its recommendations after the report's own; attaching again replaces the earlier copies.",
})
export class AttachSynthesisToRequestInput extends IdempotentInput {
  @Field(() => ID, { description: 'The forum (a Forum id).' })
  forumId!: string;
}
