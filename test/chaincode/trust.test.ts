import { Ledger, LedgerError } from '@pedigree/ledger';
import { sgtinToEpcUrn } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, seenBy } from '../support/chaincode';
import { MSP, ROLES, Role, ledgerFor } from '../support/ledger';

/**
 * What the ledger refuses whoever asks: governance by one organisation alone; transactions dated
 * before a record's last change or far from the endorsers' clocks; another organisation's event
 * ID passed off as a duplicate. The 100,000-pack recall is test/scale (it runs last).
 */
const { run } = runIds();
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);
const code = (e: unknown) => (e as LedgerError).chaincodeCode;

jest.setTimeout(300_000);

describe('ledger trust rules on the real network', () => {
  const l = {} as Record<Role, Ledger>;
  const settle = async (eventId: string, submitter?: string) => {
    for (const role of ROLES) await seenBy(l[role], eventId, submitter);
  };
  beforeAll(async () => {
    for (const role of ROLES) l[role] = ledgerFor(role);
    // The product may already be registered by another suite on this ledger: a repeat is harmless.
    await l.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `trust-prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
    await settle(`trust-prod-${run}`);
  });
  afterAll(() => {
    for (const role of ROLES) l[role].close();
  });

  it('lets no organisation alone give itself a role or a company prefix: governance needs a majority of the members\' admins', async () => {
    const admin = { distributor: ledgerFor('distributor', 'Admin'), manufacturer: ledgerFor('manufacturer', 'Admin'), dispenser: ledgerFor('dispenser', 'Admin') };
    const GOV = { contract: 'governance' } as const;
    try {
      // However many members the consortium has: a majority of them.
      const { members } = decode<{ members: string[] }>(await l.manufacturer.evaluate('GetConsortium', [], GOV));
      const threshold = Math.floor(members.length / 2) + 1;
      const partner = decode<{ roles: string[]; name: string; glns: string[]; address: unknown; licence: unknown }>(await l.distributor.evaluate('GetPartner', [MSP.distributor], MASTER));
      const selfPromotion = { kind: 'admitPartner', partner: { mspId: MSP.distributor, name: partner.name, roles: ['wholesaler', 'dispenser'], glns: partner.glns, address: partner.address, licence: partner.licence } };
      // A user (not an admin) may not even propose.
      expect(code(await l.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-u-${run}`, change: selfPromotion })], GOV).catch((e: unknown) => e))).toBe('GOVERNANCE_FORBIDDEN');
      const proposed = decode<{ txId: string }>((await admin.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-p-${run}`, change: selfPromotion })], GOV)).payload);
      await seenBy(admin.distributor, `gov-p-${run}`);
      expect(code(await admin.distributor.submit('Approve', [JSON.stringify({ eventId: `gov-a-${run}`, proposalId: proposed.txId })], GOV).catch((e: unknown) => e))).toBe('GOVERNANCE_FORBIDDEN');
      expect(decode(await l.manufacturer.evaluate('GetProposal', [proposed.txId], GOV))).toMatchObject({ status: 'open', approvals: [MSP.distributor], threshold });
      expect(decode(await l.manufacturer.evaluate('GetPartner', [MSP.distributor], MASTER))).toMatchObject({ roles: ['wholesaler'] });
      // Still a wholesaler: dispensing is refused.
      expect(code(await l.distributor.submit('Dispense', [JSON.stringify({ eventId: `gov-d-${run}`, epcs: [sgtin(`none${run}`)] })], TRACE).catch((e: unknown) => e))).toBe('ROLE_FORBIDDEN');

      // A prefix for the distributor enacted by a majority: the manufacturer's admin approves (and the pharmacy's, with four members or more).
      const prefix = `09${String(Date.now()).slice(-8)}`;
      const assign = decode<{ txId: string }>((await admin.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-px-${run}`, change: { kind: 'assignPrefix', assignment: { prefix, mspId: MSP.distributor } } })], GOV)).payload);
      const approvers = (['manufacturer', 'dispenser'] as const).slice(0, threshold - 1);
      for (const [i, who] of approvers.entries()) {
        await seenBy(admin[who], i === 0 ? `gov-px-${run}` : `gov-pa${i - 1}-${run}`);
        await admin[who].submit('Approve', [JSON.stringify({ eventId: `gov-pa${i}-${run}`, proposalId: assign.txId })], GOV);
      }
      // The last approval was committed on its submitter's peer; the manufacturer's may be a block behind.
      await seenBy(admin.manufacturer, `gov-pa${approvers.length - 1}-${run}`, MSP[approvers[approvers.length - 1]!]);
      expect(decode(await admin.manufacturer.evaluate('GetProposal', [assign.txId], GOV))).toMatchObject({ status: 'enacted', approvals: [MSP.distributor, ...approvers.map((a) => MSP[a])].sort() });
      // A nested prefix would put GTINs under two holders: refused at enactment.
      const nested = decode<{ txId: string }>((await admin.manufacturer.submit('Propose', [JSON.stringify({ eventId: `gov-pn-${run}`, change: { kind: 'assignPrefix', assignment: { prefix: `${prefix}1`, mspId: MSP.manufacturer } } })], GOV)).payload);
      const nestedApprovers = (['distributor', 'dispenser'] as const).slice(0, threshold - 1);
      for (const [i, who] of nestedApprovers.entries()) {
        await seenBy(admin[who], i === 0 ? `gov-pn-${run}` : `gov-pna${i - 1}-${run}`);
        const approval = admin[who].submit('Approve', [JSON.stringify({ eventId: `gov-pna${i}-${run}`, proposalId: nested.txId })], GOV);
        // The approval that reaches the threshold enacts the change, and enactment refuses it.
        if (i === nestedApprovers.length - 1) expect(code(await approval.catch((e: unknown) => e))).toBe('COMMAND_INVALID');
        else await approval;
      }
    } finally {
      admin.distributor.close();
      admin.manufacturer.close();
      admin.dispenser.close();
    }
  });

  it('refuses a transaction dated before the pack\'s last change, and one far from the endorsers\' clocks', async () => {
    const serial = `T${run}`;
    await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `time-com-${run}`, gtin: GTIN, lot: `T${run}`, expiry: '2029-06-30', serials: [serial] })], TRACE);
    await settle(`time-com-${run}`);
    const backdated = await withClockShift(-120_000, () => l.manufacturer.submit('Quarantine', [JSON.stringify({ eventId: `time-q-${run}`, epcs: [sgtin(serial)], reason: 'damaged' })], TRACE).catch((e: unknown) => e));
    expect(code(backdated)).toBe('BACKDATED');
    const farPast = await withClockShift(-3_600_000, () => l.manufacturer.submit('Quarantine', [JSON.stringify({ eventId: `time-q2-${run}`, epcs: [sgtin(serial)], reason: 'damaged' })], TRACE).catch((e: unknown) => e));
    expect(code(farPast)).toBe('CLOCK_SKEW');
    const farFuture = await withClockShift(3_600_000, () => l.manufacturer.submit('Quarantine', [JSON.stringify({ eventId: `time-q3-${run}`, epcs: [sgtin(serial)], reason: 'damaged' })], TRACE).catch((e: unknown) => e));
    expect(code(farFuture)).toBe('CLOCK_SKEW');
    expect(decode(await l.distributor.evaluate('GetPack', [sgtin(serial)], TRACE))).toMatchObject({ overlays: [], pack: { status: 'commissioned', version: 1 } });
  });

  it('refuses another organisation\'s event ID instead of reporting it as a duplicate, and keeps the owner\'s receipt', async () => {
    const command = JSON.stringify({ eventId: `evid-${run}`, gtin: GTIN, lot: `V${run}`, expiry: '2029-06-30', serials: [`V${run}`] });
    await l.manufacturer.submit('Commission', [command], TRACE);
    await settle(`evid-${run}`, MSP.manufacturer);
    // The same command, byte for byte, from another organisation: not "duplicate: true", but judged as its own.
    const replay = await l.dispenser.submit('Commission', [command], TRACE).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(LedgerError);
    expect(code(replay)).toBe('ROLE_FORBIDDEN');
    const squat = await l.distributor.submit('Quarantine', [JSON.stringify({ eventId: `evid-${run}`, epcs: [sgtin(`V${run}`)], reason: 'suspect' })], TRACE).catch((e: unknown) => e);
    expect(code(squat)).toBe('NOT_CUSTODIAN');
    expect(decode(await l.distributor.evaluate('GetEventOf', [`evid-${run}`, MSP.manufacturer], TRACE))).toMatchObject({ actor: MSP.manufacturer, type: 'commission' });
    expect(code(await l.distributor.evaluate('GetEventOf', [`evid-${run}`, MSP.distributor], TRACE).catch((e: unknown) => e))).toBe('NOT_FOUND');
  });
});

/** Runs `fn` with this process's wall clock shifted, so the proposals it signs carry that time. */
async function withClockShift<T>(shiftMs: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + shiftMs);
      else super(...(args as [string]));
    }
    static override now(): number {
      return realNow() + shiftMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}
