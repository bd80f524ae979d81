import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { decodeGs1Date, DomainError, expiryToIsoDate, normaliseGtin, type PartnerRecord } from '@pedigree/domain';
import { AnyOrganisation, AuthenticatedRequest, Principal } from '@pedigree/platform';
import { MASTER_DATA } from '@pedigree/readmodel';
import { PartnerContext } from './partner-context';
import { VERIFIERS } from './roles';
import { PackVerifier } from './verification';

interface VrsQuery { exp?: string; '17'?: string; reqGLN?: string; corrUUID?: string; linkType?: string; context?: string }

/** How long a partner's registered GLN is trusted before the ledger is asked again. */
const PARTNER_GLN_TTL_MS = 60_000;

/**
 * The manufacturer's verification responder (GS1 US Lightweight Messaging for VRS 1.3): both URL
 * forms, answers HTTP 200 with `{verificationTimestamp, responderGLN, corrUUID, data}`; errors are
 * 400 (malformed), 401 (not authenticated), 403 (reqGLN not the caller's), 404 (GTIN not ours).
 * Requesters are other trading partners: users of any consortium organisation (API key or JWT),
 * asking under a GLN their organisation registered on the ledger. Only an answered request is
 * recorded; the answer comes from the read model alone, so a caller cannot make the service query
 * the ledger by sending serials that do not exist.
 */
@Controller()
export class VerificationResponderController {
  private readonly verifier: PackVerifier;
  private readonly glns = new Map<string, { glns: readonly string[]; until: number }>();
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.verifier = new PackVerifier(p);
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('verify/gtin/:gtin/lot/:lot/ser/:serial')
  byPath(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.answer(gtin, lot, serial, q.exp, q, req.principal as Principal, res);
  }

  @AnyOrganisation(...VERIFIERS)
  @Get('01/:gtin/10/:lot/21/:serial')
  byDigitalLink(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    return this.answer(gtin, lot, serial, q['17'], q, req.principal as Principal, res);
  }

  /** The GLNs the consortium admitted for the caller's organisation (the ledger's partner registry), cached briefly. */
  private async registeredGlns(org: string): Promise<readonly string[] | undefined> {
    const cached = this.glns.get(org);
    if (cached && cached.until > Date.now()) return cached.glns;
    const partner = await this.p.reads.optional<PartnerRecord>('GetPartner', [org], MASTER_DATA);
    const glns = partner ? (partner.glns?.length ? partner.glns : [partner.gln]) : undefined;
    // Only an admission is remembered: a partner admitted now is answered at once.
    if (glns) this.glns.set(org, { glns, until: Date.now() + PARTNER_GLN_TTL_MS });
    return glns;
  }

  private async answer(gtinText: string, lot: string, serial: string, exp: string | undefined, q: VrsQuery, principal: Principal, res: Response): Promise<void> {
    const requester = q.reqGLN ?? '';
    if (!/^\d{13}$/.test(requester)) {
      res.status(400).json({ error: 'reqGLN (13-digit requester GLN) is required' });
      return;
    }
    const registered = await this.registeredGlns(principal.org);
    if (registered === undefined) {
      res.status(403).json({ error: `${principal.org} is not a registered trading partner` });
      return;
    }
    if (!registered.includes(requester)) {
      res.status(403).json({ error: `reqGLN ${requester} is not a GLN of ${principal.org}` });
      return;
    }
    let gtin: string;
    let expiry: string | undefined;
    try {
      gtin = normaliseGtin(gtinText);
      expiry = exp === undefined ? undefined : yymmddToIso(exp);
    } catch (err) {
      res.status(400).json({ error: err instanceof DomainError ? err.message : 'malformed request' });
      return;
    }
    const product = await this.p.queries.product(gtin);
    if (!product || product.manufacturer !== this.p.org) {
      res.status(404).json({ error: 'GTIN_not_found' });
      return;
    }
    const answer = await this.verifier.lookup({ gtin, serial, lot, expiry }, { ledgerFallback: false });
    const verificationTimestamp = new Date().toISOString();
    await this.verifier.record({
      scan: `vrs:${gtin}/${lot}/${serial}`, gtin, serial, lot, expiry: expiry ?? null, verified: answer.verified, failureReason: answer.verificationFailureReason ?? null,
      additionalInfo: answer.additionalInfo ?? null, requester: `gln:${requester} ${principal.org}/${principal.subject}`, site: null, correlationId: q.corrUUID ?? null, source: answer.source, verifiedAt: verificationTimestamp,
    });
    res.status(200).json({
      verificationTimestamp,
      responderGLN: process.env.PEDIGREE_RESPONDER_GLN ?? null,
      corrUUID: q.corrUUID ?? null,
      data: {
        verified: answer.verified,
        ...(answer.verificationFailureReason ? { verificationFailureReason: answer.verificationFailureReason } : {}),
        ...(answer.additionalInfo ? { additionalInfo: answer.additionalInfo } : {}),
      },
    });
  }
}

/** VRS carries expiry as YYMMDD (day 00 = end of month), read with the domain's AI 17 rules. */
function yymmddToIso(v: string): string {
  return expiryToIsoDate(decodeGs1Date('17', v, true, { referenceDate: new Date().toISOString().slice(0, 10) }));
}
