import { withCheckDigit } from '../gs1/check-digit';
import { CSET39, isCset82 } from '../gs1/charset';

/**
 * Every EPC URI form of the EPC Tag Data Standard 2.x that EPCIS events carry: pure identities
 * (`urn:epc:id:{scheme}:...`), class-level (`urn:epc:class:lgtin:...`) and ID patterns
 * (`urn:epc:idpat:{scheme}:...` with `*` in trailing components), for all GS1 key schemes. The
 * GS1 helpers in `../gs1/epc-urn` cover the five schemes the pack lifecycle uses and verify check
 * digits; this module is what EPCIS validation and the event hash need: grammar for all of them,
 * and the canonical Digital Link the CBV 2.0 hash uses.
 */

export type EpcUriKind = 'id' | 'class' | 'idpat';

export interface EpcUri {
  readonly kind: EpcUriKind;
  readonly scheme: string;
  /** Dot-separated components as written (still escaped). */
  readonly parts: readonly string[];
}

/** Digits of company prefix + second component, per scheme (TDS §6.3). */
interface SchemeRule {
  /** Total digits of company prefix + reference (fixed-digit second component), or undefined when free. */
  readonly digits?: number;
  /** Number of components. */
  readonly components: number;
  /** Validates the components after the company prefix; returns a reason or undefined. */
  readonly rest: (parts: readonly string[], cp: string) => string | undefined;
}

const DIGITS = /^\d+$/;
const numeric = (s: string | undefined, min: number, max: number): boolean => s !== undefined && s.length >= min && s.length <= max && DIGITS.test(s);

/** Decodes TDS %-escapes; undefined when a character is not allowed. */
export function decodeEpcComponent(value: string): string | undefined {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '%') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if ('"%&/<>?'.includes(c)) {
      return undefined; // these must be escaped inside a URN
    } else {
      out += c;
    }
  }
  return isCset82(out) ? out : undefined;
}

function gs3a3(value: string | undefined, min: number, max: number, what: string): string | undefined {
  if (value === undefined) return `${what} is missing`;
  const decoded = decodeEpcComponent(value);
  if (decoded === undefined) return `${what} ${JSON.stringify(value)} has characters outside GS1 character set 82 or a bad %-escape`;
  if (decoded.length < min || decoded.length > max) return `${what} must be ${min}-${max} characters`;
  return undefined;
}

function cpi(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return 'component/part reference is missing';
  const decoded = value.replace(/%23/gi, '#').replace(/%2F/gi, '/');
  if (decoded.length < 1 || decoded.length > max || [...decoded].some((c) => !CSET39.includes(c) || c === '.')) {
    return 'component/part reference must be 1-' + max + ' characters of GS1 character set 39 (# and / escaped)';
  }
  return undefined;
}

const fixed = (parts: readonly string[], i: number, cp: string, total: number, what: string): string | undefined =>
  numeric(parts[i], total - cp.length, total - cp.length) ? undefined : `${what} must have ${total - cp.length} digits with a ${cp.length}-digit company prefix (${total} in all)`;

