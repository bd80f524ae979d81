import type { DataSource } from 'typeorm';
import { OPEN_EXCEPTION_STATES, type ExceptionRecord } from '@pedigree/domain';

/** An exception whose packs are held (the domain's isOpenException), in SQL over the indexed state. */
const OPEN = `state IN (${OPEN_EXCEPTION_STATES.map((s) => `'${s}'`).join(', ')})`;

/** Which side of the exceptions an organisation looks at. */
export type ExceptionSide = 'receiver' | 'seller';

export interface ExceptionQuery {
  /** receiver: the inbox of what it raised; seller: what was raised against its shipments. */
  readonly side: ExceptionSide;
  readonly org: string;
  readonly states?: readonly string[];
  readonly rules?: readonly string[];
  /** The other party (the seller for the receiver's inbox, the receiver for the seller's list). */
  readonly partner?: string;
  readonly shipmentId?: string;
  /** Opened at or before this instant (an "older than" filter on age). */
  readonly openedBefore?: string;
  /** Open and due at or before this instant (overdue at it), or — false — not overdue at it. */
  readonly overdueAt?: { readonly at: string; readonly overdue: boolean };
  /** Escalated (true) or not (false). */
  readonly escalated?: boolean;
  /** Keyset position after which to continue (openedAt, receiver, id of the last row seen). */
  readonly after?: { readonly openedAt: string; readonly receiver: string; readonly id: string };
  readonly limit: number;
}

export interface ExceptionRowView {
  readonly record: ExceptionRecord;
  readonly openedAt: string;
  readonly blockNumber: string;
  readonly transactionId: string;
}

/**
 * The receiving-exceptions repository over the read model: oldest first (an inbox works its oldest
 * exceptions first), keyset-paginated on (openedAt, receiver, id), filtered in SQL on indexed columns.
 */
export class ReceivingExceptionReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(q: ExceptionQuery): Promise<ExceptionRowView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    add(q.side === 'receiver' ? 'receiver = ?' : 'seller = ?', q.org);
    if (q.states?.length) add('state = ANY(?::text[])', q.states);
    if (q.rules?.length) add('rule = ANY(?::text[])', q.rules);
    if (q.partner) add(q.side === 'receiver' ? 'seller = ?' : 'receiver = ?', q.partner);
    if (q.shipmentId) add('"shipmentId" = ?', q.shipmentId);
    if (q.openedBefore) add('"openedAt" <= ?::timestamptz', q.openedBefore);
    if (q.overdueAt) add(`${q.overdueAt.overdue ? '' : 'NOT '}(${OPEN} AND "dueAt" <= ?::timestamptz)`, q.overdueAt.at);
    if (q.escalated !== undefined) where.push(q.escalated ? '"escalatedAt" IS NOT NULL' : '"escalatedAt" IS NULL');
    if (q.after) {
      params.push(q.after.openedAt, q.after.receiver, q.after.id);
      where.push(`("openedAt", receiver, id) > ($${params.length - 2}::timestamptz, $${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit);
    const rows: Array<{ record: ExceptionRecord; openedAt: Date; blockNumber: string; transactionId: string }> = await this.dataSource.query(
      `SELECT record, "openedAt", "blockNumber", "transactionId" FROM receiving_exceptions WHERE ${where.join(' AND ')}
       ORDER BY "openedAt", receiver, id LIMIT $${params.length}`, params);
    return rows.map((r) => ({ record: r.record, openedAt: new Date(r.openedAt).toISOString(), blockNumber: String(r.blockNumber), transactionId: r.transactionId }));
  }

  /** One exception, when the organisation is one of its two parties. */
  async get(org: string, receiver: string, id: string): Promise<ExceptionRowView | undefined> {
    const [r] = await this.dataSource.query(
      `SELECT record, "openedAt", "blockNumber", "transactionId" FROM receiving_exceptions WHERE receiver = $1 AND id = $2 AND (receiver = $3 OR seller = $3)`, [receiver, id, org]);
    return r ? { record: r.record, openedAt: new Date(r.openedAt).toISOString(), blockNumber: String(r.blockNumber), transactionId: r.transactionId } : undefined;
  }

  /** Open exceptions (open or waiting on the partner) holding a pack: what a scan screen says about it. */
  async holding(org: string, epc: string): Promise<ExceptionRecord[]> {
    const rows: Array<{ record: ExceptionRecord }> = await this.dataSource.query(
      `SELECT record FROM receiving_exceptions WHERE receiver = $1 AND held @> ARRAY[$2]::text[] AND ${OPEN} ORDER BY "openedAt"`, [org, epc]);
    return rows.map((r) => r.record);
  }

  /** Open exceptions the organisation is a party to whose clock ran out by `at`, most overdue first (what the clock alerts on). */
  async overdue(org: string, at: string, limit = 500): Promise<ExceptionRecord[]> {
    const rows: Array<{ record: ExceptionRecord }> = await this.dataSource.query(
      `SELECT record FROM receiving_exceptions WHERE (receiver = $1 OR seller = $1) AND ${OPEN} AND "dueAt" <= $2::timestamptz ORDER BY "dueAt", receiver, id LIMIT $3`, [org, at, limit]);
    return rows.map((r) => r.record);
  }
}
