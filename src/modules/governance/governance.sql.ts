import { AssociationStatus } from '../association/association.enums';

/**
 * SQL conditions of the governance module, shared by its reads (representationGaps), its writes
 * and the merger. Each returns SQL text to put in a WHERE clause, with no bindings: the
 * arguments are SQL expressions written by the caller (a column, a bound `?::date`, a literal
 * it made safe), pasted as given. Each argument is pasted more than once (federationIdSql twice,
 * dateSql four times in memberAssociationsOn, three times in seatHeldOn): pass a column (e.g. of a
 * `cross join lateral (select ?::date as d) x`, bound once) or repeat the binding that many times.
 *
 * - `memberAssociationsOn(federationIdSql, dateSql, alias = 'a')`: the association `alias` (a row
 *   of table association) is a member association of the federation on that date. Stable
 *   signature: governance-merge imports it.
 * - `seatHeldOn(seatAlias, termEndSql, dateSql)`: the seat `seatAlias` is held on that date.
 */

/**
 * The association `alias` is an active member association of federation `federationIdSql` on
 * `dateSql` (both SQL expressions, e.g. `t.federation_id` and `?::date`):
 * - its current status is ACTIVE (statuses have no history), and
 * - either it belongs to the federation now (association.federation_id), had joined by that date
 *   (joined_on null or <= D), and D is not before the end of its last closed period in another
 *   federation (association_federation_period.to_on, exclusive: the day it moved in);
 * - or a closed period of it in that federation covers D (from_on null or <= D, and D < to_on).
 * The second arm is how a merged federation's history reads: its associations moved on, their
 * periods with it stay.
 */
export function memberAssociationsOn(federationIdSql: string, dateSql: string, alias = 'a'): string {
  return (
    `(${alias}.status = '${AssociationStatus.ACTIVE}' and (` +
    `(${alias}.federation_id = ${federationIdSql} and (${alias}.joined_on is null or ${alias}.joined_on <= ${dateSql})` +
    ` and ${dateSql} >= coalesce((select max(mp.to_on) from association_federation_period mp where mp.association_id = ${alias}.id), '-infinity'::date))` +
    ` or exists (select 1 from association_federation_period mq where mq.association_id = ${alias}.id and mq.federation_id = ${federationIdSql}` +
    ` and (mq.from_on is null or mq.from_on <= ${dateSql}) and ${dateSql} < mq.to_on)))`
  );
}

/**
 * The seat `seatAlias` is held on `dateSql`: started by then and not ended before (ends_on is
 * inclusive), and the day is within its term (`termEndSql`: the term's last day, e.g. `t.ends_on`;
 * an open seat ends with its term).
 */
export function seatHeldOn(seatAlias: string, termEndSql: string, dateSql: string): string {
  return `(${seatAlias}.starts_on <= ${dateSql} and (${seatAlias}.ends_on is null or ${dateSql} <= ${seatAlias}.ends_on) and ${dateSql} <= ${termEndSql})`;
}
