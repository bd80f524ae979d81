import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monthIndex } from './calendar';
import { directoryPretrainedStore, needsPretrainedNetwork, pbsPanel, pretrainedGlobalModel } from './pretrained-model';
import { serveForecasts, trainServingModel } from './served-forecast';
import { initBackend } from './tf-backend';

/** Seasonal series with a trend: `n` of them, `months` long, of sizes that differ by series. */
function seasonal(prefix: string, n: number, months: number) {
  return Array.from({ length: n }, (_, k) => ({
    key: `${prefix}${k}`,
    start: monthIndex(2012, 1),
    values: Array.from({ length: months }, (_, t) => Math.round((80 + 30 * k) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12) + 0.004 * t + 0.03 * Math.sin(t * 5.3 + k)))),
  }));
}

const TINY = { inputMonths: 24, members: 1, hiddenUnits: 8, maxEpochs: 4, paths: 200, calendar: 'none' as const };

describe('pretrained global model', () => {
  let directory: string;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: () => undefined });
  });
  beforeEach(() => (directory = mkdtempSync(path.join(os.tmpdir(), 'pretrained-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('is trained on first use, stored, then loaded; a small panel too short to train its own serves through it', async () => {
    const store = directoryPretrainedStore(directory);
    const panel = { name: 'synthetic', series: () => seasonal('big', 30, 96) };
    const first = await pretrainedGlobalModel(store, { design: TINY, panel });
    expect(first.trainedNow).toBe(true);
    expect(first.model.metadata).toMatchObject({ pretrainedOn: 'synthetic', version: 'synthetic-pretrained-24m-1x8-e4-none-s42' });
    const again = await pretrainedGlobalModel(store, { design: TINY, panel: { name: 'synthetic', series: () => { throw new Error('must not retrain'); } } });
    expect(again.trainedNow).toBe(false);
    expect(again.model.metadata.version).toBe(first.model.metadata.version);

    // 40 months: too short for a network of its own (input 24 + two years), long enough for the pretrained one.
    const small = seasonal('small', 4, 40);
    const own = await trainServingModel(small, { design: TINY });
    expect(own.serving.model).toBeUndefined();
    const { serving } = await trainServingModel(small, { design: TINY, model: again.model });
    expect(serving.model?.metadata.pretrainedOn).toBe('synthetic');
    expect(serving.policy.validation.mase['global-mlp']).toBeGreaterThan(0);
    // Served with the network's weight forced on, the forecast differs from the baselines-only policy: it uses it.
    const forced = { ...serving, policy: { ...serving.policy, weights: { ...serving.policy.weights, smooth: { 'global-mlp': 1 } } } };
    const withNetwork = serveForecasts(small, forced).forecasts[0];
    expect(withNetwork.weights).toEqual({ 'global-mlp': 1 });
    expect(withNetwork.forecast.point).not.toEqual(serveForecasts(small, own.serving).forecasts[0].forecast.point);
    first.model.dispose();
    again.model.dispose();
  }, 180_000);

  it('pretrains on the PBS series the benchmark keeps', () => {
    const series = pbsPanel();
    expect(series.length).toBe(239);
    expect(series.every((s) => s.values.length === 204)).toBe(true);
  });
});

describe('needsPretrainedNetwork', () => {
  // inputMonths 24: a series is long enough to learn from with 24 + 24 = 48 observed months.
  it.each([
    ['20 long series train their own', seasonal('a', 20, 48), false],
    ['19 long series do not', seasonal('a', 19, 48), true],
    ['many short series do not', seasonal('a', 40, 47), true],
    ['missing months do not count', seasonal('a', 20, 48).map((h) => ({ ...h, values: h.values.map((v, t) => (t === 3 ? NaN : v)) })), true],
    ['an empty panel does not', [], true],
  ])('%s', (_, histories, expected) => {
    expect(needsPretrainedNetwork(histories, { inputMonths: 24 })).toBe(expected);
  });
});
