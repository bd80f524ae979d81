import { mase, seasonalNaiveScale } from './accuracy';
import { forecastBaseline } from './baseline';
import { formatMonth } from './calendar';
import { conditionHistory, ConditionedHistory, DemandHistory } from './demand-history';
import { ForecastError } from './forecast-error';
import { GlobalQuantileModel } from './global-model';
import { classifyDemand, DemandClass, DEMAND_CLASSES, fitSba, fitTsb, intermittentForecast, intermittentMarginal } from './intermittent';
import { MarginalForecast, normalCdf, pitOf, recalibratedMarginal, splitLogNormal } from './marginal';
import { normalQuantile } from './quantile-math';
import { checkHorizon, checkLevels, DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';
import { CalibrationMode, calibrationTable, normalScoreCorrelation, pathTotals, remapLevel, samplePaths, totalPit } from './served-risk';
import { SeededRandom } from './seeded-random';
import { zeroForecast } from './seasonal-naive';
import { adjustForTradingDays, CalendarRegion, fitTradingDayEffect, TradingDayEffect, tradingDayFactor } from './trading-days';

/**
 * The served forecast: what the benchmark measures and what the service answers, through one code path.
 *
 * Everything that decides a forecast is learned once, at training time, on the panel's validation origin (the
 * last `horizon` months of every training history, fitted without them) and stored with the model: the trading-day
 * coefficient, the combination weights of the methods per demand class, the monthly calibration (PIT tables per
 * step), the error correlation between months and the calibration of lead-time totals. A request only applies
 * them to its series; nothing is re-picked on a request's last few months.
 */
export type ServedMethod = 'global-mlp' | 'ets' | 'theta' | 'seasonal-naive' | 'sba' | 'tsb';

export const SERVED_METHODS: readonly ServedMethod[] = ['global-mlp', 'ets', 'theta', 'seasonal-naive', 'sba', 'tsb'];

/** Which methods a class may combine: count methods only where demand is intermittent. */
export const CLASS_METHODS: Record<DemandClass, readonly ServedMethod[]> = {
  smooth: ['global-mlp', 'ets', 'theta', 'seasonal-naive'],
  erratic: ['global-mlp', 'ets', 'theta', 'seasonal-naive'],
  intermittent: ['global-mlp', 'ets', 'sba', 'tsb'],
  lumpy: ['global-mlp', 'ets', 'sba', 'tsb'],
};

/** The design, frozen on validation origins before the test (libs/forecasting/config/forecast-design.json). */
export interface ServingDesign {
  readonly inputMonths: number;
  readonly members: number;
  readonly hiddenUnits: number;
  readonly maxEpochs: number;
  /** Trading-day adjustment ('none' = off). */
  readonly calendar: CalendarRegion;
  /** Grid step of the combination weights. */
  readonly weightStep: number;
  /** Sample paths per series for totals. */
  readonly paths: number;
  /** How validation PITs recalibrate months and totals (see served-risk.ts). */
  readonly calibration: CalibrationMode;
  /**
   * Widening of the calibrated monthly distributions around their median, in normal scores (1 = none), below and
   * above the median separately. The inner validation year a policy is calibrated on sits right before the origin
   * and is the year the network stopped early on, so it flatters; how much to widen each side is a design choice
   * made on the outer validation origins. The two tails are chosen apart because the outer years disagree about
   * them (a year whose demand runs above its forecast thins the upper tail and fattens the lower one), and the
   * upper tail is the stock-out side.
   */
  readonly widenBelow: number;
  readonly widenAbove: number;
  /** Widening of the totals' distribution (lead time, lead time + review) around its median. */
  readonly widenTotals: number;
}

/** The frozen design of libs/forecasting/config/forecast-design.json (a unit test keeps the two equal). */
export const DEFAULT_DESIGN: ServingDesign = {
  inputMonths: 48,
  members: 5,
  hiddenUnits: 128,
  maxEpochs: 60,
  calendar: 'AU',
  weightStep: 0.1,
  paths: 1000,
  calibration: 'symmetric',
  widenBelow: 1.35,
  widenAbove: 1.35,
  widenTotals: 1.25,
};

/**
 * Moves a base level away from the calibrated median level in normal scores: by `below` under the median, by
 * `above` over it (one factor for both sides where the caller has only one).
 */
function widenLevel(level: number, median: number, below: number, above = below): number {
  const zm = normalQuantile(Math.min(1 - 1e-6, Math.max(1e-6, median)));
  const z = normalQuantile(Math.min(1 - 1e-6, Math.max(1e-6, level)));
  const factor = z < zm ? below : above;
  // The median itself stays put exactly (a round trip through normal scores would move it in the 12th digit).
  if (factor === 1 || z === zm) return level;
  return Math.min(1 - 1e-6, Math.max(1e-6, normalCdf(zm + factor * (z - zm))));
}

/**
 * The monthly widening of a stored design. Policies stored before the tails were widened apart carry one
 * `widenMonthly` for both; they keep serving what they served.
 */
export function monthlyWidening(design: ServingDesign | (Omit<ServingDesign, 'widenBelow' | 'widenAbove'> & { readonly widenMonthly?: number })): { below: number; above: number } {
  if ('widenBelow' in design && 'widenAbove' in design) return { below: design.widenBelow, above: design.widenAbove };
  const both = (design as { widenMonthly?: number }).widenMonthly ?? 1;
  return { below: both, above: both };
}

export interface ServingPolicy {
  readonly format: 'pedigree-serving-policy';
  readonly formatVersion: 1;
  readonly design: ServingDesign;
  readonly horizon: number;
  readonly tradingDays: TradingDayEffect;
  /** Combination weights per demand class (summing to one over the methods named). */
  readonly weights: Record<DemandClass, Partial<Record<ServedMethod, number>>>;
  /** Where a class's weights came from: its own validation series, or the whole panel's. */
  readonly weightSource: Record<DemandClass, string>;
  readonly calibration: {
    /** Per calibration group ('all', or a class with enough series): PIT tables per step. */
    readonly monthly: Record<string, number[][]>;
    /** Per group: PIT tables of the totals of the first k months, k = 1..horizon. */
    readonly totals: Record<string, number[][]>;
    /** Correlation of the monthly errors' normal scores between steps. */
    readonly correlation: number[][];
    readonly pairs: number;
  };
  /** What the validation origin showed (honest: forecasts made without the months they are scored on). */
  readonly validation: {
    readonly lastMonth: string;
    readonly series: number;
    readonly classes: Partial<Record<DemandClass, number>>;
    readonly mase: Partial<Record<ServedMethod | 'served', number>>;
    readonly coverage80Raw: number;
    readonly coverage80Calibrated: number;
  };
}

export interface ServingModel {
  readonly model?: GlobalQuantileModel;
  readonly policy: ServingPolicy;
}

export interface ServedSeries {
  readonly key: string;
  readonly demandClass: DemandClass;
  /** Quantiles at the requested levels and the point forecast (the weighted point of the methods). */
  readonly forecast: QuantileForecast;
  /** The served distribution of every month (calibrated and widened). */
  readonly marginal: MarginalForecast;
  /** Calibrated, not widened: what sample paths for totals draw from (totals get their own calibration and widening). */
  readonly pathMarginal: MarginalForecast;
  readonly weights: Partial<Record<ServedMethod, number>>;
  readonly reason: string;
}

export interface ServedRefusal {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

/** Months a history needs before its last `horizon` for its validation fit to mean anything (two seasons). */
const VALIDATION_HISTORY = 24;
const MIN_CLASS_SERIES = 20;
const MIN_CALIBRATION_SERIES = 50;
const PATH_SEED = 20261201;

interface MethodOutput {
  readonly point: number[];
  readonly marginal: MarginalForecast;
  readonly model: string;
  readonly notes: readonly string[];
}

function scaledMarginal(marginal: MarginalForecast, factors: readonly number[]): MarginalForecast {
  return { steps: marginal.steps, quantile: (h, u) => marginal.quantile(h, u) * factors[Math.min(h, factors.length - 1)] };
}

/** One method's forecast of an (adjusted) history, restored to demand units by the target months' calendar factors. */
function methodOutput(
  method: ServedMethod,
  adjusted: DemandHistory,
  horizon: number,
  factors: readonly number[],
  global: QuantileForecast | undefined,
  cache?: Map<string, QuantileForecast>,
): MethodOutput | undefined {
  const restore = (f: QuantileForecast, marginal: MarginalForecast): MethodOutput => ({
    point: f.point.map((v, h) => v * factors[h]),
    marginal: scaledMarginal(marginal, factors),
    model: f.model,
    notes: f.notes,
  });
  if (method === 'global-mlp') return global ? restore(global, splitLogNormal(global)) : undefined;
  if (method === 'ets' || method === 'theta' || method === 'seasonal-naive') {
    // The interval simulation's seed is fixed: the same history gets the same forecast whatever model is served.
    let digest = 0;
    adjusted.values.forEach((v, i) => (digest = (digest * 31 + Math.round(v * 1000) * (i + 1)) % 2147483647));
    const key = `${method}|${adjusted.key}|${adjusted.start}|${adjusted.values.length}|${horizon}|${digest}`;
    let f = cache?.get(key);
    if (!f) {
      f = forecastBaseline(adjusted, method, { horizon, levels: DEFAULT_LEVELS, seed: 42 });
      cache?.set(key, f);
    }
    return restore(f, splitLogNormal(f));
  }
  const fit = method === 'sba' ? fitSba(adjusted.values) : fitTsb(adjusted.values);
  if (!fit) return undefined;
  const f = intermittentForecast(fit, horizon, DEFAULT_LEVELS);
  return restore(f, intermittentMarginal(fit, horizon));
}

/** Normalised weights over the methods that produced a forecast reaching step h. */
function weightsAt(weights: Partial<Record<ServedMethod, number>>, outputs: ReadonlyMap<ServedMethod, MethodOutput>, h: number): [MethodOutput, number][] {
  const parts: [MethodOutput, number][] = [];
  for (const [method, w] of Object.entries(weights) as [ServedMethod, number][]) {
    const out = outputs.get(method);
    if (w > 0 && out && out.point.length > h) parts.push([out, w]);
  }
  if (parts.length === 0) {
    // Every weighted method is missing here (too short for the network, say): the best available by fallback order.
    for (const method of ['ets', 'theta', 'seasonal-naive', 'tsb', 'sba', 'global-mlp'] as ServedMethod[]) {
      const out = outputs.get(method);
      if (out && out.point.length > h) return [[out, 1]];
    }
    return [];
  }
  const total = parts.reduce((s, [, w]) => s + w, 0);
  return parts.map(([o, w]) => [o, w / total]);
}

interface Combined {
  readonly point: number[];
  readonly marginal: MarginalForecast;
}

function combine(weights: Partial<Record<ServedMethod, number>>, outputs: ReadonlyMap<ServedMethod, MethodOutput>, horizon: number): Combined {
  const perStep = Array.from({ length: horizon }, (_, h) => weightsAt(weights, outputs, h));
  return {
    point: perStep.map((parts, h) => parts.reduce((s, [o, w]) => s + w * o.point[h], 0)),
    marginal: {
      steps: horizon,
      quantile(h: number, u: number): number {
        let v = 0;
        for (const [o, w] of perStep[Math.min(h, horizon - 1)]) v += w * o.marginal.quantile(h, u);
        return v;
      },
    },
  };
}

interface Prepared {
  readonly key: string;
  readonly conditioned: ConditionedHistory;
  readonly adjusted: DemandHistory;
  readonly demandClass: DemandClass;
}

function prepare(history: DemandHistory, effect: TradingDayEffect): Prepared {
  const conditioned = conditionHistory(history);
  return {
    key: history.key,
    conditioned,
    adjusted: adjustForTradingDays({ key: history.key, start: conditioned.start, values: conditioned.values }, effect),
    demandClass: classifyDemand(conditioned.values).demandClass,
  };
}

function factorsAfter(start: number, length: number, horizon: number, effect: TradingDayEffect): number[] {
  return Array.from({ length: horizon }, (_, h) => tradingDayFactor(start + length + h, effect));
}

/** Every point of the simplex over `n` methods with the given step (weights in whole steps). */
function simplex(n: number, step: number): number[][] {
  const units = Math.round(1 / step);
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === n - 1) {
      out.push([...prefix, left].map((k) => k / units));
      return;
    }
    for (let k = 0; k <= left; k++) walk([...prefix, k], left - k);
  };
  walk([], units);
  return out;
}

