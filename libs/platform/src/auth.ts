import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a user may do in a partner service. Each resolver names the roles it admits. */
export type UserRole = 'admin' | 'operator' | 'pharmacist' | 'planner' | 'auditor';
export const USER_ROLES: readonly UserRole[] = ['admin', 'operator', 'pharmacist', 'planner', 'auditor'];

/** An authenticated caller: a user of one organisation (MSP ID) with one role. */
export interface Principal {
  readonly subject: string;
  readonly org: string;
  readonly role: UserRole;
  readonly via: 'api-key' | 'jwt';
}

/** Why a request was refused before any resolver ran. */
export class AccessError extends Error {
  override readonly name = 'AccessError';
  constructor(readonly reason: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) {
    super(message);
  }
}

export interface ApiKeyEntry {
  readonly key: string;
  readonly subject: string;
  readonly org: string;
  readonly role: UserRole;
}

export interface AuthConfig {
  readonly modes: ReadonlySet<'api-key' | 'jwt'>;
  readonly apiKeys: readonly ApiKeyEntry[];
  /** HS256 secret; JWT mode is off without one. */
  readonly jwtSecret?: string;
}

const DEMO_ORGS: Readonly<Record<string, string>> = {
  manufacturer: 'ManufacturerMSP',
  distributor: 'DistributorMSP',
  dispenser: 'DispenserMSP',
};

/**
 * Demo keys for `npm start`: `demo-<service>-<role>` for every service and role, e.g.
 * `demo-dispenser-pharmacist`. Every service knows the keys of the others so that a key of another
 * organisation is recognised and refused as FORBIDDEN, not mistaken for a typo.
 */
export function demoApiKeys(): ApiKeyEntry[] {
  return Object.entries(DEMO_ORGS).flatMap(([service, org]) =>
    USER_ROLES.map((role) => ({ key: `demo-${service}-${role}`, subject: `${service}-${role}`, org, role })));
}

/**
 * From the environment:
 * - PEDIGREE_AUTH_MODES: `api-key,jwt` (default both; JWT needs PEDIGREE_JWT_SECRET);
 * - PEDIGREE_API_KEYS: JSON `[{"key","subject","org","role"}]`, replacing the demo keys;
 * - PEDIGREE_DEMO_KEYS=false: no demo keys (production).
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const modes = new Set((env.PEDIGREE_AUTH_MODES ?? 'api-key,jwt').split(',').map((m) => m.trim()).filter(Boolean) as ('api-key' | 'jwt')[]);
  let apiKeys: ApiKeyEntry[] = [];
  if (env.PEDIGREE_API_KEYS) {
    apiKeys = JSON.parse(env.PEDIGREE_API_KEYS) as ApiKeyEntry[];
    for (const k of apiKeys) if (!USER_ROLES.includes(k.role)) throw new Error(`PEDIGREE_API_KEYS: unknown role ${k.role} for ${k.subject}`);
  } else if (env.PEDIGREE_DEMO_KEYS !== 'false' && env.NODE_ENV !== 'production') {
    apiKeys = demoApiKeys();
  }
  return { modes, apiKeys, jwtSecret: env.PEDIGREE_JWT_SECRET || undefined };
}

/** Authenticates a request's headers and checks the caller belongs to `org`. */
export class Authenticator {
  private readonly keys: Map<string, ApiKeyEntry>;

  constructor(
    private readonly config: AuthConfig,
    readonly org: string,
  ) {
    this.keys = new Map(config.apiKeys.map((k) => [k.key, k]));
  }

  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Principal {
    const apiKey = single(headers['x-api-key']);
    const bearer = single(headers.authorization)?.match(/^Bearer\s+(.+)$/i)?.[1];
    let principal: Principal | undefined;
    if (apiKey !== undefined && this.config.modes.has('api-key')) {
      const entry = this.keys.get(apiKey);
      if (!entry) throw new AccessError('UNAUTHENTICATED', 'unknown API key');
      principal = { subject: entry.subject, org: entry.org, role: entry.role, via: 'api-key' };
    } else if (bearer !== undefined && this.config.modes.has('jwt') && this.config.jwtSecret) {
      principal = verifyJwt(bearer, this.config.jwtSecret);
    }
    if (!principal) throw new AccessError('UNAUTHENTICATED', `authenticate with ${[...this.config.modes].map((m) => (m === 'api-key' ? 'an x-api-key header' : 'a Bearer JWT')).join(' or ')}`);
    if (principal.org !== this.org) throw new AccessError('FORBIDDEN', `${principal.subject} belongs to ${principal.org}, not to ${this.org}`);
    return principal;
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** HS256 only: an algorithm the token chooses itself ("none", RS/HS confusion) is never trusted. */
export function verifyJwt(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Principal {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AccessError('UNAUTHENTICATED', 'malformed JWT');
  const [header, payload, signature] = parts;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AccessError('UNAUTHENTICATED', 'JWT signature is invalid');
  let h: { alg?: string };
  let claims: { sub?: string; org?: string; role?: string; exp?: number; nbf?: number };
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString());
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    throw new AccessError('UNAUTHENTICATED', 'malformed JWT');
  }
  if (h.alg !== 'HS256') throw new AccessError('UNAUTHENTICATED', 'JWT must be HS256');
  if (claims.exp !== undefined && nowSeconds >= claims.exp) throw new AccessError('UNAUTHENTICATED', 'JWT has expired');
  if (claims.nbf !== undefined && nowSeconds < claims.nbf) throw new AccessError('UNAUTHENTICATED', 'JWT is not valid yet');
  if (!claims.sub || !claims.org || !USER_ROLES.includes(claims.role as UserRole)) {
    throw new AccessError('UNAUTHENTICATED', 'JWT needs sub, org and a role claim');
  }
  return { subject: claims.sub, org: claims.org, role: claims.role as UserRole, via: 'jwt' };
}

/** Issues an HS256 token (tests, demo tooling). */
export function signJwt(claims: { sub: string; org: string; role: UserRole; exp?: number }, secret: string): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
