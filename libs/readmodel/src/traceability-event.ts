import type { TraceabilityEvent } from '@pedigree/domain';

/**
 * The chaincode event the read model projects from — one per transaction, defined once in
 * @pedigree/domain (`TraceabilityEvent`, docs/events.md) and written by the chaincode.
 */
export type { TraceabilityEvent };

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