interface ValidationRow {
  readonly key: string;
  readonly demandClass: DemandClass;
  readonly actual: number[];
  readonly scale: number;
  readonly outputs: Map<ServedMethod, MethodOutput>;
}

function bestWeights(rows: readonly ValidationRow[], methods: readonly ServedMethod[], step: number): { weights: Partial<Record<ServedMethod, number>>; mase: number; series: number } {
  const usable = rows.filter((r) => methods.every((m) => r.outputs.has(m)) && r.scale > 0 && Number.isFinite(r.scale));
  if (usable.length === 0) return { weights: {}, mase: NaN, series: 0 };
  let best = { weights: {} as Partial<Record<ServedMethod, number>>, mase: Infinity, series: usable.length };
  for (const w of simplex(methods.length, step)) {
    let sum = 0;
    for (const r of usable) {
      let e = 0;
      for (let h = 0; h < r.actual.length; h++) {
        let f = 0;
        for (let m = 0; m < methods.length; m++) if (w[m] > 0) f += w[m] * (r.outputs.get(methods[m]) as MethodOutput).point[h];
        e += Math.abs(r.actual[h] - f);
      }
      sum += e / r.actual.length / r.scale;
    }
    const score = sum / usable.length;
    // Ties (within rounding) go to the simpler mix: fewer methods.
    if (score < best.mase - 1e-9) best = { weights: Object.fromEntries(methods.map((m, i) => [m, w[i]]).filter(([, v]) => (v as number) > 0)), mase: score, series: usable.length };
  }
  return best;
}

