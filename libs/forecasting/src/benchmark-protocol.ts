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
  /** Every series left out, and why. */
  readonly skipped: { readonly key: string; readonly reason: string }[];
}

export interface SelectionOptions extends ProtocolOptions {
  /**
   * PBS's rule (default): a series must cover every month of the panel. Off (CSV mode), a series may start late or
   * have gaps before its screen window: it only has to reach the panel's last month and have `screenMonths` of
   * history before the first origin.
   */
  readonly requireFullSpan?: boolean;
  /** Require every screen month positive (default); off for low-volume panels, where zeros are the point. */
  readonly requirePositive?: boolean;
}

/**
 * Keeps the series whose `screenMonths` before the first origin are all positive with a mean of at least `minMean`
 * (near-empty series with structural breaks would dominate every mean), and which cover the panel (see
 * `requireFullSpan`). Series that pass are trimmed to start at their first observed month.
 */
export function selectProtocolSeries(histories: readonly DemandHistory[], options: SelectionOptions = {}): SeriesSelection {
  const o = { ...PROTOCOL_DEFAULTS, requireFullSpan: true, requirePositive: true, ...options };
  const first = Math.min(...histories.map((h) => h.start));
  const last = Math.max(...histories.map((h) => h.start + h.values.length - 1));
  const months = last - first + 1;
  const earliestOrigin = Math.max(...o.origins);
  let incomplete = 0;
  let screenedOut = 0;
  const series: DemandHistory[] = [];
  const skipped: { key: string; reason: string }[] = [];
  for (const h of histories) {
    const end = h.start + h.values.length - 1;
    const firstObserved = h.values.findIndex((v) => Number.isFinite(v));
    const originIndex = last - earliestOrigin - h.start + 1; // months of this series before the earliest origin
    let reason: string | undefined;
    if (o.requireFullSpan && (h.start !== first || h.values.length !== months || h.values.some((v) => !Number.isFinite(v)))) {
      reason = 'does not cover every month of the panel';
    } else if (end !== last || !Number.isFinite(h.values[h.values.length - 1])) {
      reason = `ends ${end < last ? 'before' : 'without'} the panel's last month`;
    } else if (firstObserved < 0 || originIndex - firstObserved < o.screenMonths) {
      reason = `fewer than ${o.screenMonths} months of history before the first origin`;
    } else if (h.values.slice(originIndex).some((v) => !Number.isFinite(v))) {
      reason = 'has missing months after the first origin (its actuals cannot be scored)';
    }
    if (reason) {
      incomplete++;
      skipped.push({ key: h.key, reason });
      continue;
    }
    const screen = h.values.slice(originIndex - o.screenMonths, originIndex);
    const mean = screen.reduce((s, v) => s + v, 0) / screen.length;
    const zero = o.requirePositive ? screen.some((v) => !(v > 0)) : screen.some((v) => !Number.isFinite(v)) || !(mean > 0);
    if (zero || mean < o.minMean) {
      screenedOut++;
      skipped.push({ key: h.key, reason: zero ? `a zero or missing month in the ${o.screenMonths} before the first origin` : `mean ${mean.toFixed(1)} below ${o.minMean}` });
      continue;
    }
    series.push(firstObserved > 0 ? { key: h.key, start: h.start + firstObserved, values: h.values.slice(firstObserved) } : h);
  }
  return { series, keys: histories.length, incomplete, screenedOut, skipped };
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
  /** Share of actual months inside [q10, q90]. */
  readonly coverage80: number;
  /** Share of actual months above q90 (the tail that empties shelves). */
  readonly above90: number;
  readonly pairs: number;
}

/** Mean MASE and mean scaled pinball over all (series, origin) pairs. */
export function scoreProtocol(splits: readonly OriginSplit[], forecasts: readonly (readonly QuantileForecast[])[]): ProtocolScore {
  let maseSum = 0;
  let pinballSum = 0;
  let pairs = 0;
  let inside = 0;
  let above = 0;
  let months = 0;
  splits.forEach((split, s) => {
    split.actuals.forEach((actual, i) => {
      const f = forecasts[s][i];
      maseSum += mase(actual, f.point, split.scales[i]);
      pinballSum += scaledPinball(actual, f.levels, f.quantiles, split.scales[i]);
      pairs++;
      const lo = f.quantiles[f.levels.indexOf(0.1)];
      const hi = f.quantiles[f.levels.indexOf(0.9)];
      actual.forEach((y, h) => {
        if (lo && hi) {
          inside += y >= lo[h] && y <= hi[h] ? 1 : 0;
          above += y > hi[h] ? 1 : 0;
        }
        months++;
      });
    });
  });
  return { mase: maseSum / pairs, pinball: pinballSum / pairs, coverage80: inside / months, above90: above / months, pairs };
}
