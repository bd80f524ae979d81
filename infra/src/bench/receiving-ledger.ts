import { randomBytes } from 'node:crypto';
import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { LedgerReads, type ProductReads } from '@pedigree/readmodel';
import { ReceivingInspector } from '@pedigree/partner';
import { setupSubmit, type ScenarioContext } from './harness';

/**
 * The same load on the real network: N packs commissioned, packed into cases of 100 on pallets of
 * `perShipment` packs, each sold manufacturer → distributor as one shipment with its TI; then, on the distributor, the receiving
 * checks as the partner service runs them (ReceivingInspector: the load read from the ledger down
 * the pallet, the shipment, the TI from its own peer, then checkReceipt) and the receipt
 * transaction itself, each timed in this run. Master data is taken as known (the service reads it
 * from its read model in one indexed query; no read model here).
 */
const NDC = '12345-140-10';
export const GTIN = ndcToGtin14(NDC);
export const TRACE = { contract: 'traceability' } as const;
/** A whole pallet of 10,000 packs endorses for longer than the gateway's default 15 s on a loaded 2-core machine. */
export const LONG_MS = 180_000;
const everyProductKnown = { known: async (gtins: readonly string[]) => new Set(gtins) } as unknown as ProductReads;

export interface LedgerReceipt {
  readonly packs: number;
  readonly setupSeconds: number;
  /** Reads + checkReceipt on the full scan, seconds, one per run. */
  readonly checksCleanSeconds: number[];
  /** The same with one pack missing from every case (reads only; nothing is submitted). */
  readonly checksShortSeconds: number[];
  readonly shortFindings: number;
  readonly shipments: number;
  /** The Receive transaction of each pallet (one shipment each), submit to commit, seconds. */
  readonly receiptSeconds: number[];
}

/** A load on the ledger: its packs commissioned and packed into sealed cases of 100 on sealed pallets. */
export interface SealedLoad {
  readonly lot: string;
  readonly epcs: readonly string[];
  readonly pallets: readonly string[];
  /** Cases of each pallet, in pallet order. */
  readonly palletCases: ReadonlyArray<readonly string[]>;
}

/**
 * Commissions `packs` packs (500 a transaction) and packs them into sealed cases of 100 on sealed
 * pallets of `perPallet` packs; `log` reports progress.
 */
export async function sealedPallets(ctx: ScenarioContext, packs: number, perPallet: number, log: (what: string) => void): Promise<SealedLoad> {
  const { manufacturer } = ctx.ledgers;
  const run = ctx.runId;
  await setupSubmit(manufacturer, 'RegisterProduct', [JSON.stringify({ eventId: `bench-rcv-prod-${run}`, ndc: NDC, name: 'Receivamab', strength: '5 mg', dosageForm: 'tablet', packSize: '30 tablets' })], { contract: 'masterdata' })
    .catch(() => undefined); // registered by an earlier run
  const lot = `RV${run}`.slice(0, 20);
  const serials = Array.from({ length: packs }, (_, i) => `R${run}-${i}`);
  const epcs = serials.map((s) => sgtinToEpcUrn(GTIN, s));
  const chunks = Array.from({ length: Math.ceil(packs / 500) }, (_, k) => k);
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
  const casesPerPallet = Math.max(1, Math.floor(perPallet / 100));
  const pallets = Array.from({ length: Math.ceil(cases / casesPerPallet) }, (_, k) => sscc(k));
  for (let c = 0; c < cases; c += 4) {
    await Promise.all(caseIds.slice(c, c + 4).map((id, j) => setupSubmit(manufacturer, 'Pack',
      [JSON.stringify({ eventId: `bench-rcv-p-${run}-${c + j}`, parent: id, children: epcs.slice((c + j) * 100, (c + j) * 100 + 100), sealed: true })], TRACE)));
  }
  log(`packed ${cases} cases`);
  const palletCases = pallets.map((_, k) => caseIds.slice(k * casesPerPallet, (k + 1) * casesPerPallet));
  for (const [k, pallet] of pallets.entries()) {
    await setupSubmit(manufacturer, 'Pack', [JSON.stringify({ eventId: `bench-rcv-pallet-${run}-${k}`, parent: pallet, children: palletCases[k], sealed: true })], TRACE);
  }
  log(`packed ${pallets.length} pallets`);
  return { lot, epcs, pallets, palletCases };
}

/** The Transaction Information of a sale of `quantity` packs of the load's lot. */
export function saleTi(lot: string, quantity: number, invoice: string): string {
  return JSON.stringify({ transactionDate: '2026-12-01', seller: { name: 'Manufacturer' }, buyer: { name: 'Distributor' }, products: [{ ndc: NDC, lot, quantity }], invoice, salt: randomBytes(16).toString('hex') });
}

export async function receiptOnLedger(ctx: ScenarioContext, packs: number, runs: number, perShipment: number): Promise<LedgerReceipt> {
  const { manufacturer, distributor } = ctx.ledgers;
  const run = ctx.runId;
  const t0 = performance.now();
  const log = (what: string) => process.stderr.write(`  ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const { lot, epcs, pallets, palletCases } = await sealedPallets(ctx, packs, perShipment, log);
  for (const [k, pallet] of pallets.entries()) {
    const ti = saleTi(lot, (palletCases[k] as readonly string[]).length * 100, `INV-RCV-${run}-${k}`);
    await setupSubmit(manufacturer, 'Ship', [JSON.stringify({ eventId: `bench-rcv-s-${run}-${k}`, to: 'DistributorMSP', epcs: [pallet], statement: { affirmed: true } })],
      { ...TRACE, transient: { ti }, endorsingOrganizations: ['ManufacturerMSP', 'DistributorMSP'], timeoutMs: LONG_MS });
  }
  log('shipped');
  const setupSeconds = (performance.now() - t0) / 1000;

  const inspector = new ReceivingInspector(new LedgerReads(distributor), everyProductKnown, 'DistributorMSP');
  const timed = async (f: () => Promise<unknown>) => { const s = performance.now(); await f(); return (performance.now() - s) / 1000; };
  const checksCleanSeconds: number[] = [];
  const checksShortSeconds: number[] = [];
  let shortFindings = 0;
  for (let r = 0; r < runs; r++) {
    checksCleanSeconds.push(await timed(async () => {
      const got = await inspector.inspect({ epcs: pallets, scanned: epcs, brokenSeals: [] });
      if (got.findings.length) throw new Error(`bench:receiving: the clean receipt found ${got.findings.map((f) => f.rule).join(', ')}`);
    }));
    checksShortSeconds.push(await timed(async () => {
      shortFindings = (await inspector.inspect({ epcs: pallets, scanned: epcs.filter((_, i) => i % 100 !== 99), brokenSeals: [] })).findings.length;
    }));
  }
  // A clean receipt: what the service submits once the checks found nothing (the contents inferred
  // from the sealed aggregation; a scan list over 5,000 would be refused anyway), one per pallet.
  const receiptSeconds: number[] = [];
  for (const [k, pallet] of pallets.entries()) {
    receiptSeconds.push(await timed(() => distributor.submit('Receive', [JSON.stringify({ eventId: `bench-rcv-r-${run}-${k}`, epcs: [pallet] })], { ...TRACE, timeoutMs: LONG_MS })));
  }
  return { packs, shipments: pallets.length, setupSeconds, checksCleanSeconds, checksShortSeconds, shortFindings, receiptSeconds };
}
