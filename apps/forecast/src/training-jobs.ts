import { EventEmitter } from 'node:events';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DEFAULT_DESIGN, DemandHistory, GlobalQuantileModel, needsPretrainedNetwork, pretrainedGlobalModel, ServingModel, trainServingModel, TrainingProgress } from '@pedigree/forecasting';
import { ServiceError } from '@pedigree/platform';
import { DemandStore } from './demand-store';
import { TrainingJobRow } from './entities';
import { ForecastConfig } from './forecast-config';
import { Forecasts } from './forecasts';
import { PublishedForecasts } from './published-forecasts';
import { ServingModels } from './serving-models';

export interface JobUpdate {
  readonly job: TrainingJobRow;
}

/**
 * The training-jobs job: one retraining at a time in the background, its progress (from the library's structured
 * callback, never parsed log lines) stored and emitted, the model handed to the store, fresh forecasts published.
 */
export class TrainingJobs {
  readonly events = new EventEmitter();
  private running: Promise<void> | undefined;

  constructor(
    private readonly own: DataSource,
    private readonly demand: DemandStore,
    private readonly forecasts: Forecasts,
    private readonly models: ServingModels,
    private readonly published: PublishedForecasts,
    private readonly config: ForecastConfig,
    private readonly log: (line: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.events.setMaxListeners(1000);
  }

  /** Starts a retraining job in the background, or answers the one already running. */
  async start(requestedBy: string): Promise<TrainingJobRow> {
    const repo = this.own.getRepository(TrainingJobRow);
    const running = await repo.findOne({ where: [{ status: 'running' }, { status: 'queued' }], order: { startedAt: 'DESC' } });
    if (running && this.running) return running;
    const job = repo.create({ id: randomUUID(), status: 'queued', phase: 'queued', percent: 0, message: null, modelVersion: null, forecastsPublished: 0, requestedBy, startedAt: this.now(), finishedAt: null });
    await repo.save(job);
    this.running = this.run(job).finally(() => (this.running = undefined));
    return job;
  }

  async job(id: string): Promise<TrainingJobRow | null> {
    return this.own.getRepository(TrainingJobRow).findOneBy({ id });
  }

  private async update(job: TrainingJobRow, change: Partial<TrainingJobRow>): Promise<void> {
    Object.assign(job, change);
    await this.own.getRepository(TrainingJobRow).save(job);
    this.events.emit('update', { job: { ...job } } satisfies JobUpdate);
  }

  /** Percent done for a progress event: the network's members and epochs take 10-75%, the policy's phases the rest. */
  private percentOf(event: TrainingProgress): number {
    const within = event.member !== undefined && event.members !== undefined
      ? (event.member - 1 + Math.min(1, (event.epoch ?? 0) / this.config.trainMaxEpochs)) / event.members
      : event.phase === 'network' ? 0 : 1;
    return Math.round(10 + 65 * within + (event.phase === 'weights' ? 3 : event.phase === 'calibration' ? 5 : event.phase === 'done' ? 7 : 0));
  }

  /**
   * The PBS-pretrained network when the panel is too small for its own (config `pretrained`), from the model store
   * or trained there on first use. Its design is this service's (members, epochs) with PBS's calendar: it is
   * trained on PBS demand; the panel's own calendar and policy are still learned on the panel.
   */
  private async pretrainedFor(job: TrainingJobRow, histories: readonly DemandHistory[], design: { members: number; maxEpochs: number }): Promise<GlobalQuantileModel | undefined> {
    if (this.config.pretrained === 'off' || !needsPretrainedNetwork(histories)) return undefined;
    await this.update(job, { phase: 'pretrained network', percent: 4, message: 'too few long series for a network of their own: loading the PBS-pretrained network (trained on first use)' });
    const { model } = await pretrainedGlobalModel(this.models.pretrainedStore(), {
      design: { ...design, calendar: 'AU' },
      seed: this.config.seed,
      progress: (event) => {
        if (event.epoch === undefined || event.epoch % 10 === 0) void this.update(job, { message: `pretraining on PBS: ${event.message}` });
      },
    });
    return model;
  }

  private async run(job: TrainingJobRow): Promise<void> {
    try {
      await this.update(job, { status: 'running', phase: 'loading history', percent: 2 });
      const keys = await this.demand.seriesKeys();
      const histories: DemandHistory[] = [];
      for (const key of keys) {
        try {
          histories.push((await this.forecasts.monthlyDemand(key)).history);
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
        }
      }
      const design = { members: this.config.trainMembers, maxEpochs: this.config.trainMaxEpochs, calendar: this.config.calendar };
      const pretrained = await this.pretrainedFor(job, histories, design);
      await this.update(job, { phase: 'training', percent: 10, message: pretrained ? `${histories.length} series, from the pretrained network ${pretrained.metadata.version}` : `${histories.length} series` });
      let lastPercent = 10;
      const trained = await trainServingModel(histories, {
        horizon: 12, seed: this.config.seed, design, ...(pretrained ? { model: pretrained } : {}),
        progress: (event) => {
          const percent = this.percentOf(event);
          if (percent > lastPercent) {
            lastPercent = percent;
            void this.update(job, { percent, message: event.message });
          }
        },
      });
      const serving = pretrained ? ownVersion(trained.serving) : trained.serving;
      // Too short a history for the global model is not a failure of the job: the baselines
      // (seasonal naive, ETS, theta, Croston-type for intermittent series) still forecast every series, and
      // those forecasts are published; the job says why no model came of it.
      const noModel = serving.model
        ? undefined
        : `no series has the ${DEFAULT_DESIGN.inputMonths + 24} months the global model needs (${DEFAULT_DESIGN.inputMonths} of input + two years); forecasts use the baselines`;
      let modelVersion: string | undefined;
      if (serving.model) {
        await this.update(job, { phase: 'storing model', percent: 82, message: null });
        modelVersion = await this.models.store(serving, job.id);
      }
      await this.update(job, { phase: 'publishing forecasts', percent: 88, ...(modelVersion ? { modelVersion } : {}), message: noModel ?? null });
      let published = 0;
      for (const [i, key] of keys.entries()) {
        try {
          await this.published.publish(await this.forecasts.forecast(key, 12, 'MONTH'));
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
}

/**
 * A serving model on a pretrained network carries the network's version; its own version adds a digest of the
 * policy learned here, so every panel's serving model is stored apart from the network and from each other.
 */
function ownVersion(serving: ServingModel): ServingModel {
  if (!serving.model) return serving;
  const digest = createHash('sha256').update(JSON.stringify(serving.policy)).digest('hex').slice(0, 12);
  return { model: serving.model.withMetadata({ ...serving.model.metadata, version: `${serving.model.metadata.version}+policy-${digest}` }), policy: serving.policy };
}
