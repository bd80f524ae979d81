import { normalQuantile as standardNormalQuantile } from '@pedigree/forecasting';
/**
 * Reorder point and order quantity from a quantile forecast over the lead time, as a planner sets
 * them: cover lead-time demand at the chosen service level (the probability of not stocking out
 * before the order arrives), then order up to that level plus one review period of median demand.
 */
export interface PeriodQuantiles {
  /** Demand quantiles of one period at levels 0.1, 0.5 and 0.9. */
  readonly q10: number;
  readonly q50: number;
  readonly q90: number;
}

export interface ReorderInput {
  readonly periods: readonly PeriodQuantiles[];
  /** Periods until an order placed now arrives; fractional periods count their share. */
  readonly leadTimePeriods: number;
  /** Target probability of covering lead-time demand, in (0, 1). */
  readonly serviceLevel: number;
  readonly onHand: number;
  readonly inTransit: number;
  /** Periods between reviews: what the order must cover after it arrives. Default 1. */
  readonly reviewPeriods?: number;
}

export interface ReorderSuggestion {
  readonly leadTimeDemand: number;
  readonly safetyStock: number;
  readonly reorderPoint: number;
  readonly orderUpToLevel: number;
  readonly inventoryPosition: number;
  readonly orderQuantity: number;
  readonly reorderNow: boolean;
}

/** z of the 0.9 quantile of the standard normal: turns the 0.5..0.9 gap into a standard deviation. */
const Z90 = 1.2815515655446004;

/** Inverse standard normal CDF for a service level: only probabilities strictly inside (0, 1) make sense. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be inside (0, 1), got ${p}`);
  return standardNormalQuantile(p);
}

/**
 * Lead-time demand as a sum of independent periods: medians add, variances add. Each period's
 * standard deviation comes from the side of its forecast the service level looks at (demand is
 * right-skewed, so the 0.5..0.9 gap is the honest one for service levels above one half).
 */
export function leadTimeDemand(periods: readonly PeriodQuantiles[], leadTimePeriods: number, serviceLevel: number): { mean: number; sigma: number } {
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < periods.length && i < leadTimePeriods; i++) {
    const weight = Math.min(1, leadTimePeriods - i);
    const p = periods[i];
    const gap = serviceLevel >= 0.5 ? p.q90 - p.q50 : p.q50 - p.q10;
    const sigma = Math.max(0, gap) / Z90;
    mean += weight * p.q50;
    variance += weight * sigma * sigma;
  }
  return { mean, sigma: Math.sqrt(variance) };
}

export function reorderSuggestion(input: ReorderInput): ReorderSuggestion {
  if (!(input.leadTimePeriods > 0)) throw new RangeError(`lead time must be positive, got ${input.leadTimePeriods}`);
  if (input.periods.length < Math.ceil(input.leadTimePeriods + (input.reviewPeriods ?? 1))) {
    throw new RangeError(`the forecast covers ${input.periods.length} periods; lead time plus review needs ${Math.ceil(input.leadTimePeriods + (input.reviewPeriods ?? 1))}`);
  }
  const z = normalQuantile(input.serviceLevel);
  const { mean, sigma } = leadTimeDemand(input.periods, input.leadTimePeriods, input.serviceLevel);
  const safetyStock = Math.max(0, z * sigma);
  // Packs are whole: round the targets up so the service level is met, not missed by a fraction.
  const reorderPoint = Math.max(0, Math.ceil(mean + safetyStock - 1e-9));
  const review = input.reviewPeriods ?? 1;
  let reviewDemand = 0;
  const start = input.leadTimePeriods;
  for (let t = 0; t < review; t++) {
    const at = start + t;
    const i = Math.floor(at);
    const next = input.periods[i] ?? input.periods[input.periods.length - 1];
    // The share of period i still ahead after `at`, and any share of the next period it reaches.
    const partA = Math.min(1, i + 1 - at);
    reviewDemand += partA * next.q50 + (1 - partA) * (input.periods[i + 1] ?? next).q50;
  }
  const orderUpToLevel = Math.max(0, Math.ceil(reorderPoint + reviewDemand - 1e-9));
  const inventoryPosition = input.onHand + input.inTransit;
  const reorderNow = inventoryPosition <= reorderPoint;
  const orderQuantity = reorderNow ? Math.max(0, orderUpToLevel - inventoryPosition) : 0;
  return { leadTimeDemand: mean, safetyStock, reorderPoint, orderUpToLevel, inventoryPosition, orderQuantity, reorderNow };
}
