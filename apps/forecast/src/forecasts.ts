import { normaliseGtin } from '@pedigree/domain';
import {
  bucketDemand, dayProfileFromHistory, DemandHistory, DemandPoint, DemandSources, disaggregate, Granularity, isoDate, lastCompleteMonth, monthlyHistory,
  monthsPer, monthsToCover, MonthQuantiles, nextPeriod, parseMonth, reorderSuggestion, ReorderSuggestion, ServedSeries, serveForecasts, stockOutDays,
} from '@pedigree/forecasting';
import { ServiceError } from '@pedigree/platform';
import { DemandStore, SeriesKey } from './demand-store';
import { ForecastConfig } from './forecast-config';
import { forecastDigest, roundNumbers } from './forecast-digest';
import { ServingModels } from './serving-models';

export const LEVELS = [0.1, 0.5, 0.9];
/** Horizon limits per granularity: two years, whatever the unit. */
export const MAX_HORIZON: Record<Granularity, number> = { DAY: 731, WEEK: 104, MONTH: 24 };

export interface ForecastPeriod {
  readonly period: string;
  readonly q10: number;
  readonly q50: number;
  readonly q90: number;
}

/** The forecast as published and digested: everything a later audit needs to see what a planner saw. */
export interface ForecastDocument {
  readonly schema: 'pedigree.forecast';
  readonly version: 1;
  readonly gtin: string;
  readonly location: string;
  readonly granularity: Granularity;
  readonly horizon: number;
  readonly historyThrough: string;
  readonly method: string;
  readonly fittedModel: string;
  readonly modelVersion: string;
  readonly reason: string;
  readonly notes: string[];
  readonly periods: ForecastPeriod[];
}

export interface ServedForecast {
  readonly document: ForecastDocument;
  readonly digest: string;
  readonly validation: Partial<Record<string, number>>;
}

/**
 * The forecasting job: a series' history (imported and live, stock-out months censored), the library's served path on
 * the stored model, periods other than months, and the reorder policy. Nothing here trains, stores or publishes.
 */
export class Forecasts {
  private readonly cache = new Map<string, ServedSeries>();

  constructor(
    readonly demand: DemandStore,
    private readonly models: ServingModels,
    readonly config: ForecastConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  normaliseKey(gtin: string, location: string | undefined): SeriesKey {
    let g: string;
    try {
      g = normaliseGtin(gtin.trim());
    } catch {
      throw new ServiceError('BAD_INPUT', 'INVALID_GTIN', `"${gtin}" is not a valid GTIN`);
    }
    return { gtin: g, location: (location ?? '').trim() || this.config.org };
  }

  /** Demand per period, imported and live together, through today. */
  async history(key: SeriesKey, granularity: Granularity): Promise<DemandPoint[]> {
    const sources = await this.demand.sources(key);
    const records = [
      ...sources.imported,
      ...[...sources.dispensed].map(([date, quantity]) => ({ date, quantity, covers: 'day' as const })),
    ];
    return bucketDemand(records, granularity, isoDate(this.now().getTime()));
  }

  /** Days that opened with nothing on hand, through today (oldest first). */
  stockOutDays(sources: DemandSources): string[] {
    return [...stockOutDays(sources.stock ?? new Map<string, number>(), isoDate(this.now().getTime()))].sort();
  }

  private historyThrough(): string {
    const now = this.now();
    return this.config.includeCurrentMonth ? now.toISOString().slice(0, 7) : lastCompleteMonth(now);
  }

  /** The monthly history the models see, or a typed refusal saying why there is none. */
  async monthlyDemand(key: SeriesKey): Promise<{ history: DemandHistory; through: string }> {
    const through = this.historyThrough();
    const monthly = monthlyHistory(await this.demand.sources(key), through, { minStockOutDays: this.config.stockOutDays });
    if (!monthly) {
      if (!(await this.demand.productKnown(key.gtin))) throw new ServiceError('NOT_FOUND', 'UNKNOWN_PRODUCT', `GTIN ${key.gtin} is not a registered product and has no demand history`);
      throw new ServiceError('NOT_FOUND', 'NO_DEMAND_HISTORY', `no complete month of demand for ${key.gtin} at ${key.location} through ${through} (the current month counts once it is over)`);
    }
    // Stock-out months are censored: what was dispensed then is at least the demand, not the demand.
    return { history: { key: `${key.gtin}|${key.location}`, start: parseMonth(monthly.start), values: monthly.values, ...(monthly.censored ? { censored: monthly.censored } : {}) }, through };
  }

  async forecast(key: SeriesKey, horizon: number, granularity: Granularity): Promise<ServedForecast> {
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON[granularity]) {
      throw new ServiceError('BAD_INPUT', 'INVALID_HORIZON', `horizon must be a whole number of periods from 1 to ${MAX_HORIZON[granularity]} for ${granularity}`);
    }
    const { history, through } = await this.monthlyDemand(key);
    const firstMonth = nextPeriod(`${through}-01`, 'MONTH');
    const months = monthsToCover(firstMonth, horizon, granularity);
    const served = this.servedForecast(history, months);
    const monthQuantiles: MonthQuantiles[] = [];
    for (let i = 0, m = firstMonth; i < months; i++, m = nextPeriod(m, 'MONTH')) {
      monthQuantiles.push({ month: m, quantiles: new Map(served.forecast.levels.map((level, j) => [level, served.forecast.quantiles[j][i]])) });
    }
    // Days and weeks take their month's share by the weekday and holiday profile of the live dispenses.
    const profile = granularity === 'MONTH' ? undefined : dayProfileFromHistory((await this.demand.sources(key)).dispensed, this.config.calendar);
    const periods = disaggregate(monthQuantiles, LEVELS, granularity, firstMonth, horizon, profile)
      .map((p) => ({ period: p.period, q10: p.quantiles[0], q50: p.quantiles[1], q90: p.quantiles[2] }));
    const split = profile?.source === 'history'
      ? `${granularity.toLowerCase()}s are shares of the monthly forecast weighted by the weekday and ${this.config.calendar} holiday profile of ${profile.days} days of dispensing`
      : `${granularity.toLowerCase()}s are day shares of the monthly forecast (fewer than 56 days of daily dispensing to measure weekdays and holidays)`;
    const document: ForecastDocument = roundNumbers({
      schema: 'pedigree.forecast', version: 1, gtin: key.gtin, location: key.location, granularity, horizon, historyThrough: through,
      method: this.models.trained() ? 'served' : 'ets', fittedModel: served.forecast.model, modelVersion: this.models.currentVersion(),
      reason: granularity === 'MONTH' ? served.reason : `${served.reason}; ${split}`,
      notes: served.forecast.notes, periods,
    });
    const validation = this.models.current().policy.validation.mase;
    return { document, digest: forecastDigest(document), validation };
  }

