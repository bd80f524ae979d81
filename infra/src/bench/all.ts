import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { GS, sgtinToEpcUrn } from '@pedigree/domain';
import { submitCommand } from '@pedigree/ledger';
import { embeddedDatabaseUrl } from '@pedigree/readmodel';
import { requestGraphQL } from '@pedigree/graphql-client';
import { closedLoop, connectAll, LedgerScenario, machine, percentile, pssMiB, runScenario, ScenarioResult } from './harness';
import { probeScenarios } from './probe.scenarios';
import { traceabilityScenarios } from '../../../chaincode/bench/traceability.scenarios';
import { Network } from '../network/network';
import { readPid, residentMemory } from '../network/processes';
import { CHANNEL, networkPaths, ORDERERS, PEER_ORGS, projectRoot } from '../network/topology';

/**
 * `npm run bench [-- --quick] [-- --only vrs,epcis]`: every benchmark, ONE table, each figure beside
 * its reference measured in the same run on the same machine, then one line of JSON. `--only` takes
 * groups (ledger, e2e, verification, vrs, trace, memory, epcis, fuzz, forecast) and sets up only what
 * they need (`vrs` alone: a 1,000-pack lot on the manufacturer, nothing shipped).
 *   ledger       single put no-op (the platform's limit) vs the traceability chaincode, single-event
 *                and batched (bench:ledger's own scenarios and harness, imported)
 *   end to end   commissionPacks through GraphQL until in the read model vs a bare ledger submit
 *                (as bench:api); projection lag commit → row in another organisation's read model
 *   verification verifyPack at 1, 16, 64 clients vs `pack(epc)` (a primary-key SELECT on `packs`);
 *                the manufacturer's VRS responder (GET, Digital Link form) at 1 and 16 clients vs `pack(epc)` there
 *                through the same service, HTTP/GraphQL stack, auth and Postgres
 *   trace        p99 of a pack's full trace and of a lot trace of a lot of 10,000 packs
 *   memory       peak resident memory (sum of VmHWM) of every process of the running system
 *   epcis        bench:epcis (its own processes, after the services stopped): a 10,000-event EPCIS 1.2
 *                XML document parsed, validated and hashed without the ledger, beside the same
 *                events as JSON-LD: events/s and peak RSS
 *   fuzz         bench:fuzz (its own process, after the services stopped): generated bad scans and
 *                EPCIS documents per second, none crashing or accepted, beside valid round trips
 *   forecast     bench:forecast (its own process, after the services stopped): the tfjs model's MASE
 *                vs seasonal naive and ETS (full runs, or --quick --forecast)
 * Starts one embedded Postgres and every service `npm start` runs (manufacturer, distributor,
 * dispenser, forecast, web) on ports shifted by PEDIGREE_PORT_OFFSET (5191, 5110–5114 + offset),
 * against the network of PEDIGREE_NETWORK_HOME; the measures use the manufacturer and dispenser.
 */
const root = projectRoot();
const quick = process.argv.includes('--quick');
/** bench:forecast takes 2.5–3 minutes of both cores: in a full run, or in a quick one with --forecast. */
const forecast = !quick || process.argv.includes('--forecast');
const SECONDS = quick ? 5 : 15;
/** `--only` groups, or every group. */
const only = ((): ReadonlySet<string> | undefined => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set((process.argv[i + 1] ?? '').split(',').map((g) => g.trim()).filter(Boolean)) : undefined;
})();
const want = (group: string): boolean => !only || only.has(group);
/** The pharmacy's share of the lot is needed by verifyPack and the trace figures only. */
const toPharmacy = want('verification') || want('trace');
const LOT_PACKS = toPharmacy || want('e2e') ? 10_000 : 1_000;
const LOT_PER_TX = 500;
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const PG_PORT = 5191 + OFFSET;
const WEB_PORT = 5110 + OFFSET;
const M_PORT = 5111 + OFFSET;
const DIST_PORT = 5112 + OFFSET;
const D_PORT = 5113 + OFFSET;
const F_PORT = 5114 + OFFSET;
const GTIN = '00312345678906'; // NDC 12345-678-90, registered by the ledger scenarios
const runId = Date.now().toString(36);
const children: ChildProcess[] = [];
const M_KEY = 'demo-manufacturer-operator';
const PHARMACIST = 'demo-dispenser-pharmacist';
const AUDITOR = 'demo-dispenser-auditor';

