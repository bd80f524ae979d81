import { ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile, submitCommand } from '@pedigree/ledger';
import { GS } from '@pedigree/domain';
import { embeddedDatabaseUrl } from '@pedigree/readmodel';
import { requestGraphQL } from '@pedigree/graphql-client';
import { closedLoop, percentile } from './harness';
import { orgByApp, projectRoot } from '../network/topology';

/**
 * `npm run bench:api [-- --concurrency 16 --seconds 10 --batch 10]`: verifications per second with
 * p50/p99 through the dispenser's GraphQL (read model), and pack events per second through the
 * manufacturer's GraphQL end to end (mutation answered after commit AND projection), each beside
 * the raw ledger baseline (evaluate VerifyPack; submit Commission) measured in the same run.
 * Starts its own embedded Postgres and the two services on ports 5101/5103.
 */
const root = projectRoot();
const arg = (n: string, d: number) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const concurrency = arg('concurrency', 16);
const seconds = arg('seconds', 10);
const batch = arg('batch', 10);
const GTIN = '00312345678906';
const runId = Date.now().toString(36);
const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string>, ready: (out: string) => boolean): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (b: Buffer) => { out += b.toString(); if (ready(out)) resolve(); };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('exit', (c) => reject(new Error(`${args[0]} exited ${c}: ${out.slice(-2000)}`)));
  });
}

function gql(port: number, key: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return requestGraphQL(`http://127.0.0.1:${port}/graphql`, query, variables, { apiKey: key });
}

async function measure(name: string, units: number, run: (i: number) => Promise<void>, eventsPerUnit = 1) {
  const { latenciesMs, seconds: secs } = await closedLoop(concurrency, run, { units, seconds });
  const n = latenciesMs.length;
  return { name, ops: n, perSecond: +(n / secs).toFixed(1), eventsPerSecond: +((n * eventsPerUnit) / secs).toFixed(1), p50ms: +percentile(latenciesMs, 0.5).toFixed(1), p99ms: +percentile(latenciesMs, 0.99).toFixed(1) };
}

/** Demo keys, and rate limits far above what a closed loop of this bench sends (the defaults are for people). */
const BENCH_SERVICE_ENV = { PEDIGREE_DEMO: '1', PEDIGREE_RATE_LIMIT: '100000000', PEDIGREE_RATE_LIMIT_ANONYMOUS: '100000000' };

async function main(): Promise<void> {
  const pgPort = 5190;
  await start([path.join(root, 'dist/libs/readmodel/src/cli/readmodel.js'), 'postgres', '--name', 'bench-api', '--port', String(pgPort)], {}, (o) => o.includes('"ready":true'));
  const db = (name: string) => embeddedDatabaseUrl('bench-api', pgPort, name);
  const svc = (role: string, port: number) => start([path.join(root, 'dist/apps', role, 'src/main.js')], { PORT: String(port), DATABASE_URL: db(`bench_${role}_${runId}`), LOG_LEVEL: 'warn', ...BENCH_SERVICE_ENV }, (o) => o.includes('listening on'));
  await Promise.all([svc('manufacturer', 5101), svc('dispenser', 5103)]);
  const mKey = 'demo-manufacturer-operator';
  await gql(5101, mKey, `mutation { registerProduct(ndc: "12345-678-90", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30") { transactionId } }`);
  const lot = `B${runId}`.slice(0, 20);
  const seed = Array.from({ length: 50 }, (_, i) => `V${runId}${i}`.slice(0, 20));
  await gql(5101, mKey, `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${lot}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: seed });
  // Wait until the dispenser's projector has the seeded packs.
  for (let i = 0; i < 100; i++) {
    const d = await gql(5103, 'demo-dispenser-auditor', `{ packs(filter: { lot: "${lot}" }, first: 1) { edges { cursor } } }`) as { packs: { edges: unknown[] } };
    if (d.packs.edges.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ledger = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(orgByApp('dispenser').mspId, root))));
  const mLedger = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(orgByApp('manufacturer').mspId, root))));
  const results = [];
  try {
    results.push(await measure('verifyPack (GraphQL, dispenser read model)', 1e9, async (i) => {
      await gql(5103, 'demo-dispenser-pharmacist', `mutation($s: String!) { verifyPack(scan: $s) { verified } }`, { s: `01${GTIN}1730123110${lot}${GS}21${seed[i % seed.length]}` });
    }));
    results.push(await measure('  baseline: ledger evaluate VerifyPack', 1e9, async (i) => {
      await ledger.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: seed[i % seed.length], lot })], { contract: 'traceability' });
    }));
    results.push(await measure(`commissionPacks x${batch} (GraphQL, until in read model)`, 1e9, async (i) => {
      const s = Array.from({ length: batch }, (_, k) => `G${runId}${i}x${k}`.slice(0, 20));
      await gql(5101, mKey, `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${lot}", expiry: "2030-12-31", serials: $s) { readModelUpdated } }`, { s });
    }, batch));
    results.push(await measure(`  baseline: ledger submit Commission x${batch}`, 1e9, async (i) => {
      const s = Array.from({ length: batch }, (_, k) => `R${runId}${i}x${k}`.slice(0, 20));
      await submitCommand(mLedger, 'Commission', { eventId: `bench-${runId}-${i}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: s });
    }, batch));
  } finally {
    ledger.close();
    mLedger.close();
  }
  const cpus = os.cpus();
  console.log(`machine: cpu=${cpus[0]?.model} cores=${cpus.length} memoryGiB=${Math.round(os.totalmem() / 2 ** 30)} os=${os.type()} ${os.release()} node=${process.version}`);
  console.log(`concurrency: ${concurrency} requests in flight, ${seconds} s per scenario\n`);
  console.table(results);
  console.log(JSON.stringify({ concurrency, seconds, batch, results }));
}

main().catch((err) => { console.error(`bench:api: ${(err as Error).message}`); process.exitCode = 1; }).finally(() => {
  for (const c of children.reverse()) c.kill('SIGTERM');
});
