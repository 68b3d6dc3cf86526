import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLField,
  GraphQLLeafType,
  GraphQLObjectType,
  GraphQLSchema,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { checkArgument } from './arg-rules';
import type { Viewer } from './auth';
import { CountCache, keptCountSql } from './count-cache';
import { Lru } from './lru';
import type { ReplicaRoute } from './read-routing';
import { fromGlobalId, toGlobalId } from './node-id';
import { decodeCursor, encodeCursorValues, keysetSql, MAX_PAGE_SIZE, orderBySql, SortSpec } from './pagination';

/**
 * Reads compiled to one SQL statement (the way compiled GraphQL-over-PostgreSQL servers answer):
 * a query document whose every field is declared here is answered by ONE statement that builds
 * the whole answer as JSON in PostgreSQL, nested pages included, under the same policies, sorts,
 * cursors and page rules as the resolvers; then a shaper made for the document turns that JSON
 * into the response (global ids, cursors, enum names, scalars serialised by the schema's own
 * scalars). No resolver, loader, promise per field or entity copy runs.
 *
 * The resolvers stay the reference: anything not declared (a field, an argument such as a filter,
 * a directive), and any request whose arguments are not plainly valid (a page size out of range,
 * a forged cursor, an id that names nothing compiled) goes to the ordinary executor, which
 * answers and words every error as before. Modules declare their part (`sqlRead` in their
 * module file): types with their fields, and root fields.
 *
 * How the statement is built, per level: an inner query selects the columns a level needs as
 * c0, c1, … from the type's policy-restricted source (with the page's keyset, order and
 * LIMIT first+1); an outer query over it (alias x1, x2, …) builds `json_build_array(…)` per row
 * and runs the nested levels as correlated subqueries on its columns, so inner queries may reuse
 * the sources' own table aliases at every depth.
 */

/** What a compiled read knows of its request. */
export interface ReadScope {
  em: EntityManager;
  viewer: Viewer;
  knex: Knex;
}

/** SQL text with its `?` bindings. */
export type Sql = string | { sql: string; bindings: readonly unknown[] };

/** Rows of a type, restricted by its policy: FROM (and joins) and WHERE, selecting nothing yet. */
export interface RowSource {
  q: Knex.QueryBuilder;
  /** The alias of the type's own table in `q`. */
  alias: string;
  /** Aliases of rows joined in the same source, by name (e.g. a membership's person). */
  joins?: Record<string, string>;
}

/** Arguments of a field, as graphql-js coerced them (enum internal values, defaults applied). */
export type Args = Record<string, unknown>;

export interface ConnectionSpec {
  type: string;
  /**
   * The rows of one page's level (null: these arguments are not compiled, e.g. a filter). For a
   * nested connection, `childColumn` is compared with the parent's id.
   */
  source(s: ReadScope, args: Args): RowSource | null;
  /** The rows counted by totalCount (null: not compiled). */
  count(s: ReadScope, args: Args): RowSource | null;
  sort(args: Args): SortSpec;
  /** For a connection under an object: the child's column that holds the parent's id, e.g. `m.association_id`. */
  childColumn?: string;
}

export type SqlField =
  /** A scalar or enum from SQL (an expression over the row's alias), serialised by the field's type. */
  | { kind: 'column'; sql: (alias: string, s: ReadScope) => Sql }
  /** The global id of the row (its `id` column). */
  | { kind: 'id' }
  /** A JSON value turned into plain objects (`value`), whose fields are read as properties. */
  | { kind: 'value'; sql: (alias: string) => string; value: (json: unknown) => unknown }
  /** An object read in the same row (a join of the source, named in RowSource.joins). */
  | { kind: 'joined'; type: string; join: string }
  /** An object of `type` whose id is the SQL `key` of this row, read by id under its policy. */
  | { kind: 'object'; type: string; key: (alias: string) => string }
  /** A page of another type's rows that point at this row. */
  | ({ kind: 'connection' } & ConnectionSpec)
  /** Every row of another type that points at this row (a short list, no arguments), in `order`. */
  | { kind: 'list'; type: string; source(s: ReadScope): RowSource; childColumn: string; order: string };

export interface SqlReadType {
  /** The GraphQL object type. */
  type: string;
  /** The rows the viewer may see, for reads by id (node(id), object fields). */
  byId?(s: ReadScope): RowSource;
  fields: Record<string, SqlField>;
}

export type SqlRoot =
  | ({ kind: 'connection' } & ConnectionSpec)
  /** One row, or null (e.g. by code). */
  | { kind: 'one'; type: string; source(s: ReadScope, args: Args): RowSource | null };

/** A module's part: types (a module may add fields to another module's type) and root fields of Query. */
export interface SqlReadContribution {
  types?: SqlReadType[];
  roots?: Record<string, SqlRoot>;
  /**
   * Object types a `value` field may answer as plain JS objects: every field of theirs is a
   * property of the same name, without arguments or resolvers (e.g. ScienceField, Agency).
   */
  plainTypes?: string[];
}

/** The registry of every module's contribution, merged. */
export interface SqlReadRegistry {
  types: Map<string, SqlReadType>;
  roots: Map<string, SqlRoot>;
  plainTypes: Set<string>;
}

