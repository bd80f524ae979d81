import * as tf from '@tensorflow/tfjs';
import { formatMonth } from './calendar';
import { mase, seasonalNaiveScale } from './accuracy';
import { conditionHistory, ConditionedHistory, DemandHistory } from './demand-history';
import { ForecastError } from './forecast-error';
import { checkHorizon, checkLevels, DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';
import { SeededRandom } from './seeded-random';
import { activeBackend } from './tf-backend';
import { featureCount, FeatureRecipe, logDemand, writeFeatures } from './window-features';

/**
 * A global quantile model: one small network trained on windows of every series at once, so that short or noisy
 * series borrow seasonal and trend patterns from the others (the approach that won the M4/M5 competitions, here in
 * its smallest form). It is an ensemble of independently seeded MLPs whose quantiles are averaged.
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
  /** Stored in the metadata; defaults to a digest of the weights, so identical training gives an identical version. */
  readonly version?: string;
  readonly progress?: (line: string) => void;
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
  members: 3,
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

/** Turns raw network outputs [batch, levels * horizon] into ordered quantiles [batch, levels, horizon]. */
function orderedQuantiles(raw: tf.Tensor, levels: readonly number[], horizon: number): tf.Tensor3D {
  const parts = tf.split(raw as tf.Tensor2D, levels.length, 1);
  const anchor = levels.indexOf(0.5);
  const q: tf.Tensor[] = new Array<tf.Tensor>(levels.length);
  q[anchor] = parts[anchor];
  for (let i = anchor - 1; i >= 0; i--) q[i] = q[i + 1].sub(tf.softplus(parts[i]));
  for (let i = anchor + 1; i < levels.length; i++) q[i] = q[i - 1].add(tf.softplus(parts[i]));
  return tf.stack(q, 1).reshape([-1, levels.length, horizon]) as tf.Tensor3D;
}

function pinballLoss(raw: tf.Tensor, target: tf.Tensor, levels: readonly number[], horizon: number): tf.Scalar {
  const q = orderedQuantiles(raw, levels, horizon);
  const e = target.expandDims(1).sub(q);
  const tau = tf.tensor3d([...levels], [1, levels.length, 1]);
  return tf.maximum(e.mul(tau), e.mul(tau.sub(1))).mean() as tf.Scalar;
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

function buildEnsemble(recipe: FeatureRecipe, levels: readonly number[], members_: number, hidden: number, seed: number) {
  const input = tf.input({ shape: [featureCount(recipe)], name: 'window' });
  const branches: tf.SymbolicTensor[] = [];
  for (let k = 0; k < members_; k++) {
    const init = (salt: number) => tf.initializers.glorotUniform({ seed: seed * 1000 + k * 10 + salt });
    let x = tf.layers
      .dense({ units: hidden, activation: 'relu', kernelInitializer: init(1), name: `member${k}_hidden1` })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: hidden, activation: 'relu', kernelInitializer: init(2), name: `member${k}_hidden2` })
      .apply(x) as tf.SymbolicTensor;
    branches.push(
      tf.layers
        .dense({ units: levels.length * recipe.horizon, kernelInitializer: init(3), name: `member${k}_quantiles` })
        .apply(x) as tf.SymbolicTensor,
    );
  }
  const output = members_ > 1 ? (tf.layers.concatenate({ name: 'members' }).apply(branches) as tf.SymbolicTensor) : branches[0];
  const ensemble = tf.model({ inputs: input, outputs: output, name: 'global_quantile_mlp' });
  const members = Array.from({ length: members_ }, (_, k) =>
    ['hidden1', 'hidden2', 'quantiles'].map((part) => {
      const [kernel, bias] = ensemble.getLayer(`member${k}_${part}`).trainableWeights.map((w) => w.read() as tf.Variable);
      return { kernel, bias };
    }),
  );
  return { ensemble, members };
}

/** One member's dense layers, trained directly through their variables (see fastDense). */
type MemberLayers = { kernel: tf.Variable; bias: tf.Variable }[];

