import { aiError, DomainError, isDomainError } from '../errors';
import type { IsoDate } from '../time';
import { aiAt, aiDefinition } from '../gs1/application-identifiers';
import { checkAiAssociations } from '../gs1/associations';
import { decodeGs1Date, expiryToIsoDate, validateAiValue, type CenturyOptions } from '../gs1/ai-value';
import { describeCharacter } from '../gs1/charset';
import { buildDigitalLink, isDigitalLinkUri, parseDigitalLink, type DigitalLinkOptions } from '../gs1/digital-link';
import { decompressDigitalLink, isCompressedDigitalLink } from '../gs1/digital-link-compression';
import { parseEpcUrn } from '../gs1/epc-urn';
import type { Gtin14 } from '../gs1/gtin';

/**
 * One entry point for everything a pharmacy or warehouse scanner can hand us:
 *  - raw GS1 element strings (Data Matrix, GS1-128, GS1 QR, DataBar), with or without the
 *    symbology identifier, with GS (0x1D) separators or a keyboard-wedge substitute for them;
 *  - the bracketed human-readable form `(01)...(21)...`;
 *  - GS1 Digital Link URIs on any host;
 *  - EPC URNs (urn:epc:id:sgtin:...), as pasted from EPCIS files.
 * Every failure is a DomainError that names the AI and the reason, because the person reading it is
 * usually standing at a packing bench with a scanner in hand.
 */

export const GS = '\u001d';

/**
 * Stand-ins for GS that scanners in keyboard-wedge mode or people typing into a shell produce. None
 * of them can occur in GS1 data: CSET 82 has no backslash, braces, brackets, caret or U+241D.
 * `<GS>` is the exception (`<`, `>` are in CSET 82); a serial literally containing "<GS>" is not a
 * risk worth losing the most common notation in bug reports for.
 */
export const DEFAULT_GS_SUBSTITUTES: readonly string[] = ['<GS>', '<gs>', '{GS}', '{gs}', '[GS]', '[gs]', '\\x1d', '\\x1D', '\\u001d', '\\u001D', '\\035', '^]', '\u241d'];

/** AIM symbology identifiers whose data is GS1 AI syntax (FNC1 in first position). */
const GS1_SYMBOLOGIES: Readonly<Record<string, string>> = { ']d2': 'GS1 DataMatrix', ']Q3': 'GS1 QR Code', ']C1': 'GS1-128', ']e0': 'GS1 DataBar / composite', ']J1': 'GS1 DotCode' };
/** AIM symbology identifiers of plain data: in GS1 use they carry a GS1 Digital Link URI. */
const PLAIN_SYMBOLOGIES: Readonly<Record<string, string>> = { ']Q1': 'QR Code', ']d1': 'Data Matrix', ']J0': 'DotCode', ']z0': 'Aztec' };
/** EAN/UPC: the symbol is a GTIN-13 (]E0) or GTIN-8 (]E4), which reads as AI (01). */
const EAN_SYMBOLOGIES: Readonly<Record<string, number>> = { ']E0': 13, ']E4': 8 };

export interface ParseScanOptions extends CenturyOptions {
  /** Extra characters/strings the scanner sends instead of GS, e.g. '|' or '~'. */
  readonly gsSubstitute?: string | readonly string[];
}

export type ScanForm = 'element-string' | 'bracketed' | 'digital-link' | 'epc-urn';

export interface InferredSeparator {
  /** The variable-length AI whose value was cut short. */
  readonly afterAi: string;
  /** The AI found inside it. */
  readonly beforeAi: string;
}

export interface ParsedScan {
  readonly gtin?: Gtin14;
  readonly serial?: string;
  readonly lot?: string;
  /** AI 17 as a calendar date; day 00 becomes the last day of the month. */
  readonly expiry?: IsoDate;
  /** Every AI and its raw value, in scan order. */
  readonly ais: Readonly<Record<string, string>>;
  readonly form: ScanForm;
  readonly symbologyIdentifier?: string;
  /** Present only when missing GS separators were inferred (see `parseScan`). */
  readonly inferredSeparators?: readonly InferredSeparator[];
}

