import { BeforeCreate, BeforeUpdate, Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { EmailAddressResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { GRANTS } from '../../common/policy';
import { LocalDateScalar } from '../../common/scalars';
import { Node } from '../../common/node';
import { ScienceField } from '../field/field.types';
import { AcademicTitle, Degree, Gender } from './intellectual.enums';
import { personName } from './intellectual.rules';

const PERSONAL =
  'Personal data: visible to ADMIN keys and to the keys of associations this person currently belongs to (not ended); null for everyone else (and when unknown).';

@Entity({ tableName: 'intellectual' })
@Index({ name: 'intellectual_sort_vi_idx', expression: 'create index "intellectual_sort_vi_idx" on "intellectual" ("given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id")' })
@Index({ name: 'intellectual_fields_gin_idx', expression: 'create index "intellectual_fields_gin_idx" on "intellectual" using gin ("fields")' })
@Index({ name: 'intellectual_degree_sort_idx', expression: 'create index "intellectual_degree_sort_idx" on "intellectual" ("highest_degree", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id")' })
@Index({ name: 'intellectual_title_sort_idx', expression: 'create index "intellectual_title_sort_idx" on "intellectual" ("academic_title", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id")' })
@Index({ name: 'intellectual_search_trgm_idx', expression: 'create index "intellectual_search_trgm_idx" on "intellectual" using gin ("search_name" gin_trgm_ops)' })
@Index({
  name: 'intellectual_stats_idx',
  expression: 'create index "intellectual_stats_idx" on "intellectual" ("id") include ("highest_degree", "academic_title", "gender", "birth_date", "fields")',
})
@Index({ name: 'intellectual_public_idx', expression: 'create index "intellectual_public_idx" on "intellectual" ("public_profile", "id")' })
@ObjectType('Intellectual', {
  implements: Node,
  description:
    'A science and technology intellectual (trí thức KH&CN): a person who belongs to the federation through one or more associations.',
})
export class Intellectual extends BaseEntity<'searchName' | 'givenName' | 'gender' | 'academicTitle' | 'fields' | 'publicProfile' | 'version' | 'demo' | 'fieldList' | 'grantedEmail' | 'grantedPhone' | 'grantedBirthDate'> {

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Full name in Vietnamese order (family, middle, given), NFC-normalised, e.g. "Nguyễn Văn Đức".' })
  fullName!: string;

  /**
   * The folded full name (f_fold: no diacritics, lower case, punctuation as spaces), computed by
   * PostgreSQL: search reads it instead of folding every candidate row again.
   */
  @Property({ type: 'text', generated: '(f_fold(full_name)) stored', nullable: true, lazy: true })
  searchName?: string | null;

  /**
   * The last word of the full name (kept in step with it). Vietnamese lists sort by given name,
   * then full name; two columns, because under ICU collation one concatenated key would let a
   * later letter outweigh a tone mark in the given name.
   */
  @Property({ type: 'text' })
  givenName!: string;

  @Enum({ items: () => Gender, type: 'text', default: Gender.UNDISCLOSED })
  @Field(() => Gender, { description: 'Gender as the person gave it.' })
  gender: Gender = Gender.UNDISCLOSED;

  /** Personal data: never exposed without a role that may see it. */
  @Property({ type: 'date', nullable: true })
  birthDate?: string | null;

  /** Personal data. */
  @Property({ type: 'text', nullable: true })
  email?: string | null;

  /** Personal data. */
  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Enum({ items: () => AcademicTitle, type: 'text', default: AcademicTitle.NONE })
  @Field(() => AcademicTitle, { description: 'Academic title: GS, PGS or none.' })
  academicTitle: AcademicTitle = AcademicTitle.NONE;

  @Enum({ items: () => Degree, type: 'text', nullable: true })
  @Field(() => Degree, { nullable: true, description: 'Highest degree held; null when unknown.' })
  highestDegree?: Degree | null;

  @Property({ type: 'text[]', default: '{}' })
  fields: string[] = [];

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Workplace (organisation), e.g. "Trường Đại học Cần Thơ".' })
  workplace?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Position at the workplace.' })
  position?: string | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'The person consents to being shown publicly; only such people are visible to anonymous callers.' })
  publicProfile: boolean = false;

  @Property({ type: 'integer', version: true })
  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;

  @Field(() => [ScienceField], { name: 'fields', description: 'Fields of expertise (OECD FOS 2007 codes with labels).' })
  get fieldList(): ScienceField[] {
    return this.fields.map(ScienceField.of);
  }

  /*
   * Personal data reaches a client only when the read that produced this object was granted it
   * by IntellectualPolicy (in the same SQL statement): objects read any other way show null.
   */
  @Field(() => EmailAddressResolver, { name: 'email', nullable: true, description: `${PERSONAL} E-mail address.` })
  get grantedEmail(): string | null {
    return (this as { [GRANTS]?: boolean })[GRANTS] === true ? (this.email ?? null) : null;
  }

  @Field(() => String, { name: 'phone', nullable: true, description: `${PERSONAL} Telephone number.` })
  get grantedPhone(): string | null {
    return (this as { [GRANTS]?: boolean })[GRANTS] === true ? (this.phone ?? null) : null;
  }

  @Field(() => LocalDateScalar, { name: 'birthDate', nullable: true, description: `${PERSONAL} Date of birth.` })
  get grantedBirthDate(): string | null {
    return (this as { [GRANTS]?: boolean })[GRANTS] === true ? (this.birthDate ?? null) : null;
  }

  @BeforeCreate()
  @BeforeUpdate()
  protected normalize(): void {
    // The same rule as the set-based push path (intellectual.rules.ts).
    Object.assign(this, personName(this.fullName));
  }
}
