import { Migration } from '@mikro-orm/migrations';

/**
 * People's folded names in a stored generated column: a search then compares plain text in the
 * recheck and the ranking instead of running unaccent and a regular expression on every
 * candidate row. Its trigram index replaces the expression index.
 */
export class Migration20261128016000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "intellectual" add column "search_name" text generated always as (f_fold(full_name)) stored;`);
    this.addSql(`drop index if exists "intellectual_name_trgm_idx";`);
    this.addSql(`create index "intellectual_search_trgm_idx" on "intellectual" using gin ("search_name" gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "intellectual_search_trgm_idx";`);
    this.addSql(`alter table "intellectual" drop column "search_name";`);
    this.addSql(`create index "intellectual_name_trgm_idx" on "intellectual" using gin (f_fold("full_name") gin_trgm_ops);`);
  }
}