export function sqlReadRegistry(contributions: readonly SqlReadContribution[]): SqlReadRegistry {
  const types = new Map<string, SqlReadType>();
  const roots = new Map<string, SqlRoot>();
  const plainTypes = new Set<string>();
  for (const c of contributions) {
    for (const t of c.plainTypes ?? []) plainTypes.add(t);
    for (const t of c.types ?? []) {
      const known = types.get(t.type);
      types.set(t.type, known ? { type: t.type, byId: known.byId ?? t.byId, fields: { ...known.fields, ...t.fields } } : { ...t, fields: { ...t.fields } });
    }
    for (const [name, root] of Object.entries(c.roots ?? {})) roots.set(name, root);
  }
  return { types, roots, plainTypes };
}

// ---------------------------------------------------------------------------------------------
// The document's plan: its fields, checked once against the registry.

/** A field of the plan under an object type. */
type PlanField =
  | { k: 'typename'; key: string; value: string }
  | { k: 'leaf'; key: string; spec: SqlField & { kind: 'column' | 'id' }; type: GraphQLLeafType; typeName: string }
  | { k: 'value'; key: string; spec: SqlField & { kind: 'value' }; shape: (v: unknown) => unknown }
  | { k: 'joined'; key: string; spec: SqlField & { kind: 'joined' }; object: PlanObject }
  | { k: 'object'; key: string; spec: SqlField & { kind: 'object' }; object: PlanObject; nullable: boolean }
  | { k: 'connection'; key: string; spec: ConnectionSpec; conn: PlanConnection }
  | { k: 'list'; key: string; spec: SqlField & { kind: 'list' }; object: PlanObject };

interface PlanObject {
  type: SqlReadType;
  fields: PlanField[];
}

/** What a connection's selection asks for. */
interface PlanConnection {
  def: GraphQLField<unknown, unknown>;
  node: FieldNode;
  typeName: string;
  /** Response keys in order, each with what it is. */
  fields: ConnField[];
  object: PlanObject;
  /** Some cursor is selected (edges.cursor, pageInfo.startCursor/endCursor). */
  cursors: boolean;
  totalCount: boolean;
}

type ConnField =
  | { k: 'typename'; key: string; value: string }
  | { k: 'totalCount'; key: string }
  | { k: 'edges'; key: string; typeName: string; fields: ({ k: 'typename'; key: string; value: string } | { k: 'cursor'; key: string } | { k: 'node'; key: string })[] }
  | { k: 'pageInfo'; key: string; fields: { key: string; what: 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor' | '__typename' }[] };

type PlanRoot =
  | { k: 'typename'; key: string }
  | { k: 'connection'; key: string; root: ConnectionSpec; conn: PlanConnection }
  | { k: 'one'; key: string; root: SqlRoot & { kind: 'one' }; def: GraphQLField<unknown, unknown>; node: FieldNode; object: PlanObject }
  | { k: 'node'; key: string; def: GraphQLField<unknown, unknown>; node: FieldNode; objects: Map<string, PlanObject> };

/** What a compiled read takes from the request's context. */
export interface SqlReadContext {
  /** Made on first use (only a source's first compilation needs it). */
  readonly em: EntityManager;
  knex: Knex;
  viewer: Viewer;
  scope?: { sqlStatements: number; replica?: ReplicaRoute | null };
  /** The hub's kept counts of root connections (common/count-cache.ts); absent or off: counted every time. */
  counts?: CountCache;
}

export interface SqlReadPlan {
  /** The answer, or null when this request's arguments are for the ordinary executor. */
  run(context: SqlReadContext, variables: Record<string, unknown> | undefined): Promise<{ data: Record<string, unknown> } | null>;
}

class Unsupported extends Error {}
/** Raised while shaping when the answer is not what the ordinary executor would give without error. */
class NotPlain extends Error {}

/** json_build_array takes at most 100 arguments. */
const MAX_ELEMENTS = 100;

/**
 * The plan of an operation, or null when some part of it is not compiled (the ordinary executor
 * then answers every request of it).
 */
export function planSqlRead(schema: GraphQLSchema, registry: SqlReadRegistry, document: DocumentNode, operation: OperationDefinitionNode): SqlReadPlan | null {
  if (operation.operation !== 'query') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const query = schema.getQueryType();
  if (!query) return null;
  try {
    const roots = planRoots(schema, registry, fragments, query, operation.selectionSet);
    const cache = new WeakMap<object, Templates>();
    return { run: (context, variables) => runPlan(schema, roots, cache, operation, context, variables) };
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/** Fields of `sets` for an object type, by response key in order, as graphql-js collects them. */
function collect(schema: GraphQLSchema, fragments: Map<string, FragmentDefinitionNode>, type: GraphQLObjectType, sets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.directives?.length) throw new Unsupported('directives');
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        const list = out.get(key);
        if (list) list.push(s);
        else out.set(key, [s]);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(s.name.value)) continue;
        seen.add(s.name.value);
      }
      const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : fragments.get(s.name.value);
      if (!fragment) throw new Unsupported('unknown fragment');
      if (fragment.typeCondition) {
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition !== type && !(condition && isAbstractType(condition) && schema.isSubType(condition, type))) continue;
      }
      walk(fragment.selectionSet);
    }
  };
  for (const set of sets) walk(set);
  return out;
}