export interface TrainServingOptions {
  readonly design?: Partial<ServingDesign>;
  readonly horizon?: number;
  readonly seed?: number;
  /** A global model already trained (e.g. PBS-pretrained, from the model store): used instead of training one. */
  readonly model?: GlobalQuantileModel;
  /** Train no global model (baselines and count methods only). */
  readonly withoutModel?: boolean;
  readonly parallelism?: number;
  readonly progress?: (event: TrainingProgress) => void;
}

/** Training progress as data, not log lines: the phase, and the member/epoch while the network trains. */
export interface TrainingProgress {
  readonly phase: 'calendar' | 'network' | 'validation' | 'weights' | 'calibration' | 'done';
  readonly member?: number;
  readonly members?: number;
  readonly epoch?: number;
  /** The member's validation loss at that epoch (pinball, centred log space). */
  readonly loss?: number;
  readonly message: string;
}

/** Conditions every history, fits the trading-day coefficient on the months before the validation year, adjusts. */
function preparePanel(histories: readonly DemandHistory[], design: ServingDesign, horizon: number, say: (event: TrainingProgress) => void): { prepared: Prepared[]; effect: TradingDayEffect; refused: ServedRefusal[] } {
  const refused: ServedRefusal[] = [];
  const conditioned: ConditionedHistory[] = [];
  for (const h of histories) {
    try {
      const c = conditionHistory(h);
      if (!c.allZero) conditioned.push(c);
    } catch (error) {
      if (!(error instanceof ForecastError)) throw error;
      refused.push({ key: h.key, code: error.code, message: error.message });
    }
  }
  if (conditioned.length === 0) throw new ForecastError('NO_TRAINABLE_SERIES', 'no series with any non-zero demand');
  // The calendar coefficient is fitted on the months before each validation year, like everything else.
  say({ phase: 'calendar', message: `fitting the trading-day effect (${design.calendar})` });
  const effect = fitTradingDayEffect(conditioned.map((c) => ({ start: c.start, values: c.values.slice(0, Math.max(0, c.values.length - horizon)) })), design.calendar);
  return { prepared: conditioned.map((c) => prepare({ key: c.key, start: c.start, values: c.values }, effect)), effect, refused };
}

