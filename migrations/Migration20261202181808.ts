import { Migration } from '@mikro-orm/migrations';

export class Migration20261202181808 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "congress" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "federation_id" int not null, "ordinal" int not null, "name" text not null, "starts_on" date not null, "ends_on" date not null, "place" text null, "description" text null, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`alter table "congress" add constraint "congress_federation_ordinal_key" unique ("federation_id", "ordinal");`);

    this.addSql(`create table "association_federation_period" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "association_id" int not null, "federation_id" int not null, "from_on" date null, "to_on" date not null);`);
    this.addSql(`create index "association_federation_period_federation_idx" on "association_federation_period" ("federation_id", "to_on");`);
    this.addSql(`create index "association_federation_period_association_idx" on "association_federation_period" ("association_id", "to_on");`);

    this.addSql(`create table "congress_delegate" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "congress_id" int not null, "intellectual_id" int not null, "association_id" int null, "kind" text check ("kind" in ('ELECTED', 'EX_OFFICIO', 'INVITED')) not null);`);
    this.addSql(`create index "congress_delegate_association_idx" on "congress_delegate" ("congress_id", "association_id", "id");`);
    this.addSql(`create index "congress_delegate_intellectual_idx" on "congress_delegate" ("intellectual_id");`);
    this.addSql(`alter table "congress_delegate" add constraint "congress_delegate_person_key" unique ("congress_id", "intellectual_id");`);

    this.addSql(`create table "congress_resolution" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "congress_id" int not null, "position" int not null, "policy_document_id" int null, "title" text null, "url" text null, "adopted_on" date null);`);
    this.addSql(`create index "congress_resolution_document_idx" on "congress_resolution" ("policy_document_id") where "policy_document_id" is not null;`);
    this.addSql(`alter table "congress_resolution" add constraint "congress_resolution_position_key" unique ("congress_id", "position");`);

    this.addSql(`create table "term" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "federation_id" int not null, "congress_id" int null, "starts_on" date not null, "ends_on" date not null, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "term_federation_idx" on "term" ("federation_id", "starts_on", "id");`);
    this.addSql(`alter table "term" add constraint "term_congress_key" unique ("congress_id");`);

    this.addSql(`create table "governing_body" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "term_id" int not null, "kind" text check ("kind" in ('EXECUTIVE_COMMITTEE', 'STANDING_COMMITTEE', 'STANDING_BOARD', 'INSPECTION_COMMITTEE')) not null);`);
    this.addSql(`alter table "governing_body" add constraint "governing_body_term_kind_key" unique ("term_id", "kind");`);

    this.addSql(`create table "seat" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "body_id" int not null, "term_id" int not null, "federation_id" int not null, "intellectual_id" int not null, "office" text check ("office" in ('PRESIDENT', 'VICE_PRESIDENT', 'SECRETARY_GENERAL', 'CHIEF_OF_OFFICE', 'INSPECTION_CHAIR', 'MEMBER')) not null, "association_id" int null, "filled_by" text check ("filled_by" in ('ELECTED_BY_CONGRESS', 'ELECTED_BY_BODY', 'APPOINTED')) not null, "elected_by_id" int null, "decision_number" text null, "decision_date" date null, "decision_issuer" text null, "decision_title" text null, "starts_on" date not null, "ends_on" date null, "end_reason" text check ("end_reason" in ('TERM_ENDED', 'RESIGNED', 'REPLACED', 'RETIRED', 'DECEASED', 'DISMISSED', 'FEDERATION_MERGED', 'OTHER')) null, "end_note" text null, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "seat_association_idx" on "seat" ("association_id") where "association_id" is not null;`);
    this.addSql(`create index "seat_intellectual_idx" on "seat" ("intellectual_id", "starts_on", "id");`);
    this.addSql(`create index "seat_term_person_idx" on "seat" ("term_id", "intellectual_id");`);
    this.addSql(`create index "seat_federation_office_idx" on "seat" ("federation_id", "office", "starts_on");`);
    this.addSql(`create index "seat_body_idx" on "seat" ("body_id", "starts_on", "id");`);

    this.addSql(`alter table "congress" add constraint "congress_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);

    this.addSql(`alter table "association_federation_period" add constraint "association_federation_period_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade;`);
    this.addSql(`alter table "association_federation_period" add constraint "association_federation_period_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);

    this.addSql(`alter table "congress_delegate" add constraint "congress_delegate_congress_id_foreign" foreign key ("congress_id") references "congress" ("id") on update cascade;`);
    this.addSql(`alter table "congress_delegate" add constraint "congress_delegate_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);
    this.addSql(`alter table "congress_delegate" add constraint "congress_delegate_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "congress_resolution" add constraint "congress_resolution_congress_id_foreign" foreign key ("congress_id") references "congress" ("id") on update cascade;`);
    this.addSql(`alter table "congress_resolution" add constraint "congress_resolution_policy_document_id_foreign" foreign key ("policy_document_id") references "policy_document" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "term" add constraint "term_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);
    this.addSql(`alter table "term" add constraint "term_congress_id_foreign" foreign key ("congress_id") references "congress" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "governing_body" add constraint "governing_body_term_id_foreign" foreign key ("term_id") references "term" ("id") on update cascade;`);

    this.addSql(`alter table "seat" add constraint "seat_body_id_foreign" foreign key ("body_id") references "governing_body" ("id") on update cascade;`);
    this.addSql(`alter table "seat" add constraint "seat_term_id_foreign" foreign key ("term_id") references "term" ("id") on update cascade;`);
    this.addSql(`alter table "seat" add constraint "seat_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);
    this.addSql(`alter table "seat" add constraint "seat_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);
    this.addSql(`alter table "seat" add constraint "seat_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "seat" add constraint "seat_elected_by_id_foreign" foreign key ("elected_by_id") references "governing_body" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "federation" add column "status_decision_number" text null, add column "status_decision_date" date null, add column "status_decision_issuer" text null, add column "status_decision_title" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "congress_delegate" drop constraint "congress_delegate_congress_id_foreign";`);

    this.addSql(`alter table "congress_resolution" drop constraint "congress_resolution_congress_id_foreign";`);

    this.addSql(`alter table "term" drop constraint "term_congress_id_foreign";`);

    this.addSql(`alter table "governing_body" drop constraint "governing_body_term_id_foreign";`);

    this.addSql(`alter table "seat" drop constraint "seat_term_id_foreign";`);

    this.addSql(`alter table "seat" drop constraint "seat_body_id_foreign";`);

    this.addSql(`alter table "seat" drop constraint "seat_elected_by_id_foreign";`);

    this.addSql(`drop table if exists "congress" cascade;`);

    this.addSql(`drop table if exists "association_federation_period" cascade;`);

    this.addSql(`drop table if exists "congress_delegate" cascade;`);

    this.addSql(`drop table if exists "congress_resolution" cascade;`);

    this.addSql(`drop table if exists "term" cascade;`);

    this.addSql(`drop table if exists "governing_body" cascade;`);

    this.addSql(`drop table if exists "seat" cascade;`);

    this.addSql(`alter table "federation" drop column "status_decision_number", drop column "status_decision_date", drop column "status_decision_issuer", drop column "status_decision_title";`);
  }

}