const SCHEMES: Readonly<Record<string, SchemeRule>> = {
  sgtin: { components: 3, rest: (p, cp) => fixed(p, 1, cp, 13, 'indicator + item reference') ?? gs3a3(p[2], 1, 20, 'serial') },
  sscc: { components: 2, rest: (p, cp) => fixed(p, 1, cp, 17, 'extension + serial reference') },
  sgln: { components: 3, rest: (p, cp) => (p[1] === '' && cp.length === 12 ? undefined : fixed(p, 1, cp, 12, 'location reference')) ?? gs3a3(p[2], 1, 20, 'extension') },
  grai: { components: 3, rest: (p, cp) => (p[1] === '' && cp.length === 12 ? undefined : fixed(p, 1, cp, 12, 'asset type')) ?? gs3a3(p[2], 0, 16, 'serial') },
  giai: { components: 2, rest: (p, cp) => gs3a3(p[1], 1, 30 - cp.length, 'individual asset reference') },
  gsrn: { components: 2, rest: (p, cp) => fixed(p, 1, cp, 17, 'service reference') },
  gsrnp: { components: 2, rest: (p, cp) => fixed(p, 1, cp, 17, 'service reference') },
  gdti: { components: 3, rest: (p, cp) => (p[1] === '' && cp.length === 12 ? undefined : fixed(p, 1, cp, 12, 'document type')) ?? gs3a3(p[2], 0, 17, 'serial') },
  cpi: { components: 3, rest: (p, cp) => cpi(p[1], 30 - cp.length) ?? (numeric(p[2], 1, 12) ? undefined : 'serial must be 1-12 digits') },
  sgcn: { components: 3, rest: (p, cp) => (p[1] === '' && cp.length === 12 ? undefined : fixed(p, 1, cp, 12, 'coupon reference')) ?? (numeric(p[2], 1, 12) ? undefined : 'serial must be 1-12 digits') },
  ginc: { components: 2, rest: (p, cp) => gs3a3(p[1], 1, 30 - cp.length, 'consignment reference') },
  gsin: { components: 2, rest: (p, cp) => fixed(p, 1, cp, 16, 'shipper reference') },
  itip: {
    components: 5,
    rest: (p, cp) => fixed(p, 1, cp, 13, 'indicator + item reference') ?? (numeric(p[2], 2, 2) && numeric(p[3], 2, 2) ? undefined : 'piece and total must be 2 digits each') ?? gs3a3(p[4], 1, 20, 'serial'),
  },
  upui: { components: 3, rest: (p, cp) => fixed(p, 1, cp, 13, 'indicator + item reference') ?? gs3a3(p[2], 1, 28, 'third-party extension') },
  pgln: { components: 2, rest: (p, cp) => (p[1] === '' && cp.length === 12 ? undefined : fixed(p, 1, cp, 12, 'party reference')) },
  lgtin: { components: 3, rest: (p, cp) => fixed(p, 1, cp, 13, 'indicator + item reference') ?? gs3a3(p[2], 1, 20, 'lot') },
};