interface Element {
  readonly ai: string;
  readonly value: string;
}

interface Boundary extends InferredSeparator {
  /** True when the AI found inside the value is fixed-length and validated (a structural anchor). */
  readonly anchored: boolean;
}

interface Reading {
  readonly elements: readonly Element[];
  readonly boundaries: readonly Boundary[];
}

/** AIs we look for inside a variable-length value when a GS may have been dropped: the DSCSA/FMD product identifier. */
const SPLIT_CANDIDATES = new Set(['01', '10', '17', '21']);
/** Bound on alternative readings; adversarial input such as "10101010..." must not explode. */
const MAX_READINGS = 256;
const MAX_INPUT = 4096;

/**
 * Parses a scan into GTIN, serial, lot, expiry and all AIs.
 *
 * Missing GS separators (keyboard wedges drop them) are handled as follows. A variable-length field
 * (10, 21, 240 ...) formally runs to the next GS or the end of the data, so a dropped GS makes it
 * swallow the next AI. When the data contains no GS at all, or the literal reading is invalid, we
 * also consider readings that cut a variable-length value where a product-identifier AI
 * (01, 10, 17, 21) starts, keeping only readings in which every value validates and no AI repeats.
 * Then:
 *  1. one valid reading -> use it (this is how e.g. a 24-character "lot" becomes lot + serial);
 *  2. several -> if one reading contains every AI of all the others and every boundary it infers
 *     starts a fixed-length AI whose value validated (17 + a real date, 01 + a check digit), use it:
 *     "21 SN123 17 271130 10 LOT" without GS is unambiguous because "17271130" is a valid date;
 *  3. otherwise reject with GS_AMBIGUOUS. In particular a boundary between two variable-length fields
 *     (lot then serial with no GS) is never guessed while the long reading is also valid: "A1/B-221X"
 *     is a perfectly legal lot.
 * If the data does contain a GS and the literal reading is valid, the scanner evidently transmits
 * separators and the literal reading is returned as GS1 defines it.
 *
 * Limits: only 01/10/17/21 are searched for, so a dropped GS before e.g. 240 or 714 goes unnoticed;
 * a GS-less scan lacking AI 17 whose serial ends in "17" + a valid YYMMDD is read as serial + expiry;
 * and a GS-less scan lacking lot or serial is rejected if its last value contains "10"/"21" followed
 * by a valid value. A complete product identifier (01, 17, 10, 21) can never be ambiguous, because
 * any alternative would repeat an AI.
 */
export function parseScan(input: string, options: ParseScanOptions = {}): ParsedScan {
  if (typeof input !== 'string') throw new DomainError('SCAN_MALFORMED', 'scan must be a string', { reason: 'not a string' });
  const text = input.replace(/^[\s\r\n]+|[\s\r\n]+$/g, '');
  if (text.length === 0) throw new DomainError('SCAN_MALFORMED', 'scan is empty', { reason: 'empty input' });
  if (text.length > MAX_INPUT) throw new DomainError('SCAN_MALFORMED', `scan is ${text.length} characters; the maximum accepted is ${MAX_INPUT}`, { reason: 'too long' });

  const aim = /^\][A-Za-z][0-9A-Za-z]/.exec(text)?.[0];
  if (aim !== undefined) {
    const rest = text.slice(3);
    if (PLAIN_SYMBOLOGIES[aim]) {
      if (isDigitalLinkUri(rest)) return fromDigitalLink(rest, options, aim);
      throw new DomainError('SYMBOLOGY_UNSUPPORTED', `symbology identifier ${aim} (${PLAIN_SYMBOLOGIES[aim]}, plain data) carries neither GS1 AI data nor a GS1 Digital Link URI`, { reason: 'plain data without a Digital Link', symbologyIdentifier: aim });
    }
    const eanLength = EAN_SYMBOLOGIES[aim];
    if (eanLength !== undefined) {
      if (!new RegExp(`^\\d{${eanLength}}$`).test(rest)) throw new DomainError('SCAN_MALFORMED', `symbology identifier ${aim} announces a GTIN-${eanLength}, got ${JSON.stringify(rest.slice(0, 20))}`, { reason: 'not a GTIN', symbologyIdentifier: aim });
      return fromElements([{ ai: '01', value: rest.padStart(14, '0') }], 'element-string', options, { symbologyIdentifier: aim }, true);
    }
    if (GS1_SYMBOLOGIES[aim] && isDigitalLinkUri(rest)) {
      throw new DomainError('SYMBOLOGY_UNSUPPORTED', `symbology identifier ${aim} (${GS1_SYMBOLOGIES[aim]}) announces GS1 AI data, but a URI follows; a GS1 Digital Link is encoded as plain data (]Q1, ]d1)`, { reason: 'URI in GS1 AI mode', symbologyIdentifier: aim });
    }
  }
  if (isDigitalLinkUri(text)) return fromDigitalLink(text, options);
  if (/^urn:epc:/i.test(text)) return fromElements(epcUrnElements(text), 'epc-urn', options);
  if (text.startsWith('(')) return fromElements(parseBracketed(text, options), 'bracketed', options);
  return parseElementString(text, options);
}

