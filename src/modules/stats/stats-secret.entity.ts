import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The database's own key of the random numbers that round protected statistics (one row, id 1,
 * made by the migration with 244 random bits): used when STATS_SECRET is unset, so that restarts
 * and every hub on the database publish the same figures. Never changed: a new secret would
 * draw every figure again, and two draws of a count can be combined.
 */
@Entity({ tableName: 'stats_secret' })
export class StatsSecret {
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  id!: number;

  @Property({ type: 'text' })
  secret!: string;
}
