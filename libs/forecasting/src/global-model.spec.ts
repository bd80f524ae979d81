import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DemandHistory } from './demand-history';
import { ForecastError } from './forecast-error';
import { GlobalModelOptions, GlobalQuantileModel, NetworkProgress } from './global-model';
import { loadModelFromDirectory, modelFromArtifacts, modelToArtifacts, saveModelToDirectory } from './model-store';
import { SeededRandom } from './seeded-random';
import { initBackend } from './tf-backend';

/** Twenty seasonal series of different size, trend and noise, starting July 2000. */
function panel(months = 84): DemandHistory[] {
  const random = new SeededRandom(11);
  return Array.from({ length: 20 }, (_, k) => {
    const size = 50 * (k + 1);
    const values = Array.from({ length: months }, (_, t) => {
      const season = 1 + 0.3 * Math.sin((2 * Math.PI * (t + k)) / 12);
      return size * (1 + 0.005 * k * t) * season * (1 + 0.05 * random.normal());
    });
    return { key: `s${k}`, start: 2000 * 12 + 6, values };
  });
}

const tiny: GlobalModelOptions = { members: 2, hiddenUnits: 8, maxEpochs: 4, patience: 2, batchSize: 64, seed: 5 };

describe('GlobalQuantileModel', () => {
  let model: GlobalQuantileModel;
  const series = panel();

  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: () => undefined });
    model = await GlobalQuantileModel.train(series, tiny);
  }, 30000);

  afterAll(() => model.dispose());

  it('forecasts ordered, finite, non-negative quantiles for every series', () => {
    const forecasts = model.forecastMany(series, 12, [0.1, 0.5, 0.9]);
    expect(forecasts).toHaveLength(20);
    for (const f of forecasts) {
      expect(f?.method).toBe('global-mlp');
      for (let h = 0; h < 12; h++) {
        expect(f!.quantiles[0][h]).toBeLessThanOrEqual(f!.quantiles[1][h]);
        expect(f!.quantiles[1][h]).toBeLessThanOrEqual(f!.quantiles[2][h]);
        expect(f!.point[h]).toBe(f!.quantiles[1][h]);
        expect(Number.isFinite(f!.quantiles[2][h]) && f!.quantiles[0][h] >= 0).toBe(true);
      }
    }
  });

  it('records its training range, validation and version in the metadata', () => {
    const m = model.metadata;
    expect(m.training.series).toBe(20);
    expect(m.training.firstMonth).toBe('2000-07');
    expect(m.training.lastMonth).toBe('2007-06');
    expect(m.training.epochs).toHaveLength(2);
    expect(Number.isFinite(m.validation.mase)).toBe(true);
    expect(m.version).toMatch(/^[0-9a-f]{12}$/);
    expect(model.validation.get('s3')?.actual).toHaveLength(12);
  });

  it('is deterministic for a seed and reports its progress as data', async () => {
    const events: NetworkProgress[] = [];
    const again = await GlobalQuantileModel.train(series, { ...tiny, progress: (e) => events.push(e) });
    // Progress is data, not log lines to parse: every member reports its stop with the epoch and the best loss.
    const stops = events.filter((e) => e.stopped);
    expect(stops.map((e) => e.member).sort()).toEqual([1, 2]);
    for (const e of stops) {
      expect(e.members).toBe(2);
      expect(e.epoch).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(e.best)).toBe(true);
    }
    expect(again.metadata.version).toBe(model.metadata.version);
    expect(again.forecastMany(series.slice(0, 3))).toEqual(model.forecastMany(series.slice(0, 3)));
    again.dispose();
  }, 30000);

  it('round-trips through byte-store artifacts and reproduces its predictions', async () => {
    const artifacts = await modelToArtifacts(model);
    // What a database row would hold: JSON text plus a byte buffer.
    const json = JSON.parse(JSON.stringify({ ...artifacts, weightData: undefined }));
    const restored = await modelFromArtifacts({ ...json, weightData: Buffer.from(artifacts.weightData) });
    expect(restored.metadata).toEqual(model.metadata);
    expect(restored.forecastMany(series)).toEqual(model.forecastMany(series));
    restored.dispose();
  });

  it('round-trips through model.json + weights.bin', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'forecast-model-'));
    try {
      await saveModelToDirectory(model, directory);
      const restored = await loadModelFromDirectory(directory);
      expect(restored.forecastMany(series)).toEqual(model.forecastMany(series));
      restored.dispose();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses artifacts of another format', async () => {
    const artifacts = await modelToArtifacts(model);
    const foreign = { ...artifacts, metadata: { ...artifacts.metadata, formatVersion: 2 as unknown as 1 } };
    await expect(modelFromArtifacts(foreign)).rejects.toMatchObject({ code: 'INCOMPATIBLE_MODEL' });
  });

  it('answers undefined for series it cannot take, and refuses bad requests with codes', () => {
    const [short, zero, empty] = model.forecastMany([
      { key: 'short', start: 0, values: [1, 2, 3] },
      { key: 'zero', start: 0, values: new Array<number>(48).fill(0) },
      { key: 'empty', start: 0, values: [NaN] },
    ]);
    expect([short, zero, empty]).toEqual([undefined, undefined, undefined]);
    expect(() => model.forecastMany(series, 13)).toThrow(ForecastError);
    expect(() => model.forecastMany(series, 12, [0.25])).toThrow(/trained for levels/);
  });

  it('handles gaps and negative values in a history', () => {
    const damaged = series[4].values.map((v, t) => (t % 9 === 0 ? NaN : t === 50 ? -v : v));
    const f = model.forecast({ key: 'damaged', start: series[4].start, values: damaged });
    expect(f?.notes.join('; ')).toMatch(/filled .* by interpolation; |clipped/);
    expect(f?.point.every(Number.isFinite)).toBe(true);
  });

  it('refuses to train without a long enough series or with bad options', async () => {
    await expect(GlobalQuantileModel.train(panel(40), tiny)).rejects.toMatchObject({ code: 'NO_TRAINABLE_SERIES' });
    await expect(GlobalQuantileModel.train(series, { ...tiny, members: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
