import { monthIndex } from './calendar';
import { reorderSuggestion } from './reorder-policy';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baselineServing, DEFAULT_DESIGN, serveForecasts, totalQuantiles, trainServingModel } from './served-forecast';

/** A small panel: seasonal series of different sizes, one intermittent, one short, one empty. */
function panel() {
  const start = monthIndex(2015, 1);
  const smooth = Array.from({ length: 12 }, (_, k) => ({
    key: `s${k}`,
    start,
    values: Array.from({ length: 84 }, (_, t) => Math.round((50 + 20 * k) * (1 + 0.25 * Math.sin((2 * Math.PI * t) / 12) + 0.003 * t + 0.05 * Math.sin(t * 7.1 + k)))),
  }));
  const sparse = { key: 'slow', start, values: Array.from({ length: 84 }, (_, t) => ((t * 7) % 5 === 0 ? 2 + (t % 3) : 0)) };
  return [...smooth, sparse];
}

/** About 1.3 CPU seconds of ETS selections: minutes of wall time on a shared 2-core machine, so not jest's 5 s. */
const ETS_HEAVY = 120_000;

describe('served forecaster', () => {
  it('defaults to the design frozen on the validation origins', () => {
    const frozen = JSON.parse(readFileSync(path.join(__dirname, '../config/forecast-design.json'), 'utf8'));
    expect(DEFAULT_DESIGN).toEqual(frozen.design);
  });

  it('learns weights and calibration at training time and serves them per series, whatever else is in the call', async () => {
    const { serving } = await trainServingModel(panel(), { withoutModel: true, design: { calendar: 'US', paths: 300, inputMonths: 36 } });
    const { policy } = serving;
    for (const weights of Object.values(policy.weights)) {
      expect(Object.values(weights).reduce((s, w) => s + (w ?? 0), 0)).toBeCloseTo(1, 9);
    }
    expect(policy.validation.series).toBe(13);
    expect(Number.isFinite(policy.validation.mase.served)).toBe(true);
    const alone = serveForecasts([panel()[3]], serving).forecasts[0];
    const together = serveForecasts(panel(), serving).forecasts[3];
    expect(alone.forecast).toEqual(together.forecast);
    expect(alone.reason).toMatch(/stored policy/);
    const slow = serveForecasts(panel(), serving).forecasts[12];
    expect(['intermittent', 'lumpy']).toContain(slow.demandClass);
  }, ETS_HEAVY);

  it('quantiles of totals grow with the periods; the order-up-to level covers lead time plus review', async () => {
    const { serving } = await trainServingModel(panel(), { withoutModel: true, design: { paths: 300, calendar: 'none' } });
    const served = serveForecasts([panel()[5]], serving, { horizon: 4 }).forecasts[0];
    const [one] = totalQuantiles(served, serving.policy, 1, [0.95]);
    const [two] = totalQuantiles(served, serving.policy, 2, [0.95]);
    expect(two).toBeGreaterThan(one);
    const r = reorderSuggestion(served, serving.policy, { leadTimePeriods: 1, reviewPeriods: 1, serviceLevel: 0.95, onHand: 10, inTransit: 5 });
    expect(r.reorderPoint).toBe(Math.ceil(one - 1e-9));
    expect(r.orderUpToLevel).toBe(Math.ceil(two - 1e-9));
    expect(r).toMatchObject({ reorderNow: true, orderQuantity: r.orderUpToLevel - 15, expedite: true });
    expect(() => reorderSuggestion(served, serving.policy, { leadTimePeriods: 1, reviewPeriods: 1, serviceLevel: 1.2, onHand: 0, inTransit: 0 })).toThrow(/service level/);
  }, ETS_HEAVY);

  it('refuses an empty series, forecasts zero for an all-zero one, and says so beyond the calibrated horizon', async () => {
    const serving = baselineServing();
    const start = monthIndex(2020, 1);
    const result = serveForecasts(
      [
        { key: 'empty', start, values: [NaN, NaN] },
        { key: 'zero', start, values: new Array(30).fill(0) },
        { key: 'long', start, values: Array.from({ length: 40 }, (_, t) => 30 + (t % 12)) },
      ],
      serving,
      { horizon: 18 },
    );
    expect(result.refused).toEqual([expect.objectContaining({ key: 'empty', code: 'EMPTY_SERIES' })]);
    expect(result.forecasts[0].forecast.quantiles.flat().every((v) => v === 0)).toBe(true);
    expect(result.forecasts[1].forecast.point).toHaveLength(18);
    expect(result.forecasts[1].forecast.notes.join(' ')).toMatch(/months 13-18 use the calibration of month 12/);
  });
  it('widens each tail by its own factor, and serves a policy stored with one widenMonthly as before', () => {
    const base = baselineServing();
    const withDesign = (design: object) => ({ policy: { ...base.policy, design: { ...base.policy.design, ...design } } }) as typeof base;
    const history = [{ key: 'a', start: monthIndex(2018, 1), values: Array.from({ length: 60 }, (_, t) => 200 + 40 * Math.sin((2 * Math.PI * t) / 12) + ((t * 37) % 11)) }];
    const serve = (design: object) => serveForecasts(history, withDesign(design), { horizon: 3, levels: [0.1, 0.5, 0.9] }).forecasts[0].forecast.quantiles;
    const plain = serve({ widenBelow: 1, widenAbove: 1 });
    const upper = serve({ widenBelow: 1, widenAbove: 1.5 });
    expect(upper[0]).toEqual(plain[0]);
    expect(upper[1]).toEqual(plain[1]);
    upper[2].forEach((q, h) => expect(q).toBeGreaterThan(plain[2][h]));
    const legacy = { ...base.policy.design, widenMonthly: 1.3 } as Record<string, unknown>;
    delete legacy.widenBelow;
    delete legacy.widenAbove;
    expect(serveForecasts(history, { policy: { ...base.policy, design: legacy } } as unknown as typeof base, { horizon: 3, levels: [0.1, 0.5, 0.9] }).forecasts[0].forecast.quantiles).toEqual(serve({ widenBelow: 1.3, widenAbove: 1.3 }));
  });
});
