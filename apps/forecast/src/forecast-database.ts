import { DataSource } from 'typeorm';
import { embeddedDatabaseUrl, ensureDatabase, postgresDataDir, postgresPortFor, PostgresServer, startEmbeddedPostgres } from '@pedigree/readmodel';
import { FORECAST_ENTITIES } from './entities';
import { FORECAST_MIGRATIONS } from './migrations';

/** Embedded Postgres port of the forecast service, beside the partners' 5411-5413 (shifted by PEDIGREE_PORT_OFFSET). */
export const FORECAST_POSTGRES_PORT = 5414;

export interface ForecastDatabases {
  /** The forecast service's own database (read-write, migrated). */
  readonly own: DataSource;
  /** The dispenser's read model (read-only use: dispenses, stock, inbound shipments). */
  readonly demand: DataSource;
  readonly ownUrl: string;
  readonly demandUrl: string;
  close(): Promise<void>;
}

/**
 * Own state: DATABASE_URL, else an embedded Postgres under .data/forecast. Demand: the dispenser's
 * read model at DEMAND_DATABASE_URL, else the database the dispenser service uses when it runs on
 * its embedded Postgres (same port and database name as libs/readmodel's factory picks).
 */
export async function openForecastDatabases(log: (line: string) => void = () => {}): Promise<ForecastDatabases> {
  let server: PostgresServer | undefined;
  let ownUrl = process.env.DATABASE_URL;
  if (!ownUrl) {
    const port = Number(process.env.FORECAST_PG_PORT ?? FORECAST_POSTGRES_PORT + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0));
    server = await startEmbeddedPostgres(postgresDataDir('forecast'), port, log);
    ownUrl = server.url('pedigree_forecast');
  }
  await ensureDatabase(ownUrl);
  const own = new DataSource({ type: 'postgres', url: ownUrl, entities: FORECAST_ENTITIES, migrations: FORECAST_MIGRATIONS, synchronize: false, migrationsRun: false, extra: { max: 10 } });
  await own.initialize();
  await own.runMigrations({ transaction: 'all' });

  const demandUrl = process.env.DEMAND_DATABASE_URL ?? embeddedDatabaseUrl('dispenser', postgresPortFor('dispenser'), 'pedigree_dispenser');
  // The read model belongs to the dispenser service: no entities, no migrations, read-only sessions.
  const demand = new DataSource({ type: 'postgres', url: demandUrl, entities: [], synchronize: false, extra: { max: 5, options: '-c default_transaction_read_only=on' } });
  return {
    own,
    demand,
    ownUrl,
    demandUrl,
    close: async () => {
      if (own.isInitialized) await own.destroy();
      if (demand.isInitialized) await demand.destroy();
      await server?.stop();
    },
  };
}

/** Connects to the dispenser's read model on first use, so the forecast service starts even before the dispenser. */
export async function demandSource(db: ForecastDatabases): Promise<DataSource> {
  if (!db.demand.isInitialized) await db.demand.initialize();
  return db.demand;
}
