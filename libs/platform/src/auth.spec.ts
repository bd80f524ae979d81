import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AccessError, authConfigFromEnv, Authenticator, demoApiKeys, JwtConfig, localOrganisationKeys, ServiceConfigError, sha256, verifyJwt } from './auth';

const ISSUER = 'https://id.dispenser.example';
const AUDIENCE = 'pedigree';

interface OrgKey { kid: string; org: string; privateKey: CryptoKey; jwk: JWK }
async function orgKey(kid: string, org: string, alg: 'ES256' | 'EdDSA'): Promise<OrgKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
  return { kid, org, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, org } as JWK };
}

let dispenserKey: OrgKey;
let manufacturerKey: OrgKey;
let jwt: JwtConfig;
const now = () => Math.floor(Date.now() / 1000);

async function token(key: OrgKey, claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number | null; alg?: string } = {}): Promise<string> {
  let t = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? (key.jwk.alg as string), kid: key.kid }).setIssuedAt();
  if (opts.iss !== '') t = t.setIssuer(opts.iss ?? ISSUER);
  if (opts.aud !== '') t = t.setAudience(opts.aud ?? AUDIENCE);
  if (opts.exp !== null) t = t.setExpirationTime(opts.exp ?? now() + 600);
  return t.sign(key.privateKey);
}

beforeAll(async () => {
  dispenserKey = await orgKey('dispenser-1', 'DispenserMSP', 'ES256');
  manufacturerKey = await orgKey('manufacturer-1', 'ManufacturerMSP', 'EdDSA');
  jwt = { keys: localOrganisationKeys({ keys: [dispenserKey.jwk, manufacturerKey.jwk] }), issuers: [ISSUER], audience: AUDIENCE };
});

const ann = { sub: 'ann', org: 'DispenserMSP', role: 'pharmacist' };

describe('JWTs (jose, asymmetric per-organisation keys)', () => {
  it('accepts an ES256 token of the key that speaks for its org, and an EdDSA one', async () => {
    await expect(verifyJwt(await token(dispenserKey, ann), jwt)).resolves.toEqual({ subject: 'ann', org: 'DispenserMSP', role: 'pharmacist', via: 'jwt' });
    await expect(verifyJwt(await token(manufacturerKey, { sub: 'mo', org: 'ManufacturerMSP', role: 'operator' }), jwt)).resolves.toMatchObject({ org: 'ManufacturerMSP' });
  });

  it('refuses an expired token, and one without exp', async () => {
    await expect(verifyJwt(await token(dispenserKey, ann, { exp: now() - 60 }), jwt)).rejects.toThrow(/expired/);
    await expect(verifyJwt(await token(dispenserKey, ann, { exp: null }), jwt)).rejects.toThrow(/exp/);
  });

  it('refuses a wrong or missing issuer and a wrong or missing audience', async () => {
    await expect(verifyJwt(await token(dispenserKey, ann, { iss: 'https://evil.example' }), jwt)).rejects.toThrow(/iss/);
    await expect(verifyJwt(await token(dispenserKey, ann, { iss: '' }), jwt)).rejects.toThrow(/iss/);
    await expect(verifyJwt(await token(dispenserKey, ann, { aud: 'another-system' }), jwt)).rejects.toThrow(/aud/);
    await expect(verifyJwt(await token(dispenserKey, ann, { aud: '' }), jwt)).rejects.toThrow(/aud/);
  });

  it('refuses a token one organisation\'s key minted for another organisation', async () => {
    const forged = await token(manufacturerKey, { sub: 'mallory', org: 'DispenserMSP', role: 'admin' });
    await expect(verifyJwt(forged, jwt)).rejects.toThrow(/does not speak for DispenserMSP/);
  });

  it('refuses a key the consortium does not know, under a known kid too', async () => {
    const stranger = await orgKey('dispenser-1', 'DispenserMSP', 'ES256');
    await expect(verifyJwt(await token(stranger, ann), jwt)).rejects.toThrow(/signature/);
    const unknownKid = await orgKey('nobody', 'DispenserMSP', 'ES256');
    await expect(verifyJwt(await token(unknownKid, ann), jwt)).rejects.toThrow(/kid/);
  });

  it('refuses unsigned (alg none), HS256 and tampered tokens', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = { ...ann, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 };
    await expect(verifyJwt(`${enc({ alg: 'none', kid: 'dispenser-1' })}.${enc(claims)}.`, jwt)).rejects.toThrow(AccessError);
    const { createHmac } = await import('node:crypto');
    const head = `${enc({ alg: 'HS256', kid: 'dispenser-1' })}.${enc(claims)}`;
    await expect(verifyJwt(`${head}.${createHmac('sha256', 'guess').update(head).digest('base64url')}`, jwt)).rejects.toThrow(/algorithm/);
    const [h, , s] = (await token(dispenserKey, ann)).split('.');
    await expect(verifyJwt(`${h}.${enc({ ...claims, role: 'admin' })}.${s}`, jwt)).rejects.toThrow(/signature/);
  });

  it('refuses a token without an org and role', async () => {
    await expect(verifyJwt(await token(dispenserKey, { sub: 'ann' }), jwt)).rejects.toThrow(/org and a role/);
  });

  it('a JWKS whose key names no org, or holds a private key, is a configuration error', async () => {
    const { org: _org, ...anonymous } = dispenserKey.jwk as JWK & { org: string };
    expect(() => localOrganisationKeys({ keys: [anonymous] })).toThrow(ServiceConfigError);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'k', org: 'DispenserMSP' } as JWK;
    expect(() => localOrganisationKeys({ keys: [privateJwk] })).toThrow(/private key/);
    expect(() => localOrganisationKeys({ keys: [dispenserKey.jwk, { ...manufacturerKey.jwk, kid: dispenserKey.kid }] })).toThrow(/two keys/);
  });
});

