import type { EpcisEvent } from '../epcis/events';
import type { ProposalRecord } from '../consortium/governance';
import type { IsoDate, IsoTimestamp } from '../time';
import type { ContainerRecord, OrgId, PackRecord } from './records';
import type { ExceptionRecord } from '../exceptions/exception-lifecycle';
import type { InvestigationRecord } from '../exceptions/investigation';
import type { TracingRequestRecord } from '../exceptions/tracing-request';
import type { StorageConditions } from '../coldchain/storage';
import type { AnchorReadingsCommand, DecideExcursionCommand } from '../protocol/commands';

/** The manufacturer's decision on one temperature_excursion exception (excursionDecision~{receiver}~{exceptionId}). */
export interface ExcursionDecisionRecord extends Omit<DecideExcursionCommand, 'eventId' | 'submittedBy'> {
  readonly docType: 'excursionDecision';
  /** The packs the exception held when the manufacturer decided. */
  readonly packs: readonly string[];
  readonly decidedBy: OrgId;
  readonly decidedAt: IsoTimestamp;
  readonly txId: string;
}

/** A batch of logger readings as the ledger anchors it (readingsAnchor~{kind}~{id}~{batchSha256}). */
export interface ReadingsAnchorRecord extends Omit<AnchorReadingsCommand, 'eventId' | 'submittedBy'> {
  readonly docType: 'readingsAnchor';
  readonly anchoredBy: OrgId;
  readonly txId: string;
  readonly anchoredAt: IsoTimestamp;
}

/**
 * What the ledger stores beside packs and containers (master data, shipments, receipts) and the one
 * event each transaction publishes. The chaincode writes these and the read models project them:
 * one definition for both sides. Plain JSON, stored with canonicalJson.
 */

export interface ProductRecord {
  readonly docType: 'product';
  readonly gtin: string;
  /** Dashed NDC (e.g. 12345-678-90), master data needed for GTIN -> NDC. */
  readonly ndc?: string;
  readonly name: string;
  readonly strength: string;
  readonly dosageForm: string;
  /** Container size as printed (e.g. "30 tablets"). */
  readonly packSize: string;
  /** Labelled storage range and excursion budget, as its manufacturer registered them (cold chain). */
  readonly storage?: StorageConditions;
  readonly manufacturer: OrgId;
  readonly companyPrefixLength?: number;
  readonly labelerDigits?: 4 | 5;
  readonly registeredAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
}

export type PartnerRole = 'manufacturer' | 'repackager' | 'wholesaler' | 'dispenser' | '3pl';

export interface Licence {
  /** FDA registration, state wholesale licence, pharmacy licence ... */
  readonly type: string;
  readonly number: string;
  readonly authority: string;
  /** Last day the licence is valid; after it the partner is no longer authorised. */
  readonly validUntil: IsoDate;
}

export interface Address {
  readonly street: string;
  readonly city: string;
  readonly state?: string;
  readonly postalCode: string;
  readonly countryCode: string;
}

export interface PartnerRecord {
  readonly docType: 'partner';
  readonly mspId: OrgId;
  readonly name: string;
  /** The first of `roles`: what screens show as its trade. */
  readonly role: PartnerRole;
  /** Every role the consortium admitted it for (a chain pharmacy that also distributes holds two). */
  readonly roles: readonly PartnerRole[];
  /** Its sites' GLNs as admitted; `gln` is the first (the legal entity). */
  readonly glns: readonly string[];
  /** Party GLN (13 digits) and its EPC form, used as owning_party in EPCIS events. */
  readonly gln: string;
  readonly pgln: string;
  readonly address: Address;
  readonly licence: Licence;
  readonly registeredAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
}

/** Public part of a shipment: who, when, what (top level), and the hash of the private TI. */
export interface ShipmentRecord {
  readonly docType: 'shipment';
  /** The ship command's event ID. */
  readonly id: string;
  readonly from: OrgId;
  readonly to: OrgId;
  readonly toSite?: string;
  readonly purpose: 'sale' | 'return';
  readonly shippedAt: IsoTimestamp;
  /** Top-level EPCs as shipped (SSCCs of outermost containers, SGTINs of loose packs). */
  readonly epcs: readonly string[];
  /** ASN (desadv) or RMA reference, `urn:epcglobal:cbv:bt:{seller GLN}:{shipment id}`. */
  readonly bizTransaction: string;
  /** DSCSA Transaction Statement (§581(27)) as affirmed by the seller. */
  readonly statement?: { readonly affirmed: true; readonly legalNotice: string };
  /**
   * Transaction Information: held privately by the two partners, each in its own implicit
   * collection (`_implicit_org_<MSP>`, `collections`); its salted SHA-256 is public. `collection`
   * is the static pairwise collection of shipments recorded before implicit collections.
   */
  readonly ti?: { readonly collections?: readonly string[]; readonly collection?: string; readonly sha256: string };
  /**
   * A shipment from a non-member, recorded by its receiver (ReceiveInbound) from the seller's EPCIS
   * document: `from` is the seller as `gln:<GLN>` (nonMemberParty), and the document is named by its
   * identifier and SHA-256.
   */
  readonly inbound?: { readonly sellerGln: string; readonly sellerName?: string; readonly documentId: string; readonly documentSha256: string };
  readonly txId: string;
}

