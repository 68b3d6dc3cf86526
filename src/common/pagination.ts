import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Range } from './arg-rules';
import type { Knex } from '@mikro-orm/postgresql';
import { badInput } from './errors';
import { isCalendarDate } from './scalars';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Vietnamese collation (ICU), available in PostgreSQL 15+ builds with ICU. */
export const VI_COLLATION = 'vi-x-icu';

@ObjectType('PageInfo', { description: 'Where a page sits in its connection (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when this page was asked for with `after` (items precede it).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page; null when the page is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item; pass it as `after` to get the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `How many items to return, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  @Range(1, MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'Return the items after this cursor (an `endCursor` or edge `cursor`).' })
  after?: string | null;
}

/**
 * What a sort column holds, so that a cursor's values are checked before they reach SQL: `int` is a
 * PostgreSQL integer (ids), `decimal` a rounded numeric (pg returns it as a string), `text` text,
 * `date` a calendar date (YYYY-MM-DD), `timestamp` a timestamptz (its cursor value is PostgreSQL's text
 * of it, as the driver returns it and as `::text` writes it, so both read paths make the same cursor).
 */
export type SortColumnType = 'int' | 'decimal' | 'text' | 'date' | 'timestamp';

/** One column of a stable sort; the last column of every sort is the primary key. */
export interface SortColumn {
  /** Column name in the query's result rows. */
  column: string;
  type: SortColumnType;
  /** SQL expression to order by, e.g. `i.given_name`. */
  sql: string;
  collate?: string;
  /**
   * For a nullable column: the SQL value its nulls sort as, e.g. `'-infinity'::date` (last in a
   * descending order). Order, keyset condition (and so the index) use `coalesce(sql, nullsAs)`, a
   * plain row comparison that nulls cannot break; cursors hold the column's own value, null included.
   */
  nullsAs?: string;
}

export interface SortSpec {
  /** Short name written into cursors, so a cursor of one order is refused by another. */
  key: string;
  direction: 'asc' | 'desc';
  columns: SortColumn[];
}

type CursorValue = string | number | null;

export function encodeCursor(sort: SortSpec, row: Record<string, unknown>): string {
  return encodeCursorValues(
    sort,
    sort.columns.map((c) => row[c.column] as CursorValue),
  );
}

/** The cursor of a row whose sort columns hold `values` (in the sort's column order). */
export function encodeCursorValues(sort: SortSpec, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([sort.key, ...values]), 'utf8').toString('base64url');
}

const INT_MAX = 2_147_483_647;
const DECIMAL_RE = /^-?\d{1,30}(\.\d{1,30})?$/;
const MAX_TEXT = 1000;
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/;

/** True when `v` can stand for a value of this column (a forged cursor must not reach SQL). */
function fitsColumn(c: SortColumn, v: unknown): boolean {
  if (v === null) return c.nullsAs !== undefined;
  switch (c.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -INT_MAX - 1 && v <= INT_MAX;
    case 'decimal':
      return (typeof v === 'string' && DECIMAL_RE.test(v)) || (typeof v === 'number' && Number.isFinite(v));
    case 'text':
      return typeof v === 'string' && v.length <= MAX_TEXT && !v.includes('\u0000');
    case 'date':
      return typeof v === 'string' && isCalendarDate(v);
    case 'timestamp':
      return typeof v === 'string' && TIMESTAMP_RE.test(v);
  }
}

/** Decodes a cursor made for `sort`; anything else (another order's cursor, forged values) is BAD_USER_INPUT. */
export function decodeCursor(sort: SortSpec, cursor: string): CursorValue[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput('Invalid cursor: pass a cursor returned by this connection', { argumentName: 'after' });
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== sort.key ||
    parsed.length !== sort.columns.length + 1 ||
    !sort.columns.every((c, i) => fitsColumn(c, parsed[i + 1]))
  ) {
    throw badInput('Invalid cursor: it does not belong to this connection and order', { argumentName: 'after' });
  }
  return parsed.slice(1) as CursorValue[];
}

