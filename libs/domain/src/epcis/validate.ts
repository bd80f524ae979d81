import { DomainError } from '../errors';
import { isIsoDate, parseTimestamp, TIME_ZONE_OFFSET_PATTERN } from '../time';
import { isCset82 } from '../gs1/charset';
import { isDigitalLinkUri, parseDigitalLink } from '../gs1/digital-link';
import { parseEpcUrn } from '../gs1/epc-urn';
import { candidateSteps, type ProfileRequirement } from './dscsa-profile';
import { ACTIONS, EVENT_TYPES } from './events';
import { normaliseVocabulary, type VocabularyKind } from './vocabulary';

/**
 * Validation that reports every problem in a document, not the first: trading partners fix EPCIS
 * files in batches, and "fix one error, resubmit, discover the next" is how exception queues grow.
 */

export interface ValidationIssue {
  /** JSON path, e.g. `epcisBody.eventList[3].epcList[0]`. */
  readonly path: string;
  /** Short machine code: required | format | vocabulary | identifier | rule | profile. */
  readonly rule: 'required' | 'format' | 'vocabulary' | 'identifier' | 'rule' | 'profile';
  readonly message: string;
}

export interface ValidateOptions {
  /** Also check the DSCSA profile (bizStep/disposition/action combinations, parties, ILMD). */
  readonly dscsa?: boolean;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Issues {
  readonly list: ValidationIssue[] = [];
  add(path: string, rule: ValidationIssue['rule'], message: string): void {
    this.list.push({ path, rule, message });
  }
}

export function validateEpcisEvent(event: unknown, options: ValidateOptions = {}, path = '$'): ValidationIssue[] {
  const issues = new Issues();
  checkEvent(event, path, issues, options);
  return issues.list;
}

export function validateEpcisDocument(doc: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const issues = new Issues();
  if (!isObj(doc)) {
    issues.add('$', 'format', 'document must be a JSON object');
    return issues.list;
  }
  const ctx = doc['@context'];
  if (ctx === undefined) issues.add('@context', 'required', '@context is required (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld)');
  else if (typeof ctx !== 'string' && !Array.isArray(ctx)) issues.add('@context', 'format', '@context must be a string or an array');
  if (doc['type'] !== 'EPCISDocument') issues.add('type', 'format', `type must be "EPCISDocument", got ${JSON.stringify(doc['type'])}`);
  if (doc['schemaVersion'] !== '2.0') issues.add('schemaVersion', 'format', `schemaVersion must be "2.0", got ${JSON.stringify(doc['schemaVersion'])}`);
  timestamp(doc['creationDate'], 'creationDate', issues, true);
  const body = doc['epcisBody'];
  const events = isObj(body) ? body['eventList'] : undefined;
  if (!Array.isArray(events)) {
    issues.add('epcisBody.eventList', 'required', 'epcisBody.eventList must be an array of events');
    return issues.list;
  }
  const seen = new Map<string, number>();
  events.forEach((event, i) => {
    const path = `epcisBody.eventList[${i}]`;
    checkEvent(event, path, issues, options);
    const id = isObj(event) ? event['eventID'] : undefined;
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first !== undefined) issues.add(`${path}.eventID`, 'rule', `eventID repeats epcisBody.eventList[${first}]`);
      else seen.set(id, i);
    }
  });
  return issues.list;
}

/** Throws EPCIS_INVALID carrying every issue when there are any. */
export function assertValidEpcisDocument(doc: unknown, options: ValidateOptions = {}): void {
  const issues = validateEpcisDocument(doc, options);
  if (issues.length) throw invalid(issues);
}

export function assertValidEpcisEvent(event: unknown, options: ValidateOptions = {}): void {
  const issues = validateEpcisEvent(event, options);
  if (issues.length) throw invalid(issues);
}

function invalid(issues: readonly ValidationIssue[]): DomainError {
  const head = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  return new DomainError('EPCIS_INVALID', `${issues.length} EPCIS problem${issues.length > 1 ? 's' : ''}: ${head}${issues.length > 3 ? '; ...' : ''}`, {
    reason: 'validation failed',
    issues,
  });
}

// ------------------------------------------------------------------------------------------------

