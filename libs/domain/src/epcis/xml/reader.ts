import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { DomainError } from '../../errors';
import { EPCIS_CONTEXT } from '../events';
import { normaliseVocabulary, type VocabularyKind } from '../vocabulary';
import {
  EPC_LIST_FIELDS, EPCIS_NS, EVENT_ELEMENTS, QUANTITY_LIST_FIELDS, REQUIRED_LIST_12, SBDH_NS, SENSOR_NUMBERS, WELL_KNOWN_PREFIXES, XSI_NS, type EpcisXmlVersion,
} from './xml-model';
import { EPCIS_XSD_RULES } from './xsd-rules.generated';
import { XsdValidator, type SchemaIssue } from './xsd-validator';
import { LOCAL_BASE_EXTENSION_KEY, LOCAL_EXTENSION_NS, LOCAL_EXTENSION_PREFIX, localExtensionKey } from '../local-extension';

/**
 * Streaming EPCIS 1.2 / 2.0 XML reader. Text goes in as chunks; each event comes out as EPCIS 2.0
 * JSON-LD as soon as its closing tag is read, and only that event's elements are ever held (plus
 * the header), so a 10,000-event document never becomes a DOM. Errors name the line, column and
 * element path. 1.2's `<extension>` / `<baseExtension>` wrappers and the TransformationEvent inside
 * `<EventList><extension>` are unwrapped into 2.0 fields; CBV URNs become bare terms; namespaced
 * elements become prefixed keys whose prefixes are declared in the resulting @context; elements
 * in no namespace in the `##local` extension slots become `pdlocal:` keys (../local-extension.ts).
 */

