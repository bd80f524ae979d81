import { normalQuantile } from './quantile-math';
import { QuantileForecast } from './quantile-forecast';

/**
 * A forecast's full distribution at each step, as a quantile function u -> demand. The served forecast, its
 * calibration, its sample paths and the reorder policy all work through this one interface, so a combination of a
 * continuous model (global network, ETS) with a count model (SBA/TSB) is still one distribution per month.
 */
export interface MarginalForecast {
  readonly steps: number;
  /** Demand at probability u in (0, 1) of step h (0-based); non-decreasing in u. */
  quantile(h: number, u: number): number;
}

const Z90 = 1.2815515655446004;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf, error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * The distribution implied by a forecast's q10/q50/q90: a split normal in log1p(demand), fitted exactly through the
 * three quantiles (lower and upper spreads may differ). Beyond q10 and q90 the tails are the split normal's, which
 * the calibration then corrects with the levels observed on validation origins.
 */
export function splitLogNormal(forecast: QuantileForecast): MarginalForecast {
  const lo = forecast.levels.indexOf(0.1);
  const hi = forecast.levels.indexOf(0.9);
  const steps = forecast.point.length;
  const m = new Float64Array(steps);
  const sl = new Float64Array(steps);
  const su = new Float64Array(steps);
  const zLo = lo >= 0 ? Z90 : -normalQuantile(forecast.levels[0]);
  const zHi = hi >= 0 ? Z90 : normalQuantile(forecast.levels[forecast.levels.length - 1]);
  const iLo = lo >= 0 ? lo : 0;
  const iHi = hi >= 0 ? hi : forecast.levels.length - 1;
  for (let h = 0; h < steps; h++) {
    const median = Math.log1p(Math.max(0, forecast.point[h]));
    m[h] = median;
    sl[h] = Math.max(0, median - Math.log1p(Math.max(0, forecast.quantiles[iLo][h]))) / zLo;
    su[h] = Math.max(0, Math.log1p(Math.max(0, forecast.quantiles[iHi][h])) - median) / zHi;
  }
  return {
    steps,
    quantile(h: number, u: number): number {
      const z = normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, u)));
      const at = Math.min(h, steps - 1);
      return Math.max(0, Math.expm1(m[at] + z * (z < 0 ? sl[at] : su[at])));
    },
  };
}

/** Quantile averaging (Vincentisation) with weights: ordered inputs stay ordered, and the weights sum to one. */
export function weightedMarginal(parts: readonly { readonly marginal: MarginalForecast; readonly weight: number }[]): MarginalForecast {
  const used = parts.filter((p) => p.weight > 0);
  const total = used.reduce((s, p) => s + p.weight, 0);
  const steps = Math.min(...used.map((p) => p.marginal.steps));
  return {
    steps,
    quantile(h: number, u: number): number {
      let v = 0;
      for (const p of used) v += (p.weight / total) * p.marginal.quantile(h, u);
      return v;
    },
  };
}

/** A marginal whose probability axis is remapped per step: served level p reads the base at `remap(h, p)`. */
export function recalibratedMarginal(base: MarginalForecast, remap: (h: number, p: number) => number): MarginalForecast {
  return { steps: base.steps, quantile: (h, u) => base.quantile(h, remap(h, u)) };
}

/**
 * Probability integral transform of an observation: F(y), found by bisection on the quantile function. Where the
 * distribution has an atom (zero demand of an intermittent series), the PIT is drawn uniformly across the atom so
 * that a calibrated forecast still gives uniform PITs.
 */
export function pitOf(marginal: MarginalForecast, h: number, y: number, uniform: () => number): number {
  const below = cdfAt(marginal, h, y, false);
  const atOrBelow = cdfAt(marginal, h, y, true);
  return atOrBelow - below < 1e-9 ? atOrBelow : below + uniform() * (atOrBelow - below);
}

/** sup{u : Q(u) < y} (strict) or sup{u : Q(u) <= y}. */
function cdfAt(marginal: MarginalForecast, h: number, y: number, inclusive: boolean): number {
  let lo = 0;
  let hi = 1;
  const ok = (u: number): boolean => {
    const q = marginal.quantile(h, u);
    return inclusive ? q <= y + 1e-9 * Math.max(1, Math.abs(y)) : q < y - 1e-9 * Math.max(1, Math.abs(y));
  };
  if (!ok(1e-9)) return 0;
  if (ok(1 - 1e-9)) return 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
