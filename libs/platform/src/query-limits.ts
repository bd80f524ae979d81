import {
  ASTVisitor, DocumentNode, FieldNode, FragmentDefinitionNode, getNamedType, GraphQLError, GraphQLSchema, isCompositeType, Kind, OperationDefinitionNode,
  SelectionSetNode, ValidationContext, ValueNode, type GraphQLCompositeType, type GraphQLField,
} from 'graphql';

/**
 * Limits that stop one request from costing the service (and the ledger behind it) more than a
 * page of work: how deep a query nests, how many aliases it uses (aliases multiply a field), and an
 * estimated cost where a paginated field multiplies its selection by the page it will really return.
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
  /** Operations in one batched HTTP request. */
  readonly maxBatch: number;
  /** What a resolver returns when `first` is omitted (libs/partner: DEFAULT_PAGE). */
  readonly defaultPageSize: number;
  /** The largest `first` a resolver accepts; a variable page size not known yet is costed at this. */
  readonly maxPageSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 30, maxCost: 20_000, maxBatch: 10, defaultPageSize: 20, maxPageSize: 200 };

/** Depth and aliases do not depend on variables: graphql-js validation checks them (and caches it). */
export function queryLimitRules(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ((context: ValidationContext) => ASTVisitor)[] {
  return [
    (context) => ({
      OperationDefinition(op: OperationDefinitionNode) {
        const m = measureOperation(context.getSchema(), context.getDocument(), op, undefined, limits);
        const name = op.name?.value ?? 'anonymous';
        if (m.depth > limits.maxDepth) context.reportError(limitError(`operation ${name} nests ${m.depth} levels; at most ${limits.maxDepth}`, 'depth'));
        if (m.aliases > limits.maxAliases) context.reportError(limitError(`operation ${name} uses ${m.aliases} aliases; at most ${limits.maxAliases}`, 'aliases'));
      },
    }),
  ];
}

export function limitError(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
}

/** One operation of an HTTP request, as the client sent it. */
export interface OperationRequest {
  readonly document: DocumentNode;
  readonly operationName?: string | null;
  readonly variables?: Record<string, unknown> | null;
}

export interface RequestCost {
  readonly cost: number;
  readonly aliases: number;
}

/**
 * The cost of a whole HTTP request: every operation of a batch summed, aliases too, because one
 * batch of ten operations is the same work as one operation with their fields side by side.
 */
export function requestCost(schema: GraphQLSchema, operations: readonly OperationRequest[], limits: QueryLimits = DEFAULT_QUERY_LIMITS): RequestCost {
  let cost = 0;
  let aliases = 0;
  for (const o of operations) {
    const ops = o.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    // Only the named operation runs; without a name (or a name not there) every one is costed.
    const chosen = ops.filter((d) => o.operationName && d.name?.value === o.operationName);
    for (const op of chosen.length ? chosen : ops) {
      const m = measureOperation(schema, o.document, op, o.variables ?? {}, limits);
      cost += m.cost;
      aliases += m.aliases;
    }
  }
  return { cost, aliases };
}

/** The refusal of a request over the limits, or undefined when it may run. */
export function requestCostError(schema: GraphQLSchema, operations: readonly OperationRequest[], limits: QueryLimits = DEFAULT_QUERY_LIMITS): GraphQLError | undefined {
  const { cost, aliases } = requestCost(schema, operations, limits);
  const what = operations.length > 1 ? `these ${operations.length} operations` : 'this operation';
  if (aliases > limits.maxAliases) return limitError(`${what} use ${aliases} aliases; at most ${limits.maxAliases}`, 'aliases');
  if (cost > limits.maxCost) return limitError(`${what} cost about ${cost}; at most ${limits.maxCost} (ask for smaller pages)`, 'cost');
  return undefined;
}

interface Measure { depth: number; aliases: number; cost: number }

interface Walk {
  readonly schema: GraphQLSchema;
  readonly fragments: Record<string, FragmentDefinitionNode>;
  /** Undefined in validation (values not known yet): variables are costed at the largest page. */
  readonly variables: Record<string, unknown> | undefined;
  readonly defaults: Record<string, ValueNode | undefined>;
  readonly limits: QueryLimits;
}

function measureOperation(schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown> | undefined, limits: QueryLimits): Measure {
  const fragments = Object.fromEntries(document.definitions
    .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const defaults = Object.fromEntries((op.variableDefinitions ?? []).map((v) => [v.variable.name.value, v.defaultValue]));
  const root = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  return measure(op.selectionSet, root ?? undefined, { schema, fragments, variables, defaults, limits }, 1, new Set());
}

function measure(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, w: Walk, depth: number, seen: Set<string>): Measure {
  let result: Measure = { depth, aliases: 0, cost: 0 };
  for (const sel of set.selections) {
    let m: Measure;
    if (sel.kind === Kind.FIELD) {
      m = measureField(sel, parent, w, depth, seen);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      m = measure(sel.selectionSet, typeNamed(w.schema, sel.typeCondition?.name.value) ?? parent, w, depth, seen);
    } else {
      const f = w.fragments[sel.name.value];
      // A fragment spread cycle is reported by GraphQL's own rules; do not recurse forever here.
      if (!f || seen.has(f.name.value)) continue;
      m = measure(f.selectionSet, typeNamed(w.schema, f.typeCondition.name.value), w, depth, new Set([...seen, f.name.value]));
    }
    result = { depth: Math.max(result.depth, m.depth), aliases: result.aliases + m.aliases, cost: result.cost + m.cost };
  }
  return result;
}

function typeNamed(schema: GraphQLSchema, name: string | undefined): GraphQLCompositeType | undefined {
  const t = name ? schema.getType(name) : undefined;
  return t && isCompositeType(t) ? t : undefined;
}

function fieldOf(parent: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return parent && 'getFields' in parent ? parent.getFields()[name] : undefined;
}

function measureField(field: FieldNode, parent: GraphQLCompositeType | undefined, w: Walk, depth: number, seen: Set<string>): Measure {
  const alias = field.alias ? 1 : 0;
  if (!field.selectionSet) return { depth, aliases: alias, cost: 1 };
  const def = fieldOf(parent, field.name.value);
  const inner = measure(field.selectionSet, def ? (getNamedType(def.type) as GraphQLCompositeType) : undefined, w, depth + 1, seen);
  return { depth: inner.depth, aliases: inner.aliases + alias, cost: 1 + pageSize(field, def, w) * inner.cost };
}

/** How many items a paginated field will return: what the resolver will really do, never less. */
function pageSize(field: FieldNode, def: GraphQLField<unknown, unknown> | undefined, w: Walk): number {
  const given = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  const declared = def?.args.find((a) => a.name === 'first' || a.name === 'last');
  if (!given) {
    if (!declared) return 1;
    return typeof declared.defaultValue === 'number' ? declared.defaultValue : w.limits.defaultPageSize;
  }
  return sizeOf(given.value, w);
}

function sizeOf(value: ValueNode, w: Walk): number {
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  if (value.kind === Kind.NULL) return w.limits.defaultPageSize;
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    if (!w.variables) return w.limits.maxPageSize;
    const actual = w.variables[name];
    if (typeof actual === 'number' && Number.isFinite(actual)) return Math.max(1, Math.ceil(actual));
    if (actual === null) return w.limits.defaultPageSize;
    const fallback = w.defaults[name];
    if (actual === undefined && fallback) return sizeOf(fallback, { ...w, variables: undefined });
    if (actual === undefined) return w.limits.defaultPageSize;
    // A value that is not a number is refused by coercion later; cost it at the largest page meanwhile.
    return w.limits.maxPageSize;
  }
  return w.limits.maxPageSize;
}
