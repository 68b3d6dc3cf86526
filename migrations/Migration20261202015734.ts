import { Migration } from '@mikro-orm/migrations';

/**
 * The RECENTLY_JOINED order of memberships (joined on, newest first, undated last; the default of
 * Intellectual.memberships), served per person and per association. The person's index leads
 * with intellectual_id, so it replaces the plain index on that column: one index more in all.
 */
export class Migration20261202015734 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "membership_intellectual_joined_idx" on "membership" ("intellectual_id", coalesce("joined_on", '-infinity'::date) desc, "id" desc);`);
    this.addSql(`create index "membership_association_joined_idx" on "membership" ("association_id", coalesce("joined_on", '-infinity'::date) desc, "id" desc);`);
    this.addSql(`drop index "membership_intellectual_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "membership_intellectual_id_index" on "membership" ("intellectual_id");`);
    this.addSql(`drop index "membership_intellectual_joined_idx";`);
    this.addSql(`drop index "membership_association_joined_idx";`);
  }
}
