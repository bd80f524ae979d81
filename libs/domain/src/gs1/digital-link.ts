import { DomainError, isDomainError, type DomainErrorDetails } from '../errors';
import { aiDefinition, APPLICATION_IDENTIFIERS, DIGITAL_LINK_PRIMARY_KEYS } from './application-identifiers';
import { validateAiValue, type CenturyOptions } from './ai-value';
import { checkAiAssociations } from './associations';
import { parseEpcUrn, type CompanyPrefixOptions, lgtinToEpcClassUrn, pglnToEpcUrn, sgtinToEpcUrn, sglnToEpcUrn, ssccToEpcUrn } from './epc-urn';
import { normaliseGtin } from './gtin';

/**
 * GS1 Digital Link URI syntax (standard 1.x; rules as the GS1 Barcode Syntax Dictionary encodes
 * them): `http(s)://{host}{/any path prefix}/{primary key AI}/{value}{/qualifier AI/value...}
 * ?{attribute AI}={value}&{other}={...}#fragment`.
 *
 *  - The primary key is the rightmost key in the path: the path is read backwards in /AI/value
 *    pairs and the first primary-key AI met is the root; everything before it is the stem
 *    (`https://a/00/faux/00/{sscc}` has the stem `https://a/00/faux`).
 *  - Qualifiers follow one of the key's ordered sequences (dictionary `dlpkey=22,10,21|235`): any
 *    in-order subset of one alternative, never a mix (`/01/…/22/…/10/…/21/…` or `/01/…/235/…`).
 *  - Query parameters whose name is all digits must be known AIs and permitted data attributes
 *    (the dictionary's "?" flag); that includes other keys such as `?01=` on an `/8004/` link,
 *    which the standard allows. An AI that could take its place in the path as a qualifier must
 *    be there (`/01/…?10=…` is refused, `/01/…/235/…?10=…` is not). Other parameters (linkType,
 *    context, singletons) are kept aside. No AI may appear twice.
 *  - Values are percent-decoded ("+" is a space in the query only), validated per AI, and the whole
 *    set must satisfy the dictionary's requisites and exclusions.
 *  - Convenience alphas (`/gtin/…`, `/ser/…`) were deprecated by the standard (1.2) and are refused
 *    unless `permitConvenienceAlphas` is set. Zero-suppressed GTIN-8/12/13 in an (01) value are
 *    padded to 14 digits, as the standard's own examples still show them.
 */

export const DEFAULT_DIGITAL_LINK_HOST = 'https://id.gs1.org';

/** Deprecated DL 1.0 convenience alphas, accepted only with `permitConvenienceAlphas`. */
const CONVENIENCE_ALPHAS: Readonly<Record<string, string>> = {
  sscc: '00', gtin: '01', content: '02', lot: '10', ser: '21', cpv: '22', gdti: '253', glnx: '254', gcn: '255',
  ginc: '401', gsin: '402', gln: '414', payTo: '415', party: '417', grai: '8003', giai: '8004', itip: '8006',
  cpid: '8010', cpsn: '8011', gmn: '8013', gsrnp: '8017', gsrn: '8018', srin: '8019', refNo: '8020',
};

/** Characters a URI may carry at all (RFC 3986 reserved + unreserved + "%"). */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

export interface DigitalLinkParseOptions extends CenturyOptions {
  /** Accept the deprecated `/gtin/…` style path names. Default false. */
  readonly permitConvenienceAlphas?: boolean;
}

export interface ParsedDigitalLink {
  /** Every AI in the URI (path and query), values decoded; GTINs normalised to 14 digits. */
  readonly ais: Readonly<Record<string, string>>;
  /** The primary key AI (01, 00, 414, ...): the rightmost key in the path. */
  readonly primaryKey: string;
  /** The key qualifiers in path order (e.g. ['10', '21']). */
  readonly qualifiers: readonly string[];
  /** AIs given as query data attributes, in URI order. */
  readonly attributes: readonly string[];
  /** Scheme + host (+ any path prefix before the primary key). */
  readonly base: string;
  /** Non-AI query parameters such as linkType or context, kept for VRS-style requests. */
  readonly parameters: Readonly<Record<string, string>>;
}

