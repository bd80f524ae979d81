import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { normaliseGtin } from '@pedigree/domain';
import {
  activeBackend, BackendName, baselineServing, DEFAULT_DESIGN, DemandHistory, ForecastError, monthIndex, parseMonth, reorderSuggestion, ReorderSuggestion, ServedSeries, serveForecasts,
  servingFromArtifacts, ServingModel, servingToArtifacts, StoredModelArtifacts, trainServingModel,
} from '@pedigree/forecasting';
import { Ledger, LedgerError } from '@pedigree/ledger';
import { ServiceError } from '@pedigree/platform';
import {
  bucketDemand, dayProfileFromHistory, DemandPoint, DemandSources, disaggregate, Granularity, isoDate, lastCompleteMonth, monthlyHistory, MonthQuantiles, nextPeriod, periodStart, stockOutDays,
} from '@pedigree/forecasting';
import { DemandStore, SeriesKey } from './demand-store';
import { ForecastConfig } from './forecast-config';
import { canonicalForecastJson, forecastDigest, roundNumbers } from './forecast-digest';
import { PublishedForecastRow, TrainingJobRow } from './entities';

export const LEVELS = [0.1, 0.5, 0.9];
/** Horizon limits per granularity: two years, whatever the unit. */
export const MAX_HORIZON: Record<Granularity, number> = { DAY: 731, WEEK: 104, MONTH: 24 };
/** What the anchor names when no global model is loaded and the baselines served the forecast. */
export const BASELINE_MODEL_VERSION = 'baselines';

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

export interface JobUpdate {
  readonly job: TrainingJobRow;
}

/** The forecast service's work: histories, forecasts, publishing and anchoring, training jobs. */
export class ForecastEngine {
  readonly jobEvents = new EventEmitter();
  private serving: ServingModel | undefined;
  private modelCreatedAt: Date | undefined;
  private readonly cache = new Map<string, ServedSeries>();
  private runningJob: Promise<void> | undefined;

  constructor(
    readonly own: DataSource,
    readonly demand: DemandStore,
    readonly config: ForecastConfig,
    private readonly ledger: () => Ledger,
    private readonly log: (line: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.jobEvents.setMaxListeners(1000);
  }

  get activeModel(): ServingModel | undefined {
    return this.serving;
  }

  get backend(): BackendName | undefined {
    return activeBackend();
  }

  /** Loads the newest stored model, if any: forecasts fall back to the baselines until one is trained. */
  async loadLatestModel(): Promise<void> {
    const [row] = await this.own.query(`SELECT * FROM model_versions ORDER BY "createdAt" DESC LIMIT 1`);
    if (!row) return;
    try {
      const loaded = await servingFromArtifacts(artifactsOf(row));
      this.serving?.model?.dispose();
      this.serving = loaded;
    } catch (error) {
      // A model stored before serving policies existed cannot serve what was measured: baselines until a retrain.
      if (!(error instanceof ForecastError)) throw error;
      this.log(`stored model ${row.version} not served: ${error.message}`);
      return;
    }
    this.modelCreatedAt = new Date(row.createdAt);
    this.cache.clear();
  }

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
    const trained = this.serving?.model !== undefined;
    const document: ForecastDocument = roundNumbers({
      schema: 'pedigree.forecast', version: 1, gtin: key.gtin, location: key.location, granularity, horizon, historyThrough: through,
      method: trained ? 'served' : 'ets', fittedModel: served.forecast.model, modelVersion: trained ? this.servingModel().model!.metadata.version : BASELINE_MODEL_VERSION,
      reason: granularity === 'MONTH' ? served.reason : `${served.reason}; ${split}`,
      notes: served.forecast.notes, periods,
    });
    const validation = this.servingModel().policy.validation.mase;
    return { document, digest: forecastDigest(document), validation };
  }

  /** The stored serving model, or (before any training) ETS alone, uncalibrated, saying so. */
  servingModel(): ServingModel {
    return this.serving ?? baselineServing();
  }

  /** The library's served path on one series, memoised by history and model: the same question gets the same answer. */
  servedForecast(history: DemandHistory, months: number): ServedSeries {
    const serving = this.servingModel();
    const cacheKey = `${serving.model?.metadata.version ?? '-'}|${months}|${history.start}|${history.values.join(',')}|${history.censored?.map((c) => (c ? 1 : 0)).join('') ?? ''}`;
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
    const suggestion = reorderSuggestion(served, this.servingModel().policy, { leadTimePeriods: lead, reviewPeriods: review, serviceLevel, onHand, inTransit });
    return { forecast, suggestion, onHand, inTransit };
  }

