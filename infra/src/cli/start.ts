import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPortFree, isSetupFailure, portTakenMessage, SetupFailure } from '@pedigree/host';
import { servicePort } from '@pedigree/platform';
import { readConsortiumConfig } from '../network/consortium';
import { Network } from '../network/network';
import { inHost } from '../network/processes';
import { PEER_ORGS, PeerOrg, projectRoot } from '../network/topology';

/**
 * `npm start`: the whole system on this machine, all or nothing — the Fabric network, every service
 * in the foreground with its log lines prefixed, then demo data when a seeder is built. It says
 * "up" only once every service answers its health check; if any process dies (before or after
 * that), it says which and why, stops everything it started and exits 1. Ctrl-C stops everything
 * it started too. The network is stopped only if this run started it: one started beforehand with
 * `npm run network:up` keeps running between starts.
 */
interface ServiceSpec {
  /** How it is named in logs and demo keys: the partner service for the first organisation running it, else the organisation's key. */
  readonly name: string;
  /** apps/<app>. */
  readonly app: string;
  readonly port: number;
  readonly org?: PeerOrg;
  readonly what: string;
}

/**
 * A partner service per member organisation of infra/consortium.yaml (two pharmacies run two
 * dispenser services), then the planners' forecast service and the web screens.
 */
function services(): ServiceSpec[] {
  const apps = new Set<string>();
  const partners = PEER_ORGS.map((org): ServiceSpec => {
    const name = apps.has(org.app) ? org.key : org.app;
    apps.add(org.app);
    return { name, app: org.app, port: org.servicePort, org, what: `${org.legalName} (${org.app}) GraphQL` };
  });
  return [...partners, { name: 'forecast', app: 'forecast', port: servicePort('forecast'), what: 'forecast GraphQL' }, { name: 'web', app: 'web', port: servicePort('web'), what: 'web screens' }];
}

/** A member's service listens on its organisation's host; the forecast service and the screens on loopback. */
function hostOf(s: ServiceSpec): string {
  return s.org?.host ?? '127.0.0.1';
}

function serviceUrl(s: ServiceSpec): string {
  return `http://${hostOf(s)}:${s.port}`;
}

/**
 * The VRS lookup directory a wholesaler's service is given (docs/vrs.md): every member manufacturer's
 * GS1 company prefixes, from infra/consortium.yaml, to its service's responder; asked with the
 * wholesaler's own demo key (PEDIGREE_VRS_KEY). A manufacturer off the ledger is added by editing the file.
 */
function writeVrsDirectory(all: readonly ServiceSpec[], home: string): string {
  const members = readConsortiumConfig(projectRoot()).members;
  const responders = all.filter((s) => s.app === 'manufacturer' && s.org).flatMap((s) => {
    const member = members.find((m) => m.mspId === s.org?.mspId);
    return (member?.prefixes ?? []).map((prefix) => ({
      prefix, url: serviceUrl(s), form: 'digital-link', name: s.org?.legalName, apiKeyEnv: 'PEDIGREE_VRS_KEY',
      ...(member?.glns[0] ? { responderGLN: member.glns[0] } : {}),
    }));
  });
  const file = path.join(home, 'vrs-directory.json');
  fs.writeFileSync(file, `${JSON.stringify({ responders }, null, 2)}\n`);
  return file;
}

/** The environment that makes a partner service one organisation's: its MSP, ports and read model. */
function serviceEnv(spec: ServiceSpec, demoOrgs: Record<string, string>, all: readonly ServiceSpec[], vrsDirectory?: string): NodeJS.ProcessEnv {
  const base = { PEDIGREE_DEMO: '1', PEDIGREE_DEMO_ORGS: JSON.stringify(demoOrgs) };
  if (spec.app === 'web') {
    // The screens reach every service by name, and show organisations by their legal names.
    const services = all.filter((s) => s.app !== 'web').map((s) => ({ name: s.name, app: s.app, label: s.org?.legalName ?? 'Forecast (planners)', url: serviceUrl(s) }));
    return { ...base, PEDIGREE_WEB_SERVICES: JSON.stringify(services) };
  }
  if (!spec.org) return base;
  const vrs = spec.app === 'distributor' && vrsDirectory ? { PEDIGREE_VRS_DIRECTORY: vrsDirectory, PEDIGREE_VRS_KEY: `demo-${spec.name}-operator` } : {};
  // The service binds its organisation's host, as its peer and chaincode servers do.
  return { ...base, ...vrs, HOST: spec.org.host, PEDIGREE_ORG: spec.org.mspId, PORT: String(spec.port), PEDIGREE_PG_PORT: String(spec.org.postgresPort), PEDIGREE_READMODEL_NAME: spec.name };
}

interface Running {
  readonly service: string;
  readonly child: ChildProcess;
  /** Its last lines of output: the "why" when it dies. */
  tail: string[];
}

const running: Running[] = [];
let network: Network | undefined;
let stopNetwork = false;
let stopping = false;

/**
 * `npm start -- --org <key>`: one organisation on its own machine — its share of the network
 * (`network -- up --org`, docs/deployment.md "Founding") and its own partner service with its
 * Postgres; no forecast service, screens or demo seeding, which need every member's services.
 */
