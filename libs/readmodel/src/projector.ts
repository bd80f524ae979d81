import { EventEmitter } from 'node:events';
import type { DataSource, EntityManager } from 'typeorm';
import { ChaincodeEventListener, CheckpointStore, Ledger, LedgerCheckpoint, LedgerEvent } from '@pedigree/ledger';
import { projectEvent } from './projection';
import { decodeTraceabilityEvent, TraceabilityEvent } from './traceability-event';

/** The checkpoint row, read back on (re)start; written only by {@link ReadModelProjector.apply}. */
export class PostgresCheckpointStore implements CheckpointStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projector = 'ledger',
  ) {}

  async load(): Promise<LedgerCheckpoint | undefined> {
    const rows: Array<{ blockNumber: string; transactionId: string | null }> = await this.dataSource.query(
      `SELECT "blockNumber", "transactionId" FROM projector_checkpoint WHERE projector = $1`, [this.projector]);
    if (!rows.length) return undefined;
    return { blockNumber: BigInt(rows[0].blockNumber), ...(rows[0].transactionId ? { transactionId: rows[0].transactionId } : {}) };
  }
}

export async function saveCheckpoint(m: EntityManager, projector: string, c: LedgerCheckpoint): Promise<void> {
  await m.query(
    `INSERT INTO projector_checkpoint (projector, "blockNumber", "transactionId", "eventsApplied", "updatedAt") VALUES ($1, $2, $3, 1, now())
     ON CONFLICT (projector) DO UPDATE SET "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId",
       "eventsApplied" = projector_checkpoint."eventsApplied" + 1, "updatedAt" = now()`,
    [projector, c.blockNumber.toString(), c.transactionId ?? null],
  );
}

export interface ProjectedEvent {
  readonly event: TraceabilityEvent;
  readonly blockNumber: bigint;
}

/**
 * Keeps one organisation's read model exactly in step with the ledger: each chaincode event's rows
 * and the checkpoint are committed in one SQL transaction, so a crash at any moment either kept the
 * event and its checkpoint or neither, and the listener resumes right after the last kept event.
 * After each commit it announces the event (subscriptions) and releases callers waiting for it.
 */
export class ReadModelProjector {
  private listener?: ChaincodeEventListener;
  private readonly waiters = new Map<string, Array<() => void>>();
  /** Transactions applied recently: what `waitFor` checks (bounded). */
  private readonly recent = new Set<string>();
  private position?: LedgerCheckpoint;
  /** Highest block this process knows to be committed (from its own submits and from events). */
  private ledgerHeight = -1n;
  private lastEventAt = 0;
  readonly events = new EventEmitter();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    readonly name = 'ledger',
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.events.setMaxListeners(0);
  }

  /** Starts following the ledger from the stored checkpoint (block 0 on an empty read model). */
  async start(): Promise<void> {
    this.position = await new PostgresCheckpointStore(this.dataSource, this.name).load();
    this.listener = new ChaincodeEventListener(this.ledger, new PostgresCheckpointStore(this.dataSource, this.name), (e, c) => this.apply(e, c), {
      startBlock: 0n,
      retryDelayMs: 250,
      onError: (err) => this.onError(err),
    });
    this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = undefined;
  }

  /** Projects one event; its rows and the checkpoint commit together or not at all. */
  async apply(event: LedgerEvent, checkpoint: LedgerCheckpoint): Promise<void> {
    const decoded = decodeTraceabilityEvent(event.payload);
    await this.dataSource.transaction(async (m) => {
      if (decoded) await projectEvent(m, decoded, event.blockNumber);
      await saveCheckpoint(m, this.name, checkpoint);
    });
    this.position = checkpoint;
    this.lastEventAt = Date.now();
    this.noteCommitted(event.blockNumber);
    this.recent.add(event.transactionId);
    if (this.recent.size > 50_000) this.recent.delete(this.recent.values().next().value as string);
    for (const release of this.waiters.get(event.transactionId) ?? []) release();
    this.waiters.delete(event.transactionId);
    if (decoded) this.events.emit('projected', { event: decoded, blockNumber: event.blockNumber } satisfies ProjectedEvent);
  }

  /** Records that `block` is committed (a submit's result), for the lag reported in /health. */
  noteCommitted(block: bigint): void {
    if (block > this.ledgerHeight) this.ledgerHeight = block;
  }

  /**
   * Resolves once the transaction's event is in the read model (read-your-writes for mutations), or
   * false after `timeoutMs`: the write committed either way, only the read model is behind.
   */
  waitFor(transactionId: string, timeoutMs = 10_000): Promise<boolean> {
    if (this.recent.has(transactionId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(transactionId)?.filter((w) => w !== release) ?? [];
        if (list.length) this.waiters.set(transactionId, list); else this.waiters.delete(transactionId);
        resolve(false);
      }, timeoutMs);
      const release = () => { clearTimeout(timer); resolve(true); };
      this.waiters.set(transactionId, [...(this.waiters.get(transactionId) ?? []), release]);
    });
  }

  /** Blocks known committed but not yet projected, and the last projected position. */
  lag(): { checkpointBlock: string | null; knownLedgerBlock: string | null; blocksBehind: number; lastEventAgoMs: number | null } {
    const at = this.position?.blockNumber ?? -1n;
    return {
      checkpointBlock: this.position ? this.position.blockNumber.toString() : null,
      knownLedgerBlock: this.ledgerHeight >= 0n ? this.ledgerHeight.toString() : null,
      blocksBehind: this.ledgerHeight > at ? Number(this.ledgerHeight - at) : 0,
      lastEventAgoMs: this.lastEventAt ? Date.now() - this.lastEventAt : null,
    };
  }

  get running(): boolean {
    return this.listener !== undefined;
  }
}

/** Empties every table the projector writes (not verifications or idempotency keys: they are this service's own records). */
export async function wipeProjection(dataSource: DataSource): Promise<void> {
  await dataSource.query(`TRUNCATE products, packs, containers, shipments, trace_events, projector_checkpoint`);
}
