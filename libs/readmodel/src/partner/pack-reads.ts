import type { DataSource } from 'typeorm';
import type { PackRecord } from '@pedigree/domain';
import { LotState, lotKey, lotStates, PACK_LOT_COLUMNS, PACK_LOT_JOIN, packRecordOfRow, type PackRowWithLot } from '../lot-state';
import { decodeCursor, pageSize, toPage, type Page } from './paging';
import { packView, type InventoryLineView, type PackView } from './views';

export interface PackFilter {
  readonly gtin?: string | null;
  readonly lot?: string | null;
  readonly status?: string | null;
  /** SGLN of the site holding it. */
  readonly location?: string | null;
  readonly custodian?: string | null;
  /** recalled, quarantined, suspect, returned */
  readonly overlay?: string | null;
}

type PackRow = PackRowWithLot & { id: string; name: string | null };

const PACK_SELECT = `SELECT p.id, p.record, pr.name, ${PACK_LOT_COLUMNS} FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin ${PACK_LOT_JOIN}`;

/**
 * Packs as the lot makes them: every read joins the pack's lot, so a lot-level recall or expiry
 * extension shows on each pack however long ago the pack row was written.
 */
export class PackReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: PackFilter = {}, first?: number | null, after?: string | null): Promise<Page<PackView>> {
    const size = pageSize(first);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => { params.push(v); where.push(sql.replace('?', `$${params.length}`)); };
    if (filter.gtin) add('p.gtin = ?', filter.gtin);
    if (filter.lot) add('p.lot = ?', filter.lot);
    if (filter.status) add('p.status = ?', filter.status);
    if (filter.location) add('p.location = ?', filter.location);
    if (filter.custodian) add('p.custodian = ?', filter.custodian);
    if (filter.overlay) add('? = ANY(p.overlays)', filter.overlay);
    const cursor = decodeCursor(after);
    if (cursor) add('p.id > ?', cursor);
    params.push(size + 1);
    const rows: PackRow[] = await this.dataSource.query(`${PACK_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id LIMIT $${params.length}`, params);
    return this.page(rows, size);
  }

  async get(epc: string): Promise<PackView | null> {
    const [row] = await this.dataSource.query(`${PACK_SELECT} WHERE p.id = $1`, [epc]);
    return row ? packView(packRecordOfRow(row), row.name) : null;
  }

  async byIdentifier(gtin: string, serial: string): Promise<{ record: PackRecord; productName: string | null } | null> {
    const [row] = await this.dataSource.query(`${PACK_SELECT} WHERE p.gtin = $1 AND p.serial = $2`, [gtin, serial]);
    return row ? { record: packRecordOfRow(row), productName: row.name } : null;
  }

  /** A lot's recall and expiry extension as projected, if it has either. */
  async lotState(gtin: string, lot: string): Promise<LotState | undefined> {
    return (await lotStates(this.dataSource, [{ gtin, lot }])).get(lotKey(gtin, lot));
  }

  /** Every pack inside a container at any depth (recursive over the read model's aggregation). */
  async inContainer(epc: string, first?: number | null, after?: string | null): Promise<Page<PackView>> {
    const size = pageSize(first);
    const rows: PackRow[] = await this.dataSource.query(
      `WITH RECURSIVE tree(id) AS (SELECT $1::text UNION SELECT c.id FROM containers c JOIN tree t ON c.parent = t.id)
       ${PACK_SELECT} WHERE p.container IN (SELECT id FROM tree) AND ($2::text IS NULL OR p.id > $2) ORDER BY p.id LIMIT $3`,
      [epc, decodeCursor(after), size + 1]);
    return this.page(rows, size);
  }

  /**
   * Sellable stock an organisation holds, by product and lot: at rest (commissioned, packed,
   * received), no hold (quarantined, recalled, returned) and not past its (possibly extended) expiry.
   */
  async inventory(org: string, gtin: string | null, first?: number | null, after?: string | null): Promise<Page<InventoryLineView>> {
    const size = pageSize(first);
    const rows: Array<{ gtin: string; lot: string; expiry: string; name: string | null; quantity: string }> = await this.dataSource.query(
      `SELECT p.gtin, p.lot, to_char(min(coalesce(p."expiryExtendedTo", p.expiry)), 'YYYY-MM-DD') AS expiry, pr.name, count(*) AS quantity
       FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin
       WHERE p.custodian = $1 AND p."sellableAtRest"
         AND coalesce(p."expiryExtendedTo", p.expiry) >= current_date AND ($2::text IS NULL OR p.gtin = $2)
         AND ($3::text IS NULL OR p.gtin || '|' || p.lot > $3)
       GROUP BY p.gtin, p.lot, pr.name ORDER BY p.gtin, p.lot LIMIT $4`,
      [org, gtin, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => `${r.gtin}|${r.lot}`, (r) => ({ gtin: r.gtin, lot: r.lot, expiry: r.expiry, productName: r.name, quantity: Number(r.quantity) }));
  }

  private page(rows: readonly PackRow[], size: number): Page<PackView> {
    const at = new Date().toISOString();
    return toPage(rows, size, (r) => r.id, (r) => packView(packRecordOfRow(r), r.name, at));
  }
}
