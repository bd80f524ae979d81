import { nelderMead } from './nelder-mead';
import { sampleQuantile } from './quantile-math';
import { DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';
import { SeededRandom } from './seeded-random';

/**
 * Exponential smoothing state-space models (Hyndman et al. 2008) with automatic selection by AICc, after R's
 * forecast::ets. Differences from R, chosen for speed and stated in the README: the initial seasonal states come
 * from a classical decomposition of the first years and are not re-optimised (level, trend and the smoothing
 * parameters are), and intervals come from seeded simulation of the fitted model.
 */

export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'Ad';
export type SeasonType = 'N' | 'A' | 'M';

export interface EtsSpec {
  readonly error: ErrorType;
  readonly trend: TrendType;
  readonly season: SeasonType;
}

export interface EtsFit {
  readonly spec: EtsSpec;
  readonly name: string;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
  /** Model fitted on history / scale; forecasts are multiplied back. */
  readonly scale: number;
  readonly period: number;
  readonly level: number;
  readonly trend: number;
  /** Seasonal states in time order: `season[k]` applies to the k-th month after the end of the history. */
  readonly season: number[];
  readonly sigma2: number;
  readonly aicc: number;
  readonly observations: number;
}

export interface EtsOptions {
  readonly period?: number;
  /** Restrict the search (default: every stable model the data allows). */
  readonly candidates?: readonly EtsSpec[];
}

/**
 * Candidates as R's ets with its defaults (restrict = TRUE, no multiplicative trend): additive-error models with a
 * multiplicative season are left out because their forecast variance can be infinite.
 */
export const ETS_CANDIDATES: readonly EtsSpec[] = (() => {
  const specs: EtsSpec[] = [];
  for (const error of ['A', 'M'] as const) {
    for (const trend of ['N', 'A', 'Ad'] as const) {
      for (const season of ['N', 'A', 'M'] as const) {
        if (error === 'A' && season === 'M') continue;
        specs.push({ error, trend, season });
      }
    }
  }
  return specs;
})();

export function etsName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

const HUGE = 1e10;

interface Layout {
  readonly hasTrend: boolean;
  readonly damped: boolean;
  readonly seasonal: boolean;
}

function layoutOf(spec: EtsSpec): Layout {
  return { hasTrend: spec.trend !== 'N', damped: spec.trend === 'Ad', seasonal: spec.season !== 'N' };
}

/** Parameters optimised: alpha, [beta], [gamma], [phi], l0, [b0]. */
interface Unpacked {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  l0: number;
  b0: number;
}

function unpack(x: readonly number[], layout: Layout): Unpacked {
  let i = 0;
  const alpha = x[i++];
  const beta = layout.hasTrend ? x[i++] : 0;
  const gamma = layout.seasonal ? x[i++] : 0;
  const phi = layout.damped ? x[i++] : 1;
  const l0 = x[i++];
  const b0 = layout.hasTrend ? x[i++] : 0;
  return { alpha, beta, gamma, phi, l0, b0 };
}

/** R's "usual" region: 0 < beta < alpha < 1, 0 < gamma < 1 - alpha, 0.8 < phi < 0.98. */
function admissible(p: Unpacked, layout: Layout): boolean {
  if (p.alpha < 1e-4 || p.alpha > 0.9999) return false;
  if (layout.hasTrend && (p.beta < 1e-4 || p.beta > p.alpha)) return false;
  if (layout.seasonal && (p.gamma < 1e-4 || p.gamma > 1 - p.alpha)) return false;
  if (layout.damped && (p.phi < 0.8 || p.phi > 0.98)) return false;
  return true;
}

interface RunState {
  level: number;
  trend: number;
  season: Float64Array;
  /** Ring position of the season that applies to the next month. */
  at: number;
}

/**
 * One step of the state recursion in R's (error-free) form, which is the same for additive and multiplicative errors:
 * the error type only changes the likelihood. Returns false when a multiplicative state becomes unusable.
 */
function advance(state: RunState, y: number, spec: EtsSpec, p: Unpacked, period: number): boolean {
  const phib = spec.trend === 'N' ? 0 : p.phi * state.trend;
  const q = state.level + phib;
  const s = state.season.length > 0 ? state.season[state.at] : 0;
  let adjusted: number;
  if (spec.season === 'N') adjusted = y;
  else if (spec.season === 'A') adjusted = y - s;
  else {
    if (Math.abs(s) < 1e-10) return false;
    adjusted = y / s;
  }
  const oldLevel = state.level;
  state.level = q + p.alpha * (adjusted - q);
  if (spec.trend !== 'N') state.trend = phib + (p.beta / p.alpha) * (state.level - oldLevel - phib);
  if (spec.season !== 'N') {
    const t = spec.season === 'A' ? y - q : y / q;
    state.season[state.at] = s + p.gamma * (t - s);
    state.at = (state.at + 1) % period;
  }
  return Number.isFinite(state.level);
}

function oneStep(state: RunState, spec: EtsSpec, phi: number): number {
  const q = state.level + (spec.trend === 'N' ? 0 : phi * state.trend);
  if (spec.season === 'N') return q;
  const s = state.season[state.at];
  return spec.season === 'A' ? q + s : q * s;
}

interface Pass {
  /** -2 log likelihood up to a constant, as R's etscalc computes it. */
  readonly lik: number;
  readonly sse: number;
  readonly state: RunState;
}

/**
 * The likelihood pass the optimiser calls about a thousand times per model: `oneStep` and `advance` inlined with the
 * spec's branches and beta / alpha hoisted out of the loop. Every value is computed by the same operations in the same
 * order as those two functions (which forecasting still uses), so fits are bit-identical; it is about twice as fast.
 */
function runPass(y: Float64Array, spec: EtsSpec, p: Unpacked, seed: Float64Array, period: number): Pass | undefined {
  const season = seed.slice();
  const hasTrend = spec.trend !== 'N';
  const additiveSeason = spec.season === 'A';
  const multiplicativeSeason = spec.season === 'M';
  const seasonal = additiveSeason || multiplicativeSeason;
  const errorM = spec.error === 'M';
  const multiplicative = errorM || multiplicativeSeason;
  const { alpha, gamma, phi } = p;
  const trendGain = p.beta / p.alpha;
  let level = p.l0;
  let trend = p.b0;
  let at = 0;
  let sse = 0;
  let logSum = 0;
  for (let t = 0; t < y.length; t++) {
    const yt = y[t];
    const phib = hasTrend ? phi * trend : 0;
    const q = level + phib;
    const s = seasonal ? season[at] : 0;
    const f = additiveSeason ? q + s : multiplicativeSeason ? q * s : q;
    if (multiplicative && !(f > 1e-8)) return undefined;
    if (errorM) {
      const e = (yt - f) / f;
      sse += e * e;
      logSum += Math.log(f);
    } else sse += (yt - f) ** 2;
    let adjusted = yt;
    if (additiveSeason) adjusted = yt - s;
    else if (multiplicativeSeason) {
      if (Math.abs(s) < 1e-10) return undefined;
      adjusted = yt / s;
    }
    const oldLevel = level;
    level = q + alpha * (adjusted - q);
    if (hasTrend) trend = phib + trendGain * (level - oldLevel - phib);
    if (seasonal) {
      season[at] = s + gamma * ((additiveSeason ? yt - q : yt / q) - s);
      at = (at + 1) % period;
    }
    if (!Number.isFinite(level)) return undefined;
    if (multiplicative && !(level > 0)) return undefined;
  }
  const n = y.length;
  const lik = n * Math.log(Math.max(sse, 1e-300)) + (errorM ? 2 * logSum : 0);
  return Number.isFinite(lik) ? { lik, sse, state: { level, trend, season, at } } : undefined;
}

/** Classical decomposition of the first (up to three) years, as R's initstate does. */
function initialSeason(y: Float64Array, period: number, multiplicative: boolean): Float64Array {
  const span = Math.min(y.length, 3 * period);
  const half = Math.floor(period / 2);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let t = half; t + half < span; t++) {
    let trend = 0;
    if (period % 2 === 0) {
      trend = 0.5 * y[t - half] + 0.5 * y[t + half];
      for (let k = t - half + 1; k < t + half; k++) trend += y[k];
    } else {
      for (let k = t - half; k <= t + half; k++) trend += y[k];
    }
    trend /= period;
    sums[t % period] += multiplicative ? y[t] / trend : y[t] - trend;
    counts[t % period]++;
  }
  const season = new Float64Array(period);
  for (let k = 0; k < period; k++) season[k] = counts[k] > 0 ? sums[k] / counts[k] : multiplicative ? 1 : 0;
  const mean = season.reduce((s, v) => s + v, 0) / period;
  for (let k = 0; k < period; k++) season[k] = multiplicative ? Math.max(season[k] / mean, 1e-2) : season[k] - mean;
  return season;
}

