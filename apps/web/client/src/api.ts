/** The signed-in user (an API key and what it is for), kept in session storage: closing the tab signs out. */
export type Org = 'manufacturer' | 'distributor' | 'dispenser';
export type Service = Org | 'forecast';
export interface Session { apiKey: string; org: Org; role: string; label: string }

const SESSION_KEY = 'pedigree.session';

export function session(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function signIn(s: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** `demo-<org>-<role>` keys say who they are; other keys need the organisation chosen. */
export function parseDemoKey(apiKey: string): { org: Org; role: string } | null {
  const m = apiKey.trim().match(/^demo-(manufacturer|distributor|dispenser)-(admin|operator|pharmacist|planner|auditor)$/);
  return m ? { org: m[1] as Org, role: m[2] } : null;
}

export class ApiError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

/** One GraphQL call through the web server's same-origin proxy, as the signed-in user. */
export async function gql<T>(service: Service, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const s = session();
  const res = await fetch(`api/${service}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(s ? { 'x-api-key': s.apiKey } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; domainCode?: string } }> };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`${service} answered ${res.status}`);
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(body.errors.map((x) => x.message).join('; '), e.extensions?.domainCode ?? e.extensions?.code);
  }
  return body.data as T;
}

export interface Connection<T> { edges: Array<{ node: T }> }
export const nodes = <T>(c: Connection<T>): T[] => c.edges.map((e) => e.node);
