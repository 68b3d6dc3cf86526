import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { ObjectType, Field } from 'type-graphql';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { Intellectual } from '../intellectual/intellectual.entity';
import { PanelRole } from './consultation.enums';
import { ConsultationRequest } from './consultation-request.entity';

/** A seat on a request's review panel. One person sits at most once on a panel; one chair per panel. */
@Entity({ tableName: 'consultation_panel_member' })
@Unique({ name: 'consultation_panel_member_key', properties: ['request', 'intellectual'] })
@Index({ name: 'consultation_panel_member_chair_key', expression: `create unique index "consultation_panel_member_chair_key" on "consultation_panel_member" ("request_id") where "role" = 'CHAIR'` })
@Index({ name: 'consultation_panel_member_intellectual_idx', properties: ['intellectual', 'id'] })
@ObjectType('PanelMember', {
  implements: Node,
  description: "A seat on a request's review panel: the person, the role, and their conflict-of-interest declaration. Seen by ADMIN, ANALYST and the associations involved in the request.",
})
export class PanelMember extends BaseEntity {
  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @ManyToOne(() => Intellectual)
  intellectual!: Intellectual;

  @Enum({ items: () => PanelRole, type: 'text' })
  @Field(() => PanelRole, { description: 'Chair, secretary or member.' })
  role!: PanelRole;
}

/** A conflict of interest a person declared on a request: they cannot sit on its panel, and expertCandidates leaves them out. */
@Entity({ tableName: 'consultation_conflict' })
@Unique({ name: 'consultation_conflict_key', properties: ['request', 'intellectual'] })
@Index({ name: 'consultation_conflict_intellectual_idx', properties: ['intellectual'] })
export class ConsultationConflict {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ConsultationRequest, { deleteRule: 'cascade' })
  request!: ConsultationRequest;

  @ManyToOne(() => Intellectual)
  intellectual!: Intellectual;

  @Property({ type: 'text' })
  note!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  declaredAt: Date = new Date();
}