  /** Stores a forecast and anchors its digest on the ledger; publishing the same forecast again changes nothing. */
  async publish(served: ServedForecast): Promise<PublishedForecastRow> {
    const repo = this.own.getRepository(PublishedForecastRow);
    let row = await repo.findOneBy({ digest: served.digest });
    if (!row) {
      row = repo.create({
        digest: served.digest, gtin: served.document.gtin, location: served.document.location, granularity: served.document.granularity,
        modelVersion: served.document.modelVersion, method: served.document.method, document: served.document as unknown as Record<string, unknown>,
        publishedAt: this.now(), anchorStatus: 'pending', anchorTransactionId: null, anchorError: null,
      });
      await repo.save(row);
    }
    if (row.anchorStatus !== 'anchored') await this.anchor(row);
    return row;
  }

  private async anchor(row: PublishedForecastRow): Promise<void> {
    const command = {
      eventId: `forecast-${row.digest}`, digest: row.digest, modelVersion: row.modelVersion, gtin: row.gtin, location: row.location,
      publishedAt: new Date(row.publishedAt).toISOString(),
    };
    try {
      const result = await this.ledger().submit('AnchorForecast', [JSON.stringify(command)], { contract: 'forecast' });
      const answer = JSON.parse(Buffer.from(result.payload).toString('utf8')) as { anchor: { txId: string } };
      row.anchorStatus = 'anchored';
      row.anchorTransactionId = answer.anchor.txId;
      row.anchorError = null;
    } catch (err) {
      row.anchorStatus = 'failed';
      row.anchorError = (err as Error).message;
      this.log(`anchoring ${row.digest} failed: ${(err as Error).message}`);
    }
    await this.own.getRepository(PublishedForecastRow).save(row);
  }

