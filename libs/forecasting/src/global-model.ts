import * as tf from '@tensorflow/tfjs';
import { formatMonth } from './calendar';
import { mase, seasonalNaiveScale } from './accuracy';
import { conditionHistory, ConditionedHistory, DemandHistory } from './demand-history';
import { ForecastError } from './forecast-error';
import { checkHorizon, checkLevels, DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';
import { trainMembers, defaultParallelism } from './member-pool';
import { MEMBER_LAYERS, MemberTask, memberShapes, TrainingArrays } from './member-training';
import { activeBackend } from './tf-backend';
import type { ServingPolicy } from './served-forecast';
import { featureCount, FeatureRecipe, logDemand, writeFeatures } from './window-features';

/**
 * A global quantile model: one small network trained on windows of every series at once, so that short or noisy
 * series borrow seasonal and trend patterns from the others (the idea behind the strongest entries of the M4 and
 * M5 competitions, here in its smallest form). It is an ensemble of independently seeded MLPs whose quantiles are averaged.
 *
 * Quantiles never cross by construction: each member predicts the median and positive (softplus) gaps to the
 * neighbouring levels, and averages of ordered vectors stay ordered.
 */

export interface GlobalModelOptions {
  /** Longest horizon the model will forecast (months). */
  readonly horizon?: number;
  /** Months of history the network sees. */
  readonly inputMonths?: number;
  readonly levels?: readonly number[];
  /** Ensemble size. */
  readonly members?: number;
  readonly hiddenUnits?: number;
  readonly maxEpochs?: number;
  /** Epochs without validation improvement before a member stops. */
  readonly patience?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly seed?: number;
  /** Worker threads training members at once (default: the cores available); 1 trains in this thread. */
  readonly parallelism?: number;
  /** Stored in the metadata; defaults to a digest of the weights, so identical training gives an identical version. */
  readonly version?: string;
  readonly progress?: (event: NetworkProgress) => void;
}

/** Training progress of the network as data: which member, its epoch and losses (absent for notes about the run). */
export interface NetworkProgress {
  readonly member?: number;
  readonly members: number;
  readonly epoch?: number;
  readonly loss?: number;
  readonly best?: number;
  readonly stopped?: boolean;
  readonly message: string;
}

export interface GlobalModelMetadata {
  readonly format: 'pedigree-global-mlp';
  readonly formatVersion: 1;
  readonly version: string;
  readonly createdAt: string;
  readonly recipe: FeatureRecipe;
  readonly levels: number[];
  readonly members: number;
  readonly hiddenUnits: number;
  readonly seed: number;
  readonly backend: string;
  readonly training: {
    readonly series: number;
    readonly windows: number;
    readonly firstMonth: string;
    readonly lastMonth: string;
    /** The last `horizon` months of each series were held out for early stopping and validation scores. */
    readonly validationMonths: number;
    readonly validationWindows: number;
    readonly epochs: number[];
    readonly seconds: number;
  };
  readonly validation: {
    /** Mean pinball loss in the normalised log space the network is trained in. */
    readonly pinball: number;
    /** Mean MASE of the ensemble's median over the held-out year, in demand units. */
    readonly mase: number;
  };
  /** The serving policy learned with this network (see served-forecast.ts); absent on a bare network. */
  readonly servingPolicy?: ServingPolicy;
  /** Set on a network pretrained on another panel (pretrained-model.ts): the panel it learned from. */
  readonly pretrainedOn?: string;
}

/** A held-out forecast of the last `horizon` months of a training series, used by the chooser. */
export interface ValidationForecast {
  readonly key: string;
  readonly forecast: QuantileForecast;
  readonly actual: number[];
  readonly mase: number;
}

export const GLOBAL_MODEL_FORMAT = 'pedigree-global-mlp';

const DEFAULTS = {
  horizon: 12,
  inputMonths: 36,
  members: 5,
  hiddenUnits: 128,
  maxEpochs: 60,
  patience: 5,
  batchSize: 512,
  learningRate: 1e-3,
  seed: 42,
};

/** Training levels always include the median, which anchors the non-crossing construction and is the point forecast. */
function trainingLevels(levels: readonly number[]): number[] {
  checkLevels(levels);
  return [...new Set([...levels, 0.5])].sort((a, b) => a - b);
}

/** The same construction in plain numbers, for decoding predictions without building tensors per series. */
function orderRow(raw: Float32Array, offset: number, levels: readonly number[], horizon: number, out: Float64Array): void {
  const anchor = levels.indexOf(0.5);
  const softplus = (v: number): number => (v > 30 ? v : Math.log1p(Math.exp(v)));
  for (let h = 0; h < horizon; h++) {
    out[anchor * horizon + h] = raw[offset + anchor * horizon + h];
    for (let i = anchor - 1; i >= 0; i--) out[i * horizon + h] = out[(i + 1) * horizon + h] - softplus(raw[offset + i * horizon + h]);
    for (let i = anchor + 1; i < levels.length; i++) out[i * horizon + h] = out[(i - 1) * horizon + h] + softplus(raw[offset + i * horizon + h]);
  }
}

interface WindowSet {
  readonly features: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
}

interface PreparedSeries {
  readonly history: ConditionedHistory;
  readonly logged: Float64Array;
}

function prepare(histories: readonly DemandHistory[]): PreparedSeries[] {
  const prepared: PreparedSeries[] = [];
  for (const history of histories) {
    let conditioned: ConditionedHistory;
    try {
      conditioned = conditionHistory(history);
    } catch (error) {
      if (error instanceof ForecastError && error.code === 'EMPTY_SERIES') continue;
      throw error;
    }
    if (conditioned.allZero) continue;
    prepared.push({ history: conditioned, logged: logDemand(conditioned.values) });
  }
  return prepared;
}

/** Windows whose last input month index lies in [from, to] for each series (clipped to what the series allows). */
function collectWindows(
  series: readonly PreparedSeries[],
  recipe: FeatureRecipe,
  lastInput: (n: number) => [number, number],
): WindowSet {
  const width = featureCount(recipe);
  const H = recipe.horizon;
  let count = 0;
  for (const s of series) {
    const [from, to] = lastInput(s.logged.length);
    count += Math.max(0, Math.min(to, s.logged.length - 1 - H) - Math.max(from, recipe.inputMonths - 1) + 1);
  }
  const features = new Float32Array(count * width);
  const targets = new Float32Array(count * H);
  let row = 0;
  for (const s of series) {
    const [from, to] = lastInput(s.logged.length);
    for (let last = Math.max(from, recipe.inputMonths - 1); last <= Math.min(to, s.logged.length - 1 - H); last++) {
      const level = writeFeatures(s.logged, last, s.history.start + last + 1, recipe, features, row * width);
      for (let h = 0; h < H; h++) targets[row * H + h] = s.logged[last + 1 + h] - level;
      row++;
    }
  }
  return { features, targets, count };
}

function buildEnsemble(recipe: FeatureRecipe, levels: readonly number[], members: number, hidden: number): tf.LayersModel {
  const input = tf.input({ shape: [featureCount(recipe)], name: 'window' });
  const branches: tf.SymbolicTensor[] = [];
  for (let k = 0; k < members; k++) {
    // Weights come from member training; the serving graph only fixes the architecture.
    let x = tf.layers.dense({ units: hidden, activation: 'relu', name: `member${k}_${MEMBER_LAYERS[0]}` }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: hidden, activation: 'relu', name: `member${k}_${MEMBER_LAYERS[1]}` }).apply(x) as tf.SymbolicTensor;
    branches.push(
      tf.layers.dense({ units: levels.length * recipe.horizon, name: `member${k}_${MEMBER_LAYERS[2]}` }).apply(x) as tf.SymbolicTensor,
    );
  }
  const output = members > 1 ? (tf.layers.concatenate({ name: 'members' }).apply(branches) as tf.SymbolicTensor) : branches[0];
  const ensemble = tf.model({ inputs: input, outputs: output, name: 'global_quantile_mlp' });
  return ensemble;
}

