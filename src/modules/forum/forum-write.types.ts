import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../common/user-errors';
import { ConsultationRequest } from '../consultation/consultation-request.entity';
import { Forum } from './forum.entity';
import { ForumPost } from './forum-post.entity';
import { ForumSynthesis } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';

const USER_ERRORS = 'Every problem found in the input; empty on success. With any, nothing was written.';

@ObjectType('ForumPayload', { description: 'The result of creating or changing a forum.' })
export class ForumPayload {
  @Field(() => Forum, {
    nullable: true,
    description: 'The forum as it is now: new or changed on success; unchanged when refused (on CONFLICT, so the caller can read its version and retry); null when it does not exist.',
  })
  forum!: Forum | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('ForumThreadPayload', { description: 'The result of opening a thread (with its first post) or locking one.' })
export class ForumThreadPayload {
  @Field(() => ForumThread, { nullable: true, description: 'The thread as it is now; null when refused (createThread) or when it does not exist.' })
  thread!: ForumThread | null;

  @Field(() => ForumPost, { nullable: true, description: 'The first post of a thread just opened (createThread); null otherwise.' })
  post!: ForumPost | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('ForumPostPayload', { description: 'The result of writing, editing, reacting to, hiding or showing a post.' })
export class ForumPostPayload {
  @Field(() => ForumPost, {
    nullable: true,
    description: 'The post as it is now: new or changed on success; unchanged when a change to an existing post is refused (on CONFLICT, so the caller can read its version and retry); null otherwise.',
  })
  post!: ForumPost | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('ForumSynthesisPayload', { description: 'The result of publishing a forum synthesis.' })
export class ForumSynthesisPayload {
  @Field(() => ForumSynthesis, { nullable: true, description: 'The synthesis as published; as it was when refused on CONFLICT; null otherwise.' })
  synthesis!: ForumSynthesis | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('AttachSynthesisPayload', { description: "The result of copying a forum's synthesis into its consultation request's draft report." })
export class AttachSynthesisPayload {
  @Field(() => ConsultationRequest, { nullable: true, description: 'The consultation request as it is now (its version bumped); null when refused.' })
  consultationRequest!: ConsultationRequest | null;

  @Field(() => ForumSynthesis, { nullable: true, description: 'The synthesis copied (attachedAt set); null when refused.' })
  synthesis!: ForumSynthesis | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}