const subSets = (nodes: FieldNode[]): SelectionSetNode[] => nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));

/** Two field nodes of one response key must be the same field with the same arguments (validation ensures it); leaf or not. */
function one(nodes: FieldNode[]): FieldNode {
  return nodes[0];
}

function planRoots(schema: GraphQLSchema, registry: SqlReadRegistry, fragments: Map<string, FragmentDefinitionNode>, query: GraphQLObjectType, set: SelectionSetNode): PlanRoot[] {
  const roots: PlanRoot[] = [];
  for (const [key, nodes] of collect(schema, fragments, query, [set])) {
    const node = one(nodes);
    const name = node.name.value;
    if (name === '__typename') {
      roots.push({ k: 'typename', key });
      continue;
    }
    const def = query.getFields()[name];
    if (!def) throw new Unsupported(name);
    if (name === 'node') {
      const objects = new Map<string, PlanObject>();
      for (const [typeName, t] of registry.types) {
        if (!t.byId) continue;
        const type = schema.getType(typeName);
        if (!isObjectType(type) || !schema.isSubType(getNamedType(def.type) as never, type)) continue;
        try {
          objects.set(typeName, planObject(schema, registry, fragments, type, subSets(nodes)));
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e; // that type's selection is not compiled: its ids go to the ordinary executor
        }
      }
      roots.push({ k: 'node', key, def, node, objects });
      continue;
    }
    const root = registry.roots.get(name);
    if (!root) throw new Unsupported(name);
    const named = getNamedType(def.type);
    if (root.kind === 'connection') {
      if (!isObjectType(named)) throw new Unsupported(name);
      roots.push({ k: 'connection', key, root, conn: planConnection(schema, registry, fragments, named, def, nodes, root) });
    } else {
      const type = registry.types.get(root.type);
      if (!type || !isObjectType(named) || named.name !== root.type) throw new Unsupported(name);
      roots.push({ k: 'one', key, root, def, node, object: planObject(schema, registry, fragments, named, subSets(nodes)) });
    }
  }
  return roots;
}

function planObject(schema: GraphQLSchema, registry: SqlReadRegistry, fragments: Map<string, FragmentDefinitionNode>, type: GraphQLObjectType, sets: SelectionSetNode[]): PlanObject {
  const spec = registry.types.get(type.name);
  if (!spec) throw new Unsupported(type.name);
  const fields: PlanField[] = [];
  for (const [key, nodes] of collect(schema, fragments, type, sets)) {
    const node = one(nodes);
    const name = node.name.value;
    if (name === '__typename') {
      fields.push({ k: 'typename', key, value: type.name });
      continue;
    }
    const def = type.getFields()[name];
    const f = spec.fields[name];
    if (!def || !f) throw new Unsupported(`${type.name}.${name}`);
    const named = getNamedType(def.type);
    switch (f.kind) {
      case 'column':
      case 'id':
        if (!isLeafType(named) || isListType(getNullableType(def.type))) throw new Unsupported(`${type.name}.${name}`);
        fields.push({ k: 'leaf', key, spec: f, type: named, typeName: type.name });
        break;
      case 'value':
        fields.push({ k: 'value', key, spec: f, shape: plainShaper(schema, registry.plainTypes, fragments, def.type, nodes) });
        break;
      case 'joined':
      case 'object': {
        if (!isObjectType(named) || named.name !== f.type) throw new Unsupported(`${type.name}.${name}`);
        const object = planObject(schema, registry, fragments, named, subSets(nodes));
        fields.push(f.kind === 'joined' ? { k: 'joined', key, spec: f, object } : { k: 'object', key, spec: f, object, nullable: !isNonNullType(def.type) });
        break;
      }
      case 'connection':
        if (!isObjectType(named)) throw new Unsupported(`${type.name}.${name}`);
        fields.push({ k: 'connection', key, spec: f, conn: planConnection(schema, registry, fragments, named, def, nodes, f) });
        break;
      case 'list': {
        // [T!]! exactly, as the list's resolver answers it.
        const list = isNonNullType(def.type) ? def.type.ofType : null;
        if (!list || !isListType(list) || !isNonNullType(list.ofType) || !isObjectType(named) || named.name !== f.type || def.args.length) throw new Unsupported(`${type.name}.${name}`);
        fields.push({ k: 'list', key, spec: f, object: planObject(schema, registry, fragments, named, subSets(nodes)) });
        break;
      }
    }
  }
  if (fields.length + 1 > MAX_ELEMENTS) throw new Unsupported('too many fields');
  return { type: spec, fields };
}

