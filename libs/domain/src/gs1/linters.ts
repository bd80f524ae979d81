import type { DomainErrorCode } from '../errors';
import { daysInMonth, isValidCalendarDate } from '../time';
import { gs1CheckDigit, hasValidCheckDigit } from './check-digit';
import { CSET82 } from './charset';
import { ISO3166_ALPHA2, ISO3166_NUMERIC, ISO4217_NUMERIC, PACKAGE_TYPE_CODES } from './syntax-dictionary.generated';

/**
 * The GS1 Barcode Syntax Tests ("linters") that the Syntax Dictionary names per component,
 * written from their published descriptions. Each returns undefined when the component is good,
 * or the failure: which error code, and a reason a person at a scanner can act on.
 */

export interface LintFailure {
  readonly code: DomainErrorCode;
  readonly reason: string;
}

export interface LintContext {
  /** Resolves a two-digit year as GS1 §7.12 does (the caller's reference date). */
  readonly resolveYear: (yy: number) => number;
}

type Linter = (value: string, context: LintContext) => LintFailure | undefined;

const invalid = (reason: string): LintFailure => ({ code: 'AI_INVALID', reason });
const badDate = (reason: string): LintFailure => ({ code: 'DATE_INVALID', reason });
const allDigits = (v: string): boolean => /^\d*$/.test(v);

const ISO3166 = new Set(ISO3166_NUMERIC);
const ISO3166A2 = new Set(ISO3166_ALPHA2);
const ISO4217 = new Set(ISO4217_NUMERIC);
const PACKAGE_TYPES = new Set(PACKAGE_TYPE_CODES);

/** Minimum length of a GS1 Company Prefix: its first 4 characters must be digits. */
const GCP_MIN_LENGTH = 4;

function gcp(value: string): LintFailure | undefined {
  if (value.length < GCP_MIN_LENGTH) return invalid(`too short to hold a GS1 Company Prefix (${GCP_MIN_LENGTH} digits at least)`);
  if (!/^\d{4}/.test(value)) return invalid(`does not start with a GS1 Company Prefix (the first ${GCP_MIN_LENGTH} characters must be digits)`);
  return undefined;
}

function yymmdd(value: string, context: LintContext, dayZero: boolean): LintFailure | undefined {
  if (!/^\d{6}$/.test(value)) return badDate(`date must be 6 digits YYMMDD, got ${JSON.stringify(value)}`);
  return yyyymmdd(String(context.resolveYear(Number(value.slice(0, 2)))) + value.slice(2), dayZero, value);
}

function yyyymmdd(value: string, dayZero: boolean, shown = value): LintFailure | undefined {
  if (!/^\d{8}$/.test(value)) return badDate(`date must be 8 digits YYYYMMDD, got ${JSON.stringify(value)}`);
  const year = Number(value.slice(0, 4)), month = Number(value.slice(4, 6)), day = Number(value.slice(6, 8));
  if (month < 1 || month > 12) return badDate(`month ${value.slice(4, 6)} is not 01-12 in ${shown}`);
  if (day === 0) return dayZero ? undefined : badDate(`day 00 is not allowed in ${shown}`);
  if (!isValidCalendarDate(year, month, day)) return badDate(`day ${value.slice(6, 8)} does not exist in ${year}-${value.slice(4, 6)} (${daysInMonth(year, month)} days) in ${shown}`);
  return undefined;
}

function twoDigits(value: string, max: number, what: string): LintFailure | undefined {
  if (!/^\d{2}$/.test(value) || Number(value) > max) return badDate(`${what} ${JSON.stringify(value)} is not 00-${max}`);
  return undefined;
}

function oneOf(value: string, allowed: string, what: string): LintFailure | undefined {
  return value.length === 1 && allowed.includes(value) ? undefined : invalid(`${what} must be one of ${[...allowed].join(', ')}, got ${JSON.stringify(value)}`);
}