function colSql(c: SortColumn): string {
  const sql = c.nullsAs ? `coalesce(${c.sql}, ${c.nullsAs})` : c.sql;
  return c.collate ? `${sql} collate "${c.collate}"` : sql;
}

/** The bound cursor value of a column, as comparable to `colSql` (same type, same null stand-in). */
function paramSql(c: SortColumn): string {
  const param = c.type === 'date' ? '?::date' : c.type === 'timestamp' ? '?::timestamptz' : '?';
  const sql = c.nullsAs ? `coalesce(${param}, ${c.nullsAs})` : param;
  return c.collate ? `${sql} collate "${c.collate}"` : sql;
}

/** ORDER BY clause of a sort, e.g. `i.given_name collate "vi-x-icu" asc, i.id asc`. */
export function orderBySql(sort: SortSpec): string {
  return sort.columns.map((c) => `${colSql(c)} ${sort.direction}`).join(', ');
}

/** Keyset condition "after these values": one row comparison, which an index on the same columns serves. */
export function keysetSql(sort: SortSpec, values: CursorValue[]): { sql: string; bindings: CursorValue[] } {
  const cols = sort.columns.map(colSql).join(', ');
  const params = sort.columns.map(paramSql).join(', ');
  return { sql: `(${cols}) ${sort.direction === 'asc' ? '>' : '<'} (${params})`, bindings: values };
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * One page of a keyset-paginated query. `base` holds FROM/JOIN/WHERE and selects the rows;
 * this adds the cursor condition, the order and LIMIT first+1 (to know whether more follow).
 */
export async function fetchPage<Row extends Record<string, unknown>, T>(
  base: Knex.QueryBuilder,
  sort: SortSpec,
  args: PageArgs,
  map: (row: Row) => T,
  exec: (q: Knex.QueryBuilder) => Promise<Row[]>,
): Promise<Page<T>> {
  const q = base.clone();
  if (args.after) {
    const { sql, bindings } = keysetSql(sort, decodeCursor(sort, args.after));
    q.whereRaw(sql, bindings);
  }
  q.orderByRaw(orderBySql(sort)).limit(args.first + 1);
  const rows = await exec(q);
  const hasNextPage = rows.length > args.first;
  const pageRows = rows.slice(0, args.first);
  const cursors = pageRows.map((r) => encodeCursor(sort, r));
  return {
    nodes: pageRows.map(map),
    cursors,
    hasNextPage,
    hasPreviousPage: Boolean(args.after),
  };
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: Promise<number>;
}

export interface ConnectionClass<T> {
  new (): Connection<T>;
  /** Builds a connection from a page; `count` runs only when a client asks for totalCount. */
  build(page: Page<T>, count: () => Promise<number>): Connection<T>;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. */
export function ConnectionType<T extends object>(
  name: string,
  nodeType: new (...args: never[]) => T,
  what: string,
): ConnectionClass<T> {
  @ObjectType(`${name}Edge`, { description: `One ${what} in a connection, with its cursor.` })
  class Edge {
    @Field(() => String, { description: 'Cursor of this item; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what} items (Relay cursor connection).` })
  class ConnectionImpl implements Connection<T> {
    @Field(() => [Edge], { description: 'The items of this page, in order.' })
    edges!: { cursor: string; node: T }[];

    @Field(() => PageInfo, { description: 'Cursors and whether more items follow.' })
    pageInfo!: PageInfo;

    private countFn!: () => Promise<number>;

    @Field(() => Int, { description: 'How many items match, across all pages.' })
    get totalCount(): Promise<number> {
      return this.countFn();
    }

    static build(page: Page<T>, count: () => Promise<number>): ConnectionImpl {
      const c = new ConnectionImpl();
      c.edges = page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
      c.pageInfo = Object.assign(new PageInfo(), {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.cursors[0] ?? null,
        endCursor: page.cursors[page.cursors.length - 1] ?? null,
      });
      c.countFn = count;
      return c;
    }
  }
  return ConnectionImpl;
}
