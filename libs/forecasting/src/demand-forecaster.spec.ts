import { forecastPortfolio } from './demand-forecaster';
import { DemandHistory } from './demand-history';
import { GlobalQuantileModel } from './global-model';
import { SeededRandom } from './seeded-random';
import { initBackend } from './tf-backend';

function seasonalPanel(): DemandHistory[] {
  const random = new SeededRandom(3);
  return Array.from({ length: 12 }, (_, k) => ({
    key: `p${k}`,
    start: 2001 * 12,
    values: Array.from({ length: 84 }, (_, t) => 100 * (k + 1) * (1 + 0.25 * Math.cos((2 * Math.PI * t) / 12)) * (1 + 0.05 * random.normal())),
  }));
}

describe('forecastPortfolio', () => {
  let model: GlobalQuantileModel | undefined;

  beforeAll(() => initBackend({ prefer: 'cpu', log: () => undefined }));
  afterAll(() => model?.dispose());

  it('serves every usable series with a reason and refuses only the empty one', async () => {
    const broken: DemandHistory[] = [
      { key: 'empty', start: 0, values: [NaN, NaN] },
      { key: 'zeros', start: 0, values: new Array<number>(40).fill(0) },
      { key: 'short', start: 0, values: [5, 6, 7, 8, 9] },
      { key: 'gappy', start: 2001 * 12, values: seasonalPanel()[2].values.map((v, t) => (t % 10 === 4 ? NaN : t === 30 ? -3 : v)) },
    ];
    const result = await forecastPortfolio([...seasonalPanel(), ...broken], {
      seed: 1,
      train: { members: 1, hiddenUnits: 8, maxEpochs: 3, patience: 1, batchSize: 64 },
    });
    model = result.model;
    expect(model).toBeDefined();
    expect(result.refused).toEqual([expect.objectContaining({ key: 'empty', code: 'EMPTY_SERIES' })]);
    expect(result.forecasts).toHaveLength(15);
    expect(result.ranking.length).toBeGreaterThan(0);
    const byKey = new Map(result.forecasts.map((f) => [f.key, f]));
    expect(byKey.get('zeros')?.forecast.point).toEqual(new Array<number>(12).fill(0));
    expect(byKey.get('short')?.reason).toMatch(/cannot forecast this series|too short to validate/);
    expect(byKey.get('gappy')?.forecast.notes.join('; ')).toMatch(/interpolation/);
    for (const f of result.forecasts) {
      expect(f.reason.length).toBeGreaterThan(10);
      expect(f.forecast.quantiles.flat().every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
  }, 30000);

  it('reuses a stored model and says its validation is in-sample', async () => {
    const result = await forecastPortfolio(seasonalPanel(), { model, seed: 1 });
    const global = result.forecasts.filter((f) => f.chosen === 'global-mlp' || f.chosen === 'combination');
    for (const f of global) expect(f.reason).toMatch(/validated in-sample/);
    expect(result.model).toBe(model);
  }, 30000);
});