interface Row { group: string; measure: string; value: string; reference: string; refValue: string }
const rows: Row[] = [];
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

function start(name: string, args: string[], env: Record<string, string>, ready: (out: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (b: Buffer) => { out = (out + b.toString()).slice(-5000); if (ready(out)) resolve(child); };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('exit', (c) => reject(new Error(`${name} exited ${c}: ${out.slice(-2000)}`)));
  });
}

async function stopAll(): Promise<void> {
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

function gql<T = Record<string, unknown>>(port: number, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return requestGraphQL<T>(`http://127.0.0.1:${port}/graphql`, query, variables, { apiKey: key });
}

interface Measured { ops: number; perSecond: number; p50: number; p99: number; max: number }

async function measure(concurrency: number, op: (i: number) => Promise<void>, seconds = SECONDS, maxOps = Infinity): Promise<Measured> {
  const { latenciesMs, seconds: secs } = await closedLoop(concurrency, op, { seconds, units: maxOps });
  return { ops: latenciesMs.length, perSecond: latenciesMs.length / secs, ...percentiles(latenciesMs) };
}

function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const v = [...values].sort((a, b) => a - b);
  return { p50: percentile(v, 0.5), p99: percentile(v, 0.99), max: v[v.length - 1] ?? NaN };
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const lat = (m: Measured) => `p50 ${f(m.p50, 0)} / p99 ${f(m.p99, 0)} / max ${f(m.max, 0)} ms, ${f(m.perSecond, 0)}/s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** bench:ledger's scenarios through its harness; the no-op single put is every row's reference. */
async function ledgerRows(ledgers: ReturnType<typeof connectAll>): Promise<void> {
  const scale = quick ? 0.5 : 1;
  const pick = (name: string): LedgerScenario => {
    const s = [...probeScenarios, ...traceabilityScenarios].find((x) => x.name.startsWith(name));
    if (!s) throw new Error(`no ledger scenario ${name}`);
    return { ...s, units: Math.max(1, Math.round(s.units * scale)) };
  };
  const ran = async (name: string, concurrency = 16): Promise<ScenarioResult> => {
    const s = pick(name);
    log(`ledger: ${s.name}, ${s.units} tx at ${concurrency} in flight`);
    const r = await runScenario(s, { ledgers, runId, concurrency });
    if (r.failures) log(`  ${r.failures} failed`);
    return r;
  };
  const noop16 = await ran('single put, no-op');
  const noop64 = await ran('single put, no-op', 64);
  const ref = `no-op single put, tx/s (16 | 64 in flight)`;
  const refValue = `${f(noop16.txPerSecond)} | ${f(noop64.txPerSecond)}`;
  const single = await ran('commission, 1 serial/tx');
  rows.push({ group: 'ledger', measure: 'commission 1 serial/tx, tx/s (16 in flight)', value: f(single.txPerSecond), reference: ref, refValue });
  const names = ['commission, batch of 100', 'commission, batch of 500', 'ship, batch of 100', ...(quick ? [] : ['ship, batch of 500'])];
  for (const n of names) {
    const r = await ran(n);
    rows.push({ group: 'ledger', measure: `${r.name}, pack events/s`, value: f(r.eventsPerSecond), reference: ref, refValue });
  }
  // What the stricter key policies cost: the same write volume (500 keys of a pack record's size a
  // transaction) under no policy, the old one-organisation policy and the policy now.
  const keys: ScenarioResult[] = [];
  for (const label of ['no key policy', "writer's peer alone", "writer's AND another"]) keys.push(await ran(`probe, 500 keys/tx of 600 B, ${label}`));
  const [none] = keys;
  for (const k of keys) rows.push({ group: 'ledger', measure: `${k.name}, keys/s`, value: f(k.eventsPerSecond), reference: 'same volume, no key policy, keys/s', refValue: f(none?.eventsPerSecond ?? NaN) });
  const recall = await ran('recall of a', 1);
  rows.push({ group: 'ledger', measure: `${recall.name}, seconds (p50 of 1)`, value: f(recall.p50ms / 1000, 2), reference: ref, refValue });
}

/** The postmaster and its backends: Postgres's memory is all of them. */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const out = [postmaster];
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

function memoryRows(groups: Record<string, number[]>): Record<string, number> {
  let peak = 0;
  let pss = 0;
  const parts: string[] = [];
  const byGroup: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    const g = pids.reduce((s, pid) => s + (residentMemory(pid).peakRssMiB ?? 0), 0);
    byGroup[name] = Math.round(g);
    peak += g;
    pss += pids.reduce((s, pid) => s + pssMiB(pid), 0);
    parts.push(`${name} ${g.toFixed(0)}`);
  }
  rows.push({ group: 'memory', measure: 'peak RSS of the whole system, MiB (sum of VmHWM)', value: f(peak, 0), reference: `by part: ${parts.join(', ')}`, refValue: '' });
  rows.push({ group: 'memory', measure: 'resident now, MiB (sum of PSS: shared pages counted once)', value: f(pss, 0), reference: '', refValue: '' });
  return byGroup;
}

/** The first bytes of the channel genesis block's SHA-256: a new network (reset) is a new chain. */
function chainId(artifacts: string): string {
  const block = path.join(artifacts, `${CHANNEL}.block`);
  return createHash('sha256').update(fs.readFileSync(block)).digest('hex').slice(0, 12);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
  log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Runs a benchmark in its own Node process to the end and answers what it printed: stdout, plus
 * stderr unless that is its progress, shown live. A failed run fails the bench.
 */
async function runToEnd(what: string, args: string[], options: { env?: NodeJS.ProcessEnv; showProgress?: boolean } = {}): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', options.showProgress ? 'inherit' : 'pipe'] });
  children.push(child);
  let out = '';
  const collect = (b: Buffer) => { out += b.toString(); };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${what} failed (exit ${code})${options.showProgress ? '' : `: ${out.slice(-3000)}`}`);
  return out;
}