/** Idempotency receipt: the event ID was handled by this transaction. */
export interface EventReceipt {
  readonly docType: 'event';
  readonly eventId: string;
  readonly type: string;
  /** SHA-256 of the command's canonical JSON: the same ID with other content is refused. */
  readonly commandSha256: string;
  readonly txId: string;
  readonly at: IsoTimestamp;
  readonly actor: OrgId;
  readonly submittedBy?: string;
}

export type ChaincodeEventType =
  | 'productRegistered'
  | 'partnerRegistered'
  | 'governanceProposed'
  | 'governanceApproved'
  | 'commission'
  | 'pack'
  | 'unpack'
  | 'ship'
  | 'voidShipping'
  | 'receive'
  | 'dispense'
  | 'decommission'
  | 'destroy'
  | 'quarantine'
  | 'release'
  | 'recall'
  | 'verifyReturn'
  | 'extendExpiry'
  | 'exceptionRaised'
  | 'exceptionReferred'
  | 'exceptionAnswered'
  | 'exceptionResolved'
  | 'exceptionClosed'
  | 'readingsAnchored'
  | 'excursionDecided'
  | 'exceptionEscalated'
  | 'investigationOpened'
  | 'investigationVerified'
  | 'investigationFinding'
  | 'investigationCleared'
  | 'investigationIllegitimate'
  | 'investigationFiled'
  | 'investigationNotified'
  | 'investigationTerminated'
  | 'tracingRequested'
  | 'tracingReleased';

/**
 * The one chaincode event of a transaction (Fabric keeps only the last setEvent). A read model
 * projects from these alone: `records` is the full new state of every changed pack and container.
 */
export interface TraceabilityEvent {
  readonly schema: 'pedigree.traceability';
  readonly version: 1;
  readonly type: ChaincodeEventType;
  readonly eventId: string;
  readonly txId: string;
  readonly txTime: IsoTimestamp;
  /** MSP ID of the submitting organisation. */
  readonly actor: OrgId;
  /** The person its service authenticated (Command.submittedBy), as the organisation attests it. */
  readonly submittedBy?: string;
  /** The signing identity of the transaction (its X.509 subject and issuer, from the client certificate). */
  readonly signer?: string;
  readonly records: ReadonlyArray<PackRecord | ContainerRecord>;
  readonly epcis: readonly EpcisEvent[];
  readonly shipment?: ShipmentRecord;
  readonly product?: ProductRecord;
  readonly partner?: PartnerRecord;
  /** Governance: the proposal as it stands after this transaction (enacted when it reached its threshold). */
  readonly proposal?: ProposalRecord;
  /** receive only: which packs were inferred from intact containers, scanned, or are still pending. */
  readonly receipt?: { readonly inferred: readonly string[]; readonly verified: readonly string[]; readonly pending: readonly string[] };
  /** recall / extendExpiry of a lot. */
  readonly lot?: { readonly gtin: string; readonly lot: string; readonly recallId?: string; readonly until?: IsoDate };
  /** Receiving exceptions as they stand after this transaction (raised, answered, resolved, closed). */
  readonly exceptions?: readonly ExceptionRecord[];
  /** Suspect-product investigations as they stand after this transaction (the holders and partners told are named in it). */
  readonly investigations?: readonly InvestigationRecord[];
  /** Tracing requests as they stand (the TI released is never here: it is the requester's private data). */
  readonly tracingRequests?: readonly TracingRequestRecord[];
  /** AnchorReadings: the anchored digest of one batch of logger readings. */
  readonly readingsAnchor?: ReadingsAnchorRecord;
  /** DecideExcursion: the manufacturer's decision on a temperature excursion. */
  readonly excursionDecision?: ExcursionDecisionRecord;
}

/**
 * The one chaincode event of a Capture transaction (Fabric keeps one event per transaction): the
 * events of the commands it recorded, in the order they applied. A read model projects them in
 * that order, in one SQL transaction, as it would project them one transaction each.
 */
export interface TraceabilityBatchEvent {
  readonly schema: 'pedigree.traceability.batch';
  readonly version: 1;
  readonly eventId: string;
  readonly txId: string;
  readonly txTime: IsoTimestamp;
  readonly actor: OrgId;
  readonly events: readonly TraceabilityEvent[];
}

/** What a Capture returns: each command's own result, in order (a part recorded before is a duplicate). */
export interface CaptureResult {
  readonly eventId: string;
  readonly txId: string;
  readonly results: readonly WriteResult[];
}

/** What every write returns. */
export interface WriteResult {
  readonly duplicate: boolean;
  readonly eventId: string;
  readonly type: ChaincodeEventType;
  /** The transaction that recorded the event (the original one for a duplicate). */
  readonly txId: string;
  /** IDs of changed packs/containers (empty for a duplicate). */
  readonly changed: readonly string[];
  readonly shipment?: ShipmentRecord;
  readonly receipt?: TraceabilityEvent['receipt'];
  /** IDs of the receiving exceptions the transaction raised or changed. */
  readonly exceptions?: readonly string[];
  /** IDs of the investigations the transaction opened or changed. */
  readonly investigations?: readonly string[];
}
