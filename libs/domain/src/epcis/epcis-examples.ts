import { EPCIS_CONTEXT } from './events';

/**
 * Hand-written EPCIS 2.0 events, one per feature family, written from the EPCIS 2.0 / CBV 2.0 /
 * TDS 2.x texts. Shared by the validator, hash, XML round-trip and schema-oracle specs (test-only:
 * not exported from the package index).
 */

const T = { eventTime: '2026-03-01T10:15:30.123+01:00', eventTimeZoneOffset: '+01:00' };
const RP = { readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' } };

export const VALID_EVENTS: Readonly<Record<string, Record<string, unknown>>> = {
  objectCommission: {
    type: 'ObjectEvent', ...T, action: 'ADD', bizStep: 'commissioning', disposition: 'active',
    epcList: ['urn:epc:id:sgtin:0312345.067890.SN%2512%26x', 'urn:epc:id:sgtin:0312345.067890.1002'], ...RP,
    bizLocation: { id: 'urn:epc:id:sgln:0312345.00001.0' },
    ilmd: { 'cbvmda:lotNumber': 'A1/B-2', 'cbvmda:itemExpirationDate': '2028-11-30' },
  },
  objectShip: {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
    epcList: ['urn:epc:id:sscc:0312345.0123456789'],
    bizTransactionList: [
      { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0398765000006:PO-4711' },
      { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:0312345000004:ASN-77' },
    ],
    sourceList: [
      { type: 'owning_party', source: 'urn:epc:id:pgln:0312345.00000' },
      { type: 'location', source: 'urn:epc:id:sgln:0312345.00001.0' },
    ],
    destinationList: [
      { type: 'owning_party', destination: 'urn:epc:id:pgln:0398765.00000' },
      { type: 'location', destination: 'urn:epc:id:sgln:0398765.00002.0' },
    ],
    'gs1ushc:dropShipment': 'false',
  },
  objectAllSchemes: {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'inspecting',
    epcList: [
      'urn:epc:id:sgtin:4012345.011111.987', 'urn:epc:id:sscc:4012345.0000000001', 'urn:epc:id:sgln:4012345.00001.ext1',
      'urn:epc:id:grai:4012345.00225.A1', 'urn:epc:id:giai:4012345.ASSET-17', 'urn:epc:id:gsrn:4012345.0000000011',
      'urn:epc:id:gsrnp:4012345.0000000022', 'urn:epc:id:gdti:4012345.00001.DOC1', 'urn:epc:id:cpi:4012345.PART%2F9.123',
      'urn:epc:id:sgcn:4012345.67890.04711', 'urn:epc:id:ginc:4012345.CONS-1', 'urn:epc:id:gsin:4012345.000000001',
      'urn:epc:id:itip:4012345.011111.01.02.SER9', 'urn:epc:id:upui:4012345.011111.TPX%2Fabc', 'urn:epc:id:pgln:4012345.00000',
      'https://id.gs1.org/01/04012345111118/21/DL-1', 'https://example.com/assets/42',
    ],
    ...RP,
  },
  objectClassLevel: {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'holding', disposition: 'recalled',
    quantityList: [
      { epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 200 },
      { epcClass: 'urn:epc:idpat:sgtin:0312345.067890.*', quantity: 12.5, uom: 'KGM' },
      { epcClass: 'https://id.gs1.org/01/00312345678906/10/LOT9' },
    ],
    persistentDisposition: { set: ['completeness_inferred'], unset: ['completeness_verified'] },
  },
  objectSensorOnly: {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'sensor_reporting', epcList: [], ...RP,
    sensorElementList: [
      {
        sensorMetadata: { time: '2026-03-01T10:00:00Z', deviceID: 'urn:epc:id:giai:4012345.TEMP-7', deviceMetadata: 'https://id.gs1.org/8004/4012345TEMP-7', startTime: '2026-03-01T09:00:00Z', endTime: '2026-03-01T10:00:00Z' },
        sensorReport: [
          { type: 'Temperature', value: 5.5, minValue: 2, maxValue: 8.25, meanValue: 5.1, uom: 'CEL' },
          { type: 'gs1:RelativeHumidity', value: 40, uom: 'P1', component: 'x' },
          { type: 'Temperature', exception: 'ALARM_CONDITION', time: '2026-03-01T09:30:00Z', booleanValue: true },
          { type: 'https://example.com/voc/Shock', stringValue: 'none', hexBinaryValue: '0A1b', uriValue: 'https://example.com/r/1', 'example:note': 'x' },
        ],
      },
    ],
  },
  objectErrorDeclared: {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress',
    epcList: ['urn:epc:id:sgtin:0312345.067890.1002'],
    eventID: 'urn:uuid:0f5a2b3c-1d2e-4f60-8a9b-0c1d2e3f4a5b', recordTime: '2026-03-01T10:20:00Z',
    certificationInfo: ['https://cert.example.com/cert/1'],
    errorDeclaration: { declarationTime: '2026-03-02T08:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:9f5a2b3c-1d2e-4f60-8a9b-0c1d2e3f4a5b'], 'example:ticket': 'T-1' },
  },
  aggregationPack: {
    type: 'AggregationEvent', ...T, action: 'ADD', bizStep: 'packing', disposition: 'in_progress',
    parentID: 'urn:epc:id:sscc:0312345.0123456789',
    childEPCs: ['urn:epc:id:sgtin:0312345.067890.1002', 'urn:epc:id:sgtin:0312345.067890.1003'],
    childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 2 }], ...RP,
  },
  aggregationUnpack: {
    type: 'AggregationEvent', ...T, action: 'DELETE', bizStep: 'unpacking', parentID: 'urn:epc:id:sscc:0312345.0123456789',
  },
  transaction: {
    type: 'TransactionEvent', ...T, action: 'ADD', bizStep: 'shipping', disposition: 'in_transit',
    bizTransactionList: [{ type: 'inv', bizTransaction: 'urn:epcglobal:cbv:bt:0312345000004:INV-9' }],
    parentID: 'urn:epc:id:sscc:0312345.0123456789', epcList: ['urn:epc:id:sgtin:0312345.067890.1002'],
    quantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 3 }],
  },
  transformation: {
    type: 'TransformationEvent', ...T, bizStep: 'repackaging', disposition: 'active',
    inputEPCList: ['urn:epc:id:sgtin:0312345.067890.1002'], inputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 10, uom: 'EA' }],
    outputEPCList: ['urn:epc:id:sgtin:0312345.167890.5001'], outputQuantityList: [{ epcClass: 'urn:epc:idpat:sgtin:0312345.167890.*', quantity: 4 }],
    transformationID: 'urn:epc:id:gdti:0312345.00001.TX1',
    persistentDisposition: { set: ['completeness_verified'] },
    ilmd: { 'cbvmda:lotNumber': 'R-LOT', 'cbvmda:itemExpirationDate': '2027-06-30' }, ...RP,
  },
  transformationById: {
    type: 'TransformationEvent', ...T, transformationID: 'https://example.com/tx/77', outputEPCList: ['urn:epc:id:sgtin:0312345.167890.5002'],
  },
  association: {
    type: 'AssociationEvent', ...T, action: 'ADD', bizStep: 'assembling', disposition: 'active',
    parentID: 'urn:epc:id:grai:4012345.55555.0', childEPCs: ['urn:epc:id:giai:4012345.SENSOR-1'],
    childQuantityList: [{ epcClass: 'urn:epc:idpat:grai:4012345.55555.*', quantity: 1 }], ...RP,
  },
  associationDelete: {
    type: 'AssociationEvent', ...T, action: 'DELETE', parentID: 'urn:epc:id:grai:4012345.55555.0',
  },
};

