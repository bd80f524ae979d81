import { DomainError } from '../errors';
import { parseTimestamp, toUtcIsoString, type IsoDate, type IsoTimestamp } from '../time';
import { normaliseGtin } from '../gs1/gtin';
import { effectiveExpiry, isExpired } from './pack-machine';
import type { PackRecord } from './records';

/**
 * Product identifier verification as a manufacturer's responder answers it (GS1 US Lightweight
 * Messaging for VRS, release 1.3): pure, given the pack record the responder holds.
 */

export type VerificationFailureReason =
  | 'No_match_GTIN_Serial'
  | 'No_match_GTIN_Serial_Lot'
  | 'No_match_GTIN_Serial_Expiry'
  | 'No_match_GTIN_Serial_Lot_Expiry'
  | 'Not_for_re-distribution'
  | 'Manufacturer_policy'
  | 'No_reason_provided';

export type VerificationAdditionalInfo = 'Expired' | 'ExpirationExtended' | 'Recalled' | 'Suspect' | 'Illegitimate';

export interface VerificationRequest {
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  readonly expiry?: IsoDate;
}

export interface VerificationOutcome {
  readonly verified: boolean;
  readonly verificationFailureReason?: VerificationFailureReason;
  readonly additionalInfo?: VerificationAdditionalInfo;
}

/**
 * - unknown GTIN+serial: `No_match_GTIN_Serial`, lot and expiry are not looked at;
 * - lot and/or expiry differ: `No_match_GTIN_Serial_Lot` / `_Expiry` / `_Lot_Expiry` (the printed
 *   expiry or the FDA-extended one both count as a match);
 * - quarantined as suspect/illegitimate, or already dispensed/decommissioned/destroyed:
 *   not verified, `Not_for_re-distribution`;
 * - recalled, expired or extended: the identifier is genuine (verified) and `additionalInfo` says
 *   why it must not be used; the state machine is what blocks dispensing.
 */
export function verifyProductIdentifier(pack: PackRecord | undefined, request: VerificationRequest, at: IsoTimestamp): VerificationOutcome {
  const gtin = normaliseGtin(request.gtin);
  if (!pack || pack.gtin !== gtin || pack.serial !== request.serial) return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' };

  const lotMismatch = request.lot !== undefined && request.lot !== pack.lot;
  const expiryMismatch = request.expiry !== undefined && request.expiry !== pack.expiry && request.expiry !== pack.expiryExtendedTo;
  const info = additionalInfo(pack, at);
  if (lotMismatch || expiryMismatch) {
    const reason = lotMismatch && expiryMismatch ? 'No_match_GTIN_Serial_Lot_Expiry' : lotMismatch ? 'No_match_GTIN_Serial_Lot' : 'No_match_GTIN_Serial_Expiry';
    return { verified: false, verificationFailureReason: reason, ...(info ? { additionalInfo: info } : {}) };
  }
  const held = pack.quarantine !== undefined || pack.status === 'dispensed' || pack.status === 'decommissioned' || pack.status === 'destroyed';
  if (held) return { verified: false, verificationFailureReason: 'Not_for_re-distribution', ...(info ? { additionalInfo: info } : {}) };
  return { verified: true, ...(info ? { additionalInfo: info } : {}) };
}

function additionalInfo(pack: PackRecord, at: IsoTimestamp): VerificationAdditionalInfo | undefined {
  if (pack.quarantine?.reason === 'illegitimate') return 'Illegitimate';
  if (pack.quarantine) return 'Suspect';
  if (pack.recall) return 'Recalled';
  if (isExpired(pack, at)) return 'Expired';
  if (pack.expiryExtendedTo !== undefined && effectiveExpiry(pack) !== pack.expiry) return 'ExpirationExtended';
  return undefined;
}

/**
 * Suspect product investigation sample (FDA verification guidance): verify at least 3 packages or
 * 10%, whichever is greater; all of them when there are fewer than 3.
 */
export function suspectSampleSize(packages: number): number {
  if (!Number.isInteger(packages) || packages < 0) {
    throw new DomainError('COMMAND_INVALID', `package count must be a non-negative integer, got ${packages}`, { reason: 'package count' });
  }
  return packages < 3 ? packages : Math.min(packages, Math.max(3, Math.ceil(packages * 0.1)));
}

/** FDA Form 3911 and trading-partner notices are due within 24 hours of an illegitimate determination. */
export function illegitimateNotificationDue(determinedAt: IsoTimestamp): IsoTimestamp {
  return toUtcIsoString(parseTimestamp(determinedAt, 'determinedAt').epochMs + 24 * 3_600_000);
}