function checkEvent(event: unknown, path: string, issues: Issues, options: ValidateOptions): void {
  if (!isObj(event)) {
    issues.add(path, 'format', 'event must be a JSON object');
    return;
  }
  const type = event['type'];
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    issues.add(`${path}.type`, 'format', `type must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  timestamp(event['eventTime'], `${path}.eventTime`, issues, true);
  const offset = event['eventTimeZoneOffset'];
  if (offset === undefined) issues.add(`${path}.eventTimeZoneOffset`, 'required', 'eventTimeZoneOffset is required');
  else if (typeof offset !== 'string' || !TIME_ZONE_OFFSET_PATTERN.test(offset)) {
    issues.add(`${path}.eventTimeZoneOffset`, 'format', `eventTimeZoneOffset must be ±HH:MM between -13:59 and +14:00, got ${JSON.stringify(offset)}`);
  }
  timestamp(event['recordTime'], `${path}.recordTime`, issues, false);
  if (event['eventID'] !== undefined && (typeof event['eventID'] !== 'string' || !event['eventID'].includes(':'))) {
    issues.add(`${path}.eventID`, 'format', 'eventID must be a URI (e.g. ni:///sha-256;...?ver=CBV2.0 or urn:uuid:...)');
  }

  const action = event['action'];
  if (type !== 'TransformationEvent') {
    if (action === undefined) issues.add(`${path}.action`, 'required', 'action is required');
    else if (!(ACTIONS as readonly unknown[]).includes(action)) issues.add(`${path}.action`, 'format', `action must be ADD, OBSERVE or DELETE, got ${JSON.stringify(action)}`);
  }

  vocabulary(event['bizStep'], 'bizStep', `${path}.bizStep`, issues);
  vocabulary(event['disposition'], 'disposition', `${path}.disposition`, issues);
  const pd = event['persistentDisposition'];
  if (pd !== undefined) {
    if (!isObj(pd)) issues.add(`${path}.persistentDisposition`, 'format', 'persistentDisposition must be an object with set/unset arrays');
    else for (const k of ['set', 'unset']) stringList(pd[k], `${path}.persistentDisposition.${k}`, issues, false, (v, p) => vocabulary(v, 'disposition', p, issues));
  }
  for (const key of ['readPoint', 'bizLocation']) {
    const loc = event[key];
    if (loc === undefined) continue;
    if (!isObj(loc) || typeof loc['id'] !== 'string') issues.add(`${path}.${key}`, 'format', `${key} must be an object with an id`);
    else identifier(loc['id'], `${path}.${key}.id`, issues, ['sgln']);
  }

  const epcList = (key: string, required: boolean): void => stringList(event[key], `${path}.${key}`, issues, required, (v, p) => identifier(v, p, issues));
  const hasList = (key: string): boolean => Array.isArray(event[key]) && (event[key] as unknown[]).length > 0;
  switch (type) {
    case 'ObjectEvent':
      epcList('epcList', false);
      quantityList(event['quantityList'], `${path}.quantityList`, issues);
      if (!hasList('epcList') && !hasList('quantityList')) issues.add(`${path}.epcList`, 'required', 'an ObjectEvent needs a non-empty epcList or quantityList');
      if (event['ilmd'] !== undefined) {
        if (action !== 'ADD') issues.add(`${path}.ilmd`, 'rule', 'ilmd is only allowed when action is ADD (it describes objects created by the event)');
        ilmd(event['ilmd'], `${path}.ilmd`, issues);
      }
      break;
    case 'AggregationEvent':
      if (event['parentID'] !== undefined) identifier(event['parentID'], `${path}.parentID`, issues);
      else if (action === 'ADD' || action === 'DELETE') issues.add(`${path}.parentID`, 'required', `parentID is required for action ${String(action)}`);
      epcList('childEPCs', false);
      quantityList(event['childQuantityList'], `${path}.childQuantityList`, issues);
      if ((action === 'ADD' || action === 'OBSERVE') && !hasList('childEPCs') && !hasList('childQuantityList')) {
        issues.add(`${path}.childEPCs`, 'required', `an AggregationEvent with action ${String(action)} needs childEPCs or childQuantityList`);
      }
      break;
    case 'TransactionEvent':
      if (event['parentID'] !== undefined) identifier(event['parentID'], `${path}.parentID`, issues);
      epcList('epcList', false);
      quantityList(event['quantityList'], `${path}.quantityList`, issues);
      if (!hasList('bizTransactionList')) issues.add(`${path}.bizTransactionList`, 'required', 'a TransactionEvent needs a non-empty bizTransactionList');
      break;
  }

  objectList(event['bizTransactionList'], `${path}.bizTransactionList`, issues, (item, p) => {
    if (typeof item['bizTransaction'] !== 'string' || !item['bizTransaction'].includes(':')) issues.add(`${p}.bizTransaction`, 'format', 'bizTransaction must be a URI');
    if (item['type'] !== undefined) vocabulary(item['type'], 'bizTransactionType', `${p}.type`, issues);
  });
  for (const [listKey, valueKey] of [['sourceList', 'source'], ['destinationList', 'destination']] as const) {
    objectList(event[listKey], `${path}.${listKey}`, issues, (item, p) => {
      if (item['type'] === undefined) issues.add(`${p}.type`, 'required', 'type is required (owning_party, possessing_party or location)');
      else vocabulary(item['type'], 'sourceDestinationType', `${p}.type`, issues);
      if (typeof item[valueKey] !== 'string') issues.add(`${p}.${valueKey}`, 'required', `${valueKey} is required`);
      else identifier(item[valueKey], `${p}.${valueKey}`, issues, ['pgln', 'sgln']);
    });
  }

  const err = event['errorDeclaration'];
  if (err !== undefined) {
    if (!isObj(err)) issues.add(`${path}.errorDeclaration`, 'format', 'errorDeclaration must be an object');
    else {
      timestamp(err['declarationTime'], `${path}.errorDeclaration.declarationTime`, issues, true);
      if (err['reason'] !== undefined) vocabulary(err['reason'], 'errorReason', `${path}.errorDeclaration.reason`, issues);
      stringList(err['correctiveEventIDs'], `${path}.errorDeclaration.correctiveEventIDs`, issues, false, () => undefined);
    }
  }
  objectList(event['sensorElementList'], `${path}.sensorElementList`, issues, (item, p) => {
    if (!Array.isArray(item['sensorReport']) || item['sensorReport'].length === 0) issues.add(`${p}.sensorReport`, 'required', 'sensorReport must be a non-empty array');
  });

  if (options.dscsa) dscsaProfile(event, path, issues);
}

function timestamp(value: unknown, path: string, issues: Issues, required: boolean): void {
  if (value === undefined) {
    if (required) issues.add(path, 'required', `${path.split('.').pop()} is required`);
    return;
  }
  try {
    parseTimestamp(value, path);
  } catch (e) {
    issues.add(path, 'format', (e as Error).message);
  }
}

function vocabulary(value: unknown, kind: VocabularyKind, path: string, issues: Issues): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    issues.add(path, 'format', `${kind} must be a string`);
    return;
  }
  try {
    normaliseVocabulary(kind, value);
  } catch (e) {
    issues.add(path, 'vocabulary', (e as Error).message);
  }
}

/** EPC URNs and Digital Links are checked in depth; other URIs (geo:, private URNs) only for shape. */
function identifier(value: unknown, path: string, issues: Issues, schemes?: readonly string[]): void {
  if (typeof value !== 'string' || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value)) {
    issues.add(path, 'identifier', `expected an EPC URN, GS1 Digital Link or other URI, got ${JSON.stringify(value)}`);
    return;
  }
  try {
    if (value.startsWith('urn:epc:id:') || value.startsWith('urn:epc:class:')) {
      const id = parseEpcUrn(value);
      if (schemes && !schemes.includes(id.scheme)) issues.add(path, 'identifier', `expected ${schemes.join(' or ')}, got ${id.scheme}`);
    } else if (isDigitalLinkUri(value)) {
      parseDigitalLink(value);
    }
  } catch (e) {
    issues.add(path, 'identifier', (e as Error).message);
  }
}

function stringList(value: unknown, path: string, issues: Issues, required: boolean, each: (v: unknown, p: string) => void): void {
  if (value === undefined) {
    if (required) issues.add(path, 'required', `${path.split('.').pop()} is required`);
    return;
  }
  if (!Array.isArray(value)) {
    issues.add(path, 'format', 'must be an array');
    return;
  }
  const seen = new Set<unknown>();
  value.forEach((v, i) => {
    if (seen.has(v)) issues.add(`${path}[${i}]`, 'rule', `${JSON.stringify(v)} is listed twice`);
    seen.add(v);
    each(v, `${path}[${i}]`);
  });
}

function objectList(value: unknown, path: string, issues: Issues, each: (item: Obj, p: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.add(path, 'format', 'must be an array');
    return;
  }
  value.forEach((item, i) => (isObj(item) ? each(item, `${path}[${i}]`) : issues.add(`${path}[${i}]`, 'format', 'must be an object')));
}

function quantityList(value: unknown, path: string, issues: Issues): void {
  objectList(value, path, issues, (q, p) => {
    if (typeof q['epcClass'] !== 'string') issues.add(`${p}.epcClass`, 'required', 'epcClass is required');
    else identifier(q['epcClass'], `${p}.epcClass`, issues);
    if (q['quantity'] !== undefined && (typeof q['quantity'] !== 'number' || !(q['quantity'] >= 0))) issues.add(`${p}.quantity`, 'format', 'quantity must be a non-negative number');
    if (q['uom'] !== undefined && q['quantity'] === undefined) issues.add(`${p}.uom`, 'rule', 'uom requires a quantity');
  });
}

function ilmd(value: unknown, path: string, issues: Issues): void {
  if (!isObj(value)) {
    issues.add(path, 'format', 'ilmd must be an object');
    return;
  }
  const lot = value['cbvmda:lotNumber'];
  if (lot !== undefined && (typeof lot !== 'string' || lot.length < 1 || lot.length > 20 || !isCset82(lot))) {
    issues.add(`${path}.cbvmda:lotNumber`, 'format', 'lotNumber must be 1-20 characters of GS1 character set 82 (it is AI 10 on the pack)');
  }
  const exp = value['cbvmda:itemExpirationDate'];
  if (exp !== undefined && !isIsoDate(exp)) issues.add(`${path}.cbvmda:itemExpirationDate`, 'format', `itemExpirationDate must be a calendar date YYYY-MM-DD, got ${JSON.stringify(exp)}`);
}

function dscsaProfile(event: Obj, path: string, issues: Issues): void {
  let bizStep: string | undefined;
  try {
    bizStep = typeof event['bizStep'] === 'string' ? normaliseVocabulary('bizStep', event['bizStep']) : undefined;
  } catch {
    return; // already reported as a vocabulary issue
  }
  const candidates = candidateSteps(String(event['type']), bizStep);
  if (candidates.length === 0) {
    issues.add(`${path}.bizStep`, 'profile', `${String(event['type'])} with bizStep ${JSON.stringify(bizStep)} is not a DSCSA lifecycle step`);
    return;
  }
  const actions = candidates.map((c) => c.action);
  if (!actions.includes(event['action'] as never)) issues.add(`${path}.action`, 'profile', `bizStep ${bizStep} uses action ${[...new Set(actions)].join(' or ')}`);
  let disposition: string | undefined;
  try {
    disposition = typeof event['disposition'] === 'string' ? normaliseVocabulary('disposition', event['disposition']) : undefined;
  } catch {
    disposition = undefined;
  }
  const fitting = disposition === undefined ? candidates : candidates.filter((c) => c.dispositions.includes(disposition as never));
  if (disposition === undefined && candidates.every((c) => c.dispositions.length > 0)) {
    issues.add(`${path}.disposition`, 'profile', `bizStep ${bizStep} expects a disposition (${[...new Set(candidates.flatMap((c) => c.dispositions))].join(', ')})`);
  }
  if (disposition !== undefined && fitting.length === 0) {
    issues.add(`${path}.disposition`, 'profile', `disposition ${disposition} does not fit bizStep ${bizStep} (expected ${[...new Set(candidates.flatMap((c) => c.dispositions))].join(', ') || 'none'})`);
  }
  const profiles = fitting.length ? fitting : candidates.slice(0, 1);
  const required = (r: ProfileRequirement): boolean => profiles.every((p) => p.requires.includes(r));
  const has = (key: string): boolean => Array.isArray(event[key]) && (event[key] as unknown[]).length > 0;
  const typesIn = (key: string, kind: VocabularyKind): unknown[] =>
    Array.isArray(event[key]) ? (event[key] as unknown[]).map((x) => (isObj(x) ? termOrUndefined(kind, x['type']) : undefined)) : [];
  if (required('ilmdLotAndExpiry')) {
    const i = isObj(event['ilmd']) ? event['ilmd'] : {};
    if (i['cbvmda:lotNumber'] === undefined) issues.add(`${path}.ilmd`, 'profile', 'commissioning must carry ilmd cbvmda:lotNumber');
    if (i['cbvmda:itemExpirationDate'] === undefined) issues.add(`${path}.ilmd`, 'profile', 'commissioning must carry ilmd cbvmda:itemExpirationDate');
  }
  if (required('parentID') && event['parentID'] === undefined) issues.add(`${path}.parentID`, 'profile', 'parentID is required');
  if (required('childEPCs') && !has('childEPCs')) issues.add(`${path}.childEPCs`, 'profile', 'childEPCs are required (serialized aggregation)');
  if (required('owningParties')) {
    if (!typesIn('sourceList', 'sourceDestinationType').includes('owning_party')) issues.add(`${path}.sourceList`, 'profile', 'a change of ownership needs a source of type owning_party');
    if (!typesIn('destinationList', 'sourceDestinationType').includes('owning_party')) issues.add(`${path}.destinationList`, 'profile', 'a change of ownership needs a destination of type owning_party');
  }
  if (required('bizTransaction') && !has('bizTransactionList')) issues.add(`${path}.bizTransactionList`, 'profile', 'a shipment must reference the PO/invoice/ASN that carries the TI');
  if (required('rmaTransaction') && !typesIn('bizTransactionList', 'bizTransactionType').includes('rma')) issues.add(`${path}.bizTransactionList`, 'profile', 'a return must reference an rma bizTransaction');
}

function termOrUndefined(kind: VocabularyKind, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return normaliseVocabulary(kind, value);
  } catch {
    return undefined;
  }
}
