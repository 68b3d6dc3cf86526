import { Entity, ManyToOne, OneToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { PolicyDocumentSection } from '../consultation/policy-document.entity';
import { Forum } from './forum.entity';
import { ForumPost } from './forum-post.entity';

/**
 * The federation's synthesis of a closed forum: a summary and numbered recommendations, each
 * citing the posts it draws on. Published by ADMIN once the forum is CLOSED; publishing again
 * replaces it (version + 1).
 */
@Entity({ tableName: 'forum_synthesis' })
@ObjectType('ForumSynthesis', { description: "The federation's synthesis of a forum: a summary and numbered recommendations citing the posts they draw on. Seen by whoever sees the forum." })
export class ForumSynthesis {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @OneToOne(() => Forum, { owner: true, unique: 'forum_synthesis_forum_key', deleteRule: 'cascade' })
  forum!: Forum;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Summary of what the forum said (1 to 20,000 characters).' })
  summary!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When it was (last) published.' })
  publishedAt!: Date;

  /** When attachSynthesisToRequest last copied it into the consultation request's draft report. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true, description: "When it was last copied into the linked consultation request's draft report (attachSynthesisToRequest); null if never." })
  attachedAt?: Date | null;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases each time it is published again.' })
  version: number = 1;
}

/** A numbered recommendation of a synthesis. */
@Entity({ tableName: 'forum_synthesis_recommendation' })
@Unique({ name: 'forum_synthesis_recommendation_number_key', properties: ['synthesis', 'number'] })
@ObjectType('ForumRecommendation', { description: 'A numbered recommendation of a forum synthesis, citing the posts it draws on.' })
export class ForumSynthesisRecommendation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ForumSynthesis, { deleteRule: 'cascade' })
  synthesis!: ForumSynthesis;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Its number, from 1.' })
  number!: number;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The recommendation (1 to 10,000 characters).' })
  text!: string;

  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;
}

/** A post a recommendation cites (a visible post of the same forum when published). */
@Entity({ tableName: 'forum_synthesis_citation' })
@Unique({ name: 'forum_synthesis_citation_key', properties: ['recommendation', 'post'] })
export class ForumSynthesisCitation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ForumSynthesisRecommendation, { deleteRule: 'cascade' })
  recommendation!: ForumSynthesisRecommendation;

  @ManyToOne(() => ForumPost, { deleteRule: 'cascade' })
  post!: ForumPost;
}
