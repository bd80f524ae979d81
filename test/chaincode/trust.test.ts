import { randomBytes } from 'node:crypto';
import { Ledger, LedgerError } from '@pedigree/ledger';
import { sgtinToEpcUrn, type PackRecord } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, seenBy } from '../support/chaincode';
import { MSP, ROLES, Role, ledgerFor } from '../support/ledger';

/**
 * What the ledger refuses whoever asks: a lot recall is one record that every command, read and
 * verification consults (a 100,000-pack lot in one transaction, packs commissioned afterwards
 * flagged); transactions dated before a record's last change or far from the endorsers' clocks;
 * another organisation's event ID passed off as a duplicate.
 */
const { run } = runIds();
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);
const code = (e: unknown) => (e as LedgerError).chaincodeCode;
const ti = (n: number) => JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'Acme' }, buyer: { name: 'Continental' }, products: [{ ndc: NDC, quantity: n }], salt: randomBytes(16).toString('hex') });
/** The lot size of the recall case; 100,000 unless a quicker local run asks for less. */
const LOT_SIZE = Number(process.env.PEDIGREE_RECALL_LOT_SIZE ?? 100_000);
const BATCH = 2000;

jest.setTimeout(900_000);

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

  it(`recalls a ${LOT_SIZE.toLocaleString('en-US')}-pack lot in one transaction; its packs are refused at ship, dispense and verify; a pack commissioned later is flagged`, async () => {
    const lot = `BIG${run}`;
    const serial = (i: number) => `B${run}${String(i).padStart(6, '0')}`;
    const batches = Array.from({ length: Math.ceil(LOT_SIZE / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, LOT_SIZE - b * BATCH) }, (_, i) => serial(b * BATCH + i)));
    // Two batches of 2,000 in flight (each endorsement takes seconds on two cores): the lot is built before the recall.
    for (let b = 0; b < batches.length; b += 2) {
      await Promise.all(batches.slice(b, b + 2).map((serials, k) => l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `big-${run}-${b + k}`, gtin: GTIN, lot, expiry: '2029-06-30', serials })], { ...TRACE, timeoutMs: 180_000 })));
    }
    // Two packs of the lot go to the distributor (so a holder other than the manufacturer is affected) and on to the pharmacy.
    const held = [serial(0), serial(1)].map(sgtin);
    await settle(`big-${run}-0`);
    await l.manufacturer.submit('Ship', [JSON.stringify({ eventId: `big-ship-${run}`, to: MSP.distributor, epcs: held, statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(2) }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
    await settle(`big-ship-${run}`);
    await l.distributor.submit('Receive', [JSON.stringify({ eventId: `big-recv-${run}`, epcs: held })], TRACE);
    await settle(`big-recv-${run}`);
    await l.distributor.submit('Ship', [JSON.stringify({ eventId: `big-ship2-${run}`, to: MSP.dispenser, epcs: [held[0]], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(1) }, endorsingOrganizations: [MSP.distributor, MSP.dispenser] });
    await settle(`big-ship2-${run}`);
    await l.dispenser.submit('Receive', [JSON.stringify({ eventId: `big-recv2-${run}`, epcs: [held[0]] })], TRACE);
    await settle(`big-recv2-${run}`);

    const recall = await l.manufacturer.submit('RecallLot', [JSON.stringify({ eventId: `big-recall-${run}`, gtin: GTIN, lot, recallId: `RC-BIG-${run}` })], TRACE);
    expect(decode<{ changed: string[] }>(recall.payload).changed).toEqual([]);
    await settle(`big-recall-${run}`);

    const atDistributor = await l.distributor.submit('Ship', [JSON.stringify({ eventId: `big-ship3-${run}`, to: MSP.dispenser, epcs: [held[1]], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(1) }, endorsingOrganizations: [MSP.distributor, MSP.dispenser] }).catch((e: unknown) => e);
    expect(code(atDistributor)).toBe('ILLEGAL_TRANSITION');
    const atPharmacy = await l.dispenser.submit('Dispense', [JSON.stringify({ eventId: `big-disp-${run}`, epcs: [held[0]] })], TRACE).catch((e: unknown) => e);
    expect(code(atPharmacy)).toBe('ILLEGAL_TRANSITION');
    const atManufacturer = sgtin(serial(LOT_SIZE - 1));
    expect(code(await l.manufacturer.submit('Ship', [JSON.stringify({ eventId: `big-ship4-${run}`, to: MSP.distributor, epcs: [atManufacturer], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(1) }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] }).catch((e: unknown) => e))).toBe('ILLEGAL_TRANSITION');
    for (const role of ROLES) {
      expect(decode(await l[role].evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: serial(LOT_SIZE - 1) })], TRACE))).toMatchObject({ verified: true, additionalInfo: 'Recalled' });
      expect(decode(await l[role].evaluate('GetPack', [held[0]!], TRACE))).toMatchObject({ overlays: ['recalled'], sellable: false });
    }
    // Recall returns still travel up the chain.
    await l.dispenser.submit('Ship', [JSON.stringify({ eventId: `big-return-${run}`, to: MSP.distributor, purpose: 'return', epcs: [held[0]] })], { ...TRACE, endorsingOrganizations: [MSP.dispenser, MSP.distributor] });

    const late = await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `big-late-${run}`, gtin: GTIN, lot, expiry: '2029-06-30', serials: [`L${run}X`] })], TRACE);
    const lateEvent = decode<{ changed: string[] }>(late.payload);
    expect(lateEvent.changed).toEqual([sgtin(`L${run}X`)]);
    await settle(`big-late-${run}`);
    expect(decode<{ pack: PackRecord; overlays: string[] }>(await l.dispenser.evaluate('GetPack', [sgtin(`L${run}X`)], TRACE))).toMatchObject({ overlays: ['recalled'], pack: { recall: { recallId: `RC-BIG-${run}` } } });

    const again = await l.manufacturer.submit('RecallLot', [JSON.stringify({ eventId: `big-recall2-${run}`, gtin: GTIN, lot, recallId: `RC-BIG2-${run}` })], TRACE).catch((e: unknown) => e);
    expect(code(again)).toBe('ILLEGAL_TRANSITION');
    const byOther = await l.distributor.submit('RecallLot', [JSON.stringify({ eventId: `big-recall3-${run}`, gtin: GTIN, lot: `X${run}`, recallId: 'RC-X' })], TRACE).catch((e: unknown) => e);
    expect(code(byOther)).toBe('ROLE_FORBIDDEN');
  });

  it('lets no organisation alone give itself a role or a company prefix: governance needs a majority of the members\' admins', async () => {
    const admin = { distributor: ledgerFor('distributor', 'Admin'), manufacturer: ledgerFor('manufacturer', 'Admin') };
    const GOV = { contract: 'governance' } as const;
    try {
      const partner = decode<{ roles: string[]; name: string; glns: string[]; address: unknown; licence: unknown }>(await l.distributor.evaluate('GetPartner', [MSP.distributor], MASTER));
      const selfPromotion = { kind: 'admitPartner', partner: { mspId: MSP.distributor, name: partner.name, roles: ['wholesaler', 'dispenser'], glns: partner.glns, address: partner.address, licence: partner.licence } };
      // A user (not an admin) may not even propose.
      expect(code(await l.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-u-${run}`, change: selfPromotion })], GOV).catch((e: unknown) => e))).toBe('GOVERNANCE_FORBIDDEN');
      const proposed = decode<{ txId: string }>((await admin.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-p-${run}`, change: selfPromotion })], GOV)).payload);
      await seenBy(admin.distributor, `gov-p-${run}`);
      expect(code(await admin.distributor.submit('Approve', [JSON.stringify({ eventId: `gov-a-${run}`, proposalId: proposed.txId })], GOV).catch((e: unknown) => e))).toBe('GOVERNANCE_FORBIDDEN');
      expect(decode(await l.manufacturer.evaluate('GetProposal', [proposed.txId], GOV))).toMatchObject({ status: 'open', approvals: [MSP.distributor], threshold: 2 });
      expect(decode(await l.manufacturer.evaluate('GetPartner', [MSP.distributor], MASTER))).toMatchObject({ roles: ['wholesaler'] });
      // Still a wholesaler: dispensing is refused.
      expect(code(await l.distributor.submit('Dispense', [JSON.stringify({ eventId: `gov-d-${run}`, epcs: [sgtin(`none${run}`)] })], TRACE).catch((e: unknown) => e))).toBe('ROLE_FORBIDDEN');

      // A prefix for the distributor enacted by a majority: the manufacturer's admin approves.
      const prefix = `09${String(Date.now()).slice(-8)}`;
      const assign = decode<{ txId: string }>((await admin.distributor.submit('Propose', [JSON.stringify({ eventId: `gov-px-${run}`, change: { kind: 'assignPrefix', assignment: { prefix, mspId: MSP.distributor } } })], GOV)).payload);
      await seenBy(admin.manufacturer, `gov-px-${run}`);
      await admin.manufacturer.submit('Approve', [JSON.stringify({ eventId: `gov-pa-${run}`, proposalId: assign.txId })], GOV);
      expect(decode(await admin.manufacturer.evaluate('GetProposal', [assign.txId], GOV))).toMatchObject({ status: 'enacted', approvals: [MSP.distributor, MSP.manufacturer].sort() });
      // A nested prefix would put GTINs under two holders: refused at enactment.
      const nested = decode<{ txId: string }>((await admin.manufacturer.submit('Propose', [JSON.stringify({ eventId: `gov-pn-${run}`, change: { kind: 'assignPrefix', assignment: { prefix: `${prefix}1`, mspId: MSP.manufacturer } } })], GOV)).payload);
      await seenBy(admin.distributor, `gov-pn-${run}`);
      expect(code(await admin.distributor.submit('Approve', [JSON.stringify({ eventId: `gov-pna-${run}`, proposalId: nested.txId })], GOV).catch((e: unknown) => e))).toBe('COMMAND_INVALID');
    } finally {
      admin.distributor.close();
      admin.manufacturer.close();
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
