import { createPublicKey, createPrivateKey, randomUUID, sign as cryptoSign, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DomainError } from '@pedigree/domain';

/**
 * Authorized-trading-partner (ATP) credentials as OCI's VRS profile carries them: a verifiable
 * presentation (a JWT signed by the holder) that wraps credentials (JWTs signed by a trusted
 * issuer) saying the holder is an ATP, and for which GLNs. The verifier is a port so a wallet
 * service or a DID resolver can replace the adapter here without touching the responder.
 *
 * The adapter verifies signatures with node:crypto rather than jose: OCI presentations are ES256K
 * (secp256k1), which jose does not support; ES256 and EdDSA (Ed25519) are accepted too.
 */

/** OCI's error codes where one applies; `vp_required`, `vp_proof_invalid` and `gln_mismatch` are ours. */
export type AtpRefusalReason =
  | 'vp_required' | 'jwt_invalid' | 'vp_iat_expired' | 'vp_proof_invalid' | 'vc_not_found' | 'vc_non_trusted_issuer'
  | 'vc_proof_invalid' | 'vc_exp_expired' | 'vc_revoked' | 'gln_mismatch';

/** A refused presentation: the responder answers 401 (`vp_required`) or 403 and records nothing. */
export class AtpCredentialRefused extends DomainError {
  constructor(readonly reason: AtpRefusalReason, message: string) {
    super('ATP_CREDENTIAL_INVALID', message, { reason });
  }
}

/** What an accepted presentation established. */
export interface AtpPresentationCheck {
  readonly holder: string | null;
  readonly issuer: string;
  readonly credentialId: string | null;
  readonly types: readonly string[];
  readonly glns: readonly string[];
  readonly expiresAt: string | null;
}

export interface AtpExpectation {
  readonly reqGLN: string;
  readonly at: Date;
  /** When set, a presentation's `aud` must be it (the responder's GLN or URL). */
  readonly audience?: string;
}

/** The port: undefined when no presentation came and none is required; throws AtpCredentialRefused otherwise. */
export interface AtpCredentialVerifier {
  readonly required: boolean;
  check(presentation: string | undefined, expected: AtpExpectation): Promise<AtpPresentationCheck | undefined>;
}

/** The requester's side of the port: a fresh presentation for one request. */
export interface AtpCredentialPresenter {
  /** `audience`: the responder's GLN when the directory names it (the verifier then checks `aud`). */
  present(audience?: string): Promise<string>;
}

export const ATP_CREDENTIAL_TYPES = ['DSCSAATPCredential', 'DSCSAATPEquivalentCredential', 'DSCSAAuthorityCredential'] as const;
/** OCI: a presentation lives at most 5 minutes (anti-replay). */
export const ATP_PRESENTATION_MAX_AGE_S = 300;
/** Clocks differ: an `iat` up to this far in the future is accepted. */
const CLOCK_LEEWAY_S = 60;

export interface AtpTrustedIssuer {
  /** The issuer's `iss` (a DID or URL). */
  readonly id: string;
  /** Its public key as a JWK (EC P-256 or secp256k1, or OKP Ed25519). */
  readonly jwk: JsonWebKey;
}

export interface AtpVerifierConfig {
  readonly issuers: readonly AtpTrustedIssuer[];
  readonly required?: boolean;
  /** Credential IDs (`jti` or `vc.id`) revoked (standing in for a status list). */
  readonly revoked?: readonly string[];
  readonly maxPresentationAgeSeconds?: number;
}

interface Jws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

function b64json(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function decodeJws(token: unknown, reason: AtpRefusalReason, what: string): Jws {
  const parts = typeof token === 'string' ? token.split('.') : [];
  const header = parts.length === 3 ? b64json(parts[0]) : undefined;
  const payload = parts.length === 3 ? b64json(parts[1]) : undefined;
  if (!header || !payload || !/^[A-Za-z0-9_-]+$/.test(parts[2])) throw new AtpCredentialRefused(reason, `the ${what} is not a compact JWS (JWT)`);
  return { header, payload, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], 'base64url') };
}

const ALGORITHMS: Record<string, { kty: string; crv: string; digest: string | null }> = {
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256' },
  ES256K: { kty: 'EC', crv: 'secp256k1', digest: 'sha256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', digest: null },
};

