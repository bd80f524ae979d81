import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { decodeGs1Date, DomainError, expiryToIsoDate, normaliseGtin } from '@pedigree/domain';
import { Public } from '@pedigree/platform';
import { PartnerContext } from './partner-context';
import { PackVerifier } from './verification';

interface VrsQuery { exp?: string; '17'?: string; reqGLN?: string; corrUUID?: string; linkType?: string; context?: string }

/**
 * The manufacturer's verification responder (GS1 US Lightweight Messaging for VRS 1.3): both URL
 * forms, answers HTTP 200 with `{verificationTimestamp, responderGLN, corrUUID, data}`; errors are
 * 400 (malformed), 401 (requester unknown), 404 (GTIN not ours). Requesters are other trading
 * partners, so any known requester GLN or API key is admitted; the answer is about our own GTINs only.
 */
@Controller()
export class VerificationResponderController {
  private readonly verifier: PackVerifier;
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.verifier = new PackVerifier(p);
  }

  @Public()
  @Get('verify/gtin/:gtin/lot/:lot/ser/:serial')
  byPath(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Res() res: Response) {
    return this.answer(gtin, lot, serial, q.exp, q, res);
  }

  @Public()
  @Get('01/:gtin/10/:lot/21/:serial')
  byDigitalLink(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Query() q: VrsQuery, @Res() res: Response) {
    return this.answer(gtin, lot, serial, q['17'], q, res);
  }

  private async answer(gtinText: string, lot: string, serial: string, exp: string | undefined, q: VrsQuery, res: Response): Promise<void> {
    const requester = q.reqGLN ?? '';
    if (!/^\d{13}$/.test(requester)) {
      res.status(401).json({ error: 'reqGLN (13-digit requester GLN) is required' });
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
    const answer = await this.verifier.lookup({ gtin, serial, lot, expiry });
    const verificationTimestamp = new Date().toISOString();
    await this.verifier.record({
      scan: `vrs:${gtin}/${lot}/${serial}`, gtin, serial, lot, expiry: expiry ?? null, verified: answer.verified, failureReason: answer.verificationFailureReason ?? null,
      additionalInfo: answer.additionalInfo ?? null, requester: `gln:${requester}`, site: null, correlationId: q.corrUUID ?? null, source: answer.source, verifiedAt: verificationTimestamp,
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
