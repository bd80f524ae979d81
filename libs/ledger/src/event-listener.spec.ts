import { ChaincodeEventListener, CheckpointStore, EventNotApplied } from './event-listener';
import { CommittedEvent, CommittedEventStream, Ledger, LedgerCheckpoint } from './ledger.port';
import { LedgerError } from './ledger-error';

/** A stub of the ledger port: a fixed chain of events, and streams that can be made to fail. */
class ChainStub implements Pick<Ledger, 'committedEvents'> {
  readonly requests: (LedgerCheckpoint | undefined)[] = [];
  failAfter = Infinity;

  constructor(readonly chain: CommittedEvent[]) {}

  committedEvents(from?: LedgerCheckpoint): CommittedEventStream {
    this.requests.push(from);
    const start = from
      ? this.chain.findIndex((e) => e.blockNumber > from.blockNumber
        || (e.blockNumber === from.blockNumber && from.transactionId !== undefined && this.after(e, from)))
      : 0;
    const events = start < 0 ? [] : this.chain.slice(start);
    let served = 0;
    let endLiveWait = () => undefined as void;
    const failAt = () => this.failAfter;
    const recovered = () => { this.failAfter = Infinity; };
    return {
      close: () => endLiveWait(),
      async *[Symbol.asyncIterator]() {
        for (const e of events) {
          if (served++ >= failAt()) {
            recovered();
            throw new LedgerError({ stage: 'events', kind: 'unavailable', message: 'peer went away' });
          }
          yield e;
        }
        await new Promise<void>((resolve) => { endLiveWait = resolve; }); // live: waits for blocks until closed
      },
    };
  }

  private after(e: CommittedEvent, from: LedgerCheckpoint): boolean {
    const same = this.chain.filter((x) => x.blockNumber === from.blockNumber);
    return same.indexOf(e) > same.findIndex((x) => x.transactionId === from.transactionId);
  }
}

const event = (block: number, tx: string, validationCode = 0): CommittedEvent => ({
  blockNumber: BigInt(block), transactionId: tx, creatorMspId: 'ManufacturerMSP', validationCode, eventName: 'E', payload: new Uint8Array(),
});

/** Rows and checkpoint kept together, as the read model keeps them in one SQL transaction. */
class Projection implements CheckpointStore {
  seen: string[] = [];
  checkpoint?: LedgerCheckpoint;
  async load() { return this.checkpoint; }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('timed out');
}

describe('ChaincodeEventListener', () => {
  const chain = [event(1, 'a'), event(1, 'b'), event(2, 'c'), event(3, 'd'), event(3, 'e')];

  it('resumes from the stored checkpoint after a stream failure, delivering each event once', async () => {
    const ledger = new ChainStub(chain);
    ledger.failAfter = 2;
    const projection = new Projection();
    const listener = new ChaincodeEventListener(ledger as unknown as Ledger, projection, async (e, cp) => {
      projection.seen.push(e.transactionId);
      projection.checkpoint = cp;
    }, { retryDelayMs: 1 });
    listener.start();
    await until(() => projection.seen.length === 5);
    await listener.stop();
    expect(projection.seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ledger.requests[1]).toEqual({ blockNumber: 1n, transactionId: 'b' });
  });

  it('retries an event whose handler failed before storing anything, and reports the failure', async () => {
    const ledger = new ChainStub(chain);
    const projection = new Projection();
    const errors: unknown[] = [];
    let failed = false;
    const listener = new ChaincodeEventListener(ledger as unknown as Ledger, projection, async (e, cp) => {
      if (e.transactionId === 'c' && !failed) {
        failed = true;
        throw new Error('database down');
      }
      projection.seen.push(e.transactionId);
      projection.checkpoint = cp;
    }, { retryDelayMs: 1, onError: (err) => errors.push(err) });
    listener.start();
    await until(() => projection.seen.length === 5);
    await listener.stop();
    expect(projection.seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(errors).toHaveLength(1);
  });

  it('hands over only events of valid transactions, and reports the invalid ones it skipped', async () => {
    // 11: MVCC_READ_CONFLICT, 10: ENDORSEMENT_POLICY_FAILURE — their events changed nothing.
    const ledger = new ChainStub([event(1, 'a'), event(1, 'conflict', 11), event(2, 'forged', 10), event(2, 'b')]);
    const projection = new Projection();
    const invalid: string[] = [];
    const listener = new ChaincodeEventListener(ledger as unknown as Ledger, projection, async (e, cp) => {
      projection.seen.push(e.transactionId);
      projection.checkpoint = cp;
    }, { retryDelayMs: 1, onInvalid: (e) => invalid.push(e.transactionId) });
    listener.start();
    await until(() => projection.seen.length === 2);
    await listener.stop();
    expect(projection.seen).toEqual(['a', 'b']);
    expect(invalid).toEqual(['conflict', 'forged']);
  });

  it('names the event it cannot apply while it retries it with growing pauses, and goes on from it once the cause is gone', async () => {
    const ledger = new ChainStub(chain);
    const projection = new Projection();
    let broken = true;
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const listener = new ChaincodeEventListener(ledger as unknown as Ledger, projection, async (e, cp) => {
      if (e.transactionId === 'c' && broken) {
        attempts.push(Date.now());
        throw new Error('duplicate key value violates unique constraint "packs_gtin_serial"');
      }
      projection.seen.push(e.transactionId);
      projection.checkpoint = cp;
    }, { retryDelayMs: 50, maxRetryDelayMs: 800, onError: (err) => errors.push(err) });
    listener.start();
    await until(() => attempts.length >= 4);
    const stuck = listener.status();
    expect(stuck).toMatchObject({
      running: true,
      lastFailure: { kind: 'event-not-applied', message: expect.stringContaining('packs_gtin_serial'), event: { blockNumber: '2', transactionId: 'c', eventName: 'E' } },
    });
    expect(stuck.failures).toBeGreaterThanOrEqual(3);
    expect(errors[0]).toBeInstanceOf(EventNotApplied);
    // Nothing after the stuck event was applied: no skipping.
    expect(projection.seen).toEqual(['a', 'b']);
    // Backoff: pauses of 50, 100, 200 ms. A timer never fires early, so the pause before the fourth
    // attempt is at least 200 ms, more than the first pause's 50 however late a loaded machine runs
    // it (comparing two measured gaps failed at load 20).
    expect(attempts[3]! - attempts[2]!).toBeGreaterThanOrEqual(195);
    // Every reconnect resumes from the checkpoint before the stuck event.
    expect(ledger.requests.slice(1).every((r) => r?.transactionId === 'b')).toBe(true);

    broken = false;
    listener.retryNow();
    await until(() => projection.seen.length === 5);
    expect(listener.status()).toEqual({ running: true, failures: 0 });
    await listener.stop();
    expect(projection.seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