/**
 * bench:fuzz as it is (jest on libs/domain's fuzz spec, its own process): generated inputs per second
 * for each property; a property that fails fails the run. Each junk row stands beside the round trip
 * of valid input through the same parser.
 */
async function fuzzRows(): Promise<void> {
  const runs = quick ? 10_000 : 100_000;
  log(`fuzz (bench:fuzz), ${runs} inputs per property...`);
  const out = await runToEnd('bench:fuzz', [path.join(root, 'node_modules/jest/bin/jest.js'), 'libs/domain/src/fuzz.spec.ts', 'libs/domain/src/epcis/xml/xml-fuzz.spec.ts', '--selectProjects', 'unit', '--verbose=false'],
    { env: { ...process.env, PEDIGREE_FUZZ_RUNS: String(runs) } });
  const rate: Record<string, string> = {};
  for (const m of out.matchAll(/\[fuzz\] ([^:]+): (\d+) inputs in [\d.]+ s \((\d+)\/s\)/g)) rate[m[1]] = m[3];
  const row = (measure: string, name: string, refName: string) => rows.push({
    group: 'fuzz', measure: `${measure}: ${runs} inputs, none crashed or accepted, inputs/s`, value: rate[name] ?? '-',
    reference: `${refName}, inputs/s`, refValue: rate[refName] ?? '-',
  });
  row('scan parser, junk and damaged scans', 'scan junk', 'scan round trip');
  row('EPCIS capture, one required thing broken', 'epcis broken', 'epcis valid round trip');
  row('EPCIS capture, arbitrary JSON', 'epcis junk', 'epcis valid round trip');
  row('EPCIS XML capture, damaged documents', 'epcis xml damaged', 'epcis xml round trip');
  row('EPCIS XML capture, arbitrary text', 'epcis xml junk', 'epcis xml round trip');
}

