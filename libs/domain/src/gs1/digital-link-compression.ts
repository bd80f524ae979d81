import { DomainError } from '../errors';
import { COMPRESSION_OPTIMISATIONS } from './digital-link-compression.generated';
import { buildDigitalLink, decodeDigitalLinkValue, DEFAULT_DIGITAL_LINK_HOST, parseDigitalLink } from './digital-link';
import { SYNTAX_DICTIONARY } from './syntax-dictionary.generated';

/**
 * Compressed GS1 Digital Links (GS1 Digital Link standard, compression section): the AI values of a
 * link packed into a bit string and written in the URI-safe base64 alphabet as one path segment,
 * `https://id.gs1.org/<segment>` (or `/<key>/<value>/<segment>` with the primary key left readable).
 * The bit string is a sequence of: an AI as 2-4 hexadecimal digits of 4 bits (its length known from
 * its first two digits), or a two-hex-digit optimisation code standing for a sequence of AIs
 * (COMPRESSION_OPTIMISATIONS, generated from GS1's data), then each value component: fixed-length
 * digits as one binary number, variable-length digits as a length then a number, alphanumerics as a
 * 3-bit encoding (digits, lower or upper hex, base64url, 7-bit ASCII), a length when variable, the
 * characters; then `F` + a 7-bit length for a non-GS1 key=value pair. AI key lengths and value
 * formats come from the Barcode Syntax Dictionary table, the one source of AI formats here.
 */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789ABCDEF';

/** One value component as the compression encodes it. */
interface Part {
  readonly numeric: boolean;
  /** Fixed length, or the maximum of a variable-length component. */
  readonly length: number;
  readonly fixed: boolean;
}

/**
 * The dictionary's components, with adjacent components of the same kind and optionality merged
 * (AI 423's optional repeats of N3 are one N..12, 7040's three X1 one X3), as the compressed form
 * lays them out.
 */
function partsOf(components: (typeof SYNTAX_DICTIONARY)[number]['components']): Part[] {
  const merged: Array<Part & { optional: boolean }> = [];
  for (const c of components) {
    const numeric = c.cset === 'N';
    const optional = 'optional' in c && c.optional === true;
    const fixed = c.min === c.max && !optional;
    const last = merged[merged.length - 1];
    if (last && last.numeric === numeric && last.optional === optional && merged.length > 0 && (optional || (last.fixed && fixed))) {
      merged[merged.length - 1] = { numeric, optional, fixed: last.fixed && fixed, length: last.length + c.max };
    } else {
      merged.push({ numeric, optional, fixed, length: c.max });
    }
  }
  return merged.map(({ numeric, length, fixed }) => ({ numeric, length, fixed }));
}

const FORMATS = new Map<string, readonly Part[]>(SYNTAX_DICTIONARY.map((e) => [e.ai, partsOf(e.components)]));
/** AI length by its first two digits (GS1 allocates AI lengths by prefix). */
const AI_LENGTH = new Map<string, number>(SYNTAX_DICTIONARY.map((e) => [e.ai.slice(0, 2), e.ai.length]));

const lengthBits = (max: number): number => Math.ceil(Math.log(max) / Math.log(2) + 0.01);
const valueBits = (digits: number): number => Math.ceil((digits * Math.log(10)) / Math.log(2) + 0.01);

function invalid(uri: string, reason: string): DomainError {
  return new DomainError('DIGITAL_LINK_INVALID', `compressed GS1 Digital Link ${JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri)}: ${reason}`, { reason, rule: 'compression' });
}

class BitReader {
  private at = 0;
  constructor(private readonly bits: string, private readonly uri: string) {}
  get left(): number {
    return this.bits.length - this.at;
  }
  take(n: number): string {
    if (n > this.left) throw invalid(this.uri, `the data ends ${n - this.left} bit(s) early`);
    const s = this.bits.slice(this.at, this.at + n);
    this.at += n;
    return s;
  }
  int(n: number): number {
    return n === 0 ? 0 : parseInt(this.take(n), 2);
  }
  digits(count: number): string {
    if (count === 0) return '';
    const v = BigInt(`0b${this.take(valueBits(count))}`).toString();
    if (v.length > count) throw invalid(this.uri, `a ${count}-digit value decodes to ${v.length} digits`);
    return v.padStart(count, '0');
  }
}

