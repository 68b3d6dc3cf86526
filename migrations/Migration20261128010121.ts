import { Migration } from '@mikro-orm/migrations';

export class Migration20261128010121 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "federation" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "code" text not null, "name" text not null, "name_en" text null, "short_name" text null, "level" text check ("level" in ('NATIONAL', 'PROVINCIAL')) not null, "province" text null, "parent_id" int null, "founded_on" date null, "founding_decision_number" text null, "founding_decision_date" date null, "founding_decision_issuer" text null, "founding_decision_title" text null, "description" text null, "legal_bases" jsonb not null, "status" text check ("status" in ('ACTIVE', 'MERGED', 'DISSOLVED')) not null default 'ACTIVE', "successor_id" int null, "status_changed_on" date null, "demo" boolean not null default false);`);
    this.addSql(`alter table "federation" add constraint "federation_code_unique" unique ("code");`);
    this.addSql(`create index "federation_parent_id_index" on "federation" ("parent_id");`);
    this.addSql(`create index "federation_successor_id_index" on "federation" ("successor_id");`);
    this.addSql(`create index "federation_name_vi_idx" on "federation" ("name" collate "vi-x-icu", "id");`);

    this.addSql(`create table "association" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "code" text not null, "name" text not null, "name_en" text null, "short_name" text null, "fields" text[] not null default '{}', "federation_id" int not null, "status" text check ("status" in ('ACTIVE', 'SUSPENDED', 'DISSOLVED')) not null default 'ACTIVE', "joined_on" date null, "charter_title" text null, "charter_approving_decision" text null, "charter_approved_on" date null, "charter_url" text null, "contact_address" text null, "contact_email" text null, "contact_phone" text null, "contact_website" text null, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`alter table "association" add constraint "association_code_unique" unique ("code");`);
    this.addSql(`create index "association_fields_gin_idx" on "association" using gin ("fields");`);
    this.addSql(`create index "association_federation_name_vi_idx" on "association" ("federation_id", "name" collate "vi-x-icu", "id");`);
    this.addSql(`create index "association_name_vi_idx" on "association" ("name" collate "vi-x-icu", "id");`);

    this.addSql(`create table "intellectual" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "full_name" text not null, "given_name" text not null, "gender" text check ("gender" in ('FEMALE', 'MALE', 'OTHER', 'UNDISCLOSED')) not null default 'UNDISCLOSED', "birth_date" date null, "email" text null, "phone" text null, "academic_title" text check ("academic_title" in ('GS', 'PGS', 'NONE')) not null default 'NONE', "highest_degree" text check ("highest_degree" in ('TSKH', 'TS', 'THS', 'CKII', 'CKI', 'BS', 'DS', 'KS', 'CN', 'OTHER')) null, "fields" text[] not null default '{}', "workplace" text null, "position" text null, "public_profile" boolean not null default false, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "intellectual_title_sort_idx" on "intellectual" ("academic_title", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id");`);
    this.addSql(`create index "intellectual_degree_sort_idx" on "intellectual" ("highest_degree", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id");`);
    this.addSql(`create index "intellectual_fields_gin_idx" on "intellectual" using gin ("fields");`);
    this.addSql(`create index "intellectual_sort_vi_idx" on "intellectual" ("given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id");`);

    this.addSql(`create table "membership" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "intellectual_id" int not null, "association_id" int not null, "external_id" text not null, "member_number" text null, "joined_on" date null, "left_on" date null, "status" text check ("status" in ('ACTIVE', 'LAPSED', 'ENDED')) not null default 'ACTIVE', "role" text check ("role" in ('MEMBER', 'EXECUTIVE', 'PRESIDENT', 'VICE_PRESIDENT', 'SECRETARY_GENERAL', 'HONORARY')) not null default 'MEMBER', "given_name" text not null, "full_name" text not null);`);
    this.addSql(`create index "membership_intellectual_id_index" on "membership" ("intellectual_id");`);
    this.addSql(`create index "membership_association_id_idx" on "membership" ("association_id", "id");`);
    this.addSql(`create index "membership_association_sort_vi_idx" on "membership" ("association_id", "given_name" collate "vi-x-icu", "full_name" collate "vi-x-icu", "id");`);
    this.addSql(`alter table "membership" add constraint "membership_association_external_id_key" unique ("association_id", "external_id");`);

    this.addSql(`alter table "federation" add constraint "federation_parent_id_foreign" foreign key ("parent_id") references "federation" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "federation" add constraint "federation_successor_id_foreign" foreign key ("successor_id") references "federation" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "association" add constraint "association_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);

    this.addSql(`alter table "membership" add constraint "membership_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade;`);
  }

}
