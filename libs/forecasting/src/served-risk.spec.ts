import { MarginalForecast } from './marginal';
import { calibrationTable, pathTotals, remapLevel, samplePaths } from './served-risk';

const constant = (sd: number): MarginalForecast => ({
  steps: 12,
  // Normal(100, sd) per month through its quantile function.
  quantile: (_h, u) => 100 + sd * Math.SQRT2 * inverseErf(2 * u - 1),
});

function inverseErf(x: number): number {
  const a = 0.147;
  const ln = Math.log(1 - x * x);
  const t = 2 / (Math.PI * a) + ln / 2;
  return Math.sign(x) * Math.sqrt(Math.sqrt(t * t - ln / a) - t);
}

describe('served risk', () => {
  it('uniform PITs give the identity; PITs bunched in the middle widen the served band', () => {
    const uniform = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);
    const table = calibrationTable(uniform);
    expect(remapLevel(table, 0.9)).toBeCloseTo(0.9, 2);
    expect(remapLevel(table, 0.5)).toBeCloseTo(0.5, 2);
    // Actuals fell inside the base's 30-70% band every time: the base is too wide; served 0.9 reads its ~0.66.
    const narrow = Array.from({ length: 999 }, (_, i) => 0.3 + (0.4 * (i + 1)) / 1000);
    expect(remapLevel(calibrationTable(narrow, 30, 'symmetric'), 0.9)).toBeCloseTo(0.66, 2);
    expect(remapLevel(calibrationTable(narrow, 30, 'symmetric'), 0.5)).toBeCloseTo(0.5, 6);
    expect(remapLevel(calibrationTable(uniform.slice(0, 10)), 0.9)).toBe(0.9); // too few: identity
  });

  it('correlated months give a wider lead-time total than independent ones', () => {
    const marginal = constant(10);
    const corr = (rho: number) => Array.from({ length: 12 }, (_, i) => Array.from({ length: 12 }, (_, j) => rho ** Math.abs(i - j)));
    const q95 = (rho: number) => {
      const totals = pathTotals(samplePaths(marginal, corr(rho), 3, 4000, 7), 3);
      return totals[Math.floor(0.95 * totals.length)];
    };
    // Independent: 300 + 1.645 * 10 * sqrt(3) ≈ 328.5; fully correlated: 300 + 1.645 * 30 ≈ 349.3.
    expect(q95(0)).toBeGreaterThan(324);
    expect(q95(0)).toBeLessThan(333);
    expect(q95(0.99)).toBeGreaterThan(344);
    // Deterministic for a seed.
    expect(Array.from(pathTotals(samplePaths(marginal, corr(0.5), 2, 10, 1), 2))).toEqual(Array.from(pathTotals(samplePaths(marginal, corr(0.5), 2, 10, 1), 2)));
    // A fractional month counts its share.
    const half = pathTotals(samplePaths(marginal, corr(0), 2, 2000, 3), 1.5);
    expect(half[1000]).toBeCloseTo(150, -1);
  });
});
