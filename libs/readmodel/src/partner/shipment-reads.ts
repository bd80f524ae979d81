import type { DataSource } from 'typeorm';
import { decodeCursor, pageSize, toPage, type Page } from './paging';
import type { ShipmentDocuments, ShipmentView } from './views';

export type ShipmentDirection = 'INBOUND' | 'OUTBOUND';

interface ShipmentRowShape {
  id: string; sender: string; receiver: string; purpose: string; status: string; epcs: string[]; shippedAt: Date; receivedAt: Date | null; tiHash: string | null; tsHash: string | null;
}

const SHIPMENT_COLUMNS = `id, sender, receiver, purpose, status, epcs, "shippedAt", "receivedAt", "tiHash", "tsHash"`;

export class ShipmentReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(org: string, direction: ShipmentDirection, first?: number | null, after?: string | null): Promise<Page<ShipmentView>> {
    const size = pageSize(first);
    const column = direction === 'INBOUND' ? 'receiver' : 'sender';
    const rows: ShipmentRowShape[] = await this.dataSource.query(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE ${column} = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`, [org, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.id, shipmentView);
  }

  async get(id: string): Promise<ShipmentView | null> {
    const [row] = await this.dataSource.query(`SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE id = $1`, [id]);
    return row ? shipmentView(row) : null;
  }

  /** The private TI/TS as cached here; both null where this organisation is not a party or has not read them yet. */
  async documents(id: string): Promise<ShipmentDocuments | null> {
    const [row] = await this.dataSource.query(`SELECT "transactionInformation", "transactionStatement" FROM shipments WHERE id = $1`, [id]);
    return row ? { transactionInformation: row.transactionInformation, transactionStatement: row.transactionStatement } : null;
  }

  /** Keeps the TI read from this organisation's peer (private collection) so the next read needs no ledger call. */
  async cacheTransactionInformation(id: string, ti: unknown): Promise<void> {
    await this.dataSource.query(`UPDATE shipments SET "transactionInformation" = $2 WHERE id = $1`, [id, ti]);
  }
}

function shipmentView(r: ShipmentRowShape): ShipmentView {
  return {
    id: r.id, sender: r.sender, receiver: r.receiver, purpose: r.purpose, status: r.status, epcs: r.epcs, shippedAt: new Date(r.shippedAt).toISOString(),
    receivedAt: r.receivedAt ? new Date(r.receivedAt).toISOString() : null, transactionInformationHash: r.tiHash, statementAffirmed: r.tsHash === 'affirmed',
  };
}
