/**
 * What EPCIS XML and EPCIS 2.0 JSON-LD share, written down once for the reader and the writer:
 * namespaces, element order per event type (EPCIS 1.2 and 2.0 XSDs), and which fields sit in 1.2's
 * `<extension>` / `<baseExtension>` wrappers.
 */

import { LOCAL_EXTENSION_NS, LOCAL_EXTENSION_PREFIX } from '../local-extension';

export type EpcisXmlVersion = '1.2' | '2.0';

export const EPCIS_NS: Readonly<Record<EpcisXmlVersion, string>> = { '1.2': 'urn:epcglobal:epcis:xsd:1', '2.0': 'urn:epcglobal:epcis:xsd:2' };
export const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
/** GS1 US healthcare extension namespace (DSCSA guideline). */
export const GS1USHC_NS = 'http://epcis.gs1us.org/hc/ns';
export const CBVMDA_NS = 'urn:epcglobal:cbv:mda';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Prefixes a writer may use without a declaration in the document's @context. */
export const WELL_KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  cbvmda: CBVMDA_NS,
  gs1ushc: GS1USHC_NS,
  sbdh: SBDH_NS,
  gs1: 'https://gs1.org/voc/',
  xsi: XSI_NS,
  [LOCAL_EXTENSION_PREFIX]: LOCAL_EXTENSION_NS,
};

export const EVENT_ELEMENTS = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;

/** Fields whose XML form is a list of child elements with these names. */
export const EPC_LIST_FIELDS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
export const QUANTITY_LIST_FIELDS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);

const COMMON_20 = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'];
const TAIL = ['sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'];
const WHERE = ['readPoint', 'bizLocation'];

/** Element order of the EPCIS 2.0 XSD per event type (extensions follow). */
export const ORDER_20: Readonly<Record<string, readonly string[]>> = {
  ObjectEvent: [...COMMON_20, 'epcList', 'action', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList', 'quantityList', ...TAIL, 'ilmd'],
  AggregationEvent: [...COMMON_20, 'parentID', 'childEPCs', 'action', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList', 'childQuantityList', ...TAIL],
  // The 2.0 XSD puts an AssociationEvent's childQuantityList beside childEPCs, not where AggregationEvent has it.
  AssociationEvent: [...COMMON_20, 'parentID', 'childEPCs', 'childQuantityList', 'action', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList', ...TAIL],
  TransactionEvent: [...COMMON_20, 'bizTransactionList', 'parentID', 'epcList', 'action', 'bizStep', 'disposition', ...WHERE, 'quantityList', ...TAIL],
  TransformationEvent: [
    ...COMMON_20, 'inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'transformationID', 'bizStep', 'disposition', ...WHERE,
    'bizTransactionList', ...TAIL, 'ilmd',
  ],
};

/**
 * EPCIS 1.2: the 1.0 fields in place, `baseExtension` for eventID/errorDeclaration, and later
 * fields inside the event's `<extension>`. TransformationEvent (new in 1.1) has no wrapper but sits
 * inside `<EventList><extension>`.
 */
export const ORDER_12: Readonly<Record<string, { readonly main: readonly string[]; readonly extension: readonly string[] }>> = {
  ObjectEvent: { main: ['epcList', 'action', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList'], extension: ['quantityList', 'sourceList', 'destinationList', 'ilmd'] },
  AggregationEvent: { main: ['parentID', 'childEPCs', 'action', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList'], extension: ['childQuantityList', 'sourceList', 'destinationList'] },
  TransactionEvent: { main: ['bizTransactionList', 'parentID', 'epcList', 'action', 'bizStep', 'disposition', ...WHERE], extension: ['quantityList', 'sourceList', 'destinationList'] },
  TransformationEvent: {
    main: ['inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'transformationID', 'bizStep', 'disposition', ...WHERE, 'bizTransactionList', 'sourceList', 'destinationList', 'ilmd'],
    extension: [],
  },
};

/** EPC lists the EPCIS 1.2 XSD requires as an element (empty when the event names no EPC). */
export const REQUIRED_LIST_12: Readonly<Record<string, string>> = { ObjectEvent: 'epcList', AggregationEvent: 'childEPCs', TransactionEvent: 'epcList' };

/** EPCIS 2.0 fields EPCIS 1.2 XML has no place for. */
export const NOT_IN_12 = ['sensorElementList', 'persistentDisposition', 'certificationInfo'] as const;

export const SENSOR_METADATA_ATTRIBUTES = ['time', 'deviceID', 'deviceMetadata', 'rawData', 'startTime', 'endTime', 'bizRules', 'dataProcessingMethod'];
export const SENSOR_REPORT_ATTRIBUTES = [
  'type', 'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'uom', 'minValue', 'maxValue', 'sDev', 'chemicalSubstance',
  'microorganism', 'deviceID', 'deviceMetadata', 'rawData', 'time', 'meanValue', 'percRank', 'percValue', 'dataProcessingMethod', 'coordinateReferenceSystem', 'exception',
];
export const SENSOR_NUMBERS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