  /** The library's served path on one series, memoised by history and model: the same question gets the same answer. */
  servedForecast(history: DemandHistory, months: number): ServedSeries {
    const serving = this.models.current();
    const censored = history.censored?.map((c) => (c ? 1 : 0)).join('') ?? '';
    const cacheKey = `${serving.model?.metadata.version ?? '-'}|${months}|${history.start}|${history.values.join(',')}|${censored}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const result = serveForecasts([history], serving, { horizon: months, levels: LEVELS });
    const served = result.forecasts[0];
    if (!served) {
      const refusal = result.refused[0];
      throw new ServiceError('BAD_INPUT', refusal?.code ?? 'EMPTY_SERIES', refusal?.message ?? 'the series has no usable demand');
    }
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, served);
    return served;
  }

  async reorder(key: SeriesKey, leadTimePeriods: number, serviceLevel: number, granularity: Granularity): Promise<{ forecast: ServedForecast; suggestion: ReorderSuggestion; onHand: number; inTransit: number }> {
    if (!(leadTimePeriods > 0 && leadTimePeriods <= MAX_HORIZON[granularity] / 2)) throw new ServiceError('BAD_INPUT', 'INVALID_LEAD_TIME', `lead time must be above 0 and at most ${MAX_HORIZON[granularity] / 2} ${granularity.toLowerCase()}s`);
    if (!(serviceLevel > 0.5 && serviceLevel < 1)) throw new ServiceError('BAD_INPUT', 'INVALID_SERVICE_LEVEL', 'service level must be above 0.5 and below 1');
    const horizon = Math.ceil(leadTimePeriods + this.config.reviewPeriods) + 1;
    const forecast = await this.forecast(key, horizon, granularity);
    const { onHand, inTransit } = await this.demand.stock(key);
    // The policy works on the monthly served distribution: lead time and review in other units become months.
    const { history, through } = await this.monthlyDemand(key);
    const toMonths = monthsPer(granularity);
    const lead = leadTimePeriods * toMonths;
    const review = this.config.reviewPeriods * toMonths;
    const served = this.servedForecast(history, monthsToCover(nextPeriod(`${through}-01`, 'MONTH'), Math.ceil(lead + review) + 1, 'MONTH'));
    const suggestion = reorderSuggestion(served, this.models.current().policy, { leadTimePeriods: lead, reviewPeriods: review, serviceLevel, onHand, inTransit });
    return { forecast, suggestion, onHand, inTransit };
  }
}
