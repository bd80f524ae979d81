import { ChaincodeEventListener, CheckpointStore } from './event-listener';
import { Ledger, LedgerCheckpoint, LedgerEvent, LedgerEventStream } from './ledger.port';
import { LedgerError } from './ledger-error';

/** A stub of the ledger port: a fixed chain of events, and streams that can be made to fail. */
class ChainStub implements Pick<Ledger, 'chaincodeEvents'> {
  readonly requests: (LedgerCheckpoint | undefined)[] = [];
  failAfter = Infinity;

  constructor(readonly chain: LedgerEvent[]) {}

  chaincodeEvents(from?: LedgerCheckpoint): LedgerEventStream {
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

  private after(e: LedgerEvent, from: LedgerCheckpoint): boolean {
    const same = this.chain.filter((x) => x.blockNumber === from.blockNumber);
    return same.indexOf(e) > same.findIndex((x) => x.transactionId === from.transactionId);
  }
}

const event = (block: number, tx: string): LedgerEvent => ({ blockNumber: BigInt(block), transactionId: tx, eventName: 'E', payload: new Uint8Array() });

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
});
