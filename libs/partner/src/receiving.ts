import {
  checkReceipt,
  holdReason,
  isEpcUrn,
  isPack,
  ndcToGtin14,
  normaliseGtin,
  parseScan,
  type ContainerRecord,
  type Finding,
  type LedgerPackView,
  type OrgId,
  type PackRecord,
  type QuarantineReason,
  type ScannedPack,
  type ShipmentAsShipped,
  type ShipmentRecord,
  type TiLine,
  type TraceRecord,
} from '@pedigree/domain';
import type { LedgerReads, ProductReads } from '@pedigree/readmodel';
import { toEpc } from './epc-input';

/** What the dock reported: top-level EPCs presented, scans (as scanned or typed), broken seals. */
export interface DockReport {
  readonly epcs: readonly string[];
  readonly scanned: readonly string[];
  readonly brokenSeals: readonly string[];
}

/** The receipt to submit (everything that is ours to receive) and the findings to raise after it. */
export interface Inspection {
  readonly findings: Finding[];
  readonly receive?: { readonly epcs: string[]; readonly scanned: string[]; readonly hold?: { readonly epcs: string[]; readonly reason: QuarantineReason } };
}

/**
 * Runs the domain's receiving checks (checkReceipt) for a receipt of member shipments: the load as
 * the ledger records it (containers and packs at any depth, the shipment record, the TI from this
 * organisation's own peer) against what the dock found and this organisation's product master data
 * (its read model's products). Reads only; the caller submits the receipt and raises the findings.
 */
export class ReceivingInspector {
  constructor(private readonly reads: LedgerReads, private readonly products: ProductReads, private readonly org: OrgId) {}

  async inspect(dock: DockReport): Promise<Inspection> {
    const presented = dock.epcs.map((e) => toEpc(e));
    const scans = dock.scanned.map(scannedPackOf);
    const brokenSeals = dock.brokenSeals.map((e) => toEpc(e));

    // The load per shipment, as the ledger has it.
    const loads = new Map<string, { shipment: ShipmentRecord; containers: ContainerRecord[]; packs: PackRecord[]; presented: string[] }>();
    for (const epc of presented) {
      const tree = await this.tree(epc);
      const top = tree[0];
      const shipmentId = top?.shipment ? shipmentIdOf(top.shipment.bizTransactions) : undefined;
      if (!top || !shipmentId) continue; // unknown or not in transit: the receipt itself says why
      let load = loads.get(shipmentId);
      if (!load) {
        const shipment = await this.reads.optional<ShipmentRecord>('GetShipment', [shipmentId]);
        if (!shipment) continue;
        load = { shipment, containers: [], packs: [], presented: [] };
        loads.set(shipmentId, load);
      }
      load.presented.push(epc);
      for (const r of tree) (isPack(r) ? load.packs : load.containers).push(r as never);
    }
    // Shipped top-level EPCs that were not presented are part of the load too (data without product).
    for (const load of loads.values()) {
      for (const epc of load.shipment.epcs) {
        if (load.presented.includes(epc)) continue;
        for (const r of await this.tree(epc)) (isPack(r) ? load.packs : load.containers).push(r as never);
      }
    }

    const inLoads = new Set([...loads.values()].flatMap((l) => [...l.containers, ...l.packs].map((r) => r.id)));
    const strays: Record<string, LedgerPackView> = {};
    for (const s of scans) {
      if (inLoads.has(s.id)) continue;
      const p = await this.reads.pack(s.id).catch(() => undefined);
      if (p) strays[s.id] = { id: p.id, gtin: p.gtin, lot: p.lot, expiry: p.expiry, owner: p.owner, status: p.status, ...(p.parent ? { container: p.parent } : {}) };
    }
    const gtins = [...new Set([...loads.values()].flatMap((l) => l.packs.map((p) => p.gtin)))];
    const master = await this.products.known(gtins);

    const findings: Finding[] = [];
    const strayScans = scans.filter((s) => !inLoads.has(s.id));
    let first = true;
    for (const [shipmentId, load] of loads) {
      const tree = new Set([...load.containers, ...load.packs].map((r) => r.id));
      const shipped: ShipmentAsShipped = {
        shipmentId, seller: load.shipment.from, addressee: load.shipment.to, epcs: load.shipment.epcs,
        containers: load.containers.map((c) => ({ id: c.id, children: c.children, sealed: c.sealed })),
        packs: load.packs.map((p) => ({ id: p.id, gtin: p.gtin, lot: p.lot, expiry: p.expiry })),
        ...(load.shipment.to === this.org ? { ti: await this.tiLines(shipmentId) } : {}),
      };
      // Scans that belong to no load are reported with the first shipment, as the ledger's receipt does.
      const mine = [...scans.filter((s) => tree.has(s.id)), ...(first ? strayScans : [])];
      findings.push(...checkReceipt(shipped, { receiver: this.org, presented: load.presented, scanned: mine, brokenSeals, masterData: [...master], strays }));
      first = false;
    }

    const elsewhere = new Set(findings.filter((f) => f.rule === 'addressed_elsewhere').flatMap((f) => f.subjects));
    const epcs = presented.filter((e) => !elsewhere.has(e));
    if (!epcs.length) return { findings };
    const hold = [...new Set(findings.flatMap((f) => f.hold))].sort();
    const reason: QuarantineReason = findings.some((f) => holdReason(f.rule) === 'suspect') ? 'suspect' : 'no_pedigree_match';
    return {
      findings,
      receive: { epcs, scanned: scans.filter((s) => inLoads.has(s.id)).map((s) => s.id), ...(hold.length ? { hold: { epcs: hold, reason } } : {}) },
    };
  }

