import { Entity, Index, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { BaseEntity } from '../../common/base.entity';
import { Node } from '../../common/node';
import { AuditAction, AuditEntityType } from './audit.enums';

/**
 * One write, recorded in the same transaction as the write itself: who (key id and label),
 * when, which entity, and what changed (old → new; personal data masked).
 */
@Entity({ tableName: 'audit_event' })
@Index({ name: 'audit_event_at_idx', properties: ['at', 'id'] })
@Index({ name: 'audit_event_association_idx', properties: ['associationCode', 'id'] })
@Index({ name: 'audit_event_entity_type_idx', properties: ['entityType', 'id'] })
@ObjectType('AuditEvent', { implements: Node, description: 'One recorded write: who made it, when, to what, and what changed (personal data masked).' })
export class AuditEvent extends BaseEntity {
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => DateTimeResolver, { description: 'When the write was committed (transaction time).' })
  at: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  keyId?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Label of the API key that made the write; null for the command line.' })
  keyLabel?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Code of the association the write concerned, if any.' })
  associationCode?: string | null;

  @Property({ type: 'text' })
  @Field(() => AuditEntityType, { description: 'The kind of entity written.' })
  entityType!: string;

  @Property({ type: 'integer' })
  entityId!: number;

  @Property({ type: 'text' })
  @Field(() => AuditAction, { description: 'What the write did to the entity.' })
  action!: string;

  @Property({ type: 'jsonb' })
  @Field(() => JSONObjectResolver, { description: 'Changed fields, each { "old": …, "new": … }; e-mail, phone and birth date appear as "[masked]".' })
  changes!: Record<string, { old: unknown; new: unknown }>;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The hub's id of the request that made the write (a UUID the hub gives every request: the X-Request-Id response header); null for the command line." })
  requestId?: string | null;

  /** What the caller said its request was: it chose it, so it is kept beside the hub's id, never instead of it. */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description:
      "The id the caller sent in its X-Request-Id header (1 to 64 letters, digits, '.', '_' or '-'; echoed as X-Client-Request-Id), if any. The caller chose it: it may repeat or imitate another's; requestId is the hub's own.",
  })
  clientRequestId?: string | null;
}
