import { Migration } from '@mikro-orm/migrations';

/** Keys, the audit log, idempotency records, and why a membership ended. */
export class Migration20261128014000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "at" timestamptz not null default now(), "key_id" int null, "key_label" text null, "association_code" text null, "entity_type" text not null, "entity_id" int not null, "action" text not null, "changes" jsonb not null, "request_id" text null);`);
    this.addSql(`create index "audit_event_entity_type_idx" on "audit_event" ("entity_type", "id");`);
    this.addSql(`create index "audit_event_association_idx" on "audit_event" ("association_code", "id");`);
    this.addSql(`create index "audit_event_at_idx" on "audit_event" ("at", "id");`);

    this.addSql(`create table "api_key" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "hash" text not null, "prefix" text not null, "label" text not null, "role" text check ("role" in ('ADMIN', 'ANALYST', 'ASSOCIATION')) not null, "association_id" int null, "last_used_at" timestamptz null, "revoked_at" timestamptz null);`);
    this.addSql(`alter table "api_key" add constraint "api_key_hash_unique" unique ("hash");`);
    this.addSql(`create index "api_key_association_idx" on "api_key" ("association_id");`);

    this.addSql(`create table "idempotency_record" ("key_id" int not null, "idempotency_key" text not null, "operation" text not null, "request_hash" text not null, "response" jsonb null, "created_at" timestamptz not null default now(), constraint "idempotency_record_pkey" primary key ("key_id", "idempotency_key"));`);
    this.addSql(`create index "idempotency_record_created_at_idx" on "idempotency_record" ("created_at");`);

    this.addSql(`alter table "api_key" add constraint "api_key_association_id_foreign" foreign key ("association_id") references "association" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "membership" add column "end_reason" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop table if exists "idempotency_record" cascade;`);

    this.addSql(`alter table "membership" drop column "end_reason";`);
  }

}
