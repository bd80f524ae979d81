import type { DataSource } from 'typeorm';
import type { ContainerRecord } from '@pedigree/domain';
import { decodeCursor, pageSize, toPage, type Page } from './paging';
import { containerView, type ContainerView } from './views';

export class ContainerReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(owner: string | null, first?: number | null, after?: string | null): Promise<Page<ContainerView>> {
    const size = pageSize(first);
    const rows: Array<{ id: string; record: ContainerRecord }> = await this.dataSource.query(
      `SELECT id, record FROM containers WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [owner, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.id, (r) => containerView(r.record));
  }

  async get(epc: string): Promise<ContainerView | null> {
    const [row] = await this.dataSource.query(`SELECT record FROM containers WHERE id = $1`, [epc]);
    return row ? containerView(row.record) : null;
  }

  /**
   * Everything a shipment carried as its aggregation stands in this read model: its top-level EPCs
   * and, through the containers' children, every case and pack inside them.
   */
  async contentsOf(topLevel: readonly string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH RECURSIVE tree(id) AS (SELECT unnest($1::text[]) UNION SELECT unnest(c.children) FROM containers c JOIN tree t ON c.id = t.id)
       SELECT id FROM tree`, [topLevel]);
    return rows.map((r) => r.id);
  }
}
