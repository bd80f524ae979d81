import type { TraceabilityBatchEvent, TraceabilityEvent } from '@pedigree/domain';

/**
 * The chaincode event the read model projects from — one per transaction, defined once in
 * @pedigree/domain (`TraceabilityEvent`, docs/events.md) and written by the chaincode.
 */
export type { TraceabilityBatchEvent, TraceabilityEvent };

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

/**
 * What one transaction's chaincode event says: the event itself, or for a Capture (one
 * transaction, many commands) its commands' events in the order they applied.
 */
export interface TransactionEvents {
  readonly type: string;
  readonly eventId: string;
  readonly txId: string;
  readonly actor: string;
  readonly events: readonly TraceabilityEvent[];
}

export function decodeTransactionEvents(payload: Uint8Array): TransactionEvents | undefined {
  const single = decodeTraceabilityEvent(payload);
  if (single) return { type: single.type, eventId: single.eventId, txId: single.txId, actor: single.actor, events: [single] };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  const b = value as Partial<TraceabilityBatchEvent>;
  if (!b || b.schema !== 'pedigree.traceability.batch' || !Array.isArray(b.events)) return undefined;
  const events = b.events.filter((e) => e && e.schema === 'pedigree.traceability' && Array.isArray(e.records));
  return { type: 'capture', eventId: String(b.eventId), txId: String(b.txId), actor: String(b.actor), events };
}