async function weightDigest(model: tf.LayersModel): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for (const w of model.getWeights()) hash.update(Buffer.from((await w.data()).buffer));
  return hash.digest('hex').slice(0, 12);
}

export class GlobalQuantileModel {
  private constructor(
    readonly network: tf.LayersModel,
    readonly metadata: GlobalModelMetadata,
    /** Held-out forecasts from training; empty for a loaded model, which cannot know its holdout any more. */
    readonly validation: ReadonlyMap<string, ValidationForecast> = new Map(),
  ) {}

  /**
   * Trains on every series at once. The last `horizon` months of each series are held out: they drive early
   * stopping (best epoch kept per member) and give the validation forecasts the chooser compares against other
   * methods. Deterministic for a seed on a given backend (seeded initialisers and shuffles, no dropout).
   */
  static async train(histories: readonly DemandHistory[], options: GlobalModelOptions = {}): Promise<GlobalQuantileModel> {
    const started = Date.now();
    const o = { ...DEFAULTS, parallelism: defaultParallelism(), ...options };
    const levels = trainingLevels(options.levels ?? DEFAULT_LEVELS);
    checkHorizon(o.horizon);
    if (!Number.isInteger(o.inputMonths) || o.inputMonths < 12) throw new ForecastError('INVALID_OPTIONS', 'inputMonths must be an integer of at least 12');
    for (const name of ['members', 'hiddenUnits', 'maxEpochs', 'patience', 'batchSize', 'parallelism'] as const) {
      if (!Number.isInteger(o[name]) || o[name] < 1) throw new ForecastError('INVALID_OPTIONS', `${name} must be a positive integer, got ${o[name]}`);
    }
    if (!(o.learningRate > 0)) throw new ForecastError('INVALID_OPTIONS', `learningRate must be positive, got ${o.learningRate}`);
    const H = o.horizon;
    const series = prepare(histories);
    const minimum = o.inputMonths + 2 * H;
    const usable = series.filter((s) => s.logged.length >= minimum);
    if (usable.length === 0) {
      throw new ForecastError('NO_TRAINABLE_SERIES', `no series has the ${minimum} months needed to train and validate (input ${o.inputMonths} + 2 x horizon ${H})`);
    }

    const provisional: FeatureRecipe = { inputMonths: o.inputMonths, horizon: H, levelMonths: 12, levelMean: 0, levelSpread: 1 };
    // Training targets end before the held-out year starts, so validation is honest out-of-sample.
    const trainRange = (n: number): [number, number] => [0, n - 1 - 2 * H];
    const validRange = (n: number): [number, number] => [n - 1 - H, n - 1 - H];
    const levelStats = collectWindows(usable, provisional, trainRange);
    const recipe = standardisedRecipe(provisional, levelStats);
    const train = collectWindows(usable, recipe, trainRange);
    const valid = collectWindows(usable, recipe, validRange);
    const width = featureCount(recipe);

    const data: TrainingArrays = {
      width,
      horizon: H,
      xTrain: train.features,
      yTrain: train.targets,
      xValid: valid.features,
      yValid: valid.targets,
    };
    const tasks: MemberTask[] = Array.from({ length: o.members }, (_, member) => ({
      member,
      seed: o.seed,
      hiddenUnits: o.hiddenUnits,
      levels,
      maxEpochs: o.maxEpochs,
      patience: o.patience,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
    }));
    const outcomes = await trainMembers(tasks, data, o.parallelism, (member, event) =>
      o.progress?.(
        member === undefined || typeof event === 'string'
          ? { members: o.members, message: String(event) }
          : { member: member + 1, members: o.members, epoch: event.epoch, loss: event.loss, best: event.best, stopped: event.stopped, message: `member ${member + 1}/${o.members}: ${event.message}` },
      ),
    );
    const ensemble = buildEnsemble(recipe, levels, o.members, o.hiddenUnits);
    const shapes = memberShapes(width, o.hiddenUnits, levels.length * H);
    for (const outcome of outcomes) {
      MEMBER_LAYERS.forEach((part, layer) => {
        const kernel = tf.tensor2d(outcome.weights[2 * layer], shapes[layer]);
        const bias = tf.tensor1d(outcome.weights[2 * layer + 1]);
        ensemble.getLayer(`member${outcome.member}_${part}`).setWeights([kernel, bias]);
        tf.dispose([kernel, bias]);
      });
    }
    const epochsRun = outcomes.map((m) => m.epochs);
    const bestLoss = outcomes.map((m) => m.loss);

    const model = new GlobalQuantileModel(ensemble, {
      format: GLOBAL_MODEL_FORMAT,
      formatVersion: 1,
      version: '',
      createdAt: new Date().toISOString(),
      recipe,
      levels,
      members: o.members,
      hiddenUnits: o.hiddenUnits,
      seed: o.seed,
      backend: activeBackend() ?? tf.getBackend(),
      training: {
        series: usable.length,
        windows: train.count,
        firstMonth: formatMonth(Math.min(...usable.map((s) => s.history.start))),
        lastMonth: formatMonth(Math.max(...usable.map((s) => s.history.start + s.logged.length - 1))),
        validationMonths: H,
        validationWindows: valid.count,
        epochs: epochsRun,
        seconds: 0,
      },
      validation: { pinball: 0, mase: NaN },
    });
    const validation = model.holdoutForecasts(usable, levels);
    const masses = [...validation.values()].map((v) => v.mase).filter(Number.isFinite);
    const version = options.version ?? (await weightDigest(ensemble));
    const metadata: GlobalModelMetadata = {
      ...model.metadata,
      version,
      training: { ...model.metadata.training, seconds: (Date.now() - started) / 1000 },
      validation: {
        pinball: bestLoss.reduce((s, v) => s + v, 0) / bestLoss.length,
        mase: masses.reduce((s, v) => s + v, 0) / Math.max(1, masses.length),
      },
    };
    return new GlobalQuantileModel(ensemble, metadata, validation);
  }

