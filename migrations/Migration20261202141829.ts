import { Migration } from '@mikro-orm/migrations';

/**
 * Policy feedback forums (src/modules/forum): forums on a policy document, threads, posts (with
 * replies, revisions and reactions), the federation's synthesis with its recommendations and the
 * posts they cite; consultation recommendations remember the forum they were copied from.
 */
export class Migration20261202141829 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "forum" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "federation_id" int not null, "title" text not null, "description" text null, "search_text" text generated always as (f_fold(title || ' ' || coalesce(description, ''))) stored null, "document_id" int not null, "consultation_request_id" int null, "opens_at" timestamptz not null, "closes_at" timestamptz not null, "closed_at" timestamptz null, "archived_at" timestamptz null, "visibility" text check ("visibility" in ('PUBLIC', 'MEMBERS_ONLY')) not null, "tags" text[] not null default '{}', "version" int not null default 1, "demo" boolean not null default false, "last_activity_at" timestamptz null, "post_count" int not null default 0, "thread_count" int not null default 0);`);
    this.addSql(`create index "forum_search_trgm_idx" on "forum" using gin ("search_text" gin_trgm_ops);`);
    this.addSql(`create index "forum_tags_gin_idx" on "forum" using gin ("tags");`);
    this.addSql(`create index "forum_document_idx" on "forum" ("document_id");`);
    this.addSql(`create index "forum_request_idx" on "forum" ("consultation_request_id") where "consultation_request_id" is not null;`);
    this.addSql(`create index "forum_federation_idx" on "forum" ("federation_id", "opens_at" desc, "id" desc);`);
    this.addSql(`create index "forum_activity_idx" on "forum" ("last_activity_at" desc nulls last, "id" desc);`);
    this.addSql(`create index "forum_closes_idx" on "forum" ("closes_at", "id");`);
    this.addSql(`create index "forum_opens_idx" on "forum" ("opens_at" desc, "id" desc);`);

    this.addSql(`create table "forum_synthesis" ("id" serial primary key, "forum_id" int not null, "summary" text not null, "published_at" timestamptz not null, "attached_at" timestamptz null, "version" int not null default 1);`);
    this.addSql(`alter table "forum_synthesis" add constraint "forum_synthesis_forum_key" unique ("forum_id");`);

    this.addSql(`create table "forum_thread" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "forum_id" int not null, "title" text not null, "search_text" text generated always as (f_fold(title)) stored null, "section_id" int null, "author_id" int null, "by_federation" boolean not null default false, "association_id" int null, "locked" boolean not null default false, "locked_at" timestamptz null, "last_activity_at" timestamptz not null default now(), "post_count" int not null default 0, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "forum_thread_search_trgm_idx" on "forum_thread" using gin ("search_text" gin_trgm_ops);`);
    this.addSql(`create index "forum_thread_section_idx" on "forum_thread" ("section_id") where "section_id" is not null;`);
    this.addSql(`create index "forum_thread_created_idx" on "forum_thread" ("forum_id", "id");`);
    this.addSql(`create index "forum_thread_posts_idx" on "forum_thread" ("forum_id", "post_count" desc, "id" desc);`);
    this.addSql(`create index "forum_thread_activity_idx" on "forum_thread" ("forum_id", "last_activity_at" desc, "id" desc);`);

    this.addSql(`create table "forum_synthesis_recommendation" ("id" serial primary key, "synthesis_id" int not null, "number" int not null, "text" text not null, "section_id" int null);`);
    this.addSql(`alter table "forum_synthesis_recommendation" add constraint "forum_synthesis_recommendation_number_key" unique ("synthesis_id", "number");`);

    this.addSql(`create table "forum_post" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "thread_id" int not null, "forum_id" int not null, "parent_id" int null, "author_id" int null, "by_federation" boolean not null default false, "association_id" int null, "body" text not null, "search_text" text generated always as (f_fold(body)) stored null, "stance" text check ("stance" in ('AGREE', 'AGREE_WITH_CHANGES', 'DISAGREE')) null, "section_id" int null, "edited_at" timestamptz null, "hidden_at" timestamptz null, "hidden_reason" text null, "reply_count" int not null default 0, "support_count" int not null default 0, "oppose_count" int not null default 0, "version" int not null default 1, "demo" boolean not null default false);`);
    this.addSql(`create index "forum_post_search_trgm_idx" on "forum_post" using gin ("search_text" gin_trgm_ops);`);
    this.addSql(`create index "forum_post_section_idx" on "forum_post" ("section_id", "id") where "section_id" is not null;`);
    this.addSql(`create index "forum_post_author_idx" on "forum_post" ("author_id", "id") where "author_id" is not null;`);
    this.addSql(`create index "forum_post_association_idx" on "forum_post" ("association_id", "id");`);
    this.addSql(`create index "forum_post_forum_idx" on "forum_post" ("forum_id", "id");`);
    this.addSql(`create index "forum_post_parent_idx" on "forum_post" ("parent_id", "id") where "parent_id" is not null;`);
    this.addSql(`create index "forum_post_thread_idx" on "forum_post" ("thread_id", "id");`);
    this.addSql(`create index "forum_post_thread_top_idx" on "forum_post" ("thread_id", "id") where "parent_id" is null;`);

    this.addSql(`create table "forum_synthesis_citation" ("id" serial primary key, "recommendation_id" int not null, "post_id" int not null);`);
    this.addSql(`alter table "forum_synthesis_citation" add constraint "forum_synthesis_citation_key" unique ("recommendation_id", "post_id");`);

    this.addSql(`create table "forum_reaction" ("id" serial primary key, "post_id" int not null, "intellectual_id" int not null, "association_id" int null, "kind" text check ("kind" in ('SUPPORT', 'OPPOSE')) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "forum_reaction_person_idx" on "forum_reaction" ("intellectual_id");`);
    this.addSql(`alter table "forum_reaction" add constraint "forum_reaction_key" unique ("post_id", "intellectual_id");`);

    this.addSql(`create table "forum_post_revision" ("id" serial primary key, "post_id" int not null, "revision" int not null, "body" text not null, "stance" text check ("stance" in ('AGREE', 'AGREE_WITH_CHANGES', 'DISAGREE')) null, "written_at" timestamptz not null);`);
    this.addSql(`alter table "forum_post_revision" add constraint "forum_post_revision_key" unique ("post_id", "revision");`);

    this.addSql(`alter table "forum" add constraint "forum_federation_id_foreign" foreign key ("federation_id") references "federation" ("id") on update cascade;`);
    this.addSql(`alter table "forum" add constraint "forum_document_id_foreign" foreign key ("document_id") references "policy_document" ("id") on update cascade;`);
    this.addSql(`alter table "forum" add constraint "forum_consultation_request_id_foreign" foreign key ("consultation_request_id") references "consultation_request" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "forum_synthesis" add constraint "forum_synthesis_forum_id_foreign" foreign key ("forum_id") references "forum" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "forum_thread" add constraint "forum_thread_forum_id_foreign" foreign key ("forum_id") references "forum" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_thread" add constraint "forum_thread_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "forum_thread" add constraint "forum_thread_author_id_foreign" foreign key ("author_id") references "intellectual" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "forum_thread" add constraint "forum_thread_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "forum_synthesis_recommendation" add constraint "forum_synthesis_recommendation_synthesis_id_foreign" foreign key ("synthesis_id") references "forum_synthesis" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_synthesis_recommendation" add constraint "forum_synthesis_recommendation_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "forum_post" add constraint "forum_post_thread_id_foreign" foreign key ("thread_id") references "forum_thread" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_post" add constraint "forum_post_forum_id_foreign" foreign key ("forum_id") references "forum" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_post" add constraint "forum_post_parent_id_foreign" foreign key ("parent_id") references "forum_post" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_post" add constraint "forum_post_author_id_foreign" foreign key ("author_id") references "intellectual" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "forum_post" add constraint "forum_post_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "forum_post" add constraint "forum_post_section_id_foreign" foreign key ("section_id") references "policy_document_section" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "forum_synthesis_citation" add constraint "forum_synthesis_citation_recommendation_id_foreign" foreign key ("recommendation_id") references "forum_synthesis_recommendation" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_synthesis_citation" add constraint "forum_synthesis_citation_post_id_foreign" foreign key ("post_id") references "forum_post" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "forum_reaction" add constraint "forum_reaction_post_id_foreign" foreign key ("post_id") references "forum_post" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "forum_reaction" add constraint "forum_reaction_intellectual_id_foreign" foreign key ("intellectual_id") references "intellectual" ("id") on update cascade;`);
    this.addSql(`alter table "forum_reaction" add constraint "forum_reaction_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "forum_post_revision" add constraint "forum_post_revision_post_id_foreign" foreign key ("post_id") references "forum_post" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "consultation_recommendation" add column "source_forum_id" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "forum_synthesis" drop constraint "forum_synthesis_forum_id_foreign";`);

    this.addSql(`alter table "forum_thread" drop constraint "forum_thread_forum_id_foreign";`);

    this.addSql(`alter table "forum_post" drop constraint "forum_post_forum_id_foreign";`);

    this.addSql(`alter table "forum_synthesis_recommendation" drop constraint "forum_synthesis_recommendation_synthesis_id_foreign";`);

    this.addSql(`alter table "forum_post" drop constraint "forum_post_thread_id_foreign";`);

    this.addSql(`alter table "forum_synthesis_citation" drop constraint "forum_synthesis_citation_recommendation_id_foreign";`);

    this.addSql(`alter table "forum_post" drop constraint "forum_post_parent_id_foreign";`);

    this.addSql(`alter table "forum_synthesis_citation" drop constraint "forum_synthesis_citation_post_id_foreign";`);

    this.addSql(`alter table "forum_reaction" drop constraint "forum_reaction_post_id_foreign";`);

    this.addSql(`alter table "forum_post_revision" drop constraint "forum_post_revision_post_id_foreign";`);

    this.addSql(`drop table if exists "forum" cascade;`);

    this.addSql(`drop table if exists "forum_synthesis" cascade;`);

    this.addSql(`drop table if exists "forum_thread" cascade;`);

    this.addSql(`drop table if exists "forum_synthesis_recommendation" cascade;`);

    this.addSql(`drop table if exists "forum_post" cascade;`);

    this.addSql(`drop table if exists "forum_synthesis_citation" cascade;`);

    this.addSql(`drop table if exists "forum_reaction" cascade;`);

    this.addSql(`drop table if exists "forum_post_revision" cascade;`);

    this.addSql(`alter table "consultation_recommendation" drop column "source_forum_id";`);
  }

}
