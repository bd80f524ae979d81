import { DomainError } from '../errors';
import { canonicalIdentifierForHash, epcUriToCanonicalDigitalLink, parseEpcUri } from './epc-uri';
import { EVENT_TYPES } from './events';
import { normaliseVocabulary, type VocabularyKind } from './vocabulary';

/**
 * EPCIS 2.0 SimpleEventQuery (§8.2.7.1) as a pure filter over events, for a repository or the REST
 * binding's GET /events: parameters parsed and checked once (`parseEpcisQuery`), then matched per
 * event (`matchesEpcisQuery`) and ordered/limited (`runEpcisQuery`). Identifiers compare in any
 * form (EPC URN, Digital Link on any host) and EPC patterns match the instances they cover;
 * vocabulary values compare in any spelling. Several values of one parameter are alternatives,
 * given as an array or separated by `|` (not a GS1 character, so never part of an identifier).
 * Not here: WD_ (descendants need master data hierarchies, matched as EQ_), pagination tokens and
 * subscriptions (transport concerns).
 */

type Obj = Record<string, unknown>;
export type EpcisQueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface EpcisQuery {
  readonly eventTypes?: ReadonlySet<string>;
  readonly times: ReadonlyArray<{ readonly field: string; readonly op: 'GE' | 'LT'; readonly at: number }>;
  readonly equals: ReadonlyArray<{ readonly field: string; readonly kind?: VocabularyKind; readonly values: ReadonlySet<string> }>;
  readonly matches: ReadonlyArray<{ readonly fields: readonly string[]; readonly quantity: boolean; readonly patterns: readonly string[] }>;
  readonly quantities: ReadonlyArray<{ readonly op: 'EQ' | 'GT' | 'GE' | 'LT' | 'LE'; readonly value: number }>;
  readonly exists: readonly string[];
  readonly typed: ReadonlyArray<{ readonly list: 'bizTransactionList' | 'sourceList' | 'destinationList'; readonly type: string; readonly values: ReadonlySet<string> }>;
  readonly orderBy?: string;
  readonly orderDirection: 'ASC' | 'DESC';
  readonly eventCountLimit?: number;
  readonly maxEventCount?: number;
}

function queryError(message: string, parameter: string): DomainError {
  return new DomainError('EPCIS_QUERY_INVALID', `query parameter ${parameter}: ${message}`, { reason: message, parameter });
}

const valuesOf = (v: string | readonly string[]): string[] => (typeof v === 'string' ? [v] : [...v]).flatMap((x) => x.split('|')).map((x) => x.trim()).filter((x) => x !== '');

const VOCAB_EQ: Readonly<Record<string, readonly [string, VocabularyKind | undefined]>> = {
  EQ_action: ['action', undefined],
  EQ_bizStep: ['bizStep', 'bizStep'],
  EQ_disposition: ['disposition', 'disposition'],
  EQ_persistentDisposition_set: ['persistentDisposition.set', 'disposition'],
  EQ_persistentDisposition_unset: ['persistentDisposition.unset', 'disposition'],
  EQ_readPoint: ['readPoint.id', undefined],
  WD_readPoint: ['readPoint.id', undefined],
  EQ_bizLocation: ['bizLocation.id', undefined],
  WD_bizLocation: ['bizLocation.id', undefined],
  EQ_transformationID: ['transformationID', undefined],
  EQ_eventID: ['eventID', undefined],
  EQ_errorReason: ['errorDeclaration.reason', 'errorReason'],
  EQ_correctiveEventID: ['errorDeclaration.correctiveEventIDs', undefined],
  EQ_type: ['sensorElementList.sensorReport.type', undefined],
  EQ_deviceID: ['sensorElementList.sensorReport.deviceID|sensorElementList.sensorMetadata.deviceID', undefined],
  EQ_dataProcessingMethod: ['sensorElementList.sensorReport.dataProcessingMethod|sensorElementList.sensorMetadata.dataProcessingMethod', undefined],
  EQ_microorganism: ['sensorElementList.sensorReport.microorganism', undefined],
  EQ_chemicalSubstance: ['sensorElementList.sensorReport.chemicalSubstance', undefined],
  EQ_bizRules: ['sensorElementList.sensorMetadata.bizRules', undefined],
  EQ_stringValue: ['sensorElementList.sensorReport.stringValue', undefined],
  EQ_uriValue: ['sensorElementList.sensorReport.uriValue', undefined],
  EQ_hexBinaryValue: ['sensorElementList.sensorReport.hexBinaryValue', undefined],
  EQ_booleanValue: ['sensorElementList.sensorReport.booleanValue', undefined],
};

const MATCH: Readonly<Record<string, readonly [readonly string[], boolean]>> = {
  MATCH_epc: [['epcList', 'childEPCs'], false],
  MATCH_parentID: [['parentID'], false],
  MATCH_inputEPC: [['inputEPCList'], false],
  MATCH_outputEPC: [['outputEPCList'], false],
  MATCH_anyEPC: [['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList', 'parentID'], false],
  MATCH_epcClass: [['quantityList', 'childQuantityList'], true],
  MATCH_inputEPCClass: [['inputQuantityList'], true],
  MATCH_outputEPCClass: [['outputQuantityList'], true],
  MATCH_anyEPCClass: [['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'], true],
};

