import { Embedded, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { LegalDocument } from '../../common/legal-document';
import { Node } from '../../common/node';
import { LocalDateScalar } from '../../common/scalars';
import { FederationLevel, FederationStatus } from './federation.enums';

@Entity({ tableName: 'federation' })
@Index({ name: 'federation_name_vi_idx', expression: 'create index "federation_name_vi_idx" on "federation" ("name" collate "vi-x-icu", "id")' })
@Index({ name: 'federation_name_trgm_idx', expression: 'create index "federation_name_trgm_idx" on "federation" using gin (f_fold("name") gin_trgm_ops)' })
@ObjectType('Federation', {
  implements: Node,
  description:
    'A union of science and technology associations (Liên hiệp các Hội Khoa học và Kỹ thuật): the national union or a provincial one. ' +
    'Associations are its members; a provincial union belongs to the national one.',
})
export class Federation extends BaseEntity<'legalBases' | 'status' | 'demo' | 'statusDecision'> {

  @Property({ type: 'text', unique: true })
  @Field(() => String, { description: 'Stable, human-readable code, unique in the hub, e.g. "SOCTRANG".' })
  code!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Full Vietnamese name, e.g. "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng".' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'English name.' })
  nameEn?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Short name, e.g. "Liên hiệp các Hội KH&KT Sóc Trăng".' })
  shortName?: string | null;

  @Enum({ items: () => FederationLevel, type: 'text' })
  @Field(() => FederationLevel, { description: 'National or provincial.' })
  level!: FederationLevel;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Province or city of a provincial union (as named when it was active).' })
  province?: string | null;

  @ManyToOne(() => Federation, { nullable: true, index: true })
  parent?: Federation | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Founding date.' })
  foundedOn?: string | null;

  @Embedded(() => LegalDocument, { prefix: 'founding_decision_', nullable: true })
  @Field(() => LegalDocument, { nullable: true, description: 'The decision that founded the federation (number, date, issuer).' })
  foundingDecision?: LegalDocument | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'What the federation is and does, in Vietnamese.' })
  description?: string | null;

  @Embedded(() => LegalDocument, { array: true })
  @Field(() => [LegalDocument], { description: 'Legal bases of its functions and tasks (directives, charters and their approving decisions).' })
  legalBases: LegalDocument[] = [];

  @Enum({ items: () => FederationStatus, type: 'text', default: FederationStatus.ACTIVE })
  @Field(() => FederationStatus, { description: 'Active, merged into a successor, or dissolved.' })
  status: FederationStatus = FederationStatus.ACTIVE;

  @ManyToOne(() => Federation, { nullable: true, index: true })
  successor?: Federation | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the status last changed (the merger or dissolution date); null while active since founding.' })
  statusChangedOn?: string | null;

  @Embedded(() => LegalDocument, { prefix: 'status_decision_', nullable: true })
  @Field(() => LegalDocument, { nullable: true, description: 'The decision behind the last status change (e.g. the merger decision); null while active since founding.' })
  statusDecision?: LegalDocument | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data, not taken from a source.' })
  demo: boolean = false;
}
