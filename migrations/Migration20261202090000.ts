import { Migration } from '@mikro-orm/migrations';

/**
 * Every change to an API key that a hub's key cache could hide (revoked, deleted, its role,
 * association, label or hash changed) notifies channel `api_key_changed` with the key's id, at
 * the commit; each hub LISTENs there and evicts that key (src/modules/key/key-cache.ts). Updates
 * of last_used_at alone notify nothing. TRUNCATE fires no row trigger: a statement trigger before
 * it notifies every key that it is about to remove.
 */
export class Migration20261202090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "api_key_notify_change"() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    perform pg_notify('api_key_changed', id::text) from api_key;
  else
    perform pg_notify('api_key_changed', old.id::text);
  end if;
  return null;
end
$$;`);
    this.addSql(`create trigger "api_key_changed_update" after update of revoked_at, role, association_id, hash, label, id on "api_key" for each row
when (old.revoked_at is distinct from new.revoked_at or old.role is distinct from new.role or old.association_id is distinct from new.association_id
      or old.hash is distinct from new.hash or old.label is distinct from new.label or old.id is distinct from new.id)
execute function "api_key_notify_change"();`);
    this.addSql(`create trigger "api_key_changed_delete" after delete on "api_key" for each row execute function "api_key_notify_change"();`);
    this.addSql(`create trigger "api_key_changed_truncate" before truncate on "api_key" for each statement execute function "api_key_notify_change"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "api_key_changed_truncate" on "api_key";`);
    this.addSql(`drop trigger if exists "api_key_changed_delete" on "api_key";`);
    this.addSql(`drop trigger if exists "api_key_changed_update" on "api_key";`);
    this.addSql(`drop function if exists "api_key_notify_change"();`);
  }
}
