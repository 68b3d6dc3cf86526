import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../../common/auth';
import { ErrorCode, HubError } from '../../common/errors';
import { pgArray } from '../../common/sql';
import { Association } from '../association/association.entity';
import { ApiKey } from './api-key.entity';

const KEY_PREFIX = 'fh_';
const BEARER_RE = /^Bearer ([A-Za-z0-9_-]{10,200})$/i; // the scheme is case-insensitive (RFC 7235)

export const hashKey = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest('hex');

export interface NewKey {
  id: number;
  key: string;
  label: string;
  role: Exclude<Role, 'PUBLIC'>;
  associationCode: string | null;
}

export interface KeyInfo {
  id: number;
  prefix: string;
  label: string;
  role: string;
  associationCode: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A key as the lookups read it. */
interface KeyRow {
  id: number;
  label: string;
  role: Role;
  association_id: number | null;
}

/** Who calls with the key of this row. */
const viewerOf = (row: KeyRow): Viewer => ({ role: row.role, keyId: row.id, keyLabel: row.label, associationId: row.association_id });

/** Creates, lists and revokes API keys, and finds the viewer of a presented key's hash (presentedKeyHash, then KeyCache). */
export class ApiKeyService {
  constructor(private readonly em: EntityManager) {}

  async create(opts: { role: Exclude<Role, 'PUBLIC'>; label: string; associationCode?: string | null }): Promise<NewKey> {
    const label = opts.label.trim();
    if (!label) throw new Error('A key needs a --label');
    if (label.length > 200) throw new Error('The label is longer than 200 characters');
    let association: Association | null = null;
    if (opts.role === 'ASSOCIATION') {
      if (!opts.associationCode) throw new Error('An ASSOCIATION key needs --association CODE');
      association = await this.em.findOne(Association, { code: opts.associationCode });
      if (!association) throw new Error(`No association has the code ${opts.associationCode}`);
    } else if (opts.associationCode) {
      throw new Error(`Only ASSOCIATION keys are bound to an association; drop --association for ${opts.role}`);
    }
    // 256 random bits; the key is shown once and only its hash is kept.
    const key = `${KEY_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const entity = this.em.create(ApiKey, { hash: hashKey(key), prefix: key.slice(0, 10), label, role: opts.role, association });
    await this.em.persistAndFlush(entity);
    return { id: entity.id, key, label, role: opts.role, associationCode: association?.code ?? null };
  }

  async list(): Promise<KeyInfo[]> {
    const keys = await this.em.find(ApiKey, {}, { orderBy: { id: 'asc' }, populate: ['association'] });
    return keys.map((k) => ({
      id: k.id,
      prefix: k.prefix,
      label: k.label,
      role: k.role,
      associationCode: k.association?.code ?? null,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt ?? null,
      revokedAt: k.revokedAt ?? null,
    }));
  }

  /** Revokes a key; false when no such key exists. Revoking twice keeps the first time. */
  async revoke(id: number): Promise<boolean> {
    const key = await this.em.findOne(ApiKey, { id });
    if (!key) return false;
    key.revokedAt ??= new Date();
    await this.em.flush();
    return true;
  }

  /**
   * The viewer of the key with this SHA-256 (`presentedKeyHash`); UNAUTHENTICATED for an unknown
   * or revoked key. One statement (a probe of the unique index on the hash), which also records
   * the last use at most once a minute.
   */
  async authenticateHash(hash: string): Promise<Viewer> {
    const conn = this.em.getConnection();
    const rows = await conn.execute<(KeyRow & { revoked: boolean })[]>(
      `with k as (select id, label, role, association_id, revoked_at is not null as revoked from api_key where hash = ?),
       touched as (
         update api_key set last_used_at = now()
         where id = (select id from k where not revoked) and (last_used_at is null or last_used_at < now() - interval '1 minute')
       )
       select id, label, role, association_id, revoked from k`,
      [hash],
    );
    const row = rows[0];
    // The caller is told the same for both (it learns nothing about which keys existed); the log line is not.
    if (!row) throw new KeyRefused('unknown key', null, 'Unknown or revoked API key');
    if (row.revoked) throw new KeyRefused('revoked key', row.id, 'Unknown or revoked API key');
    return viewerOf(row);
  }

  /**
   * The viewers of these keys as they are now (one statement), for connections that authenticated
   * earlier (WebSocket subscriptions): a key revoked or gone has none (absent from the map).
   */
  async currentViewers(ids: readonly number[]): Promise<Map<number, Viewer>> {
    if (!ids.length) return new Map();
    const rows = await this.em.getConnection().execute<KeyRow[]>(`select id, label, role, association_id from api_key where id = any(?::int[]) and revoked_at is null`, [
      pgArray(ids.map((id) => Math.trunc(id))),
    ]);
    return new Map(rows.map((r) => [r.id, viewerOf(r)]));
  }
}

/**
 * The SHA-256 of the key an Authorization header presents; null without a header (an anonymous
 * caller); UNAUTHENTICATED (a `KeyRefused`) for a malformed header, before any lookup.
 */
export function presentedKeyHash(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const m = BEARER_RE.exec(header.trim());
  if (!m) throw new KeyRefused('malformed Authorization header', null, 'The Authorization header must be "Bearer <key>"');
  return hashKey(m[1]);
}

/** A key refused at authentication (401): why, and which key when it is known, for the log line (never sent). */
export class KeyRefused extends HubError {
  constructor(
    readonly reason: 'malformed Authorization header' | 'unknown key' | 'revoked key',
    readonly keyId: number | null,
    message: string,
  ) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}
