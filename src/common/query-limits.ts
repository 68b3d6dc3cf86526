import {
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
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

/** Connection wrappers do not count as levels: `edges { node { … } }` is one step down, not three. */
const WRAPPERS = new Set(['edges', 'node']);
const INTROSPECTION = new Set(['__schema', '__type']);

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** Fields of a selection set, fragments inlined (a fragment already on the path is not entered twice). */
function fieldsOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string> = new Set()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet, fragments, seen));
    else {
      const f = fragments.get(s.name.value);
      if (f && !seen.has(f.name.value)) out.push(...fieldsOf(f.selectionSet, fragments, new Set([...seen, f.name.value])));
    }
  }
  return out;
}

function depthOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): number {
  let max = 0;
  for (const field of fieldsOf(set, fragments)) {
    if (!field.selectionSet || INTROSPECTION.has(field.name.value)) continue; // introspection is exempt
    const level = (WRAPPERS.has(field.name.value) ? 0 : 1) + depthOf(field.selectionSet, fragments);
    if (level > max) max = level;
  }
  return max;
}

function limitError(message: string, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extra } });
}

/** At most `max` object levels below the root (connection wrappers and introspection not counted). */
export function depthLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(op: OperationDefinitionNode) {
      const depth = depthOf(op.selectionSet, fragmentsOf(context.getDocument()));
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
}

/**
 * The node budget of an operation: for every connection field (a field whose type's name ends in
 * "Connection"), the product of page sizes from the root down to it; the sum over all of them.
 */
export function nodeCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): NodeCost {
  const fragments = fragmentsOf(document);
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  const cost: NodeCost = { total: 0, worst: null };
  const walk = (set: SelectionSetNode, type: GraphQLObjectType | null, multiplier: number, path: string[]) => {
    for (const field of fieldsOf(set, fragments)) {
      if (INTROSPECTION.has(field.name.value) || field.name.value === '__typename') continue;
      const def = type?.getFields()[field.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      let m = multiplier;
      const here = WRAPPERS.has(field.name.value) ? path : [...path, field.alias?.value ?? field.name.value];
      if (named.name.endsWith('Connection')) {
        const arg = field.arguments?.find((a) => a.name.value === 'first');
        const raw = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
        const first = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_PAGE_SIZE;
        m = multiplier * first;
        cost.total += m;
        if (!cost.worst || m > cost.worst.nodes) cost.worst = { path: here.join('.'), nodes: m };
      }
      if (field.selectionSet) {
        const next = isObjectType(named) ? named : isInterfaceType(named) ? null : null;
        // Through an interface (Node), the fragments name concrete types: follow each.
        if (next) walk(field.selectionSet, next, m, here);
        else if (isInterfaceType(named)) {
          for (const t of schema.getPossibleTypes(named)) walk(field.selectionSet, t, m, here);
        }
      }
    }
  };
  if (root) walk(operation.selectionSet, root, 1, []);
  return cost;
}
