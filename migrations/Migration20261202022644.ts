import { Migration } from '@mikro-orm/migrations';

/**
 * The request id a caller sent (its X-Request-Id), kept beside the hub's own: `request_id` is now
 * always the UUID the hub gave the request, which the caller can neither choose nor reuse. Older
 * events keep what they had (the caller's id where it sent a valid one).
 */
export class Migration20261202022644 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "audit_event" add column "client_request_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_event" drop column "client_request_id";`);
  }
}
