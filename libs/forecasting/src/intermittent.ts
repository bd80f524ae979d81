import { MarginalForecast } from './marginal';
import { sampleQuantile } from './quantile-math';
import { finishForecast, QuantileForecast } from './quantile-forecast';

/**
 * Intermittent demand: what a pharmacy's slow movers look like (many zero months, irregular sizes). Classification
 * by Syntetos–Boylan–Croston: ADI (mean interval between demands) against 1.32 and CV² of the non-zero sizes
 * against 0.49. Forecasts by SBA (Croston's method with the Syntetos–Boylan bias correction) and TSB
 * (Teunter–Syntetos–Babai: smooths the probability of demand each period, so obsolescence shows). Their
 * distributions are counts: no demand with probability 1 − p, otherwise a size drawn from the series' own sizes.
 */
export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy';

export const DEMAND_CLASSES: readonly DemandClass[] = ['smooth', 'erratic', 'intermittent', 'lumpy'];

export interface Classification {
  readonly demandClass: DemandClass;
  readonly adi: number;
  readonly cv2: number;
}

/** Classifies on the last `window` months (36 by default: recent behaviour, not the launch years). */
export function classifyDemand(values: readonly number[], window = 36): Classification {
  const recent = values.slice(-window).filter((v) => Number.isFinite(v));
  const sizes = recent.filter((v) => v > 0);
  if (sizes.length === 0) return { demandClass: 'lumpy', adi: Infinity, cv2: 0 };
  const adi = recent.length / sizes.length;
  const mean = sizes.reduce((s, v) => s + v, 0) / sizes.length;
  const variance = sizes.reduce((s, v) => s + (v - mean) ** 2, 0) / sizes.length;
  const cv2 = mean > 0 ? variance / mean ** 2 : 0;
  const intermittent = adi >= 1.32;
  const erratic = cv2 >= 0.49;
  const demandClass: DemandClass = intermittent ? (erratic ? 'lumpy' : 'intermittent') : erratic ? 'erratic' : 'smooth';
  return { demandClass, adi, cv2 };
}

export interface IntermittentFit {
  readonly method: 'sba' | 'tsb';
  /** Probability of a demand in a month. */
  readonly probability: number;
  /** Expected size of a demand when there is one. */
  readonly size: number;
  /** The series' own non-zero sizes, rescaled to `size` on average, ascending. */
  readonly sizes: number[];
}

const ALPHA = 0.1;
const BETA = 0.1;

function sizeShape(values: readonly number[], size: number): number[] {
  const own = values.filter((v) => v > 0).slice(-24);
  if (own.length === 0) return [size];
  const mean = own.reduce((s, v) => s + v, 0) / own.length;
  return own.map((v) => (v * size) / mean).sort((a, b) => a - b);
}

/** SBA: Croston's size and interval smoothing (alpha 0.1), point = (1 − alpha/2) · size / interval. */
export function fitSba(values: readonly number[]): IntermittentFit | undefined {
  let z: number | undefined;
  let p: number | undefined;
  let gap = 1;
  for (const v of values) {
    if (v > 0) {
      z = z === undefined ? v : z + ALPHA * (v - z);
      p = p === undefined ? gap : p + ALPHA * (gap - p);
      gap = 1;
    } else gap++;
  }
  if (z === undefined || p === undefined) return undefined;
  const probability = Math.min(1, 1 / p);
  // The bias correction shrinks the mean demand; carried by the size so that the occurrence stays 1/p.
  const size = (1 - ALPHA / 2) * z;
  return { method: 'sba', probability, size, sizes: sizeShape(values, size) };
}

/** TSB: demand probability smoothed every month (beta 0.1), size when demand occurs (alpha 0.1). */
export function fitTsb(values: readonly number[]): IntermittentFit | undefined {
  const firstDemand = values.findIndex((v) => v > 0);
  if (firstDemand < 0) return undefined;
  let z = values[firstDemand];
  const start = values.slice(0, Math.min(values.length, 12));
  let prob = start.filter((v) => v > 0).length / Math.max(1, start.length);
  for (let t = firstDemand + 1; t < values.length; t++) {
    const v = values[t];
    prob += BETA * ((v > 0 ? 1 : 0) - prob);
    if (v > 0) z += ALPHA * (v - z);
  }
  return { method: 'tsb', probability: Math.min(1, Math.max(0, prob)), size: z, sizes: sizeShape(values, z) };
}

/** The count distribution of each month: zero with probability 1 − p, else a size from the series' own. */
export function intermittentMarginal(fit: IntermittentFit, steps: number): MarginalForecast {
  const zeroMass = 1 - fit.probability;
  return {
    steps,
    quantile(_h: number, u: number): number {
      if (u <= zeroMass) return 0;
      return sampleQuantile(fit.sizes, Math.min(1, (u - zeroMass) / Math.max(1e-12, fit.probability)));
    },
  };
}

export function intermittentForecast(fit: IntermittentFit, horizon: number, levels: readonly number[], notes: readonly string[] = []): QuantileForecast {
  const marginal = intermittentMarginal(fit, horizon);
  const point = new Array<number>(horizon).fill(fit.probability * fit.size);
  const quantiles = levels.map((p) => Array.from({ length: horizon }, (_, h) => marginal.quantile(h, p)));
  const label = `${fit.method.toUpperCase()} (p ${fit.probability.toFixed(2)}, size ${fit.size.toFixed(1)})`;
  return finishForecast(fit.method, label, point, levels, quantiles, notes);
}
