import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { CaptureJobRow } from './capture-jobs';
import { NamedQueryRow } from './named-queries';

/**
 * The read model: what one organisation's service answers queries from. Every row that mirrors a
 * ledger record carries the block and transaction that last wrote it, and the full record as the
 * ledger holds it (`record`), so reconcile can compare byte for byte and nothing is lost when a
 * column is added later. The columns beside it exist for filtering and indexing only.
 */

/** bigint columns come back from pg as strings; keep them as strings rather than lose precision. */
const bigintColumn = { type: 'bigint' as const };

@Entity('products')
export class ProductRow {
  @PrimaryColumn({ type: 'text' }) gtin!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) ndc!: string | null;
  @Column({ type: 'text' }) manufacturer!: string;
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

@Entity('packs')
@Index(['gtin', 'serial'], { unique: true })
@Index(['gtin', 'lot'])
export class PackRow {
  /** SGTIN EPC URN, the ledger key. */
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) gtin!: string;
  @Column({ type: 'text' }) serial!: string;
  @Column({ type: 'text' }) lot!: string;
  @Column({ type: 'date' }) expiry!: string;
  @Column({ type: 'date', nullable: true }) expiryExtendedTo!: string | null;
  @Index() @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) manufacturer!: string;
  @Index() @Column({ type: 'text' }) owner!: string;
  @Index() @Column({ type: 'text' }) custodian!: string;
  /** quarantined / recalled / returned (expired is derived from the clock at query time). */
  @Column({ type: 'text', array: true, default: '{}' }) overlays!: string[];
  /** The domain's isSellableAtRest when projected: stock is this and not expired on the day asked. */
  @Column({ type: 'boolean', default: false }) sellableAtRest!: boolean;
  /** SGLN of the site holding it. */
  @Index() @Column({ type: 'text', nullable: true }) location!: string | null;
  /** SSCC URN of the container it is aggregated into. */
  @Index() @Column({ type: 'text', nullable: true }) container!: string | null;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

@Entity('containers')
export class ContainerRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) sscc!: string;
  @Column({ type: 'text', array: true, default: '{}' }) children!: string[];
  @Index() @Column({ type: 'text', nullable: true }) parent!: string | null;
  @Column({ type: 'boolean' }) sealed!: boolean;
  @Column({ type: 'text' }) status!: string;
  @Index() @Column({ type: 'text' }) owner!: string;
  @Column({ type: 'text' }) custodian!: string;
  @Column({ type: 'text', nullable: true }) location!: string | null;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

/** One change of ownership (or a return) between two organisations. */
@Entity('shipments')
export class ShipmentRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Index() @Column({ type: 'text' }) sender!: string;
  @Index() @Column({ type: 'text' }) receiver!: string;
  @Column({ type: 'text' }) purpose!: string;
  @Column({ type: 'text' }) status!: string;
  /** Top-level EPCs (SSCCs and loose SGTINs) as shipped. */
  @Column({ type: 'text', array: true, default: '{}' }) epcs!: string[];
  @Column({ type: 'timestamptz' }) shippedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) receivedAt!: Date | null;
  /** Hashes of the private Transaction Information and Statement as anchored on the ledger. */
  @Column({ type: 'text', nullable: true }) tiHash!: string | null;
  @Column({ type: 'text', nullable: true }) tsHash!: string | null;
  /**
   * The private TI/TS, only present when this organisation is one of the two parties (read from the
   * parties' private collection, never from the public event).
   */
  @Column({ type: 'jsonb', nullable: true }) transactionInformation!: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) transactionStatement!: Record<string, unknown> | null;
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

