/**
 * TEST-ONLY: an in-memory stand-in for Fabric's ChaincodeStub and a Context around it, for the
 * chaincode specs. Only *.spec.ts files import it. It keeps what sinon stubs would hide: key-ordered
 * range and partial-composite-key iteration, private data per collection, transient data, the last
 * setEvent, history per key, key-level endorsement parameters, and the transaction's time and ID.
 *
 * Writes are staged per transaction and committed by `commit()` (what ordering + validation would
 * do), so a failed transaction leaves nothing behind, as on a real peer.
 */
import { Context } from 'fabric-contract-api';
import { ChaincodeStub } from 'fabric-shim';

interface KV {
  key: string;
  value: Uint8Array;
}
interface HistoryEntry {
  txId: string;
  timestamp: { seconds: number; nanos: number };
  isDelete: boolean;
  value: Uint8Array;
}

export class FakeLedger {
  readonly state = new Map<string, Uint8Array>();
  readonly privateData = new Map<string, Map<string, Uint8Array>>();
  readonly validationParameters = new Map<string, Uint8Array>();
  readonly history = new Map<string, HistoryEntry[]>();
  /** Events of committed transactions, in order. */
  readonly events: Array<{ txId: string; name: string; payload: Uint8Array }> = [];
  private txCount = 0;
  /** Milliseconds since the epoch of the next transaction; advanced by each one. */
  clock = Date.parse('2026-03-01T10:00:00.000Z');

  /** A context for one transaction by `mspId`; call `commit()` on the stub when it succeeded. */
  context(mspId: string, options: { transient?: Record<string, string>; at?: string; admin?: boolean } = {}): { ctx: Context; stub: FakeStub } {
    this.txCount += 1;
    const at = options.at ? Date.parse(options.at) : (this.clock += 1000);
    const stub = new FakeStub(this, `tx${String(this.txCount).padStart(6, '0')}`, at, mspId, options.transient ?? {});
    const ctx = new Context();
    // The runtime Context has these setters; fabric-contract-api's typings omit them.
    const settable = ctx as unknown as { setChaincodeStub(s: ChaincodeStub): void; setClientIdentity(c: unknown): void };
    settable.setChaincodeStub(stub as unknown as ChaincodeStub);
    settable.setClientIdentity({ getMSPID: () => mspId, getID: () => (options.admin ? `x509::/OU=admin/CN=Admin@${mspId}::/CN=ca.${mspId}` : `x509::/OU=client/CN=User1@${mspId}::/CN=ca.${mspId}`), getIDBytes: () => new Uint8Array(), getAttributeValue: () => null, assertAttributeValue: () => false } as never);
    return { ctx, stub };
  }
}

export class FakeStub {
  private readonly writes = new Map<string, Uint8Array | null>();
  private readonly privateWrites = new Map<string, Map<string, Uint8Array>>();
  private readonly parameterWrites = new Map<string, Uint8Array>();
  event?: { name: string; payload: Uint8Array };
  /** Keys read from world state, for tests of what a transaction touched. */
  readonly reads = new Set<string>();

  /** Keys written, world state and private data alike, for tests of what a transaction touched. */
  touchedWrites(): string[] {
    return [...this.writes.keys(), ...[...this.privateWrites.values()].flatMap((m) => [...m.keys()])];
  }

  constructor(
    private readonly ledger: FakeLedger,
    private readonly txId: string,
    private readonly millis: number,
    private readonly mspId: string,
    private readonly transient: Record<string, string>,
  ) {}

  getTxID(): string {
    return this.txId;
  }
  getMspID(): string {
    return this.mspId;
  }
  getChannelID(): string {
    return 'supplychain';
  }
  getTxTimestamp(): { seconds: number; nanos: number } {
    return { seconds: Math.floor(this.millis / 1000), nanos: (this.millis % 1000) * 1e6 };
  }
  getDateTimestamp(): Date {
    return new Date(this.millis);
  }
  getTransient(): Map<string, Uint8Array> {
    return new Map(Object.entries(this.transient).map(([k, v]) => [k, Buffer.from(v)]));
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return ChaincodeStub.prototype.createCompositeKey.call(this, objectType, attributes);
  }
  splitCompositeKey(key: string): { objectType: string; attributes: string[] } {
    return ChaincodeStub.prototype.splitCompositeKey.call(this, key);
  }

