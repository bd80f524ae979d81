import { randomBytes } from 'node:crypto';
import { Ledger, LedgerError } from '@pedigree/ledger';
import { sgtinToEpcUrn, type PackRecord } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, seenBy } from '../support/chaincode';
import { MSP, ROLES, Role, ledgerFor } from '../support/ledger';

/**
 * A real-world lot (10^5 packs) recalled in one transaction: one lot record that every command,
 * read and verification consults, and that packs commissioned into the lot afterwards inherit.
 * In its own folder because it leaves 100,000 packs on the ledger that every fresh read model
 * replays: `npm test` runs it last, after the fault suite (test/support/run-all.js).
 */
const { run } = runIds();
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);
const code = (e: unknown) => (e as LedgerError).chaincodeCode;
const ti = (n: number) => JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'Acme' }, buyer: { name: 'Continental' }, products: [{ ndc: NDC, quantity: n }], salt: randomBytes(16).toString('hex') });

/** The lot size; 100,000 unless a quicker local run asks for less. */
const LOT_SIZE = Number(process.env.PEDIGREE_RECALL_LOT_SIZE ?? 100_000);
const BATCH = 2000;

jest.setTimeout(900_000);

describe('a lot recall at real-world size', () => {
  const l = {} as Record<Role, Ledger>;
  const settle = async (eventId: string, submitter?: string) => {
    for (const role of ROLES) await seenBy(l[role], eventId, submitter);
  };
  beforeAll(async () => {
    for (const role of ROLES) l[role] = ledgerFor(role);
    // The product may already be registered by another suite on this ledger: a repeat is harmless.
    await l.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `scale-prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
    await settle(`scale-prod-${run}`);
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

});
