import Holidays from 'date-holidays';
import { MonthIndex, monthOfYear } from './calendar';
import { ForecastError } from './forecast-error';

/**
 * Trading days and public holidays. Prescriptions are written and dispensed on working days: a month with an
 * extra weekday carries about 3% more PBS scripts. The holidays come from the maintained `date-holidays` rules
 * (national public holidays, observed/substitute days included), never from hand-typed dates.
 *
 * 'none' switches calendar effects off (a region whose holidays are unknown, or data that is not per working day).
 */
export type CalendarRegion = 'AU' | 'US' | 'none';

export const CALENDAR_REGIONS: readonly CalendarRegion[] = ['AU', 'US', 'none'];

const holidayCache = new Map<string, Set<string>>();

function holidaysOf(region: CalendarRegion, year: number): Set<string> {
  const key = `${region}|${year}`;
  let set = holidayCache.get(key);
  if (!set) {
    set = new Set();
    if (region !== 'none') {
      for (const h of new Holidays(region).getHolidays(year) || []) {
        if (h.type === 'public') set.add(h.date.slice(0, 10));
      }
    }
    holidayCache.set(key, set);
  }
  return set;
}

/** Whether a calendar day (UTC date) is a public holiday of the region. */
export function isPublicHoliday(region: CalendarRegion, isoDate: string): boolean {
  return holidaysOf(region, Number(isoDate.slice(0, 4))).has(isoDate.slice(0, 10));
}

export function checkRegion(region: string): CalendarRegion {
  if (!(CALENDAR_REGIONS as readonly string[]).includes(region)) {
    throw new ForecastError('INVALID_OPTIONS', `calendar region must be one of ${CALENDAR_REGIONS.join(', ')}, got "${region}"`);
  }
  return region as CalendarRegion;
}

const tradingCache = new Map<string, number>();

/** Monday-to-Friday days of the month that are not public holidays. */
export function tradingDays(month: MonthIndex, region: CalendarRegion): number {
  const key = `${region}|${month}`;
  const hit = tradingCache.get(key);
  if (hit !== undefined) return hit;
  const year = Math.floor(month / 12);
  const m = monthOfYear(month);
  const days = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
  let count = 0;
  for (let d = 1; d <= days; d++) {
    const date = new Date(Date.UTC(year, m, d));
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (region !== 'none' && isPublicHoliday(region, date.toISOString().slice(0, 10))) continue;
    count++;
  }
  tradingCache.set(key, count);
  return count;
}

/**
 * Trading days of a month minus the mean for its month of year (over 1990–2039): the part of the calendar that
 * seasonality cannot absorb. Zero for every month when the region is 'none'.
 */
export function tradingDayDeviation(month: MonthIndex, region: CalendarRegion): number {
  if (region === 'none') return 0;
  const moy = monthOfYear(month);
  const key = `${region}|mean|${moy}`;
  let mean = tradingCache.get(key);
  if (mean === undefined) {
    let sum = 0;
    for (let y = 1990; y < 2040; y++) sum += tradingDays(y * 12 + moy, region);
    mean = sum / 50;
    tradingCache.set(key, mean);
  }
  return tradingDays(month, region) - mean;
}

export interface TradingDayEffect {
  readonly region: CalendarRegion;
  /** Log demand per extra trading day (0.03 = 3% more demand per extra weekday). */
  readonly beta: number;
  /** Pairs of months the coefficient was fitted on. */
  readonly pairs: number;
}

/**
 * Fits one coefficient across the panel: the year-on-year change of log demand regressed on the year-on-year change
 * of trading days (the seasonal difference removes level and seasonality, leaving trend noise and the calendar).
 * Only months before each history's end are used, so at a forecast origin the fit sees no future. Zero-demand
 * months are left out (log undefined); the coefficient is clipped to [0, 0.1] — demand never falls with more
 * working days, and more than 10% per day would be a break in the data, not a calendar effect.
 */
export function fitTradingDayEffect(
  histories: readonly { readonly start: MonthIndex; readonly values: readonly number[] }[],
  region: CalendarRegion,
): TradingDayEffect {
  if (region === 'none') return { region, beta: 0, pairs: 0 };
  let sxy = 0;
  let sxx = 0;
  let pairs = 0;
  for (const h of histories) {
    // Demeaning per series removes each series' trend growth from the regression.
    const xs: number[] = [];
    const ys: number[] = [];
    for (let t = 12; t < h.values.length; t++) {
      const a = h.values[t];
      const b = h.values[t - 12];
      if (!(a > 0 && b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
      xs.push(tradingDays(h.start + t, region) - tradingDays(h.start + t - 12, region));
      ys.push(Math.log(a) - Math.log(b));
    }
    if (xs.length < 12) continue;
    const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
    const my = ys.reduce((s, v) => s + v, 0) / ys.length;
    xs.forEach((x, i) => {
      sxy += (x - mx) * (ys[i] - my);
      sxx += (x - mx) ** 2;
    });
    pairs += xs.length;
  }
  const beta = sxx > 0 ? Math.min(0.1, Math.max(0, sxy / sxx)) : 0;
  return { region, beta, pairs };
}

/** Multiplier of a month's demand relative to a month with the mean trading days of its month of year. */
export function tradingDayFactor(month: MonthIndex, effect: TradingDayEffect): number {
  return effect.beta === 0 ? 1 : Math.exp(effect.beta * tradingDayDeviation(month, effect.region));
}

/** Demand as if every month had its month of year's mean trading days: what the models are fitted on. */
export function adjustForTradingDays<T extends { readonly start: MonthIndex; readonly values: readonly number[] }>(history: T, effect: TradingDayEffect): T {
  if (effect.beta === 0) return history;
  return { ...history, values: history.values.map((v, i) => v / tradingDayFactor(history.start + i, effect)) };
}
