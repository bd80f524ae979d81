import type { Context } from 'fabric-contract-api';
import { canonicalJson, DomainError, isContainer, parseEpcUrn, type ContainerRecord, type IsoTimestamp, type PackRecord, type RecordLookup, type TraceRecord } from '@pedigree/domain';
import { anyOfPeersPolicy, keyPolicyOrgs } from './endorsement';
import { KeyType, stateKey } from './keys';

/**
 * Typed access to world state for one transaction. Pack and container reads are cached, because the
 * domain's aggregation functions take a synchronous lookup: the contract preloads everything a
 * command can touch, then hands the domain a view of it and writes back what the domain returns.
 */
export class WorldState {
  private readonly traces = new Map<string, TraceRecord | undefined>();

  constructor(private readonly ctx: Context) {}

  async read<T>(type: KeyType, ...parts: string[]): Promise<T | undefined> {
    const bytes = await this.ctx.stub.getState(stateKey(this.ctx, type, ...parts));
    return bytes && bytes.length > 0 ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
  }

  /** Every write goes through canonicalJson so all endorsers produce identical bytes. */
  async write(type: KeyType, parts: readonly string[], value: unknown): Promise<string> {
    const key = stateKey(this.ctx, type, ...parts);
    await this.ctx.stub.putState(key, Buffer.from(canonicalJson(value)));
    return key;
  }

  async setOwnerPolicy(type: KeyType, parts: readonly string[], orgs: readonly string[]): Promise<void> {
    await this.ctx.stub.setStateValidationParameter(stateKey(this.ctx, type, ...parts), anyOfPeersPolicy(orgs));
  }

  /** A pack (SGTIN URN) or container (SSCC URN), cached for the synchronous domain lookup. */
  async trace(id: string): Promise<TraceRecord | undefined> {
    if (this.traces.has(id)) return this.traces.get(id);
    const record = await this.read<TraceRecord>(traceKeyType(id), id);
    this.traces.set(id, record);
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
   * Writes a pack or container and keeps its key-level endorsement policy in step with who must
   * vouch for it (owner at rest; owner or addressee in transit). The policy is only rewritten when
   * that set changes, which saves a round trip to the peer per key on most commands.
   */
  async putTrace(record: TraceRecord): Promise<void> {
    const before = this.traces.get(record.id);
    await this.write(traceKeyType(record.id), [record.id], record);
    const orgs = keyPolicyOrgs(record);
    if (!before || keyPolicyOrgs(before).join('|') !== orgs.join('|')) await this.setOwnerPolicy(traceKeyType(record.id), [record.id], orgs);
    this.traces.set(record.id, record);
  }
}

export function traceKeyType(id: string): KeyType {
  const parsed = parseEpcUrn(id);
  if (parsed.scheme === 'sgtin') return KeyType.pack;
  if (parsed.scheme === 'sscc') return KeyType.container;
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

export type { PackRecord };