function readChars(r: BitReader, encoding: number, count: number, uri: string): string {
  switch (encoding) {
    case 0:
      return r.digits(count);
    case 1:
    case 2: {
      const s = Array.from({ length: count }, () => HEX[r.int(4)] as string).join('');
      return encoding === 1 ? s.toLowerCase() : s;
    }
    case 3:
      return Array.from({ length: count }, () => BASE64URL[r.int(6)] as string).join('');
    case 4:
      return Array.from({ length: count }, () => String.fromCharCode(r.int(7))).join('');
    default:
      throw invalid(uri, `unknown character encoding ${encoding}`);
  }
}

function readValue(r: BitReader, ai: string, uri: string): string {
  const parts = FORMATS.get(ai);
  if (!parts) throw invalid(uri, `AI (${ai}) is not in the GS1 syntax dictionary`);
  let value = '';
  for (const p of parts) {
    if (p.numeric) value += r.digits(p.fixed ? p.length : r.int(lengthBits(p.length)));
    else {
      const encoding = r.int(3);
      value += readChars(r, encoding, p.fixed ? p.length : r.int(lengthBits(p.length)), uri);
    }
  }
  return value;
}

export interface DecompressedDigitalLink {
  /** The AI values, as an uncompressed link carries them. */
  readonly ais: Readonly<Record<string, string>>;
  /** Non-GS1 key=value pairs (compressed ones and those left in the query string). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The same link uncompressed, on the compressed link's host. */
  readonly uri: string;
}

