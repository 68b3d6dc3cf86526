import type { EntityManager } from '@mikro-orm/postgresql';
import { listLoader } from '../../common/loaders';
import { hydrate } from '../../common/hydrate';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { Association } from '../association/association.entity';

/** A closed period of an association in a federation, as read for federationHistory. */
export interface ClosedPeriod {
  federationId: number;
  from: string | null;
  to: string;
}

/**
 * Loaders of the merger's reads: an association's closed periods (federationHistory) and a
 * federation's former associations. One statement per batch each. Associations are public
 * records (AssociationPolicy: seen by all), so no policy condition applies.
 */
export function governanceMergeLoaders(em: EntityManager) {
  const knex = knexOf(em);
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
    formerAssociationsOfFederation: listLoader<Association>(async (ids) => {
      // Associations that had a period in the federation and are not in it now, by name (Vietnamese order).
      const rows = await runQuery<Record<string, unknown> & { __federation: number }>(
        em,
        knex.raw(
          `select f.id as "__federation", a.*
           from unnest(?::int[]) as f(id)
           join association a on a.federation_id <> f.id
             and exists (select 1 from association_federation_period p where p.association_id = a.id and p.federation_id = f.id)
           order by f.id, a.name collate "vi-x-icu", a.id`,
          [pgArray(ids)],
        ),
      );
      const out = new Map<number, Association[]>();
      for (const { __federation, ...row } of rows) {
        const list = out.get(__federation) ?? [];
        list.push(hydrate(em, Association, row));
        out.set(__federation, list);
      }
      return out;
    }),
  };
}
