import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';

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

/**
 * A service started without what it needs to refuse strangers (no authentication configured, a
 * malformed key list or JWKS): it must not start. `bootstrapService` prints the message as one line.
 */
export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
  constructor(readonly code: 'AUTH_NOT_CONFIGURED' | 'AUTH_CONFIG_INVALID' | 'LIMIT_CONFIG_INVALID', message: string) {
    super(message);
  }
}

/** An API key as the service keeps it: the SHA-256 of the key, never the key. */
export interface ApiKeyRecord {
  readonly sha256: Buffer;
  readonly subject: string;
  readonly org: string;
  readonly role: UserRole;
}

/** The organisations' JWT signing keys; each key speaks for the organisations its JWK names in `org`. */
export interface OrganisationKeys {
  readonly resolve: JWTVerifyGetKey;
  /** Organisations the key `kid` may issue tokens for (after `resolve` found it). */
  orgsOf(kid: string): readonly string[];
}

export interface JwtConfig {
  readonly keys: OrganisationKeys;
  readonly issuers: readonly string[];
  readonly audience: string;
}

export interface AuthConfig {
  readonly apiKeys: readonly ApiKeyRecord[];
  /** JWT mode is off without a JWKS. */
  readonly jwt?: JwtConfig;
  readonly demo: boolean;
}

/** Asymmetric only: a token cannot pick HS256 (or none) and be checked with a public key as the secret. */
export const JWT_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519'] as const;

const DEFAULT_DEMO_ORGS: Readonly<Record<string, string>> = {
  manufacturer: 'ManufacturerMSP',
  distributor: 'DistributorMSP',
  dispenser: 'DispenserMSP',
};

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The demo organisations: name → MSP ID, from PEDIGREE_DEMO_ORGS (JSON; `npm start` writes it from
 * infra/consortium.yaml, so a second pharmacy gets its own keys) or the first three.
 */
function demoOrgs(env: NodeJS.ProcessEnv): Readonly<Record<string, string>> {
  if (!env.PEDIGREE_DEMO_ORGS) return DEFAULT_DEMO_ORGS;
  let orgs: unknown;
  try {
    orgs = JSON.parse(env.PEDIGREE_DEMO_ORGS);
  } catch {
    throw invalid('PEDIGREE_DEMO_ORGS is not JSON: give {"<name>": "<MSP ID>"}');
  }
  if (!orgs || typeof orgs !== 'object' || Object.entries(orgs).some(([k, v]) => !/^[a-z][a-z0-9]*$/.test(k) || typeof v !== 'string' || !v)) {
    throw invalid('PEDIGREE_DEMO_ORGS must map lower-case names to MSP IDs');
  }
  return orgs as Record<string, string>;
}

/**
 * Demo keys for `npm start` (PEDIGREE_DEMO=1 only): `demo-<name>-<role>` for every demo
 * organisation and role, e.g. `demo-dispenser-pharmacist`, `demo-riverside-pharmacist`. Every service
 * knows the keys of the others so that a key of another organisation is recognised and refused as
 * FORBIDDEN, not mistaken for a typo. Hashed here like configured keys, so no code path holds a key
 * in the clear.
 */
export function demoApiKeys(env: NodeJS.ProcessEnv = process.env): ApiKeyRecord[] {
  return Object.entries(demoOrgs(env)).flatMap(([service, org]) =>
    USER_ROLES.map((role) => ({ sha256: sha256(`demo-${service}-${role}`), subject: `${service}-${role}`, org, role })));
}

function invalid(message: string): ServiceConfigError {
  return new ServiceConfigError('AUTH_CONFIG_INVALID', message);
}

function parseApiKeys(text: string): ApiKeyRecord[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw invalid('PEDIGREE_API_KEYS is not JSON: give [{"sha256","subject","org","role"}]');
  }
  if (!Array.isArray(entries)) throw invalid('PEDIGREE_API_KEYS must be a JSON array');
  return entries.map((e: Record<string, unknown>, i) => {
    const where = `PEDIGREE_API_KEYS[${i}]`;
    if (e.key !== undefined) throw invalid(`${where} holds a key in the clear: give sha256 (hex SHA-256 of the key) instead`);
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(e.sha256)) throw invalid(`${where}.sha256 must be 64 hex digits`);
    if (typeof e.subject !== 'string' || !e.subject) throw invalid(`${where}.subject is required`);
    if (typeof e.org !== 'string' || !e.org) throw invalid(`${where}.org (MSP ID) is required`);
    if (!USER_ROLES.includes(e.role as UserRole)) throw invalid(`${where}: unknown role ${String(e.role)} for ${e.subject}`);
    return { sha256: Buffer.from(e.sha256, 'hex'), subject: e.subject, org: e.org, role: e.role as UserRole };
  });
}

