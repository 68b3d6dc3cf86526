import type { Knex } from '@mikro-orm/postgresql';
import type { Viewer } from './auth';

/**
 * Who may see and write what: one policy per entity type (`<module>/<entity>.policy.ts`), used by
 * the services, the by-id loaders (and so `node(id)`), the lists and their counts, and the
 * personal-data fields alike, so that no path around it exists. Resolvers check nothing.
 *
 * - `visible` is THE rule for reading: one SQL condition on a query over the type's table. Lists
 *   and counts add it to their query; the by-id loader adds it to `id in (…)`, so "may this
 *   viewer see this row" and "which rows may it list" cannot disagree.
 * - `canWrite` answers for one row the caller wants to change (services throw FORBIDDEN on false).
 */
export interface EntityPolicy<T> {
  /** Restricts `q`, a query over the type's table as `alias`, to the rows the viewer may see. */
  visible(viewer: Viewer, q: Knex.QueryBuilder, alias: string): Knex.QueryBuilder;
  /** May the viewer change this row? */
  canWrite(viewer: Viewer, row: T): boolean;
}

/** Everyone sees every row (federations, associations: public records). */
export const SEEN_BY_ALL = (_viewer: Viewer, q: Knex.QueryBuilder): Knex.QueryBuilder => q;

/**
 * What a policy granted on a row beyond seeing it (e.g. its personal data), computed in the same
 * statement that read the row (a column named GRANTS_COLUMN) and kept on the read entity under
 * GRANTS. Entities read any other way (the ORM) carry no grant, so their masked fields stay null.
 */
export const GRANTS = Symbol('grants');
export const GRANTS_COLUMN = 'grants__';

export interface Granted {
  [GRANTS]?: boolean;
}
