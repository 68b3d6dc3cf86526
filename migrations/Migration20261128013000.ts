import { Migration } from '@mikro-orm/migrations';

/**
 * Name search without diacritics: unaccent + pg_trgm, an IMMUTABLE folding function
 * (unaccent() itself is only STABLE, so it cannot be indexed), and trigram indexes on the
 * folded names. Both extensions are "trusted" (PostgreSQL 13+): a database owner may create them.
 */
export class Migration20261128013000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists unaccent;`);
    this.addSql(`create extension if not exists pg_trgm;`);
    // Lower case, no diacritics (đ → d), and any run of spaces or punctuation (dashes included)
    // as one space: "Hội Cơ khí – Điện" and "co khi dien" then meet.
    this.addSql(`create or replace function f_fold(text) returns text
      language sql immutable parallel safe strict
      as $$ select regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, $1)), E'[[:space:][:punct:]\\u2010-\\u2015\\u2026\\u00b7]+', ' ', 'g') $$;`);
    this.addSql(`create index "intellectual_name_trgm_idx" on "intellectual" using gin (f_fold("full_name") gin_trgm_ops);`);
    this.addSql(`create index "association_name_trgm_idx" on "association" using gin (f_fold("name") gin_trgm_ops);`);
    this.addSql(`create index "federation_name_trgm_idx" on "federation" using gin (f_fold("name") gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "intellectual_name_trgm_idx";`);
    this.addSql(`drop index if exists "association_name_trgm_idx";`);
    this.addSql(`drop index if exists "federation_name_trgm_idx";`);
    this.addSql(`drop function if exists f_fold(text);`);
  }
}
