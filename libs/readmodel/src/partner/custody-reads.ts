import type { CustodyStep } from '@pedigree/domain';
import type { DataSource } from 'typeorm';
import { VISIBLE_HISTORY_SUBJECT } from '../epcis-event-reads';

/** Containers nest a few levels (pack, case, pallet); a history asking for more rounds is broken. */
const MAX_ROUNDS = 16;

interface CustodyRow {
  subject: string;
  step: string;
  occurredAt: Date;
  parent: string | null;
  location: string | null;
  shipment: string | null;
}

/**
 * Where packs and containers were, and when, from the history this read model keeps (issue 18):
 * packing and unpacking (the aggregation event's parentID), shipping (the shipment the same
 * transaction recorded), receipt, and the business location an event names. The cold chain turns
 * these steps into each pack's intervals (custodyIntervals) and reads loggers only within them.
 */
export class CustodyReads {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The custody steps of these records and of every container they were ever packed into, up
   * through the aggregation tree (a case's pallet, the pallet's…), oldest first.
   */
  async steps(epcs: readonly string[]): Promise<CustodyStep[]> {
    const steps: CustodyStep[] = [];
    const asked = new Set<string>();
    let next = [...new Set(epcs)];
    for (let round = 0; next.length && round < MAX_ROUNDS; round++) {
      for (const epc of next) asked.add(epc);
      const found = (await this.rows(next)).flatMap(stepsOfRow);
      steps.push(...found);
      next = [...new Set(found.flatMap((s) => (s.kind === 'pack' && !asked.has(s.container) ? [s.container] : [])))];
    }
    return steps;
  }

  /**
   * The packs `custodian` holds at a site (an SGLN): not shipped on or out of the chain, and whose
   * last receipt names the site (its EPCIS event's bizLocation).
   */
  async storedAt(location: string, custodian: string): Promise<Array<{ epc: string; gtin: string }>> {
    const rows: Array<{ id: string; gtin: string }> = await this.dataSource.query(
      `SELECT p.id, p.gtin FROM packs p
       JOIN LATERAL (
         SELECT coalesce(t."epcisEvent", (SELECT e.event FROM epcis_events e WHERE e."transactionId" = t."transactionId" AND e.idx = t."epcisIndex"))->'bizLocation'->>'id' AS site
         FROM trace_events t WHERE t.subject = p.id AND t.step = 'receive' ORDER BY t.seq DESC LIMIT 1) last ON true
       WHERE p.custodian = $2 AND p.status NOT IN ('shipped', 'dispensed', 'decommissioned', 'destroyed') AND last.site = $1
       ORDER BY p.id`, [location, custodian]);
    return rows.map((r) => ({ epc: r.id, gtin: r.gtin }));
  }

  private rows(subjects: readonly string[]): Promise<CustodyRow[]> {
    return this.dataSource.query(
      `SELECT t.subject, t.step, t."occurredAt", ev.event->>'parentID' AS parent, ev.event->'bizLocation'->>'id' AS location,
              (SELECT sh.subject FROM trace_events sh WHERE sh."transactionId" = t."transactionId" AND sh.step = 'ship' AND sh.subject NOT LIKE 'urn:%' ORDER BY sh.seq LIMIT 1) AS shipment
       FROM trace_events t
       LEFT JOIN LATERAL (SELECT coalesce(t."epcisEvent", (SELECT e.event FROM epcis_events e WHERE e."transactionId" = t."transactionId" AND e.idx = t."epcisIndex")) AS event) ev ON true
       WHERE t.subject = ANY($1) AND t.step IN ('commission', 'pack', 'unpack', 'ship', 'receive', 'voidShipping', 'dispense', 'decommission', 'destroy') AND ${VISIBLE_HISTORY_SUBJECT}
       ORDER BY t.seq`, [subjects]);
  }
}

/** One history row as custody steps: a receipt ends the shipment and, where the event says (its bizLocation, the receiving site), starts a stay there. */
function stepsOfRow(r: CustodyRow): CustodyStep[] {
  const base = { subject: r.subject, atMs: new Date(r.occurredAt).getTime() };
  const arrive: CustodyStep[] = r.location ? [{ ...base, kind: 'arrive', location: r.location }] : [];
  switch (r.step) {
    // A container's own packing or unpacking row names itself as parent: it is not inside itself.
    case 'pack':
      return r.parent && r.parent !== r.subject ? [{ ...base, kind: 'pack', container: r.parent }] : [];
    case 'unpack':
      return r.parent && r.parent !== r.subject ? [{ ...base, kind: 'unpack', container: r.parent }] : [];
    case 'ship':
      return r.shipment ? [{ ...base, kind: 'ship', shipment: r.shipment }] : [];
    // A voided shipment never left: it ends as a receipt would.
    case 'receive':
    case 'voidShipping':
      return [{ ...base, kind: 'receive' }, ...arrive];
    // Out of the supply chain: no longer at its site, whatever the site's logger says after.
    case 'dispense':
    case 'decommission':
    case 'destroy':
      return [{ ...base, kind: 'leave' }];
    default:
      return arrive;
  }
}
