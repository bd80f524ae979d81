import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ndcToGtin14, sgtinToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { connectFabricLedger, ledgerConfigFromProfile, readConnectionProfile, submitCommand, type Ledger } from '@pedigree/ledger';
import { closedLoop, connectAll, fixedRate, machine, percentile, pssMiB } from './harness';
import { Network } from '../network/network';
import { readPid, residentMemory } from '../network/processes';
import { networkPaths, ORDERERS, PEER_ORGS, projectRoot } from '../network/topology';

/**
 * `npm run bench:consortium`: the ordering service of the default consortium (three Raft nodes of
 * three owners) against a single node, in the same run on the same machine, then what a newcomer
 * waits from `consortium -- join` to its first trade and the default consortium's memory.
 *
 * Each topology is a network of its own, brought up fresh in a private home
 * (<PEDIGREE_NETWORK_HOME or .network>-bench-<n>orderers) one after the other at PEDIGREE_PORT_OFFSET,
 * by a child process of this one (the topology is read when the modules load, so the single-node
 * network needs its own process with PEDIGREE_ORDERERS=1). One after the other, not side by side:
 * two networks on one machine would measure each other. Each is stopped when measured.
 *
 * On each: the same closed loop (the probe's no-op put and the traceability chaincode's single
 * commission, 16 in flight: throughput) and the same fixed-rate load (no-op puts offered at
 * --rate tx/s for --seconds: commit latency at a load both can carry). On the three-node network
 * only: the sum of VmHWM and PSS of every process of the network (CA servers, ordering nodes,
 * peers, chaincode servers), then a newcomer's join as infra/README.md gives its steps, timed
 * until a shipment to it is received.
 *
 * Options: --rate N (default 5), --seconds N (default 20), --units N (closed-loop calls, default
 * 300), --no-join, --keep (leave both networks running).
 */
const root = projectRoot();
const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
// Below what either topology carries on a loaded 2-core machine (about 12 no-op tx/s closed-loop
// under a load average of 20), so the figure is commit latency, not a queue growing.
const RATE = Number(arg('rate') ?? 5);
const SECONDS = Number(arg('seconds') ?? 20);
const UNITS = Number(arg('units') ?? 300);
const NDC = '12345-678-90';
const GTIN = ndcToGtin14(NDC);
const PROBE = { chaincode: 'pedigree-probe', contract: 'probe' } as const;
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

interface Load { readonly name: string; readonly calls: number; readonly failed: number; readonly txPerSecond: number; readonly p50ms: number; readonly p99ms: number; readonly maxMs: number }
interface JoinTiming { readonly seconds: number; readonly steps: Readonly<Record<string, number>> }
interface Measured {
  readonly orderers: number;
  readonly peers: number;
  readonly upSeconds: number;
  readonly loads: readonly Load[];
  readonly memory?: { readonly processes: number; readonly peakMiB: number; readonly pssMiB: number; readonly byKind: Readonly<Record<string, number>> };
  readonly join?: JoinTiming;
}

function loadOf(name: string, r: { latenciesMs: readonly number[]; seconds: number }, calls: number): Load {
  const l = r.latenciesMs;
  return { name, calls, failed: calls - l.length, txPerSecond: l.length / r.seconds, p50ms: percentile(l, 0.5), p99ms: percentile(l, 0.99), maxMs: l[l.length - 1] ?? NaN };
}

/** A call that failed is counted, not timed; the first few say why. */
function counted(op: (i: number) => Promise<unknown>): (i: number) => Promise<boolean> {
  let failures = 0;
  return async (i) => {
    try {
      await op(i);
      return true;
    } catch (err) {
      if (++failures <= 3) log(`  failed: ${(err as Error).message.split('\n')[0]}`);
      return false;
    }
  };
}

