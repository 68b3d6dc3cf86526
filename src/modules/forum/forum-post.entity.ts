import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { Association } from '../association/association.entity';
import { PolicyDocumentSection } from '../consultation/policy-document.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { Forum } from './forum.entity';
import { ForumThread } from './forum-thread.entity';
import { PostStance, ReactionKind } from './forum.enums';

/**
 * A post of a thread, top-level or a reply to another post of the same thread (any depth). Its
 * body is stored as given (plain text or Markdown) and rendered to safe HTML on read (bodyHtml).
 *
 * Ids within a thread are in commit order: a post is inserted only after its thread's row is
 * locked (the write bumps the thread's counters first), so paging a thread by id never skips a
 * post that commits late.
 */
@Entity({ tableName: 'forum_post' })
@Index({ name: 'forum_post_thread_top_idx', expression: 'create index "forum_post_thread_top_idx" on "forum_post" ("thread_id", "id") where "parent_id" is null' })
@Index({ name: 'forum_post_thread_idx', properties: ['thread', 'id'] })
@Index({ name: 'forum_post_parent_idx', expression: 'create index "forum_post_parent_idx" on "forum_post" ("parent_id", "id") where "parent_id" is not null' })
@Index({ name: 'forum_post_forum_idx', properties: ['forum', 'id'] })
@Index({ name: 'forum_post_association_idx', properties: ['association', 'id'] })
@Index({ name: 'forum_post_author_idx', expression: 'create index "forum_post_author_idx" on "forum_post" ("author_id", "id") where "author_id" is not null' })
@Index({ name: 'forum_post_section_idx', expression: 'create index "forum_post_section_idx" on "forum_post" ("section_id", "id") where "section_id" is not null' })
@Index({ name: 'forum_post_search_trgm_idx', expression: 'create index "forum_post_search_trgm_idx" on "forum_post" using gin ("search_text" gin_trgm_ops)' })
@ObjectType('ForumPost', {
  implements: Node,
  description:
    'A post in a forum thread: a top-level post or a reply (any depth). A post ADMIN hid keeps its place and its replies; to anyone but ADMIN it shows as hidden, without body or author.',
})
export class ForumPost extends BaseEntity<'parent' | 'author' | 'byFederation' | 'association' | 'stance' | 'section' | 'editedAt' | 'hiddenAt' | 'hiddenReason' | 'replyCount' | 'supportCount' | 'opposeCount' | 'searchText' | 'version' | 'demo'> {
  @ManyToOne(() => ForumThread, { deleteRule: 'cascade' })
  thread!: ForumThread;

  /** The thread's forum (kept here so that forum-wide lists and stats need no join). */
  @ManyToOne(() => Forum, { deleteRule: 'cascade' })
  forum!: Forum;

  /** The post it replies to (same thread); null for a top-level post. */
  @ManyToOne(() => ForumPost, { nullable: true, deleteRule: 'cascade' })
  parent?: ForumPost | null;

  /** Who wrote it; null when the federation did (byFederation). */
  @ManyToOne(() => Intellectual, { nullable: true, fieldName: 'author_id' })
  author?: Intellectual | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when ADMIN wrote it as the federation (no author).' })
  byFederation: boolean = false;

  /** The association whose app wrote it (the author was its current member); null when ADMIN did. Only that app edits it. */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  /** The body as given: plain text or Markdown, 1 to 20,000 characters. Masked on hidden posts (resolvers). */
  @Property({ type: 'text' })
  body!: string;

  /** The body folded (f_fold): forumPosts' search reads it (trigram index). */
  @Property({ type: 'text', generated: '(f_fold(body)) stored', nullable: true, lazy: true })
  searchText?: string | null;

  /** Where the post stands on the document, if its author said. Masked on hidden posts (resolvers). */
  @Enum({ items: () => PostStance, type: 'text', nullable: true })
  stance?: PostStance | null;

  /** The document section it is about: given with the post, else its thread's. */
  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true, description: 'When it was last edited; null if never.' })
  editedAt?: Date | null;

  /** Set while ADMIN has it hidden (hidePost); cleared by unhidePost. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  hiddenAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  hiddenReason?: string | null;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Direct replies to it, hidden ones included.' })
  replyCount: number = 0;

  /** SUPPORT reactions; kept by reactToPost. */
  @Property({ type: 'integer', default: 0 })
  supportCount: number = 0;

  /** OPPOSE reactions; kept by reactToPost. */
  @Property({ type: 'integer', default: 0 })
  opposeCount: number = 0;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every edit; pass it as expectedVersion to editPost.' })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/** An earlier body of a post, kept when it was edited (revision 1 is the first body). */
@Entity({ tableName: 'forum_post_revision' })
@Unique({ name: 'forum_post_revision_key', properties: ['post', 'revision'] })
@ObjectType('ForumPostRevision', { description: 'A body a post had before an edit (revision 1 is the first). Hidden with its post.' })
export class ForumPostRevision {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ForumPost, { deleteRule: 'cascade' })
  post!: ForumPost;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The version of the post that had this body.' })
  revision!: number;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The body it had, as given.' })
  body!: string;

  @Enum({ items: () => PostStance, type: 'text', nullable: true })
  @Field(() => PostStance, { nullable: true, description: 'The stance it had.' })
  stance?: PostStance | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When that version was written.' })
  writtenAt!: Date;
}

/** One person's reaction to one post (changeable, removable). Counted per post; who reacted is not public. */
@Entity({ tableName: 'forum_reaction' })
@Unique({ name: 'forum_reaction_key', properties: ['post', 'person'] })
@Index({ name: 'forum_reaction_person_idx', properties: ['person'] })
export class ForumReaction {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ForumPost, { deleteRule: 'cascade' })
  post!: ForumPost;

  @ManyToOne(() => Intellectual, { fieldName: 'intellectual_id' })
  person!: Intellectual;

  /** The association whose app recorded it; null when ADMIN did. */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  @Enum({ items: () => ReactionKind, type: 'text' })
  kind!: ReactionKind;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
