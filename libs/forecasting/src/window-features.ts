import { monthOfYear, MonthIndex } from './calendar';

/**
 * How a history window becomes model input. Stored with every trained model, because a model is only valid with
 * the exact recipe it was trained on.
 *
 * Demand is modelled on log1p: series differ by four orders of magnitude and their seasonal swings are roughly
 * proportional to volume, so in logs one network fits all of them; log1p (not log) keeps the odd zero month usable.
 * Each window is centred on its own level (mean of the last 12 logged months), so the network sees shape, not size;
 * size comes back as one standardised input, since small series behave differently (noisier, less seasonal).
 */
export interface FeatureRecipe {
  readonly inputMonths: number;
  readonly horizon: number;
  readonly levelMonths: number;
  /** Mean and standard deviation of the window levels in the training set, to standardise the size input. */
  readonly levelMean: number;
  readonly levelSpread: number;
}

export function featureCount(recipe: FeatureRecipe): number {
  return recipe.inputMonths + 12 + 1;
}

export function logDemand(values: readonly number[]): Float64Array {
  return Float64Array.from(values, (v) => Math.log1p(Math.max(0, v)));
}

export function windowLevel(logged: ArrayLike<number>, last: number, recipe: FeatureRecipe): number {
  let sum = 0;
  for (let i = last - recipe.levelMonths + 1; i <= last; i++) sum += logged[i];
  return sum / recipe.levelMonths;
}

/**
 * Writes the features of the window ending at index `last` into `out` at `offset`.
 * `firstTarget` is the calendar month of the first forecast month, whose month of year the network sees one-hot.
 */
export function writeFeatures(
  logged: ArrayLike<number>,
  last: number,
  firstTarget: MonthIndex,
  recipe: FeatureRecipe,
  out: Float32Array,
  offset: number,
): number {
  const level = windowLevel(logged, last, recipe);
  let k = offset;
  for (let i = last - recipe.inputMonths + 1; i <= last; i++) out[k++] = logged[i] - level;
  const month = monthOfYear(firstTarget);
  for (let m = 0; m < 12; m++) out[k++] = m === month ? 1 : 0;
  out[k++] = (level - recipe.levelMean) / recipe.levelSpread;
  return level;
}
