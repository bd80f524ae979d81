import { existsSync } from 'node:fs';
import path from 'node:path';
import { readCsvFile } from './csv-table';
import { DemandHistory } from './demand-history';
import { panelFromRows } from './demand-panel';
import { selectProtocolSeries } from './benchmark-protocol';
import { ForecastError } from './forecast-error';
import { GlobalQuantileModel } from './global-model';
import { loadModelFromDirectory, modelFromArtifacts, modelToArtifacts, saveModelToDirectory, StoredModelArtifacts } from './model-store';
import { DEFAULT_DESIGN, ServingDesign, trainGlobalNetwork, TrainingProgress } from './served-forecast';

/** Where pretrained networks are kept between trainings: the service's model store, or a directory. */
export interface PretrainedStore {
  load(name: string): Promise<StoredModelArtifacts | undefined>;
  save(name: string, artifacts: StoredModelArtifacts): Promise<void>;
}

export interface PretrainOptions {
  /** The network's layout and training; the calendar is the pretraining panel's (AU for PBS), not the new panel's. */
  readonly design?: Partial<ServingDesign>;
  readonly seed?: number;
  /** The panel to pretrain on and its name; PBS scripts (the benchmark's series) by default. */
  readonly panel?: { readonly name: string; readonly series: () => readonly DemandHistory[] };
  readonly progress?: (event: TrainingProgress) => void;
}

/**
 * The PBS data beside the library's sources: `../data` from libs/forecasting/src, and the same folder of
 * the source tree from dist/libs/forecasting/src, where the build (tsc) copies no data files.
 */
export const PBS_DATA_FILE = [
  path.resolve(__dirname, '../data/pbs-scripts-monthly.csv.gz'),
  path.resolve(__dirname, '../../../../libs/forecasting/data/pbs-scripts-monthly.csv.gz'),
].find((file) => existsSync(file)) ?? path.resolve(__dirname, '../data/pbs-scripts-monthly.csv.gz');

/** The benchmark's PBS series (positive, mean at least 100 scripts a month), whole history: what PBS teaches best. */
export function pbsPanel(file = PBS_DATA_FILE): DemandHistory[] {
  const panel = panelFromRows(readCsvFile(file), { key: ['Concession', 'Type', 'ATC2'], time: 'Month', value: 'Scripts' });
  return selectProtocolSeries(panel, { minMean: 100, requireFullSpan: true }).series;
}

/**
 * The name a pretrained network is stored under: the panel and every choice that shapes the weights, so a change
 * of layout or seed trains a new one instead of loading a network of another shape.
 */
export function pretrainedName(panel: string, design: ServingDesign, seed: number): string {
  return `${panel}-pretrained-${design.inputMonths}m-${design.members}x${design.hiddenUnits}-e${design.maxEpochs}-${design.calendar}-s${seed}`;
}

/**
 * A global network pretrained on PBS, for a panel too small to train its own: loaded from the store, or trained on
 * first use and stored there. Trained on first use rather than committed as a binary: the PBS data already ships
 * with the library, the weights always match the network code and tfjs version that load them, and the cost (one
 * training, minutes) falls once per store, not per request. The new panel's policy (weights, calibration, calendar)
 * is still learned on the new panel, on a validation year the pretrained network has never seen.
 */
export async function pretrainedGlobalModel(store: PretrainedStore, options: PretrainOptions = {}): Promise<{ model: GlobalQuantileModel; trainedNow: boolean }> {
  const design: ServingDesign = { ...DEFAULT_DESIGN, calendar: 'AU', ...options.design };
  const seed = options.seed ?? 42;
  const panel = options.panel ?? { name: 'pbs', series: () => pbsPanel() };
  const name = pretrainedName(panel.name, design, seed);
  const stored = await store.load(name);
  if (stored) return { model: await modelFromArtifacts(stored), trainedNow: false };
  const network = await trainGlobalNetwork(panel.series(), { design, seed, horizon: 12, ...(options.progress ? { progress: options.progress } : {}) });
  if (!network) throw new ForecastError('NO_TRAINABLE_SERIES', `the ${panel.name} panel has no series long enough to pretrain a network`);
  const artifacts = await modelToArtifacts(network.withMetadata({ ...network.metadata, version: name, pretrainedOn: panel.name }));
  network.dispose();
  await store.save(name, artifacts);
  // The stored copy, as a later load gives it: without the pretraining panel's held-out forecasts, so the new
  // panel's validation year is forecast by the network itself.
  return { model: await modelFromArtifacts(artifacts), trainedNow: true };
}

/** A store of pretrained networks as model directories (model.json + weights.bin) under `directory`. */
export function directoryPretrainedStore(directory: string): PretrainedStore {
  return {
    async load(name) {
      const at = path.join(directory, name);
      if (!existsSync(path.join(at, 'model.json'))) return undefined;
      const model = await loadModelFromDirectory(at);
      const artifacts = await modelToArtifacts(model);
      model.dispose();
      return artifacts;
    },
    async save(name, artifacts) {
      const model = await modelFromArtifacts(artifacts);
      await saveModelToDirectory(model, path.join(directory, name));
      model.dispose();
    },
  };
}

/** Series a panel needs, long enough to learn from, before its own network beats starting from a pretrained one. */
export const OWN_NETWORK_MIN_SERIES = 20;

/**
 * Whether a panel should be served through a pretrained network: fewer than `minimumSeries` of its histories have
 * the design's input months plus two years (one to learn from, one held out), the least a network needs to learn
 * from a series. A global network learned on a handful of series is a handful of local models, so a small panel
 * (a pharmacy's few products) starts from what a large panel taught, and learns only its policy itself.
 */
export function needsPretrainedNetwork(histories: readonly DemandHistory[], design: Partial<ServingDesign> = {}, minimumSeries = OWN_NETWORK_MIN_SERIES): boolean {
  const needed = (design.inputMonths ?? DEFAULT_DESIGN.inputMonths) + 24;
  const long = histories.filter((h) => h.values.filter((v) => Number.isFinite(v)).length >= needed).length;
  return long < minimumSeries;
}
