import { DomainError, isDomainError } from '../errors';
import { aiDefinition, DIGITAL_LINK_PRIMARY_KEYS } from './application-identifiers';
import { validateAiValue, type CenturyOptions } from './ai-value';
import { parseEpcUrn, type CompanyPrefixOptions, lgtinToEpcClassUrn, pglnToEpcUrn, sgtinToEpcUrn, sglnToEpcUrn, ssccToEpcUrn } from './epc-urn';
import { normaliseGtin } from './gtin';

/**
 * GS1 Digital Link URI syntax 1.2: https://{any host}/{optional path prefix}/{primary key AI}/{value}
 * /{qualifier AI}/{value}...?{data attribute AI}={value}&... Qualifiers must follow the key's
 * ordered list (for GTIN: 22, then 10, then 21); values are percent-encoded.
 */

export const DEFAULT_DIGITAL_LINK_HOST = 'https://id.gs1.org';

/** Legacy DL 1.0 short names still seen on printed packs and VRS requests. */
const SHORT_NAMES: Readonly<Record<string, string>> = { gtin: '01', cpv: '22', lot: '10', ser: '21', sscc: '00', gln: '414', party: '417', glnx: '254' };

export interface ParsedDigitalLink {
  /** Every AI in the URI (path and query), values decoded; GTINs normalised to 14 digits. */
  readonly ais: Readonly<Record<string, string>>;
  /** The primary key AI (01, 00, 414, ...). */
  readonly primaryKey: string;
  /** Scheme + host (+ any path prefix before the primary key). */
  readonly base: string;
  /** Non-AI query parameters such as linkType or context, kept for VRS-style requests. */
  readonly parameters: Readonly<Record<string, string>>;
}

function dlError(reason: string, uri: string, ai?: string): DomainError {
  return new DomainError('DIGITAL_LINK_INVALID', `GS1 Digital Link ${JSON.stringify(uri)}: ${reason}`, { reason, ...(ai ? { ai } : {}) });
}

/** Percent-encodes everything outside RFC 3986 "unreserved", the canonical DL form. */
export function encodeDigitalLinkValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function decode(value: string, uri: string, ai: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw dlError(`value ${JSON.stringify(value)} of AI ${ai} has a malformed percent-encoding`, uri, ai);
  }
}

