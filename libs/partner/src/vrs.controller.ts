import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  DomainError, hasValidCheckDigit, normaliseGtin, readGlnParameter, readVrsRequest, unknownVrsParameters, vrsResponseBody, VRS_VERSION, VRS_VERSION_HEADER,
  type PartnerRecord, type VrsQuery, type VrsRequest, type VrsUrlForm,
} from '@pedigree/domain';
import { AnyOrganisation, AuthenticatedRequest, Principal } from '@pedigree/platform';
import { MASTER_DATA } from '@pedigree/readmodel';
import { PartnerContext } from './partner-context';
import { VERIFIERS } from './roles';
import { PackVerifier } from './verification';
import { ATP_PRESENTATION_HEADER, AtpCredentialRefused, atpVerifierFromEnv, type AtpCredentialVerifier, type AtpPresentationCheck } from './vrs/atp-credential';

/** How long a partner's registered GLNs are trusted before the ledger is asked again. */
const PARTNER_GLN_TTL_MS = 60_000;

/** A refusal in the one error shape every VRS route answers (platform's `error` object, corrUUID echoed). */
class VrsRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

const STATUS_CODE: Record<number, string> = { 400: 'BAD_USER_INPUT', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 406: 'NOT_ACCEPTABLE' };

/**
 * The manufacturer's verification responder: the GS1 US Lightweight Messaging Standard for
 * Verification of Product Identifiers, release 1.3 (docs/vrs.md).
 *
 * - `GET /verify/gtin/{gtin}/lot/{lot}/ser/{ser}?exp=YYMMDD&…` and `GET /01/{gtin}/10/{lot}/21/{ser}?17=YYMMDD&…`,
 *   with reqGLN (mandatory), corrUUID (echoed), context (dscsaSaleableReturn), linkType
 *   (gs1:verificationService), ctrlPossessAtt, email, telephone; `GET /checkConnectivity?gtin=&reqGLN=`.
 * - HTTP 200 `{verificationTimestamp, responderGLN, corrUUID, data: {verified, verificationFailureReason?, additionalInfo?}}`;
 *   400 malformed (naming the parameter), 401 not authenticated or a required ATP presentation
 *   missing, 403 reqGLN not the caller's or an ATP presentation refused, 404 GTIN not ours,
 *   406 an Accept that excludes JSON. Every answer carries `GS1US-Version`.
 * - Requesters are users of any consortium organisation (API key or JWT) asking under a GLN the
 *   ledger registered for their organisation; an ATP presentation in the `x-atp-presentation`
 *   header (configurable) is checked when it comes, required when so configured.
 * - Only an answered request is recorded; the answer comes from the read model alone, so a caller
 *   cannot make the service query the ledger by sending serials that do not exist.
 */
