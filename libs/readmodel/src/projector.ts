import { EventEmitter } from 'node:events';
import type { DataSource, EntityManager } from 'typeorm';
import { ChaincodeEventListener, CheckpointStore, CommittedEvent, EventNotApplied, Ledger, LedgerCheckpoint, ListenerStatus } from '@pedigree/ledger';
import { projectEvent, TransactionOrigin } from './projection';
import { decodeTransactionEvents, TraceabilityEvent, type TransactionEvents } from './traceability-event';

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
  /** From the block: the transaction's ID and signer. */
  readonly transactionId: string;
  readonly creatorMspId: string;
}

/**
 * The payload claims something the block contradicts. `txId`: the block's ID is used (counted,
 * logged). `actor`: the event is refused — a payload naming another organisation than the one
 * that signed the transaction is a forgery (modified chaincode), and projecting it would credit
 * that organisation with an act it never signed.
 */
export interface PayloadMismatch {
  readonly field: 'txId' | 'actor';
  readonly blockNumber: string;
  readonly transactionId: string;
  readonly eventType: string;
  readonly inPayload: string;
  readonly inBlock: string;
  readonly action: 'block-wins' | 'refused';
}

/** An event the projector could not apply, as /health shows it while the projector retries. */
export interface ProjectorStall {
  readonly reason: string;
  readonly since: string;
  readonly attempts: number;
  readonly event: { readonly blockNumber: string; readonly transactionId: string; readonly eventName: string };
  readonly nextAttemptAt?: string;
}

export interface ProjectorHealth {
  readonly healthy: boolean;
  readonly detail: ReturnType<ReadModelProjector['lag']> & {
    readonly running: boolean;
    readonly stalled: ProjectorStall | null;
    /** The event stream is failing (peer away …) and being reopened; the ledger check shows why. */
    readonly reconnecting: { readonly reason: string; readonly since: string; readonly attempts: number } | null;
  };
}

/**
 * Consecutive failures of the event stream itself after which /health calls the projector unhealthy
 * too (about a minute with the backoff): a peer restart is a blip, a stream that never reopens —
 * an unreadable block, a checkpoint the ledger does not know — freezes the read model as surely as
 * an event that cannot be applied.
 */
const STREAM_FAILURES_UNHEALTHY = 8;

/** Why an apply was refused, in the projection log. */
const FORGED_ACTOR = 'forged-actor';

