import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { expectGlobalId, fromGlobalId } from '../../common/node-id';
import { PageArgs } from '../../common/pagination';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { ConsultationRequest } from '../consultation/consultation-request.entity';
import { PolicyDocument, PolicyDocumentSection } from '../consultation/policy-document.entity';
import { Federation } from '../federation/federation.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { associationLabel } from '../intellectual/intellectual.policy';
import { Forum } from './forum.entity';
import { PostStance, ReactionKind } from './forum.enums';
import { renderPostBody } from './forum.markdown';
import { ForumPostsArgs, ForumsArgs, ForumThreadsArgs } from './forum.inputs';
import { seesAuthorName, seesHidden } from './forum.policy';
import { ForumService } from './forum.service';
import { ForumConnection, ForumPostConnection, ForumReactionCounts, ForumThreadConnection } from './forum.types';
import { ForumPost, ForumPostRevision } from './forum-post.entity';
import { ForumSynthesis, ForumSynthesisRecommendation } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';

/** A parent the viewer sees always has these; a miss is a bug, not a policy answer. */
function present<T>(value: T | null, what: string): T {
  if (!value) throw new Error(`${what} missing`);
  return value;
}

const pageKey = (args: PageArgs) => ({ first: args.first, after: args.after ?? null }) as PageArgs;

/**
 * The name shown for the author of a thread or post: the federation's name when the federation
 * wrote it; else the person's full name, unless the viewer is the public and the person has no
 * public profile: then "Member of <association short name, else name>" (seesAuthorName).
 */
async function authorNameOf(ctx: Context, w: { byFederation: boolean; forum: { id: number }; author?: { id: number } | null; association?: { id: number } | null }): Promise<string | null> {
  if (w.byFederation) {
    const forum = await ctx.loaders.forumById.load(w.forum.id);
    return forum ? ((await ctx.loaders.federationById.load(forum.federation.id))?.name ?? null) : null;
  }
  if (!w.author) return null;
  const author = await ctx.loaders.personNameById.load(w.author.id);
  if (!author) return null;
  if (seesAuthorName(ctx.viewer, author.publicProfile)) return author.fullName;
  const association = w.association ? await ctx.loaders.associationById.load(w.association.id) : null;
  return association ? `Member of ${associationLabel(association)}` : null;
}

@Resolver(() => Forum)
export class ForumResolver {
  @Query(() => ForumConnection, {
    description:
      'Policy feedback forums, filtered and paged; by default latest opening first. Only forums the caller may see are listed: MEMBERS_ONLY ones need a key, DRAFT ones an ADMIN or ANALYST key.',
  })
  async forums(@Args(() => ForumsArgs) args: ForumsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new ForumService(ctx.em, ctx.viewer).list(args);
    return ForumConnection.build(page, count);
  }

  @Query(() => Forum, { nullable: true, description: 'One forum by its global id; null when unknown or not visible to the caller.' })
  async forum(@Arg('id', () => ID, { description: 'The global id of a Forum.' }) id: string, @Ctx() ctx: Context): Promise<Forum | null> {
    const decoded = fromGlobalId(id);
    return decoded?.type === Forum.name ? ctx.loaders.forumById.load(decoded.id) : null;
  }

  @FieldResolver(() => DateTimeResolver, { description: 'When the forum was created.' })
  createdAt(@Root() f: Forum): Date {
    return f.createdAt;
  }

  @FieldResolver(() => Federation, { description: 'The federation that runs the forum.' })
  async federation(@Root() f: Forum, @Ctx() ctx: Context): Promise<Federation> {
    return present(await ctx.loaders.federationById.load(f.federation.id), `forum ${f.id}: federation`);
  }

  @FieldResolver(() => PolicyDocument, { description: 'The document under discussion: threads and posts point at its numbered sections.' })
  async document(@Root() f: Forum, @Ctx() ctx: Context): Promise<PolicyDocument> {
    return present(await ctx.loaders.policyDocumentById.load(f.document.id), `forum ${f.id}: document`);
  }

  @FieldResolver(() => ConsultationRequest, {
    nullable: true,
    description: 'The consultation request the forum feeds (its synthesis can be copied into the request’s report); null when none, or when the caller may not see the request.',
  })
  consultationRequest(@Root() f: Forum, @Ctx() ctx: Context): Promise<ConsultationRequest | null> | null {
    return f.consultationRequest ? ctx.loaders.consultationRequestById.load(f.consultationRequest.id) : null;
  }

  @FieldResolver(() => Int, { description: 'Posts in the forum, replies and hidden posts included.' })
  postCount(@Root() f: Forum): number {
    return f.postCount;
  }

