import { ForecastError } from './forecast-error';
import { ServedSeries, ServingPolicy, totalQuantiles } from './served-forecast';

/**
 * The periodic-review order-up-to policy (R, S) a planner runs on the served forecast. Every `reviewPeriods` the
 * inventory position (on hand + in transit) is raised to S; an order placed now arrives after `leadTimePeriods`,
 * and the next one can only arrive a review later, so S must cover demand over lead time + review at the service
 * level: S = the served quantile of that total (not a sum of monthly variances, not the median for the review).
 * The reorder point is the same quantile of lead-time demand alone: a position at or below it means that even an
 * order placed today arrives after a stock-out with probability above 1 − service level (expedite).
 */
export interface ReorderRequest {
  readonly leadTimePeriods: number;
  readonly reviewPeriods: number;
  /** Cycle service level: probability of no stock-out in a replenishment cycle, in (0.5, 1). */
  readonly serviceLevel: number;
  readonly onHand: number;
  readonly inTransit: number;
}

export interface ReorderSuggestion {
  /** Median demand over the lead time. */
  readonly leadTimeDemand: number;
  /** Reorder point minus median lead-time demand. */
  readonly safetyStock: number;
  /** Service-level quantile of lead-time demand. */
  readonly reorderPoint: number;
  /** Service-level quantile of demand over lead time + review: what each review orders up to. */
  readonly orderUpToLevel: number;
  readonly inventoryPosition: number;
  readonly orderQuantity: number;
  readonly reorderNow: boolean;
  /** Inventory position at or below the reorder point: an order now still risks a stock-out. */
  readonly expedite: boolean;
}

export function checkReorderRequest(request: ReorderRequest): void {
  if (!(request.leadTimePeriods > 0)) throw new ForecastError('INVALID_OPTIONS', `lead time must be positive, got ${request.leadTimePeriods}`);
  if (!(request.reviewPeriods > 0)) throw new ForecastError('INVALID_OPTIONS', `review periods must be positive, got ${request.reviewPeriods}`);
  if (!(request.serviceLevel > 0.5 && request.serviceLevel < 1)) throw new ForecastError('INVALID_OPTIONS', `service level must be above 0.5 and below 1, got ${request.serviceLevel}`);
}

/** Months of forecast the policy needs: lead time plus review, rounded up. */
export function reorderHorizon(request: Pick<ReorderRequest, 'leadTimePeriods' | 'reviewPeriods'>): number {
  return Math.ceil(request.leadTimePeriods + request.reviewPeriods);
}

export function reorderSuggestion(served: ServedSeries, policy: ServingPolicy, request: ReorderRequest): ReorderSuggestion {
  checkReorderRequest(request);
  const [leadMedian, leadQuantile] = totalQuantiles(served, policy, request.leadTimePeriods, [0.5, request.serviceLevel]);
  const [cover] = totalQuantiles(served, policy, request.leadTimePeriods + request.reviewPeriods, [request.serviceLevel]);
  // Packs are whole: round the targets up so the service level is met, not missed by a fraction.
  const reorderPoint = Math.max(0, Math.ceil(leadQuantile - 1e-9));
  const orderUpToLevel = Math.max(reorderPoint, Math.ceil(cover - 1e-9));
  const inventoryPosition = request.onHand + request.inTransit;
  const reorderNow = inventoryPosition < orderUpToLevel;
  return {
    leadTimeDemand: leadMedian,
    safetyStock: Math.max(0, reorderPoint - leadMedian),
    reorderPoint,
    orderUpToLevel,
    inventoryPosition,
    orderQuantity: reorderNow ? orderUpToLevel - inventoryPosition : 0,
    reorderNow,
    expedite: inventoryPosition <= reorderPoint,
  };
}

export interface InventoryCycle {
  /** Order-up-to level set at this review. */
  readonly orderUpTo: number;
  /** Demand of the months from this review up to the arrival of the next order (lead time + review). */
  readonly demand: readonly number[];
}

export interface InventoryOutcome {
  readonly cycles: number;
  readonly stockOuts: number;
  /** Fraction of cycles without a stock-out. */
  readonly achieved: number;
}

/**
 * Simulates one series under (R, S) with backorders over consecutive reviews, one period apart (R = 1): at each
 * review the position is raised to S (never lowered), demand arrives, and a cycle stocks out if the position
 * after ordering does not cover the demand until the next order lands. `reviews[t]` is the review at period t.
 */
export function simulateOrderUpTo(reviews: readonly { readonly orderUpTo: number }[], demand: readonly number[], leadTime: number, review: number): InventoryOutcome {
  let position = reviews.length > 0 ? reviews[0].orderUpTo : 0;
  let cycles = 0;
  let stockOuts = 0;
  for (let t = 0; t < reviews.length; t += review) {
    position = Math.max(position, reviews[t].orderUpTo);
    const end = t + leadTime + review;
    if (end > demand.length) break;
    let covered = 0;
    for (let k = t; k < end; k++) covered += demand[k];
    cycles++;
    if (covered > position + 1e-9) stockOuts++;
    for (let k = t; k < t + review; k++) position -= demand[k];
  }
  return { cycles, stockOuts, achieved: cycles > 0 ? 1 - stockOuts / cycles : NaN };
}