/** Trace history: one row per ledger transaction per record it touched. */
@Entity('trace_events')
@Index(['subject', 'blockNumber'])
@Index(['gtin', 'lot', 'seq'])
export class TraceEventRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  /** Record the event concerns (SGTIN/SSCC URN, shipment id, GTIN). */
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text' }) step!: string;
  @Column({ type: 'text', nullable: true }) gtin!: string | null;
  @Column({ type: 'text', nullable: true }) lot!: string | null;
  @Column({ type: 'text', nullable: true }) actor!: string | null;
  @Column({ type: 'text', nullable: true }) status!: string | null;
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'text', nullable: true }) custodian!: string | null;
  @Column({ type: 'timestamptz' }) occurredAt!: Date;
  /** Inline EPCIS event of rows projected before epcis_events existed; newer rows point at it by `epcisIndex`. */
  @Column({ type: 'jsonb', nullable: true }) epcisEvent!: Record<string, unknown> | null;
  /** Index of the transaction's EPCIS event in `epcis_events` (with `transactionId`). */
  @Column({ type: 'smallint', nullable: true }) epcisIndex!: number | null;
  /** The person who caused it, as the submitting organisation attests (Command.submittedBy). */
  @Column({ type: 'text', nullable: true }) submittedBy!: string | null;
  /** The transaction's signing identity (X.509 subject and issuer). */
  @Column({ type: 'text', nullable: true }) signer!: string | null;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

/** Every verification answered by this service: the audit trail and the clone detector's input. */
@Entity('verifications')
@Index(['gtin', 'serial'])
export class VerificationRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) scan!: string;
  @Column({ type: 'text', nullable: true }) gtin!: string | null;
  @Column({ type: 'text', nullable: true }) serial!: string | null;
  @Column({ type: 'text', nullable: true }) lot!: string | null;
  @Column({ type: 'date', nullable: true }) expiry!: string | null;
  @Column({ type: 'boolean' }) verified!: boolean;
  @Column({ type: 'text', nullable: true }) failureReason!: string | null;
  @Column({ type: 'text', nullable: true }) additionalInfo!: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) alerts!: string[];
  /** Who asked: a user of this organisation, or a VRS requester GLN. */
  @Column({ type: 'text' }) requester!: string;
  @Column({ type: 'text', nullable: true }) site!: string | null;
  @Column({ type: 'text', nullable: true }) correlationId!: string | null;
  /** read-model or ledger: where the answer came from. */
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'timestamptz' }) verifiedAt!: Date;
  /** VRS context (dscsaSaleableReturn) when a trading partner asked. */
  @Column({ type: 'text', nullable: true }) context!: string | null;
  /** What a VRS requester attested or presented: ctrlPossessAtt, contact, version, the ATP credential checked. */
  @Column({ type: 'jsonb', nullable: true }) attestation!: Record<string, unknown> | null;
}

/**
 * This organisation's own VRS requests to manufacturers' responders (the requester side), answered
 * or not: each row is one request with its corrUUID, where it went, and the answer or the failure.
 */
@Entity('vrs_requests')
@Index(['gtin', 'serial'])
export class VrsRequestRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Index({ unique: true }) @Column({ type: 'text' }) corrUUID!: string;
  @Column({ type: 'text' }) gtin!: string;
  @Column({ type: 'text' }) serial!: string;
  @Column({ type: 'text' }) lot!: string;
  @Column({ type: 'date', nullable: true }) expiry!: string | null;
  @Column({ type: 'text', nullable: true }) context!: string | null;
  @Column({ type: 'text' }) reqGLN!: string;
  /** The responder's base URL from the lookup directory, and the GLN it answered as. */
  @Column({ type: 'text' }) responder!: string;
  @Column({ type: 'text', nullable: true }) responderGLN!: string | null;
  /** answered | failed */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'boolean', nullable: true }) verified!: boolean | null;
  @Column({ type: 'text', nullable: true }) failureReason!: string | null;
  @Column({ type: 'text', nullable: true }) additionalInfo!: string | null;
  /** Typed failure code (VRS_RESPONDER_UNREACHABLE, VRS_RESPONSE_MALFORMED, …) and what was seen. */
  @Column({ type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ type: 'text', nullable: true }) errorMessage!: string | null;
  @Column({ type: 'integer', nullable: true }) httpStatus!: number | null;
  @Column({ type: 'integer' }) attempts!: number;
  /** The user of this organisation who asked. */
  @Column({ type: 'text' }) requester!: string;
  @Column({ type: 'boolean' }) atpPresented!: boolean;
  @Column({ type: 'timestamptz' }) requestedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) answeredAt!: Date | null;
  /** The responder's verificationTimestamp. */
  @Column({ type: 'timestamptz', nullable: true }) verificationTimestamp!: Date | null;
}

