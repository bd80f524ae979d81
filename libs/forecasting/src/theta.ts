import { nelderMead } from './nelder-mead';
import { normalQuantile } from './quantile-math';
import { DEFAULT_LEVELS, finishForecast, QuantileForecast } from './quantile-forecast';

/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000) in Hyndman & Billah's form, as R's forecast::thetaf runs
 * it: test the series for seasonality (lag-`period` autocorrelation against its 90% band), take out a classical
 * multiplicative decomposition's seasonal indices (of the last three seasons, see RECENT_SEASONS) if it is seasonal, forecast with simple exponential smoothing
 * plus half the slope of the linear trend, and put the indices back. It won the M3 monthly series and is cheap,
 * which is why it is a candidate beside ETS: the drift extrapolates a steady trend ETS often damps away.
 * Intervals are SES's (variance sigma^2 (1 + alpha^2 (h - 1))), normal, reseasonalised.
 */
export interface ThetaFit {
  readonly alpha: number;
  /** SES level after the last observation (seasonally adjusted units). */
  readonly level: number;
  /** Half the slope of the least-squares line through the adjusted series. */
  readonly drift: number;
  readonly sigma2: number;
  readonly n: number;
  /** Seasonal index of each future month, starting with the month after the history; empty = not seasonal. */
  readonly seasonal: readonly number[];
  readonly period: number;
}

function autocorrelation(x: readonly number[], lag: number): number {
  const n = x.length;
  const m = x.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    den += (x[t] - m) ** 2;
    if (t >= lag) num += (x[t] - m) * (x[t - lag] - m);
  }
  return den > 0 ? num / den : 0;
}

/** thetaf's test: |r_m| beyond 1.645 standard errors of Bartlett's formula over lags 1..m-1. */
export function isSeasonal(x: readonly number[], period: number): boolean {
  if (period < 2 || x.length < 2 * period) return false;
  let sum = 0;
  for (let k = 1; k < period; k++) sum += autocorrelation(x, k) ** 2;
  const limit = normalQuantile(0.95) * Math.sqrt((1 + 2 * sum) / x.length);
  return Math.abs(autocorrelation(x, period)) > limit;
}

/** Classical multiplicative decomposition: indices by position in the season (mean one), from y / centred MA. */
export function multiplicativeIndices(x: readonly number[], period: number): number[] {
  const n = x.length;
  const half = Math.floor(period / 2);
  const sums = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  for (let t = half; t < n - half; t++) {
    let trend = 0;
    if (period % 2 === 0) {
      // 2 x m moving average: the two end months count half.
      for (let k = -half; k <= half; k++) trend += (Math.abs(k) === half ? 0.5 : 1) * x[t + k];
      trend /= period;
    } else {
      for (let k = -half; k <= half; k++) trend += x[t + k];
      trend /= period;
    }
    if (trend > 0) {
      sums[t % period] += x[t] / trend;
      counts[t % period]++;
    }
  }
  const raw = sums.map((s, i) => (counts[i] > 0 ? s / counts[i] : 1));
  const mean = raw.reduce((s, v) => s + v, 0) / period;
  return raw.map((v) => v / mean);
}

function sesErrors(x: readonly number[], alpha: number, l0: number): { sse: number; level: number } {
  let level = l0;
  let sse = 0;
  for (const y of x) {
    const e = y - level;
    sse += e * e;
    level += alpha * e;
  }
  return { sse, level };
}

/**
 * Seasons the seasonal indices are measured on. Chosen on validation origin 36 (first 30 PBS series, 12-month MASE):
 * whole history 1.348, 2 seasons 1.072, 3 0.941, 4 0.974, 5 1.002; seasonal naive 1.041 on the same forecasts.
 */
export const RECENT_SEASONS = 3;

/** Fits theta to a history of at least 3 months (positive for the seasonal adjustment); undefined if shorter. */
export function fitTheta(history: readonly number[], period = 12): ThetaFit | undefined {
  const n = history.length;
  if (n < 3) return undefined;
  const seasonal = history.every((v) => v > 0) && isSeasonal(history, period);
  // Indices from the last seasons only (thetaf uses the whole history): a pattern that drifts over a decade, as
  // PBS's January and December do, is otherwise served years out of date.
  const recent = Math.min(n, RECENT_SEASONS * period);
  const tailIndices = seasonal ? multiplicativeIndices(history.slice(n - recent), period) : [];
  // tailIndices[j] is the position j of the tail's own season; re-index by position in the whole history.
  const indices = seasonal ? Array.from({ length: period }, (_, i) => tailIndices[(((i - (n - recent)) % period) + period) % period]) : [];
  const x = seasonal ? history.map((v, t) => v / indices[t % period]) : history.slice();
  const scale = Math.max(1e-9, x.reduce((s, v) => s + Math.abs(v), 0) / n);
  const z = x.map((v) => v / scale);
  const objective = ([alpha, l0]: readonly number[]) => (alpha < 1e-4 || alpha > 0.9999 ? 1e12 : sesErrors(z, alpha, l0).sse);
  const best = nelderMead(objective, [0.5, z[0]], { step: [0.2, 0.1 * Math.max(1e-6, Math.abs(z[0]))], maxEvaluations: 400, tolerance: 1e-10 });
  const [alpha, l0] = best.x;
  const { sse, level } = sesErrors(z, alpha, l0);
  // Least-squares slope on t = 0..n-1.
  const tMean = (n - 1) / 2;
  const xMean = x.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  x.forEach((v, t) => {
    sxy += (t - tMean) * (v - xMean);
    sxx += (t - tMean) ** 2;
  });
  return {
    alpha,
    level: level * scale,
    drift: sxx > 0 ? sxy / sxx / 2 : 0,
    sigma2: (sse / Math.max(1, n - 2)) * scale * scale,
    n,
    seasonal: seasonal ? Array.from({ length: period }, (_, h) => indices[(n + h) % period]) : [],
    period,
  };
}

export function thetaForecast(fit: ThetaFit, horizon: number, levels: readonly number[] = DEFAULT_LEVELS, notes: readonly string[] = []): QuantileForecast {
  const { alpha, n } = fit;
  const index = (h: number) => (fit.seasonal.length > 0 ? fit.seasonal[h % fit.period] : 1);
  const point: number[] = [];
  const sigma: number[] = [];
  for (let h = 0; h < horizon; h++) {
    // thetaf's drift term: the slope times (h - 1 + (1 - (1 - alpha)^n) / alpha), h counted from 1.
    point.push((fit.level + fit.drift * (h + (1 - (1 - alpha) ** n) / alpha)) * index(h));
    sigma.push(Math.sqrt(fit.sigma2 * (1 + alpha * alpha * h)) * index(h));
  }
  const quantiles = levels.map((p) => point.map((v, h) => v + normalQuantile(p) * sigma[h]));
  const model = `theta (SES alpha ${alpha.toFixed(3)} + drift${fit.seasonal.length > 0 ? ', multiplicative season' : ''})`;
  return finishForecast('theta', model, point, levels, quantiles, notes);
}
