import * as fs from 'node:fs';
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Ledger, connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { orgByApp, PartnerApp, projectRoot } from '../network/topology';

/** One measured workload: `run` performs one unit (one transaction) and says how many events it carried. */
export interface LedgerScenario {
  readonly name: string;
  /** Business events per transaction (1 for single-event transactions, the batch size otherwise). */
  readonly eventsPerTx: number;
  /** Prepares state (e.g. commissions the packs a ship scenario will move); not measured. */
  setup?(ctx: ScenarioContext): Promise<void>;
  /** One transaction; `i` is the sequence number of this unit within the run. */
  run(ctx: ScenarioContext, i: number): Promise<void>;
  /** How many units to run; the runner keeps `concurrency` of them in flight. */
  readonly units: number;
}

export interface ScenarioContext {
  readonly ledgers: Readonly<Record<'manufacturer' | 'distributor' | 'dispenser', Ledger>>;
  readonly runId: string;
  readonly concurrency: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly transactions: number;
  readonly eventsPerTx: number;
  readonly seconds: number;
  readonly txPerSecond: number;
  readonly eventsPerSecond: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly failures: number;
}

export function connectAll(): ScenarioContext['ledgers'] {
  const root = projectRoot();
  const open = (app: PartnerApp) => connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(orgByApp(app).mspId, root))));
  return { manufacturer: open('manufacturer'), distributor: open('distributor'), dispenser: open('dispenser') };
}

/** Latencies (ms, sorted) of the calls that succeeded, and the wall time of the whole run. */
export interface ClosedLoopResult {
  readonly latenciesMs: readonly number[];
  readonly seconds: number;
}

/**
 * The load every bench uses: `concurrency` clients calling `op` back to back until `units` calls
 * have started or `seconds` have passed. A call that returns `false` failed and is not timed.
 */
export async function closedLoop(
  concurrency: number,
  op: (i: number) => Promise<boolean | void>,
  limits: { units?: number; seconds?: number } = {},
): Promise<ClosedLoopResult> {
  const units = limits.units ?? Infinity;
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = limits.seconds === undefined ? Infinity : t0 + limits.seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < units && performance.now() < deadline) {
      const i = next++;
      const started = performance.now();
      if ((await op(i)) !== false) latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { latenciesMs: latencies, seconds: (performance.now() - t0) / 1000 };
}

/**
 * An open-loop load: one call started every 1/`perSecond` s for `seconds`, whether or not the
 * earlier ones have returned, so a slow commit shows as latency instead of lowering the offered
 * rate (a closed loop hides it). Answers the latencies of the calls that succeeded and the time
 * until the last one returned.
 */
export async function fixedRate(
  perSecond: number,
  seconds: number,
  op: (i: number) => Promise<boolean | void>,
): Promise<ClosedLoopResult & { readonly offered: number }> {
  const latencies: number[] = [];
  const calls: Promise<void>[] = [];
  const offered = Math.max(1, Math.round(perSecond * seconds));
  const t0 = performance.now();
  for (let i = 0; i < offered; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = performance.now();
    calls.push(op(i).then((ok) => { if (ok !== false) latencies.push(performance.now() - started); }));
  }
  await Promise.all(calls);
  latencies.sort((a, b) => a - b);
  return { latenciesMs: latencies, seconds: (performance.now() - t0) / 1000, offered };
}

/** The p-quantile of sorted values (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

export async function runScenario(s: LedgerScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  await s.setup?.(ctx);
  let failures = 0;
  const { latenciesMs, seconds } = await closedLoop(ctx.concurrency, async (i) => {
    try {
      await s.run(ctx, i);
      return true;
    } catch (err) {
      failures++;
      if (failures <= 3) process.stderr.write(`  ${s.name}: ${(err as Error).message}\n`);
      return false;
    }
  }, { units: s.units });
  const ok = latenciesMs.length;
  return {
    name: s.name, transactions: ok, eventsPerTx: s.eventsPerTx, seconds,
    txPerSecond: ok / seconds, eventsPerSecond: (ok * s.eventsPerTx) / seconds,
    p50ms: percentile(latenciesMs, 0.5), p99ms: percentile(latenciesMs, 0.99), failures,
  };
}

/** Proportional set size of a process (shared pages divided among their sharers), MiB; 0 when /proc does not tell. */
export function pssMiB(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch { return 0; }
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  let fabric = 'unknown';
  try {
    const bin = execFileSync(path.join(projectRoot(), 'infra/bin/fabric-install'), { encoding: 'utf8' }).trim().split('\n').pop()!;
    fabric = path.basename(path.dirname(bin));
  } catch { /* reported as unknown */ }
  return {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`, node: process.version, fabric,
  };
}

export function printTable(results: readonly ScenarioResult[]): void {
  const header = ['scenario', 'tx', 'events/tx', 'tx/s', 'events/s', 'p50 ms', 'p99 ms', 'failed'];
  const rows = results.map((r) => [r.name, String(r.transactions), String(r.eventsPerTx), r.txPerSecond.toFixed(1),
    r.eventsPerSecond.toFixed(1), r.p50ms.toFixed(0), r.p99ms.toFixed(0), String(r.failures)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/**
 * A set-up transaction (not measured), with a 2-minute deadline unless given, tried again when it
 * passes: on a loaded machine a batch can take longer than the gateway's default to endorse. Safe because every
 * command carries its event ID, so a repeat that the ledger already has is a no-op.
 */
export async function setupSubmit(ledger: Ledger, transaction: string, args: readonly string[], options: Parameters<Ledger['submit']>[2], tries = 3): ReturnType<Ledger['submit']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ledger.submit(transaction, args, { timeoutMs: 120_000, ...options });
    } catch (err) {
      if (attempt >= tries || !/DEADLINE_EXCEEDED|timed? ?out/i.test((err as Error).message)) throw err;
      process.stderr.write(`  ${transaction}: ${(err as Error).message.slice(0, 80)}; trying again\n`);
    }
  }
}