/** Schemes whose components are not GS1 keys (TDS 2.x): only the shape is checked. */
const OTHER_SCHEMES: Readonly<Record<string, RegExp>> = {
  gid: /^\d{1,9}\.\d{1,8}\.\d{1,11}$/,
  usdod: /^[0-9A-Z ]{5,6}\.\d{1,11}$/,
  adi: /^[0-9A-Z]{5,6}\.[0-9A-Z#/-]*\.[0-9A-Z#/%-]+$/i,
  bic: /^[A-Z]{3}[UJZ]\d{7}$/,
  imovn: /^\d{7}$/,
};

export const EPC_ID_SCHEMES: readonly string[] = [...Object.keys(SCHEMES).filter((s) => s !== 'lgtin'), ...Object.keys(OTHER_SCHEMES)];

const URI = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/;

/** Reason the URI is not a well-formed EPC URI, or undefined when it is one. */
export function epcUriProblem(uri: string): string | undefined {
  const m = URI.exec(uri);
  if (!m) return 'expected urn:epc:id:, urn:epc:class: or urn:epc:idpat:';
  const [, kind, scheme, body] = m as unknown as [string, EpcUriKind, string, string];
  if (kind === 'class') {
    if (scheme !== 'lgtin') return `urn:epc:class: carries lgtin only, got ${scheme}`;
  } else if (scheme === 'lgtin') return 'lgtin belongs under urn:epc:class:';
  const other = OTHER_SCHEMES[scheme];
  if (other) {
    if (kind === 'idpat') return body.split('.').every((p) => p === '*' || p.length > 0) ? undefined : `malformed ${scheme} pattern`;
    return other.test(body) ? undefined : `malformed ${scheme} identifier`;
  }
  const rule = SCHEMES[scheme];
  if (!rule) return `unknown EPC scheme ${JSON.stringify(scheme)} (TDS 2.x: ${EPC_ID_SCHEMES.join(', ')}, lgtin)`;
  // Serials may contain '.', so the last component takes whatever is left.
  const all = body.split('.');
  const parts = all.length > rule.components ? [...all.slice(0, rule.components - 1), all.slice(rule.components - 1).join('.')] : all;
  if (parts.length !== rule.components) return `${scheme} has ${rule.components} dot-separated components`;
  const cp = parts[0] as string;
  if (kind === 'idpat') {
    // Pattern: a prefix of real components then only '*' (TDS §8: CP.*.*, CP.Ref.*, or all '*').
    const star = parts.indexOf('*');
    if (star === -1) return 'an EPC ID pattern needs at least one * component';
    if (parts.slice(star).some((p) => p !== '*')) return 'after the first * every component must be *';
    if (star === 0) return undefined;
    if (!numeric(cp, 6, 12)) return 'company prefix must be 6-12 digits';
    if (star === 1) return undefined;
    const filled = [...parts.slice(0, star), ...parts.slice(star).map(() => placeholder(scheme))];
    return rule.rest(filled, cp);
  }
  if (!numeric(cp, 6, 12)) return 'company prefix must be 6-12 digits';
  return rule.rest(parts, cp);
}

function placeholder(scheme: string): string {
  return scheme === 'cpi' || scheme === 'sgcn' || scheme === 'itip' ? '1' : 'A';
}

export function isEpcUri(value: string): boolean {
  return value.startsWith('urn:epc:') && epcUriProblem(value) === undefined;
}

export function parseEpcUri(uri: string): EpcUri | undefined {
  if (epcUriProblem(uri) !== undefined) return undefined;
  const [, kind, scheme, body] = URI.exec(uri) as unknown as [string, EpcUriKind, string, string];
  return { kind, scheme, parts: body.split('.') };
}

// ------------------------------------------------------------------------------------------------
// Canonical Digital Link for the CBV 2.0 event hash (§8.9), computed the way the reference
// implementation (RalphTro/epcis-event-hash-generator, dl_normaliser) does, since that is what
// partners' tools produce: the URN's escapes are kept as written and ! ( ) * + , : are
// percent-encoded; check digits are computed, not verified; only the finest identification level
// survives (serial over lot, no CPV, no query).

const dlEncode = (s: string): string => s.replace(/[!()*+,:]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const withCd = (digits: string): string => withCheckDigit(digits);
const DL = 'https://id.gs1.org/';

/** Canonical DL for an EPC URI; undefined when the URI has no GS1 key form (e.g. gid, partial patterns). */
export function epcUriToCanonicalDigitalLink(uri: string): string | undefined {
  const parsed = parseEpcUri(uri);
  if (!parsed) return undefined;
  const { kind, scheme } = parsed;
  // Rejoin the tail: serials may contain '.'.
  const rule = SCHEMES[scheme];
  if (!rule) return undefined;
  const all = parsed.parts;
  const p = all.length > rule.components ? [...all.slice(0, rule.components - 1), all.slice(rule.components - 1).join('.')] : [...all];
  const cp = p[0] as string;
  const gtin = (): string => withCd((p[1] as string).slice(0, 1) + cp + (p[1] as string).slice(1));
  if (kind === 'idpat') {
    // Only "CP.Ref.*" patterns of these schemes name a key (class level).
    if (p[1] === '*' || cp === '*') return undefined;
    switch (scheme) {
      case 'sgtin':
      case 'upui':
        return `${DL}01/${gtin()}`;
      case 'grai':
        return `${DL}8003/${withCd('0' + cp + p[1])}`;
      case 'gdti':
        return `${DL}253/${withCd(cp + p[1])}`;
      case 'sgcn':
        return `${DL}255/${withCd(cp + p[1])}`;
      case 'cpi':
        return `${DL}8010/${dlEncode(cp + p[1])}`;
      case 'itip':
        return p[2] === '*' || p[3] === '*' ? undefined : `${DL}8006/${gtin()}${p[2]}${p[3]}`;
      default:
        return undefined;
    }
  }
  switch (scheme) {
    case 'sgtin':
      return `${DL}01/${gtin()}/21/${dlEncode(p[2] as string)}`;
    case 'lgtin':
      return `${DL}01/${gtin()}/10/${dlEncode(p[2] as string)}`;
    case 'upui':
      return `${DL}01/${gtin()}/235/${dlEncode(p[2] as string)}`;
    case 'sscc':
      return `${DL}00/${withCd((p[1] as string).slice(0, 1) + cp + (p[1] as string).slice(1))}`;
    case 'sgln': {
      const gln = withCd(cp + p[1]);
      return p[2] === '0' ? `${DL}414/${gln}` : `${DL}414/${gln}/254/${dlEncode(p[2] as string)}`;
    }
    case 'pgln':
      return `${DL}417/${withCd(cp + p[1])}`;
    case 'grai':
      return `${DL}8003/${withCd('0' + cp + p[1])}${dlEncode(p[2] as string)}`;
    case 'giai':
      return `${DL}8004/${cp}${dlEncode(p[1] as string)}`;
    case 'gsrn':
      return `${DL}8018/${withCd(cp + p[1])}`;
    case 'gsrnp':
      return `${DL}8017/${withCd(cp + p[1])}`;
    case 'gdti':
      return `${DL}253/${withCd(cp + p[1])}${dlEncode(p[2] as string)}`;
    case 'cpi':
      return `${DL}8010/${dlEncode(cp + p[1])}/8011/${p[2]}`;
    case 'sgcn':
      return `${DL}255/${withCd(cp + p[1])}${p[2]}`;
    case 'ginc':
      return `${DL}401/${cp}${dlEncode(p[1] as string)}`;
    case 'gsin':
      return `${DL}402/${withCd(cp + p[1])}`;
    case 'itip':
      return `${DL}8006/${gtin()}${p[2]}${p[3]}/21/${dlEncode(p[4] as string)}`;
    default:
      return undefined;
  }
}

const DL_KEYS = '01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai';
const SHORT_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['gtin', '01'], ['itip', '8006'], ['cpid', '8010'], ['gln', '414'], ['party', '417'], ['gsrnp', '8017'], ['gsrn', '8018'], ['gcn', '255'],
  ['sscc', '00'], ['gdti', '253'], ['ginc', '401'], ['gsin', '402'], ['grai', '8003'], ['giai', '8004'], ['cpv', '22'], ['lot', '10'], ['ser', '21'],
];
const X = `["'\\-.0-9;-?A-Z_a-z]`;
const DL_SHAPE = new RegExp(`^https?:(//(([^/?#]*)@)?([^/?#:]*)(:([^/?#]*))?)?(([^?#]*)(/(${DL_KEYS})/)(\\d{4}[^/]+)(/[^/]+/[^/]+)?/?(\\?([^?\\n]*))?(#([^\\n]*))?|(/[A-Za-z_-]{10}$))`);
const CPV = new RegExp(`^https://id\\.gs1\\.org/(8006/\\d{18}|01/\\d{14})/22/`);
const LOT_AND_SERIAL = new RegExp(`^https://id\\.gs1\\.org/(8006/\\d{18}|01/\\d{14})/10/${X}{0,20}/21/${X}{0,20}$`);
const CANONICAL_FORMS: readonly RegExp[] = [
  /^https:\/\/id\.gs1\.org\/00\/\d{18}$/,
  new RegExp(`^https://id\\.gs1\\.org/01/\\d{14}/21/${X}{0,20}$`),
  new RegExp(`^https://id\\.gs1\\.org/01/\\d{14}/10/${X}{0,20}$`),
  /^https:\/\/id\.gs1\.org\/01\/\d{14}$/,
  new RegExp(`^https://id\\.gs1\\.org/01/\\d{14}/235/${X}{0,28}$`),
  new RegExp(`^https://id\\.gs1\\.org/253/\\d{13}${X}{0,17}$`),
  /^https:\/\/id\.gs1\.org\/255\/\d{13}\d{0,12}$/,
  new RegExp(`^https://id\\.gs1\\.org/401/${X}{0,30}$`),
  /^https:\/\/id\.gs1\.org\/402\/\d{17}$/,
  /^https:\/\/id\.gs1\.org\/414\/\d{13}$/,
  new RegExp(`^https://id\\.gs1\\.org/414/\\d{13}/254/${X}{0,20}$`),
  /^https:\/\/id\.gs1\.org\/417\/\d{13}$/,
  new RegExp(`^https://id\\.gs1\\.org/8003/\\d{14}${X}{0,16}$`),
  new RegExp(`^https://id\\.gs1\\.org/8004/${X}{0,30}$`),
  new RegExp(`^https://id\\.gs1\\.org/8006/\\d{18}/21/${X}{0,20}$`),
  new RegExp(`^https://id\\.gs1\\.org/8006/\\d{18}/10/${X}{0,20}$`),
  /^https:\/\/id\.gs1\.org\/8006\/\d{18}$/,
  /^https:\/\/id\.gs1\.org\/8010\/[#\-/0-9A-Z]{0,30}\/8011\/\d{0,12}$/,
  /^https:\/\/id\.gs1\.org\/8010\/[#\-/0-9A-Z]{0,30}$/,
  /^https:\/\/id\.gs1\.org\/8017\/\d{18}$/,
  /^https:\/\/id\.gs1\.org\/8018\/\d{18}$/,
];

/**
 * Digital Link (any host, short names, query, CPV, lot beside serial) -> the constrained canonical
 * form; undefined when it is not a GS1 key Digital Link. Values are kept as written (not
 * re-encoded), as in the reference implementation.
 */
export function canonicalDigitalLinkForHash(uri: string): string | undefined {
  if (!DL_SHAPE.test(uri)) return undefined;
  let u = uri.includes('?') ? uri.slice(0, uri.indexOf('?')) : uri;
  for (const [short, ai] of SHORT_NAMES) u = u.split(`/${short}/`).join(`/${ai}/`);
  if (!/^https:\/\/id\.gs1\.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^/]+)(\/[^/]+\/[^/]+)?\/?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$)/.test(u)) {
    for (const key of ['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8017', '8018']) {
      const at = u.indexOf(`/${key}/`);
      if (at !== -1) {
        u = 'https://id.gs1.org' + u.slice(at);
        break;
      }
    }
  }
  if (!/^https:\/\/id\.gs1\.org\/01\/\d{14}/.test(u)) {
    if (/^https:\/\/id\.gs1\.org\/01\/\d{13}/.test(u)) u = u.replace('/01/', '/01/0');
    else if (/^https:\/\/id\.gs1\.org\/01\/\d{12}/.test(u)) u = u.replace('/01/', '/01/00');
    else if (/^https:\/\/id\.gs1\.org\/01\/\d{8}/.test(u)) u = u.replace('/01/', '/01/000000');
  }
  // CPV (22) is dropped; then the serial wins over the lot.
  if (CPV.test(u)) {
    const afterCpv = u.slice(u.indexOf('/22/') + 4);
    const next = afterCpv.indexOf('/');
    u = u.slice(0, u.indexOf('/22/')) + (next === -1 ? '' : afterCpv.slice(next));
  }
  if (LOT_AND_SERIAL.test(u)) {
    const afterLot = u.slice(u.indexOf('/10/') + 4);
    u = u.slice(0, u.indexOf('/10/')) + afterLot.slice(afterLot.indexOf('/'));
  }
  return CANONICAL_FORMS.some((re) => re.test(u)) ? u : undefined;
}

/** Any GS1 identifier form (EPC URI, pattern, class, Digital Link) -> canonical DL, else undefined. */
export function canonicalIdentifierForHash(value: string): string | undefined {
  if (!value.includes('.')) return undefined; // as the reference: no '.' means not normalisable
  if (value.startsWith('urn:epc:')) return epcUriToCanonicalDigitalLink(value);
  return canonicalDigitalLinkForHash(value);
}
