import { averageForecasts, chooseForecasts, MethodCandidate, SeriesCandidates } from './method-chooser';
import { finishForecast, ForecastMethod } from './quantile-forecast';

const flat = (method: ForecastMethod, value: number) =>
  finishForecast(method, method, [value, value], [0.1, 0.5, 0.9], [[value - 1, value - 1], [value, value], [value + 1, value + 1]], []);

/** A series whose held-out months are 100; each method's validation forecast sits at the given value. */
function series(key: string, global: number, ets: number, naive: number): SeriesCandidates {
  const candidates: MethodCandidate[] = [
    { name: 'global-mlp', forecast: flat('global-mlp', 1), validation: flat('global-mlp', global) },
    { name: 'ets', forecast: flat('ets', 2), validation: flat('ets', ets) },
    { name: 'seasonal-naive', forecast: flat('seasonal-naive', 3), validation: flat('seasonal-naive', naive) },
  ];
  return { key, heldOut: [100, 100], scale: 10, candidates };
}

describe('chooseForecasts', () => {
  it('serves the panel-best method everywhere by default, with each series own scores in the reason', () => {
    const result = chooseForecasts([series('a', 101, 110, 120), series('c', 112, 101, 140), series('d', 102, 115, 118)]);
    expect(result.preferred).toBe('global-mlp');
    expect(result.choices.map((c) => c.chosen)).toEqual(['global-mlp', 'global-mlp', 'global-mlp']);
    expect(result.choices[1].reason).toMatch(/own held-out MASE: global-mlp 1.200, ets 0.100/);
  });

  it('with per-series overrides, switches only where another method is clearly better', () => {
    const result = chooseForecasts(
      [series('a', 101, 110, 120), series('b', 103, 102.5, 120), series('c', 112, 101, 140), series('d', 102, 115, 118)],
      { combine: false, perSeries: { margin: 0.2, minT: 2 } },
    );
    expect(result.preferred).toBe('global-mlp');
    expect(result.ranking.map((r) => r.name)).toEqual(['global-mlp', 'ets', 'seasonal-naive']);
    const [a, b, c] = result.choices;
    expect(a.chosen).toBe('global-mlp');
    expect(b.chosen).toBe('global-mlp'); // ets is better here, but only by a hair
    expect(b.reason).toMatch(/no method beat it/);
    expect(c.chosen).toBe('ets');
    expect(c.forecast.method).toBe('ets');
    expect(c.reason).toMatch(/MASE 0.100 vs 1.200/);
  });

  it('prefers ETS for the whole panel when ETS validates better: never the worse method', () => {
    const result = chooseForecasts([series('a', 120, 101, 130), series('b', 115, 104, 130)], { combine: false });
    expect(result.preferred).toBe('ets');
    expect(result.choices.every((c) => c.chosen === 'ets')).toBe(true);
  });

  it('adds the combination of global model and ETS as a candidate', () => {
    const result = chooseForecasts([series('a', 90, 110, 130), series('b', 108, 92, 130)]);
    expect(result.preferred).toBe('combination');
    expect(result.choices[0].forecast.point).toEqual([1.5, 1.5]);
  });

  it('falls back when a series has no validation or lacks the preferred method', () => {
    const short: SeriesCandidates = { key: 's', heldOut: [], scale: NaN, candidates: [{ name: 'ets', forecast: flat('ets', 5) }] };
    const result = chooseForecasts([series('a', 101, 110, 120), short], { combine: false });
    expect(result.choices[1].chosen).toBe('ets');
    expect(result.choices[1].reason).toMatch(/best-ranked method able to forecast this series/);
  });

  it('averages quantile forecasts level by level', () => {
    const mixed = averageForecasts([flat('ets', 10), flat('global-mlp', 20)], 'mix');
    expect(mixed.quantiles).toEqual([
      [14, 14],
      [15, 15],
      [16, 16],
    ]);
  });
});