/**
 * A compressed Digital Link (GS1 Digital Link standard, compression) as its uncompressed form; any
 * other link as it is. A link that reads uncompressed is never taken for a compressed one.
 */
function uncompressed(uri: string): string {
  if (!isCompressedDigitalLink(uri)) return uri;
  try {
    parseDigitalLink(uri);
    return uri;
  } catch {
    return decompressDigitalLink(uri).uri;
  }
}

/**
 * Any scan (element string, bracketed, EPC URN, Digital Link) as a GS1 Digital Link: the key, its
 * qualifiers in order, the other AIs as query attributes (see `buildDigitalLink`). A Digital Link
 * comes back in that canonical shape, on `options.base` (default https://id.gs1.org).
 */
export function scanToDigitalLink(input: string, options: ParseScanOptions & DigitalLinkOptions = {}): string {
  const { ais } = parseScan(input, options);
  return buildDigitalLink(ais, { ...(options.base ? { base: options.base } : {}), ...(options.primaryKey ? { primaryKey: options.primaryKey } : {}) });
}

function fromDigitalLink(uri: string, options: ParseScanOptions, symbologyIdentifier?: string): ParsedScan {
  const { ais } = parseDigitalLink(uncompressed(uri), options);
  const elements = Object.entries(ais).map(([ai, value]) => ({ ai, value }));
  return fromElements(elements, 'digital-link', options, symbologyIdentifier ? { symbologyIdentifier } : {});
}

function fromElements(elements: readonly Element[], form: ScanForm, options: ParseScanOptions, extra: Partial<ParsedScan> = {}, validate = false): ParsedScan {
  if (validate) for (const { ai, value } of elements) validateAiValue(ai, value, options);
  const ais = checkWholeScan(elements);
  const expiry = ais['17'] !== undefined ? expiryToIsoDate(decodeGs1Date('17', ais['17'], true, options)) : undefined;
  return {
    ...(ais['01'] !== undefined ? { gtin: ais['01'] } : {}),
    ...(ais['21'] !== undefined ? { serial: ais['21'] } : {}),
    ...(ais['10'] !== undefined ? { lot: ais['10'] } : {}),
    ...(expiry !== undefined ? { expiry } : {}),
    ais,
    form,
    ...extra,
  };
}

/** Duplicate and association rules that concern the scan as a whole. */
function checkWholeScan(elements: readonly Element[]): Record<string, string> {
  const ais: Record<string, string> = {};
  for (const { ai, value } of elements) {
    const seen = ais[ai];
    if (seen !== undefined && seen !== value) {
      throw aiError('AI_DUPLICATE', ai, `appears twice with different values ${JSON.stringify(seen)} and ${JSON.stringify(value)}`);
    }
    ais[ai] = value;
  }
  checkAiAssociations(Object.keys(ais), ais);
  return ais;
}

