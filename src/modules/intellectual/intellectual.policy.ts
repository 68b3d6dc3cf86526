import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { knexOf, runQuery } from '../../common/sql';
import { actsFor, Viewer } from '../../common/auth';
import { EntityPolicy, GRANTS_COLUMN } from '../../common/policy';
import { MembershipStatus } from './intellectual.enums';
import { Intellectual } from './intellectual.entity';
import { Membership } from './membership.entity';

/** SQL: the person whose id is `personId` (an SQL expression) is a current (not ended) member of the association. */
export function currentMemberOf(personId: string, associationId: number | null): [string, Knex.RawBinding[]] {
  return [`exists (select 1 from membership cur where cur.intellectual_id = ${personId} and cur.association_id = ? and cur.status <> ?)`, [associationId, MembershipStatus.ENDED]];
}

/** The person is a current (not ended) member of the association (currentMemberOf, asked once). */
export async function isCurrentMember(em: EntityManager, intellectualId: number, associationId: number): Promise<boolean> {
  const [cond, b] = currentMemberOf('?::int', associationId);
  const [row] = await runQuery<{ ok: boolean }>(em, knexOf(em).raw(`select ${cond} as ok`, [intellectualId, ...b]));
  return row.ok;
}

/**
 * People's names: callers with a key (any role) see every name; the public only the names of
 * people with a public profile. Others appear by what they stand for ("Member of <association>"
 * on forums, "Representative of <association>" on governing bodies): see standInName.
 */
export function seesPersonName(viewer: Viewer, publicProfile: boolean): boolean {
  return viewer.role !== 'PUBLIC' || publicProfile;
}

/** How an association is named where a person's name is not shown: its short name, else its name. */
export function associationLabel(a: { shortName?: string | null; name: string }): string {
  return a.shortName || a.name;
}

/** What names and consent a name shown for a person needs, whatever the viewer may see of them (never personal data). */
export interface PersonName {
  id: number;
  fullName: string;
  publicProfile: boolean;
}

/**
 * People. Reading:
 * - ADMIN and ANALYST see everyone;
 * - an ASSOCIATION key sees public profiles and the current (not ended) members of its association:
 *   once a membership has ended, the association sees no more of the person than the public does;
 * - the public sees public profiles only.
 * Personal data (e-mail, phone, birth date): ADMIN, and the keys of the associations the person
 * currently belongs to (an ended membership no longer counts); nobody else.
 */
export const IntellectualPolicy: EntityPolicy<Intellectual> & {
  /** SQL: true where the viewer may see the personal data of the person `alias`. */
  personalData(viewer: Viewer, knex: Knex, alias: string): Knex.Raw;
  /** The columns a read of people selects: the row, and the personal-data grant (common/policy.ts GRANTS). */
  columns(viewer: Viewer, knex: Knex, alias: string): (string | Knex.Raw)[];
} = {
  visible(viewer, q, alias) {
    switch (viewer.role) {
      case 'ADMIN':
      case 'ANALYST':
        return q;
      case 'ASSOCIATION':
        return q.where((w) => w.where(`${alias}.public_profile`, true).orWhereRaw(...currentMemberOf(`${alias}.id`, viewer.associationId)));
      case 'PUBLIC':
        return q.where(`${alias}.public_profile`, true);
    }
  },
  personalData(viewer, knex, alias) {
    if (viewer.role === 'ADMIN') return knex.raw('true');
    if (viewer.role !== 'ASSOCIATION' || viewer.associationId === null) return knex.raw('false');
    return knex.raw(...currentMemberOf(`${alias}.id`, viewer.associationId));
  },
  columns(viewer, knex, alias) {
    const grant = IntellectualPolicy.personalData(viewer, knex, alias);
    const { sql, bindings } = grant.toSQL();
    return [`${alias}.*`, knex.raw(`(${sql}) as ${GRANTS_COLUMN}`, bindings as Knex.RawBinding[])];
  },
  /**
   * May the viewer change the person's own values whoever else they belong to? ADMIN only. An
   * association's key writes its members through their memberships (MembershipPolicy), and the
   * values of a person it shares with another association only as the member push allows.
   */
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/**
 * Memberships: ADMIN and ANALYST see all; others see the memberships of public profiles, and an
 * ASSOCIATION key also its own association's memberships of its current members (never another
 * association's records about a person who has no public profile). A visible membership's person
 * is always visible too. Written by ADMIN and the association's own key.
 */
export const MembershipPolicy: EntityPolicy<Membership> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.where((w) => {
      w.whereExists(function (this: Knex.QueryBuilder) {
        this.select('vp.id').from('intellectual as vp').whereRaw(`vp.id = ${alias}.intellectual_id`).where('vp.public_profile', true);
      });
      if (viewer.role === 'ASSOCIATION') {
        w.orWhere((own) => own.where(`${alias}.association_id`, viewer.associationId).whereRaw(...currentMemberOf(`${alias}.intellectual_id`, viewer.associationId)));
      }
    });
  },
  canWrite: (viewer, m) => actsFor(viewer, m.association.id),
};
