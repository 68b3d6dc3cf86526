import { DocumentNode, FragmentDefinitionNode, Kind, parse, SelectionSetNode } from 'graphql';
import { fragmentsOf } from '../query-limits';

/** Which requests are introspection: they take from buckets of their own (see middleware.ts). */

/**
 * The root fields that make a request introspection. `__typename` may stand beside them, but a
 * document selecting only `__typename` is an ordinary request: it is no explorer's, and would
 * otherwise be free of the data buckets.
 */
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);
/**
 * The cheap test before parsing: only a document naming `__schema` or `__type` as a whole name
 * (`\b`: GraphQL names are `[_0-9A-Za-z]`, so `__typename` does not match) can be introspection.
 * Any request may select `__typename` (Apollo Client adds it to every selection set): those
 * documents are not parsed here.
 */
const NAMES_INTROSPECTION = /\b__(?:schema|type)\b/;
/** Introspection documents are small: anything longer is counted without being parsed here. */
const MAX_INTROSPECTION_CHARS = 50_000;
const MAX_INTROSPECTION_TOKENS = 2_000;

/**
 * True when every operation of the document is a query selecting only `__schema`, `__type` or
 * `__typename` at its root (through fragments too), and `__schema` or `__type` is among them.
 * Anything else, an unparsable document included, is an ordinary request.
 */
export function isIntrospectionOnly(query: string | undefined): boolean {
  if (!query || query.length > MAX_INTROSPECTION_CHARS || !NAMES_INTROSPECTION.test(query)) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_INTROSPECTION_TOKENS });
  } catch {
    return false;
  }
  const fragments = fragmentsOf(document);
  const found = { introspection: false };
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) continue;
    if (d.kind !== Kind.OPERATION_DEFINITION || d.operation !== 'query') return false;
    if (!onlyIntrospection(d.selectionSet, fragments, new Set(), found)) return false;
    operations++;
  }
  // The text test also passes `__schema` in a comment, a string or an alias: the fields decide.
  return operations > 0 && found.introspection;
}

function onlyIntrospection(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>, found: { introspection: boolean }): boolean {
  return set.selections.every((s) => {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === '__typename') return true;
      if (!INTROSPECTION_FIELDS.has(s.name.value)) return false;
      found.introspection = true;
      return true;
    }
    if (s.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(s.selectionSet, fragments, seen, found);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return false; // unknown, cyclic (invalid anyway) or spread twice
    return onlyIntrospection(fragment.selectionSet, fragments, seen.add(s.name.value), found); // one set per operation: each fragment is entered once, not 2^n times
  });
}
