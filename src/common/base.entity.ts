import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Node } from './node';

/** Columns every table has: an integer key (internal; clients see global ids) and timestamps. */
/** Properties em.create() may leave out: defaults, generated values and getters. */
export type BaseOptional = 'createdAt' | 'updatedAt' | 'globalId';

export abstract class BaseEntity<Optional extends string = never> extends Node {
  [OptionalProps]?: BaseOptional | Optional;

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