/** EPC URNs show up in EPCIS files people paste into the scan tool; read them as the AIs they encode. */
function epcUrnElements(urn: string): Element[] {
  const id = parseEpcUrn(urn);
  switch (id.scheme) {
    case 'sgtin':
      return [{ ai: '01', value: id.gtin }, { ai: '21', value: id.serial }];
    case 'lgtin':
      return [{ ai: '01', value: id.gtin }, { ai: '10', value: id.lot }];
    case 'sscc':
      return [{ ai: '00', value: id.sscc }];
    case 'sgln':
      return id.extension === '0' ? [{ ai: '414', value: id.gln }] : [{ ai: '414', value: id.gln }, { ai: '254', value: id.extension }];
    case 'pgln':
      return [{ ai: '417', value: id.gln }];
  }
}

// ------------------------------------------------------------------------------------------------
// Bracketed human-readable form

function parseBracketed(text: string, options: ParseScanOptions): Element[] {
  const elements: Element[] = [];
  let pos = 0;
  while (pos < text.length) {
    const head = /^\(([^)]*)\)/.exec(text.slice(pos));
    if (!head) throw new DomainError('SCAN_MALFORMED', `bracketed scan: expected "(AI)" at position ${pos + 1}`, { reason: 'expected (AI)', position: pos + 1 });
    const ai = head[1] as string;
    if (!/^\d{2,4}$/.test(ai)) throw new DomainError('SCAN_MALFORMED', `bracketed scan: "(${ai})" at position ${pos + 1} is not an AI`, { reason: 'AI must be 2-4 digits', position: pos + 1 });
    if (!aiDefinition(ai)) throw aiError('AI_UNKNOWN', ai, 'not a supported GS1 Application Identifier');
    pos += head[0].length;
    // A value runs to the next "(NN)"; a literal "(" inside a value is written "\(" (as the GS1
    // Syntax Engine does), otherwise "(12)" inside a lot would be indistinguishable from AI 12.
    let value = '';
    while (pos < text.length) {
      if (text[pos] === '\\' && text[pos + 1] === '(') {
        value += '(';
        pos += 2;
        continue;
      }
      if (text[pos] === '(' && /^\(\d{2,4}\)/.test(text.slice(pos))) break;
      value += text[pos];
      pos++;
    }
    // People type spaces around brackets; spaces inside a value still fail CSET 82.
    const trimmed = value.replace(/^ +| +$/g, '');
    validateAiValue(ai, trimmed, options);
    elements.push({ ai, value: trimmed });
  }
  return elements;
}

// ------------------------------------------------------------------------------------------------
// Raw element strings

