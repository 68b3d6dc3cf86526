import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import {
  AttachSynthesisToRequestInput,
  CreateForumInput,
  CreatePostInput,
  CreateThreadInput,
  EditPostInput,
  HidePostInput,
  LockThreadInput,
  PublishSynthesisInput,
  ReactToPostInput,
  SetForumStatusInput,
  UnhidePostInput,
  UpdateForumInput,
} from './forum-write.inputs';
import { ForumWriteService } from './forum-write.service';
import { AttachSynthesisPayload, ForumPayload, ForumPostPayload, ForumSynthesisPayload, ForumThreadPayload } from './forum-write.types';

const service = (ctx: Context) => new ForumWriteService(ctx.em, ctx.viewer, ctx.forum);

@Resolver()
export class ForumWriteResolver {
  @Mutation(() => ForumPayload, { description: 'Creates a policy feedback forum on a document (ADMIN only); closesAt must be after opensAt (INVALID_DATE).' })
  createForum(@Arg('input', () => CreateForumInput, { description: 'The new forum.' }) input: CreateForumInput, @Ctx() ctx: Context) {
    return service(ctx).createForum(input);
  }

  @Mutation(() => ForumPayload, {
    description: 'Changes a forum (ADMIN only), if it is still at expectedVersion (otherwise CONFLICT, with the forum as it is now); its document only while it has no threads (INVALID_STATE).',
  })
  updateForum(@Arg('input', () => UpdateForumInput, { description: 'The forum, the version read, and the changes.' }) input: UpdateForumInput, @Ctx() ctx: Context) {
    return service(ctx).updateForum(input);
  }

  @Mutation(() => ForumPayload, {
    description: 'Opens a DRAFT forum now, closes an OPEN one early, reopens one closed early, archives or unarchives a CLOSED one (ADMIN only); any other move is INVALID_TRANSITION.',
  })
  setForumStatus(@Arg('input', () => SetForumStatusInput, { description: 'The forum and the status to move to.' }) input: SetForumStatusInput, @Ctx() ctx: Context) {
    return service(ctx).setForumStatus(input);
  }

  @Mutation(() => ForumThreadPayload, {
    description:
      'Opens a thread with its first post (ASSOCIATION for a current member, or ADMIN as the federation) in an OPEN forum (FORUM_CLOSED otherwise). Counts toward FORUM_POSTS_PER_MINUTE (RATE_LIMITED, HTTP 429 with Retry-After).',
  })
  createThread(@Arg('input', () => CreateThreadInput, { description: 'The forum, the title, the first post and its author.' }) input: CreateThreadInput, @Ctx() ctx: Context) {
    return service(ctx).createThread(input);
  }

  @Mutation(() => ForumPostPayload, {
    description:
      'Writes a post or a reply (ASSOCIATION for a current member, or ADMIN as the federation): FORUM_CLOSED unless the forum is OPEN, THREAD_LOCKED on a locked thread, INVALID for a reply to another thread. Counts toward FORUM_POSTS_PER_MINUTE (RATE_LIMITED, HTTP 429 with Retry-After).',
  })
  createPost(@Arg('input', () => CreatePostInput, { description: 'The thread, the post replied to, the body and the author.' }) input: CreatePostInput, @Ctx() ctx: Context) {
    return service(ctx).createPost(input);
  }

  @Mutation(() => ForumPostPayload, {
    description:
      "Edits a post: ADMIN, or the association whose app wrote it (FORBIDDEN otherwise) within the edit window (EDIT_WINDOW_CLOSED). Not a hidden post (INVALID_STATE); the forum must be OPEN and the thread not locked. The earlier body is kept in the post's history.",
  })
  editPost(@Arg('input', () => EditPostInput, { description: 'The post, the version read, and the new body and stance.' }) input: EditPostInput, @Ctx() ctx: Context) {
    return service(ctx).editPost(input);
  }

  @Mutation(() => ForumPostPayload, {
    description: "Sets, changes or removes a person's reaction to a post (one per person per post). ASSOCIATION keys react for their current members (NOT_A_MEMBER otherwise); ADMIN for anyone.",
  })
  reactToPost(@Arg('input', () => ReactToPostInput, { description: 'The post, the person and the reaction (null removes it).' }) input: ReactToPostInput, @Ctx() ctx: Context) {
    return service(ctx).reactToPost(input);
  }

  @Mutation(() => ForumPostPayload, { description: 'Hides a post (ADMIN only), in a forum of any status: it keeps its place, replies and counts; others see it as hidden. Audited with the reason.' })
  hidePost(@Arg('input', () => HidePostInput, { description: 'The post and why.' }) input: HidePostInput, @Ctx() ctx: Context) {
    return service(ctx).hidePost(input);
  }

  @Mutation(() => ForumPostPayload, { description: 'Shows a hidden post again (ADMIN only). Audited.' })
  unhidePost(@Arg('input', () => UnhidePostInput, { description: 'The post.' }) input: UnhidePostInput, @Ctx() ctx: Context) {
    return service(ctx).unhidePost(input);
  }

  @Mutation(() => ForumThreadPayload, { description: 'Locks a thread, or unlocks it (ADMIN only): a locked thread takes no posts, edits or reactions. Audited.' })
  lockThread(@Arg('input', () => LockThreadInput, { description: 'The thread, and whether it is locked.' }) input: LockThreadInput, @Ctx() ctx: Context) {
    return service(ctx).lockThread(input);
  }

  @Mutation(() => ForumSynthesisPayload, {
    description:
      "Publishes (or republishes, replacing it) the federation's synthesis of a CLOSED forum (ADMIN only; FORUM_NOT_CLOSED otherwise): a summary and recommendations citing visible posts of that forum.",
  })
  publishSynthesis(@Arg('input', () => PublishSynthesisInput, { description: 'The forum, the summary and the recommendations.' }) input: PublishSynthesisInput, @Ctx() ctx: Context) {
    return service(ctx).publishSynthesis(input);
  }

  @Mutation(() => AttachSynthesisPayload, {
    description:
      "Copies a forum's published synthesis into its linked consultation request's draft report (ADMIN only; SYNTHESIS_REQUIRED without a synthesis or a linked request), after the report's own recommendations; attaching again replaces the earlier copies.",
  })
  attachSynthesisToRequest(@Arg('input', () => AttachSynthesisToRequestInput, { description: 'The forum.' }) input: AttachSynthesisToRequestInput, @Ctx() ctx: Context) {
    return service(ctx).attachSynthesisToRequest(input);
  }
}