/** GS1 alpha check character pair over CSET 82 data (GenSpecs §7.9.5): prime weights mod 1021. */
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PRIMES = (() => {
  const out: number[] = [];
  for (let n = 2; out.length < 97; n++) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();

export function alphaCheckPair(data: string): string | undefined {
  if (data.length > PRIMES.length) return undefined;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const weight = CSET82.indexOf(data[i] as string);
    if (weight === -1) return undefined;
    sum += weight * (PRIMES[data.length - 1 - i] as number);
  }
  sum %= 1021;
  return (CSET32[sum >> 5] as string) + (CSET32[sum & 31] as string);
}

function csumalpha(value: string): LintFailure | undefined {
  if (value.length < 2) return { code: 'CHECK_DIGIT', reason: 'too short to carry the two check characters' };
  const expected = alphaCheckPair(value.slice(0, -2));
  if (expected === undefined) return { code: 'CHECK_DIGIT', reason: `too long for a check character pair (${value.length} characters)` };
  if (value.slice(-2) !== expected) return { code: 'CHECK_DIGIT', reason: `check characters of ${value} are wrong (expected ${expected})` };
  return undefined;
}

/** ISO 13616 IBAN: country code, two check digits, mod 97 = 1 over the rearranged value. */
function iban(value: string): LintFailure | undefined {
  if (value.length < 5) return invalid('IBAN is too short');
  if (!ISO3166A2.has(value.slice(0, 2))) return invalid(`IBAN country code ${JSON.stringify(value.slice(0, 2))} is not ISO 3166 alpha-2`);
  if (value.length > 34) return invalid('IBAN is longer than 34 characters');
  let rest = 0;
  for (const c of value.slice(4) + value.slice(0, 4)) {
    const v = parseInt(c, 36);
    if (Number.isNaN(v) || (c >= 'a' && c <= 'z')) return invalid(`IBAN character ${JSON.stringify(c)} is not 0-9 or A-Z`);
    rest = (rest * (v < 10 ? 10 : 100) + v) % 97;
  }
  return rest === 1 ? undefined : invalid('IBAN check digits are wrong');
}

function pieceOfTotal(value: string): LintFailure | undefined {
  if (!allDigits(value) || value.length === 0 || value.length % 2 !== 0) return invalid(`piece-of-total must be an even number of digits, got ${JSON.stringify(value)}`);
  const piece = value.slice(0, value.length / 2), total = value.slice(value.length / 2);
  if (/^0+$/.test(piece)) return invalid('piece number is zero');
  if (/^0+$/.test(total)) return invalid('total number of pieces is zero');
  if (piece > total) return invalid(`piece ${Number(piece)} exceeds the total ${Number(total)}`);
  return undefined;
}

function positionInSequence(value: string): LintFailure | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m) return invalid(`position in sequence must read "position/total", got ${JSON.stringify(value)}`);
  const [, pos, end] = m as unknown as [string, string, string];
  if (pos.startsWith('0') || end.startsWith('0')) return invalid('position and total may not start with 0');
  if (pos.length > end.length || (pos.length === end.length && pos > end)) return invalid(`position ${pos} exceeds the total ${end}`);
  return undefined;
}

/** Percent-encoding in a CSET 82 value (names, addresses): every "%" starts two hex digits. */
function pcenc(value: string): LintFailure | undefined {
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '%') continue;
    if (!/^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) return invalid(`"%" at position ${i + 1} does not start a %XX percent-encoding`);
    i += 2;
  }
  return undefined;
}

function cset64Padding(value: string): LintFailure | undefined {
  const pads = /=*$/.exec(value)?.[0].length ?? 0;
  if (pads > 2 || (pads > 0 && value.length % 3 !== 0)) return invalid('base64url padding "=" is malformed');
  if (value.slice(0, value.length - pads).includes('=')) return invalid('"=" may only pad the end of a base64url value');
  return undefined;
}

