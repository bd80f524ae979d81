import { connectAll, machine, printTable, runScenario, ScenarioResult } from './harness';
import { probeScenarios } from './probe.scenarios';
import { traceabilityScenarios } from '../../../chaincode/bench/traceability.scenarios';
import { Network } from '../network/network';

/**
 * `npm run bench:ledger`: transactions and business events per second on the real network,
 * every figure beside the single-put baseline measured in the same run.
 * Options: --concurrency N (default 16), --only SUBSTRING, --scale F (multiplies every unit count).
 */
async function main(): Promise<void> {
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
  const concurrency = Number(arg('concurrency') ?? 16);
  const scale = Number(arg('scale') ?? 1);
  const only = arg('only');

  const network = new Network();
  if (!(await network.isUp())) await network.up();
  const m = machine();
  console.log(`machine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  console.log(`concurrency: ${concurrency} transactions in flight\n`);

  const scenarios = [...probeScenarios, ...traceabilityScenarios]
    .filter((s) => !only || s.name.includes(only))
    .map((s) => ({ ...s, units: Math.max(1, Math.round(s.units * scale)) }));
  const ledgers = connectAll();
  const runId = Date.now().toString(36);
  const results: ScenarioResult[] = [];
  try {
    for (const s of scenarios) {
      process.stderr.write(`running ${s.name} (${s.units} tx)...\n`);
      results.push(await runScenario(s, { ledgers, runId, concurrency }));
    }
  } finally {
    for (const l of Object.values(ledgers)) l.close();
  }
  console.log('');
  printTable(results);
  console.log(JSON.stringify({ machine: m, concurrency, results }));
}

main().catch((err) => {
  console.error(`bench:ledger: ${(err as Error).message}`);
  process.exit(1);
});
