import fc from 'fast-check';
import { isDomainError } from '@pedigree/domain';
import { decodePageToken, encodePageToken, perPageOf, queryFingerprint, type PageToken } from './page-token';

const parameterOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isDomainError(e, 'EPCIS_QUERY_INVALID') ? String((e.details as { parameter?: string }).parameter) : `other: ${(e as Error).message}`;
  }
  return undefined;
};

describe('nextPageToken', () => {
  const fp = queryFingerprint('events', { eventType: 'ObjectEvent', EQ_bizStep: 'shipping' });

  it('round-trips any position (property)', () => {
    fc.assert(fc.property(
      fc.record({ key: fc.oneof(fc.constant(''), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())), seq: fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String), served: fc.nat() }),
      (pos) => {
        const token: PageToken = { query: fp, ...pos };
        expect(decodePageToken(encodePageToken(token), fp)).toEqual(token);
      }));
  });

  it('never accepts arbitrary text as a token, and never throws anything but a query error (property)', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      expect(parameterOf(() => decodePageToken(text, fp))).toBe('nextPageToken');
    }));
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['another query', encodePageToken({ query: queryFingerprint('events', { eventType: 'AggregationEvent' }), key: '', seq: '5', served: 0 })],
    ['a negative count', Buffer.from(JSON.stringify([1, fp, '', '5', -1])).toString('base64url')],
    ['a seq that is not a number', Buffer.from(JSON.stringify([1, fp, '', '5; DROP TABLE', 0])).toString('base64url')],
    ['a key that is not a time', Buffer.from(JSON.stringify([1, fp, 'yesterday', '5', 0])).toString('base64url')],
    ['another version', Buffer.from(JSON.stringify([2, fp, '', '5', 0])).toString('base64url')],
  ])('refuses %s as a QueryParameterException on nextPageToken', (_name, token) => {
    expect(parameterOf(() => decodePageToken(token, fp))).toBe('nextPageToken');
  });

  it.each([
    [{ a: '1', b: '2' }, { b: '2', a: '1' }, true],
    [{ a: ['x', 'y'] }, { a: ['y', 'x'] }, true],
    [{ a: '1', perPage: '5' }, { a: '1', perPage: '50', nextPageToken: 'zz' }, true],
    [{ a: '1' }, { a: '2' }, false],
    [{ a: '1' }, { a: '1', b: '1' }, false],
  ])('fingerprint %j vs %j: same = %s', (x, y, same) => {
    expect(queryFingerprint('events', x) === queryFingerprint('events', y)).toBe(same);
  });

  it('fingerprints differ per resource', () => {
    expect(queryFingerprint('events', {})).not.toBe(queryFingerprint('capture', {}));
  });
});

describe('perPage', () => {
  it.each([
    [undefined, 30],
    ['1', 1],
    ['500', 500],
    ['5000', 1000],
  ])('%s gives %d', (value, expected) => {
    expect(perPageOf(value, 1000)).toBe(expected);
  });

  it.each(['0', '-1', '1.5', 'ten', ''])('refuses %j', (value) => {
    expect(parameterOf(() => perPageOf(value, 1000))).toBe('perPage');
  });
});
