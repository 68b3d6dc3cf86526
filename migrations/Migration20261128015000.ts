import { Migration } from '@mikro-orm/migrations';

/**
 * Covering indexes for statistics: the aggregates read (association, status → person, joined on)
 * and (person → degree, title, gender, birth date, fields) from these narrow indexes by
 * index-only scans, instead of the wide membership and intellectual rows.
 */
export class Migration20261128015000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "membership_stats_idx" on "membership" ("association_id", "status") include ("intellectual_id", "joined_on");`);
    this.addSql(`create index "intellectual_stats_idx" on "intellectual" ("id") include ("highest_degree", "academic_title", "gender", "birth_date", "fields");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "membership_stats_idx";`);
    this.addSql(`drop index if exists "intellectual_stats_idx";`);
  }
}