function planConnection(
  schema: GraphQLSchema,
  registry: SqlReadRegistry,
  fragments: Map<string, FragmentDefinitionNode>,
  connType: GraphQLObjectType,
  def: GraphQLField<unknown, unknown>,
  nodes: FieldNode[],
  spec: ConnectionSpec,
): PlanConnection {
  const fields: ConnField[] = [];
  let object: PlanObject | null = null;
  let cursors = false;
  let totalCount = false;
  const nodeSets: SelectionSetNode[] = [];
  const edgeField = connType.getFields().edges;
  const edgeType = edgeField && getNamedType(edgeField.type);
  const nodeField = edgeType && isObjectType(edgeType) ? edgeType.getFields().node : undefined;
  const nodeType = nodeField && getNamedType(nodeField.type);
  if (!isObjectType(edgeType) || !isObjectType(nodeType) || nodeType.name !== spec.type) throw new Unsupported(connType.name);
  for (const [key, fnodes] of collect(schema, fragments, connType, subSets(nodes))) {
    const name = one(fnodes).name.value;
    if (name === '__typename') fields.push({ k: 'typename', key, value: connType.name });
    else if (name === 'totalCount') {
      totalCount = true;
      fields.push({ k: 'totalCount', key });
    } else if (name === 'edges') {
      const edgeFields: (ConnField & { k: 'edges' })['fields'] = [];
      for (const [ekey, enodes] of collect(schema, fragments, edgeType, subSets(fnodes))) {
        const ename = one(enodes).name.value;
        if (ename === '__typename') edgeFields.push({ k: 'typename', key: ekey, value: edgeType.name });
        else if (ename === 'cursor') {
          cursors = true;
          edgeFields.push({ k: 'cursor', key: ekey });
        } else if (ename === 'node') {
          nodeSets.push(...subSets(enodes));
          edgeFields.push({ k: 'node', key: ekey });
        } else throw new Unsupported(`${edgeType.name}.${ename}`);
      }
      fields.push({ k: 'edges', key, typeName: edgeType.name, fields: edgeFields });
    } else if (name === 'pageInfo') {
      const pageType = getNamedType(connType.getFields().pageInfo.type) as GraphQLObjectType;
      const pageFields: (ConnField & { k: 'pageInfo' })['fields'] = [];
      for (const [pkey, pnodes] of collect(schema, fragments, pageType, subSets(fnodes))) {
        const what = one(pnodes).name.value;
        if (what !== 'hasNextPage' && what !== 'hasPreviousPage' && what !== 'startCursor' && what !== 'endCursor' && what !== '__typename') throw new Unsupported(`PageInfo.${what}`);
        if (what === 'startCursor' || what === 'endCursor') cursors = true;
        pageFields.push({ key: pkey, what });
      }
      fields.push({ k: 'pageInfo', key, fields: pageFields });
    } else throw new Unsupported(`${connType.name}.${name}`);
  }
  // Every edges selection of the page shares one node selection (graphql-js merges them alike).
  object = planObject(schema, registry, fragments, nodeType, nodeSets);
  return { def, node: one(nodes), typeName: connType.name, fields, object, cursors, totalCount };
}

/**
 * A shaper for plain JS values (e.g. ScienceField objects): fields read as properties, leaves
 * serialised by their type. Only the object types the modules list as `plainTypes` qualify (every
 * field a property); their fields are checked here to have no arguments.
 */
function plainShaper(
  schema: GraphQLSchema,
  plainTypes: ReadonlySet<string>,
  fragments: Map<string, FragmentDefinitionNode>,
  type: GraphQLField<unknown, unknown>['type'],
  nodes: FieldNode[],
): (v: unknown) => unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = plainShaper(schema, plainTypes, fragments, nullable.ofType, nodes);
    return (v) => (v === null || v === undefined ? null : (v as unknown[]).map(item));
  }
  if (isLeafType(nullable)) return (v) => (v === null || v === undefined ? null : nullable.serialize(v));
  if (!isObjectType(nullable) || !plainTypes.has(nullable.name)) throw new Unsupported('not a plain type');
  const fields = [...collect(schema, fragments, nullable, subSets(nodes))].map(([key, fnodes]) => {
    const name = one(fnodes).name.value;
    if (name === '__typename') return { key, read: () => nullable.name };
    const def = nullable.getFields()[name];
    if (!def || def.args.length) throw new Unsupported(`${nullable.name}.${name}`);
    const shape = plainShaper(schema, plainTypes, fragments, def.type, fnodes);
    return { key, read: (o: Record<string, unknown>) => shape(o[name]) };
  });
  return (v) => {
    if (v === null || v === undefined) return null;
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f.key] = f.read(v as Record<string, unknown>);
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// One request: SQL from the plan and the arguments, then the shaper.

/**
 * A row source as SQL text around two holes: `select <columns> from … where <policy> and <where>`.
 * Sources are knex builders (the services' own queries); compiling one costs more than the rest
 * of a request, so each is compiled once per plan, viewer and filter and then filled as text.
 */
interface Template {
  head: string;
  middle: string;
  bindings: readonly unknown[];
  alias: string;
  joins: Record<string, string>;
}

const COLUMNS_HOLE = '__sql_read_columns__';
const WHERE_HOLE = '__sql_read_where__';

function template(knex: Knex, src: RowSource): Template {
  const { sql, bindings } = src.q.clone().select(knex.raw(COLUMNS_HOLE)).whereRaw(WHERE_HOLE).toSQL();
  const [head, rest, extra] = sql.split(COLUMNS_HOLE);
  const [middle, tail, more] = (rest ?? '').split(WHERE_HOLE);
  // The holes must each appear once, the source must end with its WHERE (no order, limit or group),
  // and every binding must sit between the holes: anything else is a source this compiler cannot fill.
  if (extra !== undefined || more !== undefined || tail !== '' || (head.match(/\?/g) ?? []).length) throw new Error(`sql-read: source cannot be templated: ${sql}`);
  return { head, middle, bindings, alias: src.alias, joins: src.joins ?? {} };
}

