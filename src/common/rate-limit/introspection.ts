import { DocumentNode, FragmentDefinitionNode, Kind, parse, SelectionSetNode } from 'graphql';
import { fragmentsOf } from '../query-limits';

/** Which requests are introspection: they take from buckets of their own (see middleware.ts). */

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);
/** Introspection documents are small: anything longer is counted without being parsed here. */
const MAX_INTROSPECTION_CHARS = 50_000;
const MAX_INTROSPECTION_TOKENS = 2_000;

/**
 * True when every operation of the document is a query selecting only `__schema`, `__type` or
 * `__typename` at its root (through fragments too). Anything else, an unparsable document
 * included, is an ordinary request.
 */
export function isIntrospectionOnly(query: string | undefined): boolean {
  if (!query || query.length > MAX_INTROSPECTION_CHARS || !query.includes('__')) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_INTROSPECTION_TOKENS });
  } catch {
    return false;
  }
  const fragments = fragmentsOf(document);
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) continue;
    if (d.kind !== Kind.OPERATION_DEFINITION || d.operation !== 'query') return false;
    if (!onlyIntrospection(d.selectionSet, fragments, new Set())) return false;
    operations++;
  }
  return operations > 0;
}

function onlyIntrospection(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  return set.selections.every((s) => {
    if (s.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(s.name.value);
    if (s.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return false; // unknown, cyclic (invalid anyway) or spread twice
    return onlyIntrospection(fragment.selectionSet, fragments, seen.add(s.name.value)); // one set per operation: each fragment is entered once, not 2^n times
  });
}

