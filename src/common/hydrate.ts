import { EntityClass, EntityMetadata, EntityProperty, ReferenceKind } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GRANTS, GRANTS_COLUMN } from './policy';

/** Suffix of a column that holds a related row as JSON (see the MANY_TO_ONE case below). */
export const RELATED_SUFFIX = '__';

/**
 * Turns a row into a read-only entity instance, without the unit of work: read paths never
 * flush, and em.map() (identity map, change-set snapshots) cost more than the whole query on a
 * page of nested results. Relations become `{ id }` stubs, which is all resolvers need to ask
 * their loaders; embeddables are built from their prefixed columns (or JSON for arrays).
 */
export function hydrate<T extends object>(em: EntityManager, entity: EntityClass<T>, row: Record<string, unknown>): T {
  const meta = em.getMetadata().get(entity.name);
  const obj = Object.create(readPrototype(meta)) as Record<string, unknown>;
  for (const prop of meta.props) {
    if (prop.embedded || prop.persist === false) continue; // children of an embeddable are read below
    switch (prop.kind) {
      case ReferenceKind.SCALAR:
        // The driver leaves timestamptz as text ("2026-11-28 01:44:10.748451+00"); Date properties get a Date.
        obj[prop.name] = prop.runtimeType === 'Date' && typeof row[prop.fieldNames[0]] === 'string' ? new Date(row[prop.fieldNames[0]] as string) : row[prop.fieldNames[0]];
        break;
      case ReferenceKind.MANY_TO_ONE: {
        // A read may bring the related row along, in the same statement, as JSON in a column
        // named `<property>__` (RELATED_SUFFIX): then the relation is that entity, not a stub.
        const joined = row[`${prop.name}${RELATED_SUFFIX}`];
        if (joined && typeof joined === 'object' && prop.targetMeta) {
          obj[prop.name] = hydrate(em, prop.targetMeta.class as EntityClass<object>, joined as Record<string, unknown>);
          break;
        }
        const id = row[prop.fieldNames[0]];
        obj[prop.name] = id === null || id === undefined ? null : { id: Number(id) };
        break;
      }
      case ReferenceKind.EMBEDDED:
        obj[prop.name] = embedded(prop, row);
        break;
      default:
        break; // collections are loaded through their own connections
    }
  }
  const grants = row[GRANTS_COLUMN];
  if (grants !== undefined) (obj as Record<symbol, unknown>)[GRANTS] = grants === true;
  return obj as T;
}

const readColumnLists = new WeakMap<object, string[]>();

/**
 * The columns `hydrate` reads for an entity, as `alias.column`: its persisted scalars, relations
 * it owns (ids) and embeddables' columns. Lazy ones (e.g. a generated search column) are left out,
 * so that lists select what they show.
 */
export function readColumns(em: EntityManager, entity: EntityClass<object>, alias: string): string[] {
  const meta = em.getMetadata().get(entity.name);
  let cols = readColumnLists.get(meta);
  if (!cols) {
    const names = new Set<string>();
    for (const p of meta.props) {
      // An embeddable's columns are its children's (scalars); the embeddable itself has none.
      if (p.lazy || p.persist === false || ![ReferenceKind.SCALAR, ReferenceKind.MANY_TO_ONE, ReferenceKind.ONE_TO_ONE].includes(p.kind)) continue;
      if (p.kind === ReferenceKind.ONE_TO_ONE && !p.owner) continue;
      for (const f of p.fieldNames ?? []) names.add(f);
    }
    readColumnLists.set(meta, (cols = [...names]));
  }
  return cols.map((c) => `${alias}.${c}`);
}

const readPrototypes = new WeakMap<object, object>();

/**
 * The prototype of read entities: the entity's own prototype (so `instanceof`, getters and methods
 * work) under a layer of plain writable data properties, one per persisted property. Assignments
 * then create ordinary own properties. Without that layer, each assignment runs MikroORM's setter
 * on the entity prototype, which builds a change-tracking wrapper and an accessor pair per
 * instance: most of the time and garbage of a large page (profiled: 2 s for 35,000 objects).
 */
function readPrototype(meta: EntityMetadata): object {
  let proto = readPrototypes.get(meta);
  if (!proto) {
    const layer: PropertyDescriptorMap = {};
    for (const prop of meta.props) layer[prop.name] = { value: undefined, writable: true, enumerable: false, configurable: true };
    proto = Object.create(meta.class.prototype, layer) as object;
    readPrototypes.set(meta, proto);
  }
  return proto;
}

function embedded(prop: EntityProperty, row: Record<string, unknown>): unknown {
  const Cls = prop.embeddable as unknown as new () => Record<string, unknown>;
  if (prop.array) {
    const list = (row[prop.fieldNames[0]] as Record<string, unknown>[] | null) ?? [];
    return list.map((item) => Object.assign(new Cls(), item));
  }
  const value = new Cls();
  let any = false;
  // Keyed by the embeddable's own property names (a child's `name` carries the prefix).
  for (const [name, child] of Object.entries(prop.embeddedProps)) {
    const v = row[child.fieldNames[0]];
    value[name] = v ?? null;
    if (v !== null && v !== undefined) any = true;
  }
  return any || !prop.nullable ? value : null;
}

/** Column of a joined row naming the parent it was read for (grouped reads: lists per parent). */
export const PARENT = 'parent__';

/** Rows read for many parents (each carries PARENT), as entities grouped by parent, in the rows' order. */
export function groupByParent<T extends object>(em: EntityManager, entity: EntityClass<T>, rows: Record<string, unknown>[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const parent = Number(row[PARENT]);
    let list = out.get(parent);
    if (!list) out.set(parent, (list = []));
    list.push(hydrate(em, entity, row));
  }
  return out;
}
