import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The first response to a mutation sent with an idempotency key, kept per caller for 24 hours:
 * a retry with the same key and input gets it back and writes nothing more.
 */
@Entity({ tableName: 'idempotency_record' })
@Index({ name: 'idempotency_record_created_at_idx', properties: ['createdAt'] })
export class IdempotencyRecord {
  @PrimaryKey({ type: 'integer' })
  keyId!: number;

  @PrimaryKey({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  operation!: string;

  /** SHA-256 of the canonical input: the same key with another input is refused. */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'jsonb', nullable: true })
  response?: unknown;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
