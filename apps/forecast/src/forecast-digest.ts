import { createHash } from 'node:crypto';
import { canonicalJson } from '@pedigree/domain';

/**
 * The digest that goes on the ledger: SHA-256 of the forecast's canonical JSON (sorted keys, no
 * whitespace), so the same forecast always hashes the same whatever order its fields were built in.
 * Numbers are rounded to a fixed precision first, because the last bits of floating-point sums may
 * differ between tfjs backends while the forecast a planner acted on is the same.
 */
export function forecastDigest(document: object): string {
  return createHash('sha256').update(canonicalForecastJson(document)).digest('hex');
}

export function canonicalForecastJson(document: object): string {
  return canonicalJson(roundNumbers(document));
}

/** Six significant decimals: far below a pack, far above floating-point noise. */
export function roundNumbers<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? Math.round(value * 1e6) / 1e6 : null) as T;
  if (Array.isArray(value)) return value.map(roundNumbers) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, roundNumbers(v)])) as T;
  }
  return value;
}
