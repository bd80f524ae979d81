import { seasonalNaiveScale } from './accuracy';
import { forecastBaseline } from './baseline';
import { conditionHistory, ConditionedHistory, DemandHistory } from './demand-history';
import { ForecastError, ForecastErrorCode } from './forecast-error';
import { GlobalModelOptions, GlobalQuantileModel } from './global-model';
import { ChooserOptions, ChosenForecast, chooseForecasts, MethodCandidate, PanelRanking, SeriesCandidates } from './method-chooser';
import { checkHorizon, checkLevels, DEFAULT_LEVELS, QuantileForecast } from './quantile-forecast';
import { zeroForecast } from './seasonal-naive';

export interface PortfolioOptions {
  readonly horizon?: number;
  readonly levels?: readonly number[];
  readonly seed?: number;
  /**
   * A trained global model (e.g. loaded from the model store). Without one, a model is trained on the histories
   * when `train` allows it and enough series are long enough.
   */
  readonly model?: GlobalQuantileModel;
  readonly train?: GlobalModelOptions | false;
  readonly chooser?: ChooserOptions;
  readonly progress?: (line: string) => void;
}

export interface SeriesRefusal {
  readonly key: string;
  readonly code: ForecastErrorCode;
  readonly message: string;
}

export interface PortfolioForecast {
  readonly forecasts: ChosenForecast[];
  /** Series that got no forecast at all (only a history without any observation is refused). */
  readonly refused: SeriesRefusal[];
  readonly ranking: PanelRanking[];
  readonly preferred: string | undefined;
  /** The global model used, trained here or passed in; undefined when none could be trained. */
  readonly model: GlobalQuantileModel | undefined;
}

/** Months needed before the held-out year for a validation fit to mean anything (two seasons). */
const VALIDATION_HISTORY = 24;

/**
 * The service entry point: forecasts every series with the global model, ETS and seasonal naive, validates each on
 * the series' last `horizon` months and serves the chooser's pick with its reason (see chooseForecasts).
 */
export async function forecastPortfolio(histories: readonly DemandHistory[], options: PortfolioOptions = {}): Promise<PortfolioForecast> {
  const horizon = options.horizon ?? 12;
  const levels = options.levels ?? DEFAULT_LEVELS;
  checkHorizon(horizon);
  checkLevels(levels);
  const progress = options.progress ?? (() => undefined);

  const refused: SeriesRefusal[] = [];
  const usable: { history: DemandHistory; conditioned: ConditionedHistory }[] = [];
  for (const history of histories) {
    try {
      usable.push({ history, conditioned: conditionHistory(history) });
    } catch (error) {
      if (!(error instanceof ForecastError)) throw error;
      refused.push({ key: history.key, code: error.code, message: error.message });
    }
  }

  let model = options.model;
  if (!model && options.train !== false) {
    try {
      progress(`training the global model on ${usable.length} series`);
      model = await GlobalQuantileModel.train(
        usable.map((u) => u.history),
        { horizon, levels, seed: options.seed, progress: (event) => progress(event.message), ...(options.train ?? {}) },
      );
    } catch (error) {
      if (!(error instanceof ForecastError && error.code === 'NO_TRAINABLE_SERIES')) throw error;
      progress(`no global model: ${error.message}`);
    }
  }
  const useModel = model && model.horizon >= horizon && levels.every((p) => model!.metadata.levels.includes(p)) ? model : undefined;
  const heldOutOf = (u: { history: DemandHistory; conditioned: ConditionedHistory }): DemandHistory => ({
    key: u.history.key,
    start: u.conditioned.start,
    values: u.conditioned.values.slice(0, u.conditioned.values.length - horizon),
  });
  const canValidate = (u: { conditioned: ConditionedHistory }) => u.conditioned.values.length >= horizon + VALIDATION_HISTORY;

  const globalForecasts = useModel ? useModel.forecastMany(usable.map((u) => u.history), horizon, levels) : [];
  // A model trained here carries honest held-out forecasts; a stored model has seen these months, so its
  // validation forecasts are recomputed and are in-sample (flattering it; the reason text says so).
  const trainedHere = useModel !== undefined && useModel.validation.size > 0;
  const storedValidation =
    useModel && !trainedHere
      ? useModel.forecastMany(usable.map((u) => (canValidate(u) ? heldOutOf(u) : { ...u.history, values: [] })), horizon, levels)
      : [];

  progress(`fitting ETS and seasonal naive on ${usable.length} series`);
  const forecasts: ChosenForecast[] = new Array(usable.length);
  const panel: SeriesCandidates[] = [];
  const panelIndex: number[] = [];
  usable.forEach((u, i) => {
    if (u.conditioned.allZero) {
      forecasts[i] = {
        key: u.history.key,
        chosen: 'seasonal-naive',
        forecast: zeroForecast(horizon, levels, u.conditioned.notes),
        reason: 'seasonal-naive: every observed month is zero, so the forecast is zero',
        validation: {},
      };
      return;
    }
    const validating = canValidate(u);
    const before = heldOutOf(u);
    const baseline = (method: 'ets' | 'seasonal-naive', h: DemandHistory): QuantileForecast =>
      forecastBaseline(h, method, { horizon, levels, seed: options.seed });
    const candidates: MethodCandidate[] = [];
    const global = globalForecasts[i];
    if (global) {
      const validation = trainedHere ? useModel?.validation.get(u.history.key)?.forecast : storedValidation[i];
      candidates.push({ name: 'global-mlp', forecast: global, validation: validating ? validation : undefined });
    }
    candidates.push({ name: 'ets', forecast: baseline('ets', u.history), validation: validating ? baseline('ets', before) : undefined });
    candidates.push({
      name: 'seasonal-naive',
      forecast: baseline('seasonal-naive', u.history),
      validation: validating ? baseline('seasonal-naive', before) : undefined,
    });
    panel.push({
      key: u.history.key,
      heldOut: validating ? u.conditioned.values.slice(-horizon) : [],
      scale: validating ? seasonalNaiveScale(before.values) : NaN,
      candidates,
    });
    panelIndex.push(i);
  });

  const chosen = chooseForecasts(panel, options.chooser);
  chosen.choices.forEach((c, j) => {
    const stale = useModel && !trainedHere && c.chosen !== 'ets' && c.chosen !== 'seasonal-naive';
    forecasts[panelIndex[j]] = stale ? { ...c, reason: `${c.reason} (global model validated in-sample: it was trained on these months)` } : c;
  });
  return { forecasts, refused, ranking: chosen.ranking, preferred: chosen.preferred, model };
}
