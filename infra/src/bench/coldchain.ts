import * as os from 'node:os';
import {
  checkShipmentConditions, custodyIntervals, custodySteps, packExposure, parseStorageConditions, readingsBatchSha256, readingsFromCsv, sgtinToEpcUrn, temperatureSeries, type ConditionSource, type CustodyStep, type Reading,
} from '@pedigree/domain';
import { stats, time } from './samples';

/**
 * `npm run bench:coldchain [-- --packs N --days D --runs R]`: excursion computation for one pallet
 * of N packs (cases of 100) with a D-day logger trace at one reading a minute on the pallet and on
 * the shipment, beside reading that trace itself (parsing the logger's CSV and hashing the batch).
 * Pure domain code, no ledger, no database. Median and max of R runs; also one pack's exposure
 * without the shared-leg cache, i.e. what each pack would cost if computed alone. Each pack's legs
 * come from its custody history (custodyIntervals): its case packed onto the pallet in the first
 * hour (a minute apart), the pallet shipped after two hours and received at the trace's end.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const PACKS = arg('--packs', 10_000);
const DAYS = arg('--days', 30);
const RUNS = arg('--runs', 5);
const GTIN = '00312345678906';
const PALLET = 'urn:epc:id:sscc:0312345.1000000000';
const caseId = (c: number) => `urn:epc:id:sscc:0312345.2${String(c).padStart(9, '0')}`;
const T0 = Date.UTC(2026, 10, 1);
const MINUTES = DAYS * 24 * 60;
const storage = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 60, mktLimitCelsius: 8 } });

/** A fridge trace: 5 °C with a daily swing, a door-open spike every 6 h, a 3-hour excursion on day 12. */
function trace(): Reading[] {
  return Array.from({ length: MINUTES }, (_, m) => ({
    atMs: T0 + m * 60_000,
    value: Math.round((5 + 1.5 * Math.sin((2 * Math.PI * m) / 1440) + (m % 360 < 5 ? 3.2 : 0) + (m >= 12 * 1440 && m < 12 * 1440 + 180 ? 9 : 0)) * 100) / 100,
  }));
}

const series = trace();
const csv = ['time,temperature', ...series.map((r) => `${new Date(r.atMs).toISOString()},${r.value}`)].join('\n');
const shipment: ConditionSource = { kind: 'shipment', id: 'bench-shipment' };
const pallet: ConditionSource = { kind: 'container', id: PALLET };
const endMs = T0 + (MINUTES - 1) * 60_000;
const epcOf = (i: number) => sgtinToEpcUrn(GTIN, `B${i}`);
const steps: CustodyStep[] = [
  { kind: 'ship', subject: PALLET, atMs: T0 + 120 * 60_000, shipment: shipment.id },
  { kind: 'receive', subject: PALLET, atMs: endMs },
];
for (let c = 0; c * 100 < PACKS; c++) {
  steps.push({ kind: 'pack', subject: caseId(c), atMs: T0 + (c % 60) * 60_000, container: PALLET });
  for (let i = c * 100; i < Math.min(PACKS, (c + 1) * 100); i++) steps.push({ kind: 'pack', subject: epcOf(i), atMs: T0, container: caseId(c) });
}
const byRecord = custodySteps(steps);
const custodyOfAll = () => Array.from({ length: PACKS }, (_, i) => ({ epc: epcOf(i), gtin: GTIN, legs: custodyIntervals(epcOf(i), byRecord, endMs) }));
const packs = custodyOfAll();
const readingsOf = (s: ConditionSource) => (s.kind === 'shipment' || s.id === PALLET ? series : undefined);

const reading: number[] = [];
const hashing: number[] = [];
const pallets: number[] = [];
const custody: number[] = [];
const single: number[] = [];
let findings = 0;
let minutesOut = 0;
for (let r = 0; r < RUNS; r++) {
  let parsed: ReturnType<typeof readingsFromCsv> = [];
  reading.push(time(() => { parsed = readingsFromCsv(csv); }));
  hashing.push(time(() => readingsBatchSha256({ source: pallet, readings: parsed }, '0123456789abcdef0123456789abcdef')));
  if (temperatureSeries({ readings: parsed }).length !== series.length) throw new Error('the CSV did not read back');
  custody.push(time(() => custodyOfAll()));
  pallets.push(time(() => {
    const out = checkShipmentConditions({ shipmentId: 'bench-shipment', seller: 'ManufacturerMSP', receiver: 'DistributorMSP', packs, storageOf: () => storage, readingsOf });
    findings = out.findings.length;
    minutesOut = out.packs[0]?.exposure.minutesOutOfRange ?? 0;
  }));
  single.push(time(() => packExposure(packs[0]!.legs, readingsOf, { min: 2, max: 8 })));
}
const result = {
  packs: PACKS, days: DAYS, readings: series.length, runs: RUNS, findings, minutesOutOfRange: Number(minutesOut.toFixed(1)), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
  readTraceCsv: stats(reading), hashBatch: stats(hashing), custodyIntervals: stats(custody), palletExcursions: stats(pallets), onePackUncached: stats(single),
};
console.log(`cold chain: ${PACKS} packs on one pallet, ${DAYS}-day trace at 1/min (${series.length} readings), ${RUNS} runs, ${result.cpu} ×${result.cores}`);
console.log(`  read the trace (CSV → readings):       median ${result.readTraceCsv.medianMs} ms, max ${result.readTraceCsv.maxMs} ms`);
console.log(`  salted digest of the batch:            median ${result.hashBatch.medianMs} ms, max ${result.hashBatch.maxMs} ms`);
console.log(`  every pack's custody intervals:        median ${result.custodyIntervals.medianMs} ms, max ${result.custodyIntervals.maxMs} ms`);
console.log(`  excursions for every pack (cached legs): median ${result.palletExcursions.medianMs} ms, max ${result.palletExcursions.maxMs} ms (${findings} finding, ${result.minutesOutOfRange} min out of range per pack)`);
console.log(`  one pack alone, uncached:              median ${result.onePackUncached.medianMs} ms, max ${result.onePackUncached.maxMs} ms`);
console.log(JSON.stringify(result));
