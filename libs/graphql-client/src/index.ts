/**
 * GraphQL over HTTP, as every client of the services speaks it: the web screens (in the browser),
 * the demo seeder, the benchmarks and the tests. Only `fetch`: no Node, NestJS or Fabric import, so
 * the browser build takes it as it is.
 */
export interface GraphQLErrorEntry {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: string; readonly domainCode?: string; readonly retryable?: boolean; readonly [key: string]: unknown };
}

/** The body of a GraphQL answer: data, errors or both. */
export interface GraphQLResponse<T> {
  readonly data?: T | null;
  readonly errors?: GraphQLErrorEntry[];
}

export interface GraphQLRequestOptions {
  /** Sent as `x-api-key` (the services' demo and API keys). */
  readonly apiKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A GraphQL answer with errors, or one that is not GraphQL at all (a proxy's 502, an HTML page). */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';

  constructor(message: string, readonly errors: GraphQLErrorEntry[] = [], readonly status?: number) {
    super(message);
  }

  /** The first error's domain code (a refusal of the domain) or else its GraphQL code. */
  get code(): string | undefined {
    const e = this.errors[0]?.extensions;
    return e?.domainCode ?? e?.code;
  }
}

/**
 * POSTs one operation to `url` (the endpoint itself, e.g. http://127.0.0.1:4001/graphql) and returns
 * the answer as it came, errors included: for callers that look at the errors (tests, fault clients).
 * Throws GraphQLRequestError only when the answer is not a GraphQL body; network failures are fetch's.
 */
export async function postGraphQL<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, options: GraphQLRequestOptions = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}), ...options.headers },
    body: JSON.stringify({ query, variables }),
    signal: options.signal,
  });
  const text = await res.text();
  try {
    const body = JSON.parse(text) as GraphQLResponse<T>;
    if (body && typeof body === 'object') return body;
  } catch { /* not JSON: reported below */ }
  throw new GraphQLRequestError(`${url} answered ${res.status}: ${text.slice(0, 200)}`, [], res.status);
}

/** The data of an operation that must succeed; any GraphQL error is thrown, all messages joined. */
export async function requestGraphQL<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, options: GraphQLRequestOptions = {}): Promise<T> {
  const body = await postGraphQL<T>(url, query, variables, options);
  if (body.errors?.length) throw new GraphQLRequestError(body.errors.map(describeError).join('; '), body.errors);
  return body.data as T;
}

function describeError(e: GraphQLErrorEntry): string {
  const code = e.extensions?.domainCode ?? e.extensions?.code;
  return code ? `${code}: ${e.message}` : e.message;
}
