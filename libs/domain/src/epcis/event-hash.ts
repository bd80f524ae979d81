import { createHash } from 'node:crypto';
import { canonicalDigitalLink, isDigitalLinkUri, parseDigitalLink } from '../gs1/digital-link';
import { parseEpcUrn } from '../gs1/epc-urn';
import { parseTimestamp, toUtcIsoString } from '../time';
import { canonicalIdentifierForHash } from './epc-uri';
import { referencePreString } from './event-hash-reference';
import { LOCAL_BASE_EXTENSION_KEY, localExtensionName } from './local-extension';
import { toWebVocabulary, type VocabularyKind } from './vocabulary';

/**
 * EPCIS Event Hash ID (CBV 2.0 §8.9): a content-derived event ID, the same whether the event came
 * as XML or JSON-LD, so two systems (or a retried chaincode call) name the same event the same way.
 *
 * Two readings. The default, `reference`, is what GS1's reference implementation
 * (RalphTro/epcis-event-hash-generator) computes, and so what partners' tools put in eventID; it is
 * ported in event-hash-reference.ts and checked against vectors that implementation produced
 * (hash-vectors.json). `cbv-text` reads the standard's text literally: canonical property order
 * eventType, eventTime, eventTimeZoneOffset, certificationInfo, epcList, parentID, inputEPCList,
 * childEPCs, quantity lists, outputEPCList, outputQuantityList, action, transformationID, bizStep,
 * disposition, persistentDisposition, readPoint, bizLocation, bizTransactionList, sourceList,
 * destinationList, sensorElementList, ilmd, then user extensions; CBV prefixes always expanded.
 * Both: UTC millisecond timestamps, CBV terms as Web URIs, every GS1 identifier form (EPC URI of
 * any TDS scheme, class, pattern, Digital Link on any host) as the constrained canonical Digital
 * Link; eventID, recordTime, errorDeclaration and comments do not take part. docs/events.md lists
 * where the readings differ.
 */

/** Hex digest of UTF-8 text. Injected so a caller can swap algorithm or implementation. */
export type HashFunction = (text: string) => string;

export const sha256Hex: HashFunction = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface EventHashOptions {
  /** Digest function; default SHA-256 via node:crypto (deterministic, allowed in chaincode). */
  readonly hash?: HashFunction;
  /** Name registered for the digest in RFC 6920 (`sha-256`, `sha-384`, ...). */
  readonly algorithm?: string;
  /**
   * JSON-LD prefixes -> namespace IRIs declared by the event's document (`contextNamespaces(doc['@context'])`,
   * or the XML namespace declarations). Prefixed names whose prefix is declared hash as
   * `{iri}local`; others hash as written, as the reference implementation does.
   */
  readonly namespaces?: Readonly<Record<string, string>>;
  /**
   * `reference` (default): what GS1's reference implementation and partners' tools compute.
   * `cbv-text`: the CBV 2.0 text read literally (sourceList before destinationList, ILMD after
   * sensorElementList, CBV-defined prefixes always expanded). See docs/events.md.
   */
  readonly reading?: 'reference' | 'cbv-text';
  /**
   * The form the event arrived in, for the reference reading: `xml` for events read by the EPCIS
   * XML reader (what a partner hashing its XML file gets), `json-ld` (default) otherwise.
   */
  readonly source?: 'json-ld' | 'xml';
}

/** Prefixes from the EPCIS 2.0 context that DSCSA files use. */
export const DEFAULT_NAMESPACES: Readonly<Record<string, string>> = {
  cbvmda: 'urn:epcglobal:cbv:mda',
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
};

