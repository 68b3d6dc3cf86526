import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { LocalDateScalar, URLScalar } from '../../common/scalars';

/**
 * A document under review (a draft policy, programme, decision…). Shared: consultation requests
 * review it, forums discuss it. Visible to everyone unless every request it belongs to is hidden
 * from the viewer (consultation.policy.ts).
 */
@Entity({ tableName: 'policy_document' })
@ObjectType('PolicyDocument', {
  implements: Node,
  description: 'A document under review (dự thảo): a draft policy, programme, plan or legal document, with optional numbered sections that opinions and forum posts point at.',
})
export class PolicyDocument extends BaseEntity<'demo'> {
  @Property({ type: 'text' })
  @Field(() => String, { description: 'Title, e.g. "Dự thảo Nghị quyết về phát triển khoa học, công nghệ tỉnh Sóc Trăng".' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => URLScalar, { nullable: true, description: 'Where the full text is published.' })
  link?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Version label as the drafting body gives it, e.g. "Dự thảo lần 2".' })
  versionLabel?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date this version was issued.' })
  issuedOn?: string | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/** A numbered section of a policy document (not a Node: it is read with its document). */
@Entity({ tableName: 'policy_document_section' })
@Unique({ name: 'policy_document_section_number_key', properties: ['document', 'number'] })
@Index({ name: 'policy_document_section_position_idx', properties: ['document', 'position'] })
@ObjectType('PolicyDocumentSection', { description: 'A numbered section of a policy document, which opinions and forum posts can point at.' })
export class PolicyDocumentSection {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => PolicyDocument, { deleteRule: 'cascade' })
  document!: PolicyDocument;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Section number as written in the document, e.g. "3", "3.2" or "IV.1".' })
  number!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Heading of the section.' })
  heading?: string | null;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Text of the section (up to 50,000 characters).' })
  text!: string;

  /** Order in the document (sections are listed in the order given). */
  @Property({ type: 'integer' })
  position!: number;
}
