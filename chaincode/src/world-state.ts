import type { Context } from 'fabric-contract-api';
import {
  canonicalJson, containersOfChange, DomainError, type CanonicalCache, assertNotBackdated, isContainer, isPack, majority, parseEpcUrn, storedWrites, viewOf, withInvestigationHold, withLotStatus,
  type CarriedCommand, type ConsortiumRecord, type ContainerRecord, type InvestigationHoldRecord, type IsoTimestamp, type LotStatusRecord, type OrgId, type PackRecord, type RecordLookup, type TraceRecord,
} from '@pedigree/domain';
import { membersPolicy, voucherAndAnotherPolicy, vouchers } from './endorsement';
import { KeyType, stateKey } from './keys';

/** How far a proposal's timestamp may be from an endorsing peer's clock (each endorser judges for itself). */
export const CLOCK_SKEW_MS = Number(process.env.PEDIGREE_CLOCK_SKEW_SECONDS ?? 300) * 1000;

/**
 * Typed access to world state for one transaction. Pack and container reads are cached, because the
 * domain's aggregation functions take a synchronous lookup: the contract preloads everything a
 * command can touch, then hands the domain a view of it and writes back what the domain returns.
 * A pack is always seen through its lot's decisions (recall, expiry extension), so no rule can
 * forget them.
 */
export class WorldState {
  private readonly traces = new Map<string, TraceRecord | undefined>();
  /** Pack and container records as stored (a container with what it carries, a pack without it): lifecycle/carriage.ts. */
  private readonly stored = new Map<string, TraceRecord | undefined>();
  private readonly lots = new Map<string, LotStatusRecord | undefined>();
  private readonly investigationHolds = new Map<string, InvestigationHoldRecord | undefined>();
  private consortiumRead?: Promise<ConsortiumRecord | undefined>;
  /** The canonical JSON of every object written, reused when the same records go out in the event. */
  readonly serialised: CanonicalCache = new WeakMap();
  /** Key policies by holder set (and the contained packs' one): a batch shares a handful, and building one is protobuf work. */
  private readonly holderPolicies = new Map<string, Uint8Array>();
  /**
   * What this transaction wrote (null: deleted), by key: Fabric's getState answers committed state
   * only, so the later commands of a Capture read the earlier ones' writes (receipts, shipments)
   * from here.
   */
  private readonly written = new Map<string, string | null>();
  /** Committed values already read ('' when absent): the parts of a Capture read the same partner and consortium keys. */
  private readonly committed = new Map<string, string>();

  constructor(readonly ctx: Context) {}

  async read<T>(type: KeyType, ...parts: string[]): Promise<T | undefined> {
    const key = stateKey(this.ctx, type, ...parts);
    let json = this.written.has(key) ? this.written.get(key) : this.committed.get(key);
    if (json === undefined) {
      const bytes = await this.ctx.stub.getState(key);
      json = bytes && bytes.length > 0 ? Buffer.from(bytes).toString('utf8') : '';
      this.committed.set(key, json);
    }
    // Parsed afresh on every read: callers may not share (and so mutate) one object.
    return json ? (JSON.parse(json) as T) : undefined;
  }

  async delete(type: KeyType, ...parts: string[]): Promise<void> {
    const key = stateKey(this.ctx, type, ...parts);
    await this.ctx.stub.deleteState(key);
    this.written.set(key, null);
  }

  /** Every write goes through canonicalJson so all endorsers produce identical bytes. */
  async write(type: KeyType, parts: readonly string[], value: unknown): Promise<string> {
    const key = stateKey(this.ctx, type, ...parts);
    const json = canonicalJson(value, this.serialised);
    if (typeof value === 'object' && value !== null) this.serialised.set(value, json);
    await this.ctx.stub.putState(key, Buffer.from(json));
    this.written.set(key, json);
    return key;
  }

  consortium(): Promise<ConsortiumRecord | undefined> {
    this.consortiumRead ??= this.read<ConsortiumRecord>(KeyType.consortium);
    return this.consortiumRead;
  }

  async members(): Promise<readonly OrgId[]> {
    const c = await this.consortium();
    if (!c) throw new DomainError('GOVERNANCE_STATE', 'the consortium is not founded yet: nothing can be recorded before its members are', { reason: 'not founded' });
    return c.members;
  }

