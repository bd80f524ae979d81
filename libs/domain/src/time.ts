import { DomainError } from './errors';

/**
 * The domain never reads a clock: every "now" arrives as an ISO 8601 timestamp with an explicit
 * offset. Parsing is done by hand (not `Date.parse`) so that sub-millisecond digits, offsets and
 * rejection rules are identical on every Node version the chaincode may run on.
 */

/** ISO 8601 date-time with mandatory offset, e.g. `2026-03-01T10:00:00.000-05:00`. */
export type IsoTimestamp = string;
/** Calendar date `YYYY-MM-DD`. */
export type IsoDate = string;

export interface ParsedTimestamp {
  /** Milliseconds since the epoch (UTC), rounded half-up from any sub-millisecond digits. */
  readonly epochMs: number;
  /** Offset exactly as `±HH:MM` (`Z` becomes `+00:00`). */
  readonly offset: string;
  /** Calendar date in the timestamp's own offset: what a person at that site would call "today". */
  readonly localDate: IsoDate;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** EPCIS 2.0 JSON schema pattern for eventTimeZoneOffset. */
export const TIME_ZONE_OFFSET_PATTERN = /^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

export function isValidCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  return m !== null && isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function assertIsoDate(value: unknown, what = 'date'): IsoDate {
  if (!isIsoDate(value)) {
    throw new DomainError('TIME_INVALID', `${what} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`, {
      reason: 'not a YYYY-MM-DD calendar date',
    });
  }
  return value;
}

/**
 * The last timestamps parsed: a batch command checks the same `at` and the same `updatedAt` of
 * thousands of records, and the parse was a tenth of a 10,000-pack shipment's chaincode time.
 */
const recentlyParsed = new Map<string, ParsedTimestamp>();

export function parseTimestamp(value: unknown, what = 'timestamp'): ParsedTimestamp {
  if (typeof value === 'string') {
    const seen = recentlyParsed.get(value);
    if (seen) return seen;
  }
  const parsed = parseTimestampText(value, what);
  if (recentlyParsed.size >= 256) recentlyParsed.clear();
  recentlyParsed.set(value as string, parsed);
  return parsed;
}

function parseTimestampText(value: unknown, what: string): ParsedTimestamp {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (m === null) {
    throw new DomainError('TIME_INVALID', `${what} must be ISO 8601 with an offset (e.g. 2026-03-01T10:00:00-05:00), got ${JSON.stringify(value)}`, {
      reason: 'not an ISO 8601 date-time with offset',
    });
  }
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (!isValidCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    throw new DomainError('TIME_INVALID', `${what} ${JSON.stringify(value)} is not a valid date-time`, { reason: 'calendar or clock field out of range' });
  }
  const offset = zone === 'Z' ? '+00:00' : zone;
  const offH = Number(offset.slice(1, 3)), offM = Number(offset.slice(4, 6));
  if (offH > 14 || offM > 59 || (offH === 14 && offM !== 0)) {
    throw new DomainError('TIME_INVALID', `${what} ${JSON.stringify(value)} has an impossible offset`, { reason: 'offset beyond ±14:00' });
  }
  // Round to milliseconds half-up, as the CBV event-hash rules do, so equal instants compare equal.
  const ms = Math.floor(Number((frac + '000').slice(0, 3)) + (Number((frac + '0000').slice(3, 4)) >= 5 ? 1 : 0));
  const sign = offset.startsWith('-') ? -1 : 1;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, 0) + ms - sign * (offH * 60 + offM) * 60_000;
  return Object.freeze({ epochMs, offset, localDate: formatIsoDate(year, month, day) });
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` — the canonical UTC rendering used for hashing and ordering. */
export function toUtcIsoString(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const MS_PER_DAY = 86_400_000;
