import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ServiceError } from '@pedigree/platform';
import { normaliseGtin } from '@pedigree/domain';
import { parseCsv, parseMonth, formatMonth } from '@pedigree/forecasting';
import { DispenseDemandReads } from '@pedigree/readmodel';
import { DemandRecord, DemandSources } from '@pedigree/forecasting';

export interface SeriesKey {
  readonly gtin: string;
  readonly location: string;
}

export interface CsvImportColumns {
  readonly gtinColumn: string;
  /** Without a location column every row belongs to `defaultLocation`. */
  readonly locationColumn?: string | null;
  readonly defaultLocation: string;
  /** A month ("2024-03", "2024 Mar") or a date ("2024-03-15"). */
  readonly periodColumn: string;
  readonly valueColumn: string;
  readonly source?: string;
}

export interface ImportSummary {
  readonly importId: string;
  readonly rows: number;
  readonly series: number;
  readonly negativeValues: number;
  readonly firstPeriod: string;
  readonly lastPeriod: string;
}

const MAX_IMPORT_ROWS = 200_000;

/** Reads demand: imported history from the forecast database, live dispenses from the dispenser's read model. */
export class DemandStore {
  private readonly live: DispenseDemandReads;

  constructor(
    private readonly own: DataSource,
    demand: () => Promise<DataSource>,
    org: string,
  ) {
    // The dispenser's read model is read through its own module's port, never by SQL of ours.
    this.live = new DispenseDemandReads(demand, org);
  }

  /** Both sources of one series, with the stock movements that say which months were stock-outs. */
  async sources(key: SeriesKey): Promise<DemandSources> {
    const imported: Array<{ periodStart: string; covers: 'day' | 'month'; quantity: number }> = await this.own.query(
      `SELECT to_char("periodStart", 'YYYY-MM-DD') AS "periodStart", covers, quantity FROM imported_demand WHERE gtin = $1 AND location = $2 ORDER BY "periodStart"`,
      [key.gtin, key.location]);
    const live = await this.live.dispensedPerDay(key.gtin, key.location);
    const stock = await this.live.stockMovementsPerDay(key.gtin, key.location);
    return {
      imported: imported.map((r): DemandRecord => ({ date: r.periodStart, covers: r.covers, quantity: Number(r.quantity) })),
      dispensed: live,
      stock,
    };
  }

