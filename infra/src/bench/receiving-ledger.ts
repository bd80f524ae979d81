import { randomBytes } from 'node:crypto';
import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { LedgerReads, type ProductReads } from '@pedigree/readmodel';
import { ReceivingInspector } from '@pedigree/partner';
import { setupSubmit, type ScenarioContext } from './harness';

/**
 * The same shipment on the real network: N packs commissioned, packed into cases of 100 on one
 * pallet and sold manufacturer → distributor with its TI; then, on the distributor, the receiving
 * checks as the partner service runs them (ReceivingInspector: the load read from the ledger down
 * the pallet, the shipment, the TI from its own peer, then checkReceipt) and the receipt
 * transaction itself, each timed in this run. Master data is taken as known (the service reads it
 * from its read model in one indexed query; no read model here).
 */
const NDC = '12345-140-10';
const GTIN = ndcToGtin14(NDC);
const TRACE = { contract: 'traceability' } as const;
/** A whole pallet of 10,000 packs endorses for longer than the gateway's default 15 s on a loaded 2-core machine. */
const LONG_MS = 180_000;
const everyProductKnown = { known: async (gtins: readonly string[]) => new Set(gtins) } as unknown as ProductReads;

export interface LedgerReceipt {
  readonly packs: number;
  readonly setupSeconds: number;
  /** Reads + checkReceipt on the full scan, seconds, one per run. */
  readonly checksCleanSeconds: number[];
  /** The same with one pack missing from every case (reads only; nothing is submitted). */
  readonly checksShortSeconds: number[];
  readonly shortFindings: number;
  /** The Receive transaction of the pallet, submit to commit, seconds. */
  readonly receiptSeconds: number;
}

export async function receiptOnLedger(ctx: ScenarioContext, packs: number, runs: number): Promise<LedgerReceipt> {
  const { manufacturer, distributor } = ctx.ledgers;
  const run = ctx.runId;
  const t0 = performance.now();
  await setupSubmit(manufacturer, 'RegisterProduct', [JSON.stringify({ eventId: `bench-rcv-prod-${run}`, ndc: NDC, name: 'Receivamab', strength: '5 mg', dosageForm: 'tablet', packSize: '30 tablets' })], { contract: 'masterdata' })
    .catch(() => undefined); // registered by an earlier run
  const lot = `RV${run}`.slice(0, 20);
  const serials = Array.from({ length: packs }, (_, i) => `R${run}-${i}`);
  const epcs = serials.map((s) => sgtinToEpcUrn(GTIN, s));
  const chunks = Array.from({ length: Math.ceil(packs / 500) }, (_, k) => k);
  const log = (what: string) => process.stderr.write(`  ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  for (let k = 0; k < chunks.length; k += 2) {
    await Promise.all(chunks.slice(k, k + 2).map((c) => setupSubmit(manufacturer, 'Commission',
      [JSON.stringify({ eventId: `bench-rcv-c-${run}-${c}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: serials.slice(c * 500, c * 500 + 500) })], TRACE)));
    log(`commissioned ${Math.min(packs, (k + 2) * 500)}`);
  }
  // SSCCs unique per run: extension digit 3, the run's time in the serial reference.
  const stamp = String(parseInt(run, 36) % 1e7).padStart(7, '0');
  const sscc = (n: number) => `urn:epc:id:sscc:0312345.3${stamp}${String(n).padStart(2, '0')}`.slice(0, 34);
  const cases = Math.ceil(packs / 100);
  const caseIds = Array.from({ length: cases }, (_, c) => `urn:epc:id:sscc:0312345.4${stamp}${String(c).padStart(2, '0')}`);
  const pallet = sscc(99);
  for (let c = 0; c < cases; c += 4) {
    await Promise.all(caseIds.slice(c, c + 4).map((id, j) => setupSubmit(manufacturer, 'Pack',
      [JSON.stringify({ eventId: `bench-rcv-p-${run}-${c + j}`, parent: id, children: epcs.slice((c + j) * 100, (c + j) * 100 + 100), sealed: true })], TRACE)));
  }
  log(`packed ${cases} cases`);
  await setupSubmit(manufacturer, 'Pack', [JSON.stringify({ eventId: `bench-rcv-pallet-${run}`, parent: pallet, children: caseIds, sealed: true })], TRACE);
  const ti = JSON.stringify({ transactionDate: '2026-12-01', seller: { name: 'Manufacturer' }, buyer: { name: 'Distributor' }, products: [{ ndc: NDC, lot, quantity: packs }], invoice: `INV-RCV-${run}`, salt: randomBytes(16).toString('hex') });
  await setupSubmit(manufacturer, 'Ship', [JSON.stringify({ eventId: `bench-rcv-s-${run}`, to: 'DistributorMSP', epcs: [pallet], statement: { affirmed: true } })],
    { ...TRACE, transient: { ti }, endorsingOrganizations: ['ManufacturerMSP', 'DistributorMSP'], timeoutMs: LONG_MS });
  log('shipped');
  const setupSeconds = (performance.now() - t0) / 1000;

  const inspector = new ReceivingInspector(new LedgerReads(distributor), everyProductKnown, 'DistributorMSP');
  const timed = async (f: () => Promise<unknown>) => { const s = performance.now(); await f(); return (performance.now() - s) / 1000; };
  const checksCleanSeconds: number[] = [];
  const checksShortSeconds: number[] = [];
  let shortFindings = 0;
  for (let r = 0; r < runs; r++) {
    checksCleanSeconds.push(await timed(async () => {
      const got = await inspector.inspect({ epcs: [pallet], scanned: epcs, brokenSeals: [] });
      if (got.findings.length) throw new Error(`bench:receiving: the clean receipt found ${got.findings.map((f) => f.rule).join(', ')}`);
    }));
    checksShortSeconds.push(await timed(async () => {
      shortFindings = (await inspector.inspect({ epcs: [pallet], scanned: epcs.filter((_, i) => i % 100 !== 99), brokenSeals: [] })).findings.length;
    }));
  }
  // A clean receipt of the pallet: what the service submits once the checks found nothing (the
  // contents inferred from the sealed aggregation; a scan list over 5,000 would be refused anyway).
  const receiptSeconds = await timed(() => distributor.submit('Receive', [JSON.stringify({ eventId: `bench-rcv-r-${run}`, epcs: [pallet] })], { ...TRACE, timeoutMs: LONG_MS }));
  return { packs, setupSeconds, checksCleanSeconds, checksShortSeconds, shortFindings, receiptSeconds };
}