  /** The record holder's peer AND another member's (see endorsement.ts). */
  async setHolderPolicy(type: KeyType, parts: readonly string[], holders: readonly OrgId[]): Promise<void> {
    const policy = await this.policy(holders.join('|'), (members) => voucherAndAnotherPolicy(holders, members));
    await this.ctx.stub.setStateValidationParameter(stateKey(this.ctx, type, ...parts), policy);
  }

  /** A key policy built once per transaction under its name (a holder set, or CONTAINED). */
  private async policy(name: string, build: (members: readonly OrgId[]) => Uint8Array): Promise<Uint8Array> {
    let policy = this.holderPolicies.get(name);
    if (!policy) this.holderPolicies.set(name, (policy = build(await this.members())));
    return policy;
  }

  async setMajorityPolicy(type: KeyType, parts: readonly string[], members: readonly OrgId[]): Promise<void> {
    await this.ctx.stub.setStateValidationParameter(stateKey(this.ctx, type, ...parts), membersPolicy(members, majority(members)));
  }

  async lotStatus(gtin: string, lot: string): Promise<LotStatusRecord | undefined> {
    const key = `${gtin}|${lot}`;
    if (!this.lots.has(key)) this.lots.set(key, await this.read<LotStatusRecord>(KeyType.lotStatus, gtin, lot));
    return this.lots.get(key);
  }

  async investigationHold(gtin: string, lot: string): Promise<InvestigationHoldRecord | undefined> {
    const key = `${gtin}|${lot}`;
    if (!this.investigationHolds.has(key)) this.investigationHolds.set(key, await this.read<InvestigationHoldRecord>(KeyType.investigationHold, gtin, lot));
    return this.investigationHolds.get(key);
  }

  /** Writes a lot's investigation holds; packs read later in this transaction see the new holds. */
  async putInvestigationHold(hold: InvestigationHoldRecord): Promise<void> {
    await this.write(KeyType.investigationHold, [hold.gtin, hold.lot], hold);
    this.investigationHolds.set(`${hold.gtin}|${hold.lot}`, hold);
    for (const [id, r] of this.traces) if (isPack(r) && r.gtin === hold.gtin && r.lot === hold.lot) this.traces.set(id, withInvestigationHold(r, hold));
  }

  /** A pack or container record as stored, cached for the synchronous planning of writes. */
  async storedTrace(id: string): Promise<TraceRecord | undefined> {
    if (this.stored.has(id)) return this.stored.get(id);
    const key = traceKey(id);
    const record = await this.read<TraceRecord>(key.type, ...key.parts);
    this.stored.set(id, record);
    if (record && record.id !== id) this.stored.set(record.id, record);
    return record;
  }

  /**
   * A pack (SGTIN URN, seen through its container's carried moves and its lot) or container (SSCC
   * URN), cached for the synchronous domain lookup.
   */
  async trace(id: string): Promise<TraceRecord | undefined> {
    if (this.traces.has(id)) return this.traces.get(id);
    const raw = await this.storedTrace(id);
    if (isPack(raw) && raw.parent) await this.storedTrace(raw.parent);
    let record = viewOf(raw, (k) => this.stored.get(k));
    if (isPack(record)) record = withInvestigationHold(withLotStatus(record, await this.lotStatus(record.gtin, record.lot)), await this.investigationHold(record.gtin, record.lot));
    this.traces.set(id, record);
    if (record && record.id !== id) this.traces.set(record.id, record);
    return record;
  }

  /**
   * Loads a record with what the domain may walk from it: every descendant of a container (ship,
   * receive, unpack) and every container around it (cycle checks, seal breaking).
   */
  async traceWithRelatives(id: string): Promise<TraceRecord | undefined> {
    const record = await this.trace(id);
    if (!record) return undefined;
    let parent = record.parent;
    const seen = new Set([id]);
    while (parent && !seen.has(parent)) {
      seen.add(parent);
      parent = (await this.trace(parent))?.parent;
    }
    const queue: ContainerRecord[] = isContainer(record) ? [record] : [];
    while (queue.length) {
      const c = queue.shift() as ContainerRecord;
      for (const child of c.children) {
        if (seen.has(child)) continue;
        seen.add(child);
        const r = await this.trace(child);
        if (isContainer(r)) queue.push(r);
      }
    }
    return record;
  }

