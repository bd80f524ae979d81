import {
  DomainError, hasValidCheckDigit, normaliseGtin, readGlnParameter, readVrsRequest, unknownVrsParameters, vrsResponseBody, VRS_VERSION, VRS_VERSION_HEADER,
  type VerificationOutcome, type VrsQuery, type VrsRequest, type VrsUrlForm,
} from '@pedigree/domain';
import { ATP_PRESENTATION_HEADER, AtpCredentialRefused, type AtpCredentialVerifier, type AtpPresentationCheck } from './atp-credential';

/**
 * The manufacturer's VRS responder without its HTTP framework: a request in (path, query,
 * headers, the authenticated caller), an answer out (status, headers, body). The GS1 US
 * Lightweight Messaging Standard, release 1.3 (docs/vrs.md).
 */

/** What the responder needs from its service: the ledger's partner registry, the read model, the log. */
export interface VrsResponderPorts {
  readonly org: string;
  /** The GLNs the consortium admitted for an organisation; undefined when it is not a partner. */
  registeredGlns(org: string): Promise<readonly string[] | undefined>;
  product(gtin: string): Promise<{ readonly manufacturer: string } | null>;
  /** The answer from the read model alone (a caller cannot make the service query the ledger). */
  lookup(q: { gtin: string; serial: string; lot?: string; expiry?: string }): Promise<VerificationOutcome & { readonly source: string }>;
  record(v: VrsAnsweredRequest): Promise<void>;
}

export interface VrsAnsweredRequest {
  readonly request: VrsRequest;
  readonly outcome: VerificationOutcome & { readonly source: string };
  readonly caller: VrsCaller;
  readonly verificationTimestamp: string;
  readonly attestation: Record<string, unknown>;
}

export interface VrsCaller {
  readonly org: string;
  readonly subject: string;
}

export interface VrsHttpRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: VrsQuery;
  readonly caller: VrsCaller;
}

export interface VrsHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Record<string, unknown>;
}

export interface VrsResponderOptions {
  /** `PEDIGREE_RESPONDER_GLN`: else the first GLN the ledger registered for this organisation. */
  readonly responderGLN?: string;
  /** Answer only requesters that attest possession or control (ctrlPossessAtt=true); others get Manufacturer_policy. */
  readonly requirePossession?: boolean;
}

/** A refusal in the one error shape every VRS route answers (the platform's `error` object, corrUUID echoed). */
class VrsRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

const STATUS_CODE: Record<number, string> = { 400: 'BAD_USER_INPUT', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 406: 'NOT_ACCEPTABLE' };

export class VrsResponder {
  constructor(private readonly ports: VrsResponderPorts, private readonly atp: AtpCredentialVerifier, private readonly options: VrsResponderOptions = {}) {}

  /** `GET /verify/gtin/…/lot/…/ser/…` (form `verify`) or `GET /01/…/10/…/21/…` (form `digital-link`). */
  verify(form: VrsUrlForm, path: { gtin: string; lot: string; serial: string }, http: VrsHttpRequest): Promise<VrsHttpAnswer> {
    return this.answering(http, async () => {
      let request: VrsRequest;
      try {
        request = readVrsRequest({ form, ...path, query: http.query, version: header(http, VRS_VERSION_HEADER) }, new Date().toISOString().slice(0, 10));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        throw new VrsRefusal(400, err.code, err.message, { parameter: err.details.parameter });
      }
      const atp = await this.authorise(request.reqGLN, http);
      await this.assertOurs(request.gtin);
      // A manufacturer may answer only requesters that attest possession or control (release 1.3's
      // ctrlPossessAtt): without it the answer is Manufacturer_policy and the pack is not looked at.
      const outcome = this.options.requirePossession && request.ctrlPossessAtt !== true
        ? { verified: false, verificationFailureReason: 'Manufacturer_policy' as const, source: 'policy' }
        : await this.ports.lookup({ gtin: request.gtin, serial: request.serial, lot: request.lot, expiry: request.expiry });
      const verificationTimestamp = new Date().toISOString();
      const ignored = unknownVrsParameters(http.query);
      await this.ports.record({
        request, outcome, caller: http.caller, verificationTimestamp,
        attestation: {
          ...(request.ctrlPossessAtt !== undefined ? { ctrlPossessAtt: request.ctrlPossessAtt } : {}),
          ...(request.email ? { email: request.email } : {}), ...(request.telephone ? { telephone: request.telephone } : {}),
          ...(request.version ? { version: request.version } : {}),
          ...(atp ? { atp: { issuer: atp.issuer, holder: atp.holder, credentialId: atp.credentialId, types: atp.types } } : {}),
          ...(ignored.length ? { ignoredParameters: ignored } : {}),
        },
      });
      return vrsResponseBody(outcome, await this.responderGln(), request.corrUUID, verificationTimestamp) as unknown as Record<string, unknown>;
    });
  }