type Json = string | number | boolean | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface XNode {
  readonly local: string;
  readonly uri: string;
  readonly prefix: string;
  readonly attributes: readonly SaxesAttributeNS[];
  readonly kids: XNode[];
  text: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

export interface XmlLocation {
  readonly line: number;
  readonly column: number;
  /** Element path, e.g. `/EPCISDocument/EPCISBody/EventList/ObjectEvent[3]`. */
  readonly path: string;
}

export interface EpcisXmlHeader {
  readonly version: EpcisXmlVersion;
  readonly creationDate?: string;
  /** EPCIS 2.0 JSON-LD `epcisHeader`: SBDH, master data, GS1 US extensions. */
  readonly epcisHeader?: JsonObject;
}

export interface EpcisXmlReadOptions {
  /** Called for every event as soon as it is complete. */
  readonly onEvent?: (event: JsonObject, index: number, location: XmlLocation) => void;
  /** Keep events for the returned document (default true; false for streaming capture). */
  readonly keepEvents?: boolean;
  /**
   * Check the document against the rules of GS1's XML schema for its version while reading
   * (default true); `end()` then throws EPCIS_XML_INVALID with every schema issue.
   */
  readonly schema?: boolean;
}

export interface EpcisXmlReadResult {
  readonly version: EpcisXmlVersion;
  /** The document as EPCIS 2.0 JSON-LD (eventList empty when keepEvents is false). */
  readonly document: JsonObject;
  /** Where each event started in the XML, by index. */
  readonly locations: readonly XmlLocation[];
  /** Prefix -> namespace of the extensions seen (also in the document's @context). */
  readonly namespaces: Readonly<Record<string, string>>;
  readonly eventCount: number;
  /**
   * Content the document carries that has no place in EPCIS 2.0 JSON-LD and so is not in
   * `document`: the outermost such element of EPCISDocument/extension, EPCISBody/extension,
   * EventList/extension/extension (1.2's `##local` slot for later versions) and the `##other`
   * elements of the document, its body and its event list (an event type in another namespace).
   * A capture names these in its answer instead of dropping them silently.
   */
  readonly omitted: readonly XmlOmission[];
}

/** One element a read left out of the document, and where. */
export interface XmlOmission extends XmlLocation {
  /** `{namespace}localName`, or the local name for an element in no namespace. */
  readonly element: string;
}

/** Where the reader walks the document's structure; a child there that is not part of it is omitted. */
const STRUCTURE: Readonly<Record<string, readonly string[]>> = {
  EPCISDocument: ['EPCISHeader', 'EPCISBody'],
  'EPCISDocument/EPCISBody': ['EventList'],
  'EPCISDocument/EPCISBody/EventList': ['extension'],
  'EPCISDocument/EPCISBody/EventList/extension': [],
};

function xmlError(message: string, at: { line: number; column: number; path?: string }): DomainError {
  return new DomainError('EPCIS_XML_INVALID', `EPCIS XML line ${at.line}, column ${at.column}${at.path ? ` (${at.path})` : ''}: ${message}`, {
    reason: message, line: at.line, column: at.column, ...(at.path ? { path: at.path } : {}),
  });
}

export class EpcisXmlReader {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly stack: Array<{ local: string; path: string; count: Map<string, number>; node?: XNode }> = [];
  private readonly events: JsonObject[] = [];
  private readonly locations: XmlLocation[] = [];
  private readonly omitted: XmlOmission[] = [];
  private readonly namespaces: Record<string, string> = {};
  private version: EpcisXmlVersion | undefined;
  private creationDate: string | undefined;
  private header: JsonObject | undefined;
  private capture: XNode | undefined;
  private eventCount = 0;
  private failure: DomainError | undefined;
  private schema: XsdValidator | undefined;

  constructor(private readonly options: EpcisXmlReadOptions = {}) {
    this.parser.on('error', (e) => {
      throw this.failure ?? xmlError(e.message.replace(/^[^:]*:\d+:\d+: /, ''), { line: this.parser.line, column: this.parser.column + 1, path: this.path() });
    });
    this.parser.on('opentag', (tag) => this.open(tag as SaxesTagNS));
    this.parser.on('closetag', () => this.close());
    this.parser.on('text', (t) => {
      this.schema?.text(t);
      this.text(t);
    });
    this.parser.on('cdata', (t) => {
      this.schema?.text(t);
      this.text(t);
    });
  }

  /** Feeds the next chunk; events completed by it have been delivered when this returns. */
  write(chunk: string): this {
    this.parser.write(chunk);
    return this;
  }

  /** Ends the input and returns the document. */
  end(): EpcisXmlReadResult {
    this.parser.close();
    if (!this.version) throw xmlError('no EPCISDocument element', { line: this.parser.line, column: this.parser.column + 1 });
    if (this.schema && this.schema.issueCount > 0) throw schemaError(this.version, this.schema);
    const extra = Object.keys(this.namespaces).length ? [{ ...this.namespaces }] : [];
    const document: JsonObject = {
      '@context': [EPCIS_CONTEXT, ...extra],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      ...(this.creationDate ? { creationDate: this.creationDate } : {}),
      ...(this.header && Object.keys(this.header).length ? { epcisHeader: this.header } : {}),
      epcisBody: { eventList: this.events },
    };
    return { version: this.version, document, locations: this.locations, namespaces: { ...this.namespaces }, eventCount: this.eventCount, omitted: [...this.omitted] };
  }

  private path(): string {
    return this.stack[this.stack.length - 1]?.path ?? '';
  }

  private fail(message: string, at: { line: number; column: number; path?: string }): never {
    // What the schema found first says more (it names what was expected there).
    this.failure = this.schema && this.schema.issueCount > 0 && this.version ? schemaError(this.version, this.schema) : xmlError(message, at);
    throw this.failure;
  }

  private open(tag: SaxesTagNS): void {
    for (const [prefix, uri] of Object.entries(tag.ns)) if (prefix !== '' && prefix !== 'xsi' && !(prefix in this.namespaces) && !Object.values(EPCIS_NS).includes(uri)) this.namespaces[prefix] = uri;
    const parent = this.stack[this.stack.length - 1];
    const n = (parent?.count.get(tag.local) ?? 0) + 1;
    parent?.count.set(tag.local, n);
    const at = { line: this.parser.line, column: this.parser.column + 1 };
    if (this.stack.length === 0 && this.options.schema !== false) {
      const version = (Object.entries(EPCIS_NS) as Array<[EpcisXmlVersion, string]>).find(([, uri]) => uri === tag.uri)?.[0];
      if (version && tag.local === 'EPCISDocument') this.schema = new XsdValidator(EPCIS_XSD_RULES[version]);
    }
    this.schema?.open(tag, at.line, at.column);
    const path = `${this.path()}/${tag.local}${n > 1 || isEventName(tag.local) ? `[${n}]` : ''}`;
    const node: XNode = { local: tag.local, uri: tag.uri, prefix: tag.prefix, attributes: Object.values(tag.attributes), kids: [], text: '', ...at, path };
    const depth = this.stack.length;
    if (this.capture) {
      (this.stack[depth - 1]?.node as XNode).kids.push(node);
      this.stack.push({ local: tag.local, path, count: new Map(), node });
      return;
    }
    if (depth === 0) {
      const version = (Object.entries(EPCIS_NS) as Array<[EpcisXmlVersion, string]>).find(([, uri]) => uri === tag.uri)?.[0];
      if (tag.local !== 'EPCISDocument' || !version) {
        this.fail(`the root must be EPCISDocument in ${EPCIS_NS['1.2']} (EPCIS 1.2) or ${EPCIS_NS['2.0']} (EPCIS 2.0), got {${tag.uri}}${tag.local}`, { ...at, path });
      }
      this.version = version;
      const created = tag.attributes['creationDate']?.value;
      if (created) this.creationDate = created;
      this.stack.push({ local: tag.local, path, count: new Map() });
      return;
    }
    const where = this.stack.map((s) => s.local).join('/');
    const eventHere = isEventName(tag.local) && tag.uri === '' && (where === 'EPCISDocument/EPCISBody/EventList' || where === 'EPCISDocument/EPCISBody/EventList/extension');
    if (eventHere || (tag.local === 'EPCISHeader' && where === 'EPCISDocument')) {
      this.capture = node;
      if (eventHere) {
        this.locations.push({ line: at.line, column: at.column, path });
        this.eventCount++;
      }
    }
    const structure = STRUCTURE[where];
    if (!this.capture && structure && !(tag.uri === '' && structure.includes(tag.local))) {
      this.omitted.push({ ...at, path, element: tag.uri ? `{${tag.uri}}${tag.local}` : tag.local });
    }
    this.stack.push({ local: tag.local, path, count: new Map(), ...(this.capture ? { node } : {}) });
  }

  private text(t: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.node) top.node.text += t;
  }

  private close(): void {
    this.schema?.close({ line: this.parser.line, column: this.parser.column + 1 });
    const top = this.stack.pop();
    if (!top?.node || top.node !== this.capture) return;
    const node = top.node;
    this.capture = undefined;
    if (node.local === 'EPCISHeader') {
      this.header = headerFromXml(node, this.namespaces, (m, n) => this.fail(m, n));
      return;
    }
    const event = eventFromXml(node, this.namespaces, (m, n) => this.fail(m, n), this.version);
    const index = this.eventCount - 1;
    if (this.options.keepEvents !== false) this.events.push(event);
    this.options.onEvent?.(event, index, this.locations[index] as XmlLocation);
  }
}

