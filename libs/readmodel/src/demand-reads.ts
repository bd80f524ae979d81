import type { DataSource } from 'typeorm';

/**
 * What planning reads from a dispenser's read model: dispenses per day, the series that have any,
 * products, and stock. The read model's tables are this module's: another app (the forecast
 * service) reads them through this port, never by SQL of its own, so a change of the tables changes
 * one file. `today` comes from the caller (the domain's clock), not from the database's.
 */
export class DispenseDemandReads {
  constructor(private readonly source: () => Promise<DataSource>, private readonly org: string) {}

  /** Packs this organisation dispensed, per UTC day, of one product at one location. */
  async dispensedPerDay(gtin: string, location: string): Promise<Map<string, number>> {
    const rows: Array<{ day: string; n: string }> = await (await this.source()).query(
      `SELECT to_char((t."occurredAt" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, count(*) AS n
       FROM trace_events t LEFT JOIN packs p ON p.id = t.subject
       WHERE t.step = 'dispense' AND t.actor = $1 AND t.gtin = $2 AND coalesce(p.location, $1) = $3
       GROUP BY 1`, [this.org, gtin, location]);
    return new Map(rows.map((r) => [r.day, Number(r.n)]));
  }

  /**
   * Net change of this organisation's sellable packs of one product at one location, per UTC day: a pack counts
   * as on hand after a transaction that leaves it in the organisation's custody and not shipped, dispensed,
   * decommissioned or destroyed. Holds (quarantine, recall) are not in the history rows and do not count.
   */
  async stockMovementsPerDay(gtin: string, location: string): Promise<Map<string, number>> {
    const rows: Array<{ day: string; delta: string }> = await (await this.source()).query(
      `WITH held AS (
         SELECT t.subject, t."occurredAt", t."blockNumber", t.seq,
                CASE WHEN t.custodian = $1 AND t.status NOT IN ('shipped', 'dispensed', 'decommissioned', 'destroyed') THEN 1 ELSE 0 END AS held
         FROM trace_events t LEFT JOIN packs p ON p.id = t.subject
         WHERE t.gtin = $2 AND t.subject LIKE 'urn:epc:id:sgtin:%' AND coalesce(p.location, $1) = $3
       ), moves AS (
         SELECT "occurredAt", held - coalesce(lag(held) OVER (PARTITION BY subject ORDER BY "blockNumber", seq), 0) AS delta FROM held
       )
       SELECT to_char(("occurredAt" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, sum(delta) AS delta
       FROM moves GROUP BY 1 HAVING bool_or(delta <> 0)`, [this.org, gtin, location]);
    return new Map(rows.map((r) => [r.day, Number(r.delta)]));
  }

  /** Every (gtin, location) with a dispense, optionally at one location. */
  async dispensedSeries(location?: string): Promise<Array<{ gtin: string; location: string }>> {
    return (await this.source()).query(
      `SELECT DISTINCT t.gtin, coalesce(p.location, $1) AS location FROM trace_events t LEFT JOIN packs p ON p.id = t.subject
       WHERE t.step = 'dispense' AND t.actor = $1 AND t.gtin IS NOT NULL AND ($2::text IS NULL OR coalesce(p.location, $1) = $2)`, [this.org, location ?? null]);
  }

  async productKnown(gtin: string): Promise<boolean> {
    const [registered] = await (await this.source()).query(`SELECT 1 FROM products WHERE gtin = $1 LIMIT 1`, [gtin]);
    return Boolean(registered);
  }

  async productName(gtin: string): Promise<string | null> {
    const [row] = await (await this.source()).query(`SELECT name FROM products WHERE gtin = $1`, [gtin]);
    return (row?.name as string | undefined) ?? null;
  }

  /**
   * Sellable packs on hand (at rest, no hold, not expired on `today`) and packs addressed to this
   * organisation still in transit.
   */
  async stock(gtin: string, location: string, today: string): Promise<{ onHand: number; inTransit: number }> {
    const db = await this.source();
    const [onHand] = await db.query(
      `SELECT count(*) AS n FROM packs p WHERE p.custodian = $1 AND p.gtin = $2 AND coalesce(p.location, $1) = $3
         AND p."sellableAtRest"
         AND coalesce(p."expiryExtendedTo", p.expiry) >= $4::date`, [this.org, gtin, location, today]);
    // A shipment names its top-level EPCs: loose packs, or cases whose packs point at them.
    const [inTransit] = await db.query(
      `SELECT count(DISTINCT p.id) AS n FROM shipments s JOIN packs p ON (p.id = ANY(s.epcs) OR p.container = ANY(s.epcs))
       WHERE s.receiver = $1 AND s.status = 'in_transit' AND p.gtin = $2`, [this.org, gtin]);
    return { onHand: Number(onHand?.n ?? 0), inTransit: Number(inTransit?.n ?? 0) };
  }
}
