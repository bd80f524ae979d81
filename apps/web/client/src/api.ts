import { requestGraphQL } from '@pedigree/graphql-client';

/** A partner service's name (`/api/<name>/graphql`): one per member organisation of the consortium. */
export type Org = string;
export type Service = Org | 'forecast';
export type App = 'manufacturer' | 'distributor' | 'dispenser' | 'forecast';
/** A service the web server reaches, as /api/services lists it. */
export interface ServiceInfo { name: string; app: App; label: string }
/** The signed-in user (an API key and what it is for), kept in session storage: closing the tab signs out. */
export interface Session { apiKey: string; org: Org; app: App; role: string; label: string }

let services: ServiceInfo[] = [];

/** The services behind the screens (every member organisation's, and forecast), loaded once at start. */
export async function loadServices(): Promise<ServiceInfo[]> {
  const res = await fetch('api/services').catch(() => undefined);
  services = res?.ok ? (await res.json()) as ServiceInfo[] : [];
  return services;
}

export function partnerServices(): ServiceInfo[] {
  return services.filter((s) => s.app !== 'forecast');
}

export function serviceInfo(name: string): ServiceInfo | undefined {
  return services.find((s) => s.name === name);
}

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
  const m = apiKey.trim().match(/^demo-([a-z][a-z0-9]*)-(admin|operator|pharmacist|planner|auditor)$/);
  return m && m[1] !== 'forecast' ? { org: m[1], role: m[2] } : null;
}

/** The pharmacy whose counter the scan screen serves: the signed-in one, else the first. */
export function pharmacyService(): Service {
  const s = session();
  if (s && s.app === 'dispenser') return s.org;
  return partnerServices().find((x) => x.app === 'dispenser')?.name ?? 'dispenser';
}

/** One GraphQL call through the web server's same-origin proxy, as the signed-in user. */
export function gql<T>(service: Service, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return requestGraphQL<T>(`api/${service}/graphql`, query, variables, { apiKey: session()?.apiKey });
}

export interface Connection<T> { edges: Array<{ node: T }> }
export const nodes = <T>(c: Connection<T>): T[] => c.edges.map((e) => e.node);