function dlError(reason: string, uri: string, extra: DomainErrorDetails = {}): DomainError {
  return new DomainError('DIGITAL_LINK_INVALID', `GS1 Digital Link ${JSON.stringify(uri.length > 200 ? uri.slice(0, 200) + '…' : uri)}: ${reason}`, { reason, ...extra });
}

/** Percent-encodes everything outside RFC 3986 "unreserved", the canonical DL form. */
export function encodeDigitalLinkValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Percent-decodes the value of AI `ai`, or of the non-AI parameter `parameter` (the compressed
 * form's readable parts too).
 * @throws DomainError DIGITAL_LINK_INVALID (rule `percent-encoding`) for a malformed encoding or a NUL.
 */
export function decodeDigitalLinkValue(value: string, uri: string, ai: string | undefined, query: boolean, parameter?: string): string {
  const what = ai !== undefined ? `AI (${ai})` : `parameter ${JSON.stringify(parameter)}`;
  let out: string;
  try {
    out = decodeURIComponent(query ? value.replace(/\+/g, ' ') : value);
  } catch {
    throw dlError(`${JSON.stringify(value)} in ${what} has a malformed percent-encoding`, uri, { ...(ai ? { ai } : {}), rule: 'percent-encoding' });
  }
  if (ai !== undefined && out.includes('\u0000')) throw dlError(`value of ${what} decodes to a NUL character`, uri, { ai, rule: 'percent-encoding' });
  return out;
}

export function isDigitalLinkUri(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Whether `[key, ...qualifiers]` is a permitted path: an in-order subset of one alternative. */
function isValidPathSequence(sequence: readonly string[]): boolean {
  const [key, ...qualifiers] = sequence;
  const alternatives = aiDefinition(key ?? '')?.digitalLinkKeySequences;
  if (!alternatives) return false;
  return alternatives.some((alt) => {
    let at = 0;
    for (const q of qualifiers) {
      const found = alt.indexOf(q, at);
      if (found === -1) return false;
      at = found + 1;
    }
    return true;
  });
}

function describeSequences(key: string): string {
  const alternatives = aiDefinition(key)?.digitalLinkKeySequences ?? [[]];
  const shown = alternatives.filter((a) => a.length > 0).map((a) => a.join(' → '));
  return shown.length ? shown.join(' or ') : 'none';
}

export function parseDigitalLink(uri: string, options: DigitalLinkParseOptions = {}): ParsedDigitalLink {
  if (!URI_CHARACTERS.test(uri)) {
    const bad = [...uri].find((c) => !URI_CHARACTERS.test(c)) as string;
    throw dlError(`contains ${JSON.stringify(bad)}, which a URI cannot carry unencoded`, uri, { rule: 'uri-characters' });
  }
  const m = /^(https?:\/\/)([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (!m) throw dlError('not an http(s) URI', uri, { rule: 'scheme' });
  const [, scheme, host, rawPath, query] = m as unknown as [string, string, string, string, string | undefined];
  if (host === '') throw dlError('has no host', uri, { rule: 'host' });
  if (rawPath === '' || rawPath === '/') throw dlError('no GS1 primary key (e.g. /01/{gtin} or /00/{sscc}) in the path', uri, { rule: 'primary-key' });
  const segments = rawPath.split('/').slice(1);

  const aiOf = (segment: string): string | undefined => {
    if (/^\d{2,4}$/.test(segment)) return APPLICATION_IDENTIFIERS.has(segment) ? segment : undefined;
    return options.permitConvenienceAlphas ? CONVENIENCE_ALPHAS[segment] : undefined;
  };

  // Walk back over /AI/value pairs; the first primary key met is the root.
  let keyIndex = -1;
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    const ai = aiOf(segments[i] as string);
    if (ai === undefined) break;
    if (aiDefinition(ai)?.digitalLinkKeySequences) {
      keyIndex = i;
      break;
    }
  }
  if (keyIndex === -1) {
    if (segments[segments.length - 1] === '') throw dlError('the path may not end with "/"', uri, { rule: 'path' });
    const last = segments[segments.length - 1] as string;
    if (segments.length >= 1 && /^[A-Za-z0-9_-]{10,}$/.test(last) && !/^\d+$/.test(last)) {
      throw dlError('looks like a compressed GS1 Digital Link (one base64url path element), which is not supported: ask for the uncompressed form', uri, { rule: 'compressed' });
    }
    const alpha = segments.find((s) => CONVENIENCE_ALPHAS[s] !== undefined);
    if (alpha && !options.permitConvenienceAlphas) {
      throw dlError(`"/${alpha}/" is a convenience alpha, which GS1 Digital Link 1.2 deprecated; write the AI (/${CONVENIENCE_ALPHAS[alpha]}/)`, uri, { rule: 'convenience-alpha' });
    }
    throw dlError('no GS1 primary key (e.g. /01/{gtin} or /00/{sscc}) in the path', uri, { rule: 'primary-key' });
  }

  const ais: Record<string, string> = {};
  const pathAis: string[] = [];
  for (let i = keyIndex; i < segments.length; i += 2) {
    const ai = aiOf(segments[i] as string) as string;
    const raw = segments[i + 1] as string;
    if (raw === '') throw dlError(`AI (${ai}) has an empty value`, uri, { ai, rule: 'empty-value' });
    if (ai in ais) throw dlError(`AI (${ai}) appears more than once`, uri, { ai, rule: 'duplicate' });
    ais[ai] = decodeDigitalLinkValue(raw, uri, ai, false);
    pathAis.push(ai);
  }
  const primaryKey = pathAis[0] as string;
  if (!isValidPathSequence(pathAis)) {
    const bad = pathAis.find((_, i) => i > 0 && !isValidPathSequence(pathAis.slice(0, i + 1))) ?? (pathAis[1] as string);
    throw dlError(`AI (${bad}) is not in place as a path qualifier of primary key (${primaryKey}) (qualifiers in order: ${describeSequences(primaryKey)})`, uri, { ai: bad, rule: 'key-qualifiers' });
  }

  const parameters: Record<string, string> = {};
  const attributes: string[] = [];
  for (const pair of (query ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq === -1) {
      parameters[pair] = '';
      continue;
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!/^\d+$/.test(key)) {
      parameters[decodeDigitalLinkValue(key, uri, undefined, true, key)] = decodeDigitalLinkValue(value, uri, undefined, true, key);
      continue;
    }
    const def = aiDefinition(key);
    if (!def) throw dlError(`query parameter ${key} is all digits but no GS1 Application Identifier`, uri, { ai: key, rule: 'unknown-ai' });
    if (value === '') throw dlError(`AI (${key}) has an empty value`, uri, { ai: key, rule: 'empty-value' });
    if (key in ais) throw dlError(`AI (${key}) appears more than once`, uri, { ai: key, rule: 'duplicate' });
    for (let j = 1; j <= pathAis.length; j++) {
      if (isValidPathSequence([...pathAis.slice(0, j), key, ...pathAis.slice(j)])) {
        throw dlError(`AI (${key}) is a key qualifier of (${primaryKey}) and belongs in the path, not the query`, uri, { ai: key, rule: 'qualifier-in-query' });
      }
    }
    if (!def.digitalLinkAttribute) throw dlError(`AI (${key}) is not permitted as a Digital Link data attribute`, uri, { ai: key, rule: 'data-attribute' });
    ais[key] = decodeDigitalLinkValue(value, uri, key, true);
    attributes.push(key);
  }

  for (const ai of ['01', '02'].filter((a) => ais[a] !== undefined && /^\d{8}$|^\d{12,13}$/.test(ais[a] as string))) {
    try {
      ais[ai] = normaliseGtin(ais[ai] as string);
    } catch (e) {
      if (isDomainError(e)) throw new DomainError(e.code, `GS1 Digital Link ${JSON.stringify(uri)}: ${e.message}`, e.details);
      throw e;
    }
  }
  for (const [ai, value] of Object.entries(ais)) validateAiValue(ai, value, options);
  checkAiAssociations(Object.keys(ais), ais);
  const stem = segments.slice(0, keyIndex);
  return {
    ais,
    primaryKey,
    qualifiers: pathAis.slice(1),
    attributes,
    base: scheme + host + (stem.length ? '/' + stem.join('/') : ''),
    parameters,
  };
}

export interface DigitalLinkOptions {
  /** Scheme and host, optionally with a path prefix; default https://id.gs1.org. */
  readonly base?: string;
  /** Which key goes in the path when the AIs hold several (e.g. 8004 with 01); default the first in dictionary order. */
  readonly primaryKey?: string;
}

/**
 * Builds a Digital Link from AI values (e.g. a parsed element string): the primary key, the
 * qualifiers of the key's sequence that the data holds, in their order, then every other AI as a
 * query data attribute in ascending AI order (deterministic output). AIs that the standard does not
 * let a Digital Link carry (no "?" flag and not a qualifier, e.g. (03) or (8011) without (8010))
 * are refused rather than dropped.
 */
export function buildDigitalLink(ais: Readonly<Record<string, string>>, options: DigitalLinkOptions = {}): string {
  const base = (options.base ?? DEFAULT_DIGITAL_LINK_HOST).replace(/\/+$/, '');
  const present = Object.keys(ais);
  const primaryKey = options.primaryKey ?? DIGITAL_LINK_PRIMARY_KEYS.find((k) => ais[k] !== undefined);
  if (!primaryKey || ais[primaryKey] === undefined || !aiDefinition(primaryKey)?.digitalLinkKeySequences) {
    throw new DomainError('DIGITAL_LINK_INVALID', `a Digital Link needs a primary key AI (01, 00, 414, ...); got AIs ${present.join(', ') || 'none'}`, { reason: 'no primary key', rule: 'primary-key' });
  }
  const values: Record<string, string> = { ...ais };
  for (const ai of ['01', '02']) if (values[ai] !== undefined) values[ai] = normaliseGtin(values[ai] as string);
  for (const [ai, value] of Object.entries(values)) validateAiValue(ai, value);
  checkAiAssociations(present, values);

  // Of the key's alternative qualifier sequences, take one whose leftovers can all be query
  // attributes, covering the most AIs.
  const alternatives = aiDefinition(primaryKey)?.digitalLinkKeySequences ?? [[]];
  const candidates = alternatives.map((alt) => {
    const qualifiers = alt.filter((q) => values[q] !== undefined);
    const rest = present.filter((ai) => ai !== primaryKey && !qualifiers.includes(ai)).sort(compareAis);
    const bad = rest.find((ai) => !aiDefinition(ai)?.digitalLinkAttribute);
    return { qualifiers, rest, bad };
  });
  const usable = candidates.filter((c) => c.bad === undefined).sort((a, b) => b.qualifiers.length - a.qualifiers.length);
  const chosen = usable[0];
  if (!chosen) {
    const bad = candidates[0]?.bad as string;
    throw new DomainError('DIGITAL_LINK_INVALID', `AI (${bad}) cannot be carried in a Digital Link with primary key (${primaryKey}): it is neither a qualifier of it nor a permitted data attribute`, { ai: bad, reason: 'not a data attribute', rule: 'data-attribute' });
  }
  let path = `/${primaryKey}/${encodeDigitalLinkValue(values[primaryKey] as string)}`;
  for (const q of chosen.qualifiers) path += `/${q}/${encodeDigitalLinkValue(values[q] as string)}`;
  const query = chosen.rest.map((ai) => `${ai}=${encodeDigitalLinkValue(values[ai] as string)}`);
  return base + path + (query.length ? `?${query.join('&')}` : '');
}

/** AIs compare as strings of digits: "01" < "10" < "17" < "21" < "240" < "7003". */
export function compareAis(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical, constrained Digital Link as used by the CBV 2.0 event hash: host id.gs1.org, no query,
 * and only the finest identification level (01+21 over 01+10 over 01; 414+254; 8010+8011 ...).
 */
export function canonicalDigitalLink(ais: Readonly<Record<string, string>>, primaryKey?: string): string {
  const pk = primaryKey ?? DIGITAL_LINK_PRIMARY_KEYS.find((k) => ais[k] !== undefined);
  if (!pk || ais[pk] === undefined) throw new DomainError('DIGITAL_LINK_INVALID', 'no primary key to build a canonical Digital Link', { reason: 'no primary key', rule: 'primary-key' });
  const keep: Record<string, string> = { [pk]: ais[pk] as string };
  const finest: Readonly<Record<string, readonly string[]>> = { '01': ['21', '10', '235'], '8006': ['21', '10'], '414': ['254', '7040'], '417': ['7040'], '8004': ['7040'], '8010': ['8011'], '8017': ['8019'], '8018': ['8019'], '415': ['8020'] };
  const q = (finest[pk] ?? []).find((ai) => ais[ai] !== undefined && !(pk === '414' && ai === '254' && ais[ai] === '0'));
  if (q) keep[q] = ais[q] as string;
  return buildDigitalLinkUnchecked(keep, pk);
}

/** The canonical form of a single key and at most one qualifier; the values were validated by the caller's parse. */
function buildDigitalLinkUnchecked(ais: Readonly<Record<string, string>>, pk: string): string {
  const values: Record<string, string> = { ...ais };
  if (pk === '01') values['01'] = normaliseGtin(values['01'] as string);
  for (const [ai, value] of Object.entries(values)) validateAiValue(ai, value);
  const q = Object.keys(values).find((ai) => ai !== pk);
  return `${DEFAULT_DIGITAL_LINK_HOST}/${pk}/${encodeDigitalLinkValue(values[pk] as string)}${q ? `/${q}/${encodeDigitalLinkValue(values[q] as string)}` : ''}`;
}

/** EPC URN -> Digital Link (sgtin, lgtin, sscc, sgln, pgln). */
export function epcUrnToDigitalLink(urn: string, options: DigitalLinkOptions = {}): string {
  const id = parseEpcUrn(urn);
  switch (id.scheme) {
    case 'sgtin':
      return buildDigitalLink({ '01': id.gtin, '21': id.serial }, options);
    case 'lgtin':
      return buildDigitalLink({ '01': id.gtin, '10': id.lot }, options);
    case 'sscc':
      return buildDigitalLink({ '00': id.sscc }, options);
    case 'sgln':
      return buildDigitalLink(id.extension === '0' ? { '414': id.gln } : { '414': id.gln, '254': id.extension }, options);
    case 'pgln':
      return buildDigitalLink({ '417': id.gln }, options);
  }
}

/**
 * Digital Link -> EPC URN. The URI carries no company prefix length, so it comes from `options`
 * (or the US NDC derivation for "03"-range keys).
 */
export function digitalLinkToEpcUrn(uri: string, options: CompanyPrefixOptions = {}): string {
  const { ais, primaryKey } = parseDigitalLink(uri);
  const get = (ai: string): string => ais[ai] as string;
  switch (primaryKey) {
    case '01':
      if (ais['21'] !== undefined) return sgtinToEpcUrn(get('01'), get('21'), options);
      if (ais['10'] !== undefined) return lgtinToEpcClassUrn(get('01'), get('10'), options);
      throw dlError('a GTIN without serial or lot has no EPC instance URN', uri, { ai: '01', rule: 'epc-scheme' });
    case '00':
      return ssccToEpcUrn(get('00'), options);
    case '414':
      return sglnToEpcUrn(get('414'), ais['254'] ?? '0', options);
    case '417':
      return pglnToEpcUrn(get('417'), options);
    default:
      throw dlError(`primary key (${primaryKey}) has no supported EPC URN scheme`, uri, { ai: primaryKey, rule: 'epc-scheme' });
  }
}