function parseElementString(text: string, options: ParseScanOptions): ParsedScan {
  let data = text;
  let symbologyIdentifier: string | undefined;
  if (data.startsWith(']')) {
    const id = data.slice(0, 3);
    if (!GS1_SYMBOLOGIES[id]) {
      throw new DomainError('SYMBOLOGY_UNSUPPORTED', `symbology identifier ${JSON.stringify(id)} does not announce GS1 data (expected ]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]C1 GS1-128, ]e0 DataBar); the symbol was not encoded with FNC1 in first position`, {
        reason: 'not a GS1 symbology',
        symbologyIdentifier: id,
      });
    }
    symbologyIdentifier = id;
    data = data.slice(3);
  }

  const substitutes = [...DEFAULT_GS_SUBSTITUTES, ...[options.gsSubstitute ?? []].flat()].filter((s) => s.length > 0);
  substitutes.sort((a, b) => b.length - a.length);
  for (const s of substitutes) data = data.split(s).join(GS);
  // FNC1 in first position is sometimes transmitted as a leading GS; a trailing one is noise.
  let from = 0, to = data.length;
  while (from < to && data[from] === GS) from++;
  while (to > from && data[to - 1] === GS) to--;
  data = data.slice(from, to);
  if (data.length === 0) throw new DomainError('SCAN_MALFORMED', 'scan contains no data after the symbology identifier', { reason: 'empty data' });

  const segments = data.split(GS).filter((s) => s.length > 0);
  for (const seg of segments) {
    const bad = [...seg].findIndex((c) => c < ' ' || c === '\u007f');
    if (bad !== -1) {
      throw new DomainError('SCAN_MALFORMED', `scan contains ${describeCharacter([...seg][bad] as string)}, which is neither data nor a GS separator`, { reason: 'control character' });
    }
  }
  if (!/^\d{2}/.test(segments[0] as string)) {
    throw new DomainError('SCAN_MALFORMED', `scan does not start with a GS1 Application Identifier: ${JSON.stringify(text.slice(0, 20))}`, { reason: 'no AI at start' });
  }

  const extra = symbologyIdentifier ? { symbologyIdentifier } : {};
  let literalError: DomainError | undefined;
  try {
    const literal = segments.flatMap((seg) => readLiteral(seg, options));
    const result = fromElements(literal, 'element-string', options, extra);
    if (segments.length > 1) return result;
  } catch (e) {
    if (!isDomainError(e)) throw e;
    literalError = e;
  }

  const valid = alternativeReadings(segments, options);
  const fail = (): never => {
    throw literalError ?? new DomainError('SCAN_MALFORMED', 'scan could not be read', { reason: 'no valid reading' });
  };
  if (valid.length === 0) return fail();
  const chosen = chooseReading(valid);
  const inferred = chosen.boundaries.map(({ afterAi, beforeAi }) => ({ afterAi, beforeAi }));
  return fromElements(chosen.elements, 'element-string', options, { ...extra, ...(inferred.length ? { inferredSeparators: inferred } : {}) });
}

/** GS1's own reading: fixed-length AIs take their length, variable-length ones run to GS or the end. */
function readLiteral(segment: string, options: ParseScanOptions): Element[] {
  const elements: Element[] = [];
  let pos = 0;
  while (pos < segment.length) {
    const def = aiAt(segment, pos);
    if (!def) throw unknownAiError(segment, pos);
    const start = pos + def.ai.length;
    const end = def.fixedLength !== undefined ? start + def.fixedLength : segment.length;
    const value = segment.slice(start, end);
    if (def.fixedLength !== undefined && value.length < def.fixedLength) {
      throw aiError('AI_INVALID', def.ai, `needs ${def.fixedLength} characters but the data ends after ${value.length}`);
    }
    validateAiValue(def.ai, value, options);
    elements.push({ ai: def.ai, value });
    pos = end;
  }
  return elements;
}

function unknownAiError(segment: string, pos: number): DomainError {
  const digits = /^\d{2,4}/.exec(segment.slice(pos))?.[0] ?? segment.slice(pos, pos + 4);
  return new DomainError('AI_UNKNOWN', `no known GS1 Application Identifier starts with ${JSON.stringify(digits)} (at ${JSON.stringify(segment.slice(pos, pos + 12))})`, {
    ai: digits,
    reason: 'unknown Application Identifier',
  });
}

function isValidValue(ai: string, value: string, options: ParseScanOptions): boolean {
  try {
    validateAiValue(ai, value, options);
    return true;
  } catch (e) {
    if (isDomainError(e)) return false;
    throw e;
  }
}

function tooAmbiguous(): DomainError {
  return new DomainError('GS_AMBIGUOUS', `scan has more than ${MAX_READINGS} possible readings; GS separators are missing`, { reason: 'too many readings' });
}