function orgsOfJwk(jwk: JWK & { org?: unknown }): string[] {
  const org = jwk.org;
  if (typeof org === 'string' && org) return [org];
  if (Array.isArray(org) && org.every((o) => typeof o === 'string' && o)) return org as string[];
  return [];
}

/** Two keys under one kid would let either speak for both organisations: such a kid speaks for none. */
function orgsOfKid(set: JSONWebKeySet, kid: string): readonly string[] {
  const keys = set.keys.filter((k) => k.kid === kid);
  return keys.length === 1 ? orgsOfJwk(keys[0]) : [];
}

/** A JWKS on disk: every key must name its kid and the organisation(s) it speaks for. */
export function localOrganisationKeys(set: JSONWebKeySet): OrganisationKeys {
  if (!Array.isArray(set?.keys) || set.keys.length === 0) throw invalid('the JWKS has no keys');
  for (const [i, k] of set.keys.entries()) {
    if (!k.kid) throw invalid(`JWKS key ${i} has no kid`);
    if (!orgsOfJwk(k).length) throw invalid(`JWKS key ${k.kid} names no org it may speak for`);
    if ('d' in k) throw invalid(`JWKS key ${k.kid} is a private key: the services need public keys only`);
    if (set.keys.findIndex((o) => o.kid === k.kid) !== i) throw invalid(`JWKS kid ${k.kid} names two keys`);
  }
  return { resolve: createLocalJWKSet(set), orgsOf: (kid) => orgsOfKid(set, kid) };
}

/** A JWKS served by the consortium's identity providers, fetched and cached by jose. */
export function remoteOrganisationKeys(url: URL): OrganisationKeys {
  const remote = createRemoteJWKSet(url);
  return { resolve: remote, orgsOf: (kid) => orgsOfKid(remote.jwks() ?? { keys: [] }, kid) };
}

