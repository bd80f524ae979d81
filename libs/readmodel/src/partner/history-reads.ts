import type { DataSource } from 'typeorm';
import { VISIBLE_HISTORY_SUBJECT } from '../epcis-event-reads';
import { decodeSequenceCursor, pageSize, toPage, type Page } from './paging';
import type { TraceEntryView } from './views';

export interface TraceOptions {
  /** Load each entry's EPCIS event JSON (the bulk of a row); false when the client did not ask for it. */
  readonly withEpcis?: boolean;
}

/** A record's history as this read model holds it: only subjects it may answer for (VISIBLE_HISTORY_SUBJECT). */
export class HistoryReads {
  constructor(private readonly dataSource: DataSource) {}

  /** A record's history (pack, container, shipment, `lot:<gtin>:<lot>`), oldest first. */
  async trace(subjects: readonly string[], first?: number | null, after?: string | null, options: TraceOptions = {}): Promise<Page<TraceEntryView>> {
    const size = pageSize(first);
    const rows: TraceRowShape[] = await this.dataSource.query(
      `SELECT ${traceColumns(options)} FROM trace_events t WHERE subject = ANY($1) AND ${VISIBLE_HISTORY_SUBJECT} AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`,
      [subjects, decodeSequenceCursor(after), size + 1]);
    return toPage(rows, size, (r) => String(r.seq), traceView);
  }

  /** Everything that happened to a lot: its packs' histories and lot-level events (recall). */
  async lotTrace(gtin: string, lot: string, first?: number | null, after?: string | null, options: TraceOptions = {}): Promise<Page<TraceEntryView>> {
    const size = pageSize(first);
    const rows: TraceRowShape[] = await this.dataSource.query(
      `SELECT ${traceColumns(options)} FROM trace_events t WHERE gtin = $1 AND lot = $2 AND ${VISIBLE_HISTORY_SUBJECT} AND ($3::bigint IS NULL OR seq > $3) ORDER BY seq LIMIT $4`,
      [gtin, lot, decodeSequenceCursor(after), size + 1]);
    return toPage(rows, size, (r) => String(r.seq), traceView);
  }

  /** The EPCIS events recorded for these subjects, one per event (a Capture transaction carries several). */
  async epcisEvents(subjects: readonly string[]): Promise<unknown[]> {
    const rows: Array<{ epcisEvent: unknown }> = await this.dataSource.query(
      `SELECT DISTINCT ON (t."transactionId", t."epcisIndex") ${EPCIS_OF_ROW} AS "epcisEvent", t."transactionId", t.seq FROM trace_events t
       WHERE t.subject = ANY($1) AND ${VISIBLE_HISTORY_SUBJECT} AND (t."epcisEvent" IS NOT NULL OR t."epcisIndex" IS NOT NULL) ORDER BY t."transactionId", t."epcisIndex", t.seq`, [subjects]);
    return rows.map((r) => r.epcisEvent);
  }
}

/** A trace row's EPCIS event: its inline copy (rows projected before epcis_events), else the one it points at. */
const EPCIS_OF_ROW = `coalesce(t."epcisEvent", (SELECT e.event FROM epcis_events e WHERE e."transactionId" = t."transactionId" AND e.idx = t."epcisIndex"))`;

function traceColumns(options: TraceOptions): string {
  const epcis = options.withEpcis === false ? 'NULL AS "epcisEvent"' : `${EPCIS_OF_ROW} AS "epcisEvent"`;
  return `seq, subject, step, actor, status, owner, custodian, "occurredAt", "transactionId", "blockNumber", "submittedBy", signer, ${epcis}`;
}

interface TraceRowShape {
  seq: string; subject: string; step: string; actor: string | null; status: string | null; owner: string | null; custodian: string | null;
  occurredAt: Date; transactionId: string; blockNumber: string; submittedBy: string | null; signer: string | null; epcisEvent: unknown;
}

function traceView(r: TraceRowShape): TraceEntryView {
  return {
    subject: r.subject, step: r.step, actor: r.actor, status: r.status, owner: r.owner, custodian: r.custodian,
    occurredAt: new Date(r.occurredAt).toISOString(), transactionId: r.transactionId, blockNumber: String(r.blockNumber),
    submittedBy: r.submittedBy ?? null, signer: r.signer ?? null, epcisEvent: r.epcisEvent,
  };
}
