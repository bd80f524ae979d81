import type { DataSource } from 'typeorm';
import {
  isEpcUrn, matchesEpcisQuery, parseScan, sgtinToEpcUrn, ssccToEpcUrn, toUrnVocabulary, toWebVocabulary,
  type EpcisQuery, type VocabularyKind,
} from '@pedigree/domain';

/**
 * History is kept whole (the channel's shared record: a pack reaching this organisation later has
 * its pedigree), but answered only for what this read model holds: its packs, containers and
 * shipments (projectEvent keeps those that concern it), lots and products (public). `t` is a
 * trace_events row.
 */
export const VISIBLE_HISTORY_SUBJECT = `(t.subject LIKE 'lot:%' OR t.subject = t.gtin
  OR EXISTS (SELECT 1 FROM packs vp WHERE vp.id = t.subject) OR EXISTS (SELECT 1 FROM containers vc WHERE vc.id = t.subject)
  OR EXISTS (SELECT 1 FROM shipments vs WHERE vs.id = t.subject))`;

/** An epcis_events row (`e`) this organisation may see: one of its trace rows points at it. */
const VISIBLE_EVENT = `EXISTS (SELECT 1 FROM trace_events t WHERE t."transactionId" = e."transactionId" AND t."epcisIndex" = e.idx AND ${VISIBLE_HISTORY_SUBJECT})`;

export type EventOrder = 'record' | 'eventTime' | 'recordTime';

/** Where a scan stopped: the sort key of the last row looked at (ISO time, or '' in record order) and its seq. */
export interface EventScanPosition {
  readonly key: string;
  readonly seq: string;
}

export interface EventPageRequest {
  readonly limit: number;
  readonly after?: EventScanPosition;
  readonly order: EventOrder;
  readonly direction: 'ASC' | 'DESC';
  /** Rows looked at per request at most: a rare match answers a short page with a next position rather than scan everything. */
  readonly scanBudget?: number;
  readonly batch?: number;
  /** Only events recorded up to this record position (a subscription's replay stops where its stream starts). */
  readonly untilSeq?: string;
}

export interface EventPage {
  readonly events: Array<Record<string, unknown>>;
  /** Absent on the last page. */
  readonly next?: EventScanPosition;
}

interface EventRow { event: Record<string, unknown>; seq: string; key: string; recordedAt: Date | null }

const KEY_SQL: Readonly<Record<EventOrder, string>> = {
  record: `''`,
  eventTime: `e."eventTime"`,
  recordTime: `e."recordedAt"`,
};

const LIST_FIELDS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);

