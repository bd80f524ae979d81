/**
 * `npm run bench:forecast [-- flags]`: the project's forecasting protocol (libs/forecasting/data/README.md).
 *
 * Honest protocol: every design choice is made on the validation origins (48 and 36 months before the end,
 * `--search`, which writes the frozen design file); the test origins (24 and 12) are then scored once with that
 * design over several seeds (`--seeds`), reported as mean ± sd. The `served` row is the exact code path the
 * GraphQL service calls (trainServingModel at training time, serveForecasts and reorderSuggestion per request).
 * Progress goes to stderr; stdout gets the machine, the tables and one final line of JSON.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forecastBaseline } from '../baseline';
import { OriginSplit, ProtocolScore, scoreProtocol, selectProtocolSeries, SeriesSelection, splitAtOrigin } from '../benchmark-protocol';
import { readCsvFile } from '../csv-table';
import { DemandHistory } from '../demand-history';
import { panelFromRows, PanelColumns } from '../demand-panel';
import { ForecastError } from '../forecast-error';
import { PBS_DATA_FILE } from '../pretrained-model';
import { fitSba, fitTsb, intermittentForecast } from '../intermittent';
import { DEFAULT_LEVELS, QuantileForecast } from '../quantile-forecast';
import { simulateOrderUpTo } from '../reorder-policy';
import { DEFAULT_DESIGN, ServedMethod, serveForecasts, ServingDesign, ServingModel, ServingPolicy, totalQuantiles, trainServingModel } from '../served-forecast';
import { loadServingFromDirectory, modelFromArtifacts, saveServingToDirectory, servingFromArtifacts, servingToArtifacts } from '../model-store';
import { SeededRandom } from '../seeded-random';
import { initBackend } from '../tf-backend';
import { CalendarRegion, checkRegion } from '../trading-days';
import { DEMAND_CLASSES } from '../intermittent';
import { chooseTailWidening, TailWidening, WideningTrial } from '../tail-widening';

const DESIGN_FILE = 'libs/forecasting/config/forecast-design.json';
const HORIZON = 12;
const VALIDATION_ORIGINS = [48, 36];
const TEST_ORIGINS = [24, 12];
const TARGET = 0.95;
const LEAD = 1;
const REVIEW = 1;

interface BenchArguments {
  readonly csv: string;
  readonly pbs: boolean;
  readonly columns: PanelColumns;
  readonly minMean: number;
  readonly seeds: number[];
  readonly search: boolean;
  readonly calibrate: boolean;
  readonly designFile: string;
  readonly keys: number | undefined;
  readonly overrides: Partial<ServingDesign>;
  readonly calendar: CalendarRegion | undefined;
  readonly lowVolume: boolean;
  /** `--low-volume only`: the low-volume benchmark alone, without the main seeds (its own process on a busy machine). */
  readonly lowVolumeOnly: boolean;
  readonly backtest: boolean;
  /** `--save DIR`: every seed's serving model per test origin, as the service stores it (model.json + weights.bin). */
  readonly save: string | undefined;
  /**
   * `--inventory-from DIR`: the inventory backtest (and the served scores) of serving models saved by `--save`,
   * with the frozen design's serving-time widening. Training does not read the widening, so a backtest of saved
   * models is the one the training run would have made; it lets the seeds train while the design's serving-time
   * step is still being chosen on the validation origins.
   */
  readonly inventoryFrom: string | undefined;
}

interface DesignFile {
  readonly frozenAt: string;
  readonly data: string;
  readonly protocol: string;
  readonly design: ServingDesign;
  readonly search: readonly { readonly variant: Partial<ServingDesign>; readonly served: Figures; readonly tfjs: Figures; readonly ets: Figures }[];
  readonly chosen: string;
  readonly calibrationSearch?: readonly Record<string, unknown>[];
  readonly calibrationChosen?: string;
}

interface Figures {
  readonly mase: number;
  readonly pinball: number;
  readonly coverage80: number;
  readonly above90: number;
}

function progress(line: string): void {
  process.stderr.write(`[bench:forecast] ${line}\n`);
}

