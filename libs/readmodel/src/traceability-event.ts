import type { TraceabilityBatchEvent, TraceabilityEvent } from '@pedigree/domain';

/**
 * The chaincode event the read model projects from — one per transaction, defined once in
 * @pedigree/domain (`TraceabilityEvent`, docs/events.md) and written by the chaincode.
 */
export type { TraceabilityBatchEvent, TraceabilityEvent };

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

/** Decodes an event payload; anything that is not a traceability event or batch (the probe's) yields undefined. */
export function decodeTransactionEvents(payload: Uint8Array): TransactionEvents | undefined {
  const value = parsed(payload);
  if (isTraceabilityEvent(value)) return { type: value.type, eventId: value.eventId, txId: value.txId, actor: value.actor, events: [value] };
  const b = value as Partial<TraceabilityBatchEvent> | undefined;
  if (!b || b.schema !== 'pedigree.traceability.batch' || !Array.isArray(b.events)) return undefined;
  return { type: 'capture', eventId: String(b.eventId), txId: String(b.txId), actor: String(b.actor), events: b.events.filter(isTraceabilityEvent) };
}

function parsed(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
}

function isTraceabilityEvent(value: unknown): value is TraceabilityEvent {
  const v = value as Partial<TraceabilityEvent> | undefined;
  return !!v && v.schema === 'pedigree.traceability' && Array.isArray(v.records);
}
