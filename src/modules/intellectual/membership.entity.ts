import { BeforeCreate, Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { LocalDateScalar } from '../../common/scalars';
import { Association } from '../association/association.entity';
import { Intellectual } from './intellectual.entity';
import { MembershipRole, MembershipStatus } from './intellectual.enums';
import { personName } from './intellectual.rules';

@Entity({ tableName: 'membership' })
@Unique({ name: 'membership_association_external_id_key', properties: ['association', 'externalId'] })
@Index({ name: 'membership_association_sort_vi_idx', expression: 'create index "membership_association_sort_vi_idx" on "membership" ("association_id", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id")' })
@Index({ name: 'membership_association_id_idx', expression: 'create index "membership_association_id_idx" on "membership" ("association_id", "id")' })
// RECENTLY_JOINED (joined on, newest first, undated last) per association and per person; the
// person's one also serves every lookup by intellectual_id (it replaced a plain index on it).
@Index({
  name: 'membership_association_joined_idx',
  expression: `create index "membership_association_joined_idx" on "membership" ("association_id", coalesce("joined_on", '-infinity'::date) desc, "id" desc)`,
})
@Index({
  name: 'membership_intellectual_joined_idx',
  expression: `create index "membership_intellectual_joined_idx" on "membership" ("intellectual_id", coalesce("joined_on", '-infinity'::date) desc, "id" desc)`,
})
@Index({
  name: 'membership_stats_idx',
  expression: 'create index "membership_stats_idx" on "membership" ("association_id", "status") include ("intellectual_id", "joined_on")',
})
@ObjectType('Membership', {
  implements: Node,
  description: 'A person admitted to an association (hội viên): member number, dates, status and role.',
})
export class Membership extends BaseEntity<'status' | 'role' | 'givenName' | 'fullName'> {

  @ManyToOne(() => Intellectual)
  intellectual!: Intellectual;

  @ManyToOne(() => Association)
  association!: Association;

  @Property({ type: 'text' })
  @Field(() => String, { description: "The association's own id for this member; unique within the association." })
  externalId!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Member number on the association card.' })
  memberNumber?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date admitted (kết nạp).' })
  joinedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the membership ended; null while it lasts.' })
  leftOn?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the membership ended, as the association gave it; null while it lasts.' })
  endReason?: string | null;

  @Enum({ items: () => MembershipStatus, type: 'text', default: MembershipStatus.ACTIVE })
  @Field(() => MembershipStatus, { description: 'Active, lapsed or ended.' })
  status: MembershipStatus = MembershipStatus.ACTIVE;

  @Enum({ items: () => MembershipRole, type: 'text', default: MembershipRole.MEMBER })
  @Field(() => MembershipRole, { description: "The member's role in the association." })
  role: MembershipRole = MembershipRole.MEMBER;

  /**
   * Copies of the member's given and full name, so an association's members page in Vietnamese
   * order from one index. The database fills and keeps them (see intellectual.rules.ts).
   */
  @Property({ type: 'text' })
  givenName!: string;

  @Property({ type: 'text' })
  fullName!: string;

  @BeforeCreate()
  protected copyName(): void {
    // The database's trigger sets the same values (the rule of intellectual.rules.ts); the ORM
    // checks required columns before it gets there.
    Object.assign(this, personName(this.intellectual.fullName));
  }
}
