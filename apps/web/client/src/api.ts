import { requestGraphQL } from '@pedigree/graphql-client';

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

/** One GraphQL call through the web server's same-origin proxy, as the signed-in user. */
export function gql<T>(service: Service, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return requestGraphQL<T>(`api/${service}/graphql`, query, variables, { apiKey: session()?.apiKey });
}

export interface Connection<T> { edges: Array<{ node: T }> }
export const nodes = <T>(c: Connection<T>): T[] => c.edges.map((e) => e.node);