  /** What the ledger says about a digest, beside what this service published under it. */
  async verify(digest: string): Promise<{ anchor: Record<string, string> | undefined; published: PublishedForecastRow | null; documentMatches: boolean | null }> {
    const d = digest.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(d)) throw new ServiceError('BAD_INPUT', 'INVALID_DIGEST', 'a forecast digest is a SHA-256 in hex (64 characters)');
    let anchor: Record<string, string> | undefined;
    try {
      anchor = JSON.parse(Buffer.from(await this.ledger().evaluate('GetForecastAnchor', [d], { contract: 'forecast' })).toString('utf8')) as Record<string, string>;
    } catch (err) {
      if (!(err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND')) throw err;
    }
    const published = await this.own.getRepository(PublishedForecastRow).findOneBy({ digest: d });
    const documentMatches = published ? forecastDigest(published.document) === d : null;
    return { anchor, published, documentMatches };
  }

  canonical(row: PublishedForecastRow): string {
    return canonicalForecastJson(row.document);
  }

  // ---- training jobs -------------------------------------------------------------------------

  /** Starts a retraining job in the background, or answers the one already running. */
  async startTraining(requestedBy: string): Promise<TrainingJobRow> {
    const repo = this.own.getRepository(TrainingJobRow);
    const running = await repo.findOne({ where: [{ status: 'running' }, { status: 'queued' }], order: { startedAt: 'DESC' } });
    if (running && this.runningJob) return running;
    const job = repo.create({ id: randomUUID(), status: 'queued', phase: 'queued', percent: 0, message: null, modelVersion: null, forecastsPublished: 0, requestedBy, startedAt: this.now(), finishedAt: null });
    await repo.save(job);
    this.runningJob = this.runTraining(job).finally(() => (this.runningJob = undefined));
    return job;
  }

  async job(id: string): Promise<TrainingJobRow | null> {
    return this.own.getRepository(TrainingJobRow).findOneBy({ id });
  }

  private async update(job: TrainingJobRow, change: Partial<TrainingJobRow>): Promise<void> {
    Object.assign(job, change);
    await this.own.getRepository(TrainingJobRow).save(job);
    this.jobEvents.emit('update', { job: { ...job } } satisfies JobUpdate);
  }

  private async runTraining(job: TrainingJobRow): Promise<void> {
    try {
      await this.update(job, { status: 'running', phase: 'loading history', percent: 2 });
      const keys = await this.demand.seriesKeys();
      const histories: DemandHistory[] = [];
      for (const key of keys) {
        try {
          histories.push((await this.monthlyDemand(key)).history);
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
        }
      }
      await this.update(job, { phase: 'training', percent: 10, message: `${histories.length} series` });
      let lastPercent = 10;
      const { serving } = await trainServingModel(histories, {
        horizon: 12, seed: this.config.seed, design: { members: this.config.trainMembers, maxEpochs: this.config.trainMaxEpochs, calendar: this.config.calendar },
        progress: (event) => {
          // Structured progress: members and epochs while the network trains, then the policy's phases.
          const within = event.member !== undefined && event.members !== undefined
            ? (event.member - 1 + Math.min(1, (event.epoch ?? 0) / this.config.trainMaxEpochs)) / event.members
            : event.phase === 'network' ? 0 : 1;
          const percent = Math.round(10 + 65 * within + (event.phase === 'weights' ? 3 : event.phase === 'calibration' ? 5 : event.phase === 'done' ? 7 : 0));
          if (percent > lastPercent) {
            lastPercent = percent;
            void this.update(job, { percent, message: event.message });
          }
        },
      });
      // Too short a history for the global model is not a failure of the job: the baselines
      // (seasonal naive, ETS, Croston-type for intermittent series) still forecast every series, and
      // those forecasts are published; the job says why no model came of it.
      const noModel = serving.model
        ? undefined
        : `no series has the ${DEFAULT_DESIGN.inputMonths + 24} months the global model needs (${DEFAULT_DESIGN.inputMonths} of input + two years); forecasts use the baselines`;
      let modelVersion: string | undefined;
      if (serving.model) {
        await this.update(job, { phase: 'storing model', percent: 82, message: null });
        const artifacts = await servingToArtifacts(serving);
        await this.own.query(
          `INSERT INTO model_versions (version, "modelTopology", "weightSpecs", "weightData", metadata, "trainingJobId", "createdAt")
           VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (version) DO UPDATE SET "createdAt" = now(), "trainingJobId" = EXCLUDED."trainingJobId", metadata = EXCLUDED.metadata`,
          [artifacts.metadata.version, JSON.stringify(artifacts.modelTopology), JSON.stringify(artifacts.weightSpecs), artifacts.weightData, JSON.stringify(artifacts.metadata), job.id]);
        serving.model.dispose();
        // The stored copy is what later restarts load: serve exactly that.
        await this.loadLatestModel();
        modelVersion = artifacts.metadata.version;
      }
      await this.update(job, { phase: 'publishing forecasts', percent: 88, ...(modelVersion ? { modelVersion } : {}), message: noModel ?? null });
      let published = 0;
      for (const [i, key] of keys.entries()) {
        try {
          await this.publish(await this.forecast(key, 12, 'MONTH'));
          published++;
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
        }
        await this.update(job, { percent: 88 + Math.round((11 * (i + 1)) / Math.max(1, keys.length)), forecastsPublished: published });
      }
      await this.update(job, { status: 'succeeded', phase: 'done', percent: 100, finishedAt: this.now(), message: `${modelVersion ? `model ${modelVersion}` : noModel}; ${published} forecasts published` });
    } catch (err) {
      this.log(`training job ${job.id} failed: ${(err as Error).stack}`);
      await this.update(job, { status: 'failed', phase: 'failed', finishedAt: this.now(), message: (err as Error).message });
    }
  }

  modelInfo() {
    return this.serving?.model ? { metadata: this.serving.model.metadata, createdAt: this.modelCreatedAt } : undefined;
  }
}

/** Months per period of a granularity (a week is 7 of a mean month's 30.4375 days). */
export function monthsPer(granularity: Granularity): number {
  return granularity === 'MONTH' ? 1 : granularity === 'WEEK' ? 7 / 30.4375 : 1 / 30.4375;
}

/** Months of monthly forecast needed to cover `count` periods of `granularity` from `firstMonth`. */
export function monthsToCover(firstMonth: string, count: number, granularity: Granularity): number {
  if (granularity === 'MONTH') return count;
  let end = periodStart(firstMonth, granularity);
  for (let i = 0; i < count; i++) end = nextPeriod(end, granularity);
  const [y0, m0] = firstMonth.split('-').map(Number);
  const [y1, m1] = end.split('-').map(Number);
  return Math.max(1, (monthIndex(y1, m1) - monthIndex(y0, m0)) + 1);
}

export function artifactsOf(row: { modelTopology: object; weightSpecs: unknown; weightData: Buffer; metadata: unknown }): StoredModelArtifacts {
  return { modelTopology: row.modelTopology, weightSpecs: row.weightSpecs as StoredModelArtifacts['weightSpecs'], weightData: row.weightData, metadata: row.metadata as StoredModelArtifacts['metadata'] };
}

