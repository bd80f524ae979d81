import type { IsoDate } from '../time';
import type { OrgId } from '../lifecycle/records';

/**
 * Receiving checks: what the ledger says was shipped against what the receiver found at its dock.
 * Pure functions over two snapshots, so the service that runs them before a receipt, the chaincode
 * that re-checks a seller's correction and the specs all apply the same rules. Rule families follow
 * the receipt-error practice of DSCSA trading partners (docs/exceptions.md, domain.md §7 case 8, §8).
 */
export const RECEIVING_RULES = [
  /** A received pack's GTIN is not in the receiver's product master data. */
  'product_not_in_master_data',
  /** The TI's quantity for a product (and lot) differs from the packs the shipment carries. */
  'quantity_differs_from_ti',
  /** A container whose contents were scanned lacks children its aggregation record lists. */
  'aggregation_missing_pack',
  /** A scanned pack the ledger knows but that is not in the shipment's aggregation. */
  'aggregation_extra_pack',
  /** A container arrived with its seal broken (or shipped unsealed). */
  'seal_broken',
  /** A scanned pack's lot or expiry differs from the ledger's record of that serial. */
  'identifier_mismatch',
  /** A presented container or pack is in transit to another organisation. */
  'addressed_elsewhere',
  /** A scanned product identifier the ledger has no data for at all (never commissioned). */
  'product_without_data',
  /** The shipment lists top-level EPCs that did not arrive. */
  'data_without_product',
  /** The shipment's logger readings put packs beyond their product's excursion budget (cold chain, docs/cold-chain.md). */
  'temperature_excursion',
] as const;
export type ReceivingRule = (typeof RECEIVING_RULES)[number];

export function isReceivingRule(value: unknown): value is ReceivingRule {
  return typeof value === 'string' && (RECEIVING_RULES as readonly string[]).includes(value);
}

/** A pack as the ledger records it. */
export interface ShippedPack {
  readonly id: string;
  readonly gtin: string;
  readonly lot: string;
  readonly expiry: IsoDate;
}

export interface ShippedContainer {
  readonly id: string;
  readonly children: readonly string[];
  readonly sealed: boolean;
}

/** One TI line item (DSCSA §581(26)): GTIN (or NDC resolved by the caller), optional lot, quantity in packs. */
export interface TiLine {
  readonly gtin: string;
  readonly lot?: string;
  readonly quantity: number;
}

/** What the ledger says one shipment carried. */
export interface ShipmentAsShipped {
  readonly shipmentId: string;
  readonly seller: OrgId;
  readonly addressee: OrgId;
  /** Top-level EPCs of the shipment record. */
  readonly epcs: readonly string[];
  /** Every container of the load, at any depth. */
  readonly containers: readonly ShippedContainer[];
  /** Every pack of the load, loose or aggregated. */
  readonly packs: readonly ShippedPack[];
  /** The TI's line items, when the receiver could read its TI. */
  readonly ti?: readonly TiLine[];
}

/** A scan at the dock: the identifier, and the lot and expiry its barcode carried when it did. */
export interface ScannedPack {
  readonly id: string;
  readonly lot?: string;
  readonly expiry?: IsoDate;
}

/** What the ledger holds of a scanned pack that is not part of the shipment. */
export interface LedgerPackView extends ShippedPack {
  readonly owner: OrgId;
  readonly status: string;
  readonly container?: string;
}

/** What the receiver found and knows. */
export interface ReceiptAsFound {
  readonly receiver: OrgId;
  /** Top-level EPCs presented for this shipment. */
  readonly presented: readonly string[];
  readonly scanned: readonly ScannedPack[];
  readonly brokenSeals: readonly string[];
  /** GTIN-14s of the receiver's product master data. */
  readonly masterData: readonly string[];
  /** The ledger's view of scans that are not in the shipment (absent key: the ledger has no record). */
  readonly strays?: Readonly<Record<string, LedgerPackView>>;
}

