import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { voucherAndAnotherPolicy } from '../../src/endorsement';

/** What Put records: the value and which organisation wrote it, with the transaction's own time. */
export interface ProbeRecord {
  key: string;
  value: string;
  writerMspId: string;
  txId: string;
  writtenAt: string;
}

/**
 * The smallest real contract: a put, a get and an event. It proves the path from an application
 * through the gateway to every peer and back, and is the single-put baseline of `npm run bench:ledger`.
 */
@Info({ title: 'Probe', description: 'Put/get with an event on every write' })
export class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  @Transaction()
  @Returns('string')
  async Put(ctx: Context, key: string, value: string): Promise<string> {
    if (!key) throw new Error('PROBE_KEY_REQUIRED: key must not be empty');
    const record: ProbeRecord = {
      key,
      value,
      // Who wrote it comes from the caller's certificate, never from the arguments.
      writerMspId: ctx.clientIdentity.getMSPID(),
      txId: ctx.stub.getTxID(),
      writtenAt: txTime(ctx),
    };
    const bytes = Buffer.from(sortedJson(record));
    await ctx.stub.putState(probeKey(ctx, key), bytes);
    ctx.stub.setEvent('ProbeWritten', bytes);
    return bytes.toString();
  }

  /** A write with no reads and no event payload to speak of: the platform's per-transaction floor. */
  @Transaction()
  async Noop(ctx: Context): Promise<void> {
    await ctx.stub.putState(probeKey(ctx, `noop-${ctx.stub.getTxID()}`), Buffer.from('1'));
  }

  /**
   * `count` new keys of `bytes` bytes each, as a commissioning batch writes them, each under a
   * key-level policy: `none`; `holder` (the writer's peer alone: the at-rest policy before the
   * trust change); `holderAndAnother` (the writer's peer AND another member's: the policy now).
   * The benchmarks compare the same write volume under each, so the policies' cost is measured.
   */
  @Transaction()
  async PutKeys(ctx: Context, prefix: string, count: string, bytes: string, policy: string, membersJson: string): Promise<void> {
    const n = Number(count);
    const size = Number(bytes);
    if (!Number.isInteger(n) || n < 1 || n > 5000 || !Number.isInteger(size) || size < 1 || size > 10_000) throw new Error('PROBE_ARGS: count 1-5000, bytes 1-10000');
    const writer = ctx.clientIdentity.getMSPID();
    const members = JSON.parse(membersJson) as string[];
    const parameter = policy === 'holder' ? voucherAndAnotherPolicy([writer], [writer]) : policy === 'holderAndAnother' ? voucherAndAnotherPolicy([writer], members) : undefined;
    if (policy !== 'none' && !parameter) throw new Error('PROBE_ARGS: policy is none, holder or holderAndAnother');
    const value = Buffer.from('x'.repeat(size));
    for (let i = 0; i < n; i++) {
      const key = probeKey(ctx, `${prefix}-${i}`);
      await ctx.stub.putState(key, value);
      if (parameter) await ctx.stub.setStateValidationParameter(key, parameter);
    }
  }

  @Transaction(false)
  @Returns('string')
  async Get(ctx: Context, key: string): Promise<string> {
    const bytes = await ctx.stub.getState(probeKey(ctx, key));
    if (!bytes || bytes.length === 0) throw new Error(`PROBE_NOT_FOUND: no value for key ${key}`);
    return Buffer.from(bytes).toString();
  }
}

function probeKey(ctx: Context, key: string): string {
  return ctx.stub.createCompositeKey('probe', [key]);
}

function txTime(ctx: Context): string {
  const ts = ctx.stub.getTxTimestamp();
  const millis = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return new Date(millis).toISOString();
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v);
}
