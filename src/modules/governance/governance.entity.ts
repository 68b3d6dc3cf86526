import { Embedded, Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { LegalDocument } from '../../common/legal-document';
import { Node } from '../../common/node';
import { LocalDateScalar } from '../../common/scalars';
import { Association } from '../association/association.entity';
import { Federation } from '../federation/federation.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { PolicyDocument } from '../consultation/policy-document.entity';
import { DelegateKind, GoverningBodyKind, Office, SeatEndReason, SeatFilledBy } from './governance.enums';

/**
 * A congress of delegates (Đại hội đại biểu), numbered within its federation; it opens a term.
 * Dates are local dates ('YYYY-MM-DD' strings), like every date of the domain.
 */
@Entity({ tableName: 'congress' })
@Unique({ name: 'congress_federation_ordinal_key', properties: ['federation', 'ordinal'] })
@ObjectType('Congress', {
  implements: Node,
  description:
    "A congress of delegates (Đại hội đại biểu): the federation's highest body, numbered I, II, III…; it elects the Executive Committee and opens a term (5 years by default).",
})
export class Congress extends BaseEntity<'place' | 'description' | 'demo' | 'version'> {
  @ManyToOne(() => Federation)
  federation!: Federation;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Its number within the federation: 1, 2, 3… (ordinalRoman gives I, II, III…).' })
  ordinal!: number;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Name, in Vietnamese, e.g. "Đại hội đại biểu Liên hiệp các Hội KH&KT Sóc Trăng lần thứ III".' })
  name!: string;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'First day of the congress.' })
  startsOn!: string;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'Last day of the congress (the first day for a one-day congress).' })
  endsOn!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Where it met.' })
  place?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'What it was about, in Vietnamese.' })
  description?: string | null;

  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/** A delegate of a congress: a person, the association represented, and how they came. */
@Entity({ tableName: 'congress_delegate' })
@Unique({ name: 'congress_delegate_person_key', properties: ['congress', 'intellectual'] })
@Index({ name: 'congress_delegate_intellectual_idx', properties: ['intellectual'] })
@Index({ name: 'congress_delegate_association_idx', expression: 'create index "congress_delegate_association_idx" on "congress_delegate" ("congress_id", "association_id", "id")' })
@ObjectType('CongressDelegate', {
  implements: Node,
  description: 'A delegate of a congress (đại biểu): the person (named as their consent allows), the association represented, and how they came.',
})
export class CongressDelegate extends BaseEntity {
  @ManyToOne(() => Congress)
  congress!: Congress;

  @ManyToOne(() => Intellectual)
  intellectual!: Intellectual;

  /** The member association the delegate represents (null: e.g. an invited guest). */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  @Enum({ items: () => DelegateKind, type: 'text' })
  @Field(() => DelegateKind, { description: 'Elected, by office, or invited.' })
  kind!: DelegateKind;
}

/** A resolution of a congress: a document under review from the consultation module, or a title, link and date. */
@Entity({ tableName: 'congress_resolution' })
@Unique({ name: 'congress_resolution_position_key', properties: ['congress', 'position'] })
@Index({ name: 'congress_resolution_document_idx', expression: 'create index "congress_resolution_document_idx" on "congress_resolution" ("policy_document_id") where "policy_document_id" is not null' })
@ObjectType('CongressResolution', {
  implements: Node,
  description: 'A resolution of a congress: a document from the consultation module, or a title with a link and a date.',
})
export class CongressResolution extends BaseEntity {
  @ManyToOne(() => Congress)
  congress!: Congress;

  /** 1, 2, 3… in the order given. */
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Its place in the list of the congress: 1, 2, 3… in the order given.' })
  position!: number;

  @ManyToOne(() => PolicyDocument, { nullable: true })
  policyDocument?: PolicyDocument | null;

  @Property({ type: 'text', nullable: true })
  title?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'A link to the text of the resolution, when given.' })
  url?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'The day it was adopted, when given (usually a day of the congress).' })
  adoptedOn?: string | null;
}

/** A term (nhiệm kỳ): the period a congress opens; its bodies and seats belong to it. */
@Entity({ tableName: 'term' })
@Unique({ name: 'term_congress_key', properties: ['congress'] })
@Index({ name: 'term_federation_idx', expression: 'create index "term_federation_idx" on "term" ("federation_id", "starts_on", "id")' })
@ObjectType('Term', {
  implements: Node,
  description: 'A term (nhiệm kỳ) of a federation: the period a congress opens, 5 years by default. Terms of one federation never overlap.',
})
export class Term extends BaseEntity<'congress' | 'demo' | 'version'> {
  @ManyToOne(() => Federation)
  federation!: Federation;

  /** The congress that opened the term (null for a term recorded without one). */
  @ManyToOne(() => Congress, { nullable: true })
  congress?: Congress | null;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'First day of the term.' })
  startsOn!: string;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'Last day of the term (inclusive).' })
  endsOn!: string;

  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/** A governing body of one term (createTerm creates the four). */