describe('API keys (hashed, compared in constant time)', () => {
  const config = { apiKeys: demoApiKeys(), demo: true };
  const auth = new Authenticator(config, 'DispenserMSP');

  it('keeps no key in the clear: only 32-byte SHA-256 digests', () => {
    for (const k of config.apiKeys) {
      expect(k.sha256).toHaveLength(32);
      expect(Object.values(k).some((v) => typeof v === 'string' && v.startsWith('demo-'))).toBe(false);
    }
  });

  it('admits a key of its own organisation with its role', async () => {
    await expect(auth.authenticate({ 'x-api-key': 'demo-dispenser-pharmacist' })).resolves.toMatchObject({ org: 'DispenserMSP', role: 'pharmacist', via: 'api-key' });
  });

  it('refuses a key of another organisation as FORBIDDEN and an unknown key as UNAUTHENTICATED', async () => {
    await expect(auth.authenticate({ 'x-api-key': 'demo-manufacturer-admin' })).rejects.toMatchObject({ reason: 'FORBIDDEN' });
    await expect(auth.authenticate({ 'x-api-key': 'demo-dispenser-pharmacist ' })).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    await expect(auth.authenticate({})).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
  });

  it('identify admits any organisation (cross-organisation routes), authenticate only its own', async () => {
    await expect(auth.identify({ 'x-api-key': 'demo-distributor-operator' })).resolves.toMatchObject({ org: 'DistributorMSP' });
  });

  it('reads configured keys as hashes and refuses keys given in the clear', async () => {
    const env = { PEDIGREE_API_KEYS: JSON.stringify([{ sha256: sha256('s3cret-key').toString('hex'), subject: 'erp', org: 'DispenserMSP', role: 'operator' }]) };
    const configured = new Authenticator(authConfigFromEnv(env), 'DispenserMSP');
    await expect(configured.authenticate({ 'x-api-key': 's3cret-key' })).resolves.toMatchObject({ subject: 'erp', role: 'operator' });
    await expect(configured.authenticate({ 'x-api-key': 'demo-dispenser-admin' })).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    expect(() => authConfigFromEnv({ PEDIGREE_API_KEYS: JSON.stringify([{ key: 'plain', subject: 'x', org: 'DispenserMSP', role: 'admin' }]) })).toThrow(/in the clear/);
  });
});

describe('demo mode and configuration', () => {
  it('loads the demo keys only when PEDIGREE_DEMO=1 is asked for', () => {
    expect(authConfigFromEnv({ PEDIGREE_DEMO: '1' }).apiKeys).toHaveLength(15);
    expect(() => authConfigFromEnv({})).toThrow(expect.objectContaining({ code: 'AUTH_NOT_CONFIGURED' }));
    expect(() => authConfigFromEnv({ NODE_ENV: 'development' })).toThrow(ServiceConfigError);
  });

  it('refuses demo mode in production, the old HS256 secret, and a JWKS without issuer and audience', () => {
    expect(() => authConfigFromEnv({ PEDIGREE_DEMO: '1', NODE_ENV: 'production' })).toThrow(/production/);
    expect(() => authConfigFromEnv({ PEDIGREE_DEMO: '1', PEDIGREE_JWT_SECRET: 'x' })).toThrow(/HS256/);
    expect(() => authConfigFromEnv({ PEDIGREE_JWKS: '/nonexistent.json' })).toThrow(/PEDIGREE_JWT_ISSUER/);
    expect(() => authConfigFromEnv({ PEDIGREE_JWKS: 'http://idp.example/jwks', PEDIGREE_JWT_ISSUER: 'i', PEDIGREE_JWT_AUDIENCE: 'a' })).toThrow(/https/);
  });
});
