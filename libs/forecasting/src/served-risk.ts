import { MarginalForecast, normalCdf } from './marginal';
import { normalQuantile, sampleQuantile } from './quantile-math';
import { SeededRandom } from './seeded-random';

/**
 * Joint behaviour of a forecast's months, and the totals a planner orders against. Monthly forecast errors are
 * strongly correlated (a series running above its forecast keeps doing so: lag-1 correlation about 0.7 on PBS),
 * so the lead-time total is not a sum of independent months. Sample paths draw each month from the served
 * marginal through a Gaussian copula whose correlation matrix was measured on validation origins; a total's
 * quantile is a quantile of the summed paths, then recalibrated by that total's own validation PITs.
 */

/** Probability grid of a calibration table: table[i] is the PIT quantile at level i / (GRID - 1). */
export const CALIBRATION_GRID = 101;

/**
 * Reads a calibration table: the base level whose quantile the calibrated forecast serves at level p. An empty
 * table is the identity (nothing measured). Between grid points the map is linear; beyond them it keeps the
 * tail's distance (a served 0.995 reads the base beyond its measured 0.99).
 */
export function remapLevel(table: readonly number[] | undefined, p: number): number {
  if (!table || table.length < 2) return p;
  const x = p * (table.length - 1);
  const i = Math.min(table.length - 2, Math.max(0, Math.floor(x)));
  const v = table[i] + (x - i) * (table[i + 1] - table[i]);
  return Math.min(1 - 1e-6, Math.max(1e-6, v));
}

/**
 * How validation PITs recalibrate a forecast. 'full' maps every level through the PITs' own quantiles (corrects
 * bias and width, tail by tail). 'symmetric' keeps the median and corrects only the width, from |PIT − 0.5|: one
 * validation year's panel-wide shock (a policy change moving every series) then cannot shift every later forecast.
 */
export type CalibrationMode = 'full' | 'symmetric';

/** The table of observed PITs: their quantiles on the grid. Fewer than `minimum` observations give the identity. */
export function calibrationTable(pits: readonly number[], minimum = 30, mode: CalibrationMode = 'full'): number[] {
  if (pits.length < minimum) return [];
  if (mode === 'symmetric') {
    const distance = Float64Array.from(pits, (u) => Math.abs(u - 0.5)).sort();
    const edge = 0.5 / (distance.length + 1);
    return Array.from({ length: CALIBRATION_GRID }, (_, i) => {
      const p = i / (CALIBRATION_GRID - 1);
      const d = sampleQuantile(distance, Math.abs(2 * p - 1));
      return Math.min(1 - edge, Math.max(edge, p >= 0.5 ? 0.5 + d : 0.5 - d));
    });
  }
  const sorted = Float64Array.from(pits).sort();
  return Array.from({ length: CALIBRATION_GRID }, (_, i) => {
    const p = i / (CALIBRATION_GRID - 1);
    // Keep the grid's ends off 0 and 1: an empirical extreme is not a certainty.
    const q = sampleQuantile(sorted, p);
    return Math.min(1 - 0.5 / (sorted.length + 1), Math.max(0.5 / (sorted.length + 1), q));
  });
}

/** Cholesky factor (lower) of a correlation matrix shrunk towards the identity so that it is positive definite. */
export function choleskyOf(correlation: readonly (readonly number[])[], shrink = 0.02): number[][] {
  const n = correlation.length;
  const a = correlation.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - shrink) * v)));
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(1e-9, s)) : s / l[j][j];
    }
  }
  return l;
}

/** The correlation between steps i and j; beyond the measured matrix, its last lag-1 correlation decays geometrically. */
export function extendCorrelation(measured: readonly (readonly number[])[], steps: number): number[][] {
  const n = measured.length;
  const rho = n >= 2 ? Math.max(0, Math.min(0.99, measured[n - 1][n - 2])) : 0;
  return Array.from({ length: steps }, (_, i) =>
    Array.from({ length: steps }, (_, j) => {
      if (i < n && j < n) return measured[i][j];
      if (i === j) return 1;
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      const base = a < n ? measured[a][Math.min(b, n - 1)] : rho;
      return base * rho ** Math.max(0, b - Math.max(a, n - 1));
    }),
  );
}

/**
 * `count` sample paths of `steps` months: paths[k][h]. Deterministic for a seed. The marginal is read at each
 * month's probability, so paths have exactly the served monthly distributions.
 */
export function samplePaths(marginal: MarginalForecast, correlation: readonly (readonly number[])[], steps: number, count: number, seed: number): Float64Array[] {
  const chol = choleskyOf(extendCorrelation(correlation.length > 0 ? correlation : [[1]], steps));
  const random = new SeededRandom(seed);
  const e = new Float64Array(steps);
  const paths: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    for (let h = 0; h < steps; h++) e[h] = random.normal();
    const path = new Float64Array(steps);
    for (let h = 0; h < steps; h++) {
      let z = 0;
      for (let j = 0; j <= h; j++) z += chol[h][j] * e[j];
      path[h] = marginal.quantile(h, normalCdf(z));
    }
    paths.push(path);
  }
  return paths;
}

/** Totals of the first `periods` months of each path; a fractional last month counts its share. */
export function pathTotals(paths: readonly Float64Array[], periods: number): Float64Array {
  const whole = Math.floor(periods);
  const part = periods - whole;
  const totals = new Float64Array(paths.length);
  paths.forEach((path, k) => {
    let s = 0;
    for (let h = 0; h < whole && h < path.length; h++) s += path[h];
    if (part > 0 && whole < path.length) s += part * path[whole];
    totals[k] = s;
  });
  return totals.sort();
}

/** Fraction of the totals below `actual` (ties split at random): the PIT of an observed total. */
export function totalPit(sortedTotals: Float64Array, actual: number, uniform: () => number): number {
  let below = 0;
  let equal = 0;
  for (const t of sortedTotals) {
    if (t < actual - 1e-9) below++;
    else if (t <= actual + 1e-9) equal++;
  }
  const n = sortedTotals.length;
  return Math.min(1 - 0.5 / n, Math.max(0.5 / n, (below + uniform() * equal) / n));
}

/** Empirical correlation of normal scores, step by step (a Gaussian copula's correlation, calibration-free). */
export function normalScoreCorrelation(pits: readonly (readonly number[])[], steps: number): number[][] {
  const complete = pits.filter((row) => row.length >= steps);
  const z = complete.map((row) => row.slice(0, steps).map((u) => inverseNormal(u)));
  const n = z.length;
  const means = Array.from({ length: steps }, (_, h) => z.reduce((s, r) => s + r[h], 0) / Math.max(1, n));
  const sds = Array.from({ length: steps }, (_, h) => Math.sqrt(z.reduce((s, r) => s + (r[h] - means[h]) ** 2, 0) / Math.max(1, n)) || 1);
  return Array.from({ length: steps }, (_, i) =>
    Array.from({ length: steps }, (_, j) => {
      if (i === j) return 1;
      if (n < 10) return 0;
      const c = z.reduce((s, r) => s + (r[i] - means[i]) * (r[j] - means[j]), 0) / n / (sds[i] * sds[j]);
      return Math.max(-0.99, Math.min(0.99, c));
    }),
  );
}

function inverseNormal(u: number): number {
  return normalQuantile(Math.min(1 - 1e-6, Math.max(1e-6, u)));
}
