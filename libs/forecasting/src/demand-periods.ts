import { CalendarRegion, isPublicHoliday } from './trading-days';

/**
 * Demand periods: the calendar buckets planners read history and forecasts in. The forecasting
 * models are monthly (their seasonality is month of year), so days and weeks are views over monthly
 * forecasts (see disaggregate, weighted by the weekday and holiday profile of daily history) and over
 * dispense records (see bucketDemand).
 */
export type Granularity = 'DAY' | 'WEEK' | 'MONTH';

/** One dated demand observation: a dispense (quantity 1 per pack) or an imported record. */
export interface DemandRecord {
  /** ISO date (YYYY-MM-DD) of the first day the quantity covers. */
  readonly date: string;
  readonly quantity: number;
  /** 'day' for a dispense or a daily import; 'month' for a monthly import that covers the whole month. */
  readonly covers: 'day' | 'month';
}

const DAY_MS = 86_400_000;

export function parseIsoDate(date: string): number {
  return Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

/** The first day of the period containing `date`; weeks start on Monday (ISO 8601). */
export function periodStart(date: string, granularity: Granularity): string {
  const ms = parseIsoDate(date);
  if (granularity === 'DAY') return isoDate(ms);
  if (granularity === 'MONTH') return `${date.slice(0, 7)}-01`;
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  return isoDate(ms - weekday * DAY_MS);
}

/** The first day of the period after the one starting at `start`. */
export function nextPeriod(start: string, granularity: Granularity): string {
  const ms = parseIsoDate(start);
  if (granularity === 'DAY') return isoDate(ms + DAY_MS);
  if (granularity === 'WEEK') return isoDate(ms + 7 * DAY_MS);
  const d = new Date(ms);
  return isoDate(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

export interface DemandPoint {
  readonly period: string;
  readonly quantity: number;
}

/**
 * Sums records into consecutive periods from the first to `until` (inclusive of the period holding
 * it), with zero where nothing was dispensed: a pharmacy that dispensed nothing sold nothing, so a
 * period without records is a zero, not a gap. A monthly import spread over days and weeks is
 * spread evenly over its days, the least surprising split without daily data.
 */
export function bucketDemand(records: readonly DemandRecord[], granularity: Granularity, until?: string): DemandPoint[] {
  if (records.length === 0) return [];
  const sums = new Map<string, number>();
  const add = (date: string, quantity: number) => {
    const key = periodStart(date, granularity);
    sums.set(key, (sums.get(key) ?? 0) + quantity);
  };
  for (const r of records) {
    if (!Number.isFinite(r.quantity)) continue;
    if (r.covers === 'month' && granularity !== 'MONTH') {
      const year = Number(r.date.slice(0, 4));
      const month = Number(r.date.slice(5, 7));
      const days = daysInMonth(year, month);
      const first = parseIsoDate(`${r.date.slice(0, 7)}-01`);
      for (let d = 0; d < days; d++) add(isoDate(first + d * DAY_MS), r.quantity / days);
    } else add(r.date, r.quantity);
  }
  const keys = [...sums.keys()].sort();
  const last = until ? [periodStart(until, granularity), keys[keys.length - 1]].sort()[1] : keys[keys.length - 1];
  const points: DemandPoint[] = [];
  for (let p = keys[0]; p <= last; p = nextPeriod(p, granularity)) points.push({ period: p, quantity: sums.get(p) ?? 0 });
  return points;
}

/** Monthly quantiles of one month, to split over the days or weeks it contains. */
export interface MonthQuantiles {
  readonly month: string;
  /** Quantile level -> value for the month. */
  readonly quantiles: ReadonlyMap<number, number>;
}

/**
 * Splits monthly quantile forecasts into `count` periods of `granularity` starting at `from`. A
 * period's median is its share of the month's median by days; its spread around the median scales
 * with the square root of the share, which is what independent daily demand gives (scaling the
 * spread linearly would claim a day is as predictable, relatively, as a month).
 */
export function disaggregate(
  months: readonly MonthQuantiles[],
  levels: readonly number[],
  granularity: Granularity,
  from: string,
  count: number,
  profile: DayProfile = UNIFORM_DAYS,
): { period: string; quantiles: number[] }[] {
  if (granularity === 'MONTH') {
    return months.slice(0, count).map((m) => ({ period: m.month, quantiles: levels.map((p) => m.quantiles.get(p) ?? 0) }));
  }
  const byMonth = new Map(months.map((m) => [m.month.slice(0, 7), m]));
  const median = levels.indexOf(0.5) >= 0 ? 0.5 : levels[Math.floor(levels.length / 2)];
  const out: { period: string; quantiles: number[] }[] = [];
  for (let p = periodStart(from, granularity); out.length < count; p = nextPeriod(p, granularity)) {
    const end = nextPeriod(p, granularity);
    // A week may straddle two months: each day takes its own month's share.
    const perDay = new Map<string, number>();
    for (let d = parseIsoDate(p); d < parseIsoDate(end); d += DAY_MS) {
      const month = isoDate(d).slice(0, 7);
      perDay.set(month, (perDay.get(month) ?? 0) + dayWeight(profile, isoDate(d)));
    }
    const quantiles = levels.map(() => 0);
    let medianSum = 0;
    const spreads = levels.map(() => 0);
    let covered = true;
    for (const [month, days] of perDay) {
      const m = byMonth.get(month);
      if (!m) {
        covered = false;
        continue;
      }
      const share = days / monthWeight(profile, month);
      const mid = m.quantiles.get(median) ?? 0;
      medianSum += share * mid;
      levels.forEach((level, i) => {
        const gap = (m.quantiles.get(level) ?? mid) - mid;
        // Spreads of independent parts add in variance.
        spreads[i] += Math.sign(gap) * (Math.sqrt(share) * gap) ** 2;
      });
    }
    if (!covered && medianSum === 0) break;
    levels.forEach((_, i) => (quantiles[i] = Math.max(0, medianSum + Math.sign(spreads[i]) * Math.sqrt(Math.abs(spreads[i])))));
    out.push({ period: p, quantiles });
  }
  return out;
}

/** Demand of one product at one location: imported records and live dispense counts per day. */
export interface DemandSources {
  readonly imported: readonly DemandRecord[];
  /** Live dispenses: ISO date -> packs dispensed that day. */
  readonly dispensed: ReadonlyMap<string, number>;
  /**
   * Net change of sellable packs on hand per day (ISO date -> received minus dispensed, shipped on or destroyed),
   * from the read model's history. Days that open with nothing on hand are stock-outs: what was dispensed in such a
   * month is a lower bound of demand (the month is censored), not demand.
   */
  readonly stock?: ReadonlyMap<string, number>;
}

/**
 * Days that opened with no sellable pack on hand, from the first day stock moved through `throughDate` (inclusive).
 * Before the first movement nothing is known about stock, so nothing is called a stock-out.
 */
export function stockOutDays(stock: ReadonlyMap<string, number>, throughDate: string): Set<string> {
  const days = [...stock.keys()].sort();
  const out = new Set<string>();
  if (days.length === 0) return out;
  let level = 0;
  const end = parseIsoDate(throughDate);
  for (let d = parseIsoDate(days[0]); d <= end; d += DAY_MS) {
    const date = isoDate(d);
    // The first day opens before its own receipt: tracking starts with the day after the first movement.
    if (date !== days[0] && level <= 0) out.add(date);
    level += stock.get(date) ?? 0;
  }
  return out;
}

export interface MonthlyHistoryOptions {
  /** Stock-out days that make a month censored (1: any day that opened with nothing to sell). */
  readonly minStockOutDays?: number;
}

/**
 * The monthly series the models see, from its first observed month through `throughMonth`
 * (YYYY-MM, inclusive). A month without any record is a gap (NaN, which the forecasting library
 * interpolates and notes) before live dispensing started, and a zero after it: once the dispenser's
 * ledger records every dispense, a month without one is a month without demand.
 */
export function monthlyHistory(
  sources: DemandSources,
  throughMonth: string,
  options: MonthlyHistoryOptions = {},
): { start: string; values: number[]; censored?: boolean[]; stockOutDays?: number[] } | undefined {
  const months = new Map<string, number>();
  for (const r of sources.imported) {
    if (r.date.slice(0, 7) > throughMonth) continue;
    const m = r.date.slice(0, 7);
    months.set(m, (months.get(m) ?? 0) + (Number.isFinite(r.quantity) ? r.quantity : NaN));
  }
  let firstLive: string | undefined;
  for (const [date, n] of sources.dispensed) {
    const m = date.slice(0, 7);
    if (m > throughMonth) continue;
    if (!firstLive || m < firstLive) firstLive = m;
    months.set(m, (months.get(m) ?? 0) + n);
  }
  if (months.size === 0) return undefined;
  const keys = [...months.keys()].sort();
  const start = keys[0];
  const values: number[] = [];
  for (let m = `${start}-01`; m.slice(0, 7) <= throughMonth; m = nextPeriod(m, 'MONTH')) {
    const month = m.slice(0, 7);
    const v = months.get(month);
    values.push(v !== undefined ? v : firstLive !== undefined && month >= firstLive ? 0 : NaN);
  }
  if (!sources.stock || sources.stock.size === 0) return { start, values };
  const [y, m] = throughMonth.split('-').map(Number);
  const out = stockOutDays(sources.stock, `${throughMonth}-${String(daysInMonth(y, m)).padStart(2, '0')}`);
  const perMonth = new Map<string, number>();
  for (const day of out) perMonth.set(day.slice(0, 7), (perMonth.get(day.slice(0, 7)) ?? 0) + 1);
  const minimum = options.minStockOutDays ?? 1;
  const counts: number[] = [];
  for (let m0 = `${start}-01`; m0.slice(0, 7) <= throughMonth; m0 = nextPeriod(m0, 'MONTH')) counts.push(perMonth.get(m0.slice(0, 7)) ?? 0);
  if (!counts.some((n) => n >= minimum)) return { start, values, stockOutDays: counts };
  return { start, values, censored: counts.map((n) => n >= minimum), stockOutDays: counts };
}

/** The month before the one holding `now`: the last month whose demand is complete. */
export function lastCompleteMonth(now: Date): string {
  return isoDate(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).slice(0, 7);
}

/**
 * How demand spreads over the days of a month: a factor per weekday (Monday first) and one for public holidays,
 * relative to an average day. Measured on daily dispense history when there is enough of it; otherwise every day
 * weighs the same (the share of the month is its share of days) and `source` says so.
 */
export interface DayProfile {
  readonly weekday: readonly number[];
  readonly holiday: number;
  readonly region: CalendarRegion;
  readonly source: 'uniform' | 'history';
  readonly days: number;
}

export const UNIFORM_DAYS: DayProfile = { weekday: [1, 1, 1, 1, 1, 1, 1], holiday: 1, region: 'none', source: 'uniform', days: 0 };

export function dayWeight(profile: DayProfile, date: string): number {
  if (profile.source === 'uniform') return 1;
  if (profile.region !== 'none' && isPublicHoliday(profile.region, date)) return profile.holiday;
  return profile.weekday[(new Date(parseIsoDate(date)).getUTCDay() + 6) % 7];
}

function monthWeight(profile: DayProfile, month: string): number {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  let sum = 0;
  for (let d = 1; d <= daysInMonth(year, m); d++) sum += dayWeight(profile, `${month}-${String(d).padStart(2, '0')}`);
  return sum;
}

/**
 * Weekday and holiday factors from daily demand (ISO date -> quantity; days between the first and last record
 * without one are zero). Needs `minimumDays` of history (8 weeks by default: every weekday seen eight times) and
 * some demand; holidays need three observed, else they weigh like a Sunday.
 */
export function dayProfileFromHistory(daily: ReadonlyMap<string, number>, region: CalendarRegion, minimumDays = 56): DayProfile {
  const dates = [...daily.keys()].sort();
  if (dates.length === 0) return UNIFORM_DAYS;
  const first = parseIsoDate(dates[0]);
  const last = parseIsoDate(dates[dates.length - 1]);
  const span = Math.round((last - first) / DAY_MS) + 1;
  if (span < minimumDays) return { ...UNIFORM_DAYS, days: span };
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  let holidaySum = 0;
  let holidays = 0;
  let total = 0;
  for (let d = first; d <= last; d += DAY_MS) {
    const date = isoDate(d);
    const q = Math.max(0, daily.get(date) ?? 0);
    total += q;
    if (region !== 'none' && isPublicHoliday(region, date)) {
      holidaySum += q;
      holidays++;
      continue;
    }
    const w = (new Date(d).getUTCDay() + 6) % 7;
    sums[w] += q;
    counts[w]++;
  }
  if (!(total > 0)) return { ...UNIFORM_DAYS, days: span };
  const means = sums.map((s, w) => s / Math.max(1, counts[w]));
  const average = means.reduce((s, v) => s + v, 0) / 7;
  const weekday = means.map((m) => m / average);
  const holiday = holidays >= 3 ? holidaySum / holidays / average : weekday[6];
  return { weekday, holiday, region, source: 'history', days: span };
}

/** Months per period of a granularity (a week is 7 of a mean month's 30.4375 days). */
export function monthsPer(granularity: Granularity): number {
  return granularity === 'MONTH' ? 1 : granularity === 'WEEK' ? 7 / 30.4375 : 1 / 30.4375;
}

/** Months of monthly forecast needed to cover `count` periods of `granularity` from `firstMonth` (YYYY-MM-01). */
export function monthsToCover(firstMonth: string, count: number, granularity: Granularity): number {
  if (granularity === 'MONTH') return count;
  let end = periodStart(firstMonth, granularity);
  for (let i = 0; i < count; i++) end = nextPeriod(end, granularity);
  const [y0, m0] = firstMonth.split('-').map(Number);
  const [y1, m1] = end.split('-').map(Number);
  return Math.max(1, y1 * 12 + m1 - (y0 * 12 + m0) + 1);
}