/** The global network on calendar-adjusted demand; undefined (said) when no series is long enough to train it. */
async function trainNetwork(prepared: readonly Prepared[], design: ServingDesign, horizon: number, options: TrainServingOptions, say: (event: TrainingProgress) => void): Promise<GlobalQuantileModel | undefined> {
  try {
    return await GlobalQuantileModel.train(prepared.map((p) => p.adjusted), {
      horizon,
      inputMonths: design.inputMonths,
      members: design.members,
      hiddenUnits: design.hiddenUnits,
      maxEpochs: design.maxEpochs,
      seed: options.seed,
      ...(options.parallelism ? { parallelism: options.parallelism } : {}),
      progress: (event) => say({ phase: 'network', message: event.message, member: event.member, members: event.members, epoch: event.epoch, loss: event.loss }),
    });
  } catch (error) {
    if (!(error instanceof ForecastError && error.code === 'NO_TRAINABLE_SERIES')) throw error;
    say({ phase: 'network', message: `no global model: ${error.message}` });
    return undefined;
  }
}

/**
 * The global network alone, trained the way trainServingModel trains it (calendar-adjusted, last `horizon` months
 * held out for early stopping), without fitting a policy: what is pretrained on one panel to start another from.
 */
export async function trainGlobalNetwork(histories: readonly DemandHistory[], options: Omit<TrainServingOptions, 'model' | 'withoutModel'> = {}): Promise<GlobalQuantileModel | undefined> {
  const design: ServingDesign = { ...DEFAULT_DESIGN, ...options.design };
  const horizon = options.horizon ?? 12;
  checkHorizon(horizon);
  const say = options.progress ?? (() => undefined);
  return trainNetwork(preparePanel(histories, design, horizon, say).prepared, design, horizon, options, say);
}

