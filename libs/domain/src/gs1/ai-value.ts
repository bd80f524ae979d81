import { aiError, DomainError } from '../errors';
import { formatIsoDate, isValidCalendarDate, daysInMonth, type IsoDate } from '../time';
import { aiDefinition, type AiComponent, type AiDefinition } from './application-identifiers';
import { CHARACTER_SET_NAME, describeCharacter, firstInvalidCharacter } from './charset';
import { lint } from './linters';

/**
 * Validation of one AI value against its table row, and GS1 date semantics. Kept separate from the
 * scan parser because Digital Link, bracketed input and event builders validate values too.
 */

export interface CenturyOptions {
  /**
   * Reference date for resolving two-digit years (GS1 GenSpecs §7.12). Omit for the fixed window
   * 2000-2099; see `resolveTwoDigitYear`.
   */
  readonly referenceDate?: Date | string;
}

/**
 * GS1 §7.12 century rule: with reference year R (last two digits r), a two-digit year YY falls in
 * the previous century if YY - r is 51..99, in the next century if YY - r is -99..-50, otherwise
 * in R's century. That window is [R-49, R+50].
 *
 * The domain is clock-free (the chaincode must be deterministic), so without a reference date we
 * use reference year 2049, i.e. the window 2000..2099. Why that and not a pinned "current" year:
 * - every expiry, production or pack date on a pack still in commerce falls in 2000..2099;
 * - it never drifts: a pinned 2026 would silently disagree with GS1 from the 2030s on;
 * - against GS1 evaluated today (2026) it only differs for YY 77..99 (GS1 says 1977..1999),
 *   dates no serialized drug package can carry (DSCSA serialization started in 2017).
 * Callers that own a clock (the API, the scan CLI) pass today's date and get GS1's exact rule.
 */
export function resolveTwoDigitYear(yy: number, options: CenturyOptions = {}): number {
  const referenceYear = referenceYearOf(options.referenceDate) ?? 2049;
  const century = Math.floor(referenceYear / 100) * 100;
  const diff = yy - (referenceYear % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

function referenceYearOf(reference: Date | string | undefined): number | undefined {
  if (reference === undefined) return undefined;
  if (reference instanceof Date) {
    const year = reference.getUTCFullYear();
    if (Number.isNaN(year)) throw new DomainError('TIME_INVALID', 'referenceDate is an invalid Date', { reason: 'invalid Date' });
    return year;
  }
  const m = /^(\d{4})(?:-\d{2}-\d{2}(?:T.*)?)?$/.exec(reference);
  if (!m) throw new DomainError('TIME_INVALID', `referenceDate must start with a 4-digit year (YYYY-MM-DD), got ${JSON.stringify(reference)}`, { reason: 'not a date' });
  return Number(m[1]);
}

export interface Gs1Date {
  readonly year: number;
  readonly month: number;
  /** 0 when the AI value carried day 00. */
  readonly day: number;
}

/** Decodes YYMMDD (day 00 allowed when `allowDayZero`), throwing DATE_INVALID naming the AI. */
export function decodeGs1Date(ai: string, yymmdd: string, allowDayZero: boolean, options: CenturyOptions = {}): Gs1Date {
  if (!/^\d{6}$/.test(yymmdd)) throw aiError('AI_INVALID', ai, `date must be 6 digits YYMMDD, got ${JSON.stringify(yymmdd)}`);
  const yy = Number(yymmdd.slice(0, 2)), month = Number(yymmdd.slice(2, 4)), day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) throw aiError('DATE_INVALID', ai, `month ${yymmdd.slice(2, 4)} is not 01-12 in ${yymmdd}`);
  const year = resolveTwoDigitYear(yy, options);
  if (day === 0) {
    if (!allowDayZero) throw aiError('DATE_INVALID', ai, `day 00 is not allowed in ${yymmdd}`);
    return { year, month, day: 0 };
  }
  if (!isValidCalendarDate(year, month, day)) {
    throw aiError('DATE_INVALID', ai, `day ${yymmdd.slice(4, 6)} does not exist in ${formatIsoDate(year, month, 1).slice(0, 7)} (${yymmdd})`);
  }
  return { year, month, day };
}

/** Expiry semantics of day 00: the product is good through the last day of that month. */
export function expiryToIsoDate(date: Gs1Date): IsoDate {
  return formatIsoDate(date.year, date.month, date.day === 0 ? daysInMonth(date.year, date.month) : date.day);
}

/** `YYYY-MM-DD` -> `YYMMDD`, the inverse used by encoders (the year must lie in 2000..2099 window rules). */
export function isoDateToYymmdd(date: IsoDate): string {
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
}

/**
 * Checks a value against its AI row: total length, then component by component (character set,
 * length, check digit, date/time content). Throws DomainError naming the AI and the reason.
 */
export function validateAiValue(ai: string, value: string, options: CenturyOptions = {}): AiDefinition {
  const def = aiDefinition(ai);
  if (!def) throw aiError('AI_UNKNOWN', ai, 'not a supported GS1 Application Identifier');
  if (value.length === 0) throw aiError('AI_INVALID', ai, 'value is empty');
  if (def.fixedLength !== undefined && value.length !== def.fixedLength) {
    throw aiError('AI_INVALID', ai, `value must be exactly ${def.fixedLength} characters, got ${value.length}`);
  }
  if (value.length > def.maxLength) throw aiError('AI_INVALID', ai, `value is ${value.length} characters, the maximum is ${def.maxLength}`);

  let pos = 0;
  for (const component of def.components) {
    const remaining = value.length - pos;
    if (remaining === 0 && component.optional) break;
    const take = component.min === component.max ? component.max : Math.min(component.max, remaining);
    if (remaining < component.min) {
      throw aiError('AI_INVALID', ai, `value ${JSON.stringify(value)} is too short: expected at least ${pos + component.min} characters`);
    }
    checkComponent(ai, value, value.slice(pos, pos + take), pos, component, options);
    pos += take;
  }
  if (pos !== value.length) throw aiError('AI_INVALID', ai, `value is ${value.length} characters, the maximum is ${pos}`);
  return def;
}

function checkComponent(ai: string, whole: string, part: string, offset: number, component: AiComponent, options: CenturyOptions): void {
  const bad = firstInvalidCharacter(part, component.cset);
  if (bad !== -1) {
    const c = part[bad] as string;
    throw aiError('AI_INVALID', ai, `character ${describeCharacter(c)} at position ${offset + bad + 1} is not allowed (${CHARACTER_SET_NAME[component.cset]})`, {
      position: offset + bad + 1,
      rule: `cset${component.cset === 'N' ? 'numeric' : component.cset === 'X' ? '82' : component.cset === 'Y' ? '39' : '64'}`,
    });
  }
  const context = { resolveYear: (yy: number) => resolveTwoDigitYear(yy, options) };
  const linters = component.cset === 'Z' ? ['cset64', ...(component.linters ?? [])] : (component.linters ?? []);
  for (const rule of linters) {
    const failure = lint(rule, part, context);
    if (failure) {
      const where = part === whole ? '' : ` (characters ${offset + 1}-${offset + part.length})`;
      throw aiError(failure.code, ai, `${failure.reason}${where}`, { rule });
    }
  }
}