/** bench:epcis as it is (its own processes); its last line is JSON. */
async function epcisRows(): Promise<void> {
  log('epcis (bench:epcis), 10,000 events...');
  const out = await runToEnd('bench:epcis', [path.join(root, 'dist/infra/src/bench/epcis.js')]);
  const { results } = JSON.parse(out.trim().split('\n').pop()!) as { results: Array<{ which: string; events: number; seconds: number; maxRssMiB: number }> };
  const [xml, json] = ['xml', 'json'].map((w) => results.find((r) => r.which === w)!);
  const cell = (r: { events: number; seconds: number; maxRssMiB: number }) => `${Math.round(r.events / r.seconds)} (${Math.round(r.maxRssMiB)} MiB)`;
  rows.push({
    group: 'epcis', measure: `EPCIS 1.2 XML capture front end, ${xml.events} events (parse+validate+hash, no ledger), events/s (peak RSS)`, value: cell(xml),
    reference: 'same events as EPCIS 2.0 JSON-LD, events/s (peak RSS)', refValue: cell(json),
  });
}

/** bench:forecast as it is (its own process); its last line is JSON. */
async function forecastRows(): Promise<void> {
  log('forecast (bench:forecast)...');
  const out = await runToEnd('bench:forecast', [path.join(root, 'dist/libs/forecasting/src/bench/forecast.js')], { showProgress: true });
  const { results, backend } = JSON.parse(out.trim().split('\n').pop()!) as { backend: string; results: Record<string, { mase: number; seconds: number }> };
  const ref = `seasonal naive MASE | ETS MASE (s)`;
  const refValue = `${f(results.snaive.mase, 3)} | ${f(results.ets.mase, 3)} (${f(results.ets.seconds)} s)`;
  rows.push({ group: 'forecast', measure: `tfjs global model (${backend} backend), MASE on PBS (lower is better) (s)`, value: `${f(results.tfjs.mase, 3)} (${f(results.tfjs.seconds)} s)`, reference: ref, refValue });
  if (results.chooser) rows.push({ group: 'forecast', measure: 'chooser (per series, on validation), MASE', value: f(results.chooser.mase, 3), reference: ref, refValue });
}

/** Demo keys, and rate limits far above what the closed loops send (the defaults are for people). */
const BENCH_SERVICE_ENV = { PEDIGREE_DEMO: '1', PEDIGREE_RATE_LIMIT: '100000000', PEDIGREE_RATE_LIMIT_ANONYMOUS: '100000000' };