/**
 * Trains the served forecaster on a panel: the trading-day coefficient, the global model (on calendar-adjusted
 * demand), every method's forecast of each series' last `horizon` months made without them, the combination weights
 * per demand class that minimise mean MASE there, and the calibration of months and totals on the same origin.
 */
export async function trainServingModel(histories: readonly DemandHistory[], options: TrainServingOptions = {}): Promise<{ serving: ServingModel; refused: ServedRefusal[] }> {
  const design: ServingDesign = { ...DEFAULT_DESIGN, ...options.design };
  const horizon = options.horizon ?? 12;
  checkHorizon(horizon);
  const say = options.progress ?? (() => undefined);
  const { prepared, effect, refused } = preparePanel(histories, design, horizon, say);
  // The network trains in worker threads where it can; meanwhile this thread makes the other methods' validation
  // forecasts, which do not depend on it (ETS selection is most of the rest of training). The same computations
  // as one after the other, so the same policy.
  const training = options.model ? Promise.resolve(options.model) : options.withoutModel ? Promise.resolve(undefined) : trainNetwork(prepared, design, horizon, options, say);
  training.catch(() => undefined);
  const heldOut = prepared.filter((p) => p.conditioned.values.length >= horizon + VALIDATION_HISTORY);
  const before = heldOut.map((p) => ({ key: p.key, start: p.adjusted.start, values: p.adjusted.values.slice(0, p.adjusted.values.length - horizon) }));
  const others: { demandClass: DemandClass; factors: number[]; outputs: Map<ServedMethod, MethodOutput> }[] = [];
  for (const [i, p] of heldOut.entries()) {
    const cut = p.conditioned.values.length - horizon;
    const factors = factorsAfter(p.conditioned.start, cut, horizon, effect);
    const demandClass = classifyDemand(p.conditioned.values.slice(0, cut)).demandClass;
    const outputs = new Map<ServedMethod, MethodOutput>();
    for (const method of new Set(CLASS_METHODS[demandClass])) {
      if (method === 'global-mlp') continue;
      const out = methodOutput(method, before[i], horizon, factors, undefined);
      if (out) outputs.set(method, out);
    }
    others.push({ demandClass, factors, outputs });
    // Lets the worker threads start and report while this thread works.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const model = await training;
  const usableModel = model && model.horizon >= horizon ? model : undefined;

  say({ phase: 'validation', message: `validation forecasts of ${prepared.length} series` });
  const rows: ValidationRow[] = [];
  const storedValidation = usableModel && usableModel.validation.size === 0;
  // A model passed in (not trained here) has no held-out forecasts of its own; it forecasts the validation year
  // from the truncated histories, which it may have seen in training: its weight is then flattered, as the policy notes.
  const globalAtValidation = storedValidation ? usableModel!.forecastMany(before, horizon) : [];
  heldOut.forEach((p, i) => {
    const values = p.conditioned.values;
    const cut = values.length - horizon;
    const rawBefore = values.slice(0, cut);
    const { demandClass, factors } = others[i];
    const global = storedValidation ? globalAtValidation[i] : usableModel?.validation.get(p.key)?.forecast;
    // The network first, as the class's method list has it.
    const outputs = new Map<ServedMethod, MethodOutput>();
    const network = CLASS_METHODS[demandClass].includes('global-mlp') ? methodOutput('global-mlp', before[i], horizon, factors, global) : undefined;
    if (network) outputs.set('global-mlp', network);
    for (const [method, out] of others[i].outputs) outputs.set(method, out);
    rows.push({ key: p.key, demandClass, actual: values.slice(cut), scale: seasonalNaiveScale(rawBefore), outputs });
  });

  say({ phase: 'weights', message: `combination weights on ${rows.length} validation series` });
  const weights = {} as Record<DemandClass, Partial<Record<ServedMethod, number>>>;
  const weightSource = {} as Record<DemandClass, string>;
  for (const demandClass of DEMAND_CLASSES) {
    const own = rows.filter((r) => r.demandClass === demandClass);
    const methods = CLASS_METHODS[demandClass].filter((m) => m !== 'global-mlp' || usableModel);
    const fit = own.length >= MIN_CLASS_SERIES ? bestWeights(own, methods, design.weightStep) : undefined;
    if (fit && fit.series >= MIN_CLASS_SERIES) {
      weights[demandClass] = fit.weights;
      weightSource[demandClass] = `${demandClass} validation series (${fit.series}, MASE ${fit.mase.toFixed(3)})`;
    } else {
      // Too few series of this class: the whole panel decides among the methods the class allows.
      const pooled = bestWeights(rows, methods.filter((m) => rows.some((r) => r.outputs.has(m))), design.weightStep);
      const fallback = Object.keys(pooled.weights).length > 0 ? pooled.weights : { ets: 1 };
      weights[demandClass] = fallback;
      weightSource[demandClass] = `whole panel (${own.length} ${demandClass} validation series are too few; ${pooled.series} series, MASE ${Number.isFinite(pooled.mase) ? pooled.mase.toFixed(3) : 'n/a'})`;
    }
  }

  say({ phase: 'calibration', message: 'calibrating months and totals' });
  const random = new SeededRandom(options.seed ?? 42);
  const uniform = () => random.next();
  const group = (c: DemandClass) => c;
  const monthlyPits = new Map<string, number[][]>();
  const pitRows: number[][] = [];
  const combined = rows.map((r) => combine(weights[r.demandClass], r.outputs, horizon));
  let rawInside = 0;
  let rawCount = 0;
  rows.forEach((r, i) => {
    const pits = r.actual.map((y, h) => pitOf(combined[i].marginal, h, y, uniform));
    pitRows.push(pits);
    for (const key of ['all', group(r.demandClass)]) {
      const table = monthlyPits.get(key) ?? Array.from({ length: horizon }, () => [] as number[]);
      pits.forEach((u, h) => table[h].push(u));
      monthlyPits.set(key, table);
    }
    pits.forEach((u) => {
      rawInside += u > 0.1 && u <= 0.9 ? 1 : 0;
      rawCount++;
    });
  });
  const groups = [...monthlyPits.keys()].filter((k) => k === 'all' || (monthlyPits.get(k)?.[0].length ?? 0) >= MIN_CALIBRATION_SERIES);
  const monthly: Record<string, number[][]> = {};
  for (const g of groups) monthly[g] = (monthlyPits.get(g) as number[][]).map((pits) => calibrationTable(pits, 30, design.calibration));
  const correlation = normalScoreCorrelation(pitRows, horizon);

  const totalsPits = new Map<string, number[][]>();
  let calibratedInside = 0;
  const calibratedRows = rows.map((r, i) => {
    const g = monthly[group(r.demandClass)] ? group(r.demandClass) : 'all';
    return recalibratedMarginal(combined[i].marginal, (h, p) => remapLevel(monthly[g][Math.min(h, horizon - 1)], p));
  });
  rows.forEach((r, i) => {
    const marginal = calibratedRows[i];
    r.actual.forEach((y, h) => {
      if (y >= marginal.quantile(h, 0.1) && y <= marginal.quantile(h, 0.9)) calibratedInside++;
    });
    const paths = samplePaths(marginal, correlation, horizon, design.paths, PATH_SEED + i);
    let total = 0;
    for (let k = 1; k <= horizon; k++) {
      total += r.actual[k - 1];
      const u = totalPit(pathTotals(paths, k), total, uniform);
      for (const key of ['all', group(r.demandClass)]) {
        const table = totalsPits.get(key) ?? Array.from({ length: horizon }, () => [] as number[]);
        table[k - 1].push(u);
        totalsPits.set(key, table);
      }
    }
  });
  const totals: Record<string, number[][]> = {};
  for (const g of groups) totals[g] = (totalsPits.get(g) as number[][]).map((pits) => calibrationTable(pits, 30, design.calibration));

  const classes: Partial<Record<DemandClass, number>> = {};
  rows.forEach((r) => (classes[r.demandClass] = (classes[r.demandClass] ?? 0) + 1));
  const methodMase: Partial<Record<ServedMethod | 'served', number>> = {};
  for (const method of SERVED_METHODS) {
    const scored = rows.filter((r) => r.outputs.has(method) && r.scale > 0);
    if (scored.length > 0) methodMase[method] = scored.reduce((s, r) => s + mase(r.actual, (r.outputs.get(method) as MethodOutput).point, r.scale), 0) / scored.length;
  }
  const servedScored = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.scale > 0);
  methodMase.served = servedScored.reduce((s, { r, i }) => s + mase(r.actual, combined[i].point, r.scale), 0) / Math.max(1, servedScored.length);
  const last = Math.max(...prepared.map((p) => p.conditioned.start + p.conditioned.values.length - 1));
  const policy: ServingPolicy = {
    format: 'pedigree-serving-policy',
    formatVersion: 1,
    design,
    horizon,
    tradingDays: effect,
    weights,
    weightSource,
    calibration: { monthly, totals, correlation, pairs: rows.length },
    validation: {
      lastMonth: formatMonth(last - horizon),
      series: rows.length,
      classes,
      mase: methodMase,
      coverage80Raw: rawInside / Math.max(1, rawCount),
      coverage80Calibrated: calibratedInside / Math.max(1, rawCount),
    },
  };
  say({ phase: 'done', message: `served validation MASE ${methodMase.served?.toFixed(3)}` });
  return { serving: { model: usableModel, policy }, refused };
}