function publicKey(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/** Signature check with the algorithm the key's type allows (an `alg` that does not fit the key is refused: no alg confusion). */
function verifiedWith(jws: Jws, jwk: JsonWebKey): boolean {
  const alg = ALGORITHMS[String(jws.header.alg)];
  if (!alg || alg.kty !== jwk.kty || alg.crv !== jwk.crv) return false;
  try {
    return cryptoVerify(alg.digest, jws.signingInput, { key: publicKey(jwk), dsaEncoding: 'ieee-p1363' }, jws.signature);
  } catch {
    return false;
  }
}

function seconds(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** GLNs a credential subject names: `gln`, `glns`, or identifiers written `urn:gln:…` / `urn:epc:id:sgln:` are not guessed. */
function subjectGlns(subject: unknown): string[] {
  const s = (subject ?? {}) as Record<string, unknown>;
  return [...strings(s.gln), ...strings(s.glns)].filter((g) => /^\d{13}$/.test(g));
}

/** The adapter: VP JWT → VC JWTs, signatures against configured issuer keys, lifetimes, revocation, GLN. */
export class JwtAtpCredentialVerifier implements AtpCredentialVerifier {
  readonly required: boolean;
  private readonly issuers: ReadonlyMap<string, JsonWebKey>;
  private readonly revoked: ReadonlySet<string>;
  private readonly maxAge: number;

  constructor(config: AtpVerifierConfig) {
    this.required = config.required ?? false;
    this.issuers = new Map(config.issuers.map((i) => [i.id, i.jwk]));
    for (const i of config.issuers) publicKey(i.jwk); // a bad key fails at start, not at the first request
    this.revoked = new Set(config.revoked ?? []);
    this.maxAge = config.maxPresentationAgeSeconds ?? ATP_PRESENTATION_MAX_AGE_S;
  }

  async check(presentation: string | undefined, expected: AtpExpectation): Promise<AtpPresentationCheck | undefined> {
    if (presentation === undefined || presentation === '') {
      if (this.required) throw new AtpCredentialRefused('vp_required', 'an ATP credential presentation is required');
      return undefined;
    }
    const now = expected.at.getTime() / 1000;
    const vp = decodeJws(presentation.trim(), 'jwt_invalid', 'presentation');
    const iat = seconds(vp.payload.iat);
    if (iat === undefined || now - iat > this.maxAge || iat - now > CLOCK_LEEWAY_S) {
      throw new AtpCredentialRefused('vp_iat_expired', `the presentation must be issued within the last ${this.maxAge} s`);
    }
    const vpExp = seconds(vp.payload.exp);
    if (vpExp !== undefined && vpExp < now) throw new AtpCredentialRefused('vp_iat_expired', 'the presentation has expired');
    if (expected.audience !== undefined && vp.payload.aud !== undefined && !strings(vp.payload.aud).includes(expected.audience)) {
      throw new AtpCredentialRefused('jwt_invalid', `the presentation is addressed to ${JSON.stringify(vp.payload.aud)}, not ${expected.audience}`);
    }
    const vpBody = (vp.payload.vp ?? {}) as Record<string, unknown>;
    const tokens = Array.isArray(vpBody.verifiableCredential) ? vpBody.verifiableCredential : [];
    if (!tokens.length) throw new AtpCredentialRefused('vc_not_found', 'the presentation carries no credential');

    let refusal: AtpCredentialRefused | undefined;
    for (const token of tokens) {
      try {
        return this.checkCredential(token, vp, expected, now);
      } catch (err) {
        if (!(err instanceof AtpCredentialRefused)) throw err;
        refusal ??= err; // the first credential's reason is the one reported
      }
    }
    throw refusal ?? new AtpCredentialRefused('vc_not_found', 'no ATP credential in the presentation');
  }

  private checkCredential(token: unknown, vp: Jws, expected: AtpExpectation, now: number): AtpPresentationCheck {
    const vc = decodeJws(token, 'jwt_invalid', 'credential');
    const body = (vc.payload.vc ?? {}) as Record<string, unknown>;
    const types = strings(body.type);
    if (!types.some((t) => (ATP_CREDENTIAL_TYPES as readonly string[]).includes(t))) throw new AtpCredentialRefused('vc_not_found', `no ATP credential (${ATP_CREDENTIAL_TYPES.join(', ')})`);
    const issuer = typeof vc.payload.iss === 'string' ? vc.payload.iss : '';
    const issuerKey = this.issuers.get(issuer);
    if (!issuerKey) throw new AtpCredentialRefused('vc_non_trusted_issuer', `issuer ${JSON.stringify(issuer)} is not trusted`);
    if (!verifiedWith(vc, issuerKey)) throw new AtpCredentialRefused('vc_proof_invalid', `the credential's signature is not ${issuer}'s`);
    const exp = seconds(vc.payload.exp);
    const nbf = seconds(vc.payload.nbf);
    if ((exp !== undefined && exp < now) || (nbf !== undefined && nbf - now > CLOCK_LEEWAY_S)) throw new AtpCredentialRefused('vc_exp_expired', 'the credential is expired or not yet valid');
    const id = typeof vc.payload.jti === 'string' ? vc.payload.jti : typeof body.id === 'string' ? body.id : null;
    if (id !== null && this.revoked.has(id)) throw new AtpCredentialRefused('vc_revoked', `credential ${id} is revoked`);
    // Holder binding: the presentation must be signed by the key the issuer bound into the credential,
    // or a stolen credential could be presented by anyone.
    const holderKey = ((vc.payload.cnf ?? {}) as { jwk?: JsonWebKey }).jwk;
    if (!holderKey || !verifiedWith(vp, holderKey)) throw new AtpCredentialRefused('vp_proof_invalid', "the presentation is not signed by the credential's holder");
    const holder = typeof vc.payload.sub === 'string' ? vc.payload.sub : null;
    if (holder !== null && vp.payload.iss !== undefined && vp.payload.iss !== holder) throw new AtpCredentialRefused('vp_proof_invalid', 'the presentation is issued by someone other than the credential subject');
    const glns = subjectGlns(body.credentialSubject);
    if (!glns.includes(expected.reqGLN)) throw new AtpCredentialRefused('gln_mismatch', `the credential does not name reqGLN ${expected.reqGLN}`);
    return { holder, issuer, credentialId: id, types, glns, expiresAt: exp !== undefined ? new Date(exp * 1000).toISOString() : null };
  }
}

/** Signs with the algorithm the private key's type implies. */
export function signJws(header: Record<string, unknown>, payload: Record<string, unknown>, privateJwk: JsonWebKey): string {
  const alg = Object.entries(ALGORITHMS).find(([, a]) => a.kty === privateJwk.kty && a.crv === privateJwk.crv);
  if (!alg) throw new Error(`no JWS algorithm for a ${privateJwk.kty}/${privateJwk.crv} key`);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ ...header, alg: alg[0] })}.${enc(payload)}`;
  const signature = cryptoSign(alg[1].digest, Buffer.from(input), { key: createPrivateKey({ key: privateJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface AtpHolderConfig {
  /** The holder's ATP credential (a VC JWT from the issuer). */
  readonly credential: string;
  /** The holder's private key (the one bound in the credential's `cnf.jwk`). */
  readonly holderKey: JsonWebKey;
  readonly holder?: string;
}

/** The requester's adapter: one short-lived presentation per request. */
export class JwtAtpCredentialPresenter implements AtpCredentialPresenter {
  constructor(private readonly config: AtpHolderConfig) {}

  async present(audience?: string): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return signJws({ typ: 'JWT' }, {
      ...(this.config.holder ? { iss: this.config.holder } : {}), ...(audience ? { aud: audience } : {}), iat, exp: iat + ATP_PRESENTATION_MAX_AGE_S, jti: randomUUID(), nonce: randomUUID(),
      vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [this.config.credential] },
    }, this.config.holderKey);
  }
}

/** The header the presentation travels in (Authorization carries the user's own bearer token here). */
export const ATP_PRESENTATION_HEADER = (process.env.PEDIGREE_VRS_ATP_HEADER ?? 'x-atp-presentation').toLowerCase();

/**
 * The responder's verifier from `PEDIGREE_VRS_ATP_CONFIG` (a JSON file of AtpVerifierConfig);
 * `PEDIGREE_VRS_ATP_REQUIRED=1` makes a presentation mandatory. With neither: no issuer is trusted
 * and none is required, so a request with a presentation is refused (it cannot be checked) and one
 * without is answered.
 */
export function atpVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): AtpCredentialVerifier {
  const file = env.PEDIGREE_VRS_ATP_CONFIG;
  const config = file ? (JSON.parse(readFileSync(file, 'utf8')) as AtpVerifierConfig) : { issuers: [] };
  const required = env.PEDIGREE_VRS_ATP_REQUIRED !== undefined ? env.PEDIGREE_VRS_ATP_REQUIRED === '1' || env.PEDIGREE_VRS_ATP_REQUIRED === 'true' : config.required;
  return new JwtAtpCredentialVerifier({ ...config, required });
}

/** The requester's presenter from `PEDIGREE_VRS_ATP_HOLDER` (a JSON file of AtpHolderConfig), or none. */
export function atpPresenterFromEnv(env: NodeJS.ProcessEnv = process.env): AtpCredentialPresenter | undefined {
  const file = env.PEDIGREE_VRS_ATP_HOLDER;
  return file ? new JwtAtpCredentialPresenter(JSON.parse(readFileSync(file, 'utf8')) as AtpHolderConfig) : undefined;
}