/** Templates of one plan node's sources, by viewer and inputs (filters, codes): the 200 used last. */
class Templates {
  private readonly lru = new Lru<Template>(200);
  get(knex: Knex, key: string, make: () => RowSource | null): Template | null {
    let t = this.lru.get(key);
    if (t === undefined) {
      const src = make();
      if (!src) return null;
      this.lru.set(key, (t = template(knex, src)));
    }
    return t;
  }
}

/** The columns an inner query selects for its outer level (x1, x2, …). */
class Level {
  readonly cols: string[] = [];
  readonly bindings: unknown[] = [];
  constructor(readonly x: string) {}
  col(expr: Sql): string {
    if (typeof expr === 'string') this.cols.push(expr);
    else {
      this.cols.push(expr.sql);
      this.bindings.push(...expr.bindings);
    }
    return `${this.x}.c${this.cols.length - 1}`;
  }
  /** `select <columns> from <source> where <policy> and <where> <rest>`, with its bindings in text order. */
  fill(t: Template, where: string, whereBindings: readonly unknown[], rest = '', restBindings: readonly unknown[] = []): { sql: string; bindings: unknown[] } {
    if (!this.cols.length) this.col('1'); // a level may select nothing but __typename
    return {
      sql: `${t.head}${this.cols.map((c, i) => `${c} as c${i}`).join(', ')}${t.middle}${where}${rest}`,
      bindings: [...this.bindings, ...t.bindings, ...whereBindings, ...restBindings],
    };
  }
}

interface Built {
  /** A stage-2 SQL expression (over the level's outer alias) and its bindings, in text order. */
  sql: string;
  bindings: unknown[];
  read: (v: unknown) => unknown;
}

class Compiler {
  private n = 0;
  private readonly viewerKey: string;
  constructor(
    readonly s: ReadScope,
    readonly cache: WeakMap<object, Templates>,
    readonly variables: Record<string, unknown>,
    readonly counts?: CountCache,
  ) {
    this.viewerKey = `${s.viewer.role}|${s.viewer.associationId ?? ''}|${s.viewer.keyId ?? ''}`;
  }

  alias(): string {
    return `x${++this.n}`;
  }

  args(def: GraphQLField<unknown, unknown>, node: FieldNode): Args {
    return getArgumentValues(def, node, this.variables);
  }

  /** The template of a plan node's source for this viewer and these inputs (null: not compiled). */
  template(node: object, inputs: string, make: () => RowSource | null): Template | null {
    let templates = this.cache.get(node);
    if (!templates) this.cache.set(node, (templates = new Templates()));
    return templates.get(this.s.knex, `${this.viewerKey}\n${inputs}`, make);
  }

  /** The JSON array of an object's fields over `level` (the row's table alias `alias`). */
  object(plan: PlanObject, level: Level, alias: string, joins: Record<string, string>): Built {
    const parts: Built[] = [];
    const reads: { key: string; index: number; read: (v: unknown) => unknown }[] = [];
    for (const f of plan.fields) {
      if (f.k === 'typename') {
        const value = f.value;
        reads.push({ key: f.key, index: -1, read: () => value });
        continue;
      }
      const built = this.field(f, level, alias, joins);
      reads.push({ key: f.key, index: parts.length, read: built.read });
      parts.push(built);
    }
    return {
      sql: `json_build_array(${parts.map((p) => p.sql).join(', ')})`,
      bindings: parts.flatMap((p) => p.bindings),
      read: (v) => {
        const row = v as unknown[];
        const out: Record<string, unknown> = {};
        for (const r of reads) out[r.key] = r.read(r.index < 0 ? undefined : row[r.index]);
        return out;
      },
    };
  }

  private field(f: Exclude<PlanField, { k: 'typename' }>, level: Level, alias: string, joins: Record<string, string>): Built {
    switch (f.k) {
      case 'leaf': {
        if (f.spec.kind === 'id') {
          const typeName = f.typeName;
          return { sql: level.col(`${alias}.id`), bindings: [], read: (v) => toGlobalId(typeName, v as number) };
        }
        const type = f.type;
        return { sql: level.col(f.spec.sql(alias, this.s)), bindings: [], read: (v) => (v === null || v === undefined ? null : type.serialize(v)) };
      }
      case 'value': {
        const { value } = f.spec;
        const shape = f.shape;
        return { sql: level.col(f.spec.sql(alias)), bindings: [], read: (v) => shape(v === null || v === undefined ? null : value(v)) };
      }
      case 'joined': {
        const joined = joins[f.spec.join];
        if (!joined) throw new Error(`${f.object.type.type}: no join ${f.spec.join} in this source`);
        return this.object(f.object, level, joined, {});
      }
      case 'object': {
        const key = level.col(f.spec.key(alias));
        const built = this.byKey(f, f.object, key, []);
        const nullable = f.nullable;
        return {
          sql: built.sql,
          bindings: built.bindings,
          read: (v) => {
            if ((v === null || v === undefined) && !nullable) throw new NotPlain(); // the resolver would fail here: let it
            return built.read(v);
          },
        };
      }
      case 'connection': {
        const parentId = level.col(`${alias}.id`);
        return this.connection(f, f.spec, f.conn, parentId);
      }
      case 'list':
        return this.list(f, level.col(`${alias}.id`));
    }
  }