const EXCLUDED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context', 'rdfs:comment', 'comment']);
const EPC_LISTS = ['epcList', 'inputEPCList', 'childEPCs', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const SENSOR_METADATA_ORDER = ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'];
const SENSOR_REPORT_ORDER = [
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time', 'microorganism', 'chemicalSubstance',
  'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev',
  'percRank', 'percValue', 'uom', 'coordinateReferenceSystem',
];
const STANDARD_KEYS = new Set([
  ...EPC_LISTS, ...QUANTITY_LISTS, 'eventTime', 'eventTimeZoneOffset', 'certificationInfo', 'parentID', 'action', 'transformationID',
  'bizStep', 'disposition', 'persistentDisposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList',
  'destinationList', 'sensorElementList', 'ilmd',
]);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The CBV 2.0 §8.9 text read literally (see `reading`). */
function cbvTextPreString(event: object, options: EventHashOptions): string {
  const e = event as Record<string, Json>;
  const ns = { ...DEFAULT_NAMESPACES, ...(options.namespaces ?? {}) };
  let out = `eventType=${String(e['type'])}`;
  const field = (key: string, value: Json | undefined, canon: (v: string) => string = plain): void => {
    if (value === undefined || value === null) return;
    const text = canon(scalar(value));
    if (text !== '') out += `${key}=${text}`;
  };

  field('eventTime', e['eventTime'], utc);
  field('eventTimeZoneOffset', e['eventTimeZoneOffset']);
  out += asArray(e['certificationInfo']).map((c) => `certificationInfo=${plain(scalar(c))}`).sort().join('');
  for (const key of ['epcList', 'parentID', 'inputEPCList', 'childEPCs']) {
    if (key === 'parentID') field('parentID', e['parentID'], identifier);
    else if (e[key] !== undefined) out += list(key, asArray(e[key]).map((epc) => `epc=${identifier(scalar(epc))}`));
  }
  for (const key of ['quantityList', 'childQuantityList', 'inputQuantityList']) out += quantities(key, e[key]);
  if (e['outputEPCList'] !== undefined) out += list('outputEPCList', asArray(e['outputEPCList']).map((epc) => `epc=${identifier(scalar(epc))}`));
  out += quantities('outputQuantityList', e['outputQuantityList']);
  field('action', e['action']);
  field('transformationID', e['transformationID'], identifier);
  field('bizStep', e['bizStep'], vocabulary('bizStep'));
  field('disposition', e['disposition'], vocabulary('disposition'));
  const pd = e['persistentDisposition'];
  if (isObject(pd)) {
    const parts = ['set', 'unset'].map((k) => asArray(pd[k]).map((d) => `${k}=${vocabulary('disposition')(scalar(d))}`).sort().join('')).join('');
    if (parts) out += `persistentDisposition${parts}`;
  }
  for (const key of ['readPoint', 'bizLocation']) {
    const loc = e[key];
    if (isObject(loc) && loc['id'] !== undefined) out += `${key}id=${identifier(scalar(loc['id']))}${extensions(loc, new Set(['id']), ns)}`;
  }
  out += typed('bizTransactionList', 'bizTransaction', e['bizTransactionList'], 'bizTransactionType', plain);
  out += typed('sourceList', 'source', e['sourceList'], 'sourceDestinationType', identifier);
  out += typed('destinationList', 'destination', e['destinationList'], 'sourceDestinationType', identifier);
  out += sensors(e['sensorElementList'], ns);
  const ilmd = e['ilmd'];
  if (isObject(ilmd)) {
    const parts = extensionParts(ilmd, new Set(), ns);
    if (parts.length) out += `ilmd${parts.sort().join('')}`;
  }
  const userKeys = Object.keys(e).filter((k) => !STANDARD_KEYS.has(k) && !EXCLUDED.has(k));
  out += extensionParts(Object.fromEntries(userKeys.map((k) => [k, e[k] as Json])), new Set(), ns).sort().join('');
  return out;
}

export function eventHashPreString(event: object, options: EventHashOptions = {}): string {
  const e = withoutBaseExtensionSlot(event as Record<string, Json>);
  return options.reading === 'cbv-text' ? cbvTextPreString(e, options) : referencePreString(e, options.namespaces ?? {}, options.source);
}

/**
 * 1.2's `baseExtension/extension` elements (kept apart under `pdlocal:baseExtension` so they go
 * back to their slot) hash as fields of the event: the wrappers are no part of the event's content,
 * and the reference implementation drops them from the XML.
 */
function withoutBaseExtensionSlot(event: Record<string, Json>): Record<string, Json> {
  const base = event[LOCAL_BASE_EXTENSION_KEY];
  if (!isObject(base)) return event;
  const out: Record<string, Json> = { ...event };
  delete out[LOCAL_BASE_EXTENSION_KEY];
  for (const [k, v] of Object.entries(base)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...asArray(prev), ...asArray(v)];
  }
  return out;
}

