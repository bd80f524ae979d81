import type { IsoDate, IsoTimestamp } from '../time';

/**
 * EPCIS 2.0 JSON-LD event shapes, with the standard's own field names so documents can be passed
 * through without mapping. Only what DSCSA traceability uses is typed; extensions ride along as
 * extra keys (prefixed, e.g. `gs1ushc:...`).
 */

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export type Action = 'ADD' | 'OBSERVE' | 'DELETE';
export const ACTIONS: readonly Action[] = ['ADD', 'OBSERVE', 'DELETE'];

export type EventType = 'ObjectEvent' | 'AggregationEvent' | 'TransactionEvent' | 'TransformationEvent' | 'AssociationEvent';
export const EVENT_TYPES: readonly EventType[] = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];

export interface QuantityElement {
  readonly epcClass: string;
  readonly quantity?: number;
  readonly uom?: string;
}

export interface BizTransaction {
  /** CBV type (`po`, `desadv`, `inv`, `rma`, ...) in any spelling. */
  readonly type?: string;
  /** GS1 US style `urn:epcglobal:cbv:bt:{GLN}:{document number}` or any URI. */
  readonly bizTransaction: string;
}

export interface Source {
  readonly type: string;
  readonly source: string;
}

export interface Destination {
  readonly type: string;
  readonly destination: string;
}

export interface ErrorDeclaration {
  readonly declarationTime: IsoTimestamp;
  readonly reason?: string;
  readonly correctiveEventIDs?: readonly string[];
}

export interface PersistentDisposition {
  readonly set?: readonly string[];
  readonly unset?: readonly string[];
}

export interface SensorReport {
  readonly type?: string;
  readonly value?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly meanValue?: number;
  readonly uom?: string;
  readonly time?: IsoTimestamp;
  readonly [key: string]: unknown;
}

export interface SensorElement {
  readonly sensorMetadata?: { readonly time?: IsoTimestamp; readonly deviceID?: string; readonly [key: string]: unknown };
  readonly sensorReport: readonly SensorReport[];
}

/** Instance/lot master data created by a commissioning event. */
export interface Ilmd {
  readonly 'cbvmda:lotNumber'?: string;
  readonly 'cbvmda:itemExpirationDate'?: IsoDate;
  readonly [key: string]: unknown;
}

interface CommonEventFields {
  readonly eventID?: string;
  readonly eventTime: IsoTimestamp;
  readonly eventTimeZoneOffset: string;
  readonly recordTime?: IsoTimestamp;
  readonly errorDeclaration?: ErrorDeclaration;
  readonly certificationInfo?: string | readonly string[];
  readonly bizStep?: string;
  readonly disposition?: string;
  readonly persistentDisposition?: PersistentDisposition;
  readonly readPoint?: { readonly id: string };
  readonly bizLocation?: { readonly id: string };
  readonly bizTransactionList?: readonly BizTransaction[];
  readonly sourceList?: readonly Source[];
  readonly destinationList?: readonly Destination[];
  readonly sensorElementList?: readonly SensorElement[];
  /** User extensions: prefixed keys such as `gs1ushc:dropShipment`. */
  readonly [extension: `${string}:${string}`]: unknown;
}

export interface ObjectEvent extends CommonEventFields {
  readonly type: 'ObjectEvent';
  readonly action: Action;
  readonly epcList?: readonly string[];
  readonly quantityList?: readonly QuantityElement[];
  readonly ilmd?: Ilmd;
}

export interface AggregationEvent extends CommonEventFields {
  readonly type: 'AggregationEvent';
  readonly action: Action;
  readonly parentID?: string;
  readonly childEPCs?: readonly string[];
  readonly childQuantityList?: readonly QuantityElement[];
}

export interface TransactionEvent extends CommonEventFields {
  readonly type: 'TransactionEvent';
  readonly action: Action;
  readonly bizTransactionList: readonly BizTransaction[];
  readonly parentID?: string;
  readonly epcList?: readonly string[];
  readonly quantityList?: readonly QuantityElement[];
}

/** Inputs consumed, outputs produced (repackaging); no action. */
export interface TransformationEvent extends CommonEventFields {
  readonly type: 'TransformationEvent';
  readonly inputEPCList?: readonly string[];
  readonly inputQuantityList?: readonly QuantityElement[];
  readonly outputEPCList?: readonly string[];
  readonly outputQuantityList?: readonly QuantityElement[];
  readonly transformationID?: string;
  readonly ilmd?: Ilmd;
}

/** Physical association of assets/sensors with a parent (EPCIS 2.0). */
export interface AssociationEvent extends CommonEventFields {
  readonly type: 'AssociationEvent';
  readonly action: Action;
  readonly parentID: string;
  readonly childEPCs?: readonly string[];
  readonly childQuantityList?: readonly QuantityElement[];
}

/** The event types the DSCSA lifecycle records. */
export type EpcisEvent = ObjectEvent | AggregationEvent | TransactionEvent;
/** Every EPCIS 2.0 event type (what validation and the XML reader accept). */
export type AnyEpcisEvent = EpcisEvent | TransformationEvent | AssociationEvent;

export interface EpcisDocument {
  readonly '@context': string | readonly (string | Readonly<Record<string, string>>)[];
  readonly type: 'EPCISDocument';
  readonly schemaVersion: '2.0';
  readonly creationDate: IsoTimestamp;
  readonly epcisHeader?: Readonly<Record<string, unknown>>;
  readonly epcisBody: { readonly eventList: readonly EpcisEvent[] };
}