  /** `(select coalesce(json_agg(…), '[]') from (<the rows whose childColumn = parentId, in order>) xN)`. */
  private list(f: PlanField & { k: 'list' }, parentId: string): Built {
    const { spec } = f;
    const t = this.template(f, '', () => spec.source(this.s)) as Template;
    const level = new Level(this.alias());
    const item = this.object(f.object, level, t.alias, t.joins);
    const inner = level.fill(t, `${spec.childColumn} = ${parentId}`, [], ` order by ${spec.order}`);
    const read = item.read;
    return {
      sql: `(select coalesce(json_agg(${item.sql}), '[]'::json) from (${inner.sql}) ${level.x})`,
      bindings: [...item.bindings, ...inner.bindings],
      read: (v) => (v as unknown[]).map(read),
    };
  }

  /** `(select json_build_array(…) from (<the row of object's type whose id = key>) xN)`; null when none is visible. */
  byKey(node: object, object: PlanObject, key: string, keyBindings: unknown[]): Built {
    const byId = object.type.byId;
    if (!byId) throw new Unsupported(`${object.type.type} by id`);
    const t = this.template(node, '', () => byId(this.s)) as Template;
    return this.single(object, t, `${t.alias}.id = ${key}`, keyBindings);
  }

  /** A root row found by its own source (e.g. by code). */
  one(node: object, object: PlanObject, args: Args, source: (s: ReadScope, args: Args) => RowSource | null): Built {
    const t = this.template(node, JSON.stringify(args), () => source(this.s, args));
    if (!t) throw new Unsupported('arguments');
    return this.single(object, t, 'true', []);
  }

  private single(object: PlanObject, t: Template, where: string, whereBindings: unknown[]): Built {
    const level = new Level(this.alias());
    const built = this.object(object, level, t.alias, t.joins);
    const inner = level.fill(t, where, whereBindings, ' limit 1');
    return {
      sql: `(select ${built.sql} from (${inner.sql}) ${level.x})`,
      bindings: [...built.bindings, ...inner.bindings],
      read: (v) => (v === null || v === undefined ? null : built.read(v)),
    };
  }

