import { scopeOfEm } from './request-scope';
import { ReferenceKind, type EntityClass } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { hydrate } from './hydrate';
import { fetchPage, keysetSql, decodeCursor, encodeCursor, orderBySql, Page, PageArgs, SortSpec } from './pagination';

/**
 * SQL helpers over MikroORM's connection: queries are built with knex (so LATERAL joins,
 * collations and expression indexes can be used) and run through the entity manager's
 * connection and transaction; rows become read-only entity instances (hydrate).
 */

/**
 * A PostgreSQL array literal ('{"a","b"}') to bind as one value: knex would spread a JS array
 * into a list of parameters.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

export function knexOf(em: EntityManager): Knex {
  return em.getKnex();
}

/**
 * Runs a query in the entity manager's transaction (if any) with real bind parameters: going
 * through MikroORM's execute() would inline the values into the SQL text, which for a push
 * means escaping megabytes of JSON into a literal for PostgreSQL to parse again.
 */
export async function runQuery<Row = Record<string, unknown>>(em: EntityManager, q: Knex.QueryBuilder | Knex.Raw): Promise<Row[]> {
  const { sql, bindings } = q.toSQL();
  const scope = scopeOfEm(em);
  if (scope) scope.sqlStatements++;
  const tx = em.getTransactionContext<Knex.Transaction>();
  if (tx) return rowsOf<Row>(tx, sql, bindings);
  // A query's reads outside a transaction go to its replica, if it has one (common/read-routing.ts).
  if (scope?.replica) return scope.replica.read((replica) => rowsOf<Row>(replica, sql, bindings), () => rowsOf<Row>(em.getKnex(), sql, bindings));
  return rowsOf<Row>(em.getKnex(), sql, bindings);
}

async function rowsOf<Row>(runner: Knex, sql: string, bindings: readonly unknown[]): Promise<Row[]> {
  const result = (await runner.raw(sql, bindings as readonly Knex.RawBinding[])) as { rows: Row[] };
  return result.rows;
}

/** One page of a list: `base` selects an entity's rows (FROM, JOINs, WHERE). */
export async function entityPage<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  base: Knex.QueryBuilder,
  sort: SortSpec,
  args: PageArgs,
): Promise<Page<T>> {
  return fetchPage<Record<string, unknown>, T>(base, sort, args, (row) => hydrate(em, entity, row), (q) => runQuery(em, q));
}

/** Counts the rows `base` selects. */
export async function countRows(em: EntityManager, base: Knex.QueryBuilder): Promise<number> {
  const q = base.clone().clearSelect().clearOrder().count({ n: '*' });
  const [row] = await runQuery<{ n: string }>(em, q);
  return Number(row.n);
}

/**
 * Pages for many parents in one statement: a LATERAL subquery per parent id, each with its own
 * keyset condition and LIMIT, served by an index on (parent column, sort columns).
 * `inner` selects the child rows and must leave `parentColumn` comparable to `p.parent_id`.
 */
export async function nestedPages<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  parentIds: readonly number[],
  parentColumn: string,
  inner: Knex.QueryBuilder,
  sort: SortSpec,
  args: PageArgs,
): Promise<Map<number, Page<T>>> {
  const q = inner.clone().whereRaw(`${parentColumn} = p.parent_id`);
  if (args.after) {
    const { sql, bindings } = keysetSql(sort, decodeCursor(sort, args.after));
    q.whereRaw(sql, bindings);
  }
  q.orderByRaw(orderBySql(sort)).limit(args.first + 1);
  const { sql, bindings } = q.toSQL();
  const knex = knexOf(em);
  const rows = await runQuery<Record<string, unknown>>(
    em,
    knex.raw(`select p.parent_id as "__parent", x.* from unnest(?::int[]) as p(parent_id) cross join lateral (${sql}) as x`, [
      pgArray(parentIds),
      ...bindings,
    ]),
  );
  const byParent = new Map<number, Record<string, unknown>[]>();
  for (const row of rows) {
    const parent = Number(row.__parent);
    delete row.__parent;
    let list = byParent.get(parent);
    if (!list) byParent.set(parent, (list = []));
    list.push(row);
  }
  const out = new Map<number, Page<T>>();
  for (const id of parentIds) {
    const all = byParent.get(id) ?? [];
    const pageRows = all.slice(0, args.first);
    const cursors = pageRows.map((r) => encodeCursor(sort, r));
    out.set(id, {
      nodes: pageRows.map((r) => hydrate(em, entity, r)),
      cursors,
      hasNextPage: all.length > args.first,
      hasPreviousPage: Boolean(args.after),
    });
  }
  return out;
}