  @FieldResolver(() => Int, { description: 'Threads in the forum.' })
  threadCount(@Root() f: Forum): number {
    return f.threadCount;
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: 'When the last post was written; null before the first.' })
  lastActivityAt(@Root() f: Forum): Date | null {
    return f.lastActivityAt ?? null;
  }

  @FieldResolver(() => ForumThreadConnection, { description: 'The threads of the forum, paged; by default the most recently active first.' })
  async threads(@Root() f: Forum, @Args(() => ForumThreadsArgs) args: ForumThreadsArgs, @Ctx() ctx: Context) {
    const key = { first: args.first, after: args.after ?? null, orderBy: args.orderBy, section: args.section ?? null } as ForumThreadsArgs;
    const page = await ctx.loaders.threadsOfForum.load({ parentId: f.id, args: key });
    return ForumThreadConnection.build(page, () => ctx.loaders.threadCountOfForum.load({ parentId: f.id, args: args.section ?? null }));
  }

  @FieldResolver(() => ForumSynthesis, { nullable: true, description: "The federation's synthesis of the forum; null until published." })
  synthesis(@Root() f: Forum, @Ctx() ctx: Context): Promise<ForumSynthesis | null> {
    return ctx.loaders.synthesisOfForum.load(f.id);
  }
}

@Resolver(() => ForumThread)
export class ForumThreadResolver {
  @FieldResolver(() => DateTimeResolver, { description: 'When the thread was opened.' })
  createdAt(@Root() t: ForumThread): Date {
    return t.createdAt;
  }

  @FieldResolver(() => Forum, { description: 'The forum of the thread.' })
  async forum(@Root() t: ForumThread, @Ctx() ctx: Context): Promise<Forum> {
    return present(await ctx.loaders.forumById.load(t.forum.id), `thread ${t.id}: forum`);
  }

  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: "The section of the forum's document the thread is about; null when it is about the whole." })
  section(@Root() t: ForumThread, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return t.section ? ctx.loaders.policyDocumentSectionById.load(t.section.id) : null;
  }

  @FieldResolver(() => Intellectual, {
    nullable: true,
    description: 'Who opened the thread; null when the federation did, and when the caller may not see the person (as for node(id) of that person).',
  })
  author(@Root() t: ForumThread, @Ctx() ctx: Context): Promise<Intellectual | null> | null {
    return t.author ? ctx.loaders.intellectualById.load(t.author.id) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The name shown for the author: the federation’s name when it opened the thread; for callers without a key, "Member of <association>" when the person has no public profile; else the person’s full name.',
  })
  authorName(@Root() t: ForumThread, @Ctx() ctx: Context): Promise<string | null> {
    return authorNameOf(ctx, t);
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The association whose app opened the thread (the author’s); null when the federation did.' })
  association(@Root() t: ForumThread, @Ctx() ctx: Context): Promise<Association | null> | null {
    return t.association ? ctx.loaders.associationById.load(t.association.id) : null;
  }

  @FieldResolver(() => ForumPostConnection, { description: 'The top-level posts of the thread (the first one opened it), oldest first; replies are under each post.' })
  async posts(@Root() t: ForumThread, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.postsOfThread.load({ parentId: t.id, args: pageKey(args) });
    return ForumPostConnection.build(page, () => ctx.loaders.postCountOfThread.load({ parentId: t.id, args: null }));
  }
}

@Resolver(() => ForumPost)
export class ForumPostResolver {
  @Query(() => ForumPostConnection, {
    description:
      'Posts of the forums the caller may see, newest first, filtered (by forum, search in bodies and thread titles, stance, section, association). Hidden posts are listed as hidden; they match search, stance and association only for ADMIN.',
  })
  async forumPosts(@Args(() => ForumPostsArgs) args: ForumPostsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new ForumService(ctx.em, ctx.viewer).listPosts(args);
    return ForumPostConnection.build(page, count);
  }

  @FieldResolver(() => DateTimeResolver, { description: 'When the post was written.' })
  createdAt(@Root() p: ForumPost): Date {
    return p.createdAt;
  }

