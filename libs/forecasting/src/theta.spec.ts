import fc from 'fast-check';
import { forecastBaseline } from './baseline';
import { SeededRandom } from './seeded-random';
import { fitTheta, isSeasonal, multiplicativeIndices, thetaForecast } from './theta';

const season = [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7];

describe('theta', () => {
  it('forecasts a constant series as that constant, with no spread', () => {
    const f = thetaForecast(fitTheta(new Array<number>(48).fill(120))!, 12);
    expect(f.method).toBe('theta');
    for (const row of f.quantiles) row.forEach((v) => expect(v).toBeCloseTo(120, 4));
  });

  it('extends a straight line with the drift (SES level plus half the slope)', () => {
    const history = Array.from({ length: 60 }, (_, t) => 200 + 3 * t);
    const fit = fitTheta(history)!;
    expect(fit.seasonal).toEqual([]);
    expect(fit.drift).toBeCloseTo(1.5, 6);
    const f = thetaForecast(fit, 6);
    for (let h = 1; h < 6; h++) expect(f.point[h] - f.point[h - 1]).toBeCloseTo(1.5, 6);
    // Half the slope plus a level that tracks the line: below the line's own extension, above the last value.
    expect(f.point[0]).toBeGreaterThan(history[59]);
    expect(f.point[5]).toBeLessThan(200 + 3 * 65);
  });

  it.each([
    { name: 'multiplicative season with growth', values: (t: number) => (1000 + 5 * t) * season[t % 12], seasonal: true },
    { name: 'white noise', values: (t: number) => 500 + ((t * 7919) % 13) - 6, seasonal: false },
  ])('tests seasonality: $name', ({ values, seasonal }) => {
    const history = Array.from({ length: 96 }, (_, t) => values(t));
    expect(isSeasonal(history, 12)).toBe(seasonal);
  });

  it('recovers seasonal indices and puts them back on the forecast', () => {
    const random = new SeededRandom(5);
    const truth = (t: number) => (1000 + 4 * t) * season[t % 12];
    const history = Array.from({ length: 84 }, (_, t) => truth(t) * (1 + 0.01 * random.normal()));
    const indices = multiplicativeIndices(history, 12);
    indices.forEach((v, i) => expect(v).toBeCloseTo(season[i] / (season.reduce((s, x) => s + x, 0) / 12), 1));
    const f = forecastBaseline({ key: 's', start: 0, values: history }, 'theta', { horizon: 12 });
    f.point.forEach((v, h) => expect(Math.abs(v / truth(84 + h) - 1)).toBeLessThan(0.05));
  });

  it('widens with the horizon and falls back below 3 months', () => {
    const random = new SeededRandom(9);
    const f = thetaForecast(fitTheta(Array.from({ length: 40 }, () => 100 + 10 * random.normal()))!, 12);
    const width = (h: number) => f.quantiles[2][h] - f.quantiles[0][h];
    expect(width(11)).toBeGreaterThan(width(0));
    expect(fitTheta([1, 2])).toBeUndefined();
    expect(forecastBaseline({ key: 's', start: 0, values: [4, 5] }, 'theta', { horizon: 2 }).notes.join(' ')).toMatch(/theta needs 3 months/);
  });

  it('always answers finite, non-negative, ordered quantiles', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 3, maxLength: 80 }), (values) => {
        const f = forecastBaseline({ key: 'p', start: 0, values }, 'theta', { horizon: 12 });
        for (let h = 0; h < 12; h++) {
          expect(Number.isFinite(f.point[h]) && f.point[h] >= 0).toBe(true);
          expect(f.quantiles[0][h]).toBeLessThanOrEqual(f.quantiles[1][h]);
          expect(f.quantiles[1][h]).toBeLessThanOrEqual(f.quantiles[2][h]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
