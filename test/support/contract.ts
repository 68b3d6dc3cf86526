import { DocumentNode, GraphQLSchema, isInterfaceType, isObjectType, Kind, TypeInfo, visit, visitWithTypeInfo } from 'graphql';

/**
 * The fields of `doc` whose object type has an `id` and whose selection does not select it
 * (unaliased): what a normalised client cache (Apollo Client, urql's graphcache) cannot key. The
 * inline fragments inside a field share its object, so `node(id:) { id ... on Forum { title } }`
 * is fine. One line each: `Type without id at field: { field field … }`. Shared by the README
 * examples' lint and schema/operations/.
 */
export function selectionsWithoutId(schema: GraphQLSchema, doc: DocumentNode): string[] {
  const offences: string[] = [];
  const info = new TypeInfo(schema);
  visit(
    doc,
    visitWithTypeInfo(info, {
      [Kind.FIELD](node) {
        if (!node.selectionSet) return;
        let named: unknown = info.getType();
        while (named && typeof named === 'object' && 'ofType' in named) named = (named as { ofType: unknown }).ofType;
        if (!(isObjectType(named) || isInterfaceType(named)) || !('id' in named.getFields())) return;
        const selections = node.selectionSet.selections;
        if (selections.some((sel) => sel.kind === Kind.FIELD && sel.name.value === 'id' && !sel.alias)) return;
        offences.push(`${named.name} without id at ${node.name.value}: { ${selections.map((sel) => (sel.kind === Kind.FIELD ? sel.name.value : '…')).join(' ')} }`);
      },
    }),
  );
  return offences;
}
