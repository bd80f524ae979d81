import * as os from 'node:os';
import { actOnException, checkReceipt, raiseException, sgtinToEpcUrn, type ReceiptAsFound, type ShipmentAsShipped } from '@pedigree/domain';
import { connectAll, machine } from './harness';
import { receiptOnLedger } from './receiving-ledger';
import { stats, time } from './samples';
import { Network } from '../network/network';

/**
 * `npm run bench:receiving [-- --packs N --runs R --per-shipment S --no-ledger]`: the receiving checks alone (the domain's
 * checkReceipt, no ledger reads, no network) on a one-pallet shipment of N packs in cases of 100,
 * scanned in full: a clean receipt, then one pack missing from every case (one finding per case),
 * then raising those findings and re-checking a correction of each. Median and max of R runs.
 * Then the same shipment on the real network (brought up if it is down; `--no-ledger` skips it):
 * the checks as the partner service runs them, ledger reads included, beside the receipt
 * transaction of that shipment, in the same run (receiving-ledger.ts).
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const PACKS = arg('--packs', 10_000);
const RUNS = arg('--runs', 5);
const PER_SHIPMENT = arg('--per-shipment', 2_500);
const GTIN = '00312345678906';
const PALLET = 'urn:epc:id:sscc:0312345.1000000000';
const caseId = (c: number) => `urn:epc:id:sscc:0312345.2${String(c).padStart(9, '0')}`;

function load(): { shipped: ShipmentAsShipped; found: ReceiptAsFound; short: ReceiptAsFound } {
  const cases = Math.ceil(PACKS / 100);
  const packs = Array.from({ length: PACKS }, (_, i) => ({ id: sgtinToEpcUrn(GTIN, `B${i}`), gtin: GTIN, lot: 'L1', expiry: '2030-12-31' as const }));
  const containers = [
    { id: PALLET, children: Array.from({ length: cases }, (_, c) => caseId(c)), sealed: true },
    ...Array.from({ length: cases }, (_, c) => ({ id: caseId(c), children: packs.slice(c * 100, c * 100 + 100).map((p) => p.id), sealed: true })),
  ];
  const shipped: ShipmentAsShipped = { shipmentId: 'bench', seller: 'ManufacturerMSP', addressee: 'DistributorMSP', epcs: [PALLET], containers, packs, ti: [{ gtin: GTIN, quantity: PACKS }] };
  const base = { receiver: 'DistributorMSP', presented: [PALLET], brokenSeals: [], masterData: [GTIN] };
  return {
    shipped,
    found: { ...base, scanned: packs.map((p) => ({ id: p.id, lot: p.lot, expiry: p.expiry })) },
    short: { ...base, scanned: packs.filter((_, i) => i % 100 !== 99).map((p) => ({ id: p.id })) },
  };
}

const { shipped, found, short } = load();
const at = '2026-12-01T10:00:00.000Z';
const clean: number[] = [];
const mismatched: number[] = [];
const lifecycle: number[] = [];
let findings = 0;
for (let r = 0; r < RUNS; r++) {
  clean.push(time(() => checkReceipt(shipped, found)));
  let got: ReturnType<typeof checkReceipt> = [];
  mismatched.push(time(() => { got = checkReceipt(shipped, short); }));
  findings = got.length;
  lifecycle.push(time(() => {
    for (const [i, f] of got.entries()) {
      const x = raiseException({ id: `x${i}`, finding: f, refer: true }, 'DistributorMSP', at);
      actOnException(x, { type: 'answer', correction: { contents: [{ container: f.evidence.container as string, children: f.evidence.scanned as string[] }] } }, 'ManufacturerMSP', at);
    }
  }));
}
const result = {
  packs: PACKS, runs: RUNS, findings, node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
  cleanReceipt: stats(clean), oneMissingPerCase: stats(mismatched), raiseAndRecheckAll: stats(lifecycle),
};
console.log(`receiving checks on ${PACKS} packs (${Math.ceil(PACKS / 100)} cases of 100), ${RUNS} runs, ${result.cpu} ×${result.cores}`);
console.log(`  clean receipt, full scan:        median ${result.cleanReceipt.medianMs} ms, max ${result.cleanReceipt.maxMs} ms`);
console.log(`  one pack missing per case:       median ${result.oneMissingPerCase.medianMs} ms, max ${result.oneMissingPerCase.maxMs} ms (${findings} findings)`);
console.log(`  raise + re-check every finding:  median ${result.raiseAndRecheckAll.medianMs} ms, max ${result.raiseAndRecheckAll.maxMs} ms`);

async function onLedger(): Promise<void> {
  const network = new Network();
  if (!(await network.isUp())) await network.up();
  const m = machine();
  console.log(`\nmachine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const ledgers = connectAll();
  try {
    const got = await receiptOnLedger({ ledgers, runId: Date.now().toString(36), concurrency: 1 }, PACKS, Math.min(RUNS, 3), PER_SHIPMENT);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const s = (x: number) => x.toFixed(2);
    console.log(`on the ledger, ${PACKS} packs in ${got.shipments} shipments (a pallet of sealed cases of 100 each), received by the distributor at one dock; set up in ${s(got.setupSeconds)} s`);
    console.log(`  receiving checks, full scan (ledger reads + checkReceipt): median ${s(med(got.checksCleanSeconds))} s of ${got.checksCleanSeconds.length} (${got.checksCleanSeconds.map(s).join(', ')})`);
    console.log(`  receiving checks, one pack missing per case:               median ${s(med(got.checksShortSeconds))} s (${got.shortFindings} findings)`);
    const total = got.receiptSeconds.reduce((a, b) => a + b, 0);
    console.log(`  the receipt transactions (Receive of each pallet, to commit): ${s(total)} s in all (${got.receiptSeconds.map(s).join(', ')})`);
    console.log(JSON.stringify({ ...result, machine: m, ledger: got }));
  } finally {
    for (const l of Object.values(ledgers)) l.close();
  }
}

if (process.argv.includes('--no-ledger')) console.log(JSON.stringify(result));
else onLedger().catch((err) => { console.error(`bench:receiving: ${(err as Error).message}`); process.exit(1); });