/** Every schema issue in one typed error; the first names its place in the message. */
function schemaError(version: EpcisXmlVersion, schema: XsdValidator): DomainError {
  const issues: readonly SchemaIssue[] = schema.issues;
  const first = issues[0] as SchemaIssue;
  const more = schema.issueCount > 1 ? ` (and ${schema.issueCount - 1} more)` : '';
  return new DomainError('EPCIS_XML_INVALID', `EPCIS ${version} XML line ${first.line}, column ${first.column} (${first.element}): ${first.message}${more}; the document breaks the EPCIS ${version} XML schema`, {
    reason: first.message, line: first.line, column: first.column, path: first.element, schema: `EPCIS ${version}`, issueCount: schema.issueCount, issues: [...issues],
  });
}

function isEventName(local: string): boolean {
  return (EVENT_ELEMENTS as readonly string[]).includes(local);
}

/** Whole-document convenience over the streaming reader. */
export function readEpcisXml(xml: string, options: EpcisXmlReadOptions = {}): EpcisXmlReadResult {
  return new EpcisXmlReader(options).write(xml).end();
}

// --- element -> JSON ----------------------------------------------------------------------------

type Fail = (message: string, at: XNode) => never;

/** An extension element's JSON-LD key; one in no namespace is a `pdlocal:` key (../local-extension.ts). */
function keyOf(node: XNode, ns: Record<string, string>): string {
  if (node.uri === '') {
    ns[LOCAL_EXTENSION_PREFIX] = LOCAL_EXTENSION_NS;
    return localExtensionKey(node.local);
  }
  // GS1's own namespaces get their usual prefixes whatever the file called them (cbvmda:lotNumber
  // is what the DSCSA checks and builders look for).
  const known = Object.entries(WELL_KNOWN_PREFIXES).find(([, uri]) => uri === node.uri)?.[0];
  if (known && (ns[known] === undefined || ns[known] === node.uri)) {
    ns[known] = node.uri;
    return `${known}:${node.local}`;
  }
  let prefix = node.prefix;
  if (prefix === '' || ns[prefix] !== node.uri) {
    prefix = Object.entries(ns).find(([, uri]) => uri === node.uri)?.[0] ?? '';
    if (prefix === '') {
      let i = 1;
      while (`ns${i}` in ns) i++;
      prefix = `ns${i}`;
      ns[prefix] = node.uri;
    }
  }
  return `${prefix}:${node.local}`;
}