  /** A top-level EPC and everything the ledger records under it, the EPC first. */
  private async tree(epc: string): Promise<TraceRecord[]> {
    if (!epc.startsWith('urn:epc:id:sscc:')) {
      const p = await this.reads.pack(epc).catch(() => undefined);
      return p ? [p] : [];
    }
    const out: TraceRecord[] = [];
    const queue = [epc];
    while (queue.length) {
      const id = queue.shift() as string;
      const got = await this.reads.optional<{ container: ContainerRecord; children: TraceRecord[] }>('GetContainer', [id]).catch(() => undefined);
      if (!got) continue;
      out.push(got.container);
      for (const child of got.children) {
        if (isPack(child)) out.push(child);
        else queue.push(child.id);
      }
    }
    return out;
  }

  /** The TI's line items with a quantity, from this organisation's own peer; none when it cannot be read. */
  private async tiLines(shipmentId: string): Promise<TiLine[] | undefined> {
    const got = await this.reads.optional<{ ti: { products?: Array<Record<string, unknown>> } }>('GetTransactionInformation', [shipmentId]).catch(() => undefined);
    const lines: TiLine[] = [];
    for (const p of got?.ti?.products ?? []) {
      if (typeof p.quantity !== 'number') continue;
      let gtin: string | undefined;
      try {
        gtin = typeof p.gtin === 'string' ? normaliseGtin(p.gtin) : typeof p.ndc === 'string' ? ndcToGtin14(p.ndc) : undefined;
      } catch {
        gtin = undefined;
      }
      if (gtin) lines.push({ gtin, quantity: p.quantity, ...(typeof p.lot === 'string' ? { lot: p.lot } : {}) });
    }
    return got ? lines : undefined;
  }
}

/** A scan with the lot and expiry its barcode carried (an EPC URN carries neither). */
export function scannedPackOf(input: string): ScannedPack {
  const text = input.trim();
  const id = toEpc(text);
  if (isEpcUrn(text)) return { id };
  const scan = parseScan(text, { referenceDate: new Date().toISOString().slice(0, 10) });
  return { id, ...(scan.lot !== undefined ? { lot: scan.lot } : {}), ...(scan.expiry !== undefined ? { expiry: scan.expiry } : {}) };
}

/** The shipment's ID is the document number of its desadv/RMA business transaction. */
export function shipmentIdOf(bizTransactions: readonly string[] | undefined): string | undefined {
  for (const bt of bizTransactions ?? []) {
    const m = /^urn:epcglobal:cbv:bt:\d{13}:(.+)$/.exec(bt);
    if (m) return m[1];
  }
  return undefined;
}
