import { DomainError } from '@pedigree/domain';

/** Relay-style keyset pages: every list of the read model is ordered on a unique key and resumes after it. */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 200;

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface Page<T> {
  readonly edges: ReadonlyArray<{ readonly cursor: string; readonly node: T }>;
  readonly pageInfo: PageInfo;
}

/** Opaque cursor: the sort key of the last row, base64url. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The sort key a cursor carries; null for the first page. */
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (!cursor) return null;
  // base64url decoding ignores characters outside its alphabet: refuse them rather than read a different key.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw cursorInvalid();
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || encodeCursor(key) !== cursor) throw cursorInvalid();
  return key;
}

/** A cursor whose key has `parts` fields joined by `|` (composite keyset positions). */
export function decodeCompositeCursor(cursor: string | null | undefined, parts: number): string[] | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const fields = key.split('|');
  if (fields.length !== parts || fields.some((f) => !f)) throw cursorInvalid();
  return fields;
}

/** A cursor over a bigint sequence (history rows): anything else was not issued here. */
export function decodeSequenceCursor(cursor: string | null | undefined): string | null {
  const key = decodeCursor(cursor);
  if (key !== null && !/^\d{1,19}$/.test(key)) throw cursorInvalid();
  return key;
}

export function pageSize(first: number | null | undefined, max = MAX_PAGE): number {
  const n = first ?? Math.min(DEFAULT_PAGE, max);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new DomainError('PAGE_SIZE_INVALID', `first must be 1-${max}`, { max, first: n });
  return n;
}

/** Rows are fetched one beyond the page size, so the extra row says whether a next page exists. */
export function toPage<R, T>(rows: readonly R[], size: number, key: (r: R) => string, node: (r: R) => T): Page<T> {
  const edges = rows.slice(0, size).map((r) => ({ cursor: encodeCursor(key(r)), node: node(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}

function cursorInvalid(): DomainError {
  return new DomainError('PAGE_CURSOR_INVALID', 'the cursor is not one this API issued');
}
