import { Migration } from '@mikro-orm/migrations';

/**
 * A narrow index for counting the people an anonymous caller may see (totalCount of the public
 * list: an index-only scan instead of reading every person's row) and for joining to them.
 */
export class Migration20261128017000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "intellectual_public_idx" on "intellectual" ("public_profile", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "intellectual_public_idx";`);
  }
}
