import type { OrgId, TraceRecord } from './records';

/**
 * Whether a record concerns an organisation, so that its read model and API hold it: it owns or
 * holds it, owned it before (the pack's ownership trail, the manufacturer first), or it is on the
 * way to or from it. A competitor's inventory concerns no one else. The channel's world state stays
 * readable by every member (a Fabric channel property: verification of any pack falls back to it);
 * what this decides is what each organisation keeps and lists.
 */
export function recordConcerns(record: TraceRecord, org: OrgId): boolean {
  if (record.owner === org || record.custodian === org) return true;
  if (record.shipment && (record.shipment.to === org || record.shipment.from === org)) return true;
  return record.docType === 'pack' && record.owners.includes(org);
}
