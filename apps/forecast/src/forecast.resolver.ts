import { Inject } from '@nestjs/common';
import { Args, Context, Float, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { on } from 'node:events';
import { Principal, Roles, ServiceError } from '@pedigree/platform';
import { decodeCompositeCursor, decodeCursor, encodeCursor, pageSize as pagedSize } from '@pedigree/readmodel';
import { PublishedForecastRow, TrainingJobRow } from './entities';
import {
  DemandForecast, DemandHistoryView, DemandImport, ForecastVerification, GranularityEnum, ModelInfo, ModelVersionConnection, PublishedForecast,
  PublishedForecastConnection, ReorderConnection, ReorderLine, TrainingJob,
} from './graphql-types';
import { Forecasts, ServedForecast } from './forecasts';
import { PublishedForecasts } from './published-forecasts';
import { ServingModels } from './serving-models';
import { JobUpdate, TrainingJobs } from './training-jobs';

/** Planners read and publish forecasts; admins retrain; auditors verify. */
const READERS = ['admin', 'planner', 'auditor', 'operator'] as const;
const PUBLISHERS = ['admin', 'planner'] as const;
/** A page of forecasts costs a model run per line: smaller pages than the partner lists. */
export const FORECAST_MAX_PAGE = 100;
const pageSize = (first: number | null | undefined) => pagedSize(first, FORECAST_MAX_PAGE);
const cursorOf = encodeCursor;

@Resolver()
export class ForecastResolver {
  constructor(
    @Inject(Forecasts) private readonly forecasts: Forecasts,
    @Inject(PublishedForecasts) private readonly published: PublishedForecasts,
    @Inject(TrainingJobs) private readonly training: TrainingJobs,
    @Inject(ServingModels) private readonly servingModels: ServingModels,
  ) {}

  @Roles(...READERS)
  @Query(() => DemandForecast, { description: 'Demand forecast of a product at a location, with quantiles per period, the method and why' })
  async forecast(
    @Args('gtin') gtin: string,
    @Args('location', { type: () => String, nullable: true, description: 'Site SGLN, or the organisation (default)' }) location: string | null,
    @Args('horizon', { type: () => Int, defaultValue: 12 }) horizon: number,
    @Args('granularity', { type: () => GranularityEnum, defaultValue: GranularityEnum.MONTH }) granularity: GranularityEnum,
  ): Promise<DemandForecast> {
    return this.view(await this.forecasts.forecast(this.forecasts.normaliseKey(gtin, location ?? undefined), horizon, granularity));
  }

  @Roles(...READERS)
  @Query(() => DemandHistoryView, { description: 'Demand per period: imported history and live dispenses from the ledger' })
  async demandHistory(
    @Args('gtin') gtin: string,
    @Args('location', { type: () => String, nullable: true }) location: string | null,
    @Args('granularity', { type: () => GranularityEnum, defaultValue: GranularityEnum.MONTH }) granularity: GranularityEnum,
    @Args('last', { type: () => Int, nullable: true, description: 'Only the most recent periods (at most 1000)' }) last: number | null,
  ): Promise<DemandHistoryView> {
    const key = this.forecasts.normaliseKey(gtin, location ?? undefined);
    const sources = await this.forecasts.demand.sources(key);
    const points = await this.forecasts.history(key, granularity);
    const n = Math.min(last ?? 1000, 1000);
    return {
      gtin: key.gtin, location: key.location, granularity,
      total: points.reduce((s, p) => s + p.quantity, 0),
      liveDispenses: [...sources.dispensed.values()].reduce((s, v) => s + v, 0),
      importedQuantity: sources.imported.reduce((s, r) => s + r.quantity, 0),
      points: points.slice(-n),
      stockOutDays: this.forecasts.stockOutDays(sources).slice(-1000),
    };
  }

  @Roles(...READERS)
  @Query(() => ReorderConnection, { description: 'Reorder point and order quantity per product at a location, from the forecast over the lead time' })
  async reorderSuggestions(
    @Args('location', { type: () => String, nullable: true }) location: string | null,
    @Args('leadTimePeriods', { type: () => Float, nullable: true, description: 'Default FORECAST_LEAD_TIME_PERIODS' }) leadTimePeriods: number | null,
    @Args('serviceLevel', { type: () => Float, nullable: true, description: 'Probability of not running out before the order arrives; default FORECAST_SERVICE_LEVEL' }) serviceLevel: number | null,
    @Args('granularity', { type: () => GranularityEnum, defaultValue: GranularityEnum.MONTH }) granularity: GranularityEnum,
    @Args('gtin', { type: () => String, nullable: true }) gtin: string | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ReorderConnection> {
    const loc = (location ?? '').trim() || this.forecasts.config.org;
    const size = pageSize(first);
    const lead = leadTimePeriods ?? this.forecasts.config.leadTimePeriods;
    const level = serviceLevel ?? this.forecasts.config.serviceLevel;
    const only = gtin ? this.forecasts.normaliseKey(gtin, loc).gtin : null;
    const from = decodeCursor(after);
    const keys = (await this.forecasts.demand.seriesKeys(loc)).filter((k) => (!only || k.gtin === only) && (!from || k.gtin > from));
    const page = keys.slice(0, size);
    const edges = [];
    for (const key of page) {
      const line: ReorderLine = {
        gtin: key.gtin, productName: await this.forecasts.demand.productName(key.gtin), location: key.location, onHand: 0, inTransit: 0,
        leadTimePeriods: lead, granularity, serviceLevel: level, leadTimeDemand: null, safetyStock: null, reorderPoint: null, orderUpToLevel: null,
        orderQuantity: null, reorderNow: null, expedite: null, method: null, forecastDigest: null, problem: null,
      };
      try {
        const r = await this.forecasts.reorder(key, lead, level, granularity);
        Object.assign(line, {
          onHand: r.onHand, inTransit: r.inTransit, leadTimeDemand: r.suggestion.leadTimeDemand, safetyStock: r.suggestion.safetyStock,
          reorderPoint: r.suggestion.reorderPoint, orderUpToLevel: r.suggestion.orderUpToLevel, orderQuantity: r.suggestion.orderQuantity,
          reorderNow: r.suggestion.reorderNow, expedite: r.suggestion.expedite, method: r.forecast.document.method, forecastDigest: r.forecast.digest,
        });
      } catch (err) {
        // Input errors (bad lead time, service level) concern every line: refuse the query.
        if (!(err instanceof ServiceError) || ['INVALID_LEAD_TIME', 'INVALID_SERVICE_LEVEL'].includes(err.serviceCode)) throw err;
        const stock = await this.forecasts.demand.stock(key);
        Object.assign(line, { ...stock, problem: `${err.serviceCode}: ${err.message}` });
      }
      edges.push({ cursor: cursorOf(key.gtin), node: line });
    }
    return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: keys.length > size } };
  }

  @Roles(...READERS)
  @Query(() => ModelInfo, { description: 'The global model serving forecasts, and the tfjs backend running it' })
  model(): ModelInfo {
    const info = this.servingModels.info();
    return modelView(info?.metadata as unknown as Record<string, unknown> | undefined, info?.createdAt, this.servingModels.backend ?? 'not initialised');
  }

  @Roles(...READERS)
  @Query(() => ModelVersionConnection, { description: 'Stored model versions, newest first' })
  async models(@Args('first', { type: () => Int, nullable: true }) first: number | null, @Args('after', { type: () => String, nullable: true }) after: string | null): Promise<ModelVersionConnection> {
    const size = pageSize(first);
    const rows = await this.servingModels.page(decodeCursor(after), size + 1);
    const edges = rows.slice(0, size).map((r) => ({ cursor: cursorOf(new Date(r.createdAt).toISOString()), node: modelView(r.metadata, r.createdAt, this.servingModels.backend ?? 'not initialised') }));
    return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > size } };
  }

  @Roles(...READERS)
  @Query(() => TrainingJob, { nullable: true, description: 'A training job: poll for status, percent and phase' })
  async trainingJob(@Args('id', { type: () => ID }) id: string): Promise<TrainingJob | null> {
    const job = await this.training.job(id);
    return job ? jobView(job) : null;
  }

  @Roles(...READERS)
  @Query(() => PublishedForecastConnection, { description: 'Published forecasts, newest first' })
  async publishedForecasts(
    @Args('gtin', { type: () => String, nullable: true }) gtin: string | null,
    @Args('location', { type: () => String, nullable: true }) location: string | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<PublishedForecastConnection> {
    const size = pageSize(first);
    const g = gtin ? this.forecasts.normaliseKey(gtin, undefined).gtin : null;
    const cursor = decodeCompositeCursor(after, 2);
    const rows = await this.published.page({ gtin: g, location, after: cursor ? { publishedAt: cursor[0], digest: cursor[1] ?? '' } : null, limit: size + 1 });
    const edges = rows.slice(0, size).map((r) => ({ cursor: cursorOf(`${new Date(r.publishedAt).toISOString()}|${r.digest}`), node: this.publishedView(r) }));
    return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > size } };
  }

  @Roles(...READERS)
  @Query(() => ForecastVerification, { description: 'Which forecast a digest names (e.g. the one cited on an order): its ledger anchor and stored document' })
  async verifyForecast(@Args('digest') digest: string): Promise<ForecastVerification> {
    const { anchor, published, documentMatches } = await this.published.verify(digest);
    const anchorView = anchor ? {
      digest: anchor.digest, modelVersion: anchor.modelVersion, gtin: anchor.gtin, location: anchor.location, publishedAt: anchor.publishedAt,
      anchoredBy: anchor.anchoredBy, anchoredAt: anchor.anchoredAt, transactionId: anchor.txId,
    } : null;
    return {
      digest: digest.trim().toLowerCase(), anchored: Boolean(anchor), anchor: anchorView, forecast: published ? this.publishedView(published) : null, documentMatches,
      verified: Boolean(anchor && published && documentMatches && anchor.modelVersion === published.modelVersion),
    };
  }

  @Roles(...PUBLISHERS)
  @Mutation(() => PublishedForecast, { description: 'Publish a forecast: store it and anchor its digest and model version on the ledger' })
  async publishForecast(
    @Args('gtin') gtin: string,
    @Args('location', { type: () => String, nullable: true }) location: string | null,
    @Args('horizon', { type: () => Int, defaultValue: 12 }) horizon: number,
    @Args('granularity', { type: () => GranularityEnum, defaultValue: GranularityEnum.MONTH }) granularity: GranularityEnum,
  ): Promise<PublishedForecast> {
    const served = await this.forecasts.forecast(this.forecasts.normaliseKey(gtin, location ?? undefined), horizon, granularity);
    return this.publishedView(await this.published.publish(served));
  }

  @Roles('admin')
  @Mutation(() => TrainingJob, { description: 'Retrain the global model in the background and publish fresh forecasts; follow trainingJob(id) or trainingJobUpdated' })
  async retrain(@Context() ctx: { principal?: Principal }): Promise<TrainingJob> {
    return jobView(await this.training.start(ctx.principal?.subject ?? 'unknown'));
  }

  @Roles(...PUBLISHERS)
  @Mutation(() => DemandImport, { description: 'Import demand history from CSV (one row per product, location and month or day)' })
  async importDemandHistory(
    @Args('csv') csv: string,
    @Args('gtinColumn', { defaultValue: 'gtin' }) gtinColumn: string,
    @Args('periodColumn', { defaultValue: 'month', description: 'Month ("2024-03", "2024 Mar") or date ("2024-03-15")' }) periodColumn: string,
    @Args('valueColumn', { defaultValue: 'quantity' }) valueColumn: string,
    @Args('locationColumn', { type: () => String, nullable: true }) locationColumn: string | null,
    @Args('location', { type: () => String, nullable: true, description: 'Location of rows without a location column (default: the organisation)' }) location: string | null,
    @Args('source', { defaultValue: 'csv-import', description: 'Label kept with every row, e.g. demo-history' }) source: string,
  ): Promise<DemandImport> {
    if (csv.length > 20_000_000) throw new ServiceError('BAD_INPUT', 'CSV_TOO_LARGE', 'at most 20 MB of CSV per import');
    return this.forecasts.demand.importCsv(csv, { gtinColumn, periodColumn, valueColumn, locationColumn, source, defaultLocation: (location ?? '').trim() || this.forecasts.config.org });
  }

  @Roles(...READERS)
  @Subscription(() => TrainingJob, { description: 'Progress of a training job (graphql-ws)', resolve: (v: TrainingJob) => v })
  async *trainingJobUpdated(@Args('id', { type: () => ID }) id: string): AsyncIterableIterator<TrainingJob> {
    const abort = new AbortController();
    try {
      const current = await this.training.job(id);
      if (!current) return;
      yield jobView(current);
      if (current.status === 'succeeded' || current.status === 'failed') return;
      for await (const [update] of on(this.training.events, 'update', { signal: abort.signal })) {
        const job = (update as JobUpdate).job;
        if (job.id !== id) continue;
        yield jobView(job);
        if (job.status === 'succeeded' || job.status === 'failed') return;
      }
    } finally {
      abort.abort();
    }
  }

  private view(served: ServedForecast): DemandForecast {
    const d = served.document;
    return {
      gtin: d.gtin, location: d.location, granularity: d.granularity as GranularityEnum, horizon: d.horizon, historyThrough: d.historyThrough,
      method: d.method, fittedModel: d.fittedModel, reason: d.reason, notes: d.notes, modelVersion: d.modelVersion,
      validation: Object.entries(served.validation).filter(([, v]) => Number.isFinite(v)).map(([method, mase]) => ({ method, mase: mase as number })),
      periods: d.periods, digest: served.digest, backend: this.servingModels.backend,
    };
  }

  private publishedView(r: PublishedForecastRow): PublishedForecast {
    return {
      digest: r.digest, gtin: r.gtin, location: r.location, modelVersion: r.modelVersion, method: r.method, publishedAt: new Date(r.publishedAt).toISOString(),
      anchorStatus: r.anchorStatus, anchorTransactionId: r.anchorTransactionId, anchorError: r.anchorError, document: this.published.canonical(r),
    };
  }
}

function jobView(j: TrainingJobRow): TrainingJob {
  return {
    id: j.id, status: j.status, phase: j.phase, percent: j.percent, message: j.message, modelVersion: j.modelVersion, forecastsPublished: j.forecastsPublished,
    requestedBy: j.requestedBy, startedAt: new Date(j.startedAt).toISOString(), finishedAt: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
  };
}

function modelView(m: Record<string, unknown> | undefined, createdAt: Date | undefined, backend: string): ModelInfo {
  const training = (m?.training ?? {}) as Record<string, unknown>;
  const validation = (m?.validation ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    loaded: Boolean(m), backend, version: (m?.version as string) ?? null, trainedOn: (m?.backend as string) ?? null,
    createdAt: createdAt ? new Date(createdAt).toISOString() : null,
    trainingFirstMonth: (training.firstMonth as string) ?? null, trainingLastMonth: (training.lastMonth as string) ?? null,
    trainingSeries: num(training.series), trainingWindows: num(training.windows), trainingSeconds: num(training.seconds), validationMonths: num(training.validationMonths),
    validationPinball: num(validation.pinball), validationMase: num(validation.mase), members: num(m?.members),
  };
}
