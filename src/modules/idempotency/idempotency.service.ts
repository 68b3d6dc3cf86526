import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../common/logger';
import { knexOf, runQuery } from '../../common/sql';
import { startPurge } from '../../common/module';

export const IDEMPOTENCY_TTL_HOURS = 24;
/** How often a running hub purges expired records. */
export const IDEMPOTENCY_PURGE_EVERY_MS = 60 * 60 * 1000;

/** JSON with sorted keys and no undefined values: the same input always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const requestHash = (operation: string, input: unknown) => crypto.createHash('sha256').update(`${operation}\n${canonicalJson(input)}`).digest('hex');

export type Claim<R> = { kind: 'new' } | { kind: 'replay'; response: R } | { kind: 'reused' };

/**
 * Idempotency keys, per caller (API key), kept 24 hours. Claiming inserts the record inside the
 * caller's transaction: a concurrent request with the same key blocks on the unique index until
 * the first commits (then replays its response) or rolls back (then runs itself).
 */
export class IdempotencyService {
  constructor(private readonly em: EntityManager) {}

  /**
   * The stored response of a completed call with this key and this input, without claiming
   * anything: a replay must answer it even when the input, checked again, no longer passes (the
   * code it created exists now).
   */
  async storedResponse<R>(keyId: number, idempotencyKey: string, operation: string, input: unknown): Promise<R | null> {
    const [row] = await runQuery<{ response: R }>(
      this.em,
      knexOf(this.em).raw(
        `select response from idempotency_record where key_id = ? and idempotency_key = ? and request_hash = ? and response is not null
           and created_at >= now() - make_interval(hours => ?)`,
        [keyId, idempotencyKey, requestHash(operation, input), IDEMPOTENCY_TTL_HOURS],
      ),
    );
    return row ? row.response : null;
  }

  async claim<R>(keyId: number, idempotencyKey: string, operation: string, input: unknown): Promise<Claim<R>> {
    const knex = knexOf(this.em);
    const hash = requestHash(operation, input);
    await runQuery(
      this.em,
      knex.raw(`delete from idempotency_record where key_id = ? and idempotency_key = ? and created_at < now() - make_interval(hours => ?)`, [
        keyId,
        idempotencyKey,
        IDEMPOTENCY_TTL_HOURS,
      ]),
    );
    const inserted = await runQuery(
      this.em,
      knex.raw(
        `insert into idempotency_record (key_id, idempotency_key, operation, request_hash) values (?, ?, ?, ?)
         on conflict (key_id, idempotency_key) do nothing returning key_id`,
        [keyId, idempotencyKey, operation, hash],
      ),
    );
    if (inserted.length) return { kind: 'new' };
    const [row] = await runQuery<{ request_hash: string; response: R }>(
      this.em,
      knex('idempotency_record').select('request_hash', 'response').where({ key_id: keyId, idempotency_key: idempotencyKey }),
    );
    if (!row || row.request_hash !== hash || row.response === null) return { kind: 'reused' };
    return { kind: 'replay', response: row.response };
  }

  async complete(keyId: number, idempotencyKey: string, response: unknown): Promise<void> {
    await runQuery(
      this.em,
      knexOf(this.em)('idempotency_record').update({ response: JSON.stringify(response) }).where({ key_id: keyId, idempotency_key: idempotencyKey }),
    );
  }

  /**
   * Drops records older than 24 hours, a batch at a time (each may hold a 5,000-row response, so
   * one statement for all could hold locks and write WAL for long). Expired keys are also
   * ignored on claim, so this only frees space.
   */
  async purgeExpired(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await runQuery(
        this.em,
        knexOf(this.em).raw(
          `delete from idempotency_record where ctid = any(array(
             select ctid from idempotency_record where created_at < now() - make_interval(hours => ?) limit ?)) returning 1`,
          [IDEMPOTENCY_TTL_HOURS, batch],
        ),
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}

/** Purges expired records now, then every `everyMs`; returns the function that stops it. */
export function startIdempotencyPurge(em: EntityManager, logger: Logger, everyMs = IDEMPOTENCY_PURGE_EVERY_MS): () => void {
  return startPurge(logger, 'expired idempotency records', everyMs, () => new IdempotencyService(em.fork()).purgeExpired());
}