const text = (n: XNode): string => n.text.trim();

/** Extension element -> JSON value: text, or an object of its children (repeats as arrays). */
function genericValue(node: XNode, ns: Record<string, string>, attributes = false): Json {
  const elements = node.kids;
  const attrs = attributes ? node.attributes.filter((a) => a.uri !== XSI_NS && a.prefix !== 'xmlns' && a.name !== 'xmlns') : [];
  if (elements.length === 0 && attrs.length === 0) return text(node);
  const out: JsonObject = {};
  for (const a of attrs) out[`@${a.local}`] = a.value;
  if (elements.length === 0) {
    out['#text'] = text(node);
    return out;
  }
  for (const kid of elements) {
    const key = keyOf(kid, ns);
    const value = genericValue(kid, ns, attributes);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function vocab(kind: VocabularyKind, value: string): string {
  try {
    return normaliseVocabulary(kind, value);
  } catch {
    return value; // the validator reports the unknown term with its path
  }
}

function numberOr(value: string): Json {
  const t = value.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

function attr(node: XNode, name: string): string | undefined {
  return node.attributes.find((a) => a.uri === '' && a.local === name)?.value;
}

function eventFromXml(node: XNode, ns: Record<string, string>, fail: Fail, version: EpcisXmlVersion | undefined): JsonObject {
  const out: JsonObject = { type: node.local };
  readFields(node, out, ns, fail);
  // 1.2 makes writers put an empty list where an event names no EPC; 2.0 JSON-LD leaves it out.
  const required = version === '1.2' ? REQUIRED_LIST_12[node.local] : undefined;
  if (required && Array.isArray(out[required]) && (out[required] as Json[]).length === 0) delete out[required];
  return out;
}

/**
 * Standard (unqualified) children of an event, its 1.2 `extension` and `baseExtension`; qualified
 * ones are extensions. `wrapper` counts the 1.2 wrappers around `node`: the `extension` inside the
 * event's `extension` (and a TransformationEvent's own `extension`, and `baseExtension/extension`)
 * is a `##local` slot, whose unqualified elements are carried as `pdlocal:` keys.
 */
function readFields(node: XNode, out: JsonObject, ns: Record<string, string>, fail: Fail, wrapper: 'event' | 'extension' | 'baseExtension' = 'event'): void {
  for (const kid of node.kids) {
    if (kid.uri !== '') {
      put(out, keyOf(kid, ns), genericValue(kid, ns));
      continue;
    }
    const name = kid.local;
    if (name === 'extension' && (wrapper !== 'event' || node.local === 'TransformationEvent')) {
      if (wrapper === 'baseExtension') {
        const base: JsonObject = {};
        for (const x of kid.kids) put(base, keyOf(x, ns), genericValue(x, ns));
        put(out, LOCAL_BASE_EXTENSION_KEY, base);
        continue;
      }
      for (const x of kid.kids) {
        const key = keyOf(x, ns);
        if (key === LOCAL_BASE_EXTENSION_KEY) fail(`<${x.local}> in this extension slot has the name kept for 1.2's baseExtension slot and cannot be carried`, x);
        put(out, key, genericValue(x, ns));
      }
      continue;
    }
    if (name === 'extension' || name === 'baseExtension') {
      readFields(kid, out, ns, fail, name);
      continue;
    }
    if (EPC_LIST_FIELDS.has(name)) {
      out[name] = kid.kids.filter((k) => k.local === 'epc' && k.uri === '').map(text);
      continue;
    }
    if (QUANTITY_LIST_FIELDS.has(name)) {
      out[name] = kid.kids.filter((k) => k.local === 'quantityElement').map((q) => quantity(q, fail));
      continue;
    }
    switch (name) {
      case 'eventTime':
      case 'recordTime':
      case 'eventTimeZoneOffset':
      case 'eventID':
      case 'action':
      case 'parentID':
      case 'transformationID':
        out[name] = text(kid);
        break;
      case 'certificationInfo': {
        const prev = out[name];
        out[name] = prev === undefined ? text(kid) : Array.isArray(prev) ? [...prev, text(kid)] : [prev, text(kid)];
        break;
      }
      case 'bizStep':
        out[name] = vocab('bizStep', text(kid));
        break;
      case 'disposition':
        out[name] = vocab('disposition', text(kid));
        break;
      case 'readPoint':
      case 'bizLocation':
        out[name] = location(kid, ns);
        break;
      case 'bizTransactionList':
        out[name] = kid.kids.filter((k) => k.local === 'bizTransaction').map((b): JsonObject => {
          const type = attr(b, 'type');
          return type !== undefined ? { type: vocab('bizTransactionType', type), bizTransaction: text(b) } : { bizTransaction: text(b) };
        });
        break;
      case 'sourceList':
      case 'destinationList': {
        const item = name === 'sourceList' ? 'source' : 'destination';
        out[name] = kid.kids.filter((k) => k.local === item).map((s): JsonObject => {
          const type = attr(s, 'type');
          return type !== undefined ? { type: vocab('sourceDestinationType', type), [item]: text(s) } : { [item]: text(s) };
        });
        break;
      }
      case 'persistentDisposition': {
        const set = kid.kids.filter((k) => k.local === 'set').map((k) => vocab('disposition', text(k)));
        const unset = kid.kids.filter((k) => k.local === 'unset').map((k) => vocab('disposition', text(k)));
        out[name] = { ...(set.length ? { set } : {}), ...(unset.length ? { unset } : {}) };
        break;
      }
      case 'errorDeclaration':
        out[name] = errorDeclaration(kid, ns);
        break;
      case 'sensorElementList':
        out[name] = kid.kids.filter((k) => k.local === 'sensorElement').map((e) => sensorElement(e, ns));
        break;
      case 'ilmd': {
        const ilmd: JsonObject = {};
        for (const k of kid.kids) {
          if (k.uri === '' && k.local === 'extension') for (const x of k.kids) put(ilmd, keyOf(x, ns), genericValue(x, ns));
          else put(ilmd, keyOf(k, ns), genericValue(k, ns));
        }
        out[name] = ilmd;
        break;
      }
      default:
        fail(`<${name}> is not an element of an EPCIS ${node.local}; extensions must be in their own namespace`, kid);
    }
  }
}

function quantity(q: XNode, fail: Fail): JsonObject {
  const out: JsonObject = {};
  for (const k of q.kids) {
    if (k.local === 'epcClass') out['epcClass'] = text(k);
    else if (k.local === 'quantity') {
      // xsi:nil: the quantity is unknown (EPCIS 2.0 XSD), which JSON-LD says by leaving it out.
      if (!k.attributes.some((a) => a.uri === XSI_NS && a.local === 'nil' && a.value === 'true')) out['quantity'] = numberOr(text(k));
    }
    else if (k.local === 'uom') out['uom'] = text(k);
    else if (k.uri === '') fail(`<${k.local}> is not part of a quantityElement`, k);
  }
  return out;
}

function location(node: XNode, ns: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const k of node.kids) {
    if (k.uri === '' && k.local === 'id') out['id'] = text(k);
    else if (k.uri === '' && k.local === 'extension') for (const x of k.kids) put(out, keyOf(x, ns), genericValue(x, ns));
    else put(out, keyOf(k, ns), genericValue(k, ns));
  }
  return out;
}

function errorDeclaration(node: XNode, ns: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const k of node.kids) {
    if (k.uri !== '') put(out, keyOf(k, ns), genericValue(k, ns));
    else if (k.local === 'declarationTime') out['declarationTime'] = text(k);
    else if (k.local === 'reason') out['reason'] = vocab('errorReason', text(k));
    else if (k.local === 'correctiveEventIDs') out['correctiveEventIDs'] = k.kids.filter((c) => c.local === 'correctiveEventID').map(text);
    else if (k.local === 'extension') for (const x of k.kids) put(out, keyOf(x, ns), genericValue(x, ns));
  }
  return out;
}

function sensorAttributes(node: XNode, ns: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const a of node.attributes) {
    if (a.prefix === 'xmlns' || a.name === 'xmlns' || a.uri === XSI_NS) continue;
    if (a.uri !== '') {
      const prefix = Object.entries(ns).find(([, u]) => u === a.uri)?.[0] ?? a.prefix;
      out[`${prefix}:${a.local}`] = a.value;
    } else if (SENSOR_NUMBERS.has(a.local)) out[a.local] = numberOr(a.value);
    else if (a.local === 'booleanValue') out[a.local] = a.value === 'true' || a.value === '1' ? true : a.value === 'false' || a.value === '0' ? false : a.value;
    else out[a.local] = a.value;
  }
  return out;
}

