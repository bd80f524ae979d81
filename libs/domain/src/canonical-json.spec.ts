import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { isDomainError } from './errors';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined, '10': 'ten', '01': 'one' })).toBe(
      '{"01":"one","10":"ten","a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('is independent of insertion order and parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).reverse()) : v,
        );
        expect(canonicalJson(shuffled)).toBe(text);
      }),
    );
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a function', { f: () => 1 }],
    ['a Date', { d: new Date(0) }],
    ['a Map', { m: new Map() }],
    ['a bigint', { b: BigInt(1) }],
  ])('rejects %s', (_label, value) => {
    try {
      canonicalJson(value);
      throw new Error('expected failure');
    } catch (e) {
      expect(isDomainError(e, 'NOT_SERIALISABLE')).toBe(true);
    }
  });

  it('rejects cycles but allows shared references', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/);
  });
});