/**
 * Keeps one organisation's read model exactly in step with the ledger: each chaincode event's rows,
 * its projection-log row and the checkpoint are committed in one SQL transaction, so a crash at any
 * moment either kept the event and its checkpoint or neither, and the listener resumes right after
 * the last kept event. Only events of valid transactions arrive, with the block's transaction ID
 * and signer. After each commit it announces the event (subscriptions) and releases callers
 * waiting for it.
 *
 * `events` emits: `projected` ({@link ProjectedEvent}), `mismatch` ({@link PayloadMismatch}),
 * `failure` (an error; the listener retries), `stalled` ({@link ProjectorStall}, on every failed
 * attempt at the same event), `recovered` (the stalled event was applied), `invalid` (an event of
 * an invalid transaction, skipped).
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
  private stalled = false;
  readonly events = new EventEmitter();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    readonly name = 'ledger',
    private readonly onError: (err: unknown) => void = () => {},
    /** Whose read model this is: only what concerns it is kept (projectEvent); undefined keeps everything. */
    private readonly viewer: string | undefined = ledger.mspId,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Starts following the ledger from the stored checkpoint (block 0 on an empty read model). */
  async start(): Promise<void> {
    this.position = await new PostgresCheckpointStore(this.dataSource, this.name).load();
    this.listener = new ChaincodeEventListener(this.ledger, new PostgresCheckpointStore(this.dataSource, this.name), (e, c) => this.apply(e, c), {
      startBlock: 0n,
      retryDelayMs: 250,
      maxRetryDelayMs: Number(process.env.PEDIGREE_PROJECTOR_MAX_RETRY_MS ?? 30_000),
      onError: (err) => this.noteFailure(err),
      onInvalid: (e) => this.events.emit('invalid', { blockNumber: e.blockNumber, transactionId: e.transactionId, validationCode: e.validationCode }),
    });
    this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = undefined;
  }

  /** Ends the current backoff pause: the cause of a stall was fixed, try the event again now. */
  retryNow(): void {
    this.listener?.retryNow();
  }

  /**
   * Projects one event of a valid transaction; its rows, its projection-log row and the checkpoint
   * commit together or not at all. What the block says wins over what the payload claims.
   */
  async apply(event: CommittedEvent, checkpoint: LedgerCheckpoint): Promise<void> {
    const decoded = decodeTransactionEvents(event.payload);
    const origin: TransactionOrigin = {
      blockNumber: event.blockNumber, transactionId: event.transactionId, creatorMspId: event.creatorMspId, ...(event.timestamp ? { timestamp: event.timestamp } : {}),
    };
    // A Capture's events are checked one by one: one forged actor refuses the whole transaction.
    const mismatches = decoded ? [...new Map(decoded.events.flatMap((e) => payloadMismatches(e, origin)).map((x) => [`${x.field}|${x.inPayload}`, x])).values()] : [];
    const refused = mismatches.find((x) => x.action === 'refused');
    await this.dataSource.transaction(async (m) => {
      if (decoded && !refused) {
        let epcisOffset = 0;
        for (const e of decoded.events) {
          await projectEvent(m, e, origin, this.viewer, epcisOffset);
          epcisOffset += e.epcis.length;
        }
      }
      if (decoded) await logTransaction(m, event, decoded, refused ? { outcome: 'refused', reason: FORGED_ACTOR } : { outcome: 'projected' });
      await saveCheckpoint(m, this.name, checkpoint);
    });
    for (const x of mismatches) this.events.emit('mismatch', x);
    if (this.stalled) {
      this.stalled = false;
      this.events.emit('recovered', { blockNumber: event.blockNumber.toString(), transactionId: event.transactionId });
    }
    this.position = checkpoint;
    this.lastEventAt = Date.now();
    this.noteCommitted(event.blockNumber);
    this.recent.add(event.transactionId);
    if (this.recent.size > 50_000) this.recent.delete(this.recent.values().next().value as string);
    for (const release of this.waiters.get(event.transactionId) ?? []) release();
    this.waiters.delete(event.transactionId);
    if (decoded && !refused) {
      for (const e of decoded.events) this.events.emit('projected', { event: e, blockNumber: event.blockNumber, transactionId: event.transactionId, creatorMspId: event.creatorMspId } satisfies ProjectedEvent);
    }
  }

  private noteFailure(err: unknown): void {
    this.onError(err);
    this.events.emit('failure', err);
    const stall = this.stall();
    if (err instanceof EventNotApplied && stall) {
      this.stalled = true;
      this.events.emit('stalled', stall);
    }
  }

  /** The event the projector cannot apply, while it retries it; null while it follows the ledger. */
  stall(): ProjectorStall | null {
    const status = this.listener?.status();
    const f = status?.lastFailure;
    if (!status || !f || f.kind !== 'event-not-applied' || !f.event) return null;
    return { reason: f.message, since: f.since, attempts: status.failures, event: f.event, ...(status.nextAttemptAt ? { nextAttemptAt: status.nextAttemptAt } : {}) };
  }

  /**
   * What /health reports: unhealthy when stopped, when stuck on an event (with the event and the
   * reason), when its event stream keeps failing, or when more than `maxLagBlocks` behind the
   * ledger as far as this process knows.
   */
  health(maxLagBlocks = 50): ProjectorHealth {
    const lag = this.lag();
    const status: ListenerStatus | undefined = this.listener?.status();
    const stalled = this.stall();
    const f = status?.lastFailure;
    const reconnecting = f && f.kind === 'stream' ? { reason: f.message, since: f.since, attempts: status?.failures ?? 0 } : null;
    return {
      healthy: this.running && !stalled && (reconnecting?.attempts ?? 0) < STREAM_FAILURES_UNHEALTHY && lag.blocksBehind <= maxLagBlocks,
      detail: { ...lag, running: this.running, stalled, reconnecting },
    };
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
  await dataSource.query(`TRUNCATE products, packs, containers, shipments, trace_events, epcis_events, lots, receiving_exceptions, projected_transactions, projector_checkpoint`);
}

/** What the payload claims against what the block says; an actor other than the signer is refused. */
export function payloadMismatches(e: TraceabilityEvent, origin: TransactionOrigin): PayloadMismatch[] {
  const at = { blockNumber: origin.blockNumber.toString(), transactionId: origin.transactionId, eventType: e.type };
  const out: PayloadMismatch[] = [];
  if (e.txId !== origin.transactionId) out.push({ ...at, field: 'txId', inPayload: String(e.txId), inBlock: origin.transactionId, action: 'block-wins' });
  if (e.actor !== origin.creatorMspId) out.push({ ...at, field: 'actor', inPayload: String(e.actor), inBlock: origin.creatorMspId, action: 'refused' });
  return out;
}

async function logTransaction(m: EntityManager, event: CommittedEvent, e: TransactionEvents, result: { outcome: 'projected' | 'refused'; reason?: string }): Promise<void> {
  await m.query(
    `INSERT INTO projected_transactions ("blockNumber", "transactionId", "creatorMspId", "eventName", "eventType", "eventId", outcome, reason, "projectedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
    [event.blockNumber.toString(), event.transactionId, event.creatorMspId, event.eventName, e.type ?? null, e.eventId ?? null, result.outcome, result.reason ?? null],
  );
}
