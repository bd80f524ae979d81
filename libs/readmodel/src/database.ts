import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { launchEmbeddedPostgres } from './embedded-postgres';
import { READ_MODEL_ENTITIES } from './entities';
import { READ_MODEL_MIGRATIONS } from './migrations';

export type PartnerRole = 'manufacturer' | 'distributor' | 'dispenser';

/**
 * Embedded Postgres port per role, so the three services run side by side on one machine. Shifted
 * by PEDIGREE_PORT_OFFSET like the Fabric network, so a second copy of the system does not clash.
 */
export const DEFAULT_POSTGRES_PORTS: Readonly<Record<PartnerRole, number>> = { manufacturer: 5411, distributor: 5412, dispenser: 5413 };

/** PEDIGREE_PG_PORT, else the service's default (a second organisation of one role must say its port). */
export function postgresPortFor(name: string): number {
  if (process.env.PEDIGREE_PG_PORT) return Number(process.env.PEDIGREE_PG_PORT);
  const port = DEFAULT_POSTGRES_PORTS[name as PartnerRole];
  if (port === undefined) throw new Error(`read model ${name}: set PEDIGREE_PG_PORT (its embedded Postgres port) or DATABASE_URL`);
  return port + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
}

/** Data directory of a role's embedded Postgres: .data/<role> under the checkout (git-ignored). */
export function postgresDataDir(role: string, root = process.cwd()): string {
  return path.resolve(process.env.PEDIGREE_DATA_DIR ?? path.join(root, '.data'), role);
}

/** The embedded server's user; it listens on loopback only, but other local users can reach that. */
const EMBEDDED_USER = 'pedigree';
/** What servers initialised before passwords were generated were given; kept so they still open. */
const LEGACY_PASSWORD = 'pedigree';

/**
 * The password of the embedded server under `dataDir`: generated when the server is first
 * initialised and kept beside the data directory (mode 0600), so every data directory has its own
 * and none is in the source.
 */
export function embeddedPassword(dataDir: string): string {
  const file = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.password`);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = fs.existsSync(path.join(dataDir, 'PG_VERSION')) ? LEGACY_PASSWORD : randomBytes(24).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // Exclusive: of two processes asking at once (a service and the forecast reading its database), one writes.
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fs.readFileSync(file, 'utf8').trim();
  }
  return password;
}

/** A database on the embedded server named `name` (see postgresDataDir), e.g. for benches and tools. */
export function embeddedDatabaseUrl(name: string, port: number, database: string): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(embeddedPassword(postgresDataDir(name)))}@127.0.0.1:${port}/${database}`;
}

/** A Postgres server this process started, and how to reach one database in it. */
export interface PostgresServer {
  readonly url: (database: string) => string;
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL 18 with its data under `dataDir`, as
 * the user, or as root as the `postgres` account with everything it needs placed where it can reach
 * it (see embedded-postgres.ts). A condition the user can fix fails as a one-line SetupFailure.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (line: string) => void = () => {}): Promise<PostgresServer> {
  const password = embeddedPassword(dataDir);
  const server = await launchEmbeddedPostgres({ dataDir, port, user: EMBEDDED_USER, password, log });
  return {
    url: (database) => `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const { Client } = await import('pg');
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two processes racing to create it: the loser sees a duplicate, which is what it wanted.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

export function readModelDataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    extra: { max: Number(process.env.PEDIGREE_PG_POOL ?? 20) },
    ...overrides,
  } as DataSourceOptions;
}

export interface ReadModelDatabase {
  readonly dataSource: DataSource;
  readonly url: string;
  /** Closes the pool, then stops the embedded server if this process started one. */
  close(): Promise<void>;
}

/**
 * The read model's database for one service: DATABASE_URL when set (any Postgres), else an
 * embedded Postgres under .data/<name>. One database per service (`pedigree_<name>`); the name is
 * the service's role unless PEDIGREE_READMODEL_NAME gives the organisation's own (two pharmacies
 * on one machine). Migrations run on open; schema synchronisation is never used.
 */
export async function openReadModelDatabase(role: PartnerRole, log: (line: string) => void = () => {}): Promise<ReadModelDatabase> {
  const name = process.env.PEDIGREE_READMODEL_NAME ?? role;
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`PEDIGREE_READMODEL_NAME must be lower-case letters, digits and _ (got ${name})`);
  let server: PostgresServer | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    server = await startEmbeddedPostgres(postgresDataDir(name), postgresPortFor(name), log);
    url = server.url(`pedigree_${name}`);
  }
  await ensureDatabase(url);
  const dataSource = new DataSource(readModelDataSourceOptions(url));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  return {
    dataSource,
    url,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await server?.stop();
    },
  };
}