function sensorElement(node: XNode, ns: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  const reports: Json[] = [];
  for (const k of node.kids) {
    if (k.uri === '' && k.local === 'sensorMetadata') out['sensorMetadata'] = sensorAttributes(k, ns);
    else if (k.uri === '' && k.local === 'sensorReport') reports.push(sensorAttributes(k, ns));
    else if (k.uri === '' && k.local === 'extension') for (const x of k.kids) put(out, keyOf(x, ns), genericValue(x, ns));
    else put(out, keyOf(k, ns), genericValue(k, ns));
  }
  out['sensorReport'] = reports;
  return out;
}

// --- header ----------------------------------------------------------------------------------

function headerFromXml(node: XNode, ns: Record<string, string>, fail: Fail): JsonObject {
  const out: JsonObject = {};
  const take = (k: XNode, within?: XNode): void => {
    if (k.uri === SBDH_NS && k.local === 'StandardBusinessDocumentHeader') out[keyOf(k, ns)] = genericValue(k, ns, true);
    // EPCISHeader/extension/extension is the header's ##local slot.
    else if (k.uri === '' && k.local === 'extension' && within) for (const x of k.kids) put(out, keyOf(x, ns), genericValue(x, ns, true));
    else if (k.uri === '' && k.local === 'extension') k.kids.forEach((x) => take(x, k));
    else if (k.uri === '' && k.local === 'EPCISMasterData') out['epcisMasterData'] = masterData(k, ns);
    else if (k.uri !== '') put(out, keyOf(k, ns), genericValue(k, ns, true));
    else fail(`<${k.local}> is not an element of EPCISHeader`, k);
  };
  node.kids.forEach((k) => take(k));
  return out;
}