/** A client's idempotency key and the first answer given for it. */
@Entity('idempotency_keys')
export class IdempotencyKeyRow {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text' }) operation!: string;
  /** Hash of the request, so a reused key with different input is refused rather than replayed. */
  @Column({ type: 'text' }) requestHash!: string;
  @Column({ type: 'jsonb', nullable: true }) response!: Record<string, unknown> | null;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * A lot's own ledger state: its recall and its expiry extension, each one lot-level record on the
 * ledger. Applied to every pack row of the lot (overlays, expiryExtendedTo), whenever projected.
 */
@Entity('lots')
export class LotRow {
  @PrimaryColumn({ type: 'text' }) gtin!: string;
  @PrimaryColumn({ type: 'text' }) lot!: string;
  @Column({ type: 'text', nullable: true }) recallId!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) recalledAt!: Date | null;
  @Column({ type: 'date', nullable: true }) expiryExtendedTo!: string | null;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

/**
 * One row per transaction the projector applied (`projected`) or refused (`refused`, with the
 * reason). Not unique per transaction on purpose: it is the evidence that nothing was applied twice.
 */
@Entity('projected_transactions')
export class ProjectedTransactionRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  @Column(bigintColumn) blockNumber!: string;
  @Index() @Column({ type: 'text' }) transactionId!: string;
  /** The MSP ID of the transaction's signer, from the block. */
  @Column({ type: 'text' }) creatorMspId!: string;
  @Column({ type: 'text' }) eventName!: string;
  @Column({ type: 'text', nullable: true }) eventType!: string | null;
  @Column({ type: 'text', nullable: true }) eventId!: string | null;
  @Column({ type: 'text' }) outcome!: 'projected' | 'refused';
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'timestamptz' }) projectedAt!: Date;
}

/** A receiving exception this organisation raised (receiver) or that was raised against its shipment (seller). */
@Entity('receiving_exceptions')
@Index(['receiver', 'state', 'openedAt'])
@Index(['seller', 'state', 'openedAt'])
export class ReceivingExceptionRow {
  @PrimaryColumn({ type: 'text' }) receiver!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) seller!: string;
  @Index() @Column({ type: 'text' }) shipmentId!: string;
  @Column({ type: 'text' }) rule!: string;
  /** open, waiting_on_partner, resolved_by_correction | _return | _destruction, closed. */
  @Column({ type: 'text' }) state!: string;
  @Column({ type: 'text', array: true, default: '{}' }) subjects!: string[];
  /** Packs quarantined for it while it is open. */
  @Column({ type: 'text', array: true, default: '{}' }) held!: string[];
  @Column({ type: 'timestamptz' }) openedAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  /** The end of its business-day grace (its ledger clock); overdue while open past it. */
  @Column({ type: 'timestamptz', nullable: true }) dueAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) escalatedAt!: Date | null;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text' }) transactionId!: string;
}

/** Where the projector resumes: written in the same SQL transaction as the rows of the event. */
@Entity('projector_checkpoint')
export class ProjectorCheckpointRow {
  @PrimaryColumn({ type: 'text' }) projector!: string;
  @Column(bigintColumn) blockNumber!: string;
  @Column({ type: 'text', nullable: true }) transactionId!: string | null;
  @Column({ type: 'bigint', default: 0 }) eventsApplied!: string;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}

export const READ_MODEL_ENTITIES = [
  ProductRow, PackRow, ContainerRow, ShipmentRow, TraceEventRow, VerificationRow, IdempotencyKeyRow, ProjectorCheckpointRow, LotRow,
  ProjectedTransactionRow, ReceivingExceptionRow, VrsRequestRow, CaptureJobRow, NamedQueryRow,
];