export function isDigitalLinkUri(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

export function parseDigitalLink(uri: string, options: CenturyOptions = {}): ParsedDigitalLink {
  const m = /^(https?:\/\/[^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (!m) throw dlError('not an http(s) URI', uri);
  const [, origin, rawPath = '', query] = m as unknown as [string, string, string | undefined, string | undefined];
  const segments = rawPath.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();

  // The path may carry a prefix before the key ("https://brand.example/dl/01/..."), so the key is
  // the first segment that is a primary-key AI with an even number of segments after it.
  const keyIndex = segments.findIndex((s, i) => {
    const ai = SHORT_NAMES[s] ?? s;
    return DIGITAL_LINK_PRIMARY_KEYS.includes(ai) && (segments.length - i) % 2 === 0;
  });
  if (keyIndex === -1) throw dlError('no GS1 primary key (e.g. /01/{gtin} or /00/{sscc}) in the path', uri);

  const ais: Record<string, string> = {};
  const primaryKey = SHORT_NAMES[segments[keyIndex] as string] ?? (segments[keyIndex] as string);
  const qualifiers = aiDefinition(primaryKey)?.digitalLinkQualifiers ?? [];
  let lastQualifier = -1;
  for (let i = keyIndex; i < segments.length; i += 2) {
    const ai = SHORT_NAMES[segments[i] as string] ?? (segments[i] as string);
    const raw = segments[i + 1] as string;
    if (i > keyIndex) {
      const at = qualifiers.indexOf(ai);
      if (at === -1) throw dlError(`AI ${ai} is not a path qualifier of primary key ${primaryKey} (allowed: ${qualifiers.join(', ') || 'none'})`, uri, ai);
      if (at <= lastQualifier) throw dlError(`path qualifiers of ${primaryKey} must appear in the order ${qualifiers.join(' → ')}`, uri, ai);
      lastQualifier = at;
    }
    if (raw === '') throw dlError(`AI ${ai} has an empty value`, uri, ai);
    ais[ai] = decode(raw, uri, ai);
  }

  const parameters: Record<string, string> = {};
  if (query !== undefined && query !== '') {
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      if (/^\d{2,4}$/.test(key)) {
        if (!aiDefinition(key)) throw dlError(`query AI ${key} is not a supported GS1 Application Identifier`, uri, key);
        if (key in ais) throw dlError(`AI ${key} appears more than once`, uri, key);
        if (DIGITAL_LINK_PRIMARY_KEYS.includes(key) || qualifiers.includes(key)) throw dlError(`AI ${key} belongs in the path, not the query`, uri, key);
        ais[key] = decode(value, uri, key);
      } else {
        parameters[decode(key, uri, key)] = decode(value, uri, key);
      }
    }
  }

  if (primaryKey === '01' && ais['01'] !== undefined) {
    try {
      ais['01'] = normaliseGtin(ais['01']);
    } catch (e) {
      if (isDomainError(e)) throw new DomainError(e.code, `GS1 Digital Link ${JSON.stringify(uri)}: ${e.message}`, e.details);
      throw e;
    }
  }
  for (const [ai, value] of Object.entries(ais)) validateAiValue(ai, value, options);
  const prefix = segments.slice(0, keyIndex);
  return { ais, primaryKey, base: origin + (prefix.length ? '/' + prefix.join('/') : ''), parameters };
}

export interface DigitalLinkOptions {
  /** Scheme and host, optionally with a path prefix; default https://id.gs1.org. */
  readonly base?: string;
}

/**
 * Builds a Digital Link from AI values: primary key, its qualifiers in the mandated order, then
 * every other AI as a query parameter in ascending AI order (deterministic output).
 */
export function buildDigitalLink(ais: Readonly<Record<string, string>>, options: DigitalLinkOptions = {}): string {
  const base = (options.base ?? DEFAULT_DIGITAL_LINK_HOST).replace(/\/+$/, '');
  const primaryKey = DIGITAL_LINK_PRIMARY_KEYS.find((k) => ais[k] !== undefined);
  if (!primaryKey) throw new DomainError('DIGITAL_LINK_INVALID', `a Digital Link needs a primary key AI (01, 00, 414, ...); got AIs ${Object.keys(ais).join(', ')}`, { reason: 'no primary key' });
  const qualifiers = aiDefinition(primaryKey)?.digitalLinkQualifiers ?? [];
  const keyValue = primaryKey === '01' ? normaliseGtin(ais['01'] as string) : (ais[primaryKey] as string);
  for (const [ai, value] of Object.entries(ais)) if (ai !== '01') validateAiValue(ai, value);
  let path = `/${primaryKey}/${encodeDigitalLinkValue(keyValue)}`;
  for (const q of qualifiers) {
    const v = ais[q];
    if (v !== undefined) path += `/${q}/${encodeDigitalLinkValue(v)}`;
  }
  const inPath = new Set([primaryKey, ...qualifiers]);
  const query = Object.keys(ais)
    .filter((ai) => !inPath.has(ai))
    .sort(compareAis)
    .map((ai) => `${ai}=${encodeDigitalLinkValue(ais[ai] as string)}`);
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
export function canonicalDigitalLink(ais: Readonly<Record<string, string>>): string {
  const pk = DIGITAL_LINK_PRIMARY_KEYS.find((k) => ais[k] !== undefined);
  if (!pk) throw new DomainError('DIGITAL_LINK_INVALID', 'no primary key to build a canonical Digital Link', { reason: 'no primary key' });
  const keep: Record<string, string> = { [pk]: ais[pk] as string };
  const finest: Readonly<Record<string, readonly string[]>> = { '01': ['21', '10', '235'], '8006': ['21', '10'], '414': ['254'], '8010': ['8011'] };
  const q = (finest[pk] ?? []).find((ai) => ais[ai] !== undefined && !(pk === '414' && ais[ai] === '0'));
  if (q) keep[q] = ais[q] as string;
  return buildDigitalLink(keep, { base: DEFAULT_DIGITAL_LINK_HOST });
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
      throw dlError('a GTIN without serial or lot has no EPC instance URN', uri, '01');
    case '00':
      return ssccToEpcUrn(get('00'), options);
    case '414':
      return sglnToEpcUrn(get('414'), ais['254'] ?? '0', options);
    case '417':
      return pglnToEpcUrn(get('417'), options);
    default:
      throw dlError(`primary key ${primaryKey} has no supported EPC URN scheme`, uri, primaryKey);
  }
}
