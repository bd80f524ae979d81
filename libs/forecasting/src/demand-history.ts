import { formatMonth, MonthIndex, parseMonth } from './calendar';
import { ForecastError } from './forecast-error';

/** Monthly demand of one product class; `values[i]` is the month `start + i`, NaN where a month is missing. */
export interface DemandHistory {
  readonly key: string;
  readonly start: MonthIndex;
  readonly values: readonly number[];
  /**
   * Months in which the product was out of stock for some of the time (same indexing as `values`): what was
   * dispensed then is a lower bound of demand, not demand. Such months are estimated from their neighbours and
   * kept only where the recorded sales exceed that estimate.
   */
  readonly censored?: readonly boolean[];
}

export interface MonthlyDemand {
  readonly month: MonthIndex | string;
  readonly value: number | null | undefined;
}

/**
 * Orders records by month and lays them on a gapless monthly grid, leaving NaN where a month has no record. Two
 * records of one month are refused rather than summed: that is an upstream aggregation error the caller must see.
 */
export function historyFromRecords(key: string, records: readonly MonthlyDemand[]): DemandHistory {
  if (records.length === 0) throw new ForecastError('EMPTY_SERIES', `series "${key}" has no records`);
  const byMonth = new Map<MonthIndex, number>();
  for (const record of records) {
    const month = typeof record.month === 'string' ? parseMonth(record.month) : record.month;
    if (!Number.isInteger(month)) throw new ForecastError('INVALID_MONTH', `series "${key}": month ${String(record.month)} is not a month index`);
    if (byMonth.has(month)) {
      throw new ForecastError('DUPLICATE_MONTH', `series "${key}" has two records for ${formatMonth(month)}`);
    }
    byMonth.set(month, record.value === null || record.value === undefined ? NaN : Number(record.value));
  }
  const months = [...byMonth.keys()].sort((a, b) => a - b);
  const start = months[0];
  const values = new Array<number>(months[months.length - 1] - start + 1).fill(NaN);
  for (const [month, value] of byMonth) values[month - start] = value;
  return { key, start, values };
}

/** A history made fit for the models: every value finite and non-negative, and what it took to get there. */
export interface ConditionedHistory {
  readonly key: string;
  readonly start: MonthIndex;
  readonly values: number[];
  readonly notes: string[];
  readonly allZero: boolean;
  /** Strictly positive throughout, which multiplicative ETS models need. */
  readonly positive: boolean;
}

/**
 * Repairs what real feeds contain instead of failing on it:
 * - non-finite values (NaN, null, Infinity) count as missing months;
 * - leading and trailing missing months are dropped (nothing to learn from; the forecast starts after the last
 *   observed month), inner gaps are filled by linear interpolation between the neighbouring observations;
 * - negative values (returns, corrections) are clipped to zero, because demand itself cannot be negative.
 * Only a series with no observation at all is refused (EMPTY_SERIES).
 */
export function conditionHistory(history: DemandHistory): ConditionedHistory {
  const raw = history.values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN));
  // Stock-out months: the sales recorded are kept aside as a floor and the month is treated as missing.
  const floors = new Map<number, number>();
  history.censored?.forEach((out, i) => {
    if (out && i < raw.length && !Number.isNaN(raw[i])) {
      floors.set(i, Math.max(0, raw[i]));
      raw[i] = NaN;
    }
  });
  if (floors.size > 0 && raw.every((v) => Number.isNaN(v))) {
    // Nothing but stock-out months: the floors are all there is.
    for (const [i, v] of floors) raw[i] = v;
    floors.clear();
  }
  // A stock-out month is known (at least its floor), so it is never dropped as a missing end: the latest month being
  // a stock-out is the common case, and dropping it would shift every forecast month by one.
  const known = (i: number) => !Number.isNaN(raw[i]) || floors.has(i);
  const first = raw.findIndex((_, i) => known(i));
  if (first < 0) throw new ForecastError('EMPTY_SERIES', `series "${history.key}" has no observed value`);
  let last = raw.length - 1;
  while (!known(last)) last--;
  const notes: string[] = [];
  if (first > 0) notes.push(`dropped ${first} leading missing month(s)`);
  if (last < raw.length - 1) notes.push(`dropped ${raw.length - 1 - last} trailing missing month(s)`);
  const values = raw.slice(first, last + 1);

  let negatives = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0) {
      values[i] = 0;
      negatives++;
    }
  }
  if (negatives > 0) notes.push(`clipped ${negatives} negative value(s) to zero`);

  let filled = 0;
  // Stock-out months at either end have one neighbour only: they take the nearest observed month (then their floor).
  const firstSeen = values.findIndex((v) => !Number.isNaN(v));
  let lastSeen = values.length - 1;
  while (Number.isNaN(values[lastSeen])) lastSeen--;
  for (let k = 0; k < firstSeen; k++, filled++) values[k] = values[firstSeen];
  for (let k = lastSeen + 1; k < values.length; k++, filled++) values[k] = values[lastSeen];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) continue;
    let j = i;
    while (Number.isNaN(values[j])) j++;
    const before = values[i - 1];
    const after = values[j];
    for (let k = i; k < j; k++) values[k] = before + ((after - before) * (k - i + 1)) / (j - i + 1);
    filled += j - i;
    i = j;
  }
  let censored = 0;
  for (const [i, floor] of floors) {
    const at = i - first;
    if (at < 0 || at >= values.length) continue;
    values[at] = Math.max(values[at], floor);
    censored++;
    filled--;
  }
  if (filled > 0) notes.push(`filled ${filled} missing month(s) by interpolation`);
  if (censored > 0) notes.push(`${censored} stock-out month(s) treated as censored: demand estimated from the neighbouring months, at least what was sold`);

  const allZero = values.every((v) => v === 0);
  const positive = values.every((v) => v > 0);
  return { key: history.key, start: history.start + first, values, notes, allZero, positive };
}
