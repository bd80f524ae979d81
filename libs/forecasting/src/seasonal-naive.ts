import { normalQuantile } from './quantile-math';
import { DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';

/**
 * The simple methods, which double as the fallback chain for short series: seasonal naive needs one full season,
 * naive one observation, mean one observation. Intervals are normal with the residual spread of each method
 * (the textbook formulas, as in R's forecast::snaive / naive / meanf).
 */

function rootMeanSquare(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
}

function normalBands(point: readonly number[], sigma: readonly number[], levels: readonly number[]): number[][] {
  return levels.map((p) => point.map((v, h) => v + normalQuantile(p) * sigma[h]));
}

export function seasonalNaive(
  history: readonly number[],
  horizon: number,
  levels: readonly number[] = DEFAULT_LEVELS,
  period = 12,
  notes: readonly string[] = [],
): QuantileForecast {
  const n = history.length;
  if (n < period) return naive(history, horizon, levels, [...notes, `only ${n} month(s): seasonal naive needs ${period}, used naive`]);
  const residuals: number[] = [];
  for (let t = period; t < n; t++) residuals.push(history[t] - history[t - period]);
  const sigma1 = rootMeanSquare(residuals);
  const point: number[] = [];
  const sigma: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    point.push(history[n - period + ((h - 1) % period)]);
    // Each further season adds one more independent seasonal step of noise.
    sigma.push(sigma1 * Math.sqrt(Math.floor((h - 1) / period) + 1));
  }
  return finishForecast('seasonal-naive', `seasonal naive (period ${period})`, point, levels, normalBands(point, sigma, levels), notes);
}

export function naive(
  history: readonly number[],
  horizon: number,
  levels: readonly number[] = DEFAULT_LEVELS,
  notes: readonly string[] = [],
): QuantileForecast {
  const n = history.length;
  if (n < 2) return meanForecast(history, horizon, levels, [...notes, `only ${n} month(s): naive needs 2, used the mean`]);
  const steps: number[] = [];
  for (let t = 1; t < n; t++) steps.push(history[t] - history[t - 1]);
  const sigma1 = rootMeanSquare(steps);
  const point = new Array<number>(horizon).fill(history[n - 1]);
  const sigma = point.map((_, h) => sigma1 * Math.sqrt(h + 1));
  return finishForecast('naive', 'naive (last value)', point, levels, normalBands(point, sigma, levels), notes);
}

export function meanForecast(
  history: readonly number[],
  horizon: number,
  levels: readonly number[] = DEFAULT_LEVELS,
  notes: readonly string[] = [],
): QuantileForecast {
  const n = history.length;
  const mean = n > 0 ? history.reduce((s, v) => s + v, 0) / n : 0;
  const spread = n > 1 ? Math.sqrt(history.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const allNotes = n > 1 ? [...notes] : [...notes, 'a single observation gives no spread: all quantiles equal it'];
  const point = new Array<number>(horizon).fill(mean);
  const sigma = point.map(() => spread * Math.sqrt(1 + 1 / Math.max(1, n)));
  return finishForecast('mean', 'historical mean', point, levels, normalBands(point, sigma, levels), allNotes);
}

/** An all-zero history: the only defensible forecast is zero, with no spread to report. */
export function zeroForecast(horizon: number, levels: readonly number[] = DEFAULT_LEVELS, notes: readonly string[] = []): QuantileForecast {
  const zeros = new Array<number>(horizon).fill(0);
  return finishForecast('zero', 'all-zero history', zeros, levels, levels.map(() => zeros), [...notes, 'every observed month is zero']);
}