  /**
   * `json_build_array(<rows of the page, first+1>, <count or null>)`; `parentId` (a column of the
   * parent's level) for a nested page.
   */
  connection(node: object, spec: ConnectionSpec, conn: PlanConnection, parentId: string | null): Built {
    const args = this.args(conn.def, conn.node);
    const first = args.first as number;
    const after = (args.after as string | null | undefined) ?? null;
    // Bounds as the resolvers check them (arg-rules): anything else goes to the ordinary executor.
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw new Unsupported('page size');
    // Sources are templated once per set of inputs: every argument but the page's own (a filter, and
    // any other a source reads, e.g. Forum.threads' section), or a source would keep the first one.
    const { first: _first, after: _after, ...inputArgs } = args;
    const inputs = JSON.stringify(inputArgs);
    const t = this.template(node, inputs, () => spec.source(this.s, args));
    const sort = spec.sort(args);
    if (!t || !sort) throw new Unsupported('arguments');
    const conditions: string[] = [];
    const whereBindings: unknown[] = [];
    if (parentId) conditions.push(`${spec.childColumn} = ${parentId}`);
    if (after) {
      let values: (string | number | null)[];
      try {
        values = decodeCursor(sort, after);
      } catch {
        throw new Unsupported('cursor');
      }
      const k = keysetSql(sort, values);
      conditions.push(k.sql);
      whereBindings.push(...k.bindings);
    }
    const level = new Level(this.alias());
    const nodeBuilt = this.object(conn.object, level, t.alias, t.joins);
    // The cursor's values, as the row holds them (decimals and timestamps as text, as the driver gives them).
    const sortSql = conn.cursors ? level.col(`json_build_array(${sort.columns.map((c) => (c.type === 'decimal' || c.type === 'timestamp' ? `(${c.sql})::text` : c.sql)).join(', ')})`) : null;
    // The page size is written into the text (an integer from 2 to 101, checked above): PostgreSQL
    // plans a prepared statement once for every value of its parameters, and a generic plan for
    // `limit $n` would guess a tenth of the table.
    const inner = level.fill(t, conditions.length ? conditions.join(' and ') : 'true', whereBindings, ` order by ${orderBySql(sort)} limit ${first + 1}`);
    const rowSql = sortSql ? `json_build_array(${nodeBuilt.sql}, ${sortSql})` : `json_build_array(${nodeBuilt.sql})`;
    let countSql = 'null';
    let countKey: string | null = null;
    let cached: { generation: string; count: number } | undefined;
    const countBindings: unknown[] = [];
    if (conn.totalCount) {
      const c = this.template(conn, inputs, () => spec.count(this.s, args));
      if (!c) throw new Unsupported('count');
      const counted = new Level('');
      counted.cols.push('count(*)');
      const filled = counted.fill(c, parentId ? `${spec.childColumn} = ${parentId}` : 'true', []);
      if (parentId === null && this.counts?.enabled) {
        // A root count kept from an earlier request is answered by PostgreSQL without counting
        // when no write has committed since (common/count-cache.ts); the text is the same either way.
        countKey = `${filled.sql}\u0000${JSON.stringify(filled.bindings)}`;
        cached = this.counts.get(countKey);
        countSql = keptCountSql(filled.sql);
        countBindings.push(cached?.generation ?? null, cached?.count ?? null, ...filled.bindings);
      } else {
        countSql = `(${filled.sql})`;
        countBindings.push(...filled.bindings);
      }
    }
    const sql = `json_build_array((select coalesce(json_agg(${rowSql}), '[]'::json) from (${inner.sql}) ${level.x}), ${countSql})`;
    const counts = this.counts;
    const cursorOf = (row: unknown[]) => encodeCursorValues(sort, row[1] as (string | number | null)[]);
    const hasPreviousPage = after !== null;
    const readNode = nodeBuilt.read;
    return {
      sql,
      bindings: [...nodeBuilt.bindings, ...inner.bindings, ...countBindings],
      read: (v) => {
        const [all, counted] = v as [unknown[][], number | string | null | [number | string, string, boolean]];
        let count = counted;
        if (countKey !== null && Array.isArray(counted)) {
          const [made, generation, settled] = counted;
          count = made;
          if (settled && cached?.generation !== generation) counts!.set(countKey, generation, Number(made));
        }
        const more = all.length > first;
        const rows = more ? all.slice(0, first) : all;
        const out: Record<string, unknown> = {};
        for (const f of conn.fields) {
          switch (f.k) {
            case 'typename':
              out[f.key] = f.value;
              break;
            case 'totalCount':
              out[f.key] = Number(count);
              break;
            case 'edges':
              out[f.key] = rows.map((row) => {
                const edge: Record<string, unknown> = {};
                for (const e of f.fields) edge[e.key] = e.k === 'typename' ? e.value : e.k === 'cursor' ? cursorOf(row) : readNode(row[0]);
                return edge;
              });
              break;
            case 'pageInfo': {
              const info: Record<string, unknown> = {};
              for (const p of f.fields) {
                info[p.key] =
                  p.what === '__typename'
                    ? 'PageInfo'
                    : p.what === 'hasNextPage'
                      ? more
                      : p.what === 'hasPreviousPage'
                        ? hasPreviousPage
                        : rows.length === 0
                          ? null
                          : cursorOf(rows[p.what === 'startCursor' ? 0 : rows.length - 1]);
              }
              out[f.key] = info;
              break;
            }
          }
        }
        return out;
      },
    };
  }
}

async function runPlan(
  schema: GraphQLSchema,
  roots: PlanRoot[],
  cache: WeakMap<object, Templates>,
  operation: OperationDefinitionNode,
  context: SqlReadContext,
  rawVariables: Record<string, unknown> | undefined,
): Promise<{ data: Record<string, unknown> } | null> {
  let variables: Record<string, unknown> = {};
  if (operation.variableDefinitions?.length) {
    const coerced = getVariableValues(schema, operation.variableDefinitions, rawVariables ?? {}, { maxErrors: 1 });
    if (coerced.errors) return null;
    variables = coerced.coerced;
  }
  const s: ReadScope = {
    get em() {
      return context.em;
    },
    viewer: context.viewer,
    knex: context.knex,
  };
  const c = new Compiler(s, cache, variables, context.counts);
  const parts: Built[] = [];
  const reads: { key: string; index: number; read: (v: unknown) => unknown }[] = [];
  try {
    for (const r of roots) {
      if (r.k === 'typename') {
        reads.push({ key: r.key, index: -1, read: () => 'Query' });
        continue;
      }
      let built: Built;
      if (r.k === 'connection') built = c.connection(r, r.root, r.conn, null);
      else if (r.k === 'one') built = c.one(r, r.object, c.args(r.def, r.node), r.root.source);
      else {
        const id = c.args(r.def, r.node).id;
        const decoded = typeof id === 'string' ? fromGlobalId(id) : null;
        const object = decoded ? r.objects.get(decoded.type) : undefined;
        if (!decoded || !object) return null;
        built = c.byKey(object, object, '?', [decoded.id]);
      }
      reads.push({ key: r.key, index: parts.length, read: built.read });
      parts.push(built);
    }
  } catch (e) {
    // Arguments the ordinary executor words the error for (or that this path does not compile).
    if (e instanceof Unsupported || isUserInputError(e)) return null;
    throw e;
  }
  const data: Record<string, unknown> = {};
  if (!parts.length) {
    for (const r of reads) data[r.key] = r.read(undefined);
    return { data };
  }
  let row: unknown[];
  try {
    row = await runStatement(context, `select json_build_array(${parts.map((p) => p.sql).join(', ')}) as d`, parts.flatMap((p) => p.bindings));
  } catch {
    // The resolvers meet the same database and answer its errors their way (masked, with their paths).
    return null;
  }
  try {
    for (const r of reads) data[r.key] = r.read(r.index < 0 ? undefined : row[r.index]);
  } catch (e) {
    if (e instanceof NotPlain) return null;
    throw e;
  }
  return { data };
}