/** Counts per parent in one GROUP BY. */
export async function nestedCounts(
  em: EntityManager,
  parentIds: readonly number[],
  parentColumn: string,
  inner: Knex.QueryBuilder,
): Promise<Map<number, number>> {
  const q = inner
    .clone()
    .clearSelect()
    .clearOrder()
    .select({ parent: parentColumn })
    .count({ n: '*' })
    .whereIn(parentColumn, [...parentIds])
    .groupBy(parentColumn);
  const rows = await runQuery<{ parent: number; n: string }>(em, q);
  const out = new Map<number, number>(parentIds.map((id) => [id, 0]));
  for (const r of rows) out.set(Number(r.parent), Number(r.n));
  return out;
}

/**
 * An entity's values as its table's columns (embeddables spread into their prefixed columns,
 * relations as their ids), for writes that bypass the unit of work (common/transaction.ts).
 */
export function columnsOf<T extends object>(em: EntityManager, entity: EntityClass<T>, data: Record<string, unknown>): Record<string, unknown> {
  const meta = em.getMetadata().get(entity.name);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const prop = meta.properties[key as keyof T & string];
    if (!prop) throw new Error(`${entity.name} has no property ${key}`);
    if (prop.kind === ReferenceKind.EMBEDDED && prop.array) {
      out[prop.fieldNames[0]] = JSON.stringify(value ?? []);
    } else if (prop.kind === ReferenceKind.EMBEDDED) {
      // embeddedProps is keyed by the embeddable's own property names (its children's `name` is prefixed).
      for (const [name, child] of Object.entries(prop.embeddedProps)) out[child.fieldNames[0]] = (value as Record<string, unknown> | null)?.[name] ?? null;
    } else if (prop.kind === ReferenceKind.MANY_TO_ONE) {
      out[prop.fieldNames[0]] = value === null ? null : typeof value === 'object' ? (value as { id: unknown }).id : value;
    } else {
      out[prop.fieldNames[0]] = prop.type === 'json' || prop.columnTypes?.[0] === 'jsonb' ? JSON.stringify(value) : value;
    }
  }
  return out;
}

/**
 * Inserts one row of an entity's table (see columnsOf) and reads it back. The entity's own
 * defaults (its class's initialisers, as MikroORM would apply them) fill what `data` leaves out.
 */
export async function insertRow<T extends object>(em: EntityManager, entity: EntityClass<T>, data: Record<string, unknown>): Promise<T> {
  const meta = em.getMetadata().get(entity.name);
  const instance = Object.assign(new (entity as unknown as new () => Record<string, unknown>)(), data);
  const values: Record<string, unknown> = {};
  for (const prop of meta.props) {
    if (prop.primary || prop.persist === false || prop.generated || prop.formula || prop.embedded) continue;
    if (![ReferenceKind.SCALAR, ReferenceKind.EMBEDDED, ReferenceKind.MANY_TO_ONE].includes(prop.kind)) continue;
    if (instance[prop.name] !== undefined) values[prop.name] = instance[prop.name];
  }
  const [row] = await runQuery(em, knexOf(em)(meta.tableName).insert(columnsOf(em, entity, values)).returning('*'));
  return hydrate(em, entity, row);
}

/** One row of an entity's table by id (null when there is none); `lock` takes its row lock for the rest of the transaction. */
export async function readRow<T extends object>(em: EntityManager, entity: EntityClass<T>, id: number, lock?: 'update' | 'share'): Promise<T | null> {
  const q = knexOf(em)(em.getMetadata().get(entity.name).tableName).select('*').where('id', id);
  const [row] = await runQuery(em, lock === 'update' ? q.forUpdate() : lock === 'share' ? q.forShare() : q);
  return row ? hydrate(em, entity, row) : null;
}

/** Updates one row by id (see columnsOf) and reads it back. */
export async function updateRow<T extends object>(em: EntityManager, entity: EntityClass<T>, id: number, data: Record<string, unknown>): Promise<T> {
  const table = em.getMetadata().get(entity.name).tableName;
  const [row] = await runQuery(em, knexOf(em)(table).update(columnsOf(em, entity, data)).where('id', id).returning('*'));
  return hydrate(em, entity, row);
}

/** True when the row `id` of `table` exists. */
export async function rowExists(em: EntityManager, table: string, id: number): Promise<boolean> {
  const rows = await runQuery(em, knexOf(em)(table).select('id').where('id', id));
  return rows.length > 0;
}
