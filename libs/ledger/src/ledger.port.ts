/**
 * The ledger port: what Pedigree needs from a permissioned ledger, in Pedigree's terms. One
 * instance acts as one organisation's client identity. The only adapter is Fabric's gateway
 * (`connectFabricLedger`); unit tests may stub this interface, nothing else may.
 */
export interface Ledger {
  /** The MSP ID of the identity this ledger acts as: who the chaincode will see as the caller. */
  readonly mspId: string;

  /**
   * Endorses, orders and waits for the commit of one transaction. Resolves only when the
   * transaction committed as valid; every failure is a {@link LedgerError} naming the stage that
   * failed, so that a caller can tell "never happened" (endorse) from "outcome unknown" (commit-status).
   */
  submit(transaction: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult>;

  /** Runs a read-only transaction on one peer (not ordered, not committed). */
  evaluate(transaction: string, args: readonly string[], options?: CallOptions): Promise<Uint8Array>;

  /**
   * Chaincode events of committed, valid transactions, in ledger order, from a checkpoint. With a
   * checkpoint holding a transaction ID, events up to and including that transaction are skipped —
   * the resume point of a listener that stored the checkpoint with its own effects.
   */
  chaincodeEvents(from?: LedgerCheckpoint, options?: EventOptions): LedgerEventStream;

  /**
   * The chaincode events of this ledger's chaincode read from the committed blocks themselves, in
   * ledger order, with what the block says about each transaction: its ID, its creator's MSP ID and
   * its validation code. Invalid transactions are included (their events had no effect); a
   * projection keeps only `validationCode === VALID_TRANSACTION`. The checkpoint works as for
   * {@link chaincodeEvents}. This, not `chaincodeEvents`, is what a read model projects from: an
   * event's payload is whatever the chaincode wrote, the block's fields are what the peers validated.
   */
  committedEvents(from?: LedgerCheckpoint, options?: EventOptions): CommittedEventStream;

  /** Releases the gRPC connection. The instance is unusable afterwards. */
  close(): void;
}

export interface CallOptions {
  /** Milliseconds the whole call may take before it fails with a deadline error. */
  readonly timeoutMs?: number;
  /** Chaincode contract (namespace within the chaincode); default the chaincode's default contract. */
  readonly contract?: string;
  /** Another chaincode on the channel (e.g. the benchmarks' `pedigree-probe`); default the profile's. */
  readonly chaincode?: string;
}

export interface SubmitOptions extends CallOptions {
  /** Private inputs: passed to the chaincode outside the transaction, never written to the ledger. */
  readonly transient?: Readonly<Record<string, Uint8Array | string>>;
  /** Restrict endorsement to these organisations (e.g. the two parties of a private collection). */
  readonly endorsingOrganizations?: readonly string[];
  /**
   * How many times a transaction invalidated by a read conflict (MVCC/phantom) is re-run from a new
   * proposal. Safe only for transactions that are idempotent in the chaincode. Default 3.
   */
  readonly conflictRetries?: number;
}

export interface SubmitResult {
  readonly transactionId: string;
  readonly blockNumber: bigint;
  /** The chaincode's return value. */
  readonly payload: Uint8Array;
}

/** Where a listener resumes: the block of the last handled event and, within it, its transaction. */
export interface LedgerCheckpoint {
  readonly blockNumber: bigint;
  readonly transactionId?: string;
}

export interface EventOptions {
  /** Start here when no checkpoint is given; default the next block to be committed. */
  readonly startBlock?: bigint;
  /** Another chaincode's events (e.g. the benchmarks' `pedigree-probe`); default the profile's. */
  readonly chaincode?: string;
}

export interface LedgerEvent {
  readonly blockNumber: bigint;
  readonly transactionId: string;
  readonly eventName: string;
  readonly payload: Uint8Array;
}

export interface LedgerEventStream extends AsyncIterable<LedgerEvent> {
  /** Ends the stream: an iteration waiting for the next event finishes. */
  close(): void;
}

/** Fabric's TxValidationCode.VALID: the only code whose transaction changed the world state. */
export const VALID_TRANSACTION = 0;

/** A chaincode event and what its block says about the transaction that set it. */
export interface CommittedEvent extends LedgerEvent {
  /** From the channel header of the transaction's envelope. */
  readonly transactionId: string;
  /** MSP ID of the identity that signed the transaction (its signature header's creator). */
  readonly creatorMspId: string;
  /** The committing peer's verdict (block metadata TRANSACTIONS_FILTER); 0 is VALID. */
  readonly validationCode: number;
  /** The transaction's timestamp (channel header), ISO 8601. */
  readonly timestamp?: string;
}

export interface CommittedEventStream extends AsyncIterable<CommittedEvent> {
  /** Ends the stream: an iteration waiting for the next block finishes. */
  close(): void;
}
