import { DomainError } from '../errors';
import { withCheckDigit } from './check-digit';
import { normaliseGtin, type Gtin14 } from './gtin';

/**
 * US National Drug Code <-> GTIN. A 10-digit NDC sits inside a GTIN-14 as
 * indicator + "03" + NDC10 + check digit ("0" for the unit of sale, 1-8 for packaging levels).
 * The dashes are not recoverable from the GTIN, so GTIN -> NDC needs the segment pattern from
 * product master data; we refuse to guess because a wrong NDC-11 is a wrong product on a claim.
 */

export type NdcPattern = '4-4-2' | '5-3-2' | '5-4-1';
export const NDC_PATTERNS: readonly NdcPattern[] = ['4-4-2', '5-3-2', '5-4-1'];

export interface Ndc {
  readonly labeler: string;
  readonly product: string;
  readonly package: string;
  readonly pattern: NdcPattern;
}

const SEGMENTS: Readonly<Record<NdcPattern, readonly [number, number, number]>> = {
  '4-4-2': [4, 4, 2],
  '5-3-2': [5, 3, 2],
  '5-4-1': [5, 4, 1],
};

/**
 * Parses a dashed NDC-10 (`0002-1433-80`, `12345-678-90`, `12345-6789-1`), or 10 bare digits when
 * the pattern is supplied. The 11-digit billing form is not accepted here: which segment was
 * zero-padded cannot be known without master data.
 */
export function parseNdc(text: string, pattern?: NdcPattern): Ndc {
  const trimmed = text.trim();
  const dashed = /^(\d{4,5})-(\d{3,4})-(\d{1,2})$/.exec(trimmed);
  if (dashed) {
    const [, labeler, product, pkg] = dashed as unknown as [string, string, string, string];
    const found = NDC_PATTERNS.find((p) => {
      const [a, b, c] = SEGMENTS[p];
      return labeler.length === a && product.length === b && pkg.length === c;
    });
    if (!found) {
      throw new DomainError('NDC_INVALID', `NDC ${trimmed} is not in a 4-4-2, 5-3-2 or 5-4-1 pattern`, { reason: 'segment lengths' });
    }
    if (pattern !== undefined && pattern !== found) {
      throw new DomainError('NDC_INVALID', `NDC ${trimmed} is ${found}, not ${pattern}`, { reason: 'pattern mismatch' });
    }
    return { labeler, product, package: pkg, pattern: found };
  }
  if (/^\d{10}$/.test(trimmed)) {
    if (pattern === undefined) {
      throw new DomainError('NDC_PATTERN_REQUIRED', `NDC ${trimmed} has no dashes; pass its pattern (4-4-2, 5-3-2 or 5-4-1)`, {
        reason: 'undashed NDC-10 is ambiguous',
      });
    }
    return splitNdc(trimmed, pattern);
  }
  throw new DomainError('NDC_INVALID', `not an NDC-10: ${JSON.stringify(text)}`, { reason: 'expected 10 digits in three dashed segments' });
}

function splitNdc(digits: string, pattern: NdcPattern): Ndc {
  const [a, b] = SEGMENTS[pattern];
  return { labeler: digits.slice(0, a), product: digits.slice(a, a + b), package: digits.slice(a + b), pattern };
}

export function formatNdc(ndc: Ndc): string {
  return `${ndc.labeler}-${ndc.product}-${ndc.package}`;
}

export function ndcDigits(ndc: Ndc): string {
  return ndc.labeler + ndc.product + ndc.package;
}

/** HIPAA 11-digit 5-4-2 form: the short segment is left-padded with one zero. */
export function ndcToNdc11(ndc: Ndc | string): string {
  const n = typeof ndc === 'string' ? parseNdc(ndc) : ndc;
  return n.labeler.padStart(5, '0') + n.product.padStart(4, '0') + n.package.padStart(2, '0');
}

export function formatNdc11(ndc: Ndc | string): string {
  const d = ndcToNdc11(ndc);
  return `${d.slice(0, 5)}-${d.slice(5, 9)}-${d.slice(9)}`;
}

/** NDC -> GTIN-14: indicator + "03" + NDC10 + check digit. */
export function ndcToGtin14(ndc: Ndc | string, indicator = 0): Gtin14 {
  if (!Number.isInteger(indicator) || indicator < 0 || indicator > 8) {
    throw new DomainError('NDC_INVALID', `packaging indicator must be 0-8, got ${indicator}`, { reason: 'indicator digit' });
  }
  const n = typeof ndc === 'string' ? parseNdc(ndc) : ndc;
  return withCheckDigit(`${indicator}03${ndcDigits(n)}`);
}

/** True for GTINs in the US NDC range (GS1 prefix 03 after the indicator). */
export function isNdcGtin(gtin: string): boolean {
  return /^\d{14}$/.test(gtin) && gtin.slice(1, 3) === '03';
}

/** The 10 NDC digits inside an NDC-based GTIN, without segmentation. */
export function gtinToNdcDigits(gtin: string): string {
  const g = normaliseGtin(gtin);
  if (!isNdcGtin(g)) {
    throw new DomainError('NDC_INVALID', `GTIN ${g} does not carry an NDC (digits 2-3 are not 03)`, { ai: '01', reason: 'not an NDC-based GTIN' });
  }
  return g.slice(3, 13);
}

/** GTIN -> NDC with the pattern from product master data; without it this throws, never guesses. */
export function gtinToNdc(gtin: string, pattern: NdcPattern | undefined): Ndc {
  const digits = gtinToNdcDigits(gtin);
  if (pattern === undefined) {
    throw new DomainError('NDC_PATTERN_REQUIRED', `GTIN ${gtin} -> NDC needs the NDC segment pattern from product master data`, {
      ai: '01',
      reason: 'segment pattern unknown',
    });
  }
  return splitNdc(digits, pattern);
}

export function gtinToNdc11(gtin: string, pattern: NdcPattern | undefined): string {
  return ndcToNdc11(gtinToNdc(gtin, pattern));
}

/**
 * GS1 company prefix length of an NDC-based GTIN: "03" + the FDA labeler code, i.e. 6 digits for a
 * 4-digit labeler and 7 for a 5-digit one.
 *
 * Assumption when the labeler length is not given: FDA issues 5-digit labeler codes from 10000 up,
 * so an NDC whose first digit is 0 has a 4-digit labeler (0002 Lilly, 0069 Pfizer, ...), and any
 * other first digit is taken as a 5-digit labeler. The only case this gets wrong is a 4-digit
 * labeler code 1000-9999; callers with product master data should pass `labelerDigits`.
 */
export function ndcCompanyPrefixLength(gtin: string, labelerDigits?: 4 | 5): number {
  const digits = gtinToNdcDigits(gtin);
  if (labelerDigits !== undefined) return 2 + labelerDigits;
  return digits.startsWith('0') ? 6 : 7;
}
