import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One change record of the feed (a transactional outbox): written by the write pipeline in the
 * transaction of the write, after its audit events. Ids and codes only: never personal data.
 * The feed's order is (xid, id); readers read only below the oldest running transaction
 * (feed.service.ts), so a record can never appear behind a cursor already handed out.
 */
@Entity({ tableName: 'change_event' })
@Index({ name: 'change_event_position_idx', properties: ['xid', 'id'] })
@Index({ name: 'change_event_association_idx', properties: ['associationCode', 'xid', 'id'] })
@Index({ name: 'change_event_federation_idx', properties: ['federationCode', 'xid', 'id'] })
@Index({ name: 'change_event_type_idx', properties: ['entityType', 'xid', 'id'] })
@Index({ name: 'change_event_at_idx', properties: ['at'] })
export class ChangeEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The writing transaction's id (xid8: never wraps). */
  @Property({ type: 'string', columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' })
  xid!: string;

  /** The Node type name (e.g. "Membership"). */
  @Property({ type: 'text' })
  entityType!: string;

  @Property({ type: 'integer' })
  entityId!: number;

  /** CREATED, UPDATED, ENDED or DELETED. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'text', nullable: true })
  associationCode?: string | null;

  @Property({ type: 'text', nullable: true })
  federationCode?: string | null;

  @Property({ type: 'integer', nullable: true })
  keyId?: number | null;

  @Property({ type: 'text', nullable: true })
  keyLabel?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();
}

/**
 * The feed's horizon: the highest position purged by retention (one row, id 1). A cursor at or
 * below it may have missed records: CURSOR_EXPIRED.
 */
@Entity({ tableName: 'change_feed_horizon' })
export class ChangeFeedHorizon {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: 'string', columnType: 'xid8' })
  xid!: string;

  @Property({ type: 'bigint' })
  eventId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  purgedAt: Date = new Date();
}
