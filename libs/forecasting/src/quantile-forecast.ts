import { ForecastError } from './forecast-error';

/** The quantile levels every method reports unless asked otherwise. */
export const DEFAULT_LEVELS: readonly number[] = [0.1, 0.5, 0.9];

export type ForecastMethod =
  | 'global-mlp'
  | 'ets'
  | 'theta'
  | 'seasonal-naive'
  | 'naive'
  | 'mean'
  | 'zero'
  | 'combination'
  | 'sba'
  | 'tsb'
  | 'served';

/** A probabilistic forecast of one series: `quantiles[i][h]` is level `levels[i]` at step h + 1. */
export interface QuantileForecast {
  readonly method: ForecastMethod;
  /** The fitted model in words, e.g. "ETS(M,Ad,M)". */
  readonly model: string;
  readonly point: number[];
  readonly levels: number[];
  readonly quantiles: number[][];
  /** What was done to the input (gaps filled, negatives clipped, fallbacks taken). */
  readonly notes: string[];
}

export function checkHorizon(horizon: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > max) {
    throw new ForecastError('INVALID_HORIZON', `horizon must be an integer from 1 to ${max}, got ${horizon}`);
  }
}

export function checkLevels(levels: readonly number[]): void {
  const ok =
    levels.length > 0 &&
    levels.every((p, i) => Number.isFinite(p) && p > 0 && p < 1 && (i === 0 || p > levels[i - 1]));
  if (!ok) {
    throw new ForecastError('INVALID_QUANTILES', `quantile levels must be ascending and inside (0, 1), got [${levels.join(', ')}]`);
  }
}

/**
 * Demand is never negative and quantiles must not cross: every method's raw output goes through here so the
 * guarantees hold in one place (sorting per step is the cheapest repair of crossing that keeps each value).
 */
export function finishForecast(
  method: ForecastMethod,
  model: string,
  point: readonly number[],
  levels: readonly number[],
  quantiles: readonly (readonly number[])[],
  notes: readonly string[],
): QuantileForecast {
  const clean = (v: number, fallback: number): number => (Number.isFinite(v) ? Math.max(0, v) : Math.max(0, fallback));
  const horizon = point.length;
  const safePoint = point.map((v) => clean(v, 0));
  const rows = levels.map(() => new Array<number>(horizon));
  for (let h = 0; h < horizon; h++) {
    const column = levels.map((_, i) => clean(quantiles[i][h], safePoint[h])).sort((a, b) => a - b);
    column.forEach((v, i) => (rows[i][h] = v));
  }
  return { method, model, point: safePoint, levels: levels.slice(), quantiles: rows, notes: notes.slice() };
}
