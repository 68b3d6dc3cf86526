import {
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  isAbstractType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
  valueFromASTUntyped,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination';

/**
 * Limits on what one query may ask for, so that no request, however expensive, slows the hub
 * for everyone: depth, aliases (validation rules, before execution) and a node budget
 * (GitHub style: the sum over connections of the product of page sizes along the path, with a
 * missing `first` counted as its default), checked once the variables are known.
 */

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxNodes: number;
}

/** Connection wrappers (`edges`, and `node` inside an edge) do not count as levels: `edges { node { … } }` is one step down, not three. */
const INTROSPECTION = new Set(['__schema', '__type']);

/** The document's fragment definitions by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/**
 * Memoises a computation per selection set, or per merged group of them, and a key (e.g. a type
 * name), so that a fragment spread many times, or spread inside fragments that are themselves
 * spread many times, is walked once: linear in the document, where expanding fragments per path
 * is exponential. A group met again while it is being computed (a fragment cycle, which validation
 * refuses anyway) counts as `empty` instead of recursing forever.
 */
class SelectionMemo<T> {
  private readonly ids = new Map<SelectionSetNode, number>();
  private readonly done = new Map<string, T>();
  private readonly active = new Set<string>();
  constructor(private readonly empty: T) {}

  get(sets: readonly SelectionSetNode[], key: string, compute: () => T): T {
    const id = `${key}|${[...new Set(sets.map((set) => this.idOf(set)))].sort((a, b) => a - b).join(',')}`;
    const cached = this.done.get(id);
    if (cached !== undefined) return cached;
    if (this.active.has(id)) return this.empty;
    this.active.add(id);
    const value = compute();
    this.active.delete(id);
    this.done.set(id, value);
    return value;
  }

  private idOf(set: SelectionSetNode): number {
    let id = this.ids.get(set);
    if (id === undefined) this.ids.set(set, (id = this.ids.size));
    return id;
  }
}

/**
 * Object levels below a selection set (connection wrappers and introspection not counted): `edges`,
 * and `node` directly inside `edges`, are wrappers; the root `node(id:)` field is a level.
 */
function depthCounter(fragments: Map<string, FragmentDefinitionNode>): (set: SelectionSetNode) => number {
  const memo = new SelectionMemo<number>(0);
  const depthOf = (set: SelectionSetNode, inEdges: boolean): number =>
    memo.get([set], inEdges ? 'edges' : '', () => {
      let max = 0;
      for (const s of set.selections) {
        let level = 0;
        if (s.kind === Kind.FIELD) {
          if (!s.selectionSet || INTROSPECTION.has(s.name.value)) continue; // introspection is exempt
          const wrapper = s.name.value === 'edges' || (inEdges && s.name.value === 'node');
          level = (wrapper ? 0 : 1) + depthOf(s.selectionSet, s.name.value === 'edges');
        } else if (s.kind === Kind.INLINE_FRAGMENT) level = depthOf(s.selectionSet, inEdges);
        else {
          const fragment = fragments.get(s.name.value);
          if (fragment) level = depthOf(fragment.selectionSet, inEdges || fragment.typeCondition.name.value.endsWith('Edge'));
        }
        if (level > max) max = level;
      }
      return max;
    });
  return (set) => depthOf(set, false);
}

function limitError(message: string, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extra } });
}

/** At most `max` object levels below the root (connection wrappers and introspection not counted). */
export function depthLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(op: OperationDefinitionNode) {
      const depth = depthCounter(fragmentsOf(context.getDocument()))(op.selectionSet);
      if (depth > max) {
        context.reportError(limitError(`Query depth limit exceeded: the limit is ${max} levels, this operation has ${depth}`, { limit: 'depth', max, found: depth }));
      }
    },
  });
}

/** At most `max` aliases in a document. */
export function aliasLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node: FieldNode) {
        if (node.alias) count++;
      },
      Document: {
        leave() {
          if (count > max) context.reportError(limitError(`Alias limit exceeded: the limit is ${max} aliases, this document has ${count}`, { limit: 'aliases', max, found: count }));
        },
      },
    };
  };
}

export interface NodeCost {
  total: number;
  /** The most expensive connection path and its product of page sizes. */
  worst: { path: string; nodes: number } | null;
  /** True when the document is too intricate to cost within MAX_COST_STEPS (it is then refused). */
  tooComplex?: boolean;
}

/** Cost of a merged selection for one parent object (multiplier 1); paths are relative to it. */
interface SetCost {
  total: number;
  worst: { path: string[]; nodes: number } | null;
}

const NO_COST: SetCost = { total: 0, worst: null };

/** Selections the cost walk may visit for one operation; real queries need a few hundred. */
export const MAX_COST_STEPS = 100_000;

class TooComplex extends Error {}

