import { forecastBaseline } from './baseline';
import { DemandHistory } from './demand-history';
import { ForecastError } from './forecast-error';
import { QuantileForecast } from './quantile-forecast';

const seasonal = (months: number, start = 0): number[] =>
  Array.from({ length: months }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * (t + start)) / 12) + t);

const history = (values: number[]): DemandHistory => ({ key: 'k', start: 24000, values });

function expectSane(f: QuantileForecast, horizon = 12): void {
  expect(f.point).toHaveLength(horizon);
  for (const v of [...f.point, ...f.quantiles.flat()]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
  }
  for (let h = 0; h < horizon; h++) {
    for (let i = 1; i < f.levels.length; i++) expect(f.quantiles[i][h]).toBeGreaterThanOrEqual(f.quantiles[i - 1][h]);
  }
}

describe('forecastBaseline on bad input', () => {
  it.each([
    ['a single month', [42], 'ets', 'mean'],
    ['five months', [40, 42, 41, 44, 43], 'seasonal-naive', 'naive'],
    ['eleven months', seasonal(11), 'seasonal-naive', 'naive'],
    ['twenty months', seasonal(20), 'ets', 'ets'],
    ['all zeros', new Array<number>(30).fill(0), 'ets', 'zero'],
    ['gaps', seasonal(48).map((v, t) => (t % 7 === 3 ? NaN : v)), 'ets', 'ets'],
    ['negative values', seasonal(48).map((v, t) => (t === 10 ? -v : v)), 'ets', 'ets'],
    ['NaN at both ends', [NaN, ...seasonal(40), NaN], 'seasonal-naive', 'seasonal-naive'],
    ['mostly zeros', seasonal(48).map((v, t) => (t % 5 === 0 ? v : 0)), 'ets', 'ets'],
  ] as const)('%s with %s gives %s and a finite, ordered, non-negative forecast', (_, values, method, expected) => {
    const f = forecastBaseline(history([...values]), method);
    expect(f.method).toBe(expected);
    expectSane(f);
  });

  it('explains a fallback in the notes', () => {
    const f = forecastBaseline(history([40, 42, 41]), 'ets');
    expect(f.notes.join('; ')).toMatch(/no ETS model fits 3 month/);
  });

  it('refuses a series without any observation, and a bad horizon or quantile set, with codes', () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ForecastError).code;
      }
      return undefined;
    };
    expect(code(() => forecastBaseline(history([NaN, NaN]), 'ets'))).toBe('EMPTY_SERIES');
    expect(code(() => forecastBaseline(history(seasonal(30)), 'ets', { horizon: 0 }))).toBe('INVALID_HORIZON');
    expect(code(() => forecastBaseline(history(seasonal(30)), 'ets', { levels: [0.9, 0.1] }))).toBe('INVALID_QUANTILES');
  });
});
