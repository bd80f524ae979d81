/**
 * @pedigree/forecasting — demand forecasting for the traceability platform, usable without a server.
 *
 * Service path: `initBackend()` once, then `forecastPortfolio(histories)` (trains or reuses a global model, fits
 * the baselines, chooses per series with a reason). Building blocks are exported for finer control.
 */
export { initBackend, activeBackend } from './tf-backend';
export type { BackendName, BackendOptions } from './tf-backend';

export { forecastPortfolio } from './demand-forecaster';
export type { PortfolioOptions, PortfolioForecast, SeriesRefusal } from './demand-forecaster';

export { GlobalQuantileModel, GLOBAL_MODEL_FORMAT } from './global-model';
export type { GlobalModelOptions, GlobalModelMetadata, NetworkProgress, ValidationForecast } from './global-model';
export { modelToArtifacts, modelFromArtifacts, saveModelToDirectory, loadModelFromDirectory } from './model-store';
export type { StoredModelArtifacts } from './model-store';

export { forecastBaseline } from './baseline';
export { fitTheta, thetaForecast, isSeasonal } from './theta';
export type { ThetaFit } from './theta';
export type { BaselineMethod, BaselineOptions } from './baseline';
export { selectEts, fitEtsModel, etsForecast, etsPointForecast, etsName, ETS_CANDIDATES } from './ets';
export type { EtsFit, EtsSpec, EtsOptions } from './ets';
export { seasonalNaive, naive, meanForecast, zeroForecast } from './seasonal-naive';

export { chooseForecasts, averageForecasts } from './method-chooser';
export type { CandidateName, MethodCandidate, SeriesCandidates, ChosenForecast, ChooserOptions, ChooserResult, PanelRanking } from './method-chooser';

export { DEFAULT_LEVELS } from './quantile-forecast';
export { normalQuantile } from './quantile-math';
export type { QuantileForecast, ForecastMethod } from './quantile-forecast';
export { historyFromRecords, conditionHistory } from './demand-history';
export type { DemandHistory, MonthlyDemand, ConditionedHistory } from './demand-history';
export { parseMonth, formatMonth, monthIndex, monthOfYear } from './calendar';
export type { MonthIndex } from './calendar';
export { ForecastError } from './forecast-error';
export type { ForecastErrorCode } from './forecast-error';

export { mase, scaledPinball, seasonalNaiveScale } from './accuracy';
export { selectProtocolSeries, splitAtOrigin, scoreProtocol } from './benchmark-protocol';
export { parseCsv, readCsvFile } from './csv-table';
export { panelFromRows } from './demand-panel';
export type { PanelColumns } from './demand-panel';

export { trainServingModel, trainGlobalNetwork, monthlyWidening, serveForecasts, baselineServing, totalQuantiles, DEFAULT_DESIGN, SERVED_METHODS, CLASS_METHODS } from './served-forecast';
export type { ServingDesign, ServingPolicy, ServingModel, ServedSeries, ServedRefusal, ServedMethod, TrainServingOptions, TrainingProgress, ServeOptions } from './served-forecast';
export { reorderSuggestion, reorderHorizon, checkReorderRequest, simulateOrderUpTo } from './reorder-policy';
export type { ReorderRequest, ReorderSuggestion, InventoryCycle, InventoryOutcome } from './reorder-policy';
export { servingToArtifacts, servingFromArtifacts, saveServingToDirectory, loadServingFromDirectory } from './model-store';
export { pretrainedGlobalModel, pretrainedName, directoryPretrainedStore, pbsPanel, PBS_DATA_FILE, needsPretrainedNetwork, OWN_NETWORK_MIN_SERIES } from './pretrained-model';
export type { PretrainedStore, PretrainOptions } from './pretrained-model';
export { chooseTailWidening } from './tail-widening';
export type { TailWidening, WideningTrial } from './tail-widening';
export { classifyDemand, fitSba, fitTsb, intermittentForecast, DEMAND_CLASSES } from './intermittent';
export type { DemandClass, Classification, IntermittentFit } from './intermittent';
export { tradingDays, tradingDayDeviation, fitTradingDayEffect, isPublicHoliday, checkRegion, CALENDAR_REGIONS } from './trading-days';
export type { CalendarRegion, TradingDayEffect } from './trading-days';
export { splitLogNormal, normalCdf } from './marginal';
export type { MarginalForecast } from './marginal';
export {
  bucketDemand, dayProfileFromHistory, dayWeight, daysInMonth, disaggregate, isoDate, lastCompleteMonth, monthlyHistory, monthsPer, monthsToCover, nextPeriod, parseIsoDate, periodStart,
  stockOutDays, UNIFORM_DAYS,
} from './demand-periods';
export type { DayProfile, DemandPoint, DemandRecord, DemandSources, Granularity, MonthlyHistoryOptions, MonthQuantiles } from './demand-periods';
