import { COMMAND_KEYS, ndcToGtin14, sgtinToEpcUrn, withCheckDigit, type TraceabilityEvent, type WriteResult } from '@pedigree/domain';
import { GovernanceContract } from '../src/governance.contract';
import type { FakeLedger, FakeStub } from './stub-context';

/** What the contracts' specs share: three founders, one product, and how a transaction is run on the fake ledger. */
export const MFR = 'ManufacturerMSP';
export const DIST = 'DistributorMSP';
export const DISP = 'DispenserMSP';
export const NDC = '12345-678-90';
export const GTIN = ndcToGtin14(NDC);
export const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);

export type Fn = (ctx: never, ...args: string[]) => Promise<string>;

/** Runs one transaction as `mspId`; commits it when it succeeds, as ordering and validation would. */
export async function submit(ledger: FakeLedger, mspId: string, fn: Fn, args: unknown[], transient?: Record<string, string>, admin = false): Promise<WriteResult> {
  const { ctx, stub } = ledger.context(mspId, { transient, admin });
  const out = await fn(ctx as never, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
  touchedAsDeclared(fn.name.replace(/^bound /, ''), stub);
  stub.commit();
  return JSON.parse(out) as WriteResult;
}

/**
 * Every transaction a spec runs reads and writes only the key types the protocol catalogue declares
 * for it (COMMAND_KEYS): the catalogue's key lists are checked by every contract spec, not trusted.
 */
function touchedAsDeclared(transaction: string, stub: FakeStub): void {
  const declared = COMMAND_KEYS[transaction as keyof typeof COMMAND_KEYS];
  if (!declared) throw new Error(`${transaction}: no key declaration in the protocol catalogue (COMMAND_KEYS)`);
  const typeOf = (key: string) => stub.splitCompositeKey(key).objectType;
  const reads = [...new Set([...stub.reads].map(typeOf))].filter((t) => !(declared.reads as readonly string[]).includes(t));
  const writes = [...new Set(stub.touchedWrites().map(typeOf))].filter((t) => !(declared.writes as readonly string[]).includes(t));
  if (reads.length || writes.length) throw new Error(`${transaction} touched key types the catalogue does not declare: reads ${reads.join(', ') || '-'}; writes ${writes.join(', ') || '-'}`);
}

export async function evaluate<T>(ledger: FakeLedger, mspId: string, fn: Fn, ...args: string[]): Promise<T> {
  const { ctx } = ledger.context(mspId);
  return JSON.parse(await fn(ctx as never, ...args)) as T;
}

export const lastEvent = (ledger: FakeLedger) => JSON.parse(Buffer.from(ledger.events[ledger.events.length - 1]!.payload).toString()) as TraceabilityEvent;

const licence = { type: 'state', number: 'LIC-1', authority: 'NJ', validUntil: '2030-12-31' };
const address = { street: '1 Main St', city: 'Newark', state: 'NJ', postalCode: '07102', countryCode: 'US' };
export const member = (mspId: string, gln: string, roles: string[], validUntil = '2030-12-31') => ({ mspId, name: mspId, roles, glns: [withCheckDigit(gln)], address, licence: { ...licence, validUntil } });

const governance = new GovernanceContract();
export const gov = (k: 'Propose' | 'Approve') => (governance[k] as unknown as Fn).bind(governance);

/** Founds the consortium as its members' admins would: one proposes, the others approve. */
export async function found(ledger: FakeLedger): Promise<void> {
  const change = { kind: 'found', members: [member(MFR, '031234500000', ['manufacturer']), member(DIST, '034567800000', ['wholesaler']), member(DISP, '035678900000', ['dispenser'])], prefixes: [{ prefix: '0312345', mspId: MFR }] };
  const proposed = await submit(ledger, MFR, gov('Propose'), [{ eventId: 'g1', change }], undefined, true);
  await submit(ledger, DIST, gov('Approve'), [{ eventId: 'g2', proposalId: proposed.txId }], undefined, true);
  await submit(ledger, DISP, gov('Approve'), [{ eventId: 'g3', proposalId: proposed.txId }], undefined, true);
}

/** A refusal from the chaincode, by its code (`CODE: message`). */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toThrow(new RegExp(`^${code}: `));
}

/** The fake ledger dates its transactions 2026-03-01; endorsers refuse proposals far from their clock, so the specs' clock is that day too. */
export function useFakeLedgerClock(): void {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-03-01T10:02:00.000Z')));
  afterEach(() => jest.restoreAllMocks());
}
