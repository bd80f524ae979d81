/**
 * `npm run bench:forecast [-- --csv FILE --key COL[,COL] --time COL --value COL [--min-mean N]]`
 *
 * Runs the project's benchmark protocol (libs/forecasting/data/README.md) on the PBS data, or on any long-format
 * monthly CSV, and measures the global TF.js model, seasonal naive, ETS and the per-series chooser side by side in
 * one process. Progress goes to stderr; stdout gets the machine, a table and one final line of JSON.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forecastBaseline } from '../baseline';
import { OriginSplit, scoreProtocol, selectProtocolSeries, splitAtOrigin } from '../benchmark-protocol';
import { readCsvFile } from '../csv-table';
import { panelFromRows, PanelColumns } from '../demand-panel';
import { forecastPortfolio } from '../demand-forecaster';
import { ForecastError } from '../forecast-error';
import { GlobalQuantileModel } from '../global-model';
import { modelFromArtifacts, modelToArtifacts } from '../model-store';
import { QuantileForecast } from '../quantile-forecast';
import { initBackend } from '../tf-backend';

interface BenchArguments {
  readonly csv: string;
  readonly columns: PanelColumns;
  readonly minMean: number;
  readonly seed: number;
}

const PBS_FILE = 'libs/forecasting/data/pbs-scripts-monthly.csv.gz';
const HORIZON = 12;
const SEED = 42;

function progress(line: string): void {
  process.stderr.write(`[bench:forecast] ${line}\n`);
}

function locatePbs(): string {
  // npm runs scripts from the repository root; the fallback covers running the compiled file from elsewhere.
  const candidates = [path.resolve(PBS_FILE), path.resolve(__dirname, '../../../../..', PBS_FILE)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ForecastError('INVALID_OPTIONS', `PBS data not found (looked in ${candidates.join(', ')})`);
  return found;
}

function parseArguments(argv: readonly string[]): BenchArguments {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new ForecastError('INVALID_OPTIONS', `unexpected argument "${flag}"`);
    const [name, inline] = flag.slice(2).split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ForecastError('INVALID_OPTIONS', `--${name} needs a value`);
    flags.set(name, value);
  }
  const known = ['csv', 'key', 'time', 'value', 'min-mean', 'seed'];
  const unknown = [...flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ForecastError('INVALID_OPTIONS', `unknown flag(s) ${unknown.map((k) => `--${k}`).join(', ')}; known: ${known.map((k) => `--${k}`).join(', ')}`);
  const seed = Number(flags.get('seed') ?? SEED);
  if (!flags.has('csv')) {
    return {
      csv: locatePbs(),
      columns: { key: ['Concession', 'Type', 'ATC2'], time: 'Month', value: 'Scripts' },
      minMean: Number(flags.get('min-mean') ?? 100),
      seed,
    };
  }
  const missing = ['time', 'value'].filter((k) => !flags.has(k));
  if (missing.length > 0) throw new ForecastError('INVALID_OPTIONS', `--csv needs ${missing.map((k) => `--${k}`).join(', ')}`);
  const minMean = Number(flags.get('min-mean') ?? 0);
  if (!Number.isFinite(minMean)) throw new ForecastError('INVALID_OPTIONS', '--min-mean must be a number');
  return {
    csv: flags.get('csv') as string,
    columns: {
      // Without --key the whole file is one series.
      key: flags.has('key') ? (flags.get('key') as string).split(',').map((k) => k.trim()) : [],
      time: flags.get('time') as string,
      value: flags.get('value') as string,
    },
    minMean,
    seed,
  };
}

interface Measured {
  readonly forecasts: QuantileForecast[][];
  readonly seconds: number;
}

async function measure(
  label: string,
  splits: readonly OriginSplit[],
  run: (split: OriginSplit) => Promise<QuantileForecast[]> | QuantileForecast[],
): Promise<Measured> {
  const forecasts: QuantileForecast[][] = [];
  let seconds = 0;
  for (const split of splits) {
    progress(`${label}: origin ${split.monthsBeforeEnd} months before the end, ${split.histories.length} series`);
    const started = process.hrtime.bigint();
    forecasts.push(await run(split));
    seconds += Number(process.hrtime.bigint() - started) / 1e9;
  }
  progress(`${label}: ${seconds.toFixed(1)} s`);
  return { forecasts, seconds };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const backend = await initBackend({ log: progress });
  console.log(`backend: ${backend}`);

  progress(`reading ${args.csv}`);
  const panel = panelFromRows(readCsvFile(args.csv), args.columns);
  const selection = selectProtocolSeries(panel, { minMean: args.minMean });
  console.log(
    `data: ${path.basename(args.csv)}, ${selection.keys} keys, ${selection.series.length} series kept ` +
      `(${selection.incomplete} incomplete, ${selection.screenedOut} failed the positivity/min-mean screen, min mean ${args.minMean})`,
  );
  if (selection.series.length === 0) throw new ForecastError('NO_TRAINABLE_SERIES', 'no series passes the protocol screen');
  const splits = [24, 12].map((origin) => splitAtOrigin(selection.series, origin));

  const snaive = await measure('seasonal naive', splits, (s) => s.histories.map((h) => forecastBaseline(h, 'seasonal-naive', { horizon: HORIZON })));
  const ets = await measure('ETS', splits, (s) => s.histories.map((h) => forecastBaseline(h, 'ets', { horizon: HORIZON, seed: args.seed })));

  const models: GlobalQuantileModel[] = [];
  const tfjs = await measure('tfjs global model', splits, async (split) => {
    const model = await GlobalQuantileModel.train(split.histories, {
      horizon: HORIZON,
      seed: args.seed,
      progress: (line) => progress(`tfjs ${line}`),
    });
    progress(`tfjs: epochs ${model.metadata.training.epochs.join('/')}, validation MASE ${model.metadata.validation.mase.toFixed(3)}`);
    models.push(model);
    const forecasts = model.forecastMany(split.histories, HORIZON);
    // The protocol needs an answer for every series: one the model cannot take gets seasonal naive, as the service would.
    return forecasts.map((f, i) => f ?? forecastBaseline(split.histories[i], 'seasonal-naive', { horizon: HORIZON }));
  });

  // The chooser is the service path (forecastPortfolio) given the global model trained above; its time is that
  // training plus its own work: ETS and seasonal naive fitted at the origin and on the held-out year.
  const picks = new Map<string, number>();
  const chooser = await measure('chooser', splits, async (split) => {
    const s = splits.indexOf(split);
    const result = await forecastPortfolio(split.histories, { horizon: HORIZON, seed: args.seed, model: models[s] });
    progress(`chooser: panel validation ${result.ranking.map((r) => `${r.name} ${r.mase.toFixed(3)}`).join(', ')}`);
    for (const c of result.forecasts) picks.set(c.chosen, (picks.get(c.chosen) ?? 0) + 1);
    return result.forecasts.map((c) => c.forecast);
  });

  const rows = [
    { name: 'tfjs', label: `tfjs global MLP x${models[0]?.metadata.members ?? '?'}`, score: scoreProtocol(splits, tfjs.forecasts), seconds: tfjs.seconds },
    { name: 'snaive', label: 'seasonal naive', score: scoreProtocol(splits, snaive.forecasts), seconds: snaive.seconds },
    { name: 'ets', label: 'ETS (auto, AICc)', score: scoreProtocol(splits, ets.forecasts), seconds: ets.seconds },
    {
      name: 'chooser',
      label: 'chooser',
      score: scoreProtocol(splits, chooser.forecasts),
      seconds: tfjs.seconds + chooser.seconds,
    },
  ];
  // Persistence check on the real model, outside the timings: byte-store artifacts must reproduce the forecasts.
  const last = splits[splits.length - 1];
  const artifacts = await modelToArtifacts(models[models.length - 1]);
  const restored = await modelFromArtifacts(artifacts);
  const same = JSON.stringify(restored.forecastMany(last.histories)) === JSON.stringify(models[models.length - 1].forecastMany(last.histories));
  progress(`model store round trip: ${artifacts.weightData.length} weight bytes, version ${artifacts.metadata.version}, forecasts ${same ? 'identical' : 'DIFFERENT'}`);
  restored.dispose();
  models.forEach((m) => m.dispose());
  const pairs = rows[0].score.pairs;
  console.log('');
  console.log(`protocol: ${selection.series.length} series x ${splits.length} origins (24 and 12 months before the end) = ${pairs} forecasts of ${HORIZON} months`);
  console.log('method               mean MASE   mean scaled pinball (0.1/0.5/0.9)   seconds (fit + forecast, all series, both origins)');
  for (const r of rows) {
    console.log(`${r.label.padEnd(20)} ${r.score.mase.toFixed(3).padStart(9)}   ${r.score.pinball.toFixed(3).padStart(33)}   ${r.seconds.toFixed(1).padStart(7)}`);
  }
  console.log(`chooser picks: ${[...picks].map(([k, v]) => `${k} ${v}`).join(', ')} (seconds: global model training + ETS and seasonal naive at the origin and on the held-out year)`);
  const round = (v: number, d: number): number => Number(v.toFixed(d));
  const results = Object.fromEntries(
    rows.map((r) => [r.name, { mase: round(r.score.mase, 4), pinball: round(r.score.pinball, 4), seconds: round(r.seconds, 1) }]),
  );
  console.log(JSON.stringify({ backend, series: selection.series.length, results }));
}

main().catch((error: unknown) => {
  // A ForecastError is a refusal with a clear message (bad flag, unknown column); anything else is a bug: show the stack.
  const text = error instanceof ForecastError ? `[${error.code}] ${error.message}` : ((error as Error).stack ?? String(error));
  process.stderr.write(`[bench:forecast] failed: ${text}\n`);
  process.exitCode = 1;
});
