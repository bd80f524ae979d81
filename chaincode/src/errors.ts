import { isDomainError } from '@pedigree/domain';

/**
 * Failure codes the chaincode adds where the domain has none. Every refusal leaves the chaincode as
 * `Error('CODE: message')`, the form `LedgerError.chaincodeCode` is parsed from, so clients branch on
 * one stable string whether the rule lives in @pedigree/domain or here.
 */
export const ChaincodeErrorCode = {
  /** The GTIN is not in the product registry (commission needs its manufacturer). */
  PRODUCT_UNKNOWN: 'PRODUCT_UNKNOWN',
  /** The organisation is not in the partner registry. */
  PARTNER_UNKNOWN: 'PARTNER_UNKNOWN',
  /** The partner's licence (authorised trading partner status) has lapsed. */
  PARTNER_UNLICENSED: 'PARTNER_UNLICENSED',
  /** The event ID was already used for a different command or different content. */
  DUPLICATE_EVENT: 'DUPLICATE_EVENT',
  /** A record that a read asked for does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Only the two trading partners of a shipment may read its Transaction Information. */
  TI_FORBIDDEN: 'TI_FORBIDDEN',
  /** More serials in one transaction than the chaincode accepts (payload and write-set size). */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
} as const;
export type ChaincodeErrorCode = (typeof ChaincodeErrorCode)[keyof typeof ChaincodeErrorCode];

export class ChaincodeError extends Error {
  constructor(
    readonly code: ChaincodeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Rewrites a DomainError as `CODE: message`; anything already in that form passes through. */
export function toChaincodeError(err: unknown): Error {
  if (isDomainError(err)) {
    const detail = err.details.suspect ? ' [suspect]' : '';
    return new Error(`${err.code}: ${err.message}${detail}`);
  }
  if (err instanceof Error) return err;
  return new Error(`INTERNAL: ${String(err)}`);
}
