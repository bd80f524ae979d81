import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { AtpCredentialRefused, JwtAtpCredentialPresenter, JwtAtpCredentialVerifier, signJws, type AtpRefusalReason } from './atp-credential';

const REQ_GLN = '0345678000007';
const NOW = new Date('2026-12-01T15:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);

function keys(curve: 'secp256k1' | 'P-256' | 'ed25519'): { pub: JsonWebKey; priv: JsonWebKey } {
  const pair = curve === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: curve === 'P-256' ? 'prime256v1' : 'secp256k1' });
  return { pub: pair.publicKey.export({ format: 'jwk' }), priv: pair.privateKey.export({ format: 'jwk' }) };
}

const issuer = keys('secp256k1');
const holder = keys('secp256k1');
const stranger = keys('secp256k1');
const ISSUER = 'did:web:atp-issuer.example';

function credential(over: { payload?: Record<string, unknown>; vc?: Record<string, unknown>; key?: JsonWebKey; holderPub?: JsonWebKey } = {}): string {
  return signJws({ typ: 'JWT' }, {
    iss: ISSUER, sub: 'did:web:continental.example', jti: 'urn:uuid:atp-1', nbf: now - 86_400, exp: now + 86_400 * 365, cnf: { jwk: over.holderPub ?? holder.pub },
    vc: { type: ['VerifiableCredential', 'DSCSAATPCredential'], credentialSubject: { id: 'did:web:continental.example', gln: REQ_GLN }, ...over.vc },
    ...over.payload,
  }, over.key ?? issuer.priv);
}

function presentation(over: { payload?: Record<string, unknown>; credentials?: unknown[]; key?: JsonWebKey } = {}): string {
  return signJws({ typ: 'JWT' }, {
    iss: 'did:web:continental.example', aud: '0312345000004', iat: now - 10,
    vp: { type: ['VerifiablePresentation'], verifiableCredential: over.credentials ?? [credential()] }, ...over.payload,
  }, over.key ?? holder.priv);
}

const verifier = new JwtAtpCredentialVerifier({ issuers: [{ id: ISSUER, jwk: issuer.pub }], revoked: ['urn:uuid:revoked'] });
const expected = { reqGLN: REQ_GLN, at: NOW, audience: '0312345000004' };

async function reason(vp: string | undefined, v: JwtAtpCredentialVerifier = verifier): Promise<AtpRefusalReason | 'accepted' | 'absent'> {
  try {
    return (await v.check(vp, expected)) ? 'accepted' : 'absent';
  } catch (err) {
    if (err instanceof AtpCredentialRefused) {
      expect(err.code).toBe('ATP_CREDENTIAL_INVALID');
      return err.reason;
    }
    throw err;
  }
}

describe('JwtAtpCredentialVerifier (an ATP credential presentation with a VRS request)', () => {
  it('accepts a fresh ES256K presentation of a trusted ATP credential naming reqGLN, and says what it established', async () => {
    await expect(verifier.check(presentation(), expected)).resolves.toEqual({
      holder: 'did:web:continental.example', issuer: ISSUER, credentialId: 'urn:uuid:atp-1', types: ['VerifiableCredential', 'DSCSAATPCredential'],
      glns: [REQ_GLN], expiresAt: new Date((now + 86_400 * 365) * 1000).toISOString(),
    });
  });

  it.each(['P-256', 'ed25519'] as const)('accepts %s keys too', async (curve) => {
    const i = keys(curve);
    const h = keys(curve);
    const v = new JwtAtpCredentialVerifier({ issuers: [{ id: ISSUER, jwk: i.pub }] });
    expect(await reason(presentation({ key: h.priv, credentials: [credential({ key: i.priv, holderPub: h.pub })] }), v)).toBe('accepted');
  });

  it('a missing presentation is allowed unless one is required', async () => {
    expect(await reason(undefined)).toBe('absent');
    expect(await reason(undefined, new JwtAtpCredentialVerifier({ issuers: [{ id: ISSUER, jwk: issuer.pub }], required: true }))).toBe('vp_required');
  });

  const cases: Array<[string, () => string, AtpRefusalReason]> = [
    ['not a JWT', () => 'not-a-jwt', 'jwt_invalid'],
    ['a JWT with a JSON array payload', () => `${Buffer.from('{"alg":"ES256K"}').toString('base64url')}.${Buffer.from('[]').toString('base64url')}.AA`, 'jwt_invalid'],
    ['issued 6 minutes ago', () => presentation({ payload: { iat: now - 360 } }), 'vp_iat_expired'],
    ['issued in the future', () => presentation({ payload: { iat: now + 600 } }), 'vp_iat_expired'],
    ['no iat', () => presentation({ payload: { iat: undefined } }), 'vp_iat_expired'],
    ['expired', () => presentation({ payload: { exp: now - 1 } }), 'vp_iat_expired'],
    ['addressed to another responder', () => presentation({ payload: { aud: '0399999000001' } }), 'jwt_invalid'],
    ['no credential', () => presentation({ credentials: [] }), 'vc_not_found'],
    ['only an identity credential', () => presentation({ credentials: [credential({ vc: { type: ['VerifiableCredential', 'IdentityCredential'] } })] }), 'vc_not_found'],
    ['an untrusted issuer', () => presentation({ credentials: [credential({ payload: { iss: 'did:web:someone-else.example' } })] }), 'vc_non_trusted_issuer'],
    ['a credential signed by another key', () => presentation({ credentials: [credential({ key: stranger.priv })] }), 'vc_proof_invalid'],
    ['an expired credential', () => presentation({ credentials: [credential({ payload: { exp: now - 60 } })] }), 'vc_exp_expired'],
    ['a credential not yet valid', () => presentation({ credentials: [credential({ payload: { nbf: now + 3600 } })] }), 'vc_exp_expired'],
    ['a revoked credential', () => presentation({ credentials: [credential({ payload: { jti: 'urn:uuid:revoked' } })] }), 'vc_revoked'],
    ['a presentation signed by someone other than the holder (stolen credential)', () => presentation({ key: stranger.priv }), 'vp_proof_invalid'],
    ['a credential with no holder key', () => presentation({ credentials: [credential({ payload: { cnf: undefined } })] }), 'vp_proof_invalid'],
    ['a presentation issued by another subject', () => presentation({ payload: { iss: 'did:web:mallory.example' } }), 'vp_proof_invalid'],
    ['a credential for another GLN', () => presentation({ credentials: [credential({ vc: { credentialSubject: { gln: '0356789000008' } } })] }), 'gln_mismatch'],
  ];
  it.each(cases)('refuses %s', async (_name, vp, expectedReason) => {
    expect(await reason(vp())).toBe(expectedReason);
  });

  it('a good credential after a bad one in the same presentation is accepted', async () => {
    expect(await reason(presentation({ credentials: [credential({ key: stranger.priv }), credential()] }))).toBe('accepted');
  });

  it('the requester presenter makes presentations the verifier accepts', async () => {
    const presenter = new JwtAtpCredentialPresenter({ credential: credential({ payload: { nbf: 0, exp: now + 86_400 * 365 * 50 } }), holderKey: holder.priv, holder: 'did:web:continental.example' });
    const vp = await presenter.present('0312345000004');
    await expect(verifier.check(vp, { ...expected, at: new Date() })).resolves.toMatchObject({ issuer: ISSUER });
  });
});