/** Whether a URI's last path segment can be a compressed Digital Link (URI-safe base64, no AI before it). */
export function isCompressedDigitalLink(uri: string): boolean {
  const m = /^https?:\/\/[^/?#]+((?:\/[^/?#]*)*)\/([A-Za-z0-9_-]{4,})(?:[?#].*)?$/i.exec(uri);
  if (!m) return false;
  const before = (m[1] as string).split('/').filter(Boolean);
  return !/^\d{2,4}$/.test(before[before.length - 1] ?? '') || before.length % 2 === 0 && /^\d{2,4}$/.test(before[before.length - 2] ?? '');
}

/**
 * Decompresses a compressed GS1 Digital Link (fully, or with the primary key left readable) into its
 * AI values and the equivalent uncompressed link.
 * @throws DomainError DIGITAL_LINK_INVALID (rule `compression`) for data that is not a compressed
 *   link, or whose values break the AI's syntax (the uncompressed link's own checks run too).
 */
export function decompressDigitalLink(uri: string): DecompressedDigitalLink {
  const m = /^(https?:\/\/[^/?#]+)((?:\/[^/?#]*)*?)\/([A-Za-z0-9_-]+)(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (!m) throw invalid(uri, 'no compressed segment (URI-safe base64) at the end of the path');
  const [, origin, prefix = '', segment, query] = m as unknown as [string, string, string | undefined, string, string | undefined];
  const ais: Record<string, string> = {};
  const parameters: Record<string, string> = {};
  // `/01/{gtin}/<segment>`: the primary key uncompressed before the rest.
  const readable = /^(.*)\/(\d{2,4})\/([^/]+)$/.exec(prefix);
  const stem = readable ? (readable[1] as string) : prefix;
  if (readable) ais[readable[2] as string] = decodeDigitalLinkValue(readable[3] as string, uri, readable[2], false);

  const r = new BitReader([...segment].map((c) => BASE64URL.indexOf(c).toString(2).padStart(6, '0')).join(''), uri);
  while (r.left > 8) {
    const h1 = r.int(4);
    const h2 = r.int(4);
    const head = `${HEX[h1]}${HEX[h2]}`;
    if (h1 <= 9 && h2 <= 9) {
      const length = AI_LENGTH.get(head);
      if (length === undefined) throw invalid(uri, `no AI begins with ${head}`);
      let ai = head;
      for (let i = 2; i < length; i++) {
        const d = r.int(4);
        if (d > 9) throw invalid(uri, `AI ${ai}${HEX[d]} is not all digits`);
        ai += String(d);
      }
      if (ais[ai] !== undefined) throw invalid(uri, `AI (${ai}) appears twice`);
      ais[ai] = readValue(r, ai, uri);
    } else if (COMPRESSION_OPTIMISATIONS[head]) {
      for (const ai of COMPRESSION_OPTIMISATIONS[head] as readonly string[]) ais[ai] = readValue(r, ai, uri);
    } else if (h1 === 15) {
      // F: a non-GS1 key=value pair; its key length's 7 bits start with h2's.
      const keyLength = (h2 << 3) | r.int(3);
      const key = Array.from({ length: keyLength }, () => BASE64URL[r.int(6)] as string).join('');
      const encoding = r.int(3);
      parameters[key] = readChars(r, encoding, r.int(7), uri);
    } else {
      throw invalid(uri, `no optimisation is defined for ${head}`);
    }
  }
  if (r.left > 0 && /1/.test(r.take(r.left))) throw invalid(uri, 'the padding after the last value is not zero');
  for (const pair of (query ?? '').split(/[&;]/).filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=');
    if (/^\d{2,4}$/.test(k)) ais[k] = decodeDigitalLinkValue(v, uri, k, false);
    else parameters[decodeDigitalLinkValue(k, uri, undefined, false, k)] = decodeDigitalLinkValue(v, uri, undefined, false, k);
  }
  const plain = buildDigitalLink(ais, { base: `${origin}${stem}` });
  const extra = Object.entries(parameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const full = extra.length ? `${plain}${plain.includes('?') ? '&' : '?'}${extra.join('&')}` : plain;
  // The uncompressed link's own checks (check digits, formats, key and qualifier rules).
  parseDigitalLink(full);
  return { ais, parameters, uri: full };
}

// ---- compression ------------------------------------------------------------------------------

function encodingOf(s: string): number {
  if (/^\d+$/.test(s)) return 0;
  if (/^[0-9A-F]+$/.test(s)) return 2;
  if (/^[0-9a-f]+$/.test(s)) return 1;
  if (/^[A-Za-z0-9_-]+$/.test(s)) return 3;
  return 4;
}

const bin = (n: number | bigint, width: number): string => n.toString(2).padStart(width, '0');

function writeChars(s: string, encoding: number): string {
  switch (encoding) {
    case 0:
      return s === '' ? '' : bin(BigInt(s), valueBits(s.length));
    case 1:
    case 2:
      return [...s.toUpperCase()].map((c) => bin(HEX.indexOf(c), 4)).join('');
    case 3:
      return [...s].map((c) => bin(BASE64URL.indexOf(c), 6)).join('');
    default:
      return [...s].map((c) => bin(c.charCodeAt(0), 7)).join('');
  }
}

function writeValue(ai: string, value: string): string {
  const parts = FORMATS.get(ai) as readonly Part[];
  let out = '';
  let at = 0;
  for (const p of parts) {
    const chars = p.fixed ? value.slice(at, at + p.length) : value.slice(at, at + p.length);
    at += chars.length;
    if (p.numeric) out += p.fixed ? bin(BigInt(chars), valueBits(p.length)) : bin(chars.length, lengthBits(p.length)) + writeChars(chars, 0);
    else {
      const encoding = encodingOf(chars);
      out += bin(encoding, 3) + (p.fixed ? '' : bin(chars.length, lengthBits(p.length))) + writeChars(chars, encoding);
    }
  }
  return out;
}

const writeAi = (ai: string): string => [...ai].map((d) => bin(Number(d), 4)).join('');

/**
 * Compresses a GS1 Digital Link (any host; its AIs are checked by the uncompressed parser first):
 * optimisation codes for the longest AI sequences the link holds, then the other AIs in ascending
 * order, as GS1's reference compressor chooses them. Non-AI query parameters stay in the query.
 */
export function compressDigitalLink(uri: string, options: { readonly base?: string } = {}): string {
  const parsed = parseDigitalLink(uri);
  const ais = { ...parsed.ais };
  let remaining = Object.keys(ais).sort();
  let bits = '';
  for (;;) {
    const candidates = Object.entries(COMPRESSION_OPTIMISATIONS).filter(([, seq]) => seq.every((a) => remaining.includes(a)));
    if (!candidates.length) break;
    // The sequence that saves the most AI digits; the first such code on a tie.
    const [code, seq] = candidates.reduce((best, c) => (c[1].join('').length > best[1].join('').length ? c : best));
    bits += [...code].map((h) => bin(HEX.indexOf(h), 4)).join('') + seq.map((a) => writeValue(a, ais[a] as string)).join('');
    remaining = remaining.filter((a) => !seq.includes(a));
  }
  for (const ai of remaining) bits += writeAi(ai) + writeValue(ai, ais[ai] as string);
  if (bits.length % 6) bits += '0'.repeat(6 - (bits.length % 6));
  const segment = (bits.match(/.{6}/g) ?? []).map((b) => BASE64URL[parseInt(b, 2)]).join('');
  const extra = Object.entries(parsed.parameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${(options.base ?? DEFAULT_DIGITAL_LINK_HOST).replace(/\/+$/, '')}/${segment}${extra.length ? `?${extra.join('&')}` : ''}`;
}
