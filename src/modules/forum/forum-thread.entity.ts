import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { Association } from '../association/association.entity';
import { PolicyDocumentSection } from '../consultation/policy-document.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { Forum } from './forum.entity';

/**
 * A thread of a forum: a title, optionally a section of the document, and its posts (the first
 * written with the thread). Written by an association's app for one of its current members, or by
 * ADMIN as the federation.
 */
@Entity({ tableName: 'forum_thread' })
@Index({ name: 'forum_thread_activity_idx', expression: 'create index "forum_thread_activity_idx" on "forum_thread" ("forum_id", "last_activity_at" desc, "id" desc)' })
@Index({ name: 'forum_thread_posts_idx', expression: 'create index "forum_thread_posts_idx" on "forum_thread" ("forum_id", "post_count" desc, "id" desc)' })
@Index({ name: 'forum_thread_created_idx', properties: ['forum', 'id'] })
@Index({ name: 'forum_thread_section_idx', expression: 'create index "forum_thread_section_idx" on "forum_thread" ("section_id") where "section_id" is not null' })
@Index({ name: 'forum_thread_search_trgm_idx', expression: 'create index "forum_thread_search_trgm_idx" on "forum_thread" using gin ("search_text" gin_trgm_ops)' })
@ObjectType('ForumThread', { implements: Node, description: 'A thread of a forum: a title, optionally the document section it is about, and its posts.' })
export class ForumThread extends BaseEntity<'section' | 'author' | 'byFederation' | 'association' | 'locked' | 'lockedAt' | 'lastActivityAt' | 'postCount' | 'searchText' | 'version' | 'demo'> {
  @ManyToOne(() => Forum, { deleteRule: 'cascade' })
  forum!: Forum;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Title (1 to 300 characters).' })
  title!: string;

  /** The title folded (f_fold): forumPosts' search matches thread titles through it. */
  @Property({ type: 'text', generated: '(f_fold(title)) stored', nullable: true, lazy: true })
  searchText?: string | null;

  /** The section of the forum's document the thread is about, if any. */
  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;

  /** Who opened it; null when the federation did (byFederation). */
  @ManyToOne(() => Intellectual, { nullable: true, fieldName: 'author_id' })
  author?: Intellectual | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when ADMIN opened it as the federation (no author).' })
  byFederation: boolean = false;

  /** The association whose app opened it (the author's); null when ADMIN did. */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when ADMIN locked it: no more posts.' })
  locked: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => DateTimeResolver, { description: 'When its last post was written (its creation before any).' })
  lastActivityAt: Date = new Date();

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Posts in the thread, replies and hidden posts included.' })
  postCount: number = 0;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every change of the thread itself (title, lock).' })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}
