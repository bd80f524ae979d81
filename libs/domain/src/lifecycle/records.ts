import type { IsoDate, IsoTimestamp } from '../time';
import type { Gtin14, Sscc18 } from '../gs1/gtin';
import type { PackCommand } from './transitions';

/**
 * World-state records. Plain JSON data only (no classes, no Dates, no Maps) so the chaincode can
 * store them with `canonicalJson` and every peer writes identical bytes. Optional fields are
 * omitted rather than set to null.
 */

/** A Fabric MSP id: the organisation acting. */
export type OrgId = string;

/** Who is issuing a command: the organisation, and the site (SGLN) when it matters. */
export interface Actor {
  readonly org: OrgId;
  readonly site?: string;
}
export type ActorRef = OrgId | Actor;

export function actorOf(ref: ActorRef): Actor {
  return typeof ref === 'string' ? { org: ref } : ref;
}

/** Where the pack is in its life. Aggregation and holds are tracked separately (parent, overlays). */
export type PackStatus = 'commissioned' | 'packed' | 'shipped' | 'received' | 'dispensed' | 'decommissioned' | 'destroyed';
export const PACK_STATUSES: readonly PackStatus[] = ['commissioned', 'packed', 'shipped', 'received', 'dispensed', 'decommissioned', 'destroyed'];
export const TERMINAL_STATUSES: readonly PackStatus[] = ['dispensed', 'decommissioned', 'destroyed'];

/** Holds that sit on top of the status and block some commands. `expired` is derived from time. */
export type Overlay = 'quarantined' | 'recalled' | 'expired' | 'returned';

export type QuarantineReason = 'suspect' | 'illegitimate' | 'no_pedigree_match' | 'stolen' | 'damaged' | 'expired';

export interface Shipment {
  readonly from: OrgId;
  readonly to: OrgId;
  readonly toSite?: string;
  /** `return` goes back up the chain (saleable return, recall return) and sets the returned hold on receipt. */
  readonly purpose: 'sale' | 'return';
  readonly shippedAt: IsoTimestamp;
  /** Top-level container the pack travels in, when the movement was inferred from aggregation. */
  readonly via?: string;
  readonly bizTransactions?: readonly string[];
}

export interface PackRecord {
  readonly docType: 'pack';
  /** SGTIN EPC URN, the world-state key. */
  readonly id: string;
  readonly gtin: Gtin14;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: IsoDate;
  /** FDA-sanctioned expiry extension; dispensing is judged against this when set. */
  readonly expiryExtendedTo?: IsoDate;
  /** Organisation that owns the GTIN and commissioned the serial. */
  readonly manufacturer: OrgId;
  readonly owner: OrgId;
  /** Organisation in physical possession (owner unless a 3PL or carrier holds it). */
  readonly custodian: OrgId;
  /** Every owner in order, first the manufacturer: the DSCSA ownership trail. */
  readonly owners: readonly OrgId[];
  readonly site?: string;
  readonly status: PackStatus;
  /** Container (SSCC URN) the pack is aggregated into. */
  readonly parent?: string;
  /** How many times it has been received; 0 means still at the manufacturer. */
  readonly receipts: number;
  /** Whether its last receipt was scanned or inferred from a sealed container. */
  readonly completeness?: 'verified' | 'inferred';
  readonly shipment?: Shipment;
  readonly quarantine?: { readonly reason: QuarantineReason; readonly since: IsoTimestamp; readonly by: OrgId };
  readonly recall?: { readonly recallId: string; readonly since: IsoTimestamp };
  /** Held by an open suspect-product investigation (derived from the lot's investigation holds on every read). */
  readonly investigation?: { readonly investigator: OrgId; readonly id: string; readonly since: IsoTimestamp };
  readonly returned?: { readonly since: IsoTimestamp; readonly from: OrgId };
  readonly dispensed?: { readonly at: IsoTimestamp; readonly by: OrgId; readonly site?: string };
  readonly decommissionReason?: string;
  readonly commissionedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  /** Incremented by every accepted command; lets callers detect lost updates. */
  readonly version: number;
}

export type ContainerStatus = 'packed' | 'shipped' | 'unpacked';

export interface ContainerRecord {
  readonly docType: 'container';
  /** SSCC EPC URN, the world-state key. */
  readonly id: string;
  readonly sscc: Sscc18;
  /** Direct children (pack SGTIN URNs or container SSCC URNs), sorted for deterministic storage. */
  readonly children: readonly string[];
  readonly parent?: string;
  /** Intact seal: contents may be inferred. Opening a container breaks it for good (until re-verified). */
  readonly sealed: boolean;
  readonly status: ContainerStatus;
  readonly owner: OrgId;
  readonly custodian: OrgId;
  readonly site?: string;
  readonly receipts: number;
  readonly shipment?: Shipment;
  /**
   * Stored form only (lifecycle/carriage.ts): pack commands this container carries for every pack
   * directly inside it, in order, instead of each pack's record being written. Never in a view.
   */
  readonly carried?: readonly CarriedCommand[];
  readonly createdAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly version: number;
}

/** One pack command accepted for every pack directly inside a container, as it was accepted. */
export interface CarriedCommand {
  readonly command: PackCommand;
  readonly actor: Actor;
  readonly at: IsoTimestamp;
}

export type TraceRecord = PackRecord | ContainerRecord;

/** Read access to world state; the chaincode preloads what a command touches. */
export type RecordLookup = (id: string) => TraceRecord | undefined;

export function lookupFrom(records: Iterable<TraceRecord>): RecordLookup {
  const map = new Map<string, TraceRecord>();
  for (const r of records) map.set(r.id, r);
  return (id) => map.get(id);
}
