import { CommittedEvent, Ledger, LedgerCheckpoint, VALID_TRANSACTION } from './ledger.port';

/**
 * Where a listener's checkpoint lives. The handler writes the checkpoint together with its own
 * effects (one SQL transaction, one atomic file write); the store only reads it back, so resuming
 * after a crash at any moment neither loses nor repeats an event.
 */
export interface CheckpointStore {
  load(): Promise<LedgerCheckpoint | undefined>;
}

/** Applies one event and stores `checkpoint` atomically with what it wrote. */
export type CheckpointedHandler = (event: CommittedEvent, checkpoint: LedgerCheckpoint) => Promise<void>;

export interface ListenerOptions {
  /** First block to read when the store has no checkpoint yet (default: the chain's start, block 0). */
  readonly startBlock?: bigint;
  /** Another chaincode than the ledger profile's (the ledger tests listen to `pedigree-probe`). */
  readonly chaincode?: string;
  /** Pause before reconnecting after a failure; doubles up to `maxRetryDelayMs` while failures repeat. */
  readonly retryDelayMs?: number;
  /** Longest pause between two attempts (default 30 s). */
  readonly maxRetryDelayMs?: number;
  /** Every failure, as it happens: an {@link EventNotApplied} or the stream's own error. */
  readonly onError?: (err: unknown, attempt: number) => void;
  /** An event of an invalid transaction (MVCC conflict, endorsement policy failure …), skipped. */
  readonly onInvalid?: (event: CommittedEvent) => void;
}

/** The handler could not apply this event: nothing of it was stored, the listener will retry it. */
export class EventNotApplied extends Error {
  constructor(
    readonly event: Pick<CommittedEvent, 'blockNumber' | 'transactionId' | 'eventName'>,
    cause: unknown,
  ) {
    super(`event ${event.eventName} of transaction ${event.transactionId} (block ${event.blockNumber}) not applied: ${messageOf(cause)}`, { cause });
    this.name = 'EventNotApplied';
  }
}

/** What the listener is doing now, for health reports. */
export interface ListenerStatus {
  readonly running: boolean;
  /** Consecutive failures since the last event applied (0 while all is well). */
  readonly failures: number;
  /** The last failure while `failures > 0`: which event could not be applied, or why the stream broke. */
  readonly lastFailure?: {
    readonly kind: 'event-not-applied' | 'stream';
    readonly message: string;
    readonly since: string;
    readonly event?: { readonly blockNumber: string; readonly transactionId: string; readonly eventName: string };
  };
  /** When the next attempt is due, while retrying. */
  readonly nextAttemptAt?: string;
}

/**
 * Follows the chaincode events of committed blocks from the stored checkpoint, hands the handler
 * those of valid transactions only, and reconnects after any failure — a peer restart, a handler
 * error — by reloading the checkpoint, which reflects exactly what the handler committed. An event
 * the handler cannot apply is retried with backoff for as long as it fails (never skipped: a read
 * model that skipped it would be wrong from then on), and {@link status} says which event it is.
 */
export class ChaincodeEventListener {
  private running = false;
  private stream?: { close(): void };
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  private lastFailure?: ListenerStatus['lastFailure'];
  private nextAttemptAt?: number;

  constructor(
    private readonly ledger: Ledger,
    private readonly store: CheckpointStore,
    private readonly handler: CheckpointedHandler,
    private readonly options: ListenerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stream?.close();
    this.wake?.();
    await this.loop;
  }

  /** Ends the current pause: an operator fixed the cause and does not want to wait for the backoff. */
  retryNow(): void {
    this.wake?.();
  }

  status(): ListenerStatus {
    return {
      running: this.running,
      failures: this.failures,
      ...(this.failures > 0 && this.lastFailure ? { lastFailure: this.lastFailure } : {}),
      ...(this.failures > 0 && this.nextAttemptAt ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() } : {}),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const from = await this.store.load();
        const stream = this.ledger.committedEvents(from, { startBlock: from ? undefined : (this.options.startBlock ?? 0n), ...(this.options.chaincode ? { chaincode: this.options.chaincode } : {}) });
        this.stream = stream;
        for await (const event of stream) {
          if (!this.running) break;
          if (event.validationCode !== VALID_TRANSACTION) {
            this.options.onInvalid?.(event);
            continue;
          }
          try {
            await this.handler(event, { blockNumber: event.blockNumber, transactionId: event.transactionId });
          } catch (err) {
            throw new EventNotApplied(event, err);
          }
          this.failures = 0;
          this.lastFailure = undefined;
        }
        // A stream that ends without error was closed by stop(), or by the peer: reconnect either way.
      } catch (err) {
        if (!this.running) break;
        this.noteFailure(err);
        this.options.onError?.(err, this.failures);
      } finally {
        this.stream?.close();
      }
      if (this.running) {
        const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 500) * 2 ** Math.max(0, this.failures - 1));
        this.nextAttemptAt = Date.now() + delay;
        await this.pause(delay);
        this.nextAttemptAt = undefined;
      }
    }
  }

  private noteFailure(err: unknown): void {
    const notApplied = err instanceof EventNotApplied ? err : undefined;
    const sameEvent = notApplied && this.lastFailure?.event?.transactionId === notApplied.event.transactionId;
    this.failures++;
    this.lastFailure = {
      kind: notApplied ? 'event-not-applied' : 'stream',
      message: notApplied ? messageOf(notApplied.cause) : messageOf(err),
      // `since` is when this event (or the stream) started failing, not the latest attempt.
      since: sameEvent && this.lastFailure ? this.lastFailure.since : new Date().toISOString(),
      ...(notApplied ? {
        event: { blockNumber: notApplied.event.blockNumber.toString(), transactionId: notApplied.event.transactionId, eventName: notApplied.event.eventName },
      } : {}),
    };
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