/** Runs a built CLI of this project as an operator would (same environment: this network's home and ports). */
function cli(script: 'consortium' | 'network', env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, `dist/infra/src/cli/${script}.js`), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${out}${err}`))));
  });
}

async function retrying<T>(what: string, op: () => Promise<T>, attempts = 60, pauseMs = 250): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (err) {
      if (i >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/** Memory of every process the network runs now, grouped by kind (ca, orderer, peer, chaincode). */
function networkMemory(network: Network): NonNullable<Measured['memory']> {
  const byKind: Record<string, number> = {};
  let peak = 0;
  let pss = 0;
  let processes = 0;
  for (const spec of network.specs()) {
    const pid = readPid(network.paths, spec.name);
    if (!pid) continue;
    const hwm = residentMemory(pid).peakRssMiB ?? 0;
    const kind = spec.name.startsWith('peer') ? 'peer' : spec.name.split('-')[0]!;
    byKind[kind] = Math.round((byKind[kind] ?? 0) + hwm);
    peak += hwm;
    pss += pssMiB(pid);
    processes++;
  }
  return { processes, peakMiB: Math.round(peak), pssMiB: Math.round(pss), byKind };
}

/**
 * A newcomer pharmacy joins by the steps of infra/README.md ("Joining and leaving"), each a CLI
 * run as that company or a member would: its material and CA, the channel update a majority signs
 * and one submits, the genesis block, `network up` (its peer, the new definitions), its admission
 * by governance; then the manufacturer commissions a pack and ships it to the newcomer, which
 * receives it. Timed from `join` until that receipt commits.
 */
async function joinToFirstTrade(ledgers: ReturnType<typeof connectAll>, runId: string): Promise<JoinTiming> {
  const home = networkPaths().home;
  const key = `b${runId}`.slice(0, 31);
  const mspId = `B${runId}MSP`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-bench-join-'));
  const serial = `J${runId}`;
  const pack = sgtinToEpcUrn(GTIN, serial);
  const ti = { ti: JSON.stringify({ transactionDate: new Date().toISOString().slice(0, 10), seller: { name: 'Acme' }, buyer: { name: 'Newcomer' }, products: [{ ndc: NDC, quantity: 1, lot: `J${runId}` }], salt: randomBytes(16).toString('hex') }) };
  const { manufacturer } = ledgers;

  const memberFile = path.join(work, 'member.yaml');
  fs.writeFileSync(memberFile, [
    `key: ${key}`, `mspId: ${mspId}`, 'host: 127.0.8.1', `name: Bench Newcomer Pharmacy ${runId} Inc.`, 'roles: [dispenser]',
    `glns: ['${withCheckDigit(`0368${String(Date.now() % 1e8).padStart(8, '0')}`)}']`, 'prefixes: []',
    "address: { street: 5 Harbor Way, city: Boston, state: MA, postalCode: '02110', countryCode: US }",
    "licence: { type: state pharmacy licence, number: MA-DS-0001, authority: MA Board of Pharmacy, validUntil: '2030-12-31' }", '',
  ].join('\n'));

  const t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = (name: string) => { steps[name] = +((performance.now() - t0) / 1000).toFixed(1); log(`  join: ${name} at ${steps[name]} s`); };
  let newcomer: Ledger | undefined;
  try {
    await cli('consortium', process.env, 'join', memberFile);
    step('material and CA');
    const members = PEER_ORGS;
    const proposed = await cli('consortium', process.env, 'propose-join', key, '--as', members[0]!.key);
    const update = /configuration update (\S+):/.exec(proposed)?.[1];
    if (!update) throw new Error(`no update file in: ${proposed}`);
    const signers = members.slice(0, Math.floor(members.length / 2) + 1);
    for (const org of signers.slice(0, -1)) await cli('consortium', process.env, 'sign', update, '--as', org.key);
    await cli('consortium', process.env, 'submit', update, '--as', signers[signers.length - 1]!.key);
    step('channel update signed and submitted');
    await cli('consortium', process.env, 'fetch-genesis', key);
    await cli('network', process.env, 'up');
    step('peer joined, definitions approved');
    const admission = await cli('consortium', process.env, 'propose', path.join(home, 'joining', key, 'admit.json'), '--as', members[0]!.key);
    const proposal = /proposal (\S+) \(/.exec(admission)?.[1];
    if (!proposal) throw new Error(`no proposal ID in: ${admission}`);
    for (const org of members.slice(1)) {
      // Its own peer may not have the proposal's block yet; the approval that reaches the threshold enacts it.
      const out = await retrying(`${org.key} approves`, () => cli('consortium', process.env, 'approve', proposal, '--as', org.key), 20, 200);
      if (!/, open$/m.test(out.trim())) break;
    }
    step('admitted by governance');
    newcomer = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(path.join(home, 'connections', `${mspId}.json`)), 'User1'));
    // Its first trade: a pack commissioned now, shipped to it and received. (A pack written before
    // the join carries a key-level policy naming the members of then, so the newcomer's peer
    // could not be the second endorser of its shipment: that would need a third member.)
    await submitCommand(manufacturer, 'Commission', { eventId: `bj-com-${runId}`, gtin: GTIN, lot: `J${runId}`, expiry: '2030-12-31', serials: [serial] });
    await submitCommand(manufacturer, 'Ship', { eventId: `bj-ship-${runId}`, to: mspId, epcs: [pack], statement: { affirmed: true } },
      { transient: ti, endorsingOrganizations: [manufacturer.mspId, mspId] });
    const buyer = newcomer;
    await retrying('the newcomer receives', () => submitCommand(buyer, 'Receive', { eventId: `bj-recv-${runId}`, epcs: [pack] }));
    step('first trade received');
    return { seconds: +((performance.now() - t0) / 1000).toFixed(1), steps };
  } finally {
    newcomer?.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The child: one topology (its home wiped by the parent), brought up from nothing, measured, stopped (unless --keep). */
async function measureThisNetwork(): Promise<Measured> {
  const network = new Network(networkPaths(), log);
  const runId = Date.now().toString(36);
  const t0 = performance.now();
  await network.up();
  const upSeconds = +((performance.now() - t0) / 1000).toFixed(1);
  log(`${ORDERERS.length} ordering node(s), ${PEER_ORGS.length} peers: up in ${upSeconds} s`);
  const ledgers = connectAll();
  try {
    const { manufacturer } = ledgers;
    await manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `bc-prod-${runId}`, ndc: NDC, name: 'Benchamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], { contract: 'masterdata' });
    // A short warm-up: the first calls open connections and load the chaincode servers' code.
    await closedLoop(4, counted(() => manufacturer.submit('Noop', [], PROBE)), { units: 20 });
    const noop = counted(() => manufacturer.submit('Noop', [], PROBE));
    const commission = counted((i) => submitCommand(manufacturer, 'Commission', { eventId: `bc-c-${runId}-${i}`, gtin: GTIN, lot: `C${runId}`, expiry: '2030-12-31', serials: [`C${runId}x${i}`] }));
    const loads: Load[] = [];
    log(`closed loop: no-op put, ${UNITS} at 16 in flight`);
    loads.push(loadOf('no-op put, closed loop (16 in flight)', await closedLoop(16, noop, { units: UNITS }), UNITS));
    log(`closed loop: commission 1 serial, ${UNITS} at 16 in flight`);
    loads.push(loadOf('commission 1 serial, closed loop (16 in flight)', await closedLoop(16, commission, { units: UNITS }), UNITS));
    log(`fixed rate: no-op put, ${RATE}/s for ${SECONDS} s`);
    const fixed = await fixedRate(RATE, SECONDS, noop);
    loads.push(loadOf(`no-op put, fixed rate ${RATE}/s for ${SECONDS} s`, fixed, fixed.offered));
    const isDefault = ORDERERS.length >= 3;
    const memory = isDefault ? networkMemory(network) : undefined;
    const join = isDefault && !process.argv.includes('--no-join') ? await joinToFirstTrade(ledgers, runId) : undefined;
    return { orderers: ORDERERS.length, peers: PEER_ORGS.length, upSeconds, loads, memory, join };
  } finally {
    for (const l of Object.values(ledgers)) l.close();
    // By the CLI, which reads the membership afresh: a newcomer's processes are not in this process's topology.
    if (!process.argv.includes('--keep')) await cli('network', process.env, 'down');
  }
}

/** The parent: each topology in its own process, one after the other; then one table. */
async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const measured = await measureThisNetwork();
    process.stdout.write(`${JSON.stringify(measured)}\n`);
    return;
  }
  const started = Date.now();
  const base = process.env.PEDIGREE_NETWORK_HOME ?? path.join(root, '.network');
  const results: Measured[] = [];
  for (const orderers of [1, 3]) {
    const home = `${base}-bench-${orderers}orderers`;
    log(`network with ${orderers} ordering node(s) in ${home}`);
    // PEDIGREE_ORDERERS empty: the consortium's own ordering nodes (three by default).
    const env = { ...process.env, PEDIGREE_NETWORK_HOME: home, PEDIGREE_ORDERERS: orderers === 1 ? '1' : '' };
    // What an earlier run (or --keep) left there is stopped and wiped first, the newcomer it took in too.
    if (fs.existsSync(home)) await cli('network', env, 'reset');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [__filename, '--child', ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env });
      let stdout = '';
      child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the ${orderers}-orderer measurement exited ${code}`))));
    });
    results.push(JSON.parse(out.trim().split('\n').pop()!) as Measured);
  }
  const m = machine();
  const free = Math.round(os.freemem() / 2 ** 20);
  console.log(`machine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}, free memory at the end=${free} MiB, load average=${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`bench:consortium in ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  const [one, three] = results as [Measured, Measured];
  const header = ['load', ...results.flatMap((r) => [`${r.orderers} orderer${r.orderers > 1 ? 's' : ''}: tx/s`, 'commit p50 / p99 / max ms', 'failed'])];
  const cells = one.loads.map((l, i) => [l.name, ...results.flatMap((r) => {
    const x = r.loads[i]!;
    return [f(x.txPerSecond), `${f(x.p50ms, 0)} / ${f(x.p99ms, 0)} / ${f(x.maxMs, 0)}`, `${x.failed} of ${x.calls}`];
  })]);
  cells.push(['network up from nothing, s', ...results.flatMap((r) => [f(r.upSeconds), '', ''])]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join(' | ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
  if (three.memory) {
    const mem = three.memory;
    console.log(`\nmemory of the default consortium's network (${three.orderers} orderers, ${three.peers} peers; ${mem.processes} processes, after the loads): peak ${mem.peakMiB} MiB (sum of VmHWM; ${Object.entries(mem.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}), resident ${mem.pssMiB} MiB (sum of PSS)`);
  }
  if (three.join) {
    console.log(`join → first trade of a newcomer: ${f(three.join.seconds)} s (${Object.entries(three.join.steps).map(([k, v]) => `${k} ${f(v)} s`).join(', ')})`);
  }
  console.log(JSON.stringify({ machine: m, freeMiB: free, rate: RATE, seconds: SECONDS, units: UNITS, results }));
}

main().then(
  () => process.exit(0),
  (err: Error) => { console.error(`bench:consortium: ${err.stack ?? err.message}`); process.exit(1); },
);