@Entity({ tableName: 'governing_body' })
@Unique({ name: 'governing_body_term_kind_key', properties: ['term', 'kind'] })
@ObjectType('GoverningBody', {
  implements: Node,
  description: 'A governing body of a federation in one term: the Executive Committee, Standing Committee, Standing Board or Inspection Committee.',
})
export class GoverningBody extends BaseEntity {
  @ManyToOne(() => Term)
  term!: Term;

  @Enum({ items: () => GoverningBodyKind, type: 'text' })
  @Field(() => GoverningBodyKind, { description: 'Which body.' })
  kind!: GoverningBodyKind;
}

/**
 * A seat on a governing body: who held which office, for whom, how it was filled, from when to
 * when. federation_id and term_id are copies of the body's, so officeHolders and the rules read
 * one table (seats never move between bodies).
 */
@Entity({ tableName: 'seat' })
@Index({ name: 'seat_body_idx', expression: 'create index "seat_body_idx" on "seat" ("body_id", "starts_on", "id")' })
@Index({ name: 'seat_federation_office_idx', expression: 'create index "seat_federation_office_idx" on "seat" ("federation_id", "office", "starts_on")' })
@Index({ name: 'seat_term_person_idx', expression: 'create index "seat_term_person_idx" on "seat" ("term_id", "intellectual_id")' })
@Index({ name: 'seat_intellectual_idx', expression: 'create index "seat_intellectual_idx" on "seat" ("intellectual_id", "starts_on", "id")' })
@Index({ name: 'seat_association_idx', expression: 'create index "seat_association_idx" on "seat" ("association_id") where "association_id" is not null' })
@ObjectType('Seat', {
  implements: Node,
  description:
    'A seat on a governing body: the person, the office, the association represented, how the seat was filled, and its dates. ' +
    'Federation offices are kept apart from roles in an association (MembershipRole).',
})
export class Seat extends BaseEntity<'association' | 'electedBy' | 'decision' | 'endsOn' | 'endReason' | 'endNote' | 'version' | 'demo'> {
  @ManyToOne(() => GoverningBody)
  body!: GoverningBody;

  @ManyToOne(() => Term)
  term!: Term;

  @ManyToOne(() => Federation)
  federation!: Federation;

  @ManyToOne(() => Intellectual)
  intellectual!: Intellectual;

  @Enum({ items: () => Office, type: 'text' })
  @Field(() => Office, { description: 'The office held on the body.' })
  office!: Office;

  /** The member association the holder represents on the body (null: e.g. a nominated scientist). */
  @ManyToOne(() => Association, { nullable: true })
  association?: Association | null;

  @Enum({ items: () => SeatFilledBy, type: 'text' })
  @Field(() => SeatFilledBy, { description: 'How the seat was filled.' })
  filledBy!: SeatFilledBy;

  /** The body that elected the holder, when filledBy is ELECTED_BY_BODY. */
  @ManyToOne(() => GoverningBody, { nullable: true })
  electedBy?: GoverningBody | null;

  @Embedded(() => LegalDocument, { prefix: 'decision_', nullable: true })
  @Field(() => LegalDocument, { nullable: true, description: 'The decision that appointed or recognised the holder (number and date; required when filledBy is APPOINTED).' })
  decision?: LegalDocument | null;

  @Property({ type: 'date' })
  @Field(() => LocalDateScalar, { description: 'First day in the seat.' })
  startsOn!: string;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day in the seat (inclusive); null while held (until the end of the term at most).' })
  endsOn?: string | null;

  @Enum({ items: () => SeatEndReason, type: 'text', nullable: true })
  @Field(() => SeatEndReason, { nullable: true, description: 'Why the seat ended; null while held.' })
  endReason?: SeatEndReason | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'A note on the end of the seat, e.g. the reason when endReason is OTHER.' })
  endNote?: string | null;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, { description: 'Increases with every change; pass it as expectedVersion to updateSeat and endSeat.' })
  version: number = 1;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True when this record is invented demo data.' })
  demo: boolean = false;
}

/**
 * A closed period of an association's membership in a federation (its current federation is
 * association.federation, from the end of the last period, or joinedOn). mergeFederation writes one
 * per moved association.
 */
@Entity({ tableName: 'association_federation_period' })
@Index({ name: 'association_federation_period_association_idx', expression: 'create index "association_federation_period_association_idx" on "association_federation_period" ("association_id", "to_on")' })
@Index({ name: 'association_federation_period_federation_idx', expression: 'create index "association_federation_period_federation_idx" on "association_federation_period" ("federation_id", "to_on")' })
export class AssociationFederationPeriod extends BaseEntity<'fromOn'> {
  @ManyToOne(() => Association)
  association!: Association;

  @ManyToOne(() => Federation)
  federation!: Federation;

  /** First day in the federation (null: not known, e.g. before joinedOn was recorded). */
  @Property({ type: 'date', nullable: true })
  fromOn?: string | null;

  /** First day no longer in it (exclusive), e.g. the merger date. */
  @Property({ type: 'date' })
  toOn!: string;
}
