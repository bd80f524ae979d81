/**
 * Where in a transaction's life a failure happened. A caller retries the step that failed, not the
 * whole story: an `endorse` failure wrote nothing; a `submit` failure may be re-sent as is; a
 * `commit-status` failure leaves the outcome unknown until the status is asked again.
 */
export type LedgerStage = 'connect' | 'evaluate' | 'endorse' | 'submit' | 'commit' | 'commit-status' | 'events';

/**
 * What kind of failure, independent of the stage:
 * - `chaincode`: the chaincode refused the transaction (a business rule); never retry as is.
 * - `unavailable`: a peer, the orderer or the chaincode could not be reached.
 * - `deadline`: the call ran out of time.
 * - `conflict`: the transaction was invalidated by a concurrent write (MVCC/phantom read).
 * - `denied`: the identity or its signature was refused (unknown organisation, bad certificate).
 * - `policy`: endorsements did not satisfy the endorsement policy.
 * - `invalid`: the transaction committed as invalid for another reason.
 */
export type LedgerErrorKind = 'chaincode' | 'unavailable' | 'deadline' | 'conflict' | 'denied' | 'policy' | 'invalid' | 'unknown';

export interface LedgerErrorDetail {
  readonly peer?: string;
  readonly mspId?: string;
  readonly message: string;
}

export class LedgerError extends Error {
  readonly stage: LedgerStage;
  readonly kind: LedgerErrorKind;
  /** gRPC status code, or the transaction validation code for `commit`. */
  readonly code?: number;
  readonly transactionId?: string;
  /** The chaincode's own error code, e.g. `NOT_OWNER`, when the chaincode threw `CODE: message`. */
  readonly chaincodeCode?: string;
  readonly details: readonly LedgerErrorDetail[];

  constructor(props: {
    stage: LedgerStage;
    kind: LedgerErrorKind;
    message: string;
    code?: number;
    transactionId?: string;
    chaincodeCode?: string;
    details?: readonly LedgerErrorDetail[];
    cause?: unknown;
  }) {
    super(props.message, { cause: props.cause });
    this.name = 'LedgerError';
    this.stage = props.stage;
    this.kind = props.kind;
    this.code = props.code;
    this.transactionId = props.transactionId;
    this.chaincodeCode = props.chaincodeCode;
    this.details = props.details ?? [];
  }

  /** True when repeating the failed step (or the whole transaction, for conflicts) may succeed. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'deadline' || this.kind === 'conflict';
  }
}
