import type { EntityManager } from '@mikro-orm/postgresql';
import { actsFor, forbidden, Viewer } from '../../common/auth';
import { EntityPolicy, SEEN_BY_ALL } from '../../common/policy';
import { Problems, UserErrorCode } from '../../common/user-errors';
import { Association } from './association.entity';
import { knexOf, runQuery } from '../../common/sql';
import { AssociationStatus } from './association.enums';

/** Associations are public records; ADMIN and the association's own key change them. */
export const AssociationPolicy: EntityPolicy<Association> = {
  visible: SEEN_BY_ALL,
  canWrite: (viewer: Viewer, a: Association) => actsFor(viewer, a.id),
};

/**
 * The association a write names by code, once the policy allows the write: null (with NOT_FOUND
 * at `field`) when ADMIN names an unknown code. Any other key gets FORBIDDEN for an unknown code
 * as for another association's: it does not learn which codes exist.
 *
 * A DISSOLVED association is kept for history: nothing of it changes any more, for any key,
 * ADMIN's included (null, with INVALID_STATE at `field`). A SUSPENDED one keeps writing: its
 * membership of the federation is suspended, not its own records.
 */
export async function writableAssociation(em: EntityManager, viewer: Viewer, code: string, p: Problems, field: string[]): Promise<Association | null> {
  const association = await em.findOne(Association, { code });
  if (!association || !AssociationPolicy.canWrite(viewer, association)) {
    if (viewer.role !== 'ADMIN') throw forbidden(`This key may not write to association ${code}`);
    p.add(UserErrorCode.NOT_FOUND, field, `No association has the code ${code}`);
    return null;
  }
  if (association.status === AssociationStatus.DISSOLVED) {
    dissolved(p, field, code);
    return null;
  }
  return association;
}

/** INVALID_STATE for a write to a dissolved association. */
export const dissolved = (p: Problems, field: string[], code: string) =>
  p.add(UserErrorCode.INVALID_STATE, field, `Association ${code} is dissolved: its records are kept for history and can no longer change`);

/** The advisory lock that writes to one association's records hold (and a dissolution too). */
export const associationLock = (id: number) => ['association', id] as const;

/**
 * Inside the write's transaction, holding `associationLock`: refuses when the association was
 * dissolved after `writableAssociation` looked (setAssociationStatus takes the same lock, so
 * the status read here cannot change before the write commits).
 */
export async function stillWritable(tx: EntityManager, association: Association, field: string[]): Promise<Problems | null> {
  const [row] = await runQuery<{ status: string }>(tx, knexOf(tx)('association').select('status').where('id', association.id));
  if (row?.status !== AssociationStatus.DISSOLVED) return null;
  const p = new Problems();
  dissolved(p, field, association.code);
  return p;
}
