import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPortFree, isSetupFailure, portTakenMessage, SetupFailure } from '@pedigree/host';
import { servicePort } from '@pedigree/platform';
import { Network } from '../network/network';
import { projectRoot } from '../network/topology';

/**
 * `npm start`: the whole system on this machine, all or nothing — the Fabric network, every service
 * in the foreground with its log lines prefixed, then demo data when a seeder is built. It says
 * "up" only once every service answers its health check; if any process dies (before or after
 * that), it says which and why, stops everything it started and exits 1. Ctrl-C stops everything
 * it started too. The network is stopped only if this run started it: one started beforehand with
 * `npm run network:up` keeps running between starts.
 */
const SERVICES = ['manufacturer', 'distributor', 'dispenser', 'forecast', 'web'] as const;
type ServiceName = (typeof SERVICES)[number];

interface Running {
  readonly service: ServiceName | 'demo seed';
  readonly child: ChildProcess;
  /** Its last lines of output: the "why" when it dies. */
  tail: string[];
}

const running: Running[] = [];
let network: Network | undefined;
let stopNetwork = false;
let stopping = false;

async function main(): Promise<void> {
  const root = projectRoot();
  // A port already taken is found before anything starts, with the process holding it.
  for (const s of SERVICES) {
    if (!(await isPortFree(servicePort(s)))) throw new SetupFailure(portTakenMessage(servicePort(s), s === 'web' ? 'web screens' : `${s} GraphQL`));
  }
  const t0 = Date.now();
  console.log('starting the Fabric network (first run builds Fabric from source: a few minutes)...');
  network = new Network(undefined, (l) => console.log(`  network: ${l}`));
  stopNetwork = !(await network.status()).some((s) => s.running);
  await network.up();
  console.log(`network up in ${((Date.now() - t0) / 1000).toFixed(1)} s (logs: ${network.paths.logs})`);

  for (const service of SERVICES) {
    const main = path.join(root, 'dist/apps', service, 'src/main.js');
    // PORT would give every service the same port: each takes its role's default (plus any offset).
    const { PORT: _ignored, ...env } = process.env;
    // The demo keys of the printed logins; without PEDIGREE_DEMO=1 a service refuses to start unconfigured.
    const child = spawn(process.execPath, [main], { cwd: root, env: { PEDIGREE_DEMO: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    watch({ service, child, tail: [] });
  }
  await Promise.all(SERVICES.map((s) => waitHealthy(s, servicePort(s))));

  const seeder = path.join(root, 'dist/infra/src/demo/seed.js');
  if (fs.existsSync(seeder)) {
    console.log('seeding demo data...');
    await new Promise<void>((resolve) => {
      const seed = spawn(process.execPath, [seeder], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
      watch({ service: 'demo seed', child: seed, tail: [] }, resolve);
    });
  }

  console.log('\nPedigree is up:');
  for (const s of SERVICES.filter((x) => x !== 'web')) {
    console.log(`  ${s.padEnd(13)} http://127.0.0.1:${servicePort(s)}/graphql   health: http://127.0.0.1:${servicePort(s)}/health`);
  }
  const web = `http://127.0.0.1:${servicePort('web')}`;
  console.log('\nWeb screens (sign in by picking a demo user, or with a key):');
  console.log(`  pharmacist scan   ${web}/#/scan      demo-dispenser-pharmacist`);
  console.log(`  planner           ${web}/#/planner   demo-dispenser-planner (retrain: demo-dispenser-admin)`);
  console.log(`  partner console   ${web}/#/console   demo-<manufacturer|distributor|dispenser>-<operator|auditor|admin>`);
  console.log(`  stop: Ctrl-C${stopNetwork ? ' (stops the network too)' : '; the network, started before, keeps running until npm run network:down'}`);
}

/**
 * Prefixes its output and keeps its last lines. An exit is a failure of the whole start unless it
 * is the demo seeder finishing with 0 (then `done` is called) or everything is being stopped.
 */
function watch(r: Running, done?: () => void): void {
  running.push(r);
  for (const stream of [r.child.stdout, r.child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        console.log(`[${r.service}] ${line}`);
        if (line.trim()) r.tail = [...r.tail.slice(-4), line.trim()];
      }
    });
  }
  r.child.once('error', (err) => void fail(`${r.service} could not be started: ${err.message}`));
  r.child.once('exit', (code, signal) => {
    if (stopping) return;
    if (done && code === 0) return done();
    const last = r.tail[r.tail.length - 1]?.replace(new RegExp(`^${r.service}: `), '');
    const why = last ? `: ${last}` : '';
    void fail(`${r.service} exited (${signal ?? `code ${code}`})${why}`);
  });
}

/**
 * Until /health answers 200 (every check of the service healthy). A 503 is reported once with the
 * failing checks (a projector catching up on a long ledger, the dispenser's read model not there yet
 * for the forecast service) and waited out; past the deadline it is the reason given.
 */
async function waitHealthy(service: ServiceName, port: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waitingFor = '';
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
      const unhealthy = failingChecks(await res.text());
      if (unhealthy !== waitingFor) console.log(`start: ${service} answers, not healthy yet (${unhealthy || `HTTP ${res.status}`}); waiting`);
      waitingFor = unhealthy;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping) throw new SetupFailure(`${service} was not healthy on port ${port} within ${timeoutMs / 1000} s (${waitingFor || 'no answer; its lines above say why'})`);
  await new Promise(() => undefined); // a failure elsewhere is already stopping everything
}

/** "projector: {...}; ledger: ..." from a health report's unhealthy checks. */
function failingChecks(body: string): string {
  try {
    const report = JSON.parse(body) as { checks?: Record<string, { healthy?: boolean; detail?: unknown }> };
    return Object.entries(report.checks ?? {}).filter(([, c]) => c.healthy === false)
      .map(([name, c]) => `${name}: ${typeof c.detail === 'string' ? c.detail : JSON.stringify(c.detail ?? null)}`).join('; ').slice(0, 300);
  } catch {
    return '';
  }
}

async function fail(message: string): Promise<void> {
  if (stopping) return;
  console.error(`start: ${message}`);
  await stopAll('stopping everything this start started');
  process.exit(1);
}

/**
 * Each process was started in its own process group, so SIGTERM reaches what it started too (the
 * services' embedded Postgres); a group still there 10 s later is killed.
 */
async function stopAll(why: string): Promise<void> {
  stopping = true;
  console.error(`start: ${why}...`);
  await Promise.all(running.map(async ({ child }) => {
    if (child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (groupAlive(child.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    signalGroup(child.pid, 'SIGKILL');
  }));
  if (network && stopNetwork) {
    console.error('start: stopping the network it started...');
    await network.down().catch((err: Error) => console.error(`start: network down: ${err.message}`));
  }
  console.error('start: stopped everything it started');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch { /* already gone */ }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    void stopAll(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping everything this start started`).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main().catch((err: unknown) => {
  // Expected conditions and timeouts as one line (the services' own lines above say more); a bug keeps its stack.
  void fail(err instanceof Error ? (isSetupFailure(err) || !err.stack ? err.message : err.stack) : String(err));
});