function jwtConfigFromEnv(env: NodeJS.ProcessEnv): JwtConfig | undefined {
  const source = env.PEDIGREE_JWKS?.trim();
  if (!source) {
    if (env.PEDIGREE_JWT_SECRET) throw invalid('PEDIGREE_JWT_SECRET (HS256) is no longer accepted: give the organisations\' public keys in PEDIGREE_JWKS');
    return undefined;
  }
  const issuers = (env.PEDIGREE_JWT_ISSUER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const audience = env.PEDIGREE_JWT_AUDIENCE?.trim();
  if (!issuers.length || !audience) throw invalid('PEDIGREE_JWKS needs PEDIGREE_JWT_ISSUER and PEDIGREE_JWT_AUDIENCE');
  let keys: OrganisationKeys;
  if (/^https?:\/\//.test(source)) {
    const url = new URL(source);
    // Keys fetched in the clear could be swapped on the way: plain HTTP only on this machine.
    if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw invalid('PEDIGREE_JWKS must be an https URL (http only on loopback)');
    keys = remoteOrganisationKeys(url);
  } else {
    let set: JSONWebKeySet;
    try {
      set = JSON.parse(fs.readFileSync(source, 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw invalid(`PEDIGREE_JWKS ${source}: ${(err as Error).message.split('\n')[0]}`);
    }
    keys = localOrganisationKeys(set);
  }
  return { keys, issuers, audience };
}

/**
 * From the environment (PEDIGREE_DEMO, PEDIGREE_API_KEYS, PEDIGREE_JWKS, PEDIGREE_JWT_ISSUER,
 * PEDIGREE_JWT_AUDIENCE; libs/platform/README.md says what each means). Without demo mode, configured keys or a JWKS there is no way
 * to tell a partner from a stranger, so this refuses rather than start open.
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const demo = env.PEDIGREE_DEMO === '1' || env.PEDIGREE_DEMO === 'true';
  if (demo && env.NODE_ENV === 'production') throw invalid('PEDIGREE_DEMO=1 loads public demo keys and is refused with NODE_ENV=production');
  const apiKeys = [...(env.PEDIGREE_API_KEYS ? parseApiKeys(env.PEDIGREE_API_KEYS) : []), ...(demo ? demoApiKeys(env) : [])];
  const jwt = jwtConfigFromEnv(env);
  if (!apiKeys.length && !jwt) {
    throw new ServiceConfigError('AUTH_NOT_CONFIGURED', 'no authentication configured: set PEDIGREE_API_KEYS (hashed keys) or PEDIGREE_JWKS with PEDIGREE_JWT_ISSUER and PEDIGREE_JWT_AUDIENCE; PEDIGREE_DEMO=1 for the demo keys');
  }
  return { apiKeys, jwt, demo };
}

let processConfig: AuthConfig | undefined;
/** The process's configuration, read once: the start-up check and the modules see the same keys. */
export function processAuthConfig(): AuthConfig {
  return (processConfig ??= authConfigFromEnv(process.env));
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Authenticates a request's headers; `authenticate` also checks the caller belongs to `org`. */
export class Authenticator {
  constructor(
    private readonly config: AuthConfig,
    readonly org: string,
  ) {}

  /** Who the caller is, whatever their organisation (cross-organisation routes such as VRS). */
  async identify(headers: Headers): Promise<Principal> {
    const apiKey = single(headers['x-api-key']);
    const bearer = single(headers.authorization)?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (apiKey !== undefined && this.config.apiKeys.length) return this.byApiKey(apiKey);
    if (bearer !== undefined && this.config.jwt) return verifyJwt(bearer, this.config.jwt);
    const ways = [this.config.apiKeys.length ? 'an x-api-key header' : '', this.config.jwt ? 'a Bearer JWT' : ''].filter(Boolean);
    throw new AccessError('UNAUTHENTICATED', `authenticate with ${ways.join(' or ')}`);
  }

  /** A user of this service's own organisation. */
  async authenticate(headers: Headers): Promise<Principal> {
    return this.admit(await this.identify(headers));
  }

  admit(principal: Principal): Principal {
    if (principal.org !== this.org) throw new AccessError('FORBIDDEN', `${principal.subject} belongs to ${principal.org}, not to ${this.org}`);
    return principal;
  }

  /**
   * Every record is compared, match or not, with timingSafeEqual over the hashes: neither the
   * position of a match nor a common prefix shows in the time taken.
   */
  private byApiKey(key: string): Principal {
    const given = sha256(key);
    let found: ApiKeyRecord | undefined;
    for (const record of this.config.apiKeys) if (timingSafeEqual(record.sha256, given) && !found) found = record;
    if (!found) throw new AccessError('UNAUTHENTICATED', 'unknown API key');
    return { subject: found.subject, org: found.org, role: found.role, via: 'api-key' };
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * jose checks signature, algorithm (asymmetric only), exp, iss and aud; this adds what only the
 * consortium knows: the key that signed must be one its JWK says may speak for the token's org.
 */
export async function verifyJwt(token: string, config: JwtConfig, now: Date = new Date()): Promise<Principal> {
  let payload: Record<string, unknown>;
  let kid: string | undefined;
  try {
    const verified = await jwtVerify(token, config.keys.resolve, {
      algorithms: [...JWT_ALGORITHMS],
      issuer: [...config.issuers],
      audience: config.audience,
      requiredClaims: ['exp', 'iss', 'aud', 'sub'],
      currentDate: now,
      clockTolerance: 5,
    });
    payload = verified.payload as Record<string, unknown>;
    kid = verified.protectedHeader.kid;
  } catch (err) {
    throw new AccessError('UNAUTHENTICATED', joseReason(err));
  }
  const { sub, org, role } = payload;
  if (typeof sub !== 'string' || typeof org !== 'string' || !USER_ROLES.includes(role as UserRole)) {
    throw new AccessError('UNAUTHENTICATED', 'JWT needs sub, org and a role claim');
  }
  if (!kid || !config.keys.orgsOf(kid).includes(org)) throw new AccessError('UNAUTHENTICATED', `JWT for ${org} is signed with a key that does not speak for ${org}`);
  return { subject: sub, org, role: role as UserRole, via: 'jwt' };
}

function joseReason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'JWT has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `JWT claim ${err.claim} is missing or wrong (${err.reason})`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return `JWT algorithm not accepted (only ${JWT_ALGORITHMS.join(', ')})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'JWT signature is invalid';
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) return 'JWT kid names no key of the consortium';
  if (err instanceof joseErrors.JOSEError) return `JWT refused (${err.code})`;
  return 'malformed JWT';
}
