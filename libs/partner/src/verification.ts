import { DomainError, normaliseGtin, parseScan, sgtinToEpcUrn, verifyProductIdentifier, type PackRecord, type VerificationOutcome } from '@pedigree/domain';
import { verificationsTotal } from '@pedigree/platform';
import type { PackVerification } from './graphql-types';
import { withLotState, type VerificationEntry } from '@pedigree/readmodel';
import type { PartnerContext } from './partner-context';
import { ColdChainExcursions } from './cold-chain';

export interface VerificationQuery {
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  readonly expiry?: string;
}

export interface VerificationAnswer extends VerificationOutcome {
  readonly pack?: PackRecord;
  readonly productName: string | null;
  readonly source: 'read-model' | 'ledger';
}

/**
 * Verifies product identifiers the GS1 VRS way: the read model first, the ledger when the read
 * model has no such serial (it may be behind), and every answer recorded.
 */
export class PackVerifier {
  private readonly coldChain: ColdChainExcursions;

  constructor(private readonly p: PartnerContext) {
    this.coldChain = new ColdChainExcursions(p);
  }

  /** `ledgerFallback: false` answers from the read model only (callers from other organisations). */
  async lookup(q: VerificationQuery, options: { ledgerFallback?: boolean } = {}): Promise<VerificationAnswer> {
    const at = new Date().toISOString();
    const gtin = normaliseGtin(q.gtin);
    const local = await this.p.readModel.packs.byIdentifier(gtin, q.serial);
    let pack = local?.record;
    let productName = local?.productName ?? null;
    let source: VerificationAnswer['source'] = 'read-model';
    if (!pack && options.ledgerFallback !== false) {
      source = 'ledger';
      let epc: string | undefined;
      try {
        epc = sgtinToEpcUrn(gtin, q.serial);
      } catch {
        epc = undefined; // a serial that cannot even form an EPC cannot be on the ledger
      }
      pack = epc ? await this.p.reads.pack(epc) : undefined;
      if (pack) {
        productName = (await this.p.readModel.products.get(pack.gtin))?.name ?? null;
        // The ledger's pack record may predate its lot's recall or extension (one lot-level record,
        // no per-pack write) and the read model has the lot's state. When the record was written is
        // not known here (block 0): the lot's state counts as newer, so a recall is never missed.
        pack = withLotState(pack, await this.p.readModel.packs.lotState(pack.gtin, pack.lot), 0n);
      }
    }
    const outcome = verifyProductIdentifier(pack, { gtin, serial: q.serial, lot: q.lot, expiry: q.expiry }, at);
    return { ...outcome, pack: outcome.verificationFailureReason === 'No_match_GTIN_Serial' ? undefined : pack, productName, source };
  }

  /** A pharmacist's scan at the counter (or a distributor's at the returns line). */
  async verifyScan(scan: string, requester: string, site: string | null): Promise<PackVerification> {
    const verifiedAt = new Date().toISOString();
    let parsed;
    try {
      parsed = parseScan(scan, { referenceDate: verifiedAt.slice(0, 10) });
      if (!parsed.gtin || !parsed.serial) throw new DomainError('SCAN_MALFORMED', 'the scan carries no serialized product identifier (01 and 21)', { reason: 'not serialized' });
    } catch (err) {
      await this.record({ scan, verified: false, failureReason: err instanceof DomainError ? err.code : 'SCAN_MALFORMED', requester, site, source: 'read-model', verifiedAt });
      throw err;
    }
    const answer = await this.lookup({ gtin: parsed.gtin, serial: parsed.serial, lot: parsed.lot, expiry: parsed.expiry });
    const pack = answer.pack;
    const reasons: string[] = [];
    const failure = answer.verificationFailureReason;
    if (failure === 'No_match_GTIN_Serial') reasons.push('NO_MATCH_GTIN_SERIAL');
    if (failure === 'No_match_GTIN_Serial_Lot' || failure === 'No_match_GTIN_Serial_Lot_Expiry') reasons.push('NO_MATCH_LOT');
    if (failure === 'No_match_GTIN_Serial_Expiry' || failure === 'No_match_GTIN_Serial_Lot_Expiry') reasons.push('NO_MATCH_EXPIRY');
    if (answer.additionalInfo === 'Recalled' || pack?.recall) reasons.push('RECALLED');
    if (answer.additionalInfo === 'Suspect' || answer.additionalInfo === 'Illegitimate') reasons.push('SUSPECT');
    if (answer.additionalInfo === 'Expired') reasons.push('EXPIRED');
    if (pack?.status === 'dispensed') reasons.push('ALREADY_DISPENSED');
    if (pack && pack.custodian !== this.p.org && pack.status !== 'dispensed') reasons.push('NOT_IN_CUSTODY');
    if (pack && (await this.possibleClone(pack, site))) reasons.push('POSSIBLE_CLONE');
    const excursions = pack ? await this.coldChain.holding(pack.id) : undefined;
    if (excursions) reasons.push(...excursions.reasons);
    const dispensable = answer.verified && reasons.length === 0;
    const result: PackVerification = {
      scan, verified: answer.verified, dispensable,
      verificationFailureReason: failure ?? null, additionalInfo: answer.additionalInfo ?? null, reasons,
      gtin: parsed.gtin, serial: parsed.serial, productName: answer.productName, lot: pack?.lot ?? parsed.lot ?? null, expiry: pack?.expiryExtendedTo ?? pack?.expiry ?? parsed.expiry ?? null,
      status: pack?.status ?? null, source: answer.source, verifiedAt,
      temperatureExcursions: [...(excursions?.temperatureExcursions ?? [])], humidityExcursions: [...(excursions?.humidityExcursions ?? [])],
    };
    await this.record({
      scan, gtin: parsed.gtin, serial: parsed.serial, lot: parsed.lot ?? null, expiry: parsed.expiry ?? null, verified: answer.verified,
      failureReason: failure ?? null, additionalInfo: answer.additionalInfo ?? null, alerts: reasons, requester, site, source: answer.source, verifiedAt,
    });
    return result;
  }

  /**
   * One serial in two places: dispensed by another organisation or site, or verified at another
   * site before. Genuine packs are in one place at a time, so this is a possible clone.
   */
  private async possibleClone(pack: PackRecord, site: string | null): Promise<boolean> {
    if (pack.dispensed && (pack.dispensed.by !== this.p.org || (site && pack.dispensed.site && pack.dispensed.site !== site))) return true;
    if (!site) return false;
    return this.p.readModel.verifications.verifiedElsewhere(pack.gtin, pack.serial, site);
  }

  async record(v: VerificationEntry): Promise<void> {
    verificationsTotal.inc({ verified: String(v.verified), source: v.source });
    await this.p.readModel.verifications.record(v);
  }
}
