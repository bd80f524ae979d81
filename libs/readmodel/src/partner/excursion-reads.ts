import { exceptionGtins, OPEN_EXCEPTION_STATES, type ExceptionRecord, type OrgId } from '@pedigree/domain';
import type { DataSource } from 'typeorm';
import { decodeCompositeCursor, encodeCursor, pageSize, type Page } from './paging';

/** Rows read per round while filling a page: excursions on other makers' products are skipped, so a round may give fewer. */
const ROUND = 200;

interface ExcursionRow {
  record: ExceptionRecord;
  openedAt: Date;
}

/**
 * Temperature excursions on a manufacturer's products (issue 18), raised wherever they are held:
 * the manufacturer's read model keeps them even when it sold to someone else (exceptionsVisibleTo),
 * because its decision (DecideExcursion) is what releases or destroys the packs.
 */
export class ExcursionReads {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A page of the excursions holding packs of products `manufacturer` registered, newest first
   * (opened at, then holder and ID: a key that never moves, so pages neither skip nor repeat as
   * exceptions close). Which products are its own is the registry's word, read each time.
   * @throws DomainError PAGE_CURSOR_INVALID / PAGE_SIZE_INVALID
   */
  async pageOfProductsMadeBy(manufacturer: OrgId, options: { readonly openOnly?: boolean; readonly first?: number | null; readonly after?: string | null } = {}): Promise<Page<ExceptionRecord>> {
    const size = pageSize(options.first);
    let position = decodeCompositeCursor(options.after, 3);
    const made: Array<{ gtin: string }> = await this.dataSource.query(`SELECT gtin FROM products WHERE manufacturer = $1`, [manufacturer]);
    const mine = new Set(made.map((r) => r.gtin));
    const found: Array<{ key: string; record: ExceptionRecord }> = [];
    // One beyond the page says whether another follows.
    while (found.length <= size) {
      const rows = await this.round(position, options.openOnly === true);
      for (const r of rows) {
        const key = [new Date(r.openedAt).toISOString(), r.record.receiver, r.record.id];
        position = key;
        if (exceptionGtins(r.record).some((g) => mine.has(g))) found.push({ key: key.join('|'), record: r.record });
        if (found.length > size) break;
      }
      if (rows.length < ROUND) break;
    }
    const edges = found.slice(0, size).map((f) => ({ cursor: encodeCursor(f.key), node: f.record }));
    return { edges, pageInfo: { hasNextPage: found.length > size, endCursor: edges.length ? (edges[edges.length - 1] as { cursor: string }).cursor : null } };
  }

  private round(after: readonly string[] | null, openOnly: boolean): Promise<ExcursionRow[]> {
    const params: unknown[] = [ROUND];
    const where = [`rule = 'temperature_excursion'`];
    if (openOnly) {
      params.push([...OPEN_EXCEPTION_STATES]);
      where.push(`state = ANY($${params.length}::text[])`);
    }
    if (after) {
      const [openedAt, receiver, id] = after;
      params.push(openedAt, receiver, id);
      const [t, r, i] = [params.length - 2, params.length - 1, params.length];
      // Newest first, then holder and ID ascending: what comes after the cursor's row.
      where.push(`("openedAt" < $${t}::timestamptz OR ("openedAt" = $${t}::timestamptz AND (receiver, id) > ($${r}, $${i})))`);
    }
    return this.dataSource.query(`SELECT record, "openedAt" FROM receiving_exceptions WHERE ${where.join(' AND ')} ORDER BY "openedAt" DESC, receiver, id LIMIT $1`, params);
  }
}
