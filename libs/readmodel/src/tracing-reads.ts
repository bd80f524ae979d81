import type { DataSource } from 'typeorm';
import type { TracingRequestRecord } from '@pedigree/domain';

/** The tracing requests repository: those the organisation made (out) or must answer (in), newest first. */
export class TracingRequestReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(org: string, direction: 'in' | 'out', limit: number): Promise<TracingRequestRecord[]> {
    const rows: Array<{ record: TracingRequestRecord }> = await this.dataSource.query(
      `SELECT record FROM tracing_requests WHERE ${direction === 'out' ? 'requester = $1' : 'respondents @> ARRAY[$1]::text[]'} ORDER BY "requestedAt" DESC, requester, id LIMIT $2`, [org, limit]);
    return rows.map((r) => r.record);
  }

  async get(org: string, requester: string, id: string): Promise<TracingRequestRecord | undefined> {
    const [r]: Array<{ record: TracingRequestRecord }> = await this.dataSource.query(
      `SELECT record FROM tracing_requests WHERE requester = $1 AND id = $2 AND (requester = $3 OR respondents @> ARRAY[$3]::text[])`, [requester, id, org]);
    return r?.record;
  }

  /** The organisation's own shipments (as seller or buyer) that carried a pack: what it releases TI for. */
  async shipmentsOfPack(org: string, epc: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT DISTINCT s.id FROM shipments s JOIN trace_events t ON t."transactionId" = s."transactionId"
       WHERE t.subject = $2 AND t.step = 'ship' AND (s.sender = $1 OR s.receiver = $1) ORDER BY s.id`, [org, epc]);
    return rows.map((r) => r.id);
  }
}