export interface ServeOptions {
  readonly horizon?: number;
  readonly levels?: readonly number[];
  /**
   * Baseline forecasts already made, by method, key, horizon and a digest of the (calendar-adjusted) history: the
   * benchmark's rolling backtest re-serves the same histories under several seeds.
   */
  readonly baselineCache?: Map<string, QuantileForecast>;
}

function describeWeights(weights: Partial<Record<ServedMethod, number>>): string {
  return Object.entries(weights)
    .filter(([, w]) => (w as number) > 0)
    .map(([m, w]) => `${(w as number).toFixed(2)} ${m}`)
    .join(' + ');
}

/**
 * Serves every history with the stored policy: the series' demand class picks the stored weights, each weighted
 * method forecasts the calendar-adjusted history, the mix is restored to demand units and calibrated. The answer for
 * a series does not depend on the other series in the call (the service asks one at a time, the benchmark all at once).
 */
export function serveForecasts(histories: readonly DemandHistory[], serving: ServingModel, options: ServeOptions = {}): { forecasts: ServedSeries[]; refused: ServedRefusal[] } {
  const { policy, model } = serving;
  if (policy?.format !== 'pedigree-serving-policy' || policy.formatVersion !== 1) {
    throw new ForecastError('INCOMPATIBLE_MODEL', 'not a pedigree serving policy v1');
  }
  const horizon = options.horizon ?? policy.horizon;
  const levels = options.levels ?? DEFAULT_LEVELS;
  checkHorizon(horizon);
  checkLevels(levels);
  const refused: ServedRefusal[] = [];
  const ready: Prepared[] = [];
  for (const h of histories) {
    try {
      ready.push(prepare(h, policy.tradingDays));
    } catch (error) {
      if (!(error instanceof ForecastError)) throw error;
      refused.push({ key: h.key, code: error.code, message: error.message });
    }
  }
  const needsGlobal = ready.map((p) => !p.conditioned.allZero && (policy.weights[p.demandClass]['global-mlp'] ?? 0) > 0);
  const globalHorizon = model ? Math.min(horizon, model.horizon) : 0;
  const globals = model ? model.forecastMany(ready.map((p, i) => (needsGlobal[i] ? p.adjusted : { ...p.adjusted, values: [] })), globalHorizon) : [];
  const forecasts = ready.map((p, i): ServedSeries => {
    const notes = [...p.conditioned.notes];
    if (p.conditioned.allZero) {
      const zero = zeroForecast(horizon, levels, notes);
      const nothing = { steps: horizon, quantile: () => 0 };
      return { key: p.key, demandClass: p.demandClass, forecast: { ...zero, method: 'served' }, marginal: nothing, pathMarginal: nothing, weights: {}, reason: 'every observed month is zero, so the forecast is zero' };
    }
    const weights = policy.weights[p.demandClass];
    const factors = factorsAfter(p.conditioned.start, p.conditioned.values.length, horizon, policy.tradingDays);
    const outputs = new Map<ServedMethod, MethodOutput>();
    for (const [method, w] of Object.entries(weights) as [ServedMethod, number][]) {
      if (!(w > 0)) continue;
      const out = methodOutput(method, p.adjusted, horizon, factors, globals[i], options.baselineCache);
      if (out) outputs.set(method, out);
      else if (method === 'global-mlp') notes.push(model ? `global model: needs ${model.minimumHistory} months, the series has ${p.conditioned.values.length}; its weight went to the other methods` : 'no global model loaded; its weight went to the other methods');
    }
    if (outputs.size === 0) {
      // The class's methods cannot forecast this series at all (no ETS fit, no demand for SBA): ETS's fallback chain.
      const out = methodOutput('ets', p.adjusted, horizon, factors, undefined) as MethodOutput;
      outputs.set('ets', out);
      notes.push('no weighted method could forecast this series: used ETS with its fallbacks');
    }
    if (globals[i] && globalHorizon < horizon) {
      notes.push(`months ${globalHorizon + 1}-${horizon}: beyond the global model's ${globalHorizon}-month horizon, served by the other weighted methods (or ETS)`);
    }
    for (const out of outputs.values()) notes.push(...out.notes.filter((n) => !notes.includes(n)));
    const mix = combine(weights, outputs, horizon);
    const g = policy.calibration.monthly[p.demandClass] ? p.demandClass : 'all';
    const tables = policy.calibration.monthly[g] ?? [];
    const pathMarginal = recalibratedMarginal(mix.marginal, (h, u) => remapLevel(tables[Math.min(h, tables.length - 1)], u));
    const widen = monthlyWidening(policy.design);
    const marginal = recalibratedMarginal(mix.marginal, (h, u) => {
      const table = tables[Math.min(h, tables.length - 1)];
      return widenLevel(remapLevel(table, u), remapLevel(table, 0.5), widen.below, widen.above);
    });
    if (horizon > policy.horizon) notes.push(`months ${policy.horizon + 1}-${horizon} use the calibration of month ${policy.horizon}`);
    const quantiles = levels.map((u) => Array.from({ length: horizon }, (_, h) => marginal.quantile(h, u)));
    const used = Object.fromEntries([...outputs.keys()].map((m) => [m, weights[m] ?? 1])) as Partial<Record<ServedMethod, number>>;
    const label = `${describeWeights(used)}${policy.tradingDays.beta > 0 ? `, trading days (${policy.tradingDays.region})` : ''}, calibrated`;
    const forecast = finishForecast('served', label, mix.point, levels, quantiles, notes);
    const reason = `${p.demandClass} demand: the stored policy's weights ${describeWeights(weights)} (learned on ${policy.weightSource[p.demandClass]}, validation through ${policy.validation.lastMonth}); quantiles calibrated on the same validation origin`;
    return { key: p.key, demandClass: p.demandClass, forecast, marginal, pathMarginal, weights: used, reason };
  });
  return { forecasts, refused };
}

