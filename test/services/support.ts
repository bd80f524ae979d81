import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { GraphQLRequestError, GraphQLResponse, postGraphQL, requestGraphQL } from '@pedigree/graphql-client';

/**
 * Runs the three partner services as real processes (as in production: `node dist/apps/<role>/src/main.js`)
 * against the integration network, with one embedded Postgres and a fresh database per service.
 */
export const ROOT = path.resolve(__dirname, '../..');
export type Role = 'manufacturer' | 'distributor' | 'dispenser';
export const ROLES: readonly Role[] = ['manufacturer', 'distributor', 'dispenser'];
export const MSP: Record<Role, string> = { manufacturer: 'ManufacturerMSP', distributor: 'DistributorMSP', dispenser: 'DispenserMSP' };
const offset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
// The whole offset, as every other suite: a private copy of the system (another checkout under its
// own PEDIGREE_PORT_OFFSET) must not share a service port with this one.
export const PORTS: Record<Role, number> = { manufacturer: 5001 + offset, distributor: 5002 + offset, dispenser: 5003 + offset };

/**
 * The demo keys (the suites log in as `demo-<role>-<user role>`), and rate limits no suite reaches:
 * the defaults are sized for people. test/security sets its own to show the limiter refusing.
 */
export const TEST_SERVICE_ENV: Record<string, string> = {
  PEDIGREE_DEMO: '1', PEDIGREE_RATE_LIMIT: '100000000', PEDIGREE_RATE_LIMIT_ANONYMOUS: '100000000',
  // The default consortium's second pharmacy has demo keys too (`demo-riverside-<role>`), as under npm start.
  PEDIGREE_DEMO_ORGS: JSON.stringify({ ...MSP, riverside: 'RiversideMSP' }),
};

export const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;

export class Postgres {
  private constructor(private readonly child: ChildProcess, readonly adminUrl: string) {}

  /** One embedded server per test file (name and port), so files can run in parallel workers. */
  static async start(name = 'e2e-services', port = 5400 + offset + 9): Promise<Postgres> {
    const cli = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
    const child = spawn(process.execPath, [cli, 'postgres', '--name', name, '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const m = out.match(/"url":"([^"]+)"/);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`postgres exited ${code}`)));
    });
    return new Postgres(child, url);
  }

  databaseUrl(name: string): string {
    return this.adminUrl.replace(/\/postgres$/, `/${name}`);
  }

  async query<T = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.databaseUrl(database) });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /** SIGTERM (clean shutdown), SIGKILL after 10 s: a hung shutdown must not hang the suite. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export class Service {
  child?: ChildProcess;
  readonly url: string;
  log = '';

  /** `name` is its demo-key name: the role for the first organisation of a role, else the organisation's (riverside). */
  constructor(readonly role: Role, readonly databaseUrl: string, readonly port = PORTS[role], readonly name: string = role) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** `caughtUp: false` for a restart under load, where the projector is never idle long enough to tell. */
  async start(env: Record<string, string> = {}, options: { caughtUp?: boolean } = {}): Promise<void> {
    const main = path.join(ROOT, 'dist/apps', this.role, 'src/main.js');
    this.child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), DATABASE_URL: this.databaseUrl, NODE_ENV: 'test', ...TEST_SERVICE_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (b: Buffer) => { this.log = (this.log + b.toString()).slice(-20_000); });
    this.child.stderr?.on('data', (b: Buffer) => { this.log = (this.log + b.toString()).slice(-20_000); });
    // Generous: a service that dies says so at once (exitCode); one still starting on a loaded CI
    // machine (unit suites beside it, a long chain) took 60 s to listen once; the test timeout (180 s) still bounds the whole case.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.role} exited: ${this.log.slice(-3000)}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.status === 200 || res.status === 503) return options.caughtUp === false ? undefined : this.caughtUp();
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${this.role} did not start: ${this.log.slice(-3000)}`);
  }

  /**
   * A fresh read model replays the whole chain first (on a long-used ledger: 100,000-pack lots);
   * a suite starts once its projector has projected something and then gone 2 s without a new
   * event, so "the mutation's answer says the read model is updated" is about this suite's own
   * writes, not about catching up with everyone else's.
   */
  private async caughtUp(timeoutMs = 300_000): Promise<void> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    const auditor = `demo-${this.name}-auditor`;
    while (Date.now() < deadline) {
      const report = await fetch(`${this.url}/health`, { headers: { 'x-api-key': auditor } }).then((r) => r.json() as Promise<{ checks?: Record<string, { detail?: { checkpointBlock?: string | null; lastEventAgoMs?: number | null } }> }>).catch(() => undefined);
      const lag = report?.checks?.projector?.detail;
      if (!lag) return; // a service without a projector (forecast)
      // Idle: 2 s since its last event, or (a restart already at the tip) no event at all in 2 s.
      const idleFor = lag.lastEventAgoMs ?? Date.now() - started;
      if (lag.checkpointBlock && idleFor > 2000) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${this.role}'s read model did not catch up with the ledger in ${timeoutMs / 1000} s`);
  }

  /** SIGKILL: no shutdown hooks, no chance to finish a transaction. */
  /** A child killed by a signal has a null exitCode and a signalCode: either means it is gone. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // A shutdown that hangs must not hang the suite: SIGKILL after 10 s.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill(signal);
    });
  }

  /** The whole answer, errors included: tests look at the refusals. */
  gql<T = Record<string, unknown>>(apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(`${this.url}/graphql`, query, variables, { apiKey });
  }

  /** Data of a GraphQL call that must succeed. */
  ok<T = Record<string, unknown>>(apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return requestGraphQL<T>(`${this.url}/graphql`, query, variables, { apiKey }).catch((err: Error) => {
      throw new Error(`${this.role}: ${err instanceof GraphQLRequestError && err.errors.length ? JSON.stringify(err.errors) : err.message}`);
    });
  }
}