/** Events GS1's JSON schema (or the standard's text) refuses, with the path our validator must name. */
export const INVALID_EVENTS: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['unprefixed extension field', { ...VALID_EVENTS['objectShip'], dropShipment: 'false' }, 'dropShipment'],
  ['parentID on an ObjectEvent', { ...VALID_EVENTS['objectShip'], parentID: 'urn:epc:id:sscc:0312345.0123456789' }, 'parentID'],
  ['action on a TransformationEvent', { ...VALID_EVENTS['transformation'], action: 'ADD' }, 'action'],
  ['TransformationEvent without outputs or ID', { type: 'TransformationEvent', ...T, inputEPCList: ['urn:epc:id:sgtin:0312345.067890.1002'] }, 'outputEPCList'],
  ['TransformationEvent with epcList', { ...VALID_EVENTS['transformation'], epcList: ['urn:epc:id:sgtin:0312345.067890.1002'] }, 'epcList'],
  ['AssociationEvent without parentID', { type: 'AssociationEvent', ...T, action: 'ADD', childEPCs: ['urn:epc:id:giai:4012345.SENSOR-1'] }, 'parentID'],
  ['AssociationEvent ADD without children', { type: 'AssociationEvent', ...T, action: 'ADD', parentID: 'urn:epc:id:grai:4012345.55555.0' }, 'childEPCs'],
  ['AssociationEvent with ilmd', { ...VALID_EVENTS['association'], ilmd: { 'cbvmda:lotNumber': 'X' } }, 'ilmd'],
  ['sensor report without type', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ value: 3 }] }] }, 'sensorElementList[0].sensorReport[0].type'],
  ['unknown GS1 measurement type', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ type: 'Temprature', value: 3 }] }] }, 'sensorElementList[0].sensorReport[0].type'],
  ['sensor value as a string', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: '3' }] }] }, 'sensorElementList[0].sensorReport[0].value'],
  ['sensor boolean as a string', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ type: 'Temperature', booleanValue: 'true' }] }] }, 'sensorElementList[0].sensorReport[0].booleanValue'],
  ['bad hexBinaryValue', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ type: 'Temperature', hexBinaryValue: 'xyz' }] }] }, 'sensorElementList[0].sensorReport[0].hexBinaryValue'],
  ['unknown sensor report field', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [{ type: 'Temperature', reading: 3 }] }] }, 'sensorElementList[0].sensorReport[0].reading'],
  ['empty sensorReport', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorReport: [] }] }, 'sensorElementList[0].sensorReport'],
  ['unknown sensorMetadata field', { ...VALID_EVENTS['objectSensorOnly'], sensorElementList: [{ sensorMetadata: { device: 'x' }, sensorReport: [{ type: 'Temperature' }] }] }, 'sensorElementList[0].sensorMetadata.device'],
  ['ilmd with OBSERVE', { ...VALID_EVENTS['objectShip'], ilmd: { 'cbvmda:lotNumber': 'X' } }, 'ilmd'],
  ['quantity element with extra field', { ...VALID_EVENTS['objectClassLevel'], quantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 1, lot: 'x' }] }, 'quantityList[0].lot'],
  ['quantity element without epcClass', { ...VALID_EVENTS['objectClassLevel'], quantityList: [{ quantity: 1 }] }, 'quantityList[0].epcClass'],
  ['lower-case uom', { ...VALID_EVENTS['objectClassLevel'], quantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.LOT9', quantity: 1, uom: 'kg' }] }, 'quantityList[0].uom'],
  ['empty persistentDisposition', { ...VALID_EVENTS['objectClassLevel'], persistentDisposition: {} }, 'persistentDisposition'],
  ['persistentDisposition with other field', { ...VALID_EVENTS['objectClassLevel'], persistentDisposition: { set: ['active'], keep: ['x'] } }, 'persistentDisposition.keep'],
  ['errorDeclaration without declarationTime', { ...VALID_EVENTS['objectErrorDeclared'], errorDeclaration: { reason: 'did_not_occur' } }, 'errorDeclaration.declarationTime'],
  ['bad error reason', { ...VALID_EVENTS['objectErrorDeclared'], errorDeclaration: { declarationTime: '2026-03-02T08:00:00Z', reason: 'oops' } }, 'errorDeclaration.reason'],
  ['certificationInfo not a URI', { ...VALID_EVENTS['objectErrorDeclared'], certificationInfo: 'not a uri' }, 'certificationInfo'],
  ['bizTransaction with extra field', { ...VALID_EVENTS['transaction'], bizTransactionList: [{ type: 'po', bizTransaction: 'urn:x:1', date: '2026-01-01' }] }, 'bizTransactionList[0].date'],
  ['source without type', { ...VALID_EVENTS['objectShip'], sourceList: [{ source: 'urn:epc:id:pgln:0312345.00000' }] }, 'sourceList[0].type'],
  ['TransactionEvent without bizTransactionList', { ...VALID_EVENTS['transaction'], bizTransactionList: [] }, 'bizTransactionList'],
  ['AggregationEvent ADD without children', { type: 'AggregationEvent', ...T, action: 'ADD', parentID: 'urn:epc:id:sscc:0312345.0123456789' }, 'childEPCs'],
  ['ObjectEvent without what', { type: 'ObjectEvent', ...T, action: 'OBSERVE' }, 'epcList'],
  ['sgtin with 14 digits', { ...VALID_EVENTS['objectShip'], epcList: ['urn:epc:id:sgtin:0312345.0678901.1'] }, 'epcList[0]'],
  ['unknown EPC scheme', { ...VALID_EVENTS['objectShip'], epcList: ['urn:epc:id:sgtn:0312345.067890.1'] }, 'epcList[0]'],
  ['pattern with a star in the middle', { ...VALID_EVENTS['objectClassLevel'], quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:0312345.*.5', quantity: 1 }] }, 'quantityList[0].epcClass'],
  ['bad time zone offset', { ...VALID_EVENTS['objectShip'], eventTimeZoneOffset: '+14:30' }, 'eventTimeZoneOffset'],
];

export function documentOf(events: readonly unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [EPCIS_CONTEXT, { gs1ushc: 'http://epcis.gs1us.org/hc/ns', example: 'https://example.com/epcis/' }],
    type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T11:00:00Z', ...extra, epcisBody: { eventList: events },
  };
}

/** Extra prefixes a hash vector's document declares in @context (`null`: only the EPCIS context). */
export type VectorContext = Readonly<Record<string, string>> | null;

/**
 * Hash vectors per field family. Expected pre-hashes and hashes live in hash-vectors.json, computed
 * by GS1's reference implementation (see that file's `producedBy`).
 */
export const HASH_EVENTS: ReadonlyArray<readonly [string, VectorContext, Record<string, unknown>]> = [
  ...Object.entries(VALID_EVENTS).map(([name, event]) => [name, { gs1ushc: 'http://epcis.gs1us.org/hc/ns', example: 'https://example.com/epcis/' }, event] as const),
  ['ilmdUndeclaredPrefix', null, { ...VALID_EVENTS['objectCommission'] }],
  ['ilmdDeclaredPrefix', { cbvmda: 'urn:epcglobal:cbv:mda:' }, { ...VALID_EVENTS['objectCommission'] }],
  ['vocabularySpellings', null, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:receiving', disposition: 'https://ref.gs1.org/cbv/Disp-in_progress',
    epcList: ['https://id.gs1.org/01/00312345678906/21/1002'],
    sourceList: [{ type: 'urn:epcglobal:cbv:sdt:owning_party', source: 'urn:epc:id:pgln:0312345.00000' }],
    destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/0398765000006' }],
  }],
  ['digitalLinksEverywhere', null, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
    epcList: ['https://brand.example/dl/01/00312345678906/10/L1/21/S%2F1?17=281130', 'https://example.org/00/003123450000001230'],
    readPoint: { id: 'https://example.org/414/0312345000014/254/7' },
    bizTransactionList: [{ type: 'desadv', bizTransaction: 'https://example.org/253/0312345000010ASN77?x=1' }, { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0398765000006:PO-4711' }],
    sourceList: [{ type: 'owning_party', source: 'https://example.org/417/0312345000004' }],
    destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0398765.00000' }],
    sensorElementList: [{ sensorMetadata: { bizRules: 'https://example.org/253/0312345000010RULES', deviceID: 'https://example.org/8004/0312345DEV1' }, sensorReport: [{ type: 'Temperature', value: 4 }] }],
  }],
  ['fieldOrderWithinEntries', null, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0312345.067890.1002'],
    bizTransactionList: [{ bizTransaction: 'urn:epcglobal:cbv:bt:0398765000006:PO-1', type: 'po' }],
    sourceList: [{ source: 'urn:epc:id:pgln:0312345.00000', type: 'owning_party' }],
    destinationList: [{ type: 'possessing_party', destination: 'urn:epc:id:pgln:0398765.00000' }],
  }],
  ['numbersAndBooleans', null, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', epcList: [], readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' },
    quantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.0012', quantity: 12.5, uom: 'KGM' }],
    sensorElementList: [{ sensorReport: [
      { type: 'Temperature', value: 0.00001, minValue: -0.5, maxValue: 1e21, uom: 'CEL' },
      { type: 'Temperature', booleanValue: false, stringValue: '007' },
    ] }],
  }],
  ['timeRounding', null, { type: 'ObjectEvent', eventTime: '2026-03-01T10:15:30.1235+01:00', eventTimeZoneOffset: '+01:00', action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0312345.067890.1002'] }],
  ['timeRoundingEven', null, { type: 'ObjectEvent', eventTime: '2026-03-01T23:59:59.1225-05:00', eventTimeZoneOffset: '-05:00', action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0312345.067890.1002'] }],
  ['extensionsAtEveryLevel', { example: 'https://example.com/epcis/' }, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0312345.067890.1002'],
    readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0', 'example:dock': 'D4' },
    'example:carrier': { 'example:name': 'ACME', 'example:scac': 'ACME1' },
    'example:temperatureLog': ['a', 'b'],
    'gs1ushc:dropShipment': 'true',
  }],
  ['sensorComponentsAndAlerts', { gs1: 'https://gs1.org/voc/' }, {
    type: 'ObjectEvent', ...T, action: 'OBSERVE', epcList: ['urn:epc:id:sscc:0312345.0123456789'],
    sensorElementList: [
      { sensorMetadata: { time: '2026-03-01T10:00:00.000+01:00', deviceID: 'urn:epc:id:giai:4012345.TEMP-7', rawData: 'https://example.com/raw/1', dataProcessingMethod: 'https://example.com/method/avg' },
        sensorReport: [
          { type: 'gs1:Temperature', value: 7.5, uom: 'CEL', exception: 'ALARM_CONDITION' },
          { type: 'Length', component: 'latitude', value: 48.1, uom: 'DD', coordinateReferenceSystem: 'http://www.opengis.net/def/crs/EPSG/0/4979' },
          { type: 'Count', microorganism: 'https://www.ncbi.nlm.nih.gov/taxonomy/1126011', chemicalSubstance: 'https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N', value: 3, sDev: 0.1, percRank: 50, percValue: 2 },
        ] },
      { sensorReport: [{ type: 'RelativeHumidity', value: 40, uom: 'P1', time: '2026-03-01T09:00:00Z' }] },
    ],
  }],
  ['errorDeclarationIgnored', null, { ...VALID_EVENTS['objectErrorDeclared'], certificationInfo: ['https://cert.example.com/b', 'https://cert.example.com/a'] }],
];
