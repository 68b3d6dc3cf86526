import { Migration } from '@mikro-orm/migrations';

/**
 * Every membership keeps a copy of its member's given and full name (members page in Vietnamese
 * order from one index). The database keeps that copy, whichever path writes: a new membership
 * takes the names of its person, and renaming people renames their memberships (one statement
 * per UPDATE of people, however many rows it changes).
 */
export class Migration20261202010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function membership_copy_name() returns trigger language plpgsql as $$
begin
  select i.given_name, i.full_name into new.given_name, new.full_name from intellectual i where i.id = new.intellectual_id;
  return new;
end $$;`);
    this.addSql(`create trigger membership_copy_name before insert or update of intellectual_id on membership
  for each row execute function membership_copy_name();`);
    this.addSql(`create or replace function intellectual_renamed() returns trigger language plpgsql as $$
begin
  update membership m set given_name = n.given_name, full_name = n.full_name, updated_at = now()
  from new_rows n join old_rows o on o.id = n.id
  where m.intellectual_id = n.id and (n.full_name is distinct from o.full_name or n.given_name is distinct from o.given_name);
  return null;
end $$;`);
    this.addSql(`create trigger intellectual_renamed after update on intellectual
  referencing old table as old_rows new table as new_rows
  for each statement execute function intellectual_renamed();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists intellectual_renamed on intellectual;`);
    this.addSql(`drop function if exists intellectual_renamed();`);
    this.addSql(`drop trigger if exists membership_copy_name on membership;`);
    this.addSql(`drop function if exists membership_copy_name();`);
  }
}
