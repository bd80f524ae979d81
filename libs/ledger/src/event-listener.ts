import { Ledger, LedgerCheckpoint, LedgerEvent } from './ledger.port';

/**
 * Where a listener's checkpoint lives. The handler writes the checkpoint together with its own
 * effects (one SQL transaction, one atomic file write); the store only reads it back, so resuming
 * after a crash at any moment neither loses nor repeats an event.
 */
export interface CheckpointStore {
  load(): Promise<LedgerCheckpoint | undefined>;
}

/** Applies one event and stores `checkpoint` atomically with what it wrote. */
export type CheckpointedHandler = (event: LedgerEvent, checkpoint: LedgerCheckpoint) => Promise<void>;

export interface ListenerOptions {
  /** First block to read when the store has no checkpoint yet (default: the chain's start, block 0). */
  readonly startBlock?: bigint;
  /** Pause before reconnecting after a failure; doubles up to 30 s while failures repeat. */
  readonly retryDelayMs?: number;
  readonly onError?: (err: unknown, attempt: number) => void;
}

/**
 * Follows the chaincode events from the stored checkpoint and reconnects after any failure —
 * a peer restart, a handler error — by reloading the checkpoint, which reflects exactly what the
 * handler committed.
 */
export class ChaincodeEventListener {
  private running = false;
  private stream?: { close(): void };
  private loop?: Promise<void>;
  private wake?: () => void;

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

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const from = await this.store.load();
        const stream = this.ledger.chaincodeEvents(from, { startBlock: from ? undefined : (this.options.startBlock ?? 0n) });
        this.stream = stream;
        for await (const event of stream) {
          if (!this.running) break;
          await this.handler(event, { blockNumber: event.blockNumber, transactionId: event.transactionId });
          failures = 0;
        }
        // A stream that ends without error was closed by stop(), or by the peer: reconnect either way.
      } catch (err) {
        if (!this.running) break;
        failures++;
        this.options.onError?.(err, failures);
      } finally {
        this.stream?.close();
      }
      if (this.running) await this.pause(Math.min(30_000, (this.options.retryDelayMs ?? 500) * 2 ** Math.max(0, failures - 1)));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}
