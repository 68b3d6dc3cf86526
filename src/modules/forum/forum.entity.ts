import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { Federation } from '../federation/federation.entity';
import { ConsultationRequest } from '../consultation/consultation-request.entity';
import { PolicyDocument } from '../consultation/policy-document.entity';
import { ForumStatus, ForumVisibility } from './forum.enums';

/** The status of a forum with these times and decisions, at `now` (the SQL twin is forumStatusSql). */
export function forumStatusAt(f: { opensAt: Date; closesAt: Date; closedAt?: Date | null; archivedAt?: Date | null }, now = new Date()): ForumStatus {
  if (f.archivedAt) return ForumStatus.ARCHIVED;
  if (f.closedAt || f.closesAt.getTime() <= now.getTime()) return ForumStatus.CLOSED;
  if (f.opensAt.getTime() <= now.getTime()) return ForumStatus.OPEN;
  return ForumStatus.DRAFT;
}

/** SQL: the status of the forum `alias` now (forumStatusAt as an expression). */
export function forumStatusSql(alias: string): string {
  return (
    `(case when ${alias}.archived_at is not null then 'ARCHIVED'` +
    ` when ${alias}.closed_at is not null or ${alias}.closes_at <= now() then 'CLOSED'` +
    ` when ${alias}.opens_at <= now() then 'OPEN' else 'DRAFT' end)`
  );
}

/** SQL: the forum `alias` has the status `status` now (a condition the indexes below can serve). */
export function forumStatusIs(alias: string, status: ForumStatus): string {
  switch (status) {
    case ForumStatus.ARCHIVED:
      return `${alias}.archived_at is not null`;
    case ForumStatus.CLOSED:
      return `(${alias}.archived_at is null and (${alias}.closed_at is not null or ${alias}.closes_at <= now()))`;
    case ForumStatus.OPEN:
      return `(${alias}.archived_at is null and ${alias}.closed_at is null and ${alias}.closes_at > now() and ${alias}.opens_at <= now())`;
    case ForumStatus.DRAFT:
      return `(${alias}.archived_at is null and ${alias}.closed_at is null and ${alias}.closes_at > now() and ${alias}.opens_at > now())`;
  }
}

/**
 * A policy feedback forum (diễn đàn): members discuss a document under review, thread by thread;
 * the federation turns what they said into recommendations (ForumSynthesis).
 */
@Entity({ tableName: 'forum' })
@Index({ name: 'forum_opens_idx', expression: 'create index "forum_opens_idx" on "forum" ("opens_at" desc, "id" desc)' })
@Index({ name: 'forum_closes_idx', expression: 'create index "forum_closes_idx" on "forum" ("closes_at", "id")' })
@Index({ name: 'forum_activity_idx', expression: 'create index "forum_activity_idx" on "forum" ("last_activity_at" desc nulls last, "id" desc)' })
@Index({ name: 'forum_federation_idx', expression: 'create index "forum_federation_idx" on "forum" ("federation_id", "opens_at" desc, "id" desc)' })
@Index({ name: 'forum_request_idx', expression: 'create index "forum_request_idx" on "forum" ("consultation_request_id") where "consultation_request_id" is not null' })
@Index({ name: 'forum_document_idx', properties: ['document'] })
@Index({ name: 'forum_tags_gin_idx', expression: 'create index "forum_tags_gin_idx" on "forum" using gin ("tags")' })
@Index({ name: 'forum_search_trgm_idx', expression: 'create index "forum_search_trgm_idx" on "forum" using gin ("search_text" gin_trgm_ops)' })
@ObjectType('Forum', {
  implements: Node,
  description:
    'A policy feedback forum (diễn đàn): intellectuals discuss a document under review, thread by thread, and the federation turns what they said into recommendations (synthesis). ' +
    'MEMBERS_ONLY forums do not exist for the public; DRAFT forums (opensAt ahead) are seen by ADMIN and ANALYST only.',
})
export class Forum extends BaseEntity<'description' | 'consultationRequest' | 'closedAt' | 'archivedAt' | 'tags' | 'version' | 'demo' | 'lastActivityAt' | 'postCount' | 'threadCount' | 'searchText' | 'status'> {
  @ManyToOne(() => Federation)
  federation!: Federation;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Title, in Vietnamese.' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'What is discussed and how to take part (plain text or Markdown, as given).' })
  description?: string | null;

  /** Title and description folded (f_fold): search reads it (trigram index). */
  @Property({ type: 'text', generated: `(f_fold(title || ' ' || coalesce(description, ''))) stored`, nullable: true, lazy: true })
  searchText?: string | null;

  /** The document discussed: its sections are what threads and posts point at. */
  @ManyToOne(() => PolicyDocument)
  document!: PolicyDocument;

  /** The consultation request the forum feeds, if any (attachSynthesisToRequest copies into its report). */
  @ManyToOne(() => ConsultationRequest, { nullable: true, deleteRule: 'set null' })
  consultationRequest?: ConsultationRequest | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When the forum opens for posts.' })
  opensAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When it closes (unless ADMIN closes it earlier).' })
  closesAt!: Date;

  /** Set when ADMIN closed the forum before closesAt. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  /** Set when ADMIN archived the forum. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  archivedAt?: Date | null;

  @Enum({ items: () => ForumVisibility, type: 'text' })
  @Field(() => ForumVisibility, { description: 'PUBLIC or MEMBERS_ONLY.' })
  visibility!: ForumVisibility;

  @Property({ type: 'text[]', default: '{}' })
  @Field(() => [String], { description: 'Free tags (lower case), e.g. "nông nghiệp", "chuyển đổi số".' })
  tags: string[] = [];

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every change; pass it as expectedVersion to updateForum and setForumStatus.' })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;

  /** When the last post was written (null: none yet); kept by the writes, sorts ACTIVITY_DESC. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastActivityAt?: Date | null;

  /** Posts in the forum, hidden ones included; kept by the writes. */
  @Property({ type: 'integer', default: 0 })
  postCount: number = 0;

  /** Threads in the forum; kept by the writes. */
  @Property({ type: 'integer', default: 0 })
  threadCount: number = 0;

  @Field(() => ForumStatus, { description: 'DRAFT, OPEN, CLOSED or ARCHIVED, as of now (see ForumStatus).' })
  get status(): ForumStatus {
    return forumStatusAt(this);
  }
}