  async getState(key: string): Promise<Uint8Array> {
    this.reads.add(key);
    // Fabric reads committed state only: a transaction does not see its own writes.
    return this.ledger.state.get(key) ?? Buffer.alloc(0);
  }
  async putState(key: string, value: Uint8Array): Promise<void> {
    if (!value || value.length === 0) throw new Error('fake stub: empty values are deletes in Fabric; use deleteState');
    this.writes.set(key, Buffer.from(value));
  }
  async deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
  }
  async setStateValidationParameter(key: string, ep: Uint8Array): Promise<void> {
    this.parameterWrites.set(key, Buffer.from(ep));
  }
  async getStateValidationParameter(key: string): Promise<Uint8Array> {
    return this.ledger.validationParameters.get(key) ?? Buffer.alloc(0);
  }

  getStateByRange(startKey: string, endKey: string): Promise<AsyncIterator<KV> & { close(): Promise<void> }> & AsyncIterable<KV> {
    return iterate(this.sorted((k) => k >= startKey && (endKey === '' || k < endKey)));
  }
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<AsyncIterator<KV> & { close(): Promise<void> }> & AsyncIterable<KV> {
    const prefix = this.createCompositeKey(objectType, attributes);
    return iterate(this.sorted((k) => k.startsWith(prefix)));
  }
  async getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: string[], pageSize: number, bookmark = ''): Promise<{ iterator: AsyncIterator<KV> & { close(): Promise<void> }; metadata?: { fetchedRecordsCount: number; bookmark: string } }> {
    const prefix = this.createCompositeKey(objectType, attributes);
    const all = this.sorted((k) => k.startsWith(prefix) && (bookmark === '' || k >= bookmark));
    const pageKvs = all.slice(0, pageSize);
    const next = all[pageSize]?.key ?? '';
    // As fabric-shim: an all-default metadata message arrives as no bytes, so no metadata at all.
    return { iterator: await iterate(pageKvs), ...(pageKvs.length || next ? { metadata: { fetchedRecordsCount: pageKvs.length, bookmark: next } } : {}) };
  }
  getHistoryForKey(key: string): Promise<AsyncIterator<HistoryEntry> & { close(): Promise<void> }> & AsyncIterable<HistoryEntry> {
    // Fabric 2.x returns the newest modification first.
    return iterate([...(this.ledger.history.get(key) ?? [])].reverse());
  }

  async getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    return this.ledger.privateData.get(collection)?.get(key) ?? Buffer.alloc(0);
  }
  async putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    const c = this.privateWrites.get(collection) ?? new Map<string, Uint8Array>();
    c.set(key, Buffer.from(value));
    this.privateWrites.set(collection, c);
  }

  setEvent(name: string, payload: Uint8Array): void {
    // Like Fabric: a second call replaces the first.
    this.event = { name, payload: Buffer.from(payload) };
  }

  /** What a valid commit does: apply writes, parameters, private data, history and the event. */
  commit(): void {
    for (const [key, value] of this.writes) {
      if (value) this.ledger.state.set(key, value);
      else this.ledger.state.delete(key);
      const h = this.ledger.history.get(key) ?? [];
      h.push({ txId: this.txId, timestamp: this.getTxTimestamp(), isDelete: value === null, value: value ?? Buffer.alloc(0) });
      this.ledger.history.set(key, h);
    }
    for (const [key, ep] of this.parameterWrites) this.ledger.validationParameters.set(key, ep);
    for (const [collection, kvs] of this.privateWrites) {
      const c = this.ledger.privateData.get(collection) ?? new Map<string, Uint8Array>();
      for (const [k, v] of kvs) c.set(k, v);
      this.ledger.privateData.set(collection, c);
    }
    if (this.event) this.ledger.events.push({ txId: this.txId, ...this.event });
  }

  get writtenKeys(): string[] {
    return [...this.writes.keys()];
  }

  private sorted(match: (key: string) => boolean): KV[] {
    return [...this.ledger.state.entries()]
      .filter(([k]) => match(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value }));
  }
}

/** Fabric's query results are both a promise of an iterator and an async iterable. */
function iterate<T>(items: readonly T[]): Promise<AsyncIterator<T> & { close(): Promise<void> }> & AsyncIterable<T> {
  const make = () => {
    let i = 0;
    return {
      next: async (): Promise<IteratorResult<T>> => (i < items.length ? { value: items[i++] as T, done: false } : { value: undefined as never, done: true }),
      close: async () => undefined,
    };
  };
  const promise = Promise.resolve(make()) as Promise<AsyncIterator<T> & { close(): Promise<void> }> & AsyncIterable<T>;
  promise[Symbol.asyncIterator] = async function* () {
    yield* items;
  };
  return promise;
}