export const key = (role: Role, userRole: string) => `demo-${role}-${userRole}`;

export const RESULT = 'transactionId blockNumber eventId duplicate changed shipmentId inferred pending readModelUpdated';

/** The three partner services on one embedded Postgres, for the tests of one file. */
export interface ServicesFixture {
  readonly services: Record<Role, Service>;
  postgres(): Postgres;
}

/**
 * Starts every partner service (each on its own database `<prefix>_<role>_<runId>`) before the
 * file's tests and stops them and their Postgres after.
 */
/** Another organisation's read model follows the ledger on its own: read until `done` (bounded). */
export async function eventually<T>(read: () => Promise<T>, done: (t: T) => boolean, ms = 30_000): Promise<T> {
  let value = await read();
  for (const deadline = Date.now() + ms; !done(value) && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

export function useServices(prefix: string, options: { postgresName?: string; timeoutMs?: number } = {}): ServicesFixture {
  const services = {} as Record<Role, Service>;
  let pg: Postgres | undefined;
  beforeAll(async () => {
    pg = await Postgres.start(options.postgresName);
    for (const r of ROLES) {
      services[r] = new Service(r, pg.databaseUrl(`${prefix}_${r}_${runId}`));
      await services[r].start();
    }
  }, options.timeoutMs ?? 300_000);
  afterAll(async () => {
    for (const r of ROLES) await services[r]?.kill('SIGTERM');
    await pg?.stop();
  });
  return {
    services,
    postgres: () => {
      if (!pg) throw new Error('the services fixture has not started yet');
      return pg;
    },
  };
}


/** One subscription over graphql-ws, as a client of the service sees it: `next` waits for a notice that matches. */
type Notice = { readonly id: string; readonly [field: string]: unknown };
export async function subscribe(url: string, apiKey: string, query: string, field: string): Promise<{ next: (match: (n: Notice) => boolean) => Promise<Record<string, unknown>>; close: () => void }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const WebSocket = require('ws') as new (url: string, protocol: string) => { on(e: string, f: (...a: unknown[]) => void): void; send(d: string): void; close(): void };
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const nodes: Notice[] = [];
  let acked = false;
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; payload?: { data?: Record<string, Notice | undefined> } };
    if (m.type === 'connection_ack') acked = true;
    const node = m.payload?.data?.[field];
    if (m.type === 'next' && node) nodes.push(node);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': apiKey } }));
  const until = async (done: () => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 250); });
  };
  await until(() => acked);
  ws.send(JSON.stringify({ type: 'subscribe', id: '1', payload: { query } }));
  // The server has the subscription once it has read it; give it a moment before anything is written.
  await new Promise((r) => setTimeout(r, 500));
  return {
    next: async (match) => {
      await until(() => nodes.some(match));
      return nodes.find(match) as unknown as Record<string, unknown>;
    },
    close: () => ws.close(),
  };
}