/**
 * Quantiles of the total demand of the next `periods` months (fractional allowed: the last month counts its
 * share), from sample paths with the measured correlation, recalibrated by the stored totals' PIT tables.
 */
export function totalQuantiles(served: ServedSeries, policy: ServingPolicy, periods: number, levels: readonly number[]): number[] {
  if (!(periods > 0)) throw new ForecastError('INVALID_HORIZON', `periods must be positive, got ${periods}`);
  const steps = Math.ceil(periods);
  if (steps > served.marginal.steps) throw new ForecastError('INVALID_HORIZON', `the forecast covers ${served.marginal.steps} months; ${periods} requested`);
  const paths = samplePaths(served.pathMarginal, policy.calibration.correlation, steps, policy.design.paths, PATH_SEED);
  const totals = pathTotals(paths, periods);
  const g = policy.calibration.totals[served.demandClass] ? served.demandClass : 'all';
  const tables = policy.calibration.totals[g] ?? [];
  const at = (k: number): number[] | undefined => (k <= 0 ? undefined : tables[Math.min(k, tables.length) - 1]);
  const lower = Math.floor(periods);
  const frac = periods - lower;
  const remap = (p: number): number => {
    const a = remapLevel(at(lower), p);
    const b = frac > 0 ? remapLevel(at(lower + 1), p) : a;
    return lower === 0 ? b : a + frac * (b - a);
  };
  const median = remap(0.5);
  return levels.map((p) => sampleQuantileOf(totals, widenLevel(remap(p), median, policy.design.widenTotals ?? 1)));
}

function sampleQuantileOf(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * What a service serves before any training: ETS alone on the unadjusted history, uncalibrated, months independent.
 * Its reason says so; a retrain replaces it with a learned policy.
 */
export function baselineServing(horizon = 12): ServingModel {
  const weights = Object.fromEntries(DEMAND_CLASSES.map((c) => [c, { ets: 1 }])) as ServingPolicy['weights'];
  const source = Object.fromEntries(DEMAND_CLASSES.map((c) => [c, 'no training yet (ETS alone, uncalibrated, until a model is trained)'])) as ServingPolicy['weightSource'];
  return {
    policy: {
      format: 'pedigree-serving-policy',
      formatVersion: 1,
      design: DEFAULT_DESIGN,
      horizon,
      tradingDays: { region: 'none', beta: 0, pairs: 0 },
      weights,
      weightSource: source,
      calibration: { monthly: {}, totals: {}, correlation: [], pairs: 0 },
      validation: { lastMonth: 'none', series: 0, classes: {}, mase: {}, coverage80Raw: NaN, coverage80Calibrated: NaN },
    },
  };
}