function initialLevelTrend(y: Float64Array, season: Float64Array, spec: EtsSpec, period: number): [number, number] {
  const count = Math.min(Math.max(10, 2 * period), y.length);
  const adjusted: number[] = [];
  for (let t = 0; t < count; t++) {
    const s = season.length > 0 ? season[t % period] : spec.season === 'M' ? 1 : 0;
    adjusted.push(spec.season === 'M' ? y[t] / s : spec.season === 'A' ? y[t] - s : y[t]);
  }
  if (spec.trend === 'N') return [adjusted.reduce((s, v) => s + v, 0) / count, 0];
  // Least squares on t = 1..count; the intercept is the state just before the first month.
  let st = 0;
  let sy = 0;
  let stt = 0;
  let sty = 0;
  adjusted.forEach((v, i) => {
    const t = i + 1;
    st += t;
    sy += v;
    stt += t * t;
    sty += t * v;
  });
  const slope = (count * sty - st * sy) / (count * stt - st * st || 1);
  return [(sy - slope * st) / count, slope];
}

function parameterCount(spec: EtsSpec, period: number): number {
  const layout = layoutOf(spec);
  // Smoothing parameters, initial states (m - 1 free seasonal states) and the error variance, as R counts them.
  return (
    1 +
    (layout.hasTrend ? 2 : 0) +
    (layout.seasonal ? period : 0) +
    (layout.damped ? 1 : 0) +
    1 +
    1
  );
}