  /** `GET /checkConnectivity?gtin=&reqGLN=`: may this requester ask about this GTIN? 200, or the refusal a real request would get. */
  checkConnectivity(http: VrsHttpRequest): Promise<VrsHttpAnswer> {
    return this.answering(http, async () => {
      let reqGLN: string;
      let gtin: string;
      try {
        reqGLN = readGlnParameter(typeof http.query.reqGLN === 'string' ? http.query.reqGLN : undefined);
      } catch (err) {
        throw new VrsRefusal(400, 'VRS_REQUEST_INVALID', (err as Error).message, { parameter: 'reqGLN' });
      }
      try {
        gtin = normaliseGtin(typeof http.query.gtin === 'string' ? http.query.gtin : '');
      } catch (err) {
        throw new VrsRefusal(400, 'VRS_REQUEST_INVALID', (err as Error).message, { parameter: 'gtin' });
      }
      await this.authorise(reqGLN, http);
      await this.assertOurs(gtin);
      return { verificationTimestamp: new Date().toISOString(), responderGLN: await this.responderGln(), corrUUID: corrOf(http.query), data: { connected: true } };
    });
  }

  private async answering(http: VrsHttpRequest, run: () => Promise<Record<string, unknown>>): Promise<VrsHttpAnswer> {
    const headers = { [VRS_VERSION_HEADER]: VRS_VERSION };
    try {
      if (!acceptsJson(header(http, 'accept'))) throw new VrsRefusal(406, 'NOT_ACCEPTABLE', 'the answer is application/json; the Accept header excludes it');
      return { status: 200, headers, body: await run() };
    } catch (err) {
      const refusal = err instanceof VrsRefusal ? err
        : err instanceof AtpCredentialRefused ? new VrsRefusal(err.reason === 'vp_required' ? 401 : 403, 'ATP_CREDENTIAL_INVALID', err.message, { reason: err.reason })
        : undefined;
      if (!refusal) throw err; // the platform's filter answers ledger and database failures
      return {
        status: refusal.status, headers,
        body: { corrUUID: corrOf(http.query), error: { code: STATUS_CODE[refusal.status], message: refusal.message, retryable: false, domainCode: refusal.code, details: refusal.details } },
      };
    }
  }

  private async responderGln(): Promise<string | null> {
    const configured = this.options.responderGLN;
    if (configured && /^\d{13}$/.test(configured) && hasValidCheckDigit(configured)) return configured;
    return (await this.ports.registeredGlns(this.ports.org))?.[0] ?? null;
  }

  /** reqGLN must be a GLN of the caller's organisation; an ATP presentation, when one came, must prove it too. */
  private async authorise(reqGLN: string, http: VrsHttpRequest): Promise<AtpPresentationCheck | undefined> {
    const registered = await this.ports.registeredGlns(http.caller.org);
    if (registered === undefined) throw new VrsRefusal(403, 'PARTNER_UNKNOWN', `${http.caller.org} is not a registered trading partner`);
    if (!registered.includes(reqGLN)) throw new VrsRefusal(403, 'REQ_GLN_NOT_REGISTERED', `reqGLN ${reqGLN} is not a GLN of ${http.caller.org}`, { parameter: 'reqGLN' });
    return this.atp.check(header(http, ATP_PRESENTATION_HEADER), { reqGLN, at: new Date(), audience: (await this.responderGln()) ?? undefined });
  }

  private async assertOurs(gtin: string): Promise<void> {
    const product = await this.ports.product(gtin);
    if (!product || product.manufacturer !== this.ports.org) throw new VrsRefusal(404, 'GTIN_not_found', `GTIN ${gtin} is not a product of this responder`, { parameter: 'gtin' });
  }
}

function header(http: VrsHttpRequest, name: string): string | undefined {
  const v = http.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function corrOf(q: VrsQuery): string | null {
  return typeof q.corrUUID === 'string' && /^[\x21-\x7e]{1,64}$/.test(q.corrUUID) ? q.corrUUID : null;
}

/** Content negotiation: no Accept, or one that admits application/json with a non-zero q. */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return type === '*/*' || type === 'application/*' || type === 'application/json';
  });
}
