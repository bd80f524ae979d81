import { DomainError } from '../errors';
import { assertIsoDate, parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import { isDigitalLinkUri, parseDigitalLink } from '../gs1/digital-link';
import { lgtinToEpcClassUrn, parseEpcUrn, sgtinToEpcUrn, ssccToEpcUrn, type CompanyPrefixOptions } from '../gs1/epc-urn';
import { assertSerialOrLot } from '../gs1/gtin';
import { computeEventHashId, type EventHashOptions } from './event-hash';
import { dscsaStep, type DscsaStep } from './dscsa-profile';
import type { Action, AggregationEvent, BizTransaction, Destination, EpcisEvent, ObjectEvent, QuantityElement, Source, TransactionEvent } from './events';
import { normaliseVocabulary, type Disposition } from './vocabulary';
import type { QuarantineReason } from '../lifecycle/records';

/**
 * Builders that turn domain inputs (serials, SSCCs, parties, a time) into EPCIS 2.0 events for each
 * DSCSA step, with bizStep/disposition from the DSCSA profile table and a content-hash eventID.
 */

/** An EPC as a URN/Digital Link string, or as the domain identifiers it is made from. */
export type EpcRef = string | { readonly gtin: string; readonly serial: string } | { readonly sscc: string };

/** A trading partner in a change of ownership: PGLN of the legal entity, SGLN of the site. */
export interface Party {
  /** `urn:epc:id:pgln:...` (or a Digital Link with AI 417). */
  readonly owner: string;
  /** `urn:epc:id:sgln:...` ship-from / ship-to location. */
  readonly location?: string;
  /** Third party in possession (3PL, drop shipment), if not the owner. */
  readonly possessor?: string;
}

export interface EventInput {
  readonly eventTime: IsoTimestamp;
  readonly readPoint?: string;
  readonly bizLocation?: string;
  readonly bizTransactions?: readonly BizTransaction[];
  /** Prefixed extension fields, e.g. `{ 'gs1ushc:dropShipment': true }`. */
  readonly extensions?: Readonly<Record<`${string}:${string}`, unknown>>;
}

export interface BuildOptions extends CompanyPrefixOptions, EventHashOptions {
  /** Set eventID to the CBV 2.0 hash ID (default true). */
  readonly withEventId?: boolean;
}

export function epcOf(ref: EpcRef, options: CompanyPrefixOptions = {}): string {
  if (typeof ref !== 'string') return 'sscc' in ref ? ssccToEpcUrn(ref.sscc, options) : sgtinToEpcUrn(ref.gtin, ref.serial, options);
  if (ref.startsWith('urn:epc:')) {
    parseEpcUrn(ref);
    return ref;
  }
  if (isDigitalLinkUri(ref)) {
    parseDigitalLink(ref);
    return ref;
  }
  throw new DomainError('EPC_URN_INVALID', `not an EPC URN or GS1 Digital Link: ${JSON.stringify(ref)}`, { reason: 'unrecognised EPC' });
}

function epcs(refs: readonly EpcRef[], options: CompanyPrefixOptions, what = 'epcList'): string[] {
  if (refs.length === 0) throw new DomainError('EPCIS_INVALID', `${what} must not be empty`, { reason: `empty ${what}` });
  const list = refs.map((r) => epcOf(r, options));
  const seen = new Set<string>();
  const dup = list.find((e) => seen.size === seen.add(e).size);
  if (dup) throw new DomainError('EPCIS_INVALID', `${what} lists ${dup} twice`, { reason: `duplicate EPC in ${what}` });
  return list;
}

function partyId(value: string, scheme: 'pgln' | 'sgln', role: string): string {
  if (value.startsWith('urn:epc:id:')) {
    const id = parseEpcUrn(value);
    if (id.scheme !== scheme) throw new DomainError('EPCIS_INVALID', `${role} must be an ${scheme.toUpperCase()}, got ${value}`, { reason: `${role} scheme` });
    return value;
  }
  if (isDigitalLinkUri(value)) {
    const dl = parseDigitalLink(value);
    if (dl.primaryKey !== (scheme === 'pgln' ? '417' : '414')) throw new DomainError('EPCIS_INVALID', `${role} Digital Link must use AI ${scheme === 'pgln' ? '417' : '414'}`, { reason: `${role} scheme` });
    return value;
  }
  throw new DomainError('EPCIS_INVALID', `${role} must be an EPC URN or Digital Link, got ${JSON.stringify(value)}`, { reason: `${role} format` });
}

function parties(kind: 'source' | 'destination', party: Party | undefined): Array<Source | Destination> | undefined {
  if (!party) return undefined;
  const entries: Array<[string, string]> = [['owning_party', partyId(party.owner, 'pgln', `${kind} owner`)]];
  entries.push(['possessing_party', partyId(party.possessor ?? party.owner, 'pgln', `${kind} possessor`)]);
  if (party.location) entries.push(['location', partyId(party.location, 'sgln', `${kind} location`)]);
  return entries.map(([type, id]) => (kind === 'source' ? { type, source: id } : { type, destination: id }));
}

interface CommonFields {
  readonly eventTime: IsoTimestamp;
  readonly eventTimeZoneOffset: string;
  readonly action: Action;
  readonly bizStep: string;
  readonly disposition?: string;
  readonly readPoint?: { readonly id: string };
  readonly bizLocation?: { readonly id: string };
  readonly bizTransactionList?: readonly BizTransaction[];
}

function common(step: DscsaStep, input: EventInput, disposition?: Disposition): CommonFields {
  const profile = dscsaStep(step);
  const time = parseTimestamp(input.eventTime, 'eventTime');
  if (disposition !== undefined && !profile.dispositions.includes(disposition)) {
    throw new DomainError('EPCIS_INVALID', `disposition ${disposition} does not fit step ${step} (allowed: ${profile.dispositions.join(', ') || 'none'})`, { reason: 'disposition' });
  }
  const chosen = disposition ?? profile.dispositions[0];
  return {
    eventTime: input.eventTime,
    eventTimeZoneOffset: time.offset,
    action: profile.action,
    bizStep: profile.bizStep,
    ...(chosen ? { disposition: chosen } : {}),
    ...(input.readPoint ? { readPoint: { id: partyId(input.readPoint, 'sgln', 'readPoint') } } : {}),
    ...(input.bizLocation ? { bizLocation: { id: partyId(input.bizLocation, 'sgln', 'bizLocation') } } : {}),
    ...(input.bizTransactions?.length ? { bizTransactionList: input.bizTransactions.map(bizTransaction) } : {}),
    ...(input.extensions ?? {}),
  } as CommonFields;
}

function bizTransaction(t: BizTransaction): BizTransaction {
  if (!t.bizTransaction || !t.bizTransaction.includes(':')) {
    throw new DomainError('EPCIS_INVALID', `bizTransaction must be a URI such as urn:epcglobal:cbv:bt:{GLN}:{number}, got ${JSON.stringify(t.bizTransaction)}`, { reason: 'bizTransaction format' });
  }
  return t.type === undefined ? { bizTransaction: t.bizTransaction } : { type: normaliseVocabulary('bizTransactionType', t.type), bizTransaction: t.bizTransaction };
}

/** GS1 US convention for business transaction IDs: urn:epcglobal:cbv:bt:{GLN}:{document number}. */
export function bizTransactionUrn(gln: string, documentNumber: string): string {
  if (!/^\d{13}$/.test(gln)) throw new DomainError('IDENTIFIER_INVALID', `GLN must be 13 digits, got ${JSON.stringify(gln)}`, { reason: 'GLN format' });
  return `urn:epcglobal:cbv:bt:${gln}:${documentNumber}`;
}

function finish<T extends EpcisEvent>(event: T, options: BuildOptions): T {
  if (options.withEventId === false) return event;
  return { eventID: computeEventHashId(event, options), ...event };
}

// ------------------------------------------------------------------------------------------------

export interface CommissionInput extends EventInput {
  readonly epcs: readonly EpcRef[];
  readonly lot: string;
  readonly expiry: IsoDate;
}

export function commissionEvent(input: CommissionInput, options: BuildOptions = {}): ObjectEvent {
  assertSerialOrLot(input.lot, '10');
  assertIsoDate(input.expiry, 'expiry');
  return finish(
    {
      type: 'ObjectEvent',
      ...common('commission', input),
      epcList: epcs(input.epcs, options),
      ilmd: { 'cbvmda:lotNumber': input.lot, 'cbvmda:itemExpirationDate': input.expiry },
    } as ObjectEvent,
    options,
  );
}

export interface PackInput extends EventInput {
  readonly parent: EpcRef;
  readonly children: readonly EpcRef[];
  /** Mark the container closed (CBV 2.0 container_closed) instead of in_progress. */
  readonly sealed?: boolean;
}

export function packEvent(input: PackInput, options: BuildOptions = {}): AggregationEvent {
  return finish(
    {
      type: 'AggregationEvent',
      ...common('pack', input, input.sealed ? 'container_closed' : undefined),
      parentID: epcOf(input.parent, options),
      childEPCs: epcs(input.children, options, 'childEPCs'),
    } as AggregationEvent,
    options,
  );
}

export interface UnpackInput extends EventInput {
  readonly parent: EpcRef;
  /** Omit to disaggregate everything in the container. */
  readonly children?: readonly EpcRef[];
}

export function unpackEvent(input: UnpackInput, options: BuildOptions = {}): AggregationEvent {
  return finish(
    {
      type: 'AggregationEvent',
      ...common('unpack', input),
      parentID: epcOf(input.parent, options),
      ...(input.children?.length ? { childEPCs: epcs(input.children, options, 'childEPCs') } : {}),
    } as AggregationEvent,
    options,
  );
}

export interface TransferInput extends EventInput {
  /** Top-level EPCs only: pallets/cases by SSCC, loose packs by SGTIN. Contents are inferred. */
  readonly epcs: readonly EpcRef[];
  readonly from: Party;
  readonly to: Party;
}

export function shipEvent(input: TransferInput, options: BuildOptions = {}): ObjectEvent {
  if (!input.bizTransactions?.length) {
    throw new DomainError('EPCIS_INVALID', 'a DSCSA shipment must reference its PO/invoice/ASN (bizTransactions) for the Transaction Information', { reason: 'bizTransaction required' });
  }
  return transfer('ship', input, options);
}

export function receiveEvent(input: TransferInput & { readonly disposition?: 'in_progress' | 'sellable_accessible'; readonly inferred?: boolean }, options: BuildOptions = {}): ObjectEvent {
  // CBV 2.0 completeness dispositions say whether contents were scanned or inferred from aggregation.
  const completeness = input.inferred === undefined ? undefined : { set: [input.inferred ? 'completeness_inferred' : 'completeness_verified'] };
  return transfer('receive', input, options, input.disposition, completeness);
}

export function returnShipEvent(input: TransferInput, options: BuildOptions = {}): ObjectEvent {
  if (!input.bizTransactions?.some((t) => t.type !== undefined && normaliseVocabulary('bizTransactionType', t.type) === 'rma')) {
    throw new DomainError('EPCIS_INVALID', 'a return shipment must reference the return authorisation (bizTransaction type rma)', { reason: 'rma required' });
  }
  return transfer('returnShip', input, options);
}

export function returnReceiveEvent(input: TransferInput, options: BuildOptions = {}): ObjectEvent {
  return transfer('returnReceive', input, options);
}

function transfer(step: DscsaStep, input: TransferInput, options: BuildOptions, disposition?: Disposition, persistentDisposition?: { set: string[] }): ObjectEvent {
  return finish(
    {
      type: 'ObjectEvent',
      ...common(step, input, disposition),
      ...(persistentDisposition ? { persistentDisposition } : {}),
      epcList: epcs(input.epcs, options),
      sourceList: parties('source', input.from) as Source[],
      destinationList: parties('destination', input.to) as Destination[],
    } as ObjectEvent,
    options,
  );
}

export interface ObserveInput extends EventInput {
  readonly epcs: readonly EpcRef[];
}

export function voidShippingEvent(input: ObserveInput, options: BuildOptions = {}): ObjectEvent {
  return observe('voidShipping', input, options);
}

export function dispenseEvent(input: ObserveInput & { readonly partial?: boolean }, options: BuildOptions = {}): ObjectEvent {
  return observe('dispense', input, options, input.partial ? 'partially_dispensed' : 'dispensed');
}

export function retailSellEvent(input: ObserveInput, options: BuildOptions = {}): ObjectEvent {
  return observe('retailSell', input, options);
}

export function decommissionEvent(input: ObserveInput, options: BuildOptions = {}): ObjectEvent {
  return observe('decommission', input, options);
}

export function destroyEvent(input: ObserveInput, options: BuildOptions = {}): ObjectEvent {
  return observe('destroy', input, options);
}

/** Why product is held, mapped to the CBV disposition that says so (CBV has no "quarantine"). */
export const QUARANTINE_DISPOSITION: Readonly<Record<QuarantineReason, Disposition>> = {
  suspect: 'sellable_not_accessible',
  illegitimate: 'non_sellable_other',
  no_pedigree_match: 'no_pedigree_match',
  stolen: 'stolen',
  damaged: 'damaged',
  expired: 'expired',
};

export function quarantineEvent(input: ObserveInput & { readonly reason: QuarantineReason }, options: BuildOptions = {}): ObjectEvent {
  const disposition = QUARANTINE_DISPOSITION[input.reason];
  if (!disposition) throw new DomainError('EPCIS_INVALID', `unknown quarantine reason ${JSON.stringify(input.reason)}`, { reason: 'quarantine reason' });
  return observe('quarantine', input, options, disposition);
}

/** Quarantine cleared or saleable return verified: back to sellable stock. */
export function releaseEvent(input: ObserveInput, options: BuildOptions = {}): ObjectEvent {
  return observe('release', input, options);
}

export interface RecallInput extends EventInput {
  /** Recall individual packs ... */
  readonly epcs?: readonly EpcRef[];
  /** ... or a whole lot, expressed as an LGTIN class. */
  readonly lot?: { readonly gtin: string; readonly lot: string };
}

export function recallEvent(input: RecallInput, options: BuildOptions = {}): ObjectEvent {
  const quantityList: QuantityElement[] | undefined = input.lot ? [{ epcClass: lgtinToEpcClassUrn(input.lot.gtin, input.lot.lot, options) }] : undefined;
  if (!input.epcs?.length && !quantityList) throw new DomainError('EPCIS_INVALID', 'a recall needs EPCs or a lot', { reason: 'nothing recalled' });
  return finish(
    {
      type: 'ObjectEvent',
      ...common('recall', input),
      ...(input.epcs?.length ? { epcList: epcs(input.epcs, options) } : {}),
      ...(quantityList ? { quantityList } : {}),
    } as ObjectEvent,
    options,
  );
}

function observe(step: DscsaStep, input: ObserveInput, options: BuildOptions, disposition?: Disposition): ObjectEvent {
  return finish({ type: 'ObjectEvent', ...common(step, input, disposition), epcList: epcs(input.epcs, options) } as ObjectEvent, options);
}

export interface TransactionInput extends EventInput {
  readonly epcs: readonly EpcRef[];
  readonly bizTransactions: readonly BizTransaction[];
  readonly parent?: EpcRef;
}

export function transactionEvent(input: TransactionInput, options: BuildOptions = {}): TransactionEvent {
  if (!input.bizTransactions.length) throw new DomainError('EPCIS_INVALID', 'a TransactionEvent needs at least one bizTransaction', { reason: 'bizTransaction required' });
  return finish(
    {
      type: 'TransactionEvent',
      ...common('transaction', input),
      ...(input.parent ? { parentID: epcOf(input.parent, options) } : {}),
      epcList: epcs(input.epcs, options),
    } as TransactionEvent,
    options,
  );
}
