import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { PartnerRecord, VrsQuery, VrsUrlForm } from '@pedigree/domain';
import { AnyOrganisation, AuthenticatedRequest, Principal } from '@pedigree/platform';
import { MASTER_DATA } from '@pedigree/readmodel';
import { PartnerContext } from './partner-context';
import { VERIFIERS } from './roles';
import { PackVerifier } from './verification';
import { atpVerifierFromEnv } from './vrs/atp-credential';
import { VrsResponder, type VrsHttpAnswer } from './vrs/vrs-responder';

/** How long a partner's registered GLNs are trusted before the ledger is asked again. */
const PARTNER_GLN_TTL_MS = 60_000;

/**
 * The manufacturer's verification responder over HTTP (GS1 US Lightweight Messaging for VRS 1.3;
 * the rules are in ./vrs/vrs-responder.ts, docs/vrs.md). Requesters are users of any consortium
 * organisation (API key or JWT), asking under a GLN the ledger registered for their organisation;
 * only an answered request is recorded, from the read model alone.
 */
@Controller()
export class VerificationResponderController {
  private readonly responder: VrsResponder;
  private readonly glns = new Map<string, { glns: readonly string[]; until: number }>();

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    const verifier = new PackVerifier(p);
    this.responder = new VrsResponder({
      org: p.org,
      registeredGlns: (org) => this.registeredGlns(org),
      product: (gtin) => p.readModel.products.get(gtin),
      lookup: (q) => verifier.lookup(q, { ledgerFallback: false }),
      record: ({ request, outcome, caller, verificationTimestamp, attestation }) => verifier.record({
        scan: `vrs:${request.gtin}/${request.lot}/${request.serial}`, gtin: request.gtin, serial: request.serial, lot: request.lot, expiry: request.expiry ?? null,
        verified: outcome.verified, failureReason: outcome.verificationFailureReason ?? null, additionalInfo: outcome.additionalInfo ?? null,
        requester: `gln:${request.reqGLN} ${caller.org}/${caller.subject}`, site: null, correlationId: request.corrUUID ?? null, source: outcome.source,
        verifiedAt: verificationTimestamp, context: request.context ?? null, attestation,
      }),
    }, atpVerifierFromEnv(), {
      responderGLN: process.env.PEDIGREE_RESPONDER_GLN,
      requirePossession: process.env.PEDIGREE_VRS_REQUIRE_POSSESSION === '1' || process.env.PEDIGREE_VRS_REQUIRE_POSSESSION === 'true',
    });
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('verify/gtin/:gtin/lot/:lot/ser/:serial')
  byPath(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.verify('verify', { gtin, lot, serial }, q, req, res);
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('01/:gtin/10/:lot/21/:serial')
  byDigitalLink(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.verify('digital-link', { gtin, lot, serial }, q, req, res);
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('checkConnectivity')
  async checkConnectivity(@Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    send(res, await this.responder.checkConnectivity(this.http(q, req)));
  }

  private async verify(form: VrsUrlForm, path: { gtin: string; lot: string; serial: string }, q: VrsQuery, req: AuthenticatedRequest, res: Response): Promise<void> {
    send(res, await this.responder.verify(form, path, this.http(q, req)));
  }

  private http(query: VrsQuery, req: AuthenticatedRequest) {
    const principal = req.principal as Principal;
    return { headers: req.headers, query, caller: { org: principal.org, subject: principal.subject } };
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
}

function send(res: Response, answer: VrsHttpAnswer): void {
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.status(answer.status).json(answer.body);
}
