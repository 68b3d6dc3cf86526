import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { Association } from '../association/association.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { OpinionStance } from './consultation.enums';
import { ConsultationRequest } from './consultation-request.entity';
import { PolicyDocumentSection } from './policy-document.entity';

/**
 * An opinion on a request under review: an association's own (author null), or a panel member's
 * (submitted by the app of an association they currently belong to, or by ADMIN). One per
 * association and one per panel member on a request; edits keep every earlier text.
 */
@Entity({ tableName: 'consultation_opinion' })
@Index({
  name: 'consultation_opinion_association_key',
  expression: `create unique index "consultation_opinion_association_key" on "consultation_opinion" ("request_id", "association_id") where "intellectual_id" is null`,
})
@Index({
  name: 'consultation_opinion_author_key',
  expression: `create unique index "consultation_opinion_author_key" on "consultation_opinion" ("request_id", "intellectual_id") where "intellectual_id" is not null`,
})
@Index({ name: 'consultation_opinion_request_idx', properties: ['request', 'id'] })
@Index({ name: 'consultation_opinion_association_idx', properties: ['association', 'id'] })
@ObjectType('Opinion', {
  implements: Node,
  description:
    "An opinion on a request under review: an association's own, or a panel member's. Seen by ADMIN, ANALYST and the associations involved in the request; never by the public.",
})
export class Opinion extends BaseEntity<'version' | 'section' | 'author'> {
  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  /** The association that gave or submitted it; null when ADMIN entered a panel member's opinion. */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  /** The panel member whose opinion it is; null for an association's own. */
  @ManyToOne(() => Intellectual, { nullable: true, fieldName: 'intellectual_id' })
  author?: Intellectual | null;

  @Enum({ items: () => OpinionStance, type: 'text' })
  @Field(() => OpinionStance, { description: 'Where the opinion stands.' })
  stance!: OpinionStance;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The opinion (1 to 20,000 characters).' })
  text!: string;

  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every edit; pass it as expectedVersion to updateOpinion.' })
  version: number = 1;
}

/** An earlier text of an opinion, kept when it was edited (revision 1 is the first text). */
@Entity({ tableName: 'consultation_opinion_revision' })
@Unique({ name: 'consultation_opinion_revision_key', properties: ['opinion', 'revision'] })
@ObjectType('OpinionRevision', { description: 'A text an opinion had before an edit (revision 1 is the first).' })
export class OpinionRevision {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Opinion, { deleteRule: 'cascade' })
  opinion!: Opinion;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The version of the opinion that had this text.' })
  revision!: number;

  @Enum({ items: () => OpinionStance, type: 'text' })
  @Field(() => OpinionStance, { description: 'The stance it had.' })
  stance!: OpinionStance;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The text it had.' })
  text!: string;

  @ManyToOne(() => PolicyDocumentSection, { nullable: true })
  section?: PolicyDocumentSection | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When that version was written.' })
  writtenAt!: Date;
}
