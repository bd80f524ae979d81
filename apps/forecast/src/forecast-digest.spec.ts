import { canonicalForecastJson, forecastDigest } from './forecast-digest';

describe('forecast digest', () => {
  const doc = { gtin: '00312345678906', periods: [{ period: '2026-01-01', q10: 1.5, q50: 2, q90: 3 }], method: 'ets' };

  it('does not depend on key order', () => {
    const reordered = { method: 'ets', periods: [{ q90: 3, q50: 2, q10: 1.5, period: '2026-01-01' }], gtin: '00312345678906' };
    expect(forecastDigest(reordered)).toBe(forecastDigest(doc));
    expect(forecastDigest(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores floating-point noise below a millionth but not a real change', () => {
    const noisy = { ...doc, periods: [{ period: '2026-01-01', q10: 1.5 + 1e-12, q50: 2, q90: 3 }] };
    expect(forecastDigest(noisy)).toBe(forecastDigest(doc));
    const changed = { ...doc, periods: [{ period: '2026-01-01', q10: 1.5, q50: 2.01, q90: 3 }] };
    expect(forecastDigest(changed)).not.toBe(forecastDigest(doc));
  });

  it('writes sorted keys without whitespace', () => {
    expect(canonicalForecastJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });
});
