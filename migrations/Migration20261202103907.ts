import { Migration } from '@mikro-orm/migrations';

/**
 * Consultation, social critique and social assessment (src/modules/consultation): requests, the
 * documents under review (shared with forums) and their sections, assignments, panels, conflicts of
 * interest, opinions and their revisions, reports, recommendations and the lifecycle history.
 */
export class Migration20261202103907 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "consultation_request" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "federation_id" int not null, "kind" text check ("kind" in ('CONSULTATION', 'SOCIAL_CRITIQUE', 'SOCIAL_ASSESSMENT')) not null, "subject_kind" text check ("subject_kind" in ('POLICY', 'PROGRAMME', 'PROJECT', 'PLAN', 'LEGAL_DOCUMENT', 'OTHER')) not null, "title" text not null, "summary" text null, "search_text" text generated always as (f_fold(title || ' ' || coalesce(summary, ''))) stored null, "origin" text check ("origin" in ('REQUESTED', 'SELF_INITIATED')) not null, "agency_name" text not null, "agency_level" text check ("agency_level" in ('PARTY_COMMITTEE', 'PEOPLES_COUNCIL', 'PEOPLES_COMMITTEE', 'DEPARTMENT', 'COMMUNE', 'ENTERPRISE', 'OTHER')) not null, "agency_contact" text null, "request_document_number" text null, "request_document_date" date null, "request_document_issuer" text null, "request_document_title" text null, "format" text check ("format" in ('COUNCIL', 'WORKSHOP', 'WRITTEN_OPINIONS')) not null, "received_on" date not null, "due_on" date null, "visibility" text check ("visibility" in ('PUBLIC', 'CONFIDENTIAL')) not null, "status" text check ("status" in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'DECLINED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED', 'WITHDRAWN')) not null, "fields" text[] not null default '{}', "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "consultation_request_fields_gin_idx" on "consultation_request" using gin ("fields");`);
    this.addSql(`create index "consultation_request_open_due_idx" on "consultation_request" ("due_on", "id") where "status" in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW');`);
    this.addSql(`create index "consultation_request_federation_idx" on "consultation_request" ("federation_id", "received_on" desc, "id" desc);`);
    this.addSql(`create index "consultation_request_federation_due_idx" on "consultation_request" ("federation_id", coalesce("due_on", 'infinity'::date), "id");`);
    this.addSql(`create index "consultation_request_agency_level_idx" on "consultation_request" ("agency_level", "received_on" desc, "id" desc);`);
    this.addSql(`create index "consultation_request_origin_idx" on "consultation_request" ("origin", "received_on" desc, "id" desc);`);
    this.addSql(`create index "consultation_request_kind_idx" on "consultation_request" ("kind", "received_on" desc, "id" desc);`);
    this.addSql(`create index "consultation_request_status_idx" on "consultation_request" ("status", "received_on" desc, "id" desc);`);
    this.addSql(`create index "consultation_request_search_trgm_idx" on "consultation_request" using gin ("search_text" gin_trgm_ops);`);
    this.addSql(`create index "consultation_request_title_vi_idx" on "consultation_request" ("title" collate "vi-x-icu", "id");`);
    this.addSql(`create index "consultation_request_due_idx" on "consultation_request" (coalesce("due_on", 'infinity'::date), "id");`);
    this.addSql(`create index "consultation_request_received_idx" on "consultation_request" ("received_on" desc, "id" desc);`);

    this.addSql(`create table "consultation_transition" ("id" serial primary key, "request_id" int not null, "from" text check ("from" in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'DECLINED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED', 'WITHDRAWN')) null, "to" text check ("to" in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'DECLINED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED', 'WITHDRAWN')) not null, "note" text null, "at" timestamptz not null default now(), "key_id" int null, "by" text null);`);
    this.addSql(`create index "consultation_transition_request_idx" on "consultation_transition" ("request_id", "id");`);

    this.addSql(`create table "consultation_report" ("id" serial primary key, "request_id" int not null, "summary" text not null, "submitted_on" date null, "link" text null, "response_received_on" date null, "response_overall" text check ("response_overall" in ('ACCEPTED', 'PARTIALLY_ACCEPTED', 'NOT_ACCEPTED')) null, "response_note" text null);`);
    this.addSql(`alter table "consultation_report" add constraint "consultation_report_request_key" unique ("request_id");`);

    this.addSql(`create table "consultation_assignment" ("id" serial primary key, "request_id" int not null, "association_id" int not null, "role" text check ("role" in ('LEAD', 'CONTRIBUTOR')) not null);`);
    this.addSql(`create index "consultation_assignment_association_idx" on "consultation_assignment" ("association_id", "request_id");`);
    this.addSql(`create unique index "consultation_assignment_lead_key" on "consultation_assignment" ("request_id") where "role" = 'LEAD';`);
    this.addSql(`alter table "consultation_assignment" add constraint "consultation_assignment_key" unique ("request_id", "association_id");`);

    this.addSql(`create table "consultation_conflict" ("id" serial primary key, "request_id" int not null, "intellectual_id" int not null, "note" text not null, "declared_at" timestamptz not null default now());`);
    this.addSql(`create index "consultation_conflict_intellectual_idx" on "consultation_conflict" ("intellectual_id");`);
    this.addSql(`alter table "consultation_conflict" add constraint "consultation_conflict_key" unique ("request_id", "intellectual_id");`);

    this.addSql(`create table "consultation_panel_member" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "request_id" int not null, "intellectual_id" int not null, "role" text check ("role" in ('CHAIR', 'SECRETARY', 'MEMBER')) not null);`);
    this.addSql(`create index "consultation_panel_member_intellectual_idx" on "consultation_panel_member" ("intellectual_id", "id");`);
    this.addSql(`create unique index "consultation_panel_member_chair_key" on "consultation_panel_member" ("request_id") where "role" = 'CHAIR';`);
    this.addSql(`alter table "consultation_panel_member" add constraint "consultation_panel_member_key" unique ("request_id", "intellectual_id");`);

    this.addSql(`create table "policy_document" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "title" text not null, "link" text null, "version_label" text null, "issued_on" date null, "demo" boolean not null default false);`);

    this.addSql(`create table "consultation_request_document" ("id" serial primary key, "request_id" int not null, "document_id" int not null, "position" int not null);`);
    this.addSql(`create index "consultation_request_document_document_idx" on "consultation_request_document" ("document_id");`);
    this.addSql(`alter table "consultation_request_document" add constraint "consultation_request_document_key" unique ("request_id", "document_id");`);

    this.addSql(`create table "policy_document_section" ("id" serial primary key, "document_id" int not null, "number" text not null, "heading" text null, "text" text not null, "position" int not null);`);
    this.addSql(`create index "policy_document_section_position_idx" on "policy_document_section" ("document_id", "position");`);
    this.addSql(`alter table "policy_document_section" add constraint "policy_document_section_number_key" unique ("document_id", "number");`);

    this.addSql(`create table "consultation_opinion" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "request_id" int not null, "association_id" int null, "intellectual_id" int null, "stance" text check ("stance" in ('SUPPORT', 'SUPPORT_WITH_CHANGES', 'OPPOSE', 'NO_OPINION')) not null, "text" text not null, "section_id" int null, "version" int not null default 1);`);
    this.addSql(`create index "consultation_opinion_association_idx" on "consultation_opinion" ("association_id", "id");`);
    this.addSql(`create index "consultation_opinion_request_idx" on "consultation_opinion" ("request_id", "id");`);
    this.addSql(`create unique index "consultation_opinion_author_key" on "consultation_opinion" ("request_id", "intellectual_id") where "intellectual_id" is not null;`);
    this.addSql(`create unique index "consultation_opinion_association_key" on "consultation_opinion" ("request_id", "association_id") where "intellectual_id" is null;`);

    this.addSql(`create table "consultation_opinion_revision" ("id" serial primary key, "opinion_id" int not null, "revision" int not null, "stance" text check ("stance" in ('SUPPORT', 'SUPPORT_WITH_CHANGES', 'OPPOSE', 'NO_OPINION')) not null, "text" text not null, "section_id" int null, "written_at" timestamptz not null);`);
    this.addSql(`alter table "consultation_opinion_revision" add constraint "consultation_opinion_revision_key" unique ("opinion_id", "revision");`);

    this.addSql(`create table "consultation_recommendation" ("id" serial primary key, "request_id" int not null, "number" int not null, "text" text not null, "section_id" int null, "outcome" text check ("outcome" in ('ACCEPTED', 'PARTIALLY_ACCEPTED', 'NOT_ACCEPTED')) null);`);
    this.addSql(`alter table "consultation_recommendation" add constraint "consultation_recommendation_number_key" unique ("request_id", "number");`);

    this.addSql(`alter table "consultation_request" add constraint "consultation_request_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);

    this.addSql(`alter table "consultation_transition" add constraint "consultation_transition_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "consultation_report" add constraint "consultation_report_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "consultation_assignment" add constraint "consultation_assignment_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_assignment" add constraint "consultation_assignment_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade;`);

    this.addSql(`alter table "consultation_conflict" add constraint "consultation_conflict_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_conflict" add constraint "consultation_conflict_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);

    this.addSql(`alter table "consultation_panel_member" add constraint "consultation_panel_member_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_panel_member" add constraint "consultation_panel_member_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);

    this.addSql(`alter table "consultation_request_document" add constraint "consultation_request_document_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_request_document" add constraint "consultation_request_document_document_id_foreign" foreign key ("document_id") references "policy_document" ("id") on update cascade;`);

    this.addSql(`alter table "policy_document_section" add constraint "policy_document_section_document_id_foreign" foreign key ("document_id") references "policy_document" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "consultation_opinion" add constraint "consultation_opinion_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_opinion" add constraint "consultation_opinion_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "consultation_opinion" add constraint "consultation_opinion_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "consultation_opinion" add constraint "consultation_opinion_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "consultation_opinion_revision" add constraint "consultation_opinion_revision_opinion_id_foreign" foreign key ("opinion_id") references "consultation_opinion" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_opinion_revision" add constraint "consultation_opinion_revision_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "consultation_recommendation" add constraint "consultation_recommendation_request_id_foreign" foreign key ("request_id") references "consultation_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "consultation_recommendation" add constraint "consultation_recommendation_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "consultation_transition" drop constraint "consultation_transition_request_id_foreign";`);

    this.addSql(`alter table "consultation_report" drop constraint "consultation_report_request_id_foreign";`);

    this.addSql(`alter table "consultation_assignment" drop constraint "consultation_assignment_request_id_foreign";`);

    this.addSql(`alter table "consultation_conflict" drop constraint "consultation_conflict_request_id_foreign";`);

    this.addSql(`alter table "consultation_panel_member" drop constraint "consultation_panel_member_request_id_foreign";`);

    this.addSql(`alter table "consultation_request_document" drop constraint "consultation_request_document_request_id_foreign";`);

    this.addSql(`alter table "consultation_opinion" drop constraint "consultation_opinion_request_id_foreign";`);

    this.addSql(`alter table "consultation_recommendation" drop constraint "consultation_recommendation_request_id_foreign";`);

    this.addSql(`alter table "consultation_request_document" drop constraint "consultation_request_document_document_id_foreign";`);

    this.addSql(`alter table "policy_document_section" drop constraint "policy_document_section_document_id_foreign";`);

    this.addSql(`alter table "consultation_opinion" drop constraint "consultation_opinion_section_id_foreign";`);

    this.addSql(`alter table "consultation_opinion_revision" drop constraint "consultation_opinion_revision_section_id_foreign";`);

    this.addSql(`alter table "consultation_recommendation" drop constraint "consultation_recommendation_section_id_foreign";`);

    this.addSql(`alter table "consultation_opinion_revision" drop constraint "consultation_opinion_revision_opinion_id_foreign";`);

    this.addSql(`drop table if exists "consultation_request" cascade;`);

    this.addSql(`drop table if exists "consultation_transition" cascade;`);

    this.addSql(`drop table if exists "consultation_report" cascade;`);

    this.addSql(`drop table if exists "consultation_assignment" cascade;`);

    this.addSql(`drop table if exists "consultation_conflict" cascade;`);

    this.addSql(`drop table if exists "consultation_panel_member" cascade;`);

    this.addSql(`drop table if exists "policy_document" cascade;`);

    this.addSql(`drop table if exists "consultation_request_document" cascade;`);

    this.addSql(`drop table if exists "policy_document_section" cascade;`);

    this.addSql(`drop table if exists "consultation_opinion" cascade;`);

    this.addSql(`drop table if exists "consultation_opinion_revision" cascade;`);

    this.addSql(`drop table if exists "consultation_recommendation" cascade;`);
  }

}
