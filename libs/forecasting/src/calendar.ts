import { ForecastError } from './forecast-error';

/** Months since year 0 (year * 12 + month - 1): consecutive months differ by one, so gaps are plain arithmetic. */
export type MonthIndex = number;

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function monthIndex(year: number, month: number): MonthIndex {
  return year * 12 + (month - 1);
}

/** Month of year, 0 = January. */
export function monthOfYear(index: MonthIndex): number {
  return ((index % 12) + 12) % 12;
}

export function formatMonth(index: MonthIndex): string {
  const year = Math.floor(index / 12);
  return `${year}-${String(monthOfYear(index) + 1).padStart(2, '0')}`;
}

function monthFromName(name: string): number | undefined {
  const at = MONTH_NAMES.indexOf(name.slice(0, 3).toLowerCase());
  return at < 0 ? undefined : at + 1;
}

/**
 * Reads the month spellings found in published demand data: tsibble's "1991 Jul", "Jul 1991", ISO "1991-07" and
 * "1991-07-01" (a time part is ignored), "1991/07", "1991M07", and R ts decimal years such as 1991.5833 (July = .5).
 */
export function parseMonth(text: string): MonthIndex {
  const s = text.trim();
  let m = /^(\d{4})\s*[- /]\s*([A-Za-z]{3,9})\.?$/.exec(s) ?? /^(\d{4})\s+([A-Za-z]{3,9})\.?$/.exec(s);
  if (m) {
    const month = monthFromName(m[2]);
    if (month !== undefined) return monthIndex(Number(m[1]), month);
  }
  m = /^([A-Za-z]{3,9})\.?[\s-]+(\d{4})$/.exec(s);
  if (m) {
    const month = monthFromName(m[1]);
    if (month !== undefined) return monthIndex(Number(m[2]), month);
  }
  m = /^(\d{4})(?:[-/]|\s*M)(\d{1,2})(?:[-/]\d{1,2})?(?:[T ].*)?$/.exec(s);
  if (m) {
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) return monthIndex(Number(m[1]), month);
  }
  m = /^(\d{4})(\.\d+)?$/.exec(s);
  if (m) {
    const value = Number(s);
    const year = Math.floor(value);
    // Decimal years are k/12 written with rounding error; rounding recovers k.
    const month = Math.round((value - year) * 12);
    if (month >= 0 && month < 12) return monthIndex(year, month + 1);
  }
  throw new ForecastError('INVALID_MONTH', `cannot read a month from "${text}"`);
}