/** Fits one ETS model; undefined when the data cannot support it (too short, non-positive for M parts, no fit). */
export function fitEtsModel(history: readonly number[], spec: EtsSpec, period = 12): EtsFit | undefined {
  const n = history.length;
  const layout = layoutOf(spec);
  const needsPositive = spec.error === 'M' || spec.season === 'M';
  if (needsPositive && history.some((v) => !(v > 0))) return undefined;
  if (layout.seasonal && n < 2 * period) return undefined;
  const np = parameterCount(spec, period);
  if (n <= np + 4) return undefined;

  const mean = history.reduce((s, v) => s + Math.abs(v), 0) / n;
  const scale = mean > 0 ? mean : 1;
  const y = Float64Array.from(history, (v) => v / scale);
  const seasonSeed = layout.seasonal ? initialSeason(y, period, spec.season === 'M') : new Float64Array(0);
  const [l0, b0] = initialLevelTrend(y, seasonSeed, spec, period);

  const m = layout.seasonal ? period : 1;
  const alpha0 = 1e-4 + (0.2 * (0.9999 - 1e-4)) / m;
  const start: number[] = [alpha0];
  const step: number[] = [0.1];
  if (layout.hasTrend) {
    start.push(0.1 * alpha0);
    step.push(0.05 * alpha0);
  }
  if (layout.seasonal) {
    start.push(0.05 * (1 - alpha0));
    step.push(0.05);
  }
  if (layout.damped) {
    start.push(0.978);
    step.push(-0.05);
  }
  start.push(l0);
  step.push(0.1 * (Math.abs(l0) + 0.1));
  if (layout.hasTrend) {
    start.push(b0);
    step.push(0.01 + 0.1 * Math.abs(b0));
  }

  const objective = (x: readonly number[]): number => {
    const p = unpack(x, layout);
    if (!admissible(p, layout)) return HUGE;
    return runPass(y, spec, p, seasonSeed, period)?.lik ?? HUGE;
  };
  const best = nelderMead(objective, start, { step, maxEvaluations: 150 * start.length + 200, tolerance: 1e-8 });
  if (best.value >= HUGE) return undefined;
  const params = unpack(best.x, layout);
  const pass = runPass(y, spec, params, seasonSeed, period);
  if (!pass) return undefined;
  const aic = pass.lik + 2 * np;
  const aicc = aic + (2 * np * (np + 1)) / (n - np - 1);
  const season: number[] = [];
  for (let k = 0; k < (layout.seasonal ? period : 0); k++) season.push(pass.state.season[(pass.state.at + k) % period]);
  return {
    spec,
    name: etsName(spec),
    alpha: params.alpha,
    beta: params.beta,
    gamma: params.gamma,
    phi: params.phi,
    scale,
    period,
    level: pass.state.level,
    trend: pass.state.trend,
    season,
    sigma2: pass.sse / Math.max(1, n - np),
    aicc,
    observations: n,
  };
}

/**
 * Selections already made, by a digest of the exact history: the same history is selected again and again (each
 * seed of a benchmark, every re-serve of a series whose history did not change, the service answering a forecast
 * and then a reorder on it), and a selection is 15 optimisations. Hits are checked value by value, so the memo can
 * only ever return what a fresh selection would; bounded, oldest dropped first.
 */
const SELECTION_MEMO_LIMIT = 50_000;
const selectionMemo = new Map<string, { readonly history: Float64Array; readonly fit: EtsFit | undefined }[]>();
let selectionMemoSize = 0;

