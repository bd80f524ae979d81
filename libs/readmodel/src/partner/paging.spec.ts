import fc from 'fast-check';
import { DomainError } from '@pedigree/domain';
import { decodeCompositeCursor, decodeCursor, decodeSequenceCursor, encodeCursor, MAX_PAGE, pageSize, toPage } from './paging';

const codeOf = (f: () => unknown): string | undefined => {
  try { f(); return undefined; } catch (err) { return err instanceof DomainError ? err.code : 'not a DomainError'; }
};

describe('paging', () => {
  it('round-trips any non-empty key through a cursor', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }).filter((s) => !s.includes('\uFFFD') && Buffer.from(s, 'utf8').toString('utf8') === s), (key) => {
      expect(decodeCursor(encodeCursor(key))).toBe(key);
    }));
  });

  it.each([
    ['characters outside base64url', 'abc+/='],
    ['a key that re-encodes differently', 'QQR'],
    ['whitespace', ' YQ'],
  ])('refuses %s with PAGE_CURSOR_INVALID', (_, cursor) => {
    expect(codeOf(() => decodeCursor(cursor))).toBe('PAGE_CURSOR_INVALID');
  });

  it('reads no cursor as the first page', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it('checks the arity of composite cursors', () => {
    expect(decodeCompositeCursor(encodeCursor('a|b|c'), 3)).toEqual(['a', 'b', 'c']);
    expect(codeOf(() => decodeCompositeCursor(encodeCursor('a|b'), 3))).toBe('PAGE_CURSOR_INVALID');
    expect(codeOf(() => decodeCompositeCursor(encodeCursor('a||c'), 3))).toBe('PAGE_CURSOR_INVALID');
  });

  it('reads sequence cursors as digits only', () => {
    expect(decodeSequenceCursor(encodeCursor('42'))).toBe('42');
    expect(codeOf(() => decodeSequenceCursor(encodeCursor('4x')))).toBe('PAGE_CURSOR_INVALID');
  });

  it.each([[0], [-1], [1.5], [MAX_PAGE + 1]])('refuses a page size of %s with PAGE_SIZE_INVALID', (n) => {
    expect(codeOf(() => pageSize(n))).toBe('PAGE_SIZE_INVALID');
  });

  it('defaults the page size and honours a smaller maximum', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null, 10)).toBe(10);
    expect(codeOf(() => pageSize(11, 10))).toBe('PAGE_SIZE_INVALID');
  });

  it('says whether a next page exists from the extra row', () => {
    const page = toPage(['a', 'b', 'c'], 2, (r) => r, (r) => r.toUpperCase());
    expect(page.edges.map((e) => e.node)).toEqual(['A', 'B']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor('b') });
    expect(toPage([], 2, (r: string) => r, (r) => r).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
