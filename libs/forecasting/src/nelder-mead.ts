export interface NelderMeadOptions {
  /** Initial simplex edge per coordinate. */
  readonly step: readonly number[];
  readonly maxEvaluations: number;
  /** Stop when the spread of objective values over the simplex falls below this (relative to its size). */
  readonly tolerance: number;
}

export interface NelderMeadResult {
  readonly x: number[];
  readonly value: number;
  readonly evaluations: number;
}

/**
 * Derivative-free minimiser, the one R's forecast::ets uses for ETS likelihoods. Fully deterministic (no random
 * restarts), so a refit on the same data gives the same model. Constraints are left to the objective, which returns
 * a large value outside the admissible region.
 */
export function nelderMead(
  objective: (x: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions,
): NelderMeadResult {
  const dim = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = objective(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  const points: number[][] = [start.slice()];
  for (let i = 0; i < dim; i++) {
    const p = start.slice();
    p[i] += options.step[i];
    points.push(p);
  }
  const values = points.map(evaluate);
  const order = points.map((_, i) => i);

  while (evaluations < options.maxEvaluations) {
    order.sort((a, b) => values[a] - values[b]);
    const best = order[0];
    const worst = order[dim];
    const secondWorst = order[dim - 1];
    const spread = Math.abs(values[worst] - values[best]);
    if (spread <= options.tolerance * (Math.abs(values[best]) + options.tolerance)) break;

    const centroid = new Array<number>(dim).fill(0);
    for (let k = 0; k < dim; k++) {
      const p = points[order[k]];
      for (let i = 0; i < dim; i++) centroid[i] += p[i] / dim;
    }
    const along = (t: number): number[] => centroid.map((c, i) => c + t * (points[worst][i] - c));

    const reflected = along(-1);
    const fr = evaluate(reflected);
    if (fr < values[best]) {
      const expanded = along(-2);
      const fe = evaluate(expanded);
      if (fe < fr) {
        points[worst] = expanded;
        values[worst] = fe;
      } else {
        points[worst] = reflected;
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[secondWorst]) {
      points[worst] = reflected;
      values[worst] = fr;
      continue;
    }
    const outside = fr < values[worst];
    const contracted = along(outside ? -0.5 : 0.5);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : values[worst])) {
      points[worst] = contracted;
      values[worst] = fc;
      continue;
    }
    for (let k = 1; k <= dim; k++) {
      const idx = order[k];
      points[idx] = points[idx].map((v, i) => points[best][i] + 0.5 * (v - points[best][i]));
      values[idx] = evaluate(points[idx]);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= dim; i++) if (values[i] < values[bestIndex]) bestIndex = i;
  return { x: points[bestIndex], value: values[bestIndex], evaluations };
}