/** `ni:///sha-256;{hex}?ver=CBV2.0` */
export function computeEventHashId(event: object, options: EventHashOptions = {}): string {
  const hash = options.hash ?? sha256Hex;
  return `ni:///${options.algorithm ?? 'sha-256'};${hash(eventHashPreString(event, options))}?ver=CBV2.0`;
}

/** True when the event carries no eventID or one equal to its content hash. */
export function hasConsistentEventId(event: { readonly eventID?: string }, options: EventHashOptions = {}): boolean {
  return event.eventID === undefined || !event.eventID.startsWith('ni:///') || event.eventID === computeEventHashId(event, options);
}

// ------------------------------------------------------------------------------------------------

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: Json | undefined): Json[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function scalar(v: Json): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return '';
}

/** "Quantitative values SHALL NOT have trailing zeros": 1.0 -> 1, 0.3430 -> 0.343. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function plain(v: string): string {
  const t = v.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) && !/^0\d/.test(t) ? formatNumber(Number(t)) : expandCurie(t);
}

function utc(v: string): string {
  try {
    return toUtcIsoString(parseTimestamp(v.trim()).epochMs);
  } catch {
    return v.trim();
  }
}

function expandCurie(v: string): string {
  for (const [prefix, iri] of Object.entries(DEFAULT_NAMESPACES)) {
    if (prefix !== 'cbvmda' && v.startsWith(`${prefix}:`) && !v.startsWith(`${prefix}://`)) return iri + v.slice(prefix.length + 1);
  }
  return v;
}

/** EPC URN / Digital Link -> constrained canonical Digital Link; anything else unchanged. */
function identifier(v: string): string {
  const t = v.trim();
  const canonical = canonicalIdentifierForHash(t);
  if (canonical !== undefined) return canonical;
  try {
    if (t.startsWith('urn:epc:id:') || t.startsWith('urn:epc:class:')) {
      const id = parseEpcUrn(t);
      switch (id.scheme) {
        case 'sgtin':
          return canonicalDigitalLink({ '01': id.gtin, '21': id.serial });
        case 'lgtin':
          return canonicalDigitalLink({ '01': id.gtin, '10': id.lot });
        case 'sscc':
          return canonicalDigitalLink({ '00': id.sscc });
        case 'sgln':
          return canonicalDigitalLink(id.extension === '0' ? { '414': id.gln } : { '414': id.gln, '254': id.extension });
        case 'pgln':
          return canonicalDigitalLink({ '417': id.gln });
      }
    }
    if (isDigitalLinkUri(t)) return canonicalDigitalLink(parseDigitalLink(t).ais);
  } catch {
    // Not a GS1 identifier we can canonicalise (e.g. a private URN): hash it as written.
  }
  return expandCurie(t);
}

function vocabulary(kind: VocabularyKind): (v: string) => string {
  return (v) => {
    try {
      return toWebVocabulary(kind, v);
    } catch {
      return v.trim();
    }
  };
}

function list(name: string, items: string[]): string {
  const parts = items.filter((s) => s !== '');
  return parts.length === 0 ? '' : name + parts.sort().join('');
}

