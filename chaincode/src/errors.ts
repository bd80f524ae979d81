import { DomainErrorCode, isDomainError } from '@pedigree/domain';

/**
 * Every refusal leaves the chaincode as `Error('CODE: message')`, the form `LedgerError.chaincodeCode`
 * is parsed from, and every CODE is one of the domain's catalogue (libs/domain/src/errors.ts), so
 * clients branch on one stable string and one exhaustive mapper turns it into an API error.
 */
export type ChaincodeErrorCode = DomainErrorCode;

export class ChaincodeError extends Error {
  constructor(
    readonly code: ChaincodeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const KNOWN = new Set<string>(Object.values(DomainErrorCode));

/**
 * Rewrites a DomainError as `CODE: message`; a message already in that form with a catalogue code
 * passes through; anything else (a bug, a library failure) becomes INTERNAL, so it can never pass
 * for the caller's bad input.
 */
export function toChaincodeError(err: unknown): Error {
  if (isDomainError(err)) {
    const detail = err.details.suspect ? ' [suspect]' : '';
    return new Error(`${err.code}: ${err.message}${detail}`);
  }
  if (err instanceof Error) {
    const code = /^([A-Z_]{3,}):/.exec(err.message)?.[1];
    if (code && KNOWN.has(code)) return err;
    return new Error(`INTERNAL: ${err.message}`);
  }
  return new Error(`INTERNAL: ${String(err)}`);
}