/** The EPC URN the ledger keys a pack or container on, for an exact identifier (not a pattern). */
function exactEpcUrn(value: string): string | undefined {
  if (isEpcUrn(value)) return value.startsWith('urn:epc:id:') ? value : undefined;
  try {
    const scan = parseScan(value);
    if (scan.ais['00']) return ssccToEpcUrn(scan.ais['00']);
    if (scan.gtin && scan.serial) return sgtinToEpcUrn(scan.gtin, scan.serial);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The spellings a CBV term may be stored in (bare, URN, Web URI); a user vocabulary URI as it is. */
function vocabularySpellings(kind: VocabularyKind, term: string): string[] {
  try {
    return [...new Set([term, toUrnVocabulary(kind, term), toWebVocabulary(kind, term)])];
  } catch {
    return [term];
  }
}

/**
 * SQL conditions that every event the query matches satisfies (a superset: the domain's
 * matchesEpcisQuery decides exactly, on the rows they let through). Parameters are appended to
 * `params`. Conditions are only added where the stored form is certain; the rest is left to the matcher.
 */
export function epcisPrefilter(query: EpcisQuery, params: unknown[]): string[] {
  const p = (value: unknown): string => `$${params.push(value)}`;
  const where: string[] = [];
  if (query.eventTypes) where.push(`e.event->>'type' = ANY(${p([...query.eventTypes])})`);
  for (const t of query.times) {
    const column = t.field === 'eventTime' ? KEY_SQL.eventTime : t.field === 'recordTime' ? KEY_SQL.recordTime : undefined;
    if (column) where.push(`${column} ${t.op === 'GE' ? '>=' : '<'} ${p(new Date(t.at).toISOString())}::timestamptz`);
  }
  for (const q of query.equals) {
    if (q.field === 'eventID' || q.field === 'action') where.push(`e.event->>'${q.field}' = ANY(${p([...q.values])})`);
    else if ((q.field === 'bizStep' || q.field === 'disposition') && q.kind) where.push(`e.event->>'${q.field}' = ANY(${p([...q.values].flatMap((v) => vocabularySpellings(q.kind as VocabularyKind, v)))})`);
    else if (q.field === 'readPoint.id' || q.field === 'bizLocation.id') where.push(`e.event->'${q.field.split('.')[0]}' IS NOT NULL`);
  }
  for (const m of query.matches) {
    if (m.quantity) continue;
    const urns = m.patterns.map(exactEpcUrn);
    if (urns.some((u) => u === undefined)) continue; // a pattern: the matcher's job
    const forms = [...new Set([...(urns as string[]), ...m.patterns])];
    const contains = m.fields.flatMap((f) => forms.map((v) => `e.event @> ${p(JSON.stringify({ [f]: LIST_FIELDS.has(f) ? [v] : v }))}::jsonb`));
    // The chaincode keys every pack and container an event names as a trace row of its transaction.
    // As an array computed once (an InitPlan), so the planner can OR it with the containment arms on their indexes.
    contains.push(`e."transactionId" = ANY(ARRAY(SELECT s."transactionId" FROM trace_events s WHERE s.subject = ANY(${p(urns)})))`);
    where.push(`(${contains.join(' OR ')})`);
  }
  for (const field of query.exists) if (/^[A-Za-z]+$/.test(field)) where.push(`e.event->'${field}' IS NOT NULL`);
  return where;
}

/**
 * The EPCIS events of this organisation's read model for the REST binding's GET /events: the
 * query's SQL prefilter and the visibility rule in the database, the exact EPCIS 2.0 match on the
 * rows in batches, keyset pagination on (sort key, seq). Never more than one batch in memory.
 */
export class EpcisEventReads {
  constructor(private readonly dataSource: DataSource) {}

  async page(query: EpcisQuery, request: EventPageRequest): Promise<EventPage> {
    const maxBatch = request.batch ?? 500;
    const budget = request.scanBudget ?? 20_000;
    const hits: EventRow[] = [];
    let after = request.after;
    let scanned = 0;
    // A short page reads little first (most pages are filled by the SQL prefilter's rows), then more.
    let batch = Math.min(maxBatch, Math.max(request.limit + 1, 32));
    for (;; batch = Math.min(maxBatch, batch * 4)) {
      const rows = await this.scan(query, request, after, batch);
      for (const row of rows) {
        scanned++;
        if (matchesEpcisQuery(withRecordTime(row), query)) hits.push(row);
        if (hits.length > request.limit) {
          const last = hits[request.limit - 1] as EventRow;
          return { events: hits.slice(0, request.limit).map(withRecordTime), next: { key: last.key, seq: last.seq } };
        }
      }
      const lastRow = rows[rows.length - 1];
      if (rows.length < batch || !lastRow) return { events: hits.map(withRecordTime) };
      after = { key: lastRow.key, seq: lastRow.seq };
      // Out of budget: what was found, and where to go on (the standard lets a page be short).
      if (scanned >= budget) return { events: hits.map(withRecordTime), next: after };
    }
  }

  /** How many events match, counting up to `atMost` (maxEventCount's check): nothing is kept. */
  async countUpTo(query: EpcisQuery, atMost: number, batch = 500): Promise<number> {
    let count = 0;
    let after: EventScanPosition | undefined;
    const request: EventPageRequest = { limit: atMost, order: 'record', direction: 'ASC' };
    for (;;) {
      const rows = await this.scan(query, request, after, batch);
      for (const row of rows) if (matchesEpcisQuery(withRecordTime(row), query) && ++count >= atMost) return count;
      const lastRow = rows[rows.length - 1];
      if (rows.length < batch || !lastRow) return count;
      after = { key: lastRow.key, seq: lastRow.seq };
    }
  }

  /** The visible events one transaction recorded (a query subscription's news), in order; `afterSeq` leaves out those up to it. */
  async ofTransaction(transactionId: string, afterSeq?: string): Promise<Array<Record<string, unknown>>> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT e.event, e.seq, e."recordedAt", '' AS key FROM epcis_events e WHERE e."transactionId" = $1 AND ($2::bigint IS NULL OR e.seq > $2::bigint) AND ${VISIBLE_EVENT} ORDER BY e.idx`,
      [transactionId, afterSeq ?? null]);
    return rows.map(withRecordTime);
  }

  /** The record position of the newest event ('0' when there is none). */
  async lastSeq(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM epcis_events`);
    return String(row.seq);
  }

  /**
   * Distinct values of a vocabulary field among the visible events (bizSteps, dispositions,
   * readPoints, bizLocations), in order, from after `after`.
   */
  async vocabulary(field: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation', limit: number, after?: string): Promise<{ values: string[]; more: boolean }> {
    const expr = field === 'readPoint' || field === 'bizLocation' ? `e.event->'${field}'->>'id'` : `e.event->>'${field}'`;
    const rows: Array<{ v: string }> = await this.dataSource.query(
      `SELECT DISTINCT ${expr} AS v FROM epcis_events e WHERE ${expr} IS NOT NULL AND ($1::text IS NULL OR ${expr} > $1) AND ${VISIBLE_EVENT} ORDER BY 1 LIMIT $2`,
      [after ?? null, limit + 1]);
    return { values: rows.slice(0, limit).map((r) => r.v), more: rows.length > limit };
  }

  /** The EPCs this read model holds (its packs and containers), in order, from after `after`. */
  async epcs(limit: number, after?: string): Promise<{ values: string[]; more: boolean }> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM (SELECT id FROM packs UNION ALL SELECT id FROM containers) x WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`, [after ?? null, limit + 1]);
    return { values: rows.slice(0, limit).map((r) => r.id), more: rows.length > limit };
  }

  private async scan(query: EpcisQuery, request: EventPageRequest, after: EventScanPosition | undefined, batch: number): Promise<EventRow[]> {
    const params: unknown[] = [];
    const where = [...epcisPrefilter(query, params), VISIBLE_EVENT];
    const key = KEY_SQL[request.order];
    const dir = request.direction === 'DESC' ? 'DESC' : 'ASC';
    const cmp = dir === 'DESC' ? '<' : '>';
    if (request.untilSeq !== undefined) where.push(`e.seq <= $${params.push(request.untilSeq)}::bigint`);
    if (after) {
      where.push(request.order === 'record'
        ? `e.seq ${cmp} $${params.push(after.seq)}::bigint`
        : `(${key}, e.seq) ${cmp} ($${params.push(after.key)}::timestamptz, $${params.push(after.seq)}::bigint)`);
    }
    const keyOut = request.order === 'record' ? `''` : `to_char(${key} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    return this.dataSource.query(
      `SELECT e.event, e.seq, e."recordedAt", ${keyOut} AS key FROM epcis_events e WHERE ${where.join(' AND ')}
       ORDER BY ${request.order === 'record' ? '' : `${key} ${dir}, `}e.seq ${dir} LIMIT ${Number(batch)}`, params);
  }
}

/** EPCIS recordTime is the repository's: the block time of the transaction that recorded the event. */
function withRecordTime(row: EventRow): Record<string, unknown> {
  return row.event['recordTime'] !== undefined || !row.recordedAt ? row.event : { ...row.event, recordTime: new Date(row.recordedAt).toISOString() };
}

