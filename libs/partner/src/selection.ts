import { GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the client's query asks for the field at `path` below the resolved field (e.g.
 * `['edges', 'node', 'epcisEvent']`), through inline fragments and fragment spreads. Lets a
 * resolver skip loading a heavy column nobody asked for (a lot trace's EPCIS JSON).
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  const walk = (set: SelectionSetNode | undefined, rest: readonly string[]): boolean => {
    if (!set) return false;
    return set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === rest[0] && (rest.length === 1 || walk(sel.selectionSet, rest.slice(1)));
      if (sel.kind === Kind.INLINE_FRAGMENT) return walk(sel.selectionSet, rest);
      return walk(info.fragments[sel.name.value]?.selectionSet, rest);
    });
  };
  return info.fieldNodes.some((node) => walk(node.selectionSet, path));
}