/**
 * x.matMul(w) + b with a hand-written gradient. tfjs's own gradient uses transposed matmuls, which the wasm
 * backend runs on a slow generic path (measured ~7x slower than transposing first); transposing explicitly makes
 * training about three times faster. The math is the same, so the trained weights serve through plain Dense layers.
 */
const fastDense = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(ws)), tf.matMul(tf.transpose(xs), d), tf.sum(d, 0)];
    },
  };
});

function memberForward(layers: MemberLayers, x: tf.Tensor): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, i) => {
    const z = fastDense(h, layer.kernel, layer.bias);
    h = i < layers.length - 1 ? tf.relu(z) : z;
  });
  return h as tf.Tensor2D;
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
    const o = { ...DEFAULTS, ...options };
    const levels = trainingLevels(options.levels ?? DEFAULT_LEVELS);
    checkHorizon(o.horizon);
    if (!Number.isInteger(o.inputMonths) || o.inputMonths < 12) throw new ForecastError('INVALID_OPTIONS', 'inputMonths must be an integer of at least 12');
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

    const { ensemble, members } = buildEnsemble(recipe, levels, o.members, o.hiddenUnits, o.seed);
    const xTrain = tf.tensor2d(train.features, [train.count, width]);
    const yTrain = tf.tensor2d(train.targets, [train.count, H]);
    const xValid = tf.tensor2d(valid.features, [valid.count, width]);
    const yValid = tf.tensor2d(valid.targets, [valid.count, H]);
    const epochsRun: number[] = [];
    const bestLoss: number[] = [];
    try {
      for (let k = 0; k < o.members; k++) {
        const result = await trainMember(members[k], xTrain, yTrain, xValid, yValid, levels, H, {
          ...o,
          seed: o.seed * 1000 + k,
          log: (line) => o.progress?.(`member ${k + 1}/${o.members}: ${line}`),
        });
        epochsRun.push(result.epochs);
        bestLoss.push(result.loss);
      }
    } finally {
      tf.dispose([xTrain, yTrain, xValid, yValid]);
    }

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

interface MemberResult {
  readonly epochs: number;
  readonly loss: number;
}

async function trainMember(
  member: MemberLayers,
  xTrain: tf.Tensor2D,
  yTrain: tf.Tensor2D,
  xValid: tf.Tensor2D,
  yValid: tf.Tensor2D,
  levels: readonly number[],
  horizon: number,
  o: typeof DEFAULTS & { log: (line: string) => void },
): Promise<MemberResult> {
  const random = new SeededRandom(o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const variables = member.flatMap((layer) => [layer.kernel, layer.bias]);
  const rows = xTrain.shape[0];
  let best = Infinity;
  let bestWeights: tf.Tensor[] | undefined;
  let stale = 0;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= o.maxEpochs; epoch++) {
      const order = random.permutation(rows);
      for (let b = 0; b < rows; b += o.batchSize) {
        tf.tidy(() => {
          const index = tf.tensor1d(order.subarray(b, Math.min(rows, b + o.batchSize)), 'int32');
          const xb = tf.gather(xTrain, index);
          const yb = tf.gather(yTrain, index);
          optimizer.minimize(() => pinballLoss(memberForward(member, xb), yb, levels, horizon), false, variables);
        });
      }
      const loss = tf.tidy(() => pinballLoss(memberForward(member, xValid), yValid, levels, horizon).dataSync()[0]);
      if (loss < best - 1e-6) {
        best = loss;
        tf.dispose(bestWeights);
        bestWeights = variables.map((v) => v.clone());
        stale = 0;
      } else stale++;
      if (epoch % 5 === 0) o.log(`epoch ${epoch}, validation loss ${loss.toFixed(4)} (best ${best.toFixed(4)})`);
      if (stale >= o.patience) break;
      // Yield so a server's event loop is not blocked for the whole training.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (bestWeights) variables.forEach((v, i) => v.assign(bestWeights![i]));
    o.log(`stopped after ${Math.min(epoch, o.maxEpochs)} epochs, best validation loss ${best.toFixed(4)}`);
    return { epochs: Math.min(epoch, o.maxEpochs), loss: best };
  } finally {
    tf.dispose(bestWeights);
    optimizer.dispose();
  }
}