  /** Every series with any demand, imported or live, ordered by location and GTIN. */
  async seriesKeys(location?: string): Promise<SeriesKey[]> {
    const imported: SeriesKey[] = await this.own.query(
      `SELECT DISTINCT gtin, location FROM imported_demand WHERE ($1::text IS NULL OR location = $1)`, [location ?? null]);
    const live: SeriesKey[] = await this.live.dispensedSeries(location);
    const all = new Map<string, SeriesKey>();
    for (const k of [...imported, ...live]) all.set(`${k.location}|${k.gtin}`, { gtin: k.gtin, location: k.location });
    return [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
  }

  /** Is the GTIN known anywhere: the product registry as the dispenser sees it, or imported history. */
  async productKnown(gtin: string): Promise<boolean> {
    const [own] = await this.own.query(`SELECT 1 FROM imported_demand WHERE gtin = $1 LIMIT 1`, [gtin]);
    if (own) return true;
    return this.live.productKnown(gtin);
  }

  async productName(gtin: string): Promise<string | null> {
    return this.live.productName(gtin);
  }

  /** Sellable packs on hand and packs addressed to this organisation still in transit. */
  async stock(key: SeriesKey, today = new Date().toISOString().slice(0, 10)): Promise<{ onHand: number; inTransit: number }> {
    return this.live.stock(key.gtin, key.location, today);
  }

  /**
   * Imports a long CSV (one row per product, location and period). Rows of a month cover the
   * month; rows with a day cover that day. Re-importing a period replaces it (same source), so an
   * import can be repeated safely. Negative values are kept as given (returns, corrections) and
   * clipped when forecasting, where the forecast notes say so.
   */
  async importCsv(csv: string, columns: CsvImportColumns): Promise<ImportSummary> {
    const rows = parseCsv(csv);
    if (rows.length < 2) throw new ServiceError('BAD_INPUT', 'CSV_EMPTY', 'the CSV has no data rows');
    if (rows.length - 1 > MAX_IMPORT_ROWS) throw new ServiceError('BAD_INPUT', 'CSV_TOO_LARGE', `at most ${MAX_IMPORT_ROWS} rows per import`);
    const header = rows[0].map((h) => h.trim());
    const at = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new ServiceError('BAD_INPUT', 'UNKNOWN_COLUMN', `no column "${name}" (columns: ${header.join(', ')})`);
      return i;
    };
    const gtinAt = at(columns.gtinColumn);
    const locationAt = columns.locationColumn ? at(columns.locationColumn) : -1;
    const periodAt = at(columns.periodColumn);
    const valueAt = at(columns.valueColumn);
    const source = columns.source ?? 'csv-import';
    const importId = randomUUID();
    const parsed = new Map<string, { gtin: string; location: string; periodStart: string; covers: 'day' | 'month'; quantity: number }>();
    let negatives = 0;
    const datedRows = new Set<string>();
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r];
      const line = r + 1;
      const rawGtin = row[gtinAt]?.trim() ?? '';
      let gtin: string;
      try {
        gtin = normaliseGtin(rawGtin);
      } catch {
        throw new ServiceError('BAD_INPUT', 'INVALID_GTIN', `line ${line}: "${rawGtin}" is not a valid GTIN`);
      }
      const location = (locationAt >= 0 ? row[locationAt]?.trim() : '') || columns.defaultLocation;
      const period = readPeriod(row[periodAt] ?? '', line);
      const cell = (row[valueAt] ?? '').trim();
      if (cell === '' || cell === 'NA') continue; // not recorded: a gap the forecast fills
      const quantity = Number(cell);
      if (!Number.isFinite(quantity)) throw new ServiceError('BAD_INPUT', 'INVALID_VALUE', `line ${line}: "${cell}" is not a number`);
      if (quantity < 0) negatives++;
      const k = `${gtin}|${location}|${period.start}`;
      if (period.dated) datedRows.add(k);
      const prior = parsed.get(k);
      // Several rows of one period (e.g. two sub-categories) add up.
      parsed.set(k, { gtin, location, periodStart: period.start, covers: period.covers, quantity: (prior?.quantity ?? 0) + quantity });
    }
    // A file of dates is daily data if any date is not the first of its month; else it is monthly.
    const daily = [...parsed.values()].some((r) => r.covers === 'day');
    const records = [...parsed.values()].map((r) => (daily && datedRows.has(`${r.gtin}|${r.location}|${r.periodStart}`) ? { ...r, covers: 'day' as const } : r));
    if (records.length === 0) throw new ServiceError('BAD_INPUT', 'CSV_EMPTY', 'no row of the CSV has a value');
    await this.own.transaction(async (m) => {
      for (let i = 0; i < records.length; i += 1000) {
        const chunk = records.slice(i, i + 1000);
        await m.query(
          `INSERT INTO imported_demand (gtin, location, "periodStart", covers, quantity, source, "importId", "importedAt")
           SELECT x.gtin, x.location, x."periodStart"::date, x.covers, x.quantity, $2, $3, now()
           FROM jsonb_to_recordset($1::jsonb) AS x(gtin text, location text, "periodStart" text, covers text, quantity double precision)
           ON CONFLICT (gtin, location, "periodStart", source) DO UPDATE SET quantity = EXCLUDED.quantity, covers = EXCLUDED.covers, "importId" = EXCLUDED."importId", "importedAt" = EXCLUDED."importedAt"`,
          [JSON.stringify(chunk), source, importId]);
      }
    });
    const periods = records.map((r) => r.periodStart).sort();
    return {
      importId, rows: records.length, series: new Set(records.map((r) => `${r.gtin}|${r.location}`)).size, negativeValues: negatives,
      firstPeriod: periods[0], lastPeriod: periods[periods.length - 1],
    };
  }
}

function readPeriod(text: string, line: number): { start: string; covers: 'day' | 'month'; dated: boolean } {
  const s = text.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) {
    const ms = Date.parse(`${s}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) throw new ServiceError('BAD_INPUT', 'INVALID_PERIOD', `line ${line}: "${text}" is not a date`);
    // The first of a month may stand for the month (monthly exports write it so); importCsv decides per file.
    return { start: s, covers: day[3] === '01' ? 'month' : 'day', dated: true };
  }
  try {
    return { start: `${formatMonth(parseMonth(s))}-01`, covers: 'month', dated: false };
  } catch {
    throw new ServiceError('BAD_INPUT', 'INVALID_PERIOD', `line ${line}: "${text}" is neither a month nor a date`);
  }
}