function ownOrg(argv: readonly string[]): PeerOrg | undefined {
  const i = argv.indexOf('--org');
  if (i < 0) return undefined;
  const key = argv[i + 1];
  const org = PEER_ORGS.find((o) => o.key === key);
  if (!org) throw new SetupFailure(`start --org: no member "${key ?? ''}" in consortium.yaml (members: ${PEER_ORGS.map((o) => o.key).join(', ')})`);
  return org;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const own = ownOrg(process.argv.slice(2));
  const everyone = services();
  const SERVICES = own ? everyone.filter((s) => s.org?.key === own.key) : everyone;
  const demoOrgs = Object.fromEntries(SERVICES.filter((s) => s.org).map((s) => [s.name, s.org!.mspId]));
  // A port already taken is found before anything starts, with the process holding it.
  for (const s of SERVICES) {
    // A namespaced host's address exists only inside its namespace (made by `up`): nothing else can hold it.
    if (s.org?.namespace) continue;
    if (!(await isPortFree(s.port, hostOf(s)))) throw new SetupFailure(portTakenMessage(s.port, s.what));
  }
  const t0 = Date.now();
  console.log('starting the Fabric network (first run builds Fabric from source: a few minutes)...');
  network = new Network(undefined, (l) => console.log(`  network: ${l}`));
  const ours = own ? network.specsOf(own) : network.specs();
  stopNetwork = !(await Promise.all(ours.map((spec) => network!.processStatus(spec)))).some((st) => st.running);
  if (own) {
    const { waitingFor } = await network.upOrg(own.key);
    if (waitingFor) throw new SetupFailure(`${own.key}: its service needs the channel first; next, ${waitingFor}`);
  } else {
    await network.up();
  }
  console.log(`network up in ${((Date.now() - t0) / 1000).toFixed(1)} s (logs: ${network.paths.logs})`);

  // The directory names every member manufacturer's service (on other machines, by their addresses).
  const vrsDirectory = writeVrsDirectory(everyone, network.paths.home);
  for (const spec of SERVICES) {
    const main = path.join(root, 'dist/apps', spec.app, 'src/main.js');
    // PORT would give every service the same port: each takes its own (plus any offset).
    const { PORT: _ignored, ...env } = process.env;
    // The demo keys of the printed logins; without PEDIGREE_DEMO=1 a service refuses to start unconfigured.
    // On namespaced hosts a member's service (and the embedded Postgres it starts, on that host's own
    // loopback) runs in its organisation's namespace.
    const [command, args] = inHost(spec.org?.namespace, process.execPath, [main]);
    const child = spawn(command, args, { cwd: root, env: { ...env, ...serviceEnv(spec, demoOrgs, SERVICES, vrsDirectory) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    watch({ service: spec.name, child, tail: [] });
  }
  await Promise.all(SERVICES.map((s) => waitHealthy(s.name, serviceUrl(s))));

  const seeder = path.join(root, 'dist/infra/src/demo/seed.js');
  if (!own && fs.existsSync(seeder)) {
    console.log('seeding demo data...');
    await new Promise<void>((resolve) => {
      // The seeder reaches every member's service by name, as the screens do.
      const web = serviceEnv(SERVICES.find((s) => s.app === 'web')!, demoOrgs, SERVICES);
      const seed = spawn(process.execPath, [seeder], { cwd: root, env: { ...process.env, ...web }, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
      watch({ service: 'demo seed', child: seed, tail: [] }, resolve);
    });
  }

  console.log('\nPedigree is up:');
  for (const s of SERVICES.filter((x) => x.app !== 'web')) {
    const who = s.org ? `  ${s.org.legalName} (${s.org.mspId})` : '';
    console.log(`  ${s.name.padEnd(13)} ${serviceUrl(s)}/graphql   health: ${serviceUrl(s)}/health${who}`);
  }
  if (own) {
    console.log(`  stop: Ctrl-C${stopNetwork ? ` (stops ${own.key}'s network processes too)` : ''}`);
    return;
  }
  const web = `http://127.0.0.1:${servicePort('web')}`;
  console.log('\nWeb screens (sign in by picking a demo user, or with a key):');
  console.log(`  pharmacist scan   ${web}/#/scan      demo-dispenser-pharmacist`);
  console.log(`  planner           ${web}/#/planner   demo-dispenser-planner (retrain: demo-dispenser-admin)`);
  console.log(`  partner console   ${web}/#/console   demo-<${Object.keys(demoOrgs).join('|')}>-<operator|auditor|admin>`);
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
async function waitHealthy(service: string, url: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waitingFor = '';
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
      const unhealthy = failingChecks(await res.text());
      if (unhealthy !== waitingFor) console.log(`start: ${service} answers, not healthy yet (${unhealthy || `HTTP ${res.status}`}); waiting`);
      waitingFor = unhealthy;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping) throw new SetupFailure(`${service} was not healthy at ${url} within ${timeoutMs / 1000} s (${waitingFor || 'no answer; its lines above say why'})`);
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
    const own = ownOrg(process.argv.slice(2));
    await (own ? network.downOrg(own.key) : network.down()).catch((err: Error) => console.error(`start: network down: ${err.message}`));
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
