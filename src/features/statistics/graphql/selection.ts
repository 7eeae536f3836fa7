import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * The field names selected inside `buckets` (through aliases, fragments and inline
 * fragments; `@include`/`@skip` are ignored, i.e. counted as selected: safe, never less).
 */
export function selectedBucketFields(info: GraphQLResolveInfo): Set<string> {
  const selected = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, inBuckets: boolean) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (inBuckets) selected.add(selection.name.value);
        else if (selection.name.value === "buckets") visit(selection.selectionSet, true);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, inBuckets);
      } else {
        visit(info.fragments[selection.name.value]?.selectionSet, inBuckets);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, false);
  return selected;
}