/** A coupon field of `digits` digits preceded by its variable-length indicator. */
class CouponReader {
  pos = 0;
  constructor(readonly data: string) {}
  get done(): boolean {
    return this.pos >= this.data.length;
  }
  peek(): string | undefined {
    return this.data[this.pos];
  }
  take(n: number, what: string): string {
    if (this.pos + n > this.data.length) throw invalid(`coupon code is truncated in the ${what}`);
    const s = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  digit(what: string, allowed: string): number {
    const d = this.take(1, what);
    if (!allowed.includes(d)) throw invalid(`coupon ${what} ${d} is not one of ${allowed}`);
    return Number(d);
  }
}

function couponCode(value: string, context: LintContext): LintFailure | undefined {
  if (!allDigits(value)) return invalid('coupon code must be all digits');
  const r = new CouponReader(value);
  try {
    const gcpLength = r.digit('GCP length indicator', '0123456') + 6;
    const fail = gcp(r.take(gcpLength, 'GS1 Company Prefix'));
    if (fail) return fail;
    r.take(6, 'offer code');
    r.take(r.digit('save value length', '12345'), 'save value');
    r.take(r.digit('1st purchase requirement length', '12345'), '1st purchase requirement');
    r.digit('1st purchase requirement code', '012349');
    r.take(3, '1st purchase family code');
    const purchase = (which: string): LintFailure | undefined => {
      r.take(r.digit(`${which} purchase requirement length`, '12345'), `${which} purchase requirement`);
      r.digit(`${which} purchase requirement code`, '012349');
      r.take(3, `${which} purchase family code`);
      const vli = r.digit(`${which} purchase GCP length indicator`, '0123456789'.replace(/[78]/g, ''));
      return vli === 9 ? undefined : gcp(r.take(vli + 6, `${which} purchase GS1 Company Prefix`));
    };
    if (r.peek() === '1') {
      r.take(1, 'field indicator');
      r.digit('additional purchase rules code', '0123');
      const f = purchase('2nd');
      if (f) return f;
    }
    if (r.peek() === '2') {
      r.take(1, 'field indicator');
      const f = purchase('3rd');
      if (f) return f;
    }
    let expiry: string | undefined;
    if (r.peek() === '3') {
      r.take(1, 'field indicator');
      expiry = r.take(6, 'expiration date');
      const f = yymmdd(expiry, context, false);
      if (f) return invalid(`coupon expiration date: ${f.reason}`);
    }
    if (r.peek() === '4') {
      r.take(1, 'field indicator');
      const start = r.take(6, 'start date');
      const f = yymmdd(start, context, false);
      if (f) return invalid(`coupon start date: ${f.reason}`);
      if (expiry !== undefined && start > expiry) return invalid('coupon expiration date precedes its start date');
    }
    if (r.peek() === '5') {
      r.take(1, 'field indicator');
      r.take(Number(r.take(1, 'serial number length')) + 6, 'serial number');
    }
    if (r.peek() === '6') {
      r.take(1, 'field indicator');
      const f = gcp(r.take(r.digit('retailer GCP/GLN length indicator', '1234567') + 6, 'retailer GCP/GLN'));
      if (f) return f;
    }
    if (r.peek() === '9') {
      r.take(1, 'field indicator');
      r.digit('save value code', '01256');
      r.digit('save value applies to item', '012');
      r.take(1, 'store coupon flag');
      r.digit("don't multiply flag", '01');
    }
    if (!r.done) return invalid(`coupon code has unexpected data at position ${r.pos + 1}`);
    return undefined;
  } catch (e) {
    if ((e as LintFailure).code) return e as LintFailure;
    throw e;
  }
}

function couponPositiveOffer(value: string): LintFailure | undefined {
  if (!allDigits(value)) return invalid('coupon offer file code must be all digits');
  const r = new CouponReader(value);
  try {
    r.digit('format code', '01');
    r.take(r.digit('funder ID length indicator', '0123456') + 6, 'funder ID');
    r.take(6, 'offer code');
    r.take(Number(r.take(1, 'serial number length')) + 6, 'serial number');
    if (!r.done) return invalid(`coupon offer file code has unexpected data at position ${r.pos + 1}`);
    return undefined;
  } catch (e) {
    if ((e as LintFailure).code) return e as LintFailure;
    throw e;
  }
}

export const LINTERS: Readonly<Record<string, Linter>> = {
  csum: (v) => (hasValidCheckDigit(v) ? undefined : { code: 'CHECK_DIGIT', reason: `check digit of ${v} is wrong (expected ${gs1CheckDigit(v.slice(0, -1))})` }),
  csumalpha,
  gcppos1: (v) => gcp(v),
  gcppos2: (v) => (v.length < 2 ? invalid('too short to hold a GS1 Company Prefix') : gcp(v.slice(1))),
  key: (v) => gcp(v),
  keyoff1: (v) => gcp(v.slice(1)),
  yymmd0: (v, c) => yymmdd(v, c, true),
  yymmdd: (v, c) => yymmdd(v, c, false),
  yyyymmd0: (v) => yyyymmdd(v, true),
  yyyymmdd: (v) => yyyymmdd(v, false),
  hh: (v) => twoDigits(v, 23, 'hour'),
  mi: (v) => twoDigits(v, 59, 'minute'),
  ss: (v) => twoDigits(v, 59, 'second'),
  hhmi: (v) => (v.length !== 4 ? badDate(`time must be HHMM, got ${JSON.stringify(v)}`) : (twoDigits(v.slice(0, 2), 23, 'hour') ?? twoDigits(v.slice(2), 59, 'minute'))),
  hhmm: (v) => (v.length !== 4 ? badDate(`time must be HHMM, got ${JSON.stringify(v)}`) : (twoDigits(v.slice(0, 2), 23, 'hour') ?? twoDigits(v.slice(2), 59, 'minute'))),
  mmoptss: (v) => (v.length !== 2 && v.length !== 4 ? badDate(`must be MM or MMSS, got ${JSON.stringify(v)}`) : (twoDigits(v.slice(0, 2), 59, 'minute') ?? (v.length === 4 ? twoDigits(v.slice(2), 59, 'second') : undefined))),
  iso3166: (v) => (ISO3166.has(v) ? undefined : invalid(`${JSON.stringify(v)} is not an ISO 3166 numeric country code`)),
  iso3166999: (v) => (v === '999' || ISO3166.has(v) ? undefined : invalid(`${JSON.stringify(v)} is neither an ISO 3166 numeric country code nor 999`)),
  iso3166alpha2: (v) => (ISO3166A2.has(v) ? undefined : invalid(`${JSON.stringify(v)} is not an ISO 3166 alpha-2 country code`)),
  iso3166list: (v) => (v.length % 3 === 0 && v.length > 0 && (v.match(/.{3}/g) ?? []).every((c) => ISO3166.has(c)) ? undefined : invalid(`${JSON.stringify(v)} is not a list of ISO 3166 numeric country codes`)),
  iso4217: (v) => (ISO4217.has(v) ? undefined : invalid(`${JSON.stringify(v)} is not an ISO 4217 numeric currency code`)),
  iso5218: (v) => oneOf(v, '0129', 'ISO 5218 sex code'),
  zero: (v) => (/^0+$/.test(v) ? undefined : invalid(`must be 0, got ${JSON.stringify(v)}`)),
  nonzero: (v) => (allDigits(v) && /[1-9]/.test(v) ? undefined : invalid(`must not be zero, got ${JSON.stringify(v)}`)),
  nozeroprefix: (v) => (v.startsWith('0') ? invalid(`may not start with 0, got ${JSON.stringify(v)}`) : allDigits(v) ? undefined : invalid('must be digits')),
  winding: (v) => oneOf(v, '019', 'winding direction'),
  yesno: (v) => oneOf(v, '01', 'yes/no flag'),
  hyphen: (v) => (v.length > 0 && /^-+$/.test(v) ? undefined : invalid(`must be "-", got ${JSON.stringify(v)}`)),
  hasnondigit: (v) => (allDigits(v) ? invalid('must contain at least one character that is not a digit') : undefined),
  importeridx: (v) => (/^[-0-9A-Za-z_]$/.test(v) ? undefined : invalid(`importer index ${JSON.stringify(v)} is not one of -, 0-9, A-Z, _, a-z`)),
  mediatype: (v) => (/^\d{2}$/.test(v) && ((Number(v) >= 1 && Number(v) <= 10) || Number(v) >= 80) ? undefined : invalid(`${JSON.stringify(v)} is not an assigned AIDC media type (01-10, 80-99)`)),
  packagetype: (v) => (PACKAGE_TYPES.has(v) ? undefined : invalid(`${JSON.stringify(v)} is not a GS1 PackageTypeCode`)),
  latitude: (v) => (/^\d{10}$/.test(v) && Number(v) <= 1800000000 ? undefined : invalid(`latitude ${JSON.stringify(v)} is not 0000000000-1800000000`)),
  longitude: (v) => (/^\d{10}$/.test(v) && Number(v) <= 3600000000 ? undefined : invalid(`longitude ${JSON.stringify(v)} is not 0000000000-3600000000`)),
  pieceoftotal: pieceOfTotal,
  posinseqslash: positionInSequence,
  pcenc,
  iban,
  couponcode: couponCode,
  couponposoffer: (v) => couponPositiveOffer(v),
  cset64: cset64Padding,
};

export function lint(name: string, value: string, context: LintContext): LintFailure | undefined {
  const linter = LINTERS[name];
  if (!linter) return invalid(`no implementation of the GS1 syntax test "${name}"`);
  return linter(value, context);
}