function historyDigest(history: Float64Array, period: number): string {
  const bytes = new Uint8Array(history.buffer, history.byteOffset, history.byteLength);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i], 0x5bd1e995) ^ (b >>> 15);
  }
  return `${period}|${history.length}|${(a >>> 0).toString(36)}|${(b >>> 0).toString(36)}`;
}

function sameHistory(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Fits every candidate the data allows and keeps the lowest AICc, like forecast::ets(y). */
export function selectEts(history: readonly number[], options: EtsOptions = {}): EtsFit | undefined {
  const period = options.period ?? 12;
  if (options.candidates) return selectAmong(history, options.candidates, period);
  const exact = Float64Array.from(history);
  const key = historyDigest(exact, period);
  const bucket = selectionMemo.get(key);
  const hit = bucket?.find((entry) => sameHistory(entry.history, exact));
  if (hit) return hit.fit;
  const fit = selectAmong(history, ETS_CANDIDATES, period);
  if (selectionMemoSize >= SELECTION_MEMO_LIMIT) {
    const oldest = selectionMemo.keys().next().value as string;
    selectionMemoSize -= selectionMemo.get(oldest)?.length ?? 0;
    selectionMemo.delete(oldest);
  }
  selectionMemo.set(key, [...(bucket ?? []), { history: exact, fit }]);
  selectionMemoSize++;
  return fit;
}

function selectAmong(history: readonly number[], candidates: readonly EtsSpec[], period: number): EtsFit | undefined {
  let best: EtsFit | undefined;
  for (const spec of candidates) {
    const fit = fitEtsModel(history, spec, period);
    if (fit && Number.isFinite(fit.aicc) && (!best || fit.aicc < best.aicc)) best = fit;
  }
  return best;
}

function stateOf(fit: EtsFit): RunState {
  return { level: fit.level, trend: fit.trend, season: Float64Array.from(fit.season), at: 0 };
}

function paramsOf(fit: EtsFit): Unpacked {
  return { alpha: fit.alpha, beta: fit.beta, gamma: fit.gamma, phi: fit.phi, l0: 0, b0: 0 };
}

/** Point forecasts: the model's conditional mean path without future errors. */
export function etsPointForecast(fit: EtsFit, horizon: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let phiPower = 1;
  for (let h = 1; h <= horizon; h++) {
    phiPower *= fit.phi;
    damp += fit.spec.trend === 'Ad' ? phiPower : 1;
    const q = fit.level + (fit.spec.trend === 'N' ? 0 : damp * fit.trend);
    const s = fit.season.length > 0 ? fit.season[(h - 1) % fit.period] : 0;
    const f = fit.spec.season === 'N' ? q : fit.spec.season === 'A' ? q + s : q * s;
    out.push(f * fit.scale);
  }
  return out;
}

export interface EtsForecastOptions {
  readonly levels?: readonly number[];
  readonly paths?: number;
  readonly seed?: number;
}

/** Quantiles by simulating future sample paths of the fitted model with a seeded generator. */
export function etsForecast(fit: EtsFit, horizon: number, options: EtsForecastOptions = {}, notes: readonly string[] = []): QuantileForecast {
  const levels = options.levels ?? DEFAULT_LEVELS;
  const paths = options.paths ?? 1000;
  const random = new SeededRandom(options.seed ?? 1);
  const sigma = Math.sqrt(fit.sigma2);
  const params = paramsOf(fit);
  const draws = Array.from({ length: horizon }, () => new Float64Array(paths));
  for (let k = 0; k < paths; k++) {
    const state = stateOf(fit);
    for (let h = 0; h < horizon; h++) {
      const f = oneStep(state, fit.spec, fit.phi);
      const e = sigma * random.normal();
      let y = fit.spec.error === 'A' ? f + e : f * (1 + e);
      if (!Number.isFinite(y)) y = f;
      draws[h][k] = y * fit.scale;
      // A path whose multiplicative state collapses keeps its last value rather than producing NaN.
      if (!advance(state, fit.spec.season === 'M' || fit.spec.error === 'M' ? Math.max(y, 1e-6) : y, fit.spec, params, fit.period)) {
        for (let rest = h + 1; rest < horizon; rest++) draws[rest][k] = y * fit.scale;
        break;
      }
    }
  }
  const quantiles = levels.map(() => new Array<number>(horizon));
  draws.forEach((column, h) => {
    column.sort();
    levels.forEach((p, i) => (quantiles[i][h] = sampleQuantile(column, p)));
  });
  return finishForecast('ets', fit.name, etsPointForecast(fit, horizon), levels, quantiles, notes);
}
