import type { Knex } from '@mikro-orm/postgresql';
import { actsFor, Viewer } from '../../common/auth';
import { EntityPolicy, GRANTS_COLUMN } from '../../common/policy';
import { MembershipStatus } from './intellectual.enums';
import { Intellectual } from './intellectual.entity';
import { Membership } from './membership.entity';

/**
 * People. Reading:
 * - ADMIN and ANALYST see everyone;
 * - an ASSOCIATION key sees public profiles and every member, past or present, of its association;
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
        return q.where((w) =>
          w.where(`${alias}.public_profile`, true).orWhereRaw(`exists (select 1 from membership own where own.intellectual_id = ${alias}.id and own.association_id = ?)`, [
            viewer.associationId,
          ]),
        );
      case 'PUBLIC':
        return q.where(`${alias}.public_profile`, true);
    }
  },
  personalData(viewer, knex, alias) {
    if (viewer.role === 'ADMIN') return knex.raw('true');
    if (viewer.role !== 'ASSOCIATION' || viewer.associationId === null) return knex.raw('false');
    return knex.raw(`exists (select 1 from membership cur where cur.intellectual_id = ${alias}.id and cur.association_id = ? and cur.status <> ?)`, [
      viewer.associationId,
      MembershipStatus.ENDED,
    ]);
  },
  columns(viewer, knex, alias) {
    const grant = IntellectualPolicy.personalData(viewer, knex, alias);
    const { sql, bindings } = grant.toSQL();
    return [`${alias}.*`, knex.raw(`(${sql}) as ${GRANTS_COLUMN}`, bindings as Knex.RawBinding[])];
  },
  // People are written through their memberships (pushes): see MembershipPolicy.
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/** Memberships: visible with their person; written by ADMIN and the association's own key. */
export const MembershipPolicy: EntityPolicy<Membership> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.whereExists(function (this: Knex.QueryBuilder) {
      IntellectualPolicy.visible(viewer, this.select('vp.id').from('intellectual as vp').whereRaw(`vp.id = ${alias}.intellectual_id`), 'vp');
    });
  },
  canWrite: (viewer, m) => actsFor(viewer, m.association.id),
};
