import { DomainError } from '../errors';
import { isIsoDate, parseTimestamp, TIME_ZONE_OFFSET_PATTERN } from '../time';
import { isCset82 } from '../gs1/charset';
import { parseDigitalLink } from '../gs1/digital-link';
import { epcUriProblem } from './epc-uri';
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
  /** The same place as an RFC 6901 JSON pointer into the document, e.g. `/epcisBody/eventList/3/epcList/0`. */
  readonly pointer: string;
}

export interface ValidateOptions {
  /** Also check the DSCSA profile (bizStep/disposition/action combinations, parties, ILMD). */
  readonly dscsa?: boolean;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `epcisBody.eventList[3].ilmd.cbvmda:lotNumber` -> `/epcisBody/eventList/3/ilmd/cbvmda:lotNumber`. */
export function jsonPointer(path: string): string {
  const p = path.replace(/^\$\.?/, '');
  if (p === '') return '';
  return '/' + p.replace(/\[(\d+)\]/g, '.$1').split('.').map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

class Issues {
  readonly list: ValidationIssue[] = [];
  add(path: string, rule: ValidationIssue['rule'], message: string): void {
    this.list.push({ path, rule, message, pointer: jsonPointer(path) });
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
  for (const key of Object.keys(doc)) {
    if (!DOCUMENT_FIELDS.has(key) && !isExtensionName(key)) issues.add(key, 'format', `${key} is not an EPCISDocument field; an extension must be a prefixed name or URI`);
  }
  const header = doc['epcisHeader'];
  if (header !== undefined) {
    if (!isObj(header)) issues.add('epcisHeader', 'format', 'epcisHeader must be an object');
    else extensionKeys(header, new Set(['epcisMasterData']), 'epcisHeader', issues);
  }
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
// Field sets from the EPCIS 2.0 JSON schema (propertyNames): anything else must be an extension,
// i.e. a prefixed name / URI such as `gs1ushc:dropShipment`.

const COMMON_FIELDS = ['@context', 'type', 'eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'certificationInfo', 'errorDeclaration'];
// persistentDisposition is in every event type of the EPCIS 2.0 standard and XSD; GS1's JSON schema
// lists it for ObjectEvent and TransformationEvent only. We follow the standard (docs/events.md).
const SHARED = ['bizStep', 'disposition', 'persistentDisposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList'];
const EVENT_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  ObjectEvent: new Set([...COMMON_FIELDS, ...SHARED, 'action', 'epcList', 'quantityList', 'persistentDisposition', 'ilmd']),
  AggregationEvent: new Set([...COMMON_FIELDS, ...SHARED, 'action', 'parentID', 'childEPCs', 'childQuantityList']),
  TransactionEvent: new Set([...COMMON_FIELDS, ...SHARED, 'action', 'parentID', 'epcList', 'quantityList']),
  TransformationEvent: new Set([
    ...COMMON_FIELDS, ...SHARED, 'inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'transformationID', 'persistentDisposition', 'ilmd',
  ]),
  AssociationEvent: new Set([...COMMON_FIELDS, ...SHARED, 'action', 'parentID', 'childEPCs', 'childQuantityList']),
};
const DOCUMENT_FIELDS = new Set(['@context', 'id', 'type', 'schemaVersion', 'creationDate', 'instanceIdentifier', 'sender', 'receiver', 'epcisHeader', 'epcisBody']);
const SENSOR_METADATA_FIELDS = new Set(['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules']);
const SENSOR_REPORT_FIELDS = new Set([
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules', 'time', 'microorganism', 'chemicalSubstance',
  'coordinateReferenceSystem', 'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue',
  'sDev', 'percRank', 'percValue', 'uom',
]);
const SENSOR_URI_FIELDS = ['deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules', 'microorganism', 'chemicalSubstance', 'coordinateReferenceSystem', 'uriValue'];
const SENSOR_NUMBER_FIELDS = ['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue'];

/** GS1 Web Vocabulary measurement types (gs1:MeasurementType) the EPCIS 2.0 schema enumerates. */
export const MEASUREMENT_TYPES: ReadonlySet<string> = new Set([
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude', 'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume',
  'Angle', 'AngularAcceleration', 'AngularMomentum', 'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density',
  'Dimensionless', 'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent', 'ElectricCurrentDensity',
  'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency', 'Illuminance', 'Inductance', 'Irradiance', 'KinematicViscosity', 'Length',
  'LinearMomentum', 'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass',
  'MassConcentration', 'MassFlowRate', 'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power',
  'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity', 'SolidAngle', 'SpecificVolume', 'Speed',
  'SurfaceDensity', 'SurfaceTension', 'Temperature', 'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux', 'Wavenumber',
]);
export const SENSOR_ALERT_TYPES: ReadonlySet<string> = new Set(['ALARM_CONDITION', 'ERROR_CONDITION']);
export const SENSOR_COMPONENTS: ReadonlySet<string> = new Set([
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle', 'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
]);

/** RFC 3986 absolute URI shape (scheme ':' rest, no spaces): what the schema's `format: uri` demands. */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/;
const isUri = (v: unknown): v is string => typeof v === 'string' && URI.test(v);
const GS1_DL_PATH = /^https?:\/\/[^/?#]+(?:\/[^?#]*)?\/(01|00|414|417|8003|8004|8006|8010|8017|8018|253|255|401|402|gtin|sscc|gln)\/\d/i;

function checkEvent(event: unknown, path: string, issues: Issues, options: ValidateOptions): void {
  if (!isObj(event)) {
    issues.add(path, 'format', 'event must be a JSON object');
    return;
  }
  const type = event['type'];
  const known = typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type);
  if (!known) {
    issues.add(`${path}.type`, 'format', `type must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  timestamp(event['eventTime'], `${path}.eventTime`, issues, true);
  const offset = event['eventTimeZoneOffset'];
  if (offset === undefined) issues.add(`${path}.eventTimeZoneOffset`, 'required', 'eventTimeZoneOffset is required');
  else if (typeof offset !== 'string' || !TIME_ZONE_OFFSET_PATTERN.test(offset)) {
    issues.add(`${path}.eventTimeZoneOffset`, 'format', `eventTimeZoneOffset must be ±HH:MM between -13:59 and +14:00, got ${JSON.stringify(offset)}`);
  }
  timestamp(event['recordTime'], `${path}.recordTime`, issues, false);
  if (event['eventID'] !== undefined && !isUri(event['eventID'])) {
    issues.add(`${path}.eventID`, 'format', 'eventID must be a URI (e.g. ni:///sha-256;...?ver=CBV2.0 or urn:uuid:...)');
  }
  const cert = event['certificationInfo'];
  if (cert !== undefined) {
    if (Array.isArray(cert)) cert.forEach((c, i) => (isUri(c) ? undefined : issues.add(`${path}.certificationInfo[${i}]`, 'format', 'certificationInfo must be a URI')));
    else if (!isUri(cert)) issues.add(`${path}.certificationInfo`, 'format', 'certificationInfo must be a URI or an array of URIs');
  }
  if (!known) return;
  const fields = EVENT_FIELDS[type] as ReadonlySet<string>;
  for (const key of Object.keys(event)) {
    if (fields.has(key)) continue;
    if (isExtensionName(key)) continue;
    const hint = standardFieldOf(key);
    issues.add(`${path}.${key}`, 'format', hint
      ? `${key} is not a field of ${type} (it belongs to ${hint})`
      : `${key} is not an EPCIS 2.0 field; an extension field must be a prefixed name or URI (e.g. "example:${key}") declared in @context`);
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
    else {
      for (const k of Object.keys(pd)) if (k !== 'set' && k !== 'unset') issues.add(`${path}.persistentDisposition.${k}`, 'format', 'persistentDisposition has only set and unset');
      if (pd['set'] === undefined && pd['unset'] === undefined) issues.add(`${path}.persistentDisposition`, 'required', 'persistentDisposition needs set or unset');
      for (const k of ['set', 'unset']) {
        if (Array.isArray(pd[k]) && pd[k].length === 0) issues.add(`${path}.persistentDisposition.${k}`, 'format', `${k} must not be empty`);
        stringList(pd[k], `${path}.persistentDisposition.${k}`, issues, false, (v, p) => vocabulary(v, 'disposition', p, issues));
      }
    }
  }
  for (const key of ['readPoint', 'bizLocation']) {
    const loc = event[key];
    if (loc === undefined) continue;
    if (!isObj(loc) || typeof loc['id'] !== 'string') issues.add(`${path}.${key}`, 'format', `${key} must be an object with an id`);
    else {
      identifier(loc['id'], `${path}.${key}.id`, issues, ['sgln']);
      extensionKeys(loc, new Set(['id']), `${path}.${key}`, issues);
    }
  }

  const epcList = (key: string): void => stringList(event[key], `${path}.${key}`, issues, false, (v, p) => identifier(v, p, issues));
  const nonEmpty = (key: string): boolean => Array.isArray(event[key]) && (event[key] as unknown[]).length > 0;
  const present = (key: string): boolean => Array.isArray(event[key]);
  switch (type) {
    case 'ObjectEvent':
      epcList('epcList');
      quantityList(event['quantityList'], `${path}.quantityList`, issues);
      // EPCIS 2.0 §7.4.2: what was observed may be EPCs, quantities, or (sensor-only) nothing but
      // sensor data at a read point; an empty epcList is then legal.
      if (!nonEmpty('epcList') && !nonEmpty('quantityList') && !(nonEmpty('sensorElementList') && event['readPoint'] !== undefined)) {
        issues.add(`${path}.epcList`, 'required', 'an ObjectEvent needs a non-empty epcList or quantityList, or sensorElementList with a readPoint');
      }
      if (event['ilmd'] !== undefined) {
        if (action !== 'ADD') issues.add(`${path}.ilmd`, 'rule', 'ilmd is only allowed when action is ADD (it describes objects created by the event)');
        ilmd(event['ilmd'], `${path}.ilmd`, issues);
      }
      break;
    case 'AggregationEvent':
    case 'AssociationEvent':
      if (event['parentID'] !== undefined) identifier(event['parentID'], `${path}.parentID`, issues);
      else if (type === 'AssociationEvent' || action === 'ADD' || action === 'DELETE') {
        issues.add(`${path}.parentID`, 'required', type === 'AssociationEvent' ? 'parentID is required' : `parentID is required for action ${String(action)}`);
      }
      epcList('childEPCs');
      quantityList(event['childQuantityList'], `${path}.childQuantityList`, issues);
      if (action !== 'DELETE' && !nonEmpty('childEPCs') && !nonEmpty('childQuantityList')) {
        issues.add(`${path}.childEPCs`, 'required', `an ${type} with action ${String(action)} needs childEPCs or childQuantityList`);
      }
      break;
    case 'TransactionEvent':
      if (event['parentID'] !== undefined) identifier(event['parentID'], `${path}.parentID`, issues);
      epcList('epcList');
      quantityList(event['quantityList'], `${path}.quantityList`, issues);
      if (!nonEmpty('bizTransactionList')) issues.add(`${path}.bizTransactionList`, 'required', 'a TransactionEvent needs a non-empty bizTransactionList');
      if (action !== 'DELETE' && !present('epcList') && !nonEmpty('quantityList')) {
        issues.add(`${path}.epcList`, 'required', 'a TransactionEvent needs epcList or quantityList (unless action is DELETE)');
      }
      break;
    case 'TransformationEvent': {
      epcList('inputEPCList');
      epcList('outputEPCList');
      quantityList(event['inputQuantityList'], `${path}.inputQuantityList`, issues);
      quantityList(event['outputQuantityList'], `${path}.outputQuantityList`, issues);
      const inputs = nonEmpty('inputEPCList') || nonEmpty('inputQuantityList');
      const outputs = nonEmpty('outputEPCList') || nonEmpty('outputQuantityList');
      if (event['transformationID'] !== undefined) {
        if (!isUri(event['transformationID'])) issues.add(`${path}.transformationID`, 'format', 'transformationID must be a URI');
        if (!inputs && !outputs) issues.add(`${path}.inputEPCList`, 'required', 'a TransformationEvent with a transformationID needs at least one input or output');
      } else {
        if (!inputs) issues.add(`${path}.inputEPCList`, 'required', 'a TransformationEvent without transformationID needs inputEPCList or inputQuantityList');
        if (!outputs) issues.add(`${path}.outputEPCList`, 'required', 'a TransformationEvent without transformationID needs outputEPCList or outputQuantityList');
      }
      if (event['ilmd'] !== undefined) ilmd(event['ilmd'], `${path}.ilmd`, issues);
      break;
    }
  }

  objectList(event['bizTransactionList'], `${path}.bizTransactionList`, issues, (item, p) => {
    if (!isUri(item['bizTransaction'])) issues.add(`${p}.bizTransaction`, item['bizTransaction'] === undefined ? 'required' : 'format', 'bizTransaction must be a URI');
    if (item['type'] !== undefined) vocabulary(item['type'], 'bizTransactionType', `${p}.type`, issues);
    for (const k of Object.keys(item)) if (k !== 'type' && k !== 'bizTransaction') issues.add(`${p}.${k}`, 'format', 'a bizTransaction has only type and bizTransaction');
  });
  for (const [listKey, valueKey] of [['sourceList', 'source'], ['destinationList', 'destination']] as const) {
    objectList(event[listKey], `${path}.${listKey}`, issues, (item, p) => {
      if (item['type'] === undefined) issues.add(`${p}.type`, 'required', 'type is required (owning_party, possessing_party or location)');
      else vocabulary(item['type'], 'sourceDestinationType', `${p}.type`, issues);
      if (typeof item[valueKey] !== 'string') issues.add(`${p}.${valueKey}`, 'required', `${valueKey} is required`);
      else identifier(item[valueKey], `${p}.${valueKey}`, issues, ['pgln', 'sgln']);
      for (const k of Object.keys(item)) if (k !== 'type' && k !== valueKey) issues.add(`${p}.${k}`, 'format', `a ${valueKey} has only type and ${valueKey}`);
    });
  }

  const err = event['errorDeclaration'];
  if (err !== undefined) {
    if (!isObj(err)) issues.add(`${path}.errorDeclaration`, 'format', 'errorDeclaration must be an object');
    else {
      timestamp(err['declarationTime'], `${path}.errorDeclaration.declarationTime`, issues, true);
      if (err['reason'] !== undefined) vocabulary(err['reason'], 'errorReason', `${path}.errorDeclaration.reason`, issues);
      stringList(err['correctiveEventIDs'], `${path}.errorDeclaration.correctiveEventIDs`, issues, false, (v, p) => (isUri(v) ? undefined : issues.add(p, 'format', 'a corrective event ID must be a URI')));
      extensionKeys(err, new Set(['declarationTime', 'reason', 'correctiveEventIDs']), `${path}.errorDeclaration`, issues);
    }
  }
  objectList(event['sensorElementList'], `${path}.sensorElementList`, issues, (item, p) => sensorElement(item, p, issues));

  if (options.dscsa) dscsaProfile(event, path, issues);
}

/** A prefixed name (`gs1ushc:dropShipment`) or an absolute IRI: what JSON-LD can expand. */
function isExtensionName(key: string): boolean {
  return URI.test(key) && !key.startsWith('@');
}

function standardFieldOf(key: string): string | undefined {
  const owners = Object.entries(EVENT_FIELDS).filter(([, f]) => f.has(key)).map(([t]) => t);
  return owners.length ? owners.join(', ') : undefined;
}

function extensionKeys(obj: Obj, known: ReadonlySet<string>, path: string, issues: Issues): void {
  for (const k of Object.keys(obj)) {
    if (!known.has(k) && !isExtensionName(k)) issues.add(`${path}.${k}`, 'format', `${k} is not a field here; an extension field must be a prefixed name or URI`);
  }
}

function sensorElement(item: Obj, p: string, issues: Issues): void {
  extensionKeys(item, new Set(['sensorMetadata', 'sensorReport']), p, issues);
  const meta = item['sensorMetadata'];
  if (meta !== undefined) {
    if (!isObj(meta)) issues.add(`${p}.sensorMetadata`, 'format', 'sensorMetadata must be an object');
    else {
      extensionKeys(meta, SENSOR_METADATA_FIELDS, `${p}.sensorMetadata`, issues);
      for (const k of ['time', 'startTime', 'endTime']) timestamp(meta[k], `${p}.sensorMetadata.${k}`, issues, false);
      for (const k of ['deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules']) {
        if (meta[k] !== undefined && !isUri(meta[k])) issues.add(`${p}.sensorMetadata.${k}`, 'format', `${k} must be a URI`);
      }
      if (typeof meta['startTime'] === 'string' && typeof meta['endTime'] === 'string' && meta['startTime'] > meta['endTime']) {
        const [s, e] = [Date.parse(meta['startTime']), Date.parse(meta['endTime'])];
        if (s > e) issues.add(`${p}.sensorMetadata.endTime`, 'rule', 'endTime is before startTime');
      }
    }
  }
  const reports = item['sensorReport'];
  if (!Array.isArray(reports) || reports.length === 0) {
    issues.add(`${p}.sensorReport`, 'required', 'sensorReport must be a non-empty array');
    return;
  }
  reports.forEach((r, i) => {
    const rp = `${p}.sensorReport[${i}]`;
    if (!isObj(r)) {
      issues.add(rp, 'format', 'must be an object');
      return;
    }
    extensionKeys(r, SENSOR_REPORT_FIELDS, rp, issues);
    const t = r['type'];
    // An alert-only report (exception, no measurement) has no type in GS1's own XML examples; the
    // JSON schema wants one always. Required here unless there is an exception.
    if (t === undefined) {
      if (r['exception'] === undefined) issues.add(`${rp}.type`, 'required', 'type is required (a GS1 measurement type such as Temperature, or a URI) unless the report is an exception');
    }
    else if (!isMeasurementType(t)) issues.add(`${rp}.type`, 'vocabulary', `${JSON.stringify(t)} is not a GS1 measurement type (Temperature, RelativeHumidity, ...) nor a non-GS1 URI`);
    const ex = r['exception'];
    if (ex !== undefined && !(typeof ex === 'string' && (SENSOR_ALERT_TYPES.has(ex) || (isUri(ex) && !GS1_VOC.test(ex)) || SENSOR_ALERT_TYPES.has(ex.replace(/^gs1:/, ''))))) {
      issues.add(`${rp}.exception`, 'vocabulary', 'exception must be ALARM_CONDITION, ERROR_CONDITION or a non-GS1 URI');
    }
    const comp = r['component'];
    if (comp !== undefined && !(typeof comp === 'string' && (SENSOR_COMPONENTS.has(comp) || (isUri(comp) && !/^(urn:epcglobal:cbv|https?:\/\/ns\.gs1\.org\/cbv\/)/.test(comp))))) {
      issues.add(`${rp}.component`, 'vocabulary', `component must be one of ${[...SENSOR_COMPONENTS].join(', ')} or a URI`);
    }
    timestamp(r['time'], `${rp}.time`, issues, false);
    for (const k of SENSOR_NUMBER_FIELDS) if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isFinite(r[k]))) issues.add(`${rp}.${k}`, 'format', `${k} must be a number`);
    for (const k of SENSOR_URI_FIELDS) if (r[k] !== undefined && !isUri(r[k])) issues.add(`${rp}.${k}`, 'format', `${k} must be a URI`);
    if (r['stringValue'] !== undefined && typeof r['stringValue'] !== 'string') issues.add(`${rp}.stringValue`, 'format', 'stringValue must be a string');
    if (r['booleanValue'] !== undefined && typeof r['booleanValue'] !== 'boolean') issues.add(`${rp}.booleanValue`, 'format', 'booleanValue must be true or false');
    if (r['hexBinaryValue'] !== undefined && !(typeof r['hexBinaryValue'] === 'string' && /^[A-Fa-f0-9]+$/.test(r['hexBinaryValue']))) {
      issues.add(`${rp}.hexBinaryValue`, 'format', 'hexBinaryValue must be hexadecimal digits');
    }
    if (r['uom'] !== undefined && (typeof r['uom'] !== 'string' || !/^[A-Z0-9]{1,3}$/.test(r['uom']))) issues.add(`${rp}.uom`, 'format', 'uom must be a UN/CEFACT Rec 20 code (e.g. CEL, KEL, P1)');
    const [min, max] = [r['minValue'], r['maxValue']];
    if (typeof min === 'number' && typeof max === 'number' && min > max) issues.add(`${rp}.minValue`, 'rule', 'minValue is greater than maxValue');
  });
}

const GS1_VOC = /^https?:\/\/(www\.)?gs1\.org\/voc\//;

function isMeasurementType(t: unknown): boolean {
  if (typeof t !== 'string') return false;
  // Bare words must be GS1 measurement types; any URI or CURIE (gs1:EffectiveDoseRate included,
  // as GS1's own examples use) is accepted, as the schema does, except full gs1.org/voc IRIs.
  if (MEASUREMENT_TYPES.has(t)) return true;
  return isUri(t) && !GS1_VOC.test(t);
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
    return;
  }
  if (value.includes(':') && !isUri(value)) issues.add(path, 'vocabulary', `${kind} ${JSON.stringify(value)} must be a CBV term or a URI`);
}

/**
 * EPC URIs (every TDS 2.x scheme, class and pattern forms) and GS1 Digital Links are checked in
 * depth; other URIs (geo:, private URNs, non-GS1 https) only for shape.
 */
function identifier(value: unknown, path: string, issues: Issues, schemes?: readonly string[]): void {
  if (!isUri(value)) {
    issues.add(path, 'identifier', `expected an EPC URN, GS1 Digital Link or other URI, got ${JSON.stringify(value)}`);
    return;
  }
  if (value.startsWith('urn:epc:')) {
    const problem = epcUriProblem(value);
    if (problem) issues.add(path, 'identifier', `${value}: ${problem}`);
    else if (schemes && value.startsWith('urn:epc:id:')) {
      const scheme = value.split(':')[3] as string;
      if (!schemes.includes(scheme)) issues.add(path, 'identifier', `expected ${schemes.join(' or ')}, got ${scheme}`);
    }
  } else if (GS1_DL_PATH.test(value)) {
    try {
      parseDigitalLink(value);
    } catch (e) {
      issues.add(path, 'identifier', (e as Error).message);
    }
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
    if (q['quantity'] !== undefined && (typeof q['quantity'] !== 'number' || !(q['quantity'] >= 0) || !Number.isFinite(q['quantity']))) {
      issues.add(`${p}.quantity`, 'format', 'quantity must be a non-negative number');
    }
    if (q['uom'] !== undefined) {
      if (typeof q['uom'] !== 'string' || !/^[A-Z0-9]{2,3}$/.test(q['uom'])) issues.add(`${p}.uom`, 'format', 'uom must be a UN/CEFACT Rec 20 code of 2-3 characters (e.g. KGM, LTR)');
      if (q['quantity'] === undefined) issues.add(`${p}.uom`, 'rule', 'uom requires a quantity');
    }
    for (const k of Object.keys(q)) if (!['epcClass', 'quantity', 'uom'].includes(k)) issues.add(`${p}.${k}`, 'format', 'a quantity element has only epcClass, quantity and uom');
  });
}

function ilmd(value: unknown, path: string, issues: Issues): void {
  if (!isObj(value)) {
    issues.add(path, 'format', 'ilmd must be an object');
    return;
  }
  for (const k of Object.keys(value)) if (!isExtensionName(k)) issues.add(`${path}.${k}`, 'format', `ILMD field ${k} must be a prefixed name or URI (e.g. cbvmda:lotNumber)`);
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
  let candidates = candidateSteps(String(event['type']), bizStep);
  if (candidates.length === 0) {
    issues.add(`${path}.bizStep`, 'profile', `${String(event['type'])} with bizStep ${JSON.stringify(bizStep)} is not a DSCSA lifecycle step`);
    return;
  }
  if (event['type'] !== 'TransformationEvent') {
    const byAction = candidates.filter((c) => c.action === event['action']);
    if (byAction.length === 0) {
      issues.add(`${path}.action`, 'profile', `${String(event['type'])} with bizStep ${bizStep ?? '(none)'} uses action ${[...new Set(candidates.map((c) => c.action))].join(' or ')}`);
    } else candidates = byAction;
  }
  let disposition: string | undefined;
  try {
    disposition = typeof event['disposition'] === 'string' ? normaliseVocabulary('disposition', event['disposition']) : undefined;
  } catch {
    disposition = undefined;
  }
  const fitting = disposition === undefined ? candidates : candidates.filter((c) => c.dispositions.includes(disposition as never));
  if (disposition === undefined && candidates.every((c) => c.dispositions.length > 0 && !c.dispositionOptional)) {
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
  // Lot and expiry belong to trade items: an SSCC-only commissioning (cases, pallets) has no ILMD.
  const tradeItems = Array.isArray(event['epcList']) && (event['epcList'] as unknown[]).some((e) => typeof e === 'string' && (e.startsWith('urn:epc:id:sgtin:') || /\/01\/\d{14}\/21\//.test(e)));
  if (required('ilmdLotAndExpiry') && (tradeItems || !Array.isArray(event['epcList']))) {
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