function addCost(into: SetCost, part: SetCost, multiplier: number, prefix: string[]): void {
  into.total += multiplier * part.total;
  if (part.worst && (!into.worst || multiplier * part.worst.nodes > into.worst.nodes)) {
    into.worst = { path: [...prefix, ...part.worst.path], nodes: multiplier * part.worst.nodes };
  }
}

/** One response key of a merged selection: its first field (name, arguments) and every sub-selection merged into it. */
interface FieldGroup {
  field: FieldNode;
  sets: SelectionSetNode[];
}

/**
 * The node budget of an operation: for every connection field (a field whose type's name ends in
 * "Connection"), the product of page sizes from the root down to it; the sum over all of them.
 *
 * Fields are merged as execution merges them (the same response key in two fragments is one
 * field, its sub-selections united), so spreading a fragment twice costs nothing more. Cost is
 * linear in the multiplier, so each merged selection is costed once per object type (multiplier 1)
 * and scaled where it is used. Below an interface (`node`), each result is one object type: the
 * costliest possible type counts. Selections left out by `@skip`/`@include` cost nothing. The walk
 * is bounded (MAX_COST_STEPS).
 */
export function nodeCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): NodeCost {
  const fragments = fragmentsOf(document);
  const memo = new SelectionMemo<SetCost>(NO_COST);
  let steps = 0;

  const applies = (condition: string | undefined, type: GraphQLObjectType): boolean => {
    if (!condition || condition === type.name) return true;
    const cond = schema.getType(condition);
    return !!cond && isAbstractType(cond) && schema.isSubType(cond, type);
  };

  /** True when `@skip` or `@include` leaves the selection out, as execution will. */
  const excluded = (s: SelectionNode): boolean =>
    (s.directives ?? []).some((d) => {
      if (d.name.value !== 'skip' && d.name.value !== 'include') return false;
      const arg = d.arguments?.find((a) => a.name.value === 'if');
      const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
      return d.name.value === 'skip' ? value === true : value === false;
    });

  /** The fields of merged selection sets on `type`, grouped by response key, each fragment entered once. */
  const collect = (sets: SelectionSetNode[], type: GraphQLObjectType): Map<string, FieldGroup> => {
    const groups = new Map<string, FieldGroup>();
    const entered = new Set<string>();
    const visit = (set: SelectionSetNode) => {
      for (const s of set.selections) {
        if (++steps > MAX_COST_STEPS) throw new TooComplex();
        if (excluded(s)) continue;
        if (s.kind === Kind.FIELD) {
          const key = s.alias?.value ?? s.name.value;
          const group = groups.get(key) ?? { field: s, sets: [] };
          if (s.selectionSet) group.sets.push(s.selectionSet);
          groups.set(key, group);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          if (applies(s.typeCondition?.name.value, type)) visit(s.selectionSet);
        } else {
          const fragment = fragments.get(s.name.value);
          if (fragment && !entered.has(s.name.value) && applies(fragment.typeCondition.name.value, type)) {
            entered.add(s.name.value);
            visit(fragment.selectionSet);
          }
        }
      }
    };
    for (const set of sets) visit(set);
    return groups;
  };

  const costOf = (sets: SelectionSetNode[], type: GraphQLObjectType): SetCost =>
    memo.get(sets, type.name, () => {
      const cost: SetCost = { total: 0, worst: null };
      for (const { field, sets: subSets } of collect(sets, type).values()) {
        if (INTROSPECTION.has(field.name.value) || field.name.value === '__typename') continue;
        const def = type.getFields()[field.name.value];
        if (!def) continue;
        const named = getNamedType(def.type);
        const wrapper = (field.name.value === 'edges' && type.name.endsWith('Connection')) || (field.name.value === 'node' && type.name.endsWith('Edge'));
        const segment = wrapper ? [] : [field.alias?.value ?? field.name.value];
        let multiplier = 1;
        if (named.name.endsWith('Connection')) {
          const arg = field.arguments?.find((a) => a.name.value === 'first');
          const raw = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
          multiplier = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_PAGE_SIZE;
          addCost(cost, { total: 1, worst: { path: [], nodes: 1 } }, multiplier, segment);
        }
        if (!subSets.length) continue;
        if (isObjectType(named)) addCost(cost, costOf(subSets, named), multiplier, segment);
        else if (isAbstractType(named)) {
          let costliest = NO_COST;
          for (const t of schema.getPossibleTypes(named)) {
            const c = costOf(subSets, t);
            if (c.total > costliest.total) costliest = c;
          }
          addCost(cost, costliest, multiplier, segment);
        }
      }
      return cost;
    });

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  try {
    const cost = root ? costOf([operation.selectionSet], root) : NO_COST;
    return { total: cost.total, worst: cost.worst && { path: cost.worst.path.join('.'), nodes: cost.worst.nodes } };
  } catch (e) {
    if (e instanceof TooComplex) return { total: Infinity, worst: null, tooComplex: true };
    throw e;
  }
}
