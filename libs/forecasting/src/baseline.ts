import { conditionHistory, DemandHistory } from './demand-history';
import { etsForecast, selectEts } from './ets';
import { checkHorizon, checkLevels, DEFAULT_LEVELS, QuantileForecast } from './quantile-forecast';
import { seasonalNaive, zeroForecast } from './seasonal-naive';
import { fitTheta, thetaForecast } from './theta';

export type BaselineMethod = 'ets' | 'theta' | 'seasonal-naive';

export interface BaselineOptions {
  readonly horizon?: number;
  readonly levels?: readonly number[];
  readonly period?: number;
  /** Seed of the ETS interval simulation. */
  readonly seed?: number;
}

/**
 * A baseline forecast that always answers: bad input is repaired (see conditionHistory) and a method the history
 * cannot support steps down the chain ETS (or theta) -> seasonal naive -> naive -> mean, saying so in the notes. Only a series
 * without any observation is refused (ForecastError EMPTY_SERIES); an all-zero history forecasts zero.
 */
export function forecastBaseline(history: DemandHistory, method: BaselineMethod, options: BaselineOptions = {}): QuantileForecast {
  const horizon = options.horizon ?? 12;
  const levels = options.levels ?? DEFAULT_LEVELS;
  const period = options.period ?? 12;
  checkHorizon(horizon);
  checkLevels(levels);
  const conditioned = conditionHistory(history);
  if (conditioned.allZero) return zeroForecast(horizon, levels, conditioned.notes);
  if (method === 'ets') {
    const fit = selectEts(conditioned.values, { period });
    if (fit) return etsForecast(fit, horizon, { levels, seed: options.seed }, conditioned.notes);
    return seasonalNaive(conditioned.values, horizon, levels, period, [
      ...conditioned.notes,
      `no ETS model fits ${conditioned.values.length} month(s): used seasonal naive`,
    ]);
  }
  if (method === 'theta') {
    // Theta's seasonal adjustment needs two seasons; shorter histories still get SES with drift.
    const fit = fitTheta(conditioned.values, period);
    if (fit) return thetaForecast(fit, horizon, levels, conditioned.notes);
    return seasonalNaive(conditioned.values, horizon, levels, period, [...conditioned.notes, `theta needs 3 months, the series has ${conditioned.values.length}: used seasonal naive`]);
  }
  return seasonalNaive(conditioned.values, horizon, levels, period, conditioned.notes);
}