function masterData(node: XNode, ns: Record<string, string>): JsonObject {
  const list = node.kids.find((k) => k.local === 'VocabularyList');
  const vocabularyList = (list?.kids ?? []).filter((v) => v.local === 'Vocabulary').map((v) => {
    const elements = v.kids.find((k) => k.local === 'VocabularyElementList')?.kids.filter((e) => e.local === 'VocabularyElement') ?? [];
    return {
      type: attr(v, 'type') ?? '',
      vocabularyElementList: elements.map((e) => {
        const attributes = e.kids.filter((a) => a.local === 'attribute' && a.uri === '').map((a) => ({ id: attr(a, 'id') ?? '', attribute: a.kids.length ? genericValue(a, ns) : text(a) }));
        const children = e.kids.find((c) => c.local === 'children')?.kids.filter((c) => c.local === 'id').map(text) ?? [];
        return { id: attr(e, 'id') ?? '', ...(attributes.length ? { attributes } : {}), ...(children.length ? { children } : {}) };
      }),
    };
  });
  return { vocabularyList };
}

/**
 * Event hash options for events read from XML: the reference implementation names an XML
 * extension `{namespace}local` with the namespace exactly as declared and reads values as written.
 */
export function xmlHashOptions(read: { readonly namespaces: Readonly<Record<string, string>> }): { namespaces: Record<string, string>; source: 'xml' } {
  return { namespaces: { ...read.namespaces }, source: 'xml' };
}

/** Adds a value under a key, turning repeats into arrays (repeated XML elements). */
function put(out: JsonObject, key: string, value: Json): void {
  const prev = out[key];
  out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}