const TIME_FIELDS: Readonly<Record<string, string>> = { eventTime: 'eventTime', recordTime: 'recordTime', errorDeclarationTime: 'errorDeclaration.declarationTime' };
const REST_ONLY = new Set(['perPage', 'nextPageToken', 'stream']);

export function parseEpcisQuery(params: EpcisQueryParams): EpcisQuery {
  const times: Array<EpcisQuery['times'][number]> = [];
  const equals: Array<EpcisQuery['equals'][number]> = [];
  const matches: Array<EpcisQuery['matches'][number]> = [];
  const quantities: Array<EpcisQuery['quantities'][number]> = [];
  const exists: string[] = [];
  const typed: Array<EpcisQuery['typed'][number]> = [];
  let eventTypes: Set<string> | undefined;
  let orderBy: string | undefined;
  let orderDirection: 'ASC' | 'DESC' = 'DESC';
  let eventCountLimit: number | undefined;
  let maxEventCount: number | undefined;
  const count = (name: string, v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw queryError('must be a positive integer', name);
    return Number(v);
  };
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined || REST_ONLY.has(name)) continue;
    const values = valuesOf(raw);
    if (values.length === 0) throw queryError('has no value', name);
    const one = values[0] as string;
    let m: RegExpExecArray | null;
    if (name === 'eventType') {
      for (const t of values) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw queryError(`unknown event type ${JSON.stringify(t)}`, name);
      eventTypes = new Set(values);
    } else if ((m = /^(GE|LT)_(eventTime|recordTime|errorDeclarationTime)$/.exec(name))) {
      const at = Date.parse(one);
      if (Number.isNaN(at) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(one)) throw queryError(`${JSON.stringify(one)} is not a timestamp with a time zone`, name);
      times.push({ field: TIME_FIELDS[m[2] as string] as string, op: m[1] as 'GE' | 'LT', at });
    } else if (VOCAB_EQ[name]) {
      const [field, kind] = VOCAB_EQ[name] as readonly [string, VocabularyKind | undefined];
      if (name === 'EQ_action') for (const a of values) if (!['ADD', 'OBSERVE', 'DELETE'].includes(a)) throw queryError(`action must be ADD, OBSERVE or DELETE, got ${a}`, name);
      const normal = values.map((v) => {
        if (!kind) return field.endsWith('.id') ? identity(v) : v;
        try {
          return normaliseVocabulary(kind, v);
        } catch (e) {
          throw queryError((e as Error).message, name);
        }
      });
      equals.push({ field, ...(kind ? { kind } : {}), values: new Set(normal) });
    } else if (MATCH[name]) {
      const [fields, quantity] = MATCH[name] as readonly [readonly string[], boolean];
      matches.push({ fields, quantity, patterns: values });
    } else if ((m = /^(EQ|GT|GE|LT|LE)_quantity$/.exec(name))) {
      const value = Number(one);
      if (!Number.isFinite(value)) throw queryError('must be a number', name);
      quantities.push({ op: m[1] as 'EQ', value });
    } else if ((m = /^EQ_(bizTransaction|source|destination)_(.+)$/.exec(name))) {
      const list = `${m[1] as string}List` as 'bizTransactionList';
      const kind: VocabularyKind = m[1] === 'bizTransaction' ? 'bizTransactionType' : 'sourceDestinationType';
      let type: string;
      try {
        type = normaliseVocabulary(kind, m[2] as string);
      } catch (e) {
        throw queryError((e as Error).message, name);
      }
      typed.push({ list, type, values: new Set(values.map(identity)) });
    } else if ((m = /^EXISTS_(.+)$/.exec(name))) {
      exists.push(m[1] as string);
    } else if ((m = /^EQ_(.+:.+)$/.exec(name))) {
      equals.push({ field: m[1] as string, values: new Set(values) });
    } else if (name === 'orderBy') {
      if (!['eventTime', 'recordTime'].includes(one) && !one.includes(':')) throw queryError('orderBy is eventTime, recordTime or an extension field', name);
      orderBy = one;
    } else if (name === 'orderDirection') {
      if (one !== 'ASC' && one !== 'DESC') throw queryError('orderDirection is ASC or DESC', name);
      orderDirection = one;
    } else if (name === 'eventCountLimit') eventCountLimit = count(name, one);
    else if (name === 'maxEventCount') maxEventCount = count(name, one);
    else throw queryError('is not an EPCIS 2.0 query parameter', name);
  }
  if (eventCountLimit !== undefined && maxEventCount !== undefined) throw queryError('eventCountLimit and maxEventCount exclude each other', 'eventCountLimit');
  if (eventCountLimit !== undefined && !orderBy) throw queryError('eventCountLimit needs orderBy', 'eventCountLimit');
  return { ...(eventTypes ? { eventTypes } : {}), times, equals, matches, quantities, exists, typed, ...(orderBy ? { orderBy } : {}), orderDirection, ...(eventCountLimit ? { eventCountLimit } : {}), ...(maxEventCount ? { maxEventCount } : {}) };
}