  /** Wraps a network and metadata read back from storage (see model-store.ts). */
  static restore(network: tf.LayersModel, metadata: GlobalModelMetadata): GlobalQuantileModel {
    if (metadata?.format !== GLOBAL_MODEL_FORMAT || metadata.formatVersion !== 1) {
      throw new ForecastError('INCOMPATIBLE_MODEL', `not a ${GLOBAL_MODEL_FORMAT} v1 model (got ${metadata?.format} v${metadata?.formatVersion})`);
    }
    const outputs = network.outputs[0].shape[1];
    const expected = metadata.members * metadata.levels.length * metadata.recipe.horizon;
    if (outputs !== expected || network.inputs[0].shape[1] !== featureCount(metadata.recipe)) {
      throw new ForecastError('INCOMPATIBLE_MODEL', `network shape does not match its metadata (outputs ${outputs}, expected ${expected})`);
    }
    return new GlobalQuantileModel(network, metadata);
  }

  /** The same network with other metadata (e.g. the serving policy attached before storing). */
  withMetadata(metadata: GlobalModelMetadata): GlobalQuantileModel {
    return new GlobalQuantileModel(this.network, metadata, this.validation);
  }

  get horizon(): number {
    return this.metadata.recipe.horizon;
  }

  /** Months of history a series needs before this model can forecast it. */
  get minimumHistory(): number {
    return this.metadata.recipe.inputMonths;
  }

