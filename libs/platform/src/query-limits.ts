import {
  ASTVisitor, FieldNode, FragmentDefinitionNode, GraphQLError, IntValueNode, Kind, OperationDefinitionNode, SelectionSetNode, ValidationContext,
} from 'graphql';

/**
 * Limits that stop one request from costing the service (and the ledger behind it) more than a
 * page of work: how deep a query nests, how many aliases it uses (aliases multiply a field), and an
 * estimated cost where a list field multiplies its selection by its `first` argument.
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
  /** Operations in one batched HTTP request. */
  readonly maxBatch: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 30, maxCost: 20_000, maxBatch: 10 };

/** A list without `first` is costed at this many items (the connection default page size). */
const DEFAULT_LIST_SIZE = 20;

export function queryLimitRules(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ((context: ValidationContext) => ASTVisitor)[] {
  return [
    (context) => ({
      OperationDefinition(op: OperationDefinitionNode) {
        const fragments = Object.fromEntries(context.getDocument().definitions
          .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
        const m = measure(op.selectionSet, fragments, 1, new Set());
        const name = op.name?.value ?? 'anonymous';
        if (m.depth > limits.maxDepth) context.reportError(limitError(`operation ${name} nests ${m.depth} levels; at most ${limits.maxDepth}`, 'depth'));
        if (m.aliases > limits.maxAliases) context.reportError(limitError(`operation ${name} uses ${m.aliases} aliases; at most ${limits.maxAliases}`, 'aliases'));
        if (m.cost > limits.maxCost) context.reportError(limitError(`operation ${name} costs about ${m.cost}; at most ${limits.maxCost} (ask for smaller pages)`, 'cost'));
      },
    }),
  ];
}

function limitError(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
}

interface Measure { depth: number; aliases: number; cost: number }

function measure(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, depth: number, seen: Set<string>): Measure {
  let result: Measure = { depth, aliases: 0, cost: 0 };
  for (const sel of set.selections) {
    let m: Measure;
    if (sel.kind === Kind.FIELD) {
      m = measureField(sel, fragments, depth, seen);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      m = measure(sel.selectionSet, fragments, depth, seen);
    } else {
      const f = fragments[sel.name.value];
      // A fragment spread cycle is reported by GraphQL's own rules; do not recurse forever here.
      if (!f || seen.has(f.name.value)) continue;
      m = measure(f.selectionSet, fragments, depth, new Set([...seen, f.name.value]));
    }
    result = { depth: Math.max(result.depth, m.depth), aliases: result.aliases + m.aliases, cost: result.cost + m.cost };
  }
  return result;
}

function measureField(field: FieldNode, fragments: Record<string, FragmentDefinitionNode>, depth: number, seen: Set<string>): Measure {
  const alias = field.alias ? 1 : 0;
  if (!field.selectionSet) return { depth, aliases: alias, cost: 1 };
  const inner = measure(field.selectionSet, fragments, depth + 1, seen);
  const first = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  const size = first?.value.kind === Kind.INT ? Number((first.value as IntValueNode).value) : first ? DEFAULT_LIST_SIZE : 1;
  return { depth: inner.depth, aliases: inner.aliases + alias, cost: 1 + size * inner.cost };
}