/**
 * Runs the one statement on a connection of the ORM's pool (its settings: statement timeout),
 * straight through the driver, as a prepared statement named after its text: planning a statement
 * of nested subqueries costs PostgreSQL more than running it (0.3 ms against 0.15 ms for a page of
 * members), and a document's statements differ only in their parameters (its arguments, the
 * cursor, the viewer's association), so each connection plans each shape once. A connection keeps
 * at most MAX_PREPARED shapes; past that it forgets them all and starts again. The statement is
 * counted in the request's scope.
 */
async function runStatement(context: SqlReadContext, sql: string, bindings: unknown[]): Promise<unknown[]> {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  if (n !== bindings.length) throw new Error(`sql-read: ${n} placeholders for ${bindings.length} bindings`);
  if (context.scope) context.scope.sqlStatements++;
  // A query with a replica reads there, and on the primary if the replica fails (common/read-routing.ts).
  const replica = context.scope?.replica;
  if (replica) return replica.read((knex) => statementOn(knex, text, bindings), () => statementOn(context.knex, text, bindings));
  return statementOn(context.knex, text, bindings);
}

async function statementOn(knex: Knex, text: string, bindings: unknown[]): Promise<unknown[]> {
  const client = (knex as unknown as { client: PoolClient }).client;
  const connection = await client.acquireConnection();
  try {
    const name = statementName(text);
    const prepared = connection.connection.parsedStatements;
    if (!(name in prepared) && Object.keys(prepared).length >= MAX_PREPARED) {
      await connection.query('deallocate all');
      connection.connection.parsedStatements = {};
    }
    // The driver's callback form, not its promise: with the promise, the rows of every read stayed
    // reachable across the next scavenge while the hub idled between requests (bench/README.md,
    // "The nested read's p99 at 1 connection"), and each scavenge copied megabytes of dead answers.
    const result = await new Promise<{ rows: unknown[] }>((resolve, reject) =>
      connection.query({ name, text, values: bindings }, (err, res) => (err ? reject(err) : resolve(res))),
    );
    return (result.rows[0] as { d: unknown[] }).d;
  } finally {
    await client.releaseConnection(connection);
  }
}

/** The name of a statement's text (a hash), remembered for the 2,000 texts used last. */
const NAMES = new Lru<string>(2000);
function statementName(text: string): string {
  let name = NAMES.get(text);
  if (name === undefined) NAMES.set(text, (name = `sql_read_${createHash('sha1').update(text).digest('base64url')}`));
  return name;
}

/** Prepared statements a pooled connection keeps (each holds its plan in the backend's memory). */
const MAX_PREPARED = 500;

interface PgConnection {
  query(q: string | { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  query(q: { name: string; text: string; values: unknown[] }, callback: (err: Error | null, res: { rows: unknown[] }) => void): void;
  /** The driver's wire connection: which named statements this backend has parsed. */
  connection: { parsedStatements: Record<string, string> };
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** Errors the sources raise for arguments (badInput): the ordinary executor raises them again, with their path. */
function isUserInputError(e: unknown): boolean {
  const code = (e as { extensions?: { code?: unknown } })?.extensions?.code;
  return code === 'BAD_USER_INPUT' || (e as { name?: string })?.name === 'GraphQLError';
}

/**
 * A connection's `filter` argument as an instance of its input class, its bounds checked by the
 * same rules as the resolvers' (arg-rules): a broken bound throws BAD_USER_INPUT, which sends
 * the request to the resolvers, who word the error. Null without a filter.
 */
export function filterOf<T extends object>(cls: new () => T, args: Args): T | null {
  if (args.filter === null || args.filter === undefined) return null;
  const filter = Object.assign(new cls(), args.filter);
  checkArgument(filter);
  return filter;
}

/**
 * A connection over a service's filtered rows (`rows(s, filter)`, counted over the same rows),
 * where a filter with a `search` is ranked by similarity and so left to the resolvers.
 */
export function filteredConnection<F extends { search?: string | null }>(
  type: string,
  filterType: new () => F,
  rows: (s: ReadScope, filter: F | null) => RowSource,
  sort: (args: Args) => SortSpec,
  childColumn?: string,
): ConnectionSpec {
  return {
    type,
    ...(childColumn ? { childColumn } : {}),
    source(s, args) {
      const filter = filterOf(filterType, args);
      return filter?.search ? null : rows(s, filter);
    },
    count: (s, args) => rows(s, filterOf(filterType, args)),
    sort,
  };
}

/** Fields read from one column each: `{ fullName: 'full_name' }`. */
export function columnFields(columns: Record<string, string>): Record<string, SqlField> {
  return Object.fromEntries(Object.entries(columns).map(([field, column]) => [field, { kind: 'column', sql: (alias: string) => `${alias}.${column}` } satisfies SqlField]));
}

/** The SQL of a knex builder or raw, for `Sql`. */
export function sqlOf(q: Knex.Raw | Knex.QueryBuilder): { sql: string; bindings: readonly unknown[] } {
  const { sql, bindings } = q.toSQL();
  return { sql, bindings };
}