  @FieldResolver(() => ForumThread, { description: 'The thread of the post.' })
  async thread(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<ForumThread> {
    return present(await ctx.loaders.forumThreadById.load(p.thread.id), `post ${p.id}: thread`);
  }

  @FieldResolver(() => Forum, { description: 'The forum of the post.' })
  async forum(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<Forum> {
    return present(await ctx.loaders.forumById.load(p.forum.id), `post ${p.id}: forum`);
  }

  @FieldResolver(() => ForumPost, { nullable: true, description: 'The post this one replies to; null for a top-level post.' })
  parent(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<ForumPost | null> | null {
    return p.parent ? ctx.loaders.forumPostById.load(p.parent.id) : null;
  }

  @FieldResolver(() => ForumPostConnection, { description: 'Direct replies to the post, oldest first (hidden ones included, shown as hidden).' })
  async replies(@Root() p: ForumPost, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.repliesOfPost.load({ parentId: p.id, args: pageKey(args) });
    return ForumPostConnection.build(page, () => ctx.loaders.replyCountOfPost.load({ parentId: p.id, args: null }));
  }

  @FieldResolver(() => Boolean, { description: 'True while ADMIN has the post hidden: then only ADMIN sees its body, author, stance and history.' })
  hidden(@Root() p: ForumPost): boolean {
    return Boolean(p.hiddenAt);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why ADMIN hid the post (ADMIN keys only); null when not hidden.' })
  hiddenReason(@Root() p: ForumPost, @Ctx() ctx: Context): string | null {
    return seesHidden(ctx.viewer) && p.hiddenAt ? (p.hiddenReason ?? null) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The body as written (plain text or Markdown, 1 to 20,000 characters); null on a hidden post except for ADMIN.' })
  body(@Root() p: ForumPost, @Ctx() ctx: Context): string | null {
    return ForumService.masked(ctx.viewer, p) ? null : p.body;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The body rendered from Markdown to HTML, safe to insert in a page: raw HTML is escaped, javascript: and data: links are not made links, images are not rendered, links get rel="nofollow noopener noreferrer". Null on a hidden post except for ADMIN.',
  })
  bodyHtml(@Root() p: ForumPost, @Ctx() ctx: Context): string | null {
    return ForumService.masked(ctx.viewer, p) ? null : renderPostBody(p.body);
  }

  @FieldResolver(() => Intellectual, {
    nullable: true,
    description: 'Who wrote the post; null when the federation did, on a hidden post except for ADMIN, and when the caller may not see the person (as for node(id)).',
  })
  author(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<Intellectual | null> | null {
    return p.author && !ForumService.masked(ctx.viewer, p) ? ctx.loaders.intellectualById.load(p.author.id) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The name shown for the author: the federation’s name when it wrote the post; for callers without a key, "Member of <association>" when the person has no public profile; else the person’s full name. Null on a hidden post except for ADMIN.',
  })
  async authorName(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<string | null> {
    return ForumService.masked(ctx.viewer, p) ? null : authorNameOf(ctx, p);
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The association whose app wrote the post (the author’s); null when the federation did, and on a hidden post except for ADMIN.' })
  association(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<Association | null> | null {
    return p.association && !ForumService.masked(ctx.viewer, p) ? ctx.loaders.associationById.load(p.association.id) : null;
  }

  @FieldResolver(() => PostStance, { nullable: true, description: 'Where the post stands on the document, if its author said; null on a hidden post except for ADMIN.' })
  stance(@Root() p: ForumPost, @Ctx() ctx: Context): PostStance | null {
    return ForumService.masked(ctx.viewer, p) ? null : (p.stance ?? null);
  }

  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: "The section of the forum's document the post is about (given with it, else its thread's); null when none." })
  section(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return p.section ? ctx.loaders.policyDocumentSectionById.load(p.section.id) : null;
  }

  @FieldResolver(() => ForumReactionCounts, { description: 'How many people support and oppose the post.' })
  reactions(@Root() p: ForumPost): ForumReactionCounts {
    return Object.assign(new ForumReactionCounts(), { support: p.supportCount, oppose: p.opposeCount });
  }

  @FieldResolver(() => ReactionKind, {
    nullable: true,
    description: "A person's reaction to the post: ADMIN may ask for anyone, an association key for its current members; null when none, and for anyone else.",
  })
  viewerReaction(
    @Root() p: ForumPost,
    @Arg('personId', () => ID, { description: 'The person (an Intellectual id) whose reaction to read.' }) personId: string,
    @Ctx() ctx: Context,
  ): Promise<ReactionKind | null> {
    return ctx.loaders.reactionOfPerson.load({ postId: p.id, personId: expectGlobalId(personId, 'Intellectual', 'personId') });
  }

  @FieldResolver(() => [ForumPostRevision], { description: 'Earlier bodies of the post, oldest first (empty when never edited, and on a hidden post except for ADMIN).' })
  history(@Root() p: ForumPost, @Ctx() ctx: Context): Promise<ForumPostRevision[]> | ForumPostRevision[] {
    return ForumService.masked(ctx.viewer, p) ? [] : ctx.loaders.revisionsOfPost.load(p.id);
  }
}

@Resolver(() => ForumSynthesis)
export class ForumSynthesisResolver {
  @FieldResolver(() => Forum, { description: 'The forum synthesised.' })
  async forum(@Root() s: ForumSynthesis, @Ctx() ctx: Context): Promise<Forum> {
    return present(await ctx.loaders.forumById.load(s.forum.id), `synthesis ${s.id}: forum`);
  }

  @FieldResolver(() => [ForumSynthesisRecommendation], { description: 'The recommendations, by number.' })
  recommendations(@Root() s: ForumSynthesis, @Ctx() ctx: Context): Promise<ForumSynthesisRecommendation[]> {
    return ctx.loaders.recommendationsOfSynthesis.load(s.id);
  }
}

@Resolver(() => ForumSynthesisRecommendation)
export class ForumRecommendationResolver {
  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: "The section of the forum's document the recommendation is about; null when none." })
  section(@Root() r: ForumSynthesisRecommendation, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return r.section ? ctx.loaders.policyDocumentSectionById.load(r.section.id) : null;
  }

  @FieldResolver(() => [ForumPost], { description: 'The posts the recommendation draws on, in the order given (a post hidden since shows as hidden).' })
  citedPosts(@Root() r: ForumSynthesisRecommendation, @Ctx() ctx: Context): Promise<ForumPost[]> {
    return ctx.loaders.citedPostsOfRecommendation.load(r.id);
  }
}
