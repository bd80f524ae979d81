import { MonthIndex, parseMonth } from './calendar';
import { ForecastError } from './forecast-error';
import { DemandHistory, historyFromRecords, MonthlyDemand } from './demand-history';

/** Which CSV columns identify a series, its month and its demand. */
export interface PanelColumns {
  readonly key: readonly string[];
  readonly time: string;
  readonly value: string;
}

export const KEY_SEPARATOR = ' | ';

function columnIndex(header: readonly string[], name: string): number {
  const at = header.indexOf(name);
  if (at < 0) throw new ForecastError('UNKNOWN_COLUMN', `no column "${name}" (columns: ${header.join(', ')})`);
  return at;
}

/** Empty cells and R's NA mean "not recorded"; anything else non-numeric is refused. */
function readValue(cell: string, line: number): number {
  const s = cell.trim();
  if (s === '' || s === 'NA' || s === 'NaN' || s === 'null') return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new ForecastError('INVALID_CSV', `line ${line}: "${cell}" is not a number`);
  return v;
}

/**
 * Splits a long table (one row per series and month) into one history per key, in first-seen order; with no key
 * columns the table is a single series called "all".
 */
export function panelFromRows(rows: readonly (readonly string[])[], columns: PanelColumns): DemandHistory[] {
  if (rows.length < 2) throw new ForecastError('INVALID_CSV', 'the table has no data rows');
  const header = rows[0].map((h) => h.trim());
  const keyAt = columns.key.map((k) => columnIndex(header, k));
  const timeAt = columnIndex(header, columns.time);
  const valueAt = columnIndex(header, columns.value);
  const records = new Map<string, MonthlyDemand[]>();
  const monthCache = new Map<string, MonthIndex>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length < header.length) throw new ForecastError('INVALID_CSV', `line ${r + 1} has ${row.length} fields, expected ${header.length}`);
    const key = keyAt.length > 0 ? keyAt.map((i) => row[i]).join(KEY_SEPARATOR) : 'all';
    const cell = row[timeAt];
    let month = monthCache.get(cell);
    if (month === undefined) {
      month = parseMonth(cell);
      monthCache.set(cell, month);
    }
    let list = records.get(key);
    if (!list) records.set(key, (list = []));
    list.push({ month, value: readValue(row[valueAt], r + 1) });
  }
  return [...records].map(([key, list]) => historyFromRecords(key, list));
}
