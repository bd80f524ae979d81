import { ETS_CANDIDATES, etsForecast, etsPointForecast, fitEtsModel, selectEts } from './ets';
import { SeededRandom } from './seeded-random';

describe('ETS', () => {
  it('forecasts a constant series as that constant', () => {
    const fit = selectEts(new Array<number>(60).fill(250));
    expect(fit).toBeDefined();
    for (const v of etsPointForecast(fit!, 12)) expect(v).toBeCloseTo(250, 6);
  });

  it('extends a straight line with a trend model', () => {
    const history = Array.from({ length: 48 }, (_, t) => 100 + 2 * t);
    const fit = fitEtsModel(history, { error: 'A', trend: 'A', season: 'N' })!;
    const f = etsPointForecast(fit, 6);
    f.forEach((v, h) => expect(v).toBeCloseTo(100 + 2 * (48 + h), 1));
  });

  it('recovers a multiplicative seasonal pattern with growth and picks a seasonal model', () => {
    const random = new SeededRandom(7);
    const season = [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7];
    const truth = (t: number) => (1000 + 10 * t) * season[t % 12];
    const history = Array.from({ length: 96 }, (_, t) => truth(t) * (1 + 0.01 * random.normal()));
    const fit = selectEts(history)!;
    expect(fit.spec.season).not.toBe('N');
    const f = etsForecast(fit, 12, { seed: 3 });
    f.point.forEach((v, h) => expect(Math.abs(v / truth(96 + h) - 1)).toBeLessThan(0.05));
    for (let h = 0; h < 12; h++) {
      expect(f.quantiles[0][h]).toBeLessThanOrEqual(f.quantiles[1][h]);
      expect(f.quantiles[1][h]).toBeLessThanOrEqual(f.quantiles[2][h]);
    }
  });

  it('is reproducible for a seed', () => {
    const history = Array.from({ length: 40 }, (_, t) => 50 + 10 * Math.sin(t / 2) + t);
    const fit = selectEts(history)!;
    expect(etsForecast(fit, 12, { seed: 9 })).toEqual(etsForecast(fit, 12, { seed: 9 }));
  });

  it('leaves out multiplicative models when the history has zeros, and refuses a too-short history', () => {
    const withZero = Array.from({ length: 40 }, (_, t) => (t === 5 ? 0 : 20 + (t % 12)));
    expect(fitEtsModel(withZero, { error: 'M', trend: 'N', season: 'N' })).toBeUndefined();
    expect(selectEts(withZero)?.spec.error).toBe('A');
    expect(selectEts([1, 2, 3])).toBeUndefined();
  });
  it('selects the same model whether or not the history was selected before, and a changed month refits', () => {
    const history = Array.from({ length: 60 }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / 12) + 0.5 * t + ((t * 37) % 11));
    const fresh = ETS_CANDIDATES.map((spec) => fitEtsModel(history, spec)).filter((f) => f && Number.isFinite(f.aicc)).reduce((a, b) => (b!.aicc < a!.aicc ? b : a));
    const first = selectEts(history);
    expect(first).toEqual(fresh);
    expect(selectEts([...history])).toBe(first);
    const changed = [...history];
    changed[30] += 1e-9;
    expect(selectEts(changed)).not.toBe(first);
    expect(selectEts(history, { candidates: [first!.spec] })).toEqual(first);
  });
});
