import { Embedded, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { LocalDateScalar } from '../../common/scalars';
import { Federation } from '../federation/federation.entity';
import { ScienceField } from '../field/field.types';
import { AssociationStatus } from './association.enums';
import { Charter, Contact } from './association.embeddables';

@Entity({ tableName: 'association' })
@Index({ name: 'association_name_vi_idx', expression: 'create index "association_name_vi_idx" on "association" ("name" collate "vi-x-icu", "id")' })
@Index({ name: 'association_federation_name_vi_idx', expression: 'create index "association_federation_name_vi_idx" on "association" ("federation_id", "name" collate "vi-x-icu", "id")' })
@Index({ name: 'association_fields_gin_idx', expression: 'create index "association_fields_gin_idx" on "association" using gin ("fields")' })
@Index({ name: 'association_name_trgm_idx', expression: 'create index "association_name_trgm_idx" on "association" using gin (f_fold("name") gin_trgm_ops)' })
@ObjectType('Association', {
  implements: Node,
  description:
    'A member association (hội thành viên): autonomous, with its own charter and field of activity; it admits its own members. ' +
    "Each association's app writes only its own data.",
})
export class Association extends BaseEntity<'fields' | 'status' | 'charter' | 'contact' | 'version' | 'demo' | 'fieldList'> {

  @Property({ type: 'text', unique: true })
  @Field(() => String, { description: 'Human-readable code, unique across the hub, e.g. "ST-YHOC".' })
  code!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Full Vietnamese name.' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'English name.' })
  nameEn?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Short name.' })
  shortName?: string | null;

  @Property({ type: 'text[]', default: '{}' })
  fields: string[] = [];

  @ManyToOne(() => Federation)
  federation!: Federation;

  @Enum({ items: () => AssociationStatus, type: 'text', default: AssociationStatus.ACTIVE })
  @Field(() => AssociationStatus, { description: 'Active, suspended or dissolved.' })
  status: AssociationStatus = AssociationStatus.ACTIVE;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date it joined its federation.' })
  joinedOn?: string | null;

  @Embedded(() => Charter, { prefix: 'charter_' })
  @Field(() => Charter, { description: 'Its charter (điều lệ); fields are null where unknown.' })
  charter: Charter = new Charter();

  @Embedded(() => Contact, { prefix: 'contact_' })
  @Field(() => Contact, { description: 'Public contact details; fields are null where unknown.' })
  contact: Contact = new Contact();

  @Property({ type: 'integer', version: true })
  @Field(() => Int, { description: 'Incremented by every change; send it back as `expectedVersion` to update safely.' })
  version!: number;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data, not taken from a source.' })
  demo: boolean = false;

  @Field(() => [ScienceField], { name: 'fields', description: 'Fields of activity (OECD FOS 2007 codes with labels).' })
  get fieldList(): ScienceField[] {
    return this.fields.map(ScienceField.of);
  }
}
