import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EMPTY_PAGE, groupedLoader, listLoader } from '../../common/loaders';
import { Page } from '../../common/pagination';
import { knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { Association } from '../association/association.entity';
import { AssociationFilter, AssociationsArgs } from '../association/association.inputs';
import { AssociationService } from '../association/association.service';
import { ASSOCIATION_SORTS } from '../association/association.types';

/** A closed period of an association in a federation, as read for federationHistory. */
export interface ClosedPeriod {
  federationId: number;
  from: string | null;
  to: string;
}

/**
 * Loaders of the merger's reads: an association's closed periods (federationHistory) and a
 * federation's former associations (paged and counted like Federation.associations, through the
 * association module's list query). One statement per batch each.
 */
export function governanceMergeLoaders(em: EntityManager, viewer: Viewer) {
  const knex = knexOf(em);
  /** Associations as lists read them, each with a federation it belonged to and no longer does (fp.federation_id). */
  const former = (filter: AssociationFilter | null | undefined) =>
    new AssociationService(em, viewer)
      .base(filter)
      .join(knex.raw('(select distinct association_id, federation_id from association_federation_period) as fp'), 'fp.association_id', 'a.id')
      .whereRaw('a.federation_id <> fp.federation_id');
  return {
    closedFederationPeriods: listLoader<ClosedPeriod>(async (ids) => {
      const rows = await runQuery<{ association_id: number; federation_id: number; from_on: string | null; to_on: string }>(
        em,
        knex.raw(
          `select association_id, federation_id, from_on::text as from_on, to_on::text as to_on
           from association_federation_period where association_id = any(?::int[]) order by association_id, to_on, id`,
          [pgArray(ids)],
        ),
      );
      const out = new Map<number, ClosedPeriod[]>();
      for (const r of rows) {
        const list = out.get(r.association_id) ?? [];
        list.push({ federationId: r.federation_id, from: r.from_on, to: r.to_on });
        out.set(r.association_id, list);
      }
      return out;
    }),
    formerAssociationsOfFederation: groupedLoader<AssociationsArgs, Page<Association>>(
      (ids, args) => nestedPages(em, Association, ids, 'fp.federation_id', former(args.filter), ASSOCIATION_SORTS[args.orderBy], args),
      EMPTY_PAGE,
    ),
    formerAssociationCountOfFederation: groupedLoader<AssociationFilter | null, number>((ids, filter) => nestedCounts(em, ids, 'fp.federation_id', former(filter)), 0),
  };
}
