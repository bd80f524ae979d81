import { createHash } from 'node:crypto';
import { DomainError } from '@pedigree/domain';

/**
 * The REST binding's opaque `nextPageToken`: where the previous page's scan stopped (sort key and
 * record order), how many events were served so far (for eventCountLimit), and a fingerprint of
 * the query it belongs to, so a token is refused with any other query. Not signed: it only
 * positions a scan over what the caller may see anyway. Tokens do not expire.
 */
export interface PageToken {
  readonly query: string;
  readonly key: string;
  readonly seq: string;
  readonly served: number;
}

/** Parameters that do not change which events a query selects. */
const PAGING = new Set(['perPage', 'nextPageToken']);

/** The query's identity: its parameters and values in a canonical order, hashed. */
export function queryFingerprint(resource: string, params: Readonly<Record<string, string | readonly string[] | undefined>>): string {
  const entries = Object.entries(params)
    .filter(([name, v]) => v !== undefined && !PAGING.has(name))
    .map(([name, v]) => [name, (typeof v === 'string' ? [v] : [...(v as readonly string[])]).sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([resource, entries])).digest('base64url').slice(0, 16);
}

export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([1, token.query, token.key, token.seq, token.served])).toString('base64url');
}

function invalid(message: string): DomainError {
  return new DomainError('EPCIS_QUERY_INVALID', `query parameter nextPageToken: ${message}`, { reason: message, parameter: 'nextPageToken' });
}

/** The token's position, if it was issued for this query; else a QueryParameterException. */
export function decodePageToken(text: string, fingerprint: string): PageToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a token this service issued');
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== 1) throw invalid('is not a token this service issued');
  const [, query, key, seq, served] = parsed as [number, unknown, unknown, unknown, unknown];
  if (typeof query !== 'string' || typeof key !== 'string' || typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)
    || typeof served !== 'number' || !Number.isSafeInteger(served) || served < 0 || (key !== '' && Number.isNaN(Date.parse(key)))) {
    throw invalid('is not a token this service issued');
  }
  if (query !== fingerprint) throw invalid('belongs to another query: send the same parameters as the first page');
  return { query, key, seq, served };
}

/** perPage: default 30 (the standard's), at most `max`. */
export function perPageOf(value: string | undefined, max: number, fallback = 30): number {
  if (value === undefined) return Math.min(fallback, max);
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new DomainError('EPCIS_QUERY_INVALID', 'query parameter perPage: must be a positive integer', { reason: 'must be a positive integer', parameter: 'perPage' });
  }
  return Math.min(Number(value), max);
}
