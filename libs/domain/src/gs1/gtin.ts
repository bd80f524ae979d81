import { DomainError } from '../errors';
import { gs1CheckDigit, hasValidCheckDigit, isAllDigits, withCheckDigit } from './check-digit';
import { CHARACTER_SET_NAME, describeCharacter, firstInvalidCharacter } from './charset';

/** 14-digit GTIN with a valid check digit (the only form the domain stores). */
export type Gtin14 = string;
/** 18-digit SSCC with a valid check digit. */
export type Sscc18 = string;
/** 13-digit GLN with a valid check digit. */
export type Gln13 = string;

const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

export function gtinCheckDigit(dataDigits: string): number {
  return gs1CheckDigit(dataDigits);
}

export function isValidGtin(value: string): boolean {
  return GTIN_LENGTHS.has(value.length) && hasValidCheckDigit(value);
}

/**
 * GTIN-8/12/13/14 -> GTIN-14 by left-padding with zeros. The check digit is
 * verified first, so a mistyped GTIN never reaches a lookup.
 */
export function normaliseGtin(value: string): Gtin14 {
  if (!isAllDigits(value) || !GTIN_LENGTHS.has(value.length)) {
    throw new DomainError('IDENTIFIER_INVALID', `GTIN must be 8, 12, 13 or 14 digits, got ${JSON.stringify(value)}`, {
      ai: '01',
      reason: 'GTIN length or characters',
    });
  }
  if (!hasValidCheckDigit(value)) {
    throw new DomainError('CHECK_DIGIT', `GTIN ${value} has a wrong check digit (expected ${gs1CheckDigit(value.slice(0, -1))})`, {
      ai: '01',
      reason: 'GTIN check digit',
    });
  }
  return value.padStart(14, '0');
}

/** Indicator digit (packaging level: 0 = base unit, 1-8 = higher levels, 9 = variable measure). */
export function gtinIndicator(gtin: Gtin14): number {
  return gtin.charCodeAt(0) - 48;
}

/** GTIN-14 with a new indicator digit and recomputed check digit (item -> case GTIN). */
export function withIndicator(gtin: Gtin14, indicator: number): Gtin14 {
  if (!Number.isInteger(indicator) || indicator < 0 || indicator > 9) {
    throw new DomainError('IDENTIFIER_INVALID', `indicator must be 0-9, got ${indicator}`, { reason: 'indicator digit' });
  }
  return withCheckDigit(String(indicator) + gtin.slice(1, 13));
}

export function normaliseSscc(value: string): Sscc18 {
  if (!/^\d{18}$/.test(value)) {
    throw new DomainError('IDENTIFIER_INVALID', `SSCC must be 18 digits, got ${JSON.stringify(value)}`, { ai: '00', reason: 'SSCC length or characters' });
  }
  if (!hasValidCheckDigit(value)) {
    throw new DomainError('CHECK_DIGIT', `SSCC ${value} has a wrong check digit (expected ${gs1CheckDigit(value.slice(0, -1))})`, {
      ai: '00',
      reason: 'SSCC check digit',
    });
  }
  return value;
}

export function isValidSscc(value: string): boolean {
  return /^\d{18}$/.test(value) && hasValidCheckDigit(value);
}

export function normaliseGln(value: string, ai = '414'): Gln13 {
  if (!/^\d{13}$/.test(value)) {
    throw new DomainError('IDENTIFIER_INVALID', `GLN must be 13 digits, got ${JSON.stringify(value)}`, { ai, reason: 'GLN length or characters' });
  }
  if (!hasValidCheckDigit(value)) {
    throw new DomainError('CHECK_DIGIT', `GLN ${value} has a wrong check digit (expected ${gs1CheckDigit(value.slice(0, -1))})`, {
      ai,
      reason: 'GLN check digit',
    });
  }
  return value;
}

export function isValidGln(value: string): boolean {
  return /^\d{13}$/.test(value) && hasValidCheckDigit(value);
}

/** Serial (AI 21) or lot (AI 10): 1-20 characters of CSET 82, case preserved. */
export function assertSerialOrLot(value: string, ai: '21' | '10'): string {
  const what = ai === '21' ? 'serial' : 'lot';
  if (value.length < 1 || value.length > 20) {
    throw new DomainError('AI_INVALID', `AI (${ai}): ${what} must be 1-20 characters, got ${value.length}`, { ai, reason: `${what} length` });
  }
  const bad = firstInvalidCharacter(value, 'X');
  if (bad !== -1) {
    const reason = `character ${describeCharacter(value[bad] as string)} at position ${bad + 1} is not allowed (${CHARACTER_SET_NAME.X})`;
    throw new DomainError('AI_INVALID', `AI (${ai}): ${reason}`, { ai, reason, position: bad + 1 });
  }
  return value;
}

/** A serialised trade item: what DSCSA calls the SNI (NDC-bearing GTIN plus serial). */
export interface Sgtin {
  readonly gtin: Gtin14;
  readonly serial: string;
}

export function sgtin(gtin: string, serial: string): Sgtin {
  return { gtin: normaliseGtin(gtin), serial: assertSerialOrLot(serial, '21') };
}
