import { mase, scaledPinball, seasonalNaiveScale } from './accuracy';
import { DemandHistory } from './demand-history';
import { QuantileForecast } from './quantile-forecast';

/**
 * The project's forecasting benchmark protocol (libs/forecasting/data/README.md): which series count, where the
 * forecast origins are, and how forecasts are scored. Every figure of the project is measured through here.
 */
export interface ProtocolOptions {
  /** Origins as months before the last month, earliest first. */
  readonly origins?: readonly number[];
  readonly horizon?: number;
  /** Months before the first origin that must be positive and reach `minMean`. */
  readonly screenMonths?: number;
  readonly minMean?: number;
  readonly period?: number;
}

export const PROTOCOL_DEFAULTS = { origins: [24, 12], horizon: 12, screenMonths: 36, minMean: 0, period: 12 };

export interface SeriesSelection {
  readonly series: DemandHistory[];
  readonly keys: number;
  readonly incomplete: number;
  readonly screenedOut: number;
}

/**
 * Keeps the series that cover every month of the panel and whose `screenMonths` before the first origin are all
 * positive with a mean of at least `minMean` (near-empty series with structural breaks would dominate every mean).
 */
export function selectProtocolSeries(histories: readonly DemandHistory[], options: ProtocolOptions = {}): SeriesSelection {
  const o = { ...PROTOCOL_DEFAULTS, ...options };
  const first = Math.min(...histories.map((h) => h.start));
  const last = Math.max(...histories.map((h) => h.start + h.values.length - 1));
  const months = last - first + 1;
  const earliestOrigin = Math.max(...o.origins);
  let incomplete = 0;
  let screenedOut = 0;
  const series: DemandHistory[] = [];
  for (const h of histories) {
    if (h.start !== first || h.values.length !== months || h.values.some((v) => !Number.isFinite(v))) {
      incomplete++;
      continue;
    }
    const end = months - earliestOrigin;
    const screen = h.values.slice(Math.max(0, end - o.screenMonths), end);
    const mean = screen.reduce((s, v) => s + v, 0) / screen.length;
    if (screen.length < o.screenMonths || screen.some((v) => !(v > 0)) || mean < o.minMean) {
      screenedOut++;
      continue;
    }
    series.push(h);
  }
  return { series, keys: histories.length, incomplete, screenedOut };
}

/** The series as seen at one origin, and what happened next. */
export interface OriginSplit {
  readonly monthsBeforeEnd: number;
  readonly histories: DemandHistory[];
  readonly actuals: number[][];
  /** In-sample seasonal naive MAE of each history: the MASE denominator. */
  readonly scales: number[];
}

export function splitAtOrigin(series: readonly DemandHistory[], monthsBeforeEnd: number, options: ProtocolOptions = {}): OriginSplit {
  const o = { ...PROTOCOL_DEFAULTS, ...options };
  const histories = series.map((s) => ({ key: s.key, start: s.start, values: s.values.slice(0, s.values.length - monthsBeforeEnd) }));
  const actuals = series.map((s) => {
    const cut = s.values.length - monthsBeforeEnd;
    return s.values.slice(cut, cut + o.horizon);
  });
  return { monthsBeforeEnd, histories, actuals, scales: histories.map((h) => seasonalNaiveScale(h.values, o.period)) };
}

export interface ProtocolScore {
  readonly mase: number;
  readonly pinball: number;
  readonly pairs: number;
}

/** Mean MASE and mean scaled pinball over all (series, origin) pairs. */
export function scoreProtocol(splits: readonly OriginSplit[], forecasts: readonly (readonly QuantileForecast[])[]): ProtocolScore {
  let maseSum = 0;
  let pinballSum = 0;
  let pairs = 0;
  splits.forEach((split, s) => {
    split.actuals.forEach((actual, i) => {
      const f = forecasts[s][i];
      maseSum += mase(actual, f.point, split.scales[i]);
      pinballSum += scaledPinball(actual, f.levels, f.quantiles, split.scales[i]);
      pairs++;
    });
  });
  return { mase: maseSum / pairs, pinball: pinballSum / pairs, pairs };
}
