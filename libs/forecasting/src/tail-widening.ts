import { ForecastError } from './forecast-error';

/** One symmetric widening tried on the validation origins, with each origin's tail shares outside [q10, q90]. */
export interface WideningTrial {
  readonly widen: number;
  readonly perOrigin: readonly { readonly below10: number; readonly above90: number }[];
}

export interface TailWidening {
  readonly widenBelow: number;
  readonly widenAbove: number;
  /** The worse origin's share below q10 at widenBelow, and above q90 at widenAbove. */
  readonly worstBelow10: number;
  readonly worstAbove90: number;
}

/**
 * Chooses the widening of each tail on its own: the factor whose share of actuals beyond that tail's quantile, in
 * the validation year where it is largest, lands nearest the nominal 10% (ties to the smaller factor).
 *
 * Widening in normal scores around the median moves the levels above the median by one factor and those below
 * by the other, so each tail's share depends on its own factor only: symmetric trials measure both sides exactly.
 * The worse year decides because a planner lives through each year's shock, not their average; taking each tail's
 * own worse year is what lets the two sides differ when the years disagree (one runs above its forecasts, one below).
 */
export function chooseTailWidening(trials: readonly WideningTrial[], nominal = 0.1): TailWidening {
  if (trials.length === 0 || trials.some((t) => t.perOrigin.length === 0 || !(t.widen > 0))) {
    throw new ForecastError('INVALID_OPTIONS', 'tail widening needs trials with a positive factor and at least one validation origin each');
  }
  const pick = (share: (o: WideningTrial['perOrigin'][number]) => number) => {
    const scored = trials.map((t) => ({ widen: t.widen, worst: Math.max(...t.perOrigin.map(share)) }));
    return scored.reduce((a, b) => {
      const [da, db] = [Math.abs(a.worst - nominal), Math.abs(b.worst - nominal)];
      return db < da - 1e-12 || (Math.abs(db - da) <= 1e-12 && b.widen < a.widen) ? b : a;
    });
  };
  const below = pick((o) => o.below10);
  const above = pick((o) => o.above90);
  return { widenBelow: below.widen, widenAbove: above.widen, worstBelow10: below.worst, worstAbove90: above.worst };
}
