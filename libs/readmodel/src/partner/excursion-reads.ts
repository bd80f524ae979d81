import { exceptionGtins, isOpenException, type ExceptionRecord, type OrgId } from '@pedigree/domain';
import type { DataSource } from 'typeorm';

/** How many excursions a manufacturer's list answers at most (open ones first). */
const MAX_EXCURSIONS = 500;

/**
 * Temperature excursions on a manufacturer's products (issue 18), raised wherever they are held:
 * the manufacturer's read model keeps them even when it sold to someone else (exceptionsVisibleTo),
 * because its decision (DecideExcursion) is what releases or destroys the packs.
 */
export class ExcursionReads {
  constructor(private readonly dataSource: DataSource) {}

  /** The excursions holding packs of products `manufacturer` registered, open first, newest first. */
  async ofProductsMadeBy(manufacturer: OrgId, options: { readonly openOnly?: boolean } = {}): Promise<ExceptionRecord[]> {
    const rows: Array<{ record: ExceptionRecord }> = await this.dataSource.query(
      `SELECT record FROM receiving_exceptions WHERE rule = 'temperature_excursion' ORDER BY ("closedAt" IS NULL) DESC, "openedAt" DESC, receiver, id LIMIT $1`, [MAX_EXCURSIONS]);
    const made: Array<{ gtin: string }> = await this.dataSource.query(`SELECT gtin FROM products WHERE manufacturer = $1`, [manufacturer]);
    const mine = new Set(made.map((r) => r.gtin));
    return rows.map((r) => r.record).filter((x) => exceptionGtins(x).some((g) => mine.has(g)) && (!options.openOnly || isOpenException(x.state)));
  }
}
