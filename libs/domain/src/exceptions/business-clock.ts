import Holidays from 'date-holidays';
import { DomainError } from '../errors';
import { formatIsoDate, MS_PER_DAY, parseTimestamp, toUtcIsoString, type IsoDate, type IsoTimestamp } from '../time';

/**
 * Business days as DSCSA deadlines count them: Monday to Friday, US federal holidays (with their
 * observed days) excluded, in the time zone of the site whose deadline it is — an exception raised at
 * 23:30 in New York on a Friday is a Friday exception, though it is Saturday in UTC. The holidays come
 * from the maintained `date-holidays` rules (type "public" for the US is exactly the federal list),
 * never from hand-typed dates. Pure: no clock is read; every "now" is an argument.
 */

/** Where business days are counted: the site's IANA time zone (DSCSA deadlines are US, federal holidays). */
export interface BusinessCalendar {
  readonly timeZone: string;
}

export const DEFAULT_TIME_ZONE = 'America/New_York';

const holidayYears = new Map<number, ReadonlySet<IsoDate>>();

/** US federal holidays of a year (observed days included), as calendar dates. */
export function usFederalHolidays(year: number): ReadonlySet<IsoDate> {
  let set = holidayYears.get(year);
  if (!set) {
    set = new Set((new Holidays('US').getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    holidayYears.set(year, set);
  }
  return set;
}

/** A calendar in a time zone; a zone Intl does not know is CLOCK_INVALID. */
export function businessCalendar(timeZone: string = DEFAULT_TIME_ZONE): BusinessCalendar {
  formatterOf(timeZone);
  return { timeZone };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      throw new DomainError('CLOCK_INVALID', `unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as America/Chicago)`, { reason: 'time zone', timeZone });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(epochMs: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour) % 24, mi: Number(parts.minute), s: Number(parts.second) };
}

/** The calendar date an instant falls on in the calendar's zone. */
export function localDateOf(at: IsoTimestamp | number, calendar: BusinessCalendar): IsoDate {
  const ms = typeof at === 'number' ? at : parseTimestamp(at, 'at').epochMs;
  const w = wallClock(ms, calendar.timeZone);
  return formatIsoDate(w.y, w.m, w.d);
}

export function isBusinessDay(date: IsoDate, _calendar?: BusinessCalendar): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !usFederalHolidays(y).has(date);
}

function nextDate(date: IsoDate): IsoDate {
  return toUtcIsoString(Date.parse(`${date}T00:00:00Z`) + MS_PER_DAY).slice(0, 10);
}

/** The instant a local calendar day begins in the zone (DST-safe: the offset is read at that instant). */
function startOfLocalDay(date: IsoDate, timeZone: string): number {
  const guess = Date.parse(`${date}T00:00:00Z`);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(t, timeZone);
    const shown = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
    const next = t - (shown - guess);
    if (next === t) break;
    t = next;
  }
  return t;
}

/**
 * Whole business days from `from` to `to`: the business days after the day of `from` up to and
 * including the day of `to` (the day something happens does not count, as deadlines are counted).
 */
export function businessDaysBetween(from: IsoTimestamp, to: IsoTimestamp, calendar: BusinessCalendar): number {
  const start = localDateOf(from, calendar);
  const end = localDateOf(to, calendar);
  let n = 0;
  for (let d = nextDate(start); d <= end; d = nextDate(d)) if (isBusinessDay(d, calendar)) n++;
  return n;
}

/** Most business days a clock runs: bounds the walk and any configured grace. */
export const MAX_GRACE_BUSINESS_DAYS = 30;

/**
 * When `n` business days after `from` are over: the end (next local midnight) of the n-th business
 * day after the day of `from`; 0 days is `from` itself (due at once).
 */
export function businessDeadline(from: IsoTimestamp, n: number, calendar: BusinessCalendar): IsoTimestamp {
  assertGrace(n);
  const start = parseTimestamp(from, 'from');
  if (n === 0) return toUtcIsoString(start.epochMs);
  let d = localDateOf(start.epochMs, calendar);
  for (let left = n; left > 0;) {
    d = nextDate(d);
    if (isBusinessDay(d, calendar)) left--;
  }
  return toUtcIsoString(startOfLocalDay(nextDate(d), calendar.timeZone));
}

export function assertGrace(n: unknown): number {
  if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > MAX_GRACE_BUSINESS_DAYS) {
    throw new DomainError('CLOCK_INVALID', `a grace period is 0-${MAX_GRACE_BUSINESS_DAYS} whole business days, got ${JSON.stringify(n)}`, { reason: 'grace' });
  }
  return n as number;
}