function quantities(name: string, value: Json | undefined): string {
  return list(
    name,
    asArray(value)
      .filter(isObject)
      .map((q) => {
        let s = 'quantityElement';
        if (q['epcClass'] !== undefined) s += `epcClass=${identifier(scalar(q['epcClass']))}`;
        if (q['quantity'] !== undefined) s += `quantity=${plain(scalar(q['quantity']))}`;
        if (q['uom'] !== undefined) s += `uom=${plain(scalar(q['uom']))}`;
        return s;
      }),
  );
}

function typed(listName: string, valueKey: string, value: Json | undefined, kind: VocabularyKind, canon: (v: string) => string): string {
  return list(
    listName,
    asArray(value)
      .filter(isObject)
      .map((item) => (item['type'] !== undefined ? `type=${vocabulary(kind)(scalar(item['type']))}` : '') + `${valueKey}=${canon(scalar(item[valueKey] ?? ''))}`),
  );
}

function sensors(value: Json | undefined, ns: Readonly<Record<string, string>>): string {
  const elements = asArray(value)
    .filter(isObject)
    .map((element) => {
      let s = 'sensorElement';
      const meta = element['sensorMetadata'];
      if (isObject(meta)) s += `sensorMetadata${ordered(meta, SENSOR_METADATA_ORDER)}${extensions(meta, new Set(SENSOR_METADATA_ORDER), ns)}`;
      s += asArray(element['sensorReport'])
        .filter(isObject)
        .map((r) => `sensorReport${ordered(r, SENSOR_REPORT_ORDER)}${extensions(r, new Set(SENSOR_REPORT_ORDER), ns)}`)
        .sort()
        .join('');
      return s + extensions(element, new Set(['sensorMetadata', 'sensorReport']), ns);
    });
  return list('sensorElementList', elements);
}

function ordered(obj: { [key: string]: Json }, order: readonly string[]): string {
  let s = '';
  for (const key of order) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    const text = /time$/i.test(key) ? utc(scalar(v)) : key === 'deviceID' || key === 'deviceMetadata' || key === 'rawData' ? identifier(scalar(v)) : plain(scalar(v));
    if (text !== '') s += `${key}=${text}`;
  }
  return s;
}

function extensions(obj: { [key: string]: Json }, known: ReadonlySet<string>, ns: Readonly<Record<string, string>>): string {
  return extensionParts(obj, known, ns).sort().join('');
}

/** `{namespace}localName=value`, nested objects as their name followed by their sorted children. */
function extensionParts(obj: { [key: string]: Json }, known: ReadonlySet<string>, ns: Readonly<Record<string, string>>): string[] {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (known.has(key) || EXCLUDED.has(key) || key.startsWith('@')) continue;
    const name = qualifiedName(key, ns);
    for (const v of asArray(value)) {
      if (isObject(v)) parts.push(name + extensionParts(v, new Set(), ns).sort().join(''));
      else if (Array.isArray(v)) continue;
      else {
        const text = plain(scalar(v));
        parts.push(text === '' ? name : `${name}=${text}`);
      }
    }
  }
  return parts;
}

function qualifiedName(key: string, ns: Readonly<Record<string, string>>): string {
  const local = localExtensionName(key);
  if (local !== undefined) return local; // an element in no namespace: no braces (CBV 2.0 user extensions)
  const colon = key.indexOf(':');
  if (colon === -1) return key;
  const iri = ns[key.slice(0, colon)];
  return iri === undefined ? key : `{${iri.replace(/#$/, '')}}${key.slice(colon + 1)}`;
}

/** Prefix -> IRI declarations of a JSON-LD `@context` (its object entries), for `namespaces`. */
export function contextNamespaces(context: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of Array.isArray(context) ? context : [context]) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) continue;
    for (const [k, v] of Object.entries(c as Record<string, unknown>)) if (typeof v === 'string' && !k.startsWith('@')) out[k] = v;
  }
  return out;
}