/** Why a rule fired, as plain JSON the exception record keeps (and the chaincode re-checks). */
export interface FindingEvidence {
  readonly summary: string;
  readonly container?: string;
  /** Children the aggregation record lists (aggregation rules). */
  readonly expected?: readonly string[];
  /** Children scanned (aggregation rules). */
  readonly scanned?: readonly string[];
  readonly missing?: readonly string[];
  readonly unexpected?: readonly string[];
  readonly gtin?: string;
  readonly lot?: string;
  readonly tiQuantity?: number;
  readonly shippedQuantity?: number;
  readonly packs?: readonly string[];
  /** identifier_mismatch: the ledger's and the barcode's lot/expiry per pack. */
  readonly identifiers?: ReadonlyArray<{ readonly id: string; readonly ledger: { readonly lot: string; readonly expiry: IsoDate }; readonly scanned: { readonly lot?: string; readonly expiry?: IsoDate } }>;
  /** addressed_elsewhere: who the ledger says the EPCs go to. */
  readonly addressee?: OrgId;
}

export interface Finding {
  readonly rule: ReceivingRule;
  readonly shipmentId: string;
  readonly seller: OrgId;
  readonly receiver: OrgId;
  /** The EPCs the finding is about. */
  readonly subjects: readonly string[];
  /** Received packs to hold while the exception is open. */
  readonly hold: readonly string[];
  readonly evidence: FindingEvidence;
}

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

/**
 * Every finding of one shipment's receipt, in rule order then by subject; an empty list is a clean
 * receipt. The rules, and what each holds:
 * - addressed elsewhere: presented EPCs whose addressee is not the receiver (nothing is held on the
 *   ledger: the receiver is not its custodian; it holds them physically);
 * - data without product: shipped top-level EPCs not presented;
 * - seal broken: a presented container in `brokenSeals` or shipped unsealed; holds its packs;
 * - aggregation: a container with some children scanned must have all of them (missing), and a scan
 *   that is no part of the load but known to the ledger is extra; holds the container's packs;
 * - product without data: a scan the ledger has no record of;
 * - identifier mismatch: a scan whose barcode lot/expiry differ from the ledger's; holds the pack;
 * - quantity differs from the TI: per TI line (GTIN, and lot when given), against the shipped packs;
 *   holds those packs;
 * - product not in master data: a shipped GTIN the receiver does not carry; holds its packs.
 */
