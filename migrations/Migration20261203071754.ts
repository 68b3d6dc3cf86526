import { Migration } from '@mikro-orm/migrations';

export class Migration20261203071754 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "change_event" ("id" bigserial primary key, "xid" xid8 not null default pg_current_xact_id(), "entity_type" text not null, "entity_id" int not null, "kind" text not null, "association_code" text null, "federation_code" text null, "key_id" int null, "key_label" text null, "at" timestamptz not null default now());`);
    this.addSql(`create index "change_event_at_idx" on "change_event" ("at");`);
    this.addSql(`create index "change_event_type_idx" on "change_event" ("entity_type", "xid", "id");`);
    this.addSql(`create index "change_event_federation_idx" on "change_event" ("federation_code", "xid", "id");`);
    this.addSql(`create index "change_event_association_idx" on "change_event" ("association_code", "xid", "id");`);
    this.addSql(`create index "change_event_position_idx" on "change_event" ("xid", "id");`);

    this.addSql(`create table "change_feed_horizon" ("id" int not null, "xid" xid8 not null, "event_id" bigint not null, "purged_at" timestamptz not null default now(), constraint "change_feed_horizon_pkey" primary key ("id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "change_event" cascade;`);

    this.addSql(`drop table if exists "change_feed_horizon" cascade;`);
  }

}