  /** The domain's view: records changed earlier in this transaction first, then what was loaded. */
  lookup(changed: ReadonlyMap<string, TraceRecord>): RecordLookup {
    return (id) => changed.get(id) ?? this.traces.get(id);
  }

  /**
   * Stores a command's changed packs and containers (as they now are) the way carriage.ts plans:
   * a container whose packs all moved alike carries the move, so its packs' keys are not written;
   * packs that diverge are written with everything they inherited. A change dated before a
   * record's last one is refused here, for every command alike.
   */
  async putTraces(records: readonly TraceRecord[], carried: ReadonlyMap<string, readonly CarriedCommand[]> | undefined, at: IsoTimestamp): Promise<void> {
    for (const r of records) {
      assertNotBackdated(this.traces.get(r.id), at, r.id);
      await this.storedTrace(r.id);
    }
    const storedLookup = (id: string): TraceRecord | undefined => this.stored.get(id);
    for (const id of containersOfChange({ records }, storedLookup)) {
      const c = await this.storedTrace(id);
      if (isContainer(c) && c.carried?.length) for (const child of c.children) await this.storedTrace(child);
    }
    for (const w of storedWrites(storedLookup, { records, ...(carried ? { carried } : {}) })) await this.putStored(w);
    for (const r of records) this.traces.set(r.id, r);
  }

  /**
   * Writes a stored record and keeps its key-level endorsement policy in step with who must vouch
   * for it. The policy is only rewritten when that changes (or the key is new), which saves a round
   * trip to the peer per key on most commands. A pack inside a container is vouched for by the
   * container's own key (its holder AND another member) while the container carries its moves, so
   * its key asks two members' peers, whoever holds the container when the pack materialises.
   */
  private async putStored(record: TraceRecord): Promise<void> {
    const before = this.stored.get(record.id);
    const key = traceKey(record.id);
    await this.write(key.type, key.parts, record);
    const policy = policyOf(record);
    if (!before || policyOf(before) !== policy) {
      if (policy === CONTAINED) await this.ctx.stub.setStateValidationParameter(stateKey(this.ctx, key.type, ...key.parts), await this.policy(CONTAINED, (members) => membersPolicy(members, 2)));
      else await this.setHolderPolicy(key.type, key.parts, vouchers(record));
    }
    this.stored.set(record.id, record);
  }
}

const CONTAINED = 'contained';

/** Which key policy a stored record needs: a pack in a container any two members'; otherwise its vouchers'. */
function policyOf(record: TraceRecord): string {
  return isPack(record) && record.parent ? CONTAINED : vouchers(record).join('|');
}

/**
 * Packs are keyed by (GTIN-14, serial), not by their URN: the URN's split between company prefix
 * and item reference is a presentation, and two spellings of one serial must never be two keys.
 */
export function traceKey(id: string): { type: KeyType; parts: string[] } {
  const parsed = parseEpcUrn(id);
  if (parsed.scheme === 'sgtin') return { type: KeyType.pack, parts: [parsed.gtin, parsed.serial] };
  if (parsed.scheme === 'sscc') return { type: KeyType.container, parts: [id] };
  throw new DomainError('COMMAND_INVALID', `${id} is neither a pack (SGTIN) nor a container (SSCC)`, { id, reason: 'not a pack or container' });
}

export function isPackId(id: string): boolean {
  return id.startsWith('urn:epc:id:sgtin:');
}

/** The transaction's own timestamp (set by the client, identical on every endorser) as ISO UTC. */
export function txTime(ctx: Context): IsoTimestamp {
  const ts = ctx.stub.getTxTimestamp();
  const millis = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return new Date(millis).toISOString();
}

/**
 * Refuses to endorse a proposal dated far from this peer's clock. Reading the clock does not make
 * the write set non-deterministic: an honest peer either endorses the same bytes as the others or
 * endorses nothing, so a client cannot pick a time that licences, expiries or recalls do not see.
 */
export function assertTimely(ctx: Context, now = Date.now()): void {
  const at = Date.parse(txTime(ctx));
  if (Math.abs(now - at) > CLOCK_SKEW_MS) {
    throw new DomainError('CLOCK_SKEW', `the transaction is dated ${new Date(at).toISOString()}, ${Math.round((at - now) / 1000)} s from this peer's clock (at most ±${CLOCK_SKEW_MS / 1000} s)`, { reason: 'timestamp out of bounds' });
  }
}

export type { PackRecord };
