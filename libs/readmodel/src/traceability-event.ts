import type { ContainerRecord, EpcisEvent, PackRecord } from '@pedigree/domain';

/**
 * The chaincode event the read model projects from, as the traceability chaincode publishes it (one
 * per transaction, chaincode/src/records.ts `TraceabilityEvent`; docs/events.md). Mirrored here
 * rather than imported: the chaincode is a separate deployable and this is its published contract.
 */
export interface TraceabilityEvent {
  readonly schema: 'pedigree.traceability';
  readonly version: number;
  readonly type: string;
  readonly eventId: string;
  readonly txId: string;
  readonly txTime: string;
  readonly actor: string;
  /** Full new state of every pack and container the transaction changed. */
  readonly records: ReadonlyArray<PackRecord | ContainerRecord>;
  readonly epcis: readonly EpcisEvent[];
  readonly shipment?: LedgerShipment;
  readonly product?: LedgerProduct;
  readonly partner?: { readonly mspId: string; readonly name: string; readonly gln: string; readonly pgln: string; readonly [k: string]: unknown };
  readonly receipt?: { readonly inferred: readonly string[]; readonly verified: readonly string[]; readonly pending: readonly string[] };
  readonly lot?: { readonly gtin: string; readonly lot: string; readonly recallId?: string; readonly until?: string };
}

export interface LedgerShipment {
  readonly docType: 'shipment';
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly toSite?: string;
  readonly purpose: 'sale' | 'return';
  readonly shippedAt: string;
  readonly epcs: readonly string[];
  readonly bizTransaction: string;
  readonly statement?: { readonly affirmed: true; readonly legalNotice: string };
  readonly ti?: { readonly collection: string; readonly sha256: string };
  readonly txId: string;
}

export interface LedgerProduct {
  readonly docType: 'product';
  readonly gtin: string;
  readonly ndc?: string;
  readonly name: string;
  readonly strength: string;
  readonly dosageForm: string;
  readonly packSize: string;
  readonly manufacturer: string;
  readonly [k: string]: unknown;
}

/** Decodes an event payload; anything that is not a traceability event (the probe's) yields undefined. */
export function decodeTraceabilityEvent(payload: Uint8Array): TraceabilityEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  const v = value as Partial<TraceabilityEvent>;
  return v && v.schema === 'pedigree.traceability' && Array.isArray(v.records) ? (v as TraceabilityEvent) : undefined;
}
