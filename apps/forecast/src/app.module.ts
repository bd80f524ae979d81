import { Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { connectFabricLedger, defaultProfilePath, Ledger, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { initBackend } from '@pedigree/forecasting';
import { HealthRegistry, PlatformModule } from '@pedigree/platform';
import { DemandStore } from './demand-store';
import { forecastConfigFromEnv } from './forecast-config';
import { demandSource, ForecastDatabases, openForecastDatabases } from './forecast-database';
import { ForecastResolver } from './forecast.resolver';
import { Forecasts } from './forecasts';
import { PublishedForecasts } from './published-forecasts';
import { ServingModels } from './serving-models';
import { TrainingJobs } from './training-jobs';

const config = forecastConfigFromEnv();
const logger = new Logger('forecast');
const DATABASES = Symbol('FORECAST_DATABASES');

/** The ledger identity is connected on first anchor: the service answers forecasts while the network is down. */
function lazyLedger(): { get: () => Ledger; close: () => void } {
  let ledger: Ledger | undefined;
  return {
    get: () => (ledger ??= connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(process.env.FORECAST_LEDGER_PROFILE ?? defaultProfilePath(config.ledgerOrg))))),
    close: () => ledger?.close(),
  };
}

class ForecastLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DATABASES) private readonly db: ForecastDatabases,
    @Inject(ServingModels) private readonly models: ServingModels,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register({ name: 'database', check: async () => { await this.db.own.query('SELECT 1'); return { healthy: true }; } });
    this.health.register({
      name: 'demand',
      check: async () => {
        try {
          await (await demandSource(this.db)).query('SELECT 1 FROM trace_events LIMIT 1');
          return { healthy: true };
        } catch (err) {
          return { healthy: false, detail: `dispenser read model unreachable: ${(err as Error).message}` };
        }
      },
    });
    // Without a model the baselines serve: that is a working service, reported, not a failure.
    this.health.register({
      name: 'model',
      check: async () => {
        const m = this.models.info();
        return { healthy: true, detail: { loaded: Boolean(m), version: m?.metadata.version ?? null, fallback: m ? null : 'ETS / seasonal naive until a model is trained (retrain)' } };
      },
    });
    this.health.register({ name: 'backend', check: async () => ({ healthy: Boolean(this.models.backend), detail: this.models.backend ?? 'not initialised' }) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

@Module({
  imports: [PlatformModule.forRoot({ service: 'forecast', org: config.org })],
  providers: [
    { provide: DATABASES, useFactory: () => openForecastDatabases((line) => logger.debug?.(line)) },
    {
      provide: ServingModels,
      inject: [DATABASES],
      useFactory: async (db: ForecastDatabases) => {
        const backend = await initBackend({ log: (line) => logger.log(line) });
        logger.log(`tfjs backend: ${backend}`);
        const models = new ServingModels(db.own, (line) => logger.warn(line));
        await models.loadLatest();
        return models;
      },
    },
    {
      provide: DemandStore,
      inject: [DATABASES],
      useFactory: (db: ForecastDatabases) => {
        let connecting: Promise<unknown> | undefined;
        return new DemandStore(db.own, async () => {
          // One initialisation even when several requests arrive at once.
          connecting ??= demandSource(db).catch((err) => { connecting = undefined; throw err; });
          await connecting;
          return db.demand;
        }, config.org);
      },
    },
    { provide: Forecasts, inject: [DemandStore, ServingModels], useFactory: (demand: DemandStore, models: ServingModels) => new Forecasts(demand, models, config) },
    { provide: PublishedForecasts, inject: [DATABASES], useFactory: (db: ForecastDatabases) => new PublishedForecasts(db.own, lazyLedger().get, (line) => logger.warn(line)) },
    {
      provide: TrainingJobs,
      inject: [DATABASES, DemandStore, Forecasts, ServingModels, PublishedForecasts],
      useFactory: (db: ForecastDatabases, demand: DemandStore, forecasts: Forecasts, models: ServingModels, published: PublishedForecasts) =>
        new TrainingJobs(db.own, demand, forecasts, models, published, config, (line) => logger.warn(line)),
    },
    ForecastLifecycle,
    ForecastResolver,
  ],
})
export class ForecastModule {}