/** Every reading of the whole scan in which all values validate and no AI repeats. */
function alternativeReadings(segments: readonly string[], options: ParseScanOptions): Reading[] {
  let combined: Reading[] = [{ elements: [], boundaries: [] }];
  for (const seg of segments) {
    const memo = new Map<number, Reading[]>();
    const readings = readFrom(seg, 0, memo, options);
    const next: Reading[] = [];
    for (const a of combined) {
      for (const b of readings) {
        next.push({ elements: [...a.elements, ...b.elements], boundaries: [...a.boundaries, ...b.boundaries] });
        if (next.length > MAX_READINGS) throw tooAmbiguous();
      }
    }
    combined = next;
  }
  return combined.filter((r) => {
    try {
      checkWholeScan(r.elements);
      return r.boundaries.length === 0 || new Set(r.elements.map((e) => e.ai)).size === r.elements.length;
    } catch (e) {
      if (isDomainError(e)) return false;
      throw e;
    }
  });
}

function readFrom(seg: string, pos: number, memo: Map<number, Reading[]>, options: ParseScanOptions): Reading[] {
  const cached = memo.get(pos);
  if (cached) return cached;
  const out: Reading[] = [];
  const push = (head: Element, boundary: Boundary | undefined, tails: readonly Reading[]): void => {
    for (const t of tails) {
      if (boundary && t.elements.some((e) => e.ai === head.ai)) continue;
      out.push({ elements: [head, ...t.elements], boundaries: boundary ? [boundary, ...t.boundaries] : [...t.boundaries] });
      if (out.length > MAX_READINGS) throw tooAmbiguous();
    }
  };

  if (pos === seg.length) {
    out.push({ elements: [], boundaries: [] });
  } else {
    const def = aiAt(seg, pos);
    if (def) {
      const start = pos + def.ai.length;
      if (def.fixedLength !== undefined) {
        const value = seg.slice(start, start + def.fixedLength);
        if (value.length === def.fixedLength && isValidValue(def.ai, value, options)) {
          push({ ai: def.ai, value }, undefined, readFrom(seg, start + def.fixedLength, memo, options));
        }
      } else {
        const whole = seg.slice(start);
        if (isValidValue(def.ai, whole, options)) out.push({ elements: [{ ai: def.ai, value: whole }], boundaries: [] });
        for (let cut = start + 1; cut < seg.length && cut - start <= def.maxLength; cut++) {
          const inner = aiAt(seg, cut);
          if (!inner || !SPLIT_CANDIDATES.has(inner.ai)) continue;
          const value = seg.slice(start, cut);
          if (!isValidValue(def.ai, value, options)) continue;
          const boundary = { afterAi: def.ai, beforeAi: inner.ai, anchored: inner.fixedLength !== undefined };
          push({ ai: def.ai, value }, boundary, readFrom(seg, cut, memo, options));
        }
      }
    }
  }
  memo.set(pos, out);
  return out;
}

function aiSet(r: Reading): Set<string> {
  return new Set(r.elements.map((e) => e.ai));
}

function chooseReading(valid: readonly Reading[]): Reading {
  if (valid.length === 1) return valid[0] as Reading;
  const sets = valid.map(aiSet);
  const maxIndex = sets.findIndex((s, i) => sets.every((o, j) => j === i || (o.size < s.size && [...o].every((ai) => s.has(ai)))));
  const best = maxIndex === -1 ? undefined : valid[maxIndex];
  if (best && best.boundaries.every((b) => b.anchored)) return best;

  const witness = (best ?? valid.find((r) => r.boundaries.length > 0) ?? valid[0]) as Reading;
  const boundary = witness.boundaries.find((b) => !b.anchored) ?? witness.boundaries[0];
  const readings = valid.slice(0, 4).map((r) => Object.fromEntries(r.elements.map((e) => [e.ai, e.value])));
  const reason = boundary
    ? `value may end where AI (${boundary.beforeAi}) starts: a GS separator seems to be missing after AI (${boundary.afterAi}) and both readings are valid; rescan with the GS transmitted`
    : 'several readings are valid; a GS separator seems to be missing';
  const ai = boundary?.afterAi;
  throw new DomainError('GS_AMBIGUOUS', ai ? `AI (${ai}): ${reason}` : reason, { ...(ai ? { ai } : {}), reason, readings });
}