function locate(file: string): string {
  // npm runs scripts from the repository root; the fallback covers running the compiled file from elsewhere.
  const candidates = [path.resolve(file), path.resolve(__dirname, '../../../../..', file)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

function parseArguments(argv: readonly string[]): BenchArguments {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new ForecastError('INVALID_OPTIONS', `unexpected argument "${flag}"`);
    const [name, inline] = flag.slice(2).split(/=(.*)/s, 2);
    if (name === 'search' || name === 'calibrate') {
      flags.set(name, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ForecastError('INVALID_OPTIONS', `--${name} needs a value`);
    flags.set(name, value);
  }
  const known = ['csv', 'key', 'time', 'value', 'min-mean', 'seed', 'seeds', 'search', 'calibrate', 'design', 'keys', 'members', 'max-epochs', 'calendar', 'low-volume', 'backtest', 'save', 'inventory-from'];
  const unknown = [...flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ForecastError('INVALID_OPTIONS', `unknown flag(s) ${unknown.map((k) => `--${k}`).join(', ')}; known: ${known.map((k) => `--${k}`).join(', ')}`);
  const numbers = (text: string, name: string): number[] => {
    const list = text.split(',').map((v) => Number(v.trim()));
    if (list.some((v) => !Number.isInteger(v))) throw new ForecastError('INVALID_OPTIONS', `--${name} takes whole numbers separated by commas`);
    return list;
  };
  const seeds = flags.has('seeds') ? numbers(flags.get('seeds') as string, 'seeds') : flags.has('seed') ? numbers(flags.get('seed') as string, 'seed') : [42, 7, 3];
  const overrides: Partial<ServingDesign> = {
    ...(flags.has('members') ? { members: numbers(flags.get('members') as string, 'members')[0] } : {}),
    ...(flags.has('max-epochs') ? { maxEpochs: numbers(flags.get('max-epochs') as string, 'max-epochs')[0] } : {}),
  };
  const keys = flags.has('keys') ? numbers(flags.get('keys') as string, 'keys')[0] : undefined;
  const calendar = flags.has('calendar') ? checkRegion(flags.get('calendar') as string) : undefined;
  const onOff = (name: string, fallback: boolean): boolean => (flags.has(name) ? flags.get(name) !== 'off' && flags.get(name) !== 'false' : fallback);
  const lowVolumeOnly = flags.get('low-volume') === 'only';
  const common = { seeds, search: flags.has('search'), calibrate: flags.has('calibrate'), designFile: locate(flags.get('design') ?? DESIGN_FILE), keys, overrides, calendar, backtest: onOff('backtest', true), lowVolumeOnly, save: flags.get('save'), inventoryFrom: flags.get('inventory-from') };
  if (!flags.has('csv')) {
    const csv = PBS_DATA_FILE;
    if (!existsSync(csv)) throw new ForecastError('INVALID_OPTIONS', `PBS data not found at ${csv}`);
    return { ...common, csv, pbs: true, columns: { key: ['Concession', 'Type', 'ATC2'], time: 'Month', value: 'Scripts' }, minMean: Number(flags.get('min-mean') ?? 100), lowVolume: onOff('low-volume', true) };
  }
  const missing = ['time', 'value'].filter((k) => !flags.has(k));
  if (missing.length > 0) throw new ForecastError('INVALID_OPTIONS', `--csv needs ${missing.map((k) => `--${k}`).join(', ')}`);
  const minMean = Number(flags.get('min-mean') ?? 0);
  if (!Number.isFinite(minMean)) throw new ForecastError('INVALID_OPTIONS', '--min-mean must be a number');
  return {
    ...common,
    csv: flags.get('csv') as string,
    pbs: false,
    columns: {
      // Without --key the whole file is one series.
      key: flags.has('key') ? (flags.get('key') as string).split(',').map((k) => k.trim()) : [],
      time: flags.get('time') as string,
      value: flags.get('value') as string,
    },
    minMean,
    lowVolume: onOff('low-volume', false),
  };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1)));
const round = (v: number, d = 4): number => Number(v.toFixed(d));
const figures = (s: ProtocolScore): Figures => ({ mase: round(s.mase), pinball: round(s.pinball), coverage80: round(s.coverage80), above90: round(s.above90) });

interface Timed<T> {
  readonly value: T;
  readonly seconds: number;
  /**
   * CPU seconds of the whole process (every thread, the training workers too) over the same span: on a machine
   * shared with other work, wall seconds measure the load as much as the code; CPU seconds over the cores are what
   * the run would take alone.
   */
  readonly cpuSeconds: number;
}

async function timed<T>(run: () => Promise<T> | T): Promise<Timed<T>> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** A policy that serves one method alone, uncalibrated (for the 'tfjs' row and the low-volume single methods). */
function singleMethod(policy: ServingPolicy, method: ServedMethod): ServingPolicy {
  const weights = Object.fromEntries(DEMAND_CLASSES.map((c) => [c, { [method]: 1 }])) as ServingPolicy['weights'];
  return { ...policy, weights, calibration: { ...policy.calibration, monthly: {}, totals: {} } };
}

function baselines(split: OriginSplit, method: 'ets' | 'theta' | 'seasonal-naive' | 'sba' | 'tsb'): QuantileForecast[] {
  return split.histories.map((h) => {
    if (method === 'ets' || method === 'theta' || method === 'seasonal-naive') return forecastBaseline(h, method, { horizon: HORIZON, seed: 42 });
    const values = h.values.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
    const fit = method === 'sba' ? fitSba(values) : fitTsb(values);
    return fit ? intermittentForecast(fit, HORIZON, DEFAULT_LEVELS) : forecastBaseline(h, 'seasonal-naive', { horizon: HORIZON });
  });
}

interface SeedRun {
  readonly seed: number;
  readonly served: QuantileForecast[][];
  readonly tfjs: QuantileForecast[][];
  readonly servings: ServingModel[];
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** Trains the served forecaster at each origin and serves every series with it: the service's path, end to end. */
async function runSeed(splits: readonly OriginSplit[], design: ServingDesign, seed: number, label: string, reuse?: readonly ServingModel[]): Promise<SeedRun> {
  const served: QuantileForecast[][] = [];
  const tfjs: QuantileForecast[][] = [];
  const servings: ServingModel[] = [];
  let seconds = 0;
  let cpuSeconds = 0;
  for (const split of splits) {
    const t = await timed(async () => {
      const { serving } = await trainServingModel(split.histories, {
        design,
        seed,
        // A variant that differs only in calibration reuses the network trained for its sibling (its held-out
        // forecasts travel with it, so the policy is fitted exactly as if trained here).
        model: reuse?.[splits.indexOf(split)]?.model,
        horizon: HORIZON,
        progress: (e) => {
          if (e.phase !== 'network' || e.epoch === undefined || e.epoch % 10 === 0) progress(`${label} seed ${seed} origin ${split.monthsBeforeEnd}: ${e.message}`);
        },
      });
      const forecasts = serveForecasts(split.histories, serving, { horizon: HORIZON }).forecasts.map((f) => f.forecast);
      return { serving, forecasts };
    });
    seconds += t.seconds;
    cpuSeconds += t.cpuSeconds;
    const { serving, forecasts } = t.value;
    servings.push(serving);
    served.push(forecasts);
    const p = serving.policy;
    progress(
      `${label} seed ${seed} origin ${split.monthsBeforeEnd}: ${t.seconds.toFixed(1)} s (${t.cpuSeconds.toFixed(1)} CPU s); trading days beta ${p.tradingDays.beta.toFixed(4)}; weights ${JSON.stringify(p.weights.smooth)}; ` +
        `validation MASE ${JSON.stringify(Object.fromEntries(Object.entries(p.validation.mase).map(([k, v]) => [k, round(v as number, 3)])))}; validation coverage80 raw ${p.validation.coverage80Raw.toFixed(3)} calibrated ${p.validation.coverage80Calibrated.toFixed(3)}`,
    );
    tfjs.push(serving.model ? serveForecasts(split.histories, { model: serving.model, policy: singleMethod(p, 'global-mlp') }, { horizon: HORIZON }).forecasts.map((f) => f.forecast) : baselines(split, 'seasonal-naive'));
  }
  return { seed, served, tfjs, servings, seconds, cpuSeconds };
}

interface InventoryResult {
  readonly target: number;
  readonly achieved: number;
  readonly cycles: number;
  readonly leadTime: number;
  readonly review: number;
  /** Share of review months whose lead-time demand stayed at or below the reorder point. */
  readonly reorderPointCoverage: number;
  readonly stockOuts: number;
  readonly reorderPointChecks: number;
  readonly reorderPointInside: number;
}

/** Backtests of disjoint origins, pooled: the same figures as one backtest over all of them. */
function pooledInventory(parts: readonly InventoryResult[]): InventoryResult {
  const cycles = parts.reduce((s, p) => s + p.cycles, 0);
  const stockOuts = parts.reduce((s, p) => s + p.stockOuts, 0);
  const checks = parts.reduce((s, p) => s + p.reorderPointChecks, 0);
  const inside = parts.reduce((s, p) => s + p.reorderPointInside, 0);
  return { target: TARGET, achieved: round(1 - stockOuts / Math.max(1, cycles)), cycles, leadTime: LEAD, review: REVIEW, reorderPointCoverage: round(inside / Math.max(1, checks)), stockOuts, reorderPointChecks: checks, reorderPointInside: inside };
}

/**
 * Inventory backtest over the test origins: the model trained at the origin is kept; at every month of the test
 * year the series is re-served on its history through that month (as the service would answer a planner), the
 * order-up-to level for lead time + review at the target is set, and the cycle is scored on what demand did.
 */
function inventoryBacktest(series: readonly DemandHistory[], splits: readonly OriginSplit[], servings: readonly ServingModel[], cache: Map<string, QuantileForecast>): InventoryResult {
  let cycles = 0;
  let stockOuts = 0;
  let ropInside = 0;
  let ropCount = 0;
  splits.forEach((split, s) => {
    const serving = servings[s];
    const reviews = HORIZON - LEAD - REVIEW + 1;
    const levels: number[][] = series.map(() => []);
    for (let t = 0; t < reviews; t++) {
      const histories = series.map((h, i) => ({ key: h.key, start: split.histories[i].start, values: [...split.histories[i].values, ...split.actuals[i].slice(0, t)] }));
      const served = serveForecasts(histories, serving, { horizon: LEAD + REVIEW, baselineCache: cache }).forecasts;
      served.forEach((f, i) => {
        const [rop, cover] = [totalQuantiles(f, serving.policy, LEAD, [TARGET])[0], totalQuantiles(f, serving.policy, LEAD + REVIEW, [TARGET])[0]];
        levels[i].push(Math.ceil(cover - 1e-9));
        ropCount++;
        ropInside += split.actuals[i].slice(t, t + LEAD).reduce((a, b) => a + b, 0) <= Math.ceil(rop - 1e-9) ? 1 : 0;
      });
    }
    levels.forEach((orderUpTo, i) => {
      const outcome = simulateOrderUpTo(orderUpTo.map((v) => ({ orderUpTo: v })), split.actuals[i], LEAD, REVIEW);
      cycles += outcome.cycles;
      stockOuts += outcome.stockOuts;
    });
  });
  return { target: TARGET, achieved: round(1 - stockOuts / Math.max(1, cycles)), cycles, leadTime: LEAD, review: REVIEW, reorderPointCoverage: round(ropInside / Math.max(1, ropCount)), stockOuts, reorderPointChecks: ropCount, reorderPointInside: ropInside };
}

function withDesign(serving: ServingModel, change: Partial<ServingDesign>): ServingModel {
  return { model: serving.model, policy: { ...serving.policy, design: { ...serving.policy.design, ...change } } };
}

function readDesign(file: string): DesignFile | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as DesignFile;
}

function printRows(title: string, rows: readonly { label: string; f: Figures; seconds?: number; spread?: number }[]): void {
  console.log(title);
  console.log('method                         mean MASE (± sd over seeds)   scaled pinball   coverage q10-q90   above q90   seconds');
  for (const r of rows) {
    const m = `${r.f.mase.toFixed(3)}${r.spread !== undefined ? ` ± ${r.spread.toFixed(3)}` : ''}`;
    console.log(`${r.label.padEnd(30)} ${m.padStart(27)}   ${r.f.pinball.toFixed(3).padStart(14)}   ${(r.f.coverage80 * 100).toFixed(1).padStart(15)}%   ${(r.f.above90 * 100).toFixed(1).padStart(8)}%   ${r.seconds !== undefined ? r.seconds.toFixed(1).padStart(7) : ''}`);
  }
}

function averageFigures(list: readonly Figures[]): Figures {
  return { mase: round(mean(list.map((f) => f.mase))), pinball: round(mean(list.map((f) => f.pinball))), coverage80: round(mean(list.map((f) => f.coverage80))), above90: round(mean(list.map((f) => f.above90))) };
}

/** Pharmacy-scale copies of the panel: each month's demand thinned binomially (Poisson here) to a few packs a month. */
function thinned(series: readonly DemandHistory[], seed: number): DemandHistory[] {
  const random = new SeededRandom(seed);
  const poisson = (lambda: number): number => {
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = random.next();
    while (p > limit) {
      k++;
      p *= random.next();
    }
    return k;
  };
  const targets = [0.5, 1, 2, 4, 8];
  return series.map((h, i) => {
    const base = h.values.slice(0, 36).filter(Number.isFinite);
    const scale = targets[i % targets.length] / Math.max(1e-9, mean(base));
    return { key: `${h.key}|thinned`, start: h.start, values: h.values.map((v) => poisson(Math.max(0, v) * scale)) };
  });
}

async function lowVolumeBenchmark(panel: readonly DemandHistory[], main: SeriesSelection, design: ServingDesign, seed: number, origins: readonly number[], limit?: number): Promise<Record<string, unknown>> {
  const mainKeys = new Set(main.series.map((s) => s.key));
  const dropped = selectProtocolSeries(panel.filter((h) => !mainKeys.has(h.key)), { requireFullSpan: false, requirePositive: false, minMean: 0, origins });
  const series = [...dropped.series, ...thinned(main.series, seed)].slice(0, limit);
  const splits = origins.map((o) => splitAtOrigin(series, o));
  // Series with no demand difference in their history have no MASE scale: left out of every row alike.
  const keep = series.map((_, i) => splits.every((sp) => sp.scales[i] > 0));
  const kept = series.filter((_, i) => keep[i]);
  const keptSplits = origins.map((o) => splitAtOrigin(kept, o));
  progress(`low volume: ${dropped.series.length} PBS series the main screen drops + ${main.series.length} thinned to pharmacy scale; ${kept.length} with a MASE scale`);
  const run = await runSeed(keptSplits, { ...design, calendar: design.calendar }, seed, 'low volume');
  const cache = new Map<string, QuantileForecast>();
  const rows: Record<string, Figures & { achieved?: number }> = {};
  rows.served = { ...figures(scoreProtocol(keptSplits, run.served)), achieved: inventoryBacktest(kept, keptSplits, run.servings, cache).achieved };
  for (const method of ['ets', 'sba', 'tsb'] as const) {
    const forecasts = keptSplits.map((sp) => baselines(sp, method));
    const single = run.servings.map((s) => ({ model: s.model, policy: singleMethod(s.policy, method) }));
    rows[method] = { ...figures(scoreProtocol(keptSplits, forecasts)), achieved: inventoryBacktest(kept, keptSplits, single, cache).achieved };
  }
  const classes = run.servings[0].policy.validation.classes;
  return { series: kept.length, droppedPbs: dropped.series.length, thinned: main.series.length, seed, classes, weights: run.servings.map((s) => s.policy.weights), results: rows };
}

function savedServingDirectory(root: string, seed: number, origin: number): string {
  return path.join(root, `seed-${seed}-origin-${origin}`);
}

/** The served scores and inventory backtest of saved serving models, re-served with the frozen serving-time widening. */
async function inventoryFromSaved(root: string, series: readonly DemandHistory[], splits: readonly OriginSplit[], design: ServingDesign, seeds: readonly number[], about: Record<string, string>): Promise<void> {
  const cache = new Map<string, QuantileForecast>();
  const perSeed: { seed: number; served: Figures; inventory: InventoryResult; seconds: number }[] = [];
  const widening = { widenBelow: design.widenBelow, widenAbove: design.widenAbove, widenTotals: design.widenTotals };
  for (const seed of seeds) {
    const servings: ServingModel[] = [];
    for (const sp of splits) servings.push(withDesign(await loadServingFromDirectory(savedServingDirectory(root, seed, sp.monthsBeforeEnd)), widening));
    const served = figures(scoreProtocol(splits, splits.map((sp, k) => serveForecasts(sp.histories, servings[k], { horizon: HORIZON }).forecasts.map((f) => f.forecast))));
    const t = await timed(() => inventoryBacktest(series, splits, servings, cache));
    perSeed.push({ seed, served, inventory: t.value, seconds: round(t.seconds, 1) });
    progress(`saved seed ${seed}: served ${JSON.stringify(served)}; inventory ${JSON.stringify(t.value)} (${t.seconds.toFixed(1)} s)`);
    servings.forEach((s) => s.model?.dispose());
  }
  const achieved = perSeed.map((r) => r.inventory.achieved);
  console.log(`inventory of saved serving models (${root}), widening ${JSON.stringify(widening)}: achieved ${achieved.map((a) => a.toFixed(3)).join(' / ')} per seed over ${perSeed[0]?.inventory.cycles ?? 0} cycles; reorder point covered lead-time demand ${perSeed.map((r) => r.inventory.reorderPointCoverage.toFixed(3)).join(' / ')}`);
  console.log(
    JSON.stringify({
      ...about,
      phase: 'test-inventory',
      series: series.length,
      origins: TEST_ORIGINS,
      design,
      results: { served: averageFigures(perSeed.map((r) => r.served)) },
      seeds: Object.fromEntries(perSeed.map((r) => [String(r.seed), r.served.mase])),
      inventory: { target: TARGET, achieved: round(mean(achieved)), leadTime: LEAD, review: REVIEW, cycles: perSeed[0]?.inventory.cycles ?? 0, perSeed: achieved, reorderPointCoverage: round(mean(perSeed.map((r) => r.inventory.reorderPointCoverage))) },
    }),
  );
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}`;
  console.log(`machine: ${machine}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const backend = await initBackend({ log: progress });
  console.log(`backend: ${backend}`);

  progress(`reading ${args.csv}`);
  const panel = panelFromRows(readCsvFile(args.csv), args.columns);
  const origins = args.search || args.calibrate ? VALIDATION_ORIGINS : TEST_ORIGINS;
  // One series set for both phases, screened before the first test origin (what is known when the design is frozen).
  const selection = selectProtocolSeries(panel, { minMean: args.minMean, origins: TEST_ORIGINS, requireFullSpan: args.pbs });
  const series = args.keys ? selection.series.slice(0, args.keys) : selection.series;
  console.log(
    `data: ${path.basename(args.csv)}, ${selection.keys} keys, ${selection.series.length} series kept (${selection.incomplete} skipped for their span, ${selection.screenedOut} by the positivity/min-mean screen, min mean ${args.minMean})` +
      (args.keys ? `; reduced run: first ${series.length}` : ''),
  );
  const reasons = new Map<string, number>();
  selection.skipped.forEach((s) => {
    const reason = s.reason.replace(/mean [\d.]+ below/, 'mean below');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  });
  for (const [reason, n] of reasons) console.log(`skipped ${n}: ${reason}`);
  if (!args.pbs) for (const s of selection.skipped.slice(0, 50)) console.log(`  skipped ${s.key}: ${s.reason}`);
  if (series.length === 0) throw new ForecastError('NO_TRAINABLE_SERIES', 'no series passes the protocol screen');
  const splits = origins.map((o) => splitAtOrigin(series, o));

  const stored = readDesign(args.designFile);
  const region: CalendarRegion = args.calendar ?? (args.pbs ? 'AU' : 'none');
  const baseDesign: ServingDesign = { ...DEFAULT_DESIGN, ...(stored?.design ?? {}), ...(args.pbs ? {} : { calendar: region }), ...args.overrides };

  const snaive = await timed(() => splits.map((s) => baselines(s, 'seasonal-naive')));
  const ets = await timed(() => splits.map((s) => baselines(s, 'ets')));
  const theta = await timed(() => splits.map((s) => baselines(s, 'theta')));
  progress(`ETS: ${ets.seconds.toFixed(1)} s, theta: ${theta.seconds.toFixed(1)} s`);
  const etsFigures = figures(scoreProtocol(splits, ets.value));
  const thetaFigures = figures(scoreProtocol(splits, theta.value));
  const snaiveFigures = figures(scoreProtocol(splits, snaive.value));

  if (args.search) {
    // Design search on the validation origins only; the test origins are not even split off here.
    const networks: Partial<ServingDesign>[] = [];
    for (const inputMonths of [36, 48]) for (const calendar of args.pbs ? (['none', 'AU'] as CalendarRegion[]) : (['none', region] as CalendarRegion[]).filter((v, i, a) => a.indexOf(v) === i)) networks.push({ inputMonths, calendar });
    const results: DesignFile['search'][number][] = [];
    for (const network of networks) {
      const trained: SeedRun[] = [];
      for (const calibration of ['symmetric', 'full'] as const) {
        const variant = { ...network, calibration };
        const design = { ...baseDesign, ...variant };
        const runs: SeedRun[] = [];
        for (const [k, seed] of args.seeds.entries()) runs.push(await runSeed(splits, design, seed, `search ${JSON.stringify(variant)}`, trained[k]?.servings));
        if (trained.length === 0) trained.push(...runs);
        const served = averageFigures(runs.map((r) => figures(scoreProtocol(splits, r.served))));
        const tfjs = averageFigures(runs.map((r) => figures(scoreProtocol(splits, r.tfjs))));
        const cache = new Map<string, QuantileForecast>();
        const achieved = args.backtest ? round(mean(runs.map((r) => inventoryBacktest(series, splits, r.servings, cache).achieved))) : NaN;
        results.push({ variant, served: { ...served, achieved } as Figures, tfjs, ets: etsFigures });
        progress(`search ${JSON.stringify(variant)}: served ${JSON.stringify(served)}, achieved ${achieved}, tfjs ${tfjs.mase}`);
      }
      trained.forEach((r) => r.servings.forEach((s) => s.model?.dispose()));
    }
    // MASE picks the network (inputs, calendar); among its calibrations, the one whose 95% cycle service level
    // lands nearest the target (with --backtest off: the one whose q10-q90 coverage and share above q90 land
    // nearest 80% and 10%).
    const byMase = results.reduce((a, b) => (b.served.mase < a.served.mase - 1e-9 ? b : a));
    const siblings = results.filter((r) => r.variant.inputMonths === byMase.variant.inputMonths && r.variant.calendar === byMase.variant.calendar);
    const miss = (r: (typeof results)[number]) => {
      const achieved = (r.served as Figures & { achieved?: number }).achieved;
      return Number.isFinite(achieved) ? Math.abs((achieved as number) - TARGET) + 0.1 * Math.abs(r.served.coverage80 - 0.8) : Math.abs(r.served.coverage80 - 0.8) + Math.abs(r.served.above90 - 0.1);
    };
    const best = siblings.reduce((a, b) => (miss(b) < miss(a) ? b : a));
    const file: DesignFile = {
      frozenAt: new Date().toISOString(),
      data: `${path.basename(args.csv)}, ${series.length} series`,
      protocol: `validation origins ${VALIDATION_ORIGINS.join(' and ')} months before the end, ${HORIZON}-month forecasts, seeds ${args.seeds.join(', ')}; network (input months, calendar) chosen by served mean MASE, calibration by ${args.backtest ? `the inventory backtest's distance to the ${TARGET} target` : 'distance of coverage80 and above90 to 0.8 and 0.1'}`,
      design: { ...baseDesign, ...best.variant },
      search: results,
      chosen: `${JSON.stringify(best.variant)}: served validation MASE ${best.served.mase}`,
    };
    console.log('');
    printRows(`design search on validation origins ${VALIDATION_ORIGINS.join(', ')} (${series.length} series, seeds ${args.seeds.join(', ')})`, [
      ...results.map((r) => ({ label: `served ${r.variant.inputMonths}m ${r.variant.calendar} ${r.variant.calibration}`, f: r.served })),
      ...results.filter((r) => r.variant.calibration === 'symmetric').map((r) => ({ label: `tfjs ${r.variant.inputMonths}m ${r.variant.calendar}`, f: r.tfjs })),
      { label: 'ETS', f: etsFigures },
      { label: 'theta', f: thetaFigures },
      { label: 'seasonal naive', f: snaiveFigures },
    ]);
    if (!args.keys && args.pbs) {
      writeFileSync(args.designFile, `${JSON.stringify(file, null, 2)}\n`);
      progress(`design frozen in ${args.designFile}: ${file.chosen}`);
    } else progress(`reduced or CSV run: design file not written (would choose ${file.chosen})`);
    console.log(JSON.stringify({ backend, machine, phase: 'validation', series: series.length, origins, seeds: args.seeds, search: results, chosen: best.variant }));
    return;
  }

  if (args.calibrate) {
    // Second step of the design search, on the same validation origins: the calibration mode and the widening of
    // months and totals, for the network the first step chose. Serving-time choices only: one training per origin.
    if (!stored) throw new ForecastError('INVALID_OPTIONS', `--calibrate needs the network chosen by --search in ${args.designFile}`);
    const seed = args.seeds[0];
    const grid = [0.8, 1, 1.1, 1.2, 1.25, 1.3, 1.35, 1.5, 1.7];
    const cache = new Map<string, QuantileForecast>();
    const rows: Record<string, unknown>[] = [];
    let first: SeedRun | undefined;
    let best: { mode: ServingDesign['calibration']; tails: TailWidening; miss: number; run: SeedRun } | undefined;
    for (const calibration of ['symmetric', 'full'] as const) {
      const run = await runSeed(splits, { ...baseDesign, calibration, widenBelow: 1, widenAbove: 1, widenTotals: 1 }, seed, `calibrate ${calibration}`, first?.servings);
      first ??= run;
      const trials: WideningTrial[] = [];
      for (const widen of grid) {
        const forecasts = splits.map((sp, k) => serveForecasts(sp.histories, withDesign(run.servings[k], { widenBelow: widen, widenAbove: widen }), { horizon: HORIZON, baselineCache: cache }).forecasts.map((f) => f.forecast));
        const f = figures(scoreProtocol(splits, forecasts));
        const perOrigin = splits.map((sp, k) => figures(scoreProtocol([sp], [forecasts[k]])));
        trials.push({ widen, perOrigin: perOrigin.map((o) => ({ below10: 1 - o.coverage80 - o.above90, above90: o.above90 })) });
        rows.push({ calibration, widenMonthly: widen, ...f, perOrigin: Object.fromEntries(splits.map((sp, k) => [sp.monthsBeforeEnd, perOrigin[k]])) });
        progress(`calibrate ${calibration} widen both tails ${widen}: ${JSON.stringify(f)}`);
      }
      // Each tail is widened on its own, by the validation year where that tail is worst (tail-widening.ts).
      const tails = chooseTailWidening(trials);
      const miss = Math.abs(tails.worstBelow10 - 0.1) + Math.abs(tails.worstAbove90 - 0.1);
      rows.push({ calibration, ...tails, worstMiss: round(miss) });
      if (!best || miss < best.miss - 1e-9) best = { mode: calibration, tails, miss, run };
    }
    const chosen = best as NonNullable<typeof best>;
    const widened = { widenBelow: chosen.tails.widenBelow, widenAbove: chosen.tails.widenAbove };
    let bestTotals: { widenTotals: number; achieved: number } | undefined;
    for (const widenTotals of grid) {
      const servings = chosen.run.servings.map((s) => withDesign(s, { ...widened, widenTotals }));
      // Per validation year, like the monthly tails: the service level must hold in the worse year, not on average.
      const perOrigin = splits.map((sp, k) => inventoryBacktest(series, [sp], [servings[k]], cache));
      const worst = Math.min(...perOrigin.map((o) => o.achieved));
      const pooled = pooledInventory(perOrigin);
      rows.push({ calibration: chosen.mode, widenTotals, achieved: pooled.achieved, worstAchieved: worst, perOrigin: Object.fromEntries(splits.map((sp, k) => [sp.monthsBeforeEnd, perOrigin[k].achieved])), reorderPointCoverage: pooled.reorderPointCoverage, cycles: pooled.cycles });
      progress(`calibrate ${chosen.mode} widenTotals ${widenTotals}: achieved ${pooled.achieved}, worse year ${worst} (reorder point ${pooled.reorderPointCoverage})`);
      if (!bestTotals || Math.abs(worst - TARGET) < Math.abs(bestTotals.achieved - TARGET) - 1e-9) bestTotals = { widenTotals, achieved: worst };
    }
    const design: ServingDesign = { ...baseDesign, calibration: chosen.mode, ...widened, widenTotals: (bestTotals as { widenTotals: number }).widenTotals };
    const calibrationChosen = `calibration ${design.calibration}, widenBelow ${design.widenBelow} and widenAbove ${design.widenAbove} (each tail's share nearest 10% in the validation year where it is worst: ${round(chosen.tails.worstBelow10)} below q10, ${round(chosen.tails.worstAbove90)} above q90), widenTotals ${design.widenTotals} (achieved ${bestTotals?.achieved} in the worse validation year, nearest ${TARGET}); seed ${seed}`;
    if (!args.keys && args.pbs) {
      writeFileSync(args.designFile, `${JSON.stringify({ ...stored, design, frozenAt: new Date().toISOString(), calibrationSearch: rows, calibrationChosen }, null, 2)}\n`);
      progress(`design frozen in ${args.designFile}: ${calibrationChosen}`);
    } else progress(`reduced or CSV run: design file not written (would choose ${calibrationChosen})`);
    for (const run of [first]) run?.servings.forEach((sv) => sv.model?.dispose());
    console.log(JSON.stringify({ backend, machine, phase: 'validation-calibration', series: series.length, origins, seed, search: rows, chosen: calibrationChosen }));
    return;
  }

  if (!stored) progress(`no frozen design at ${args.designFile}: using the defaults`);
  console.log(`design: ${JSON.stringify(baseDesign)}${stored ? ` (frozen ${stored.frozenAt}: ${stored.chosen})` : ' (defaults: no design file)'}`);
  if (args.lowVolumeOnly) {
    const lowVolume = await lowVolumeBenchmark(panel, selection, baseDesign, args.seeds[0], TEST_ORIGINS, args.keys);
    console.log(`low volume: ${JSON.stringify(lowVolume)}`);
    console.log(JSON.stringify({ backend, machine, phase: 'test-low-volume', origins: TEST_ORIGINS, design: baseDesign, lowVolume }));
    return;
  }
  if (args.inventoryFrom) {
    await inventoryFromSaved(args.inventoryFrom, series, splits, baseDesign, args.seeds, { backend, machine });
    return;
  }
  const runs: SeedRun[] = [];
  for (const seed of args.seeds) runs.push(await runSeed(splits, baseDesign, seed, 'served'));
  if (args.save) {
    for (const r of runs) for (const [k, sp] of splits.entries()) await saveServingToDirectory(r.servings[k], savedServingDirectory(args.save, r.seed, sp.monthsBeforeEnd));
    progress(`serving models saved under ${args.save}`);
  }
  const servedPerSeed = runs.map((r) => figures(scoreProtocol(splits, r.served)));
  const tfjsPerSeed = runs.map((r) => figures(scoreProtocol(splits, r.tfjs)));

  // Persistence check on a real serving model, outside the timings: stored artifacts must reproduce the forecasts.
  const lastServing = runs[runs.length - 1].servings[splits.length - 1];
  if (lastServing.model) {
    const artifacts = await servingToArtifacts(lastServing);
    const restored = await servingFromArtifacts(artifacts);
    const last = splits[splits.length - 1];
    const same = JSON.stringify(serveForecasts(last.histories, restored).forecasts.map((f) => f.forecast)) === JSON.stringify(serveForecasts(last.histories, lastServing).forecasts.map((f) => f.forecast));
    progress(`model store round trip: ${artifacts.weightData.length} weight bytes, version ${artifacts.metadata.version}, served forecasts ${same ? 'identical' : 'DIFFERENT'}`);
    restored.model?.dispose();
    void modelFromArtifacts;
  }

  const cache = new Map<string, QuantileForecast>();
  const inventory = args.backtest ? runs.map((r) => inventoryBacktest(series, splits, r.servings, cache)) : [];
  const lowVolume = args.lowVolume ? await lowVolumeBenchmark(panel, selection, baseDesign, args.seeds[0], TEST_ORIGINS, args.keys) : undefined;
  runs.forEach((r) => r.servings.forEach((s) => s.model?.dispose()));

  const served = averageFigures(servedPerSeed);
  const tfjs = averageFigures(tfjsPerSeed);
  const seconds = mean(runs.map((r) => r.seconds));
  const cpuSeconds = mean(runs.map((r) => r.cpuSeconds));
  console.log('');
  console.log(`protocol: test origins ${TEST_ORIGINS.join(' and ')} months before the end, ${series.length} series x ${splits.length} origins = ${series.length * splits.length} forecasts of ${HORIZON} months; design frozen on validation origins ${VALIDATION_ORIGINS.join(', ')}; seeds ${args.seeds.join(', ')}`);
  printRows('', [
    { label: `tfjs global MLP x${baseDesign.members}`, f: tfjs, spread: sd(tfjsPerSeed.map((f) => f.mase)) },
    { label: 'seasonal naive', f: snaiveFigures, seconds: snaive.seconds },
    { label: 'ETS (auto, AICc)', f: etsFigures, seconds: ets.seconds },
    { label: 'theta (SES + drift)', f: thetaFigures, seconds: theta.seconds },
    { label: 'served (stored policy)', f: served, spread: sd(servedPerSeed.map((f) => f.mase)), seconds },
  ]);
  console.log(`served per seed: ${runs.map((r, i) => `seed ${r.seed} ${servedPerSeed[i].mase.toFixed(3)}`).join(', ')} (seconds: training + validation fits + calibration + serving, both origins, per seed)`);
  console.log(`CPU seconds (every thread; the load average moves wall seconds, not these): served ${cpuSeconds.toFixed(1)} per seed (${runs.map((r) => r.cpuSeconds.toFixed(1)).join(' / ')}), ETS ${ets.cpuSeconds.toFixed(1)}; ${os.cpus().length} cores`);
  const achieved = inventory.length > 0 ? round(mean(inventory.map((i) => i.achieved))) : NaN;
  if (inventory.length > 0) {
    console.log(`inventory: (R, S) with lead time ${LEAD} and review ${REVIEW} month, target ${TARGET}: achieved cycle service level ${inventory.map((i) => i.achieved.toFixed(3)).join(' / ')} per seed over ${inventory[0].cycles} cycles; reorder point covered lead-time demand ${inventory.map((i) => i.reorderPointCoverage.toFixed(3)).join(' / ')}`);
  }
  if (lowVolume) console.log(`low volume: ${JSON.stringify(lowVolume)}`);
  const row = (f: Figures, extra: Record<string, number> = {}) => ({ ...f, ...extra });
  console.log(
    JSON.stringify({
      backend,
      machine,
      phase: 'test',
      series: series.length,
      origins: TEST_ORIGINS,
      design: baseDesign,
      results: {
        tfjs: row(tfjs, { sd: round(sd(tfjsPerSeed.map((f) => f.mase))) }),
        ets: row(etsFigures, { seconds: round(ets.seconds, 1), cpuSeconds: round(ets.cpuSeconds, 1) }),
        theta: row(thetaFigures, { seconds: round(theta.seconds, 1) }),
        snaive: row(snaiveFigures, { seconds: round(snaive.seconds, 1) }),
        served: row(served, { sd: round(sd(servedPerSeed.map((f) => f.mase))), seconds: round(seconds, 1), cpuSeconds: round(cpuSeconds, 1) }),
      },
      seeds: Object.fromEntries(runs.map((r, i) => [String(r.seed), servedPerSeed[i].mase])),
      inventory: { target: TARGET, achieved, leadTime: LEAD, review: REVIEW, cycles: inventory[0]?.cycles ?? 0, perSeed: inventory.map((i) => i.achieved), reorderPointCoverage: round(mean(inventory.map((i) => i.reorderPointCoverage))) },
      ...(lowVolume ? { lowVolume } : {}),
    }),
  );
}

main().catch((error: unknown) => {
  // A ForecastError is a refusal with a clear message (bad flag, unknown column); anything else is a bug: show the stack.
  const text = error instanceof ForecastError ? `[${error.code}] ${error.message}` : ((error as Error).stack ?? String(error));
  process.stderr.write(`[bench:forecast] failed: ${text}\n`);
  process.exitCode = 1;
});