  /**
   * Forecasts each history from its last month. Entries are undefined where the model cannot answer (history
   * shorter than its input window, no observation, all zero); the caller falls back to another method.
   */
  forecastMany(
    histories: readonly DemandHistory[],
    horizon = this.horizon,
    levels: readonly number[] = DEFAULT_LEVELS,
  ): (QuantileForecast | undefined)[] {
    checkHorizon(horizon, this.horizon);
    checkLevels(levels);
    const missing = levels.filter((p) => !this.metadata.levels.includes(p));
    if (missing.length > 0) {
      throw new ForecastError('INVALID_QUANTILES', `model was trained for levels [${this.metadata.levels.join(', ')}], not ${missing.join(', ')}`);
    }
    const results: (QuantileForecast | undefined)[] = new Array(histories.length).fill(undefined);
    const ready: { index: number; series: PreparedSeries; notes: string[] }[] = [];
    histories.forEach((history, index) => {
      const [series] = prepare([history]);
      if (series && series.logged.length >= this.minimumHistory) ready.push({ index, series, notes: series.history.notes });
    });
    const forecasts = this.predictWindows(
      ready.map((r) => r.series),
      ready.map((r) => r.series.logged.length - 1),
      horizon,
      levels,
    );
    ready.forEach((r, i) => (results[r.index] = { ...forecasts[i], notes: [...r.notes, ...forecasts[i].notes] }));
    return results;
  }