/** One identity for any spelling of a GS1 key: its canonical Digital Link, or the value itself. */
function identity(value: string): string {
  return canonicalIdentifierForHash(value.trim()) ?? value.trim();
}

/** Values at a dotted path, through arrays (`sensorElementList.sensorReport.type`). */
function at(event: unknown, path: string): unknown[] {
  let current: unknown[] = [event];
  for (const key of path.split('.')) {
    current = current.flatMap((v) => (Array.isArray(v) ? v : [v])).flatMap((v) => (typeof v === 'object' && v !== null && key in v ? [(v as Obj)[key]] : []));
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function vocabularyOf(kind: VocabularyKind | undefined, v: unknown): string {
  const s = typeof v === 'boolean' ? String(v) : String(v);
  if (!kind) return s;
  try {
    return normaliseVocabulary(kind, s);
  } catch {
    return s;
  }
}

/** Does `epc` fall under `pattern` (an EPC URI, EPC pattern or Digital Link)? */
export function epcMatches(epc: string, pattern: string): boolean {
  if (epc === pattern) return true;
  const p = parseEpcUri(pattern);
  if (p?.kind === 'idpat') {
    const prefix = pattern.replace(/^urn:epc:idpat:/, 'urn:epc:id:').replace(/(\.\*)+$/, '.');
    if (epc.startsWith(prefix) || (pattern.endsWith(':*.*.*') && epc.startsWith(`urn:epc:id:${p.scheme}:`))) return true;
    const keyLevel = epcUriToCanonicalDigitalLink(pattern);
    const candidate = canonicalIdentifierForHash(epc);
    return keyLevel !== undefined && candidate !== undefined && (candidate === keyLevel || candidate.startsWith(keyLevel + '/'));
  }
  const a = canonicalIdentifierForHash(epc);
  return a !== undefined && a === canonicalIdentifierForHash(pattern);
}

export function matchesEpcisQuery(event: object, query: EpcisQuery): boolean {
  const e = event as Obj;
  if (query.eventTypes && !query.eventTypes.has(String(e['type']))) return false;
  for (const t of query.times) {
    const values = at(e, t.field);
    if (values.length === 0) return false;
    const ms = Date.parse(String(values[0]));
    if (Number.isNaN(ms) || (t.op === 'GE' ? ms < t.at : ms >= t.at)) return false;
  }
  for (const q of query.equals) {
    const values = q.field.split('|').flatMap((f) => at(e, f)).map((v) => (q.field.endsWith('.id') ? identity(String(v)) : vocabularyOf(q.kind, v)));
    if (!values.some((v) => q.values.has(v))) return false;
  }
  for (const q of query.matches) {
    const candidates = q.fields.flatMap((f) => (q.quantity ? at(e, `${f}.epcClass`) : at(e, f))).map(String);
    if (!candidates.some((c) => q.patterns.some((p) => epcMatches(c, p)))) return false;
  }
  if (query.quantities.length) {
    const amounts = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'].flatMap((f) => at(e, `${f}.quantity`)).filter((v): v is number => typeof v === 'number');
    const ok = (n: number): boolean => query.quantities.every(({ op, value }) => (op === 'EQ' ? n === value : op === 'GT' ? n > value : op === 'GE' ? n >= value : op === 'LT' ? n < value : n <= value));
    if (!amounts.some(ok)) return false;
  }
  for (const field of query.exists) if (at(e, field).length === 0) return false;
  for (const q of query.typed) {
    const valueKey = q.list === 'bizTransactionList' ? 'bizTransaction' : q.list === 'sourceList' ? 'source' : 'destination';
    const entries = Array.isArray(e[q.list]) ? (e[q.list] as Obj[]) : [];
    const kind: VocabularyKind = q.list === 'bizTransactionList' ? 'bizTransactionType' : 'sourceDestinationType';
    if (!entries.some((x) => vocabularyOf(kind, x['type']) === q.type && q.values.has(identity(String(x[valueKey]))))) return false;
  }
  return true;
}

/** Filter, order (orderBy/orderDirection) and limit (eventCountLimit; maxEventCount refuses more). */
export function runEpcisQuery<E extends object>(events: Iterable<E>, query: EpcisQuery): E[] {
  const hits: E[] = [];
  for (const e of events) if (matchesEpcisQuery(e, query)) hits.push(e);
  if (query.orderBy) {
    const key = (e: E): number | string => {
      const v = at(e, query.orderBy as string)[0];
      const ms = typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isNaN(ms) ? String(v ?? '') : ms;
    };
    const sign = query.orderDirection === 'ASC' ? 1 : -1;
    hits.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }
  if (query.maxEventCount !== undefined && hits.length > query.maxEventCount) {
    throw new DomainError('EPCIS_QUERY_INVALID', `the query matches ${hits.length} events, more than maxEventCount ${query.maxEventCount}`, { reason: 'QueryTooLargeException', parameter: 'maxEventCount' });
  }
  return query.eventCountLimit !== undefined ? hits.slice(0, query.eventCountLimit) : hits;
}
