/**
 * The benchmark's error measures. Both divide by the in-sample error of the seasonal naive forecast so that series
 * of very different volume weigh equally in a mean.
 */
export function seasonalNaiveScale(history: readonly number[], period = 12): number {
  let sum = 0;
  let count = 0;
  for (let t = period; t < history.length; t++) {
    const d = history[t] - history[t - period];
    if (Number.isFinite(d)) {
      sum += Math.abs(d);
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}

/** Mean absolute scaled error of a point forecast. */
export function mase(actual: readonly number[], point: readonly number[], scale: number): number {
  let sum = 0;
  for (let h = 0; h < actual.length; h++) sum += Math.abs(actual[h] - point[h]);
  return sum / actual.length / scale;
}

export function pinball(actual: number, predicted: number, level: number): number {
  const e = actual - predicted;
  return Math.max(level * e, (level - 1) * e);
}

/** Pinball loss averaged over levels and steps, divided by the same scale as MASE. */
export function scaledPinball(
  actual: readonly number[],
  levels: readonly number[],
  quantiles: readonly (readonly number[])[],
  scale: number,
): number {
  let sum = 0;
  for (let i = 0; i < levels.length; i++) {
    for (let h = 0; h < actual.length; h++) sum += pinball(actual[h], quantiles[i][h], levels[i]);
  }
  return sum / (levels.length * actual.length) / scale;
}
