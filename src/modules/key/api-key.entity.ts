import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../common/base.entity';
import { Role } from '../../common/auth';
import { Association } from '../association/association.entity';

/**
 * An API key. The key itself is shown once, at creation; only its SHA-256 is stored (keys carry
 * 256 random bits, so a fast hash is safe). Not a GraphQL type: keys are managed with the CLI.
 */
@Entity({ tableName: 'api_key' })
export class ApiKey extends BaseEntity<'lastUsedAt' | 'revokedAt'> {
  @Property({ type: 'text', unique: true })
  hash!: string;

  /** The first characters of the key, to recognise it in lists without revealing it. */
  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'text' })
  label!: string;

  @Enum({ items: () => ['ADMIN', 'ANALYST', 'ASSOCIATION'], type: 'text' })
  role!: Exclude<Role, 'PUBLIC'>;

  @ManyToOne(() => Association, { nullable: true })
  @Index({ name: 'api_key_association_idx' })
  association?: Association | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt?: Date | null;
}
