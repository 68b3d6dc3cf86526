import { Migration } from '@mikro-orm/migrations';

/**
 * The database's statistics secret (see stats-secret.entity.ts): one row, made here from two
 * random UUIDs (PostgreSQL's strong random source, 244 random bits), so that it exists before
 * any hub reads it and every hub on the database agrees.
 */
export class Migration20261202030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "stats_secret" ("id" smallint not null, "secret" text not null, constraint "stats_secret_pkey" primary key ("id"));`);
    this.addSql(`insert into "stats_secret" ("id", "secret") values (1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stats_secret" cascade;`);
  }
}