  forecast(history: DemandHistory, horizon = this.horizon, levels: readonly number[] = DEFAULT_LEVELS): QuantileForecast | undefined {
    return this.forecastMany([history], horizon, levels)[0];
  }

  dispose(): void {
    this.network.dispose();
  }

  private holdoutForecasts(series: readonly PreparedSeries[], levels: readonly number[]): Map<string, ValidationForecast> {
    const H = this.horizon;
    const forecasts = this.predictWindows(series, series.map((s) => s.logged.length - 1 - H), H, levels);
    const out = new Map<string, ValidationForecast>();
    series.forEach((s, i) => {
      const values = s.history.values;
      const cut = values.length - H;
      const actual = values.slice(cut);
      const scale = seasonalNaiveScale(values.slice(0, cut));
      out.set(s.history.key, { key: s.history.key, forecast: forecasts[i], actual, mase: mase(actual, forecasts[i].point, scale) });
    });
    return out;
  }

  /** Ensemble forecasts from the window ending at `lasts[i]` of each series, back in demand units. */
  private predictWindows(
    series: readonly PreparedSeries[],
    lasts: readonly number[],
    horizon: number,
    levels: readonly number[],
  ): QuantileForecast[] {
    if (series.length === 0) return [];
    const { recipe, members } = this.metadata;
    const trained = this.metadata.levels;
    const H = recipe.horizon;
    const width = featureCount(recipe);
    const features = new Float32Array(series.length * width);
    const centres = series.map((s, i) => writeFeatures(s.logged, lasts[i], s.history.start + lasts[i] + 1, recipe, features, i * width));
    const raw = tf.tidy(() => this.network.predict(tf.tensor2d(features, [series.length, width])) as tf.Tensor).dataSync() as Float32Array;
    const block = trained.length * H;
    const ordered = new Float64Array(block);
    return series.map((s, i) => {
      const mean = new Float64Array(block);
      for (let k = 0; k < members; k++) {
        orderRow(raw, (i * members + k) * block, trained, H, ordered);
        for (let j = 0; j < block; j++) mean[j] += ordered[j] / members;
      }
      const toDemand = (i2: number, h: number): number => Math.expm1(mean[i2 * H + h] + centres[i]);
      const median = trained.indexOf(0.5);
      const point = Array.from({ length: horizon }, (_, h) => toDemand(median, h));
      const quantiles = levels.map((p) => Array.from({ length: horizon }, (_, h) => toDemand(trained.indexOf(p), h)));
      return finishForecast('global-mlp', `global MLP ensemble x${members} (${this.metadata.version || 'unversioned'})`, point, levels, quantiles, []);
    });
  }
}

function standardisedRecipe(recipe: FeatureRecipe, windows: WindowSet): FeatureRecipe {
  // Built with the provisional recipe (mean 0, spread 1), the size input of each window is its raw level.
  const width = featureCount(recipe);
  const levels = new Float64Array(windows.count);
  for (let r = 0; r < windows.count; r++) levels[r] = windows.features[r * width + width - 1];
  const mean = levels.reduce((s, v) => s + v, 0) / Math.max(1, windows.count);
  const variance = levels.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, windows.count);
  return { ...recipe, levelMean: mean, levelSpread: Math.sqrt(variance) > 1e-6 ? Math.sqrt(variance) : 1 };
}