async function main(): Promise<void> {
  const network = new Network();
  if (!(await network.isUp())) await network.up();
  const m = machine();
  const t0 = Date.now();
  const ledgers = connectAll();
  const pgName = 'bench-all';
  const dbUrl = (name: string) => embeddedDatabaseUrl(pgName, PG_PORT, name);
  // One read model per role and per chain, kept between runs: a service resumes from its checkpoint
  // instead of replaying the whole chain (which grows with every run) into a fresh database.
  const chain = chainId(networkPaths().artifacts);
  const dbName = (role: string) => `bench_${role}_${chain}`;
  const dDb = new Client({ connectionString: dbUrl(dbName('dispenser')) });
  const mDb = new Client({ connectionString: dbUrl(dbName('manufacturer')) });
  const distDb = new Client({ connectionString: dbUrl(dbName('distributor')) });
  const readModels = [mDb, distDb, dDb];
  let memory: Record<string, number> = {};
  try {
    if (want('ledger')) await ledgerRows(ledgers);

    log('services...');
    const pg = await start('postgres', [path.join(root, 'dist/libs/readmodel/src/cli/readmodel.js'), 'postgres', '--name', pgName, '--port', String(PG_PORT)], {}, (o) => o.includes('"ready":true'));
    const svc = (role: string, port: number, env: Record<string, string> = {}) => start(role, [path.join(root, 'dist/apps', role, 'src/main.js')], { PORT: String(port), DATABASE_URL: dbUrl(dbName(role)), LOG_LEVEL: 'warn', ...BENCH_SERVICE_ENV, ...env }, (o) => o.includes('listening on'));
    const [mSvc, dSvc] = await Promise.all([svc('manufacturer', M_PORT), svc('dispenser', D_PORT)]);
    // The rest of what `npm start` runs, so "the whole system" in the memory rows is the whole
    // system: the distributor (projecting every event too), the forecast service on the dispenser's
    // read model, and the web server in front of them. The measures below do not call them.
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const rest = await Promise.all([
      svc('distributor', DIST_PORT),
      svc('forecast', F_PORT, { DEMAND_DATABASE_URL: dbUrl(dbName('dispenser')) }),
      svc('web', WEB_PORT, {
        PEDIGREE_MANUFACTURER_URL: url(M_PORT), PEDIGREE_DISTRIBUTOR_URL: url(DIST_PORT), PEDIGREE_DISPENSER_URL: url(D_PORT), PEDIGREE_FORECAST_URL: url(F_PORT),
      }),
    ]);
    await Promise.all(readModels.map((db) => db.connect()));
    // History is kept whole in every read model (its packs only where they concern it), so the marker's history row says caught up.
    const has = async (db: Client, epc: string) => ((await db.query('SELECT 1 FROM trace_events WHERE subject = $1', [epc])).rowCount ?? 0) > 0;
    // The read models catch up with the chain (at least this run's ledger scenarios; the whole chain
    // the first time on this chain): a marker pack committed now is projected last, so all three
    // have caught up (and stopped competing for the CPU) once all three hold it.
    const marker = sgtinToEpcUrn(GTIN, `M${runId}`);
    await submitCommand(ledgers.manufacturer, 'Commission', { eventId: `bench-marker-${runId}`, gtin: GTIN, lot: `M${runId}`, expiry: '2030-12-31', serials: [`M${runId}`] });
    await waitFor('read models caught up with the chain', async () => (await Promise.all(readModels.map((db) => has(db, marker)))).every(Boolean), 600_000);

    if (want('e2e')) {
      log('end to end...');
      const batch = 10;
      const lot = `B${runId}`;
      const e2e = await measure(16, async (i) => {
        const s = Array.from({ length: batch }, (_, k) => `G${runId}${i}x${k}`);
        await gql(M_PORT, M_KEY, `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${lot}", expiry: "2030-12-31", serials: $s) { readModelUpdated } }`, { s });
      });
      const bare = await measure(16, async (i) => {
        const s = Array.from({ length: batch }, (_, k) => `R${runId}${i}x${k}`);
        await submitCommand(ledgers.manufacturer, 'Commission', { eventId: `bench-all-${runId}-${i}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: s });
      });
      rows.push({ group: 'end to end', measure: `pack events/s, commissionPacks x${batch} GraphQL → read model (16 clients)`, value: f(e2e.perSecond * batch), reference: `ledger submit Commission x${batch}, events/s`, refValue: f(bare.perSecond * batch) });
      rows.push({ group: 'end to end', measure: `  latency of that mutation, ms`, value: `p50 ${f(e2e.p50, 0)} / p99 ${f(e2e.p99, 0)}`, reference: 'bare submit latency, ms', refValue: `p50 ${f(bare.p50, 0)} / p99 ${f(bare.p99, 0)}` });

      // Projection lag: commit acknowledged by the ledger → row in the other organisation's read model.
      const lags: number[] = [];
      const submits: number[] = [];
      for (let i = 0; i < (quick ? 30 : 100); i++) {
        const serial = `P${runId}x${i}`;
        const s0 = performance.now();
        await submitCommand(ledgers.manufacturer, 'Commission', { eventId: `bench-lag-${runId}-${i}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: [serial] });
        const c = performance.now();
        submits.push(c - s0);
        const epc = sgtinToEpcUrn(GTIN, serial);
        while (!(await has(dDb, epc)) && performance.now() - c < 30_000) await sleep(2);
        lags.push(performance.now() - c);
    }
    const lp = percentiles(lags);
    const sp = percentiles(submits);
    rows.push({ group: 'end to end', measure: `projection lag commit → dispenser row, ms (p50 / p99, n=${lags.length}, serial)`, value: `${f(lp.p50, 0)} / ${f(lp.p99, 0)}`, reference: 'submit → commit of that tx, ms (p50 / p99)', refValue: `${f(sp.p50, 0)} / ${f(sp.p99, 0)}` });
    }

    // A lot of LOT_PACKS packs for verification and the trace figures, committed in batches.
    log(`lot of ${LOT_PACKS} packs...`);
    const bigLot = `T${runId}`;
    const serialOf = (n: number) => `T${runId}x${n}`;
    const lotSetup = await measure(4, async (i) => {
      const s = Array.from({ length: LOT_PER_TX }, (_, k) => serialOf(i * LOT_PER_TX + k));
      await submitCommand(ledgers.manufacturer, 'Commission', { eventId: `bench-lot-${runId}-${i}`, gtin: GTIN, lot: bigLot, expiry: '2030-12-31', serials: s });
    }, 3600, LOT_PACKS / LOT_PER_TX);
    const lastEpc = sgtinToEpcUrn(GTIN, serialOf(LOT_PACKS - 1));
    const setupSeconds = lotSetup.ops / lotSetup.perSecond;
    const projectedAt = performance.now();
    // The manufacturer's read model holds its own lot (a pharmacy's holds only what it bought).
    await waitFor(`${LOT_PACKS} packs in the manufacturer's read model`, async () => Number((await mDb.query('SELECT count(*) AS n FROM packs WHERE lot = $1', [bigLot])).rows[0].n) >= LOT_PACKS, 900_000);

    const lotSeconds = setupSeconds + (performance.now() - projectedAt) / 1000;
    rows.push({ group: 'end to end', measure: `${LOT_PACKS} packs, ${LOT_PER_TX}/tx at 4 in flight, until all in the manufacturer's read model, pack events/s`, value: f(LOT_PACKS / lotSeconds), reference: 'the same, until committed (the read models projecting meanwhile)', refValue: f(LOT_PACKS / setupSeconds) });

    // The pharmacy buys the lot (sold straight by the manufacturer, received as scanned), so its
    // verification and trace figures below are about packs on its own shelf.
    if (toPharmacy) {
      log(`lot of ${LOT_PACKS} packs to the pharmacy...`);
      const ti = (n: number) => JSON.stringify({ transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DispenserMSP', products: [{ ndc: '12345-678-90', lot: bigLot, quantity: n }], salt: randomBytes(16).toString('hex') });
      const batches = Array.from({ length: LOT_PACKS / LOT_PER_TX }, (_, i) => Array.from({ length: LOT_PER_TX }, (_, k) => sgtinToEpcUrn(GTIN, serialOf(i * LOT_PER_TX + k))));
      // Two at a time, with room: 500 packs with their key policies and two implicit collections each.
      await measure(2, async (i) => {
        await submitCommand(ledgers.manufacturer, 'Ship', { eventId: `bench-lot-ship-${runId}-${i}`, to: 'DispenserMSP', epcs: batches[i] as string[], statement: { affirmed: true } },
          { transient: { ti: ti(LOT_PER_TX) }, endorsingOrganizations: ['ManufacturerMSP', 'DispenserMSP'], timeoutMs: 120_000 });
      }, 3600, batches.length);
      await measure(2, async (i) => {
        await submitCommand(ledgers.dispenser, 'Receive', { eventId: `bench-lot-recv-${runId}-${i}`, epcs: batches[i] as string[] }, { timeoutMs: 120_000 });
      }, 3600, batches.length);
      await waitFor(`${LOT_PACKS} packs in the dispenser's read model`, async () => Number((await dDb.query(`SELECT count(*) AS n FROM packs WHERE lot = $1 AND status = 'received'`, [bigLot])).rows[0].n) >= LOT_PACKS && (await has(dDb, lastEpc)), 900_000);
    }

    log('verification...');
    const scan = (i: number) => `01${GTIN}1730123110${bigLot}${GS}21${serialOf(i % LOT_PACKS)}`;
    const epcOf = (i: number) => sgtinToEpcUrn(GTIN, serialOf(i % LOT_PACKS));
    let offset = 0;
    for (const c of want('verification') ? [1, 16, 64] : []) {
      const base = offset;
      const v = await measure(c, async (i) => { await gql(D_PORT, PHARMACIST, `mutation($s: String!) { verifyPack(scan: $s) { verified } }`, { s: scan(base + i) }); });
      const pk = await measure(c, async (i) => { await gql(D_PORT, AUDITOR, `query($e: String!) { pack(epc: $e) { status } }`, { e: epcOf(base + i * 7) }); });
      offset += v.ops;
      rows.push({ group: 'verification', measure: `verifyPack, ${c} client${c > 1 ? 's' : ''}`, value: lat(v), reference: 'pack(epc): PK lookup, same stack', refValue: lat(pk) });
    }
    // A trading partner's VRS request to the manufacturer's responder (GS1 US Lightweight Messaging,
    // Digital Link form), as the pharmacy under its registered GLN; beside pack(epc) on the same service.
    const vrsUrl = (i: number) => `http://127.0.0.1:${M_PORT}/01/${GTIN}/10/${encodeURIComponent(bigLot)}/21/${encodeURIComponent(serialOf(i % LOT_PACKS))}`
      + `?17=301231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=0356789000008&corrUUID=bench-${runId}-${i}`;
    for (const c of want('verification') || want('vrs') ? [1, 16] : []) {
      const base = offset;
      const v = await measure(c, async (i) => {
        const res = await fetch(vrsUrl(base + i), { headers: { 'x-api-key': PHARMACIST, 'GS1US-Version': '1.3.0' } });
        if (res.status !== 200) throw new Error(`VRS responder answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      });
      const pk = await measure(c, async (i) => { await gql(M_PORT, 'demo-manufacturer-auditor', `query($e: String!) { pack(epc: $e) { status } }`, { e: epcOf(base + i * 7) }); });
      offset += v.ops;
      rows.push({ group: 'verification', measure: `VRS responder GET /01/…/21/…, ${c} client${c > 1 ? 's' : ''}`, value: lat(v), reference: 'pack(epc) on the manufacturer, same stack', refValue: lat(pk) });
    }

    if (want('trace')) {
      log('trace...');
      // A pack with a history the pharmacy may read: one of the big lot, commissioned, shipped to the
      // dispenser and received there (a pack the dispenser never held shows it no history at all).
      const shipped = epcOf(1);
      const steps = (await gql<{ trace: { edges: unknown[] } }>(D_PORT, AUDITOR, `query($e: String!) { trace(epc: $e, first: 200) { edges { cursor } } }`, { e: shipped })).trace.edges.length;
      const packTrace = await measure(4, async () => { await gql(D_PORT, AUDITOR, `query($e: String!) { trace(epc: $e, first: 200) { edges { node { step owner custodian status occurredAt transactionId } } pageInfo { hasNextPage } } }`, { e: shipped }); });
      const pk = await measure(4, async (i) => { await gql(D_PORT, AUDITOR, `query($e: String!) { pack(epc: $e) { status } }`, { e: epcOf(i * 13) }); });
      rows.push({ group: 'trace', measure: `full pack trace (${steps} steps), p99 ms (4 clients)`, value: `${f(packTrace.p99, 0)} (p50 ${f(packTrace.p50, 0)})`, reference: 'pack(epc), p99 ms (4 clients)', refValue: `${f(pk.p99, 0)} (p50 ${f(pk.p50, 0)})` });
      const page = `query($a: String) { lotTrace(gtin: "${GTIN}", lot: "${bigLot}", first: 200, after: $a) { edges { node { step owner custodian status occurredAt transactionId } } pageInfo { hasNextPage endCursor } } }`;
      const firstPage = await measure(4, async () => { await gql(D_PORT, AUDITOR, page, { a: null }); });
      let entries = 0;
      let pages = 0;
      const whole = await measure(1, async () => {
        let after: string | null = null;
        entries = 0;
        pages = 0;
        for (;;) {
          const r: { lotTrace: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await gql(D_PORT, AUDITOR, page, { a: after });
          entries += r.lotTrace.edges.length;
          pages++;
          if (!r.lotTrace.pageInfo.hasNextPage) break;
          after = r.lotTrace.pageInfo.endCursor;
        }
      }, quick ? 10 : 60, quick ? 3 : 20);
      rows.push({ group: 'trace', measure: `lot trace, first page of 200 of a ${LOT_PACKS}-pack lot, p99 ms (4 clients)`, value: `${f(firstPage.p99, 0)} (p50 ${f(firstPage.p50, 0)})`, reference: 'pack(epc), p99 ms (4 clients)', refValue: `${f(pk.p99, 0)} (p50 ${f(pk.p50, 0)})` });
      const pkSeries = await measure(1, async (n) => {
        for (let k = 0; k < pages; k++) await gql(D_PORT, AUDITOR, `query($e: String!) { pack(epc: $e) { status } }`, { e: epcOf(n * pages + k) });
      }, quick ? 10 : 60, quick ? 3 : 20);
      rows.push({ group: 'trace', measure: `lot trace, whole lot: ${entries} entries in ${pages} pages, p99 ms (n=${whole.ops}, 1 client)`, value: `${f(whole.p99, 0)} (p50 ${f(whole.p50, 0)})`, reference: `${pages} pack(epc) one after another, p99 ms (n=${pkSeries.ops})`, refValue: `${f(pkSeries.p99, 0)} (p50 ${f(pkSeries.p50, 0)})` });
    }

    const paths = networkPaths();
    const netPids = network.specs().map((s) => readPid(paths, s.name)).filter((p): p is number => !!p);
    const dataDir = path.resolve(process.env.PEDIGREE_DATA_DIR ?? path.join(root, '.data'), pgName);
    if (want('memory')) memory = memoryRows({
      [`network (${ORDERERS.length} orderers, ${PEER_ORGS.length} peers, their chaincode servers)`]: netPids,
      'services (manufacturer, distributor, dispenser, forecast, web)': [mSvc.pid!, dSvc.pid!, ...rest.map((c) => c.pid!)],
      'postgres (wrapper, postmaster, backends)': [pg.pid!, ...postgresPids(dataDir)],
    });
  } finally {
    for (const l of Object.values(ledgers)) l.close();
    await Promise.all(readModels.map((db) => db.end().catch(() => undefined)));
  }

  await stopAll();
  if (want('epcis')) await epcisRows();
  if (want('fuzz')) await fuzzRows();
  if (forecast && want('forecast')) await forecastRows();

  const minutes = (Date.now() - t0) / 60_000;
  console.log(`machine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  console.log(`mode: ${quick ? 'quick' : 'full'}${only ? `, only ${[...only].join(',')}` : ''}, ${minutes.toFixed(1)} min; run ${runId}\n`);
  const header = ['group', 'measure', 'value', 'reference (same run)', 'reference value'];
  const cells = rows.map((r) => [r.group, r.measure, r.value, r.reference, r.refValue]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join(' | ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
  console.log(JSON.stringify({ machine: m, quick, minutes: +minutes.toFixed(2), runId, memoryMiB: memory, rows }));
}

main().catch((err) => { console.error(`bench: ${(err as Error).stack ?? err}`); process.exitCode = 1; }).finally(() => stopAll());