export function checkReceipt(shipped: ShipmentAsShipped, found: ReceiptAsFound): Finding[] {
  const findings: Finding[] = [];
  const base = { shipmentId: shipped.shipmentId, seller: shipped.seller, receiver: found.receiver };
  const add = (rule: ReceivingRule, subjects: Iterable<string>, hold: Iterable<string>, evidence: FindingEvidence): void => {
    findings.push({ rule, ...base, subjects: sorted(subjects), hold: sorted(hold), evidence });
  };

  const containers = new Map(shipped.containers.map((c) => [c.id, c]));
  const packs = new Map(shipped.packs.map((p) => [p.id, p]));
  const presented = new Set(found.presented);
  const scanned = new Map(found.scanned.map((s) => [s.id, s]));
  const broken = new Set(found.brokenSeals);

  if (shipped.addressee !== found.receiver) {
    const subjects = found.presented.filter((e) => shipped.epcs.includes(e));
    add('addressed_elsewhere', subjects, [], { summary: `${subjects.length} EPC(s) presented are in transit to ${shipped.addressee}, not ${found.receiver}`, addressee: shipped.addressee });
    return findings;
  }

  // What physically arrived: presented top-level EPCs and everything recorded under them.
  const arrived = new Set<string>();
  const walkArrived = (x: string): void => {
    arrived.add(x);
    containers.get(x)?.children.forEach(walkArrived);
  };
  for (const e of shipped.epcs) if (presented.has(e)) walkArrived(e);
  const inLoad = (id: string): boolean => arrived.has(id);
  const containerPacks = (id: string): string[] => {
    const out: string[] = [];
    const walk = (x: string): void => {
      const c = containers.get(x);
      if (c) c.children.forEach(walk);
      else if (packs.has(x)) out.push(x);
    };
    walk(id);
    return out;
  };

  const notArrived = shipped.epcs.filter((e) => !presented.has(e) && !scanned.has(e));
  if (notArrived.length) add('data_without_product', notArrived, [], { summary: `${notArrived.length} shipped EPC(s) did not arrive`, missing: sorted(notArrived) });

  for (const c of shipped.containers) {
    if (!inLoad(c.id) || !(broken.has(c.id) || !c.sealed)) continue;
    add('seal_broken', [c.id], containerPacks(c.id), { summary: `container ${c.id} arrived with its seal broken`, container: c.id });
  }

  const strays = found.scanned.filter((s) => !inLoad(s.id));
  const extra = strays.filter((s) => found.strays?.[s.id] !== undefined).map((s) => s.id);
  for (const c of shipped.containers) {
    if (!inLoad(c.id) || !c.children.some((k) => scanned.has(k))) continue;
    const missing = c.children.filter((k) => !scanned.has(k));
    if (!missing.length) continue;
    add('aggregation_missing_pack', [c.id, ...missing], containerPacks(c.id).filter((p) => !missing.includes(p)), {
      summary: `container ${c.id}: the aggregation lists ${c.children.length}, ${c.children.length - missing.length} scanned (${missing.length} missing)`,
      container: c.id, expected: sorted(c.children), scanned: sorted(c.children.filter((k) => scanned.has(k))), missing: sorted(missing),
    });
  }
  if (extra.length) {
    add('aggregation_extra_pack', extra, [], {
      summary: `${extra.length} scanned pack(s) are not in the shipment's aggregation`, unexpected: sorted(extra),
      packs: sorted(extra),
    });
  }
  const unknown = strays.filter((s) => found.strays?.[s.id] === undefined).map((s) => s.id);
  if (unknown.length) add('product_without_data', unknown, [], { summary: `${unknown.length} scanned identifier(s) have no data on the ledger`, unexpected: sorted(unknown) });

  const wrongIds = found.scanned
    .map((s) => ({ s, p: packs.get(s.id) }))
    .filter(({ s, p }) => p && inLoad(s.id) && ((s.lot !== undefined && s.lot !== p.lot) || (s.expiry !== undefined && s.expiry !== p.expiry)));
  if (wrongIds.length) {
    add('identifier_mismatch', wrongIds.map((w) => w.s.id), wrongIds.map((w) => w.s.id), {
      summary: `${wrongIds.length} scanned pack(s) carry a lot or expiry the ledger does not record`,
      identifiers: wrongIds.map(({ s, p }) => ({ id: s.id, ledger: { lot: (p as ShippedPack).lot, expiry: (p as ShippedPack).expiry }, scanned: { ...(s.lot !== undefined ? { lot: s.lot } : {}), ...(s.expiry !== undefined ? { expiry: s.expiry } : {}) } })).sort((a, b) => a.id.localeCompare(b.id)),
    });
  }

  for (const line of shipped.ti ?? []) {
    const matching = shipped.packs.filter((p) => p.gtin === line.gtin && (line.lot === undefined || p.lot === line.lot)).map((p) => p.id);
    if (matching.length === line.quantity) continue;
    add('quantity_differs_from_ti', matching.length ? matching : shipped.epcs, matching.filter((id) => inLoad(id)), {
      summary: `the TI says ${line.quantity} of ${line.gtin}${line.lot ? ` lot ${line.lot}` : ''}, the shipment carries ${matching.length}`,
      gtin: line.gtin, ...(line.lot !== undefined ? { lot: line.lot } : {}), tiQuantity: line.quantity, shippedQuantity: matching.length,
    });
  }

  const master = new Set(found.masterData);
  const unknownProducts = new Map<string, string[]>();
  for (const p of shipped.packs) if (inLoad(p.id) && !master.has(p.gtin)) unknownProducts.set(p.gtin, [...(unknownProducts.get(p.gtin) ?? []), p.id]);
  for (const [gtin, ids] of [...unknownProducts].sort(([a], [b]) => a.localeCompare(b))) {
    add('product_not_in_master_data', ids, ids, { summary: `GTIN ${gtin} is not in ${found.receiver}'s product master data (${ids.length} pack(s))`, gtin });
  }

  const order = new Map(RECEIVING_RULES.map((r, i) => [r, i]));
  return findings.sort((a, b) => (order.get(a.rule) as number) - (order.get(b.rule) as number) || (a.subjects[0] ?? '').localeCompare(b.subjects[0] ?? ''));
}