@Controller()
export class VerificationResponderController {
  private readonly verifier: PackVerifier;
  private readonly atp: AtpCredentialVerifier;
  private readonly glns = new Map<string, { glns: readonly string[]; until: number }>();

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.verifier = new PackVerifier(p);
    this.atp = atpVerifierFromEnv();
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('verify/gtin/:gtin/lot/:lot/ser/:serial')
  byPath(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.respond(req, res, q, () => this.answer('verify', gtin, lot, serial, q, req, res));
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('01/:gtin/10/:lot/21/:serial')
  byDigitalLink(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.respond(req, res, q, () => this.answer('digital-link', gtin, lot, serial, q, req, res));
  }

  /** The network's connectivity probe: may this requester ask about this GTIN? 200, or the refusal a real request would get. */
  @AnyOrganisation(...VERIFIERS)
  @Get('checkConnectivity')
  checkConnectivity(@Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.respond(req, res, q, async () => {
      let reqGLN: string;
      let gtin: string;
      try {
        reqGLN = readGlnParameter(typeof q.reqGLN === 'string' ? q.reqGLN : undefined);
        gtin = normaliseGtin(typeof q.gtin === 'string' ? q.gtin : '');
      } catch (err) {
        throw new VrsRefusal(400, 'VRS_REQUEST_INVALID', (err as Error).message, { parameter: (err as DomainError).details?.parameter ?? 'gtin' });
      }
      await this.authorise(reqGLN, req);
      await this.assertOurs(gtin);
      res.status(200).json({ verificationTimestamp: new Date().toISOString(), responderGLN: await this.responderGln(), corrUUID: corrOf(q), data: { connected: true } });
    });
  }

  private async respond(req: Request, res: Response, q: VrsQuery, run: () => Promise<void>): Promise<void> {
    res.setHeader(VRS_VERSION_HEADER, VRS_VERSION);
    try {
      if (!acceptsJson(req.headers.accept)) throw new VrsRefusal(406, 'NOT_ACCEPTABLE', 'the answer is application/json; the Accept header excludes it');
      await run();
    } catch (err) {
      const refusal = err instanceof VrsRefusal ? err
        : err instanceof AtpCredentialRefused ? new VrsRefusal(err.reason === 'vp_required' ? 401 : 403, 'ATP_CREDENTIAL_INVALID', err.message, { reason: err.reason })
        : undefined;
      if (!refusal) throw err; // the platform's filter answers ledger / database failures
      res.status(refusal.status).json({
        corrUUID: corrOf(q),
        error: { code: STATUS_CODE[refusal.status], message: refusal.message, retryable: false, domainCode: refusal.code, details: refusal.details },
      });
    }
  }

  /** The GLNs the consortium admitted for an organisation (the ledger's partner registry), cached briefly. */
  private async registeredGlns(org: string): Promise<readonly string[] | undefined> {
    const cached = this.glns.get(org);
    if (cached && cached.until > Date.now()) return cached.glns;
    const partner = await this.p.reads.optional<PartnerRecord>('GetPartner', [org], MASTER_DATA);
    const glns = partner ? (partner.glns?.length ? partner.glns : [partner.gln]) : undefined;
    // Only an admission is remembered: a partner admitted now is answered at once.
    if (glns) this.glns.set(org, { glns, until: Date.now() + PARTNER_GLN_TTL_MS });
    return glns;
  }

  /** `PEDIGREE_RESPONDER_GLN`, else the first GLN the ledger registered for this organisation. */
  private async responderGln(): Promise<string | null> {
    const configured = process.env.PEDIGREE_RESPONDER_GLN;
    if (configured && /^\d{13}$/.test(configured) && hasValidCheckDigit(configured)) return configured;
    return (await this.registeredGlns(this.p.org))?.[0] ?? null;
  }

  /** reqGLN must be a GLN of the caller's organisation; an ATP presentation, when one came, must prove it too. */
  private async authorise(reqGLN: string, req: AuthenticatedRequest): Promise<AtpPresentationCheck | undefined> {
    const principal = req.principal as Principal;
    const registered = await this.registeredGlns(principal.org);
    if (registered === undefined) throw new VrsRefusal(403, 'PARTNER_UNKNOWN', `${principal.org} is not a registered trading partner`);
    if (!registered.includes(reqGLN)) throw new VrsRefusal(403, 'REQ_GLN_NOT_REGISTERED', `reqGLN ${reqGLN} is not a GLN of ${principal.org}`, { parameter: 'reqGLN' });
    const header = req.headers[ATP_PRESENTATION_HEADER];
    const presentation = Array.isArray(header) ? header[0] : header;
    return this.atp.check(presentation, { reqGLN, at: new Date(), audience: (await this.responderGln()) ?? undefined });
  }

  private async assertOurs(gtin: string): Promise<void> {
    const product = await this.p.queries.product(gtin);
    if (!product || product.manufacturer !== this.p.org) throw new VrsRefusal(404, 'GTIN_not_found', `GTIN ${gtin} is not a product of this responder`, { parameter: 'gtin' });
  }

  private async answer(form: VrsUrlForm, gtinText: string, lot: string, serial: string, q: VrsQuery, req: AuthenticatedRequest, res: Response): Promise<void> {
    const now = new Date();
    let request: VrsRequest;
    try {
      const version = req.headers[VRS_VERSION_HEADER.toLowerCase()];
      request = readVrsRequest({ form, gtin: gtinText, lot, serial, query: q, version: Array.isArray(version) ? version[0] : version }, now.toISOString().slice(0, 10));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      throw new VrsRefusal(400, err.code, err.message, { parameter: err.details.parameter });
    }
    const principal = req.principal as Principal;
    const atp = await this.authorise(request.reqGLN, req);
    await this.assertOurs(request.gtin);
    const answer = await this.verifier.lookup({ gtin: request.gtin, serial: request.serial, lot: request.lot, expiry: request.expiry }, { ledgerFallback: false });
    const verificationTimestamp = new Date().toISOString();
    await this.verifier.record({
      scan: `vrs:${request.gtin}/${request.lot}/${request.serial}`, gtin: request.gtin, serial: request.serial, lot: request.lot, expiry: request.expiry ?? null,
      verified: answer.verified, failureReason: answer.verificationFailureReason ?? null, additionalInfo: answer.additionalInfo ?? null,
      requester: `gln:${request.reqGLN} ${principal.org}/${principal.subject}`, site: null, correlationId: request.corrUUID ?? null, source: answer.source, verifiedAt: verificationTimestamp,
      context: request.context ?? null,
      attestation: {
        ...(request.ctrlPossessAtt !== undefined ? { ctrlPossessAtt: request.ctrlPossessAtt } : {}),
        ...(request.email ? { email: request.email } : {}), ...(request.telephone ? { telephone: request.telephone } : {}),
        ...(request.version ? { version: request.version } : {}),
        ...(atp ? { atp: { issuer: atp.issuer, holder: atp.holder, credentialId: atp.credentialId, types: atp.types } } : {}),
        ...(unknownVrsParameters(q).length ? { ignoredParameters: unknownVrsParameters(q) } : {}),
      },
    });
    res.status(200).json(vrsResponseBody(answer, await this.responderGln(), request.corrUUID, verificationTimestamp));
  }
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
