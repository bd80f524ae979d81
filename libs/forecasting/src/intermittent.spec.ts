import { classifyDemand, fitSba, fitTsb, intermittentForecast, intermittentMarginal } from './intermittent';

describe('intermittent demand', () => {
  it.each([
    ['smooth', [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9]],
    ['erratic', [1, 30, 2, 25, 1, 40, 3, 20, 1, 35, 2, 30]],
    ['intermittent', [0, 5, 0, 0, 6, 0, 5, 0, 0, 6, 0, 5]],
    ['lumpy', [0, 1, 0, 0, 30, 0, 2, 0, 0, 40, 0, 1]],
  ] as const)('classifies %s demand by ADI and CV²', (expected, values) => {
    expect(classifyDemand(values).demandClass).toBe(expected);
  });

  it('SBA corrects Croston for bias; TSB follows the probability of demand', () => {
    const values = [0, 4, 0, 0, 4, 0, 4, 0, 0, 4, 0, 4, 0, 0, 4];
    const sba = fitSba(values)!;
    expect(sba.size).toBeCloseTo(4 * 0.95, 6);
    expect(sba.probability).toBeGreaterThan(0.3);
    expect(sba.probability).toBeLessThan(0.6);
    const dying = fitTsb([...values, ...new Array(24).fill(0)])!;
    expect(dying.probability).toBeLessThan(fitTsb(values)!.probability / 5);
    expect(fitSba([0, 0, 0])).toBeUndefined();
  });

  it('has a count distribution: an atom at zero, sizes from the series', () => {
    const fit = { method: 'tsb' as const, probability: 0.25, size: 4, sizes: [2, 4, 6] };
    const m = intermittentMarginal(fit, 3);
    expect(m.quantile(0, 0.5)).toBe(0);
    expect(m.quantile(0, 0.75)).toBe(0);
    expect(m.quantile(0, 0.999)).toBeCloseTo(6, 1);
    const f = intermittentForecast(fit, 3, [0.1, 0.5, 0.9]);
    expect(f.point).toEqual([1, 1, 1]);
    expect(f.quantiles[0]).toEqual([0, 0, 0]);
  });
});
