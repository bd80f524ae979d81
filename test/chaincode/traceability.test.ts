import { randomBytes } from 'node:crypto';
import { Ledger, LedgerError } from '@pedigree/ledger';
import { ndcToGtin14, sgtinToEpcUrn, withCheckDigit, type PackRecord } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, seenBy } from '../support/chaincode';
import { MSP, ROLES, Role, ledgerFor } from '../support/ledger';

/**
 * The whole DSCSA story on the real three-organisation network: master data, 1,000 packs
 * commissioned in batches, aggregated into cases and a pallet, shipped with private Transaction
 * Information, received by SSCC (contents inferred), shipped on to a pharmacy, verified and
 * dispensed; plus the refusals a reviewer checks. Unique lots, serials and SSCCs per run, so it
 * passes again on the same ledger.
 */
const { run, ssccOf: sscc } = runIds();
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);
const ti = (count: number, buyer: string) =>
  JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'Acme Pharma', address: '1 Lab Rd' }, buyer: { name: buyer }, products: [{ ndc: NDC, name: 'Examplamab 10 mg tablet', quantity: count, lot: `L${run}` }], invoice: `INV-${run}`, unitPrice: 12.5, salt: randomBytes(16).toString('hex') });
const chaincodeCode = (e: unknown) => (e as LedgerError).chaincodeCode;

jest.setTimeout(600_000);

describe('traceability chaincode on the real network', () => {
  const l = {} as Record<Role, Ledger>;
  const lot = `L${run}`;
  const serials = Array.from({ length: 1000 }, (_, i) => `S${run}${String(i).padStart(4, '0')}`);
  const cases = Array.from({ length: 10 }, (_, i) => sscc(i + 1));
  const pallet = sscc(99);

  beforeAll(() => {
    for (const role of ROLES) l[role] = ledgerFor(role);
  });
  /** Any peer may endorse the next step, so every peer must have committed this one. */
  const settle = async (eventId: string) => {
    for (const role of ROLES) await seenBy(l[role], eventId);
  };
  afterAll(() => {
    for (const role of ROLES) l[role].close();
  });

  it('registers the product (holder of its company prefix only); partners are the consortium\'s admitted members, not self-declared', async () => {
    await l.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
    await settle(`prod-${run}`);
    expect(decode(await l.dispenser.evaluate('GetPartner', [MSP.distributor], MASTER))).toMatchObject({ mspId: MSP.distributor, role: 'wholesaler', roles: ['wholesaler'] });
    expect(decode(await l.distributor.evaluate('GetProduct', [GTIN], MASTER))).toMatchObject({ manufacturer: MSP.manufacturer, companyPrefixLength: 7 });
  });

  it('refuses GTIN squatting: a distributor registering another company\'s unregistered GTIN, a manufacturer one outside its prefixes', async () => {
    const unregistered = ndcToGtin14('12345-999-01');
    const byDistributor = await l.distributor.submit('RegisterProduct', [JSON.stringify({ eventId: `squat-d-${run}`, gtin: unregistered, name: 'Squat', strength: '1', dosageForm: 'x', packSize: '1' })], MASTER).catch((e: unknown) => e);
    expect(chaincodeCode(byDistributor)).toBe('ROLE_FORBIDDEN');
    const foreign = withCheckDigit('0099999912345');
    const byManufacturer = await l.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `squat-m-${run}`, gtin: foreign, name: 'Squat', strength: '1', dosageForm: 'x', packSize: '1' })], MASTER).catch((e: unknown) => e);
    expect(chaincodeCode(byManufacturer)).toBe('PREFIX_NOT_HELD');
    for (const g of [unregistered, foreign]) expect(chaincodeCode(await l.dispenser.evaluate('GetProduct', [g], MASTER).catch((e: unknown) => e))).toBe('PRODUCT_UNKNOWN');
  });

  it('commissions 1,000 packs in batches of 250, and a repeated event ID is a no-op', async () => {
    for (let b = 0; b < 4; b++) {
      const r = decode<{ duplicate: boolean; changed: string[] }>((await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `com-${run}-${b}`, gtin: GTIN, lot, expiry: '2028-12-31', serials: serials.slice(b * 250, b * 250 + 250) })], TRACE)).payload);
      expect(r).toMatchObject({ duplicate: false });
      expect(r.changed).toHaveLength(250);
    }
    await settle(`com-${run}-3`);
    const again = decode<{ duplicate: boolean; changed: string[] }>((await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `com-${run}-0`, gtin: GTIN, lot, expiry: '2028-12-31', serials: serials.slice(0, 250) })], TRACE)).payload);
    expect(again).toMatchObject({ duplicate: true, changed: [] });
    const err = await l.distributor.submit('Commission', [JSON.stringify({ eventId: `com-d-${run}`, gtin: GTIN, lot, expiry: '2028-12-31', serials: [`X${run}`] })], TRACE).catch((e: unknown) => e);
    expect(chaincodeCode(err)).toBe('ROLE_FORBIDDEN');
  });

  it('packs 10 cases of 100 and a pallet of the cases', async () => {
    await Promise.all(cases.map((c, i) => l.manufacturer.submit('Pack', [JSON.stringify({ eventId: `pack-${run}-${i}`, parent: c, children: serials.slice(i * 100, i * 100 + 100).map(sgtin) })], TRACE)));
    for (let i = 0; i < cases.length; i++) await settle(`pack-${run}-${i}`);
    await l.manufacturer.submit('Pack', [JSON.stringify({ eventId: `pallet-${run}`, parent: pallet, children: cases })], TRACE);
    await settle(`pallet-${run}`);
    const contents = decode<{ total: number }>(await l.distributor.evaluate('GetContainerPacks', [pallet, '10', ''], TRACE));
    expect(contents.total).toBe(1000);
  });

  it('refuses a distributor shipping packs it does not own', async () => {
    const err = await l.distributor.submit('Ship', [JSON.stringify({ eventId: `steal-${run}`, to: MSP.dispenser, epcs: [pallet], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(1000, 'Pharmacy') }, endorsingOrganizations: [MSP.distributor, MSP.dispenser] }).catch((e: unknown) => e);
    expect(chaincodeCode(err)).toBe('NOT_OWNER');
  });

  it('ships the pallet with private TI, publishes one event with every changed record, and the distributor receives it by SSCC (SBE discovered by the gateway)', async () => {
    const shipped = await l.manufacturer.submit('Ship', [JSON.stringify({ eventId: `ship1-${run}`, to: MSP.distributor, epcs: [pallet], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(1000, 'Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
    const result = decode<{ changed: string[]; shipment: { ti: { sha256: string; collections: string[] } } }>(shipped.payload);
    expect(result.changed).toHaveLength(1011);
    expect(result.shipment.ti.collections).toEqual(['_implicit_org_ManufacturerMSP', '_implicit_org_DistributorMSP']);
    await settle(`ship1-${run}`);

    const events = l.dispenser.chaincodeEvents({ blockNumber: shipped.blockNumber });
    try {
      for await (const e of events) {
        if (e.transactionId !== shipped.transactionId) continue;
        const payload = decode<{ type: string; records: PackRecord[]; epcis: unknown[]; shipment: object }>(e.payload);
        expect(e.eventName).toBe('ship');
        expect(payload).toMatchObject({ type: 'ship', eventId: `ship1-${run}` });
        expect(payload.records).toHaveLength(1011);
        expect(JSON.stringify(payload)).not.toContain(`INV-${run}`);
        break;
      }
    } finally {
      events.close();
    }

    // No endorsingOrganizations: the gateway finds the in-transit key policy ((owner OR addressee) AND another) itself.
    const received = decode<{ receipt: { inferred: string[] } }>((await l.distributor.submit('Receive', [JSON.stringify({ eventId: `recv1-${run}`, epcs: [pallet] })], TRACE)).payload);
    expect(received.receipt.inferred).toHaveLength(1000);
    const state = decode<{ pack: PackRecord }>(await l.distributor.evaluate('GetPack', [sgtin(serials[0]!)], TRACE));
    expect(state.pack).toMatchObject({ owner: MSP.distributor, custodian: MSP.distributor, status: 'packed', completeness: 'inferred', owners: [MSP.manufacturer, MSP.distributor] });
  });

  it('keeps the Transaction Information private to the two partners, provable by its public hash', async () => {
    const mine = decode<{ matchesPublicHash: boolean; ti: { invoice: string } }>(await l.distributor.evaluate('GetTransactionInformation', [`ship1-${run}`], TRACE));
    expect(mine).toMatchObject({ matchesPublicHash: true, ti: { invoice: `INV-${run}` } });
    const err = await l.dispenser.evaluate('GetTransactionInformation', [`ship1-${run}`], TRACE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect(chaincodeCode(err)).toBe('TI_FORBIDDEN');
  });

  it('ships two cases on to the pharmacy, which receives, verifies and dispenses once', async () => {
    await l.distributor.submit('Unpack', [JSON.stringify({ eventId: `unpal-${run}`, parent: pallet })], TRACE);
    await settle(`unpal-${run}`);
    await settle(`recv1-${run}`);
    await l.distributor.submit('Ship', [JSON.stringify({ eventId: `ship2-${run}`, to: MSP.dispenser, epcs: cases.slice(0, 2), statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(200, 'Pharmacy') }, endorsingOrganizations: [MSP.distributor, MSP.dispenser] });
    await settle(`ship2-${run}`);
    const received = decode<{ receipt: { inferred: string[] } }>((await l.dispenser.submit('Receive', [JSON.stringify({ eventId: `recv2-${run}`, epcs: cases.slice(0, 2) })], TRACE)).payload);
    expect(received.receipt.inferred).toHaveLength(200);
    await settle(`recv2-${run}`);
    await l.dispenser.submit('Unpack', [JSON.stringify({ eventId: `uncase-${run}`, parent: cases[0] })], TRACE);
    await settle(`uncase-${run}`);

    const pack = sgtin(serials[0]!);
    const verify = decode<{ verified: boolean }>(await l.dispenser.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: serials[0], lot, expiry: '2028-12-31' })], TRACE));
    expect(verify).toMatchObject({ verified: true, status: 'received' });
    await l.dispenser.submit('Dispense', [JSON.stringify({ eventId: `disp-${run}`, epcs: [pack] })], TRACE);
    await settle(`disp-${run}`);
    await settle(`disp-${run}`);
    const after = decode<{ pack: PackRecord; sellable: boolean }>(await l.manufacturer.evaluate('GetPack', [pack], TRACE));
    expect(after).toMatchObject({ sellable: false, pack: { status: 'dispensed', owner: MSP.dispenser, owners: [MSP.manufacturer, MSP.distributor, MSP.dispenser] } });
    expect(decode(await l.distributor.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: serials[0] })], TRACE))).toMatchObject({ verified: false, verificationFailureReason: 'Not_for_re-distribution', status: 'dispensed' });

    const wholesaler = await l.distributor.submit('Dispense', [JSON.stringify({ eventId: `disp-w-${run}`, epcs: [sgtin(serials[500]!)] })], TRACE).catch((e: unknown) => e);
    expect(chaincodeCode(wholesaler)).toBe('ROLE_FORBIDDEN');
    const err = await l.dispenser.submit('Dispense', [JSON.stringify({ eventId: `disp2-${run}`, epcs: [pack] })], TRACE).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'chaincode', chaincodeCode: 'ILLEGAL_TRANSITION' });

    const history = decode<Array<{ pack: PackRecord }>>(await l.manufacturer.evaluate('GetPackHistory', [pack], TRACE));
    expect(history[0]!.pack.status).toBe('commissioned');
    expect(history.at(-1)!.pack.status).toBe('dispensed');
  });

  it('recalls a lot held by the distributor with one lot record (no holder endorsement) and reports it', async () => {
    const recallLot = `R${run}`;
    const rs = [`R${run}1`, `R${run}2`, `R${run}3`];
    await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `comR-${run}`, gtin: GTIN, lot: recallLot, expiry: '2028-12-31', serials: rs })], TRACE);
    await settle(`comR-${run}`);
    await l.manufacturer.submit('Ship', [JSON.stringify({ eventId: `shipR-${run}`, to: MSP.distributor, epcs: rs.map(sgtin), statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti(3, 'Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
    await settle(`shipR-${run}`);
    await l.distributor.submit('Receive', [JSON.stringify({ eventId: `recvR-${run}`, epcs: rs.map(sgtin) })], TRACE);
    await settle(`recvR-${run}`);
    const recalled = decode<{ changed: string[] }>((await l.manufacturer.submit('RecallLot', [JSON.stringify({ eventId: `recall-${run}`, gtin: GTIN, lot: recallLot, recallId: `RC-${run}` })], TRACE)).payload);
    // One lot record; no pack is written, so no holder's peer is needed.
    expect(recalled.changed).toEqual([]);
    await settle(`recall-${run}`);
    expect(decode(await l.dispenser.evaluate('GetPack', [sgtin(rs[0]!)], TRACE))).toMatchObject({ overlays: ['recalled'], sellable: false });
    expect(decode(await l.dispenser.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: rs[0] })], TRACE))).toMatchObject({ verified: true, additionalInfo: 'Recalled' });
    const lotView = decode<{ product: { manufacturer: string }; recall: { recallId: string }; packs: PackRecord[] }>(await l.dispenser.evaluate('GetLot', [GTIN, recallLot, '10', ''], TRACE));
    expect(lotView).toMatchObject({ product: { manufacturer: MSP.manufacturer }, recall: { recallId: `RC-${run}` } });
    expect(lotView.packs.map((p) => p.owners)).toEqual(rs.map(() => [MSP.manufacturer, MSP.distributor]));
  });

  it('reports an expired pack as expired', async () => {
    await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `comE-${run}`, gtin: GTIN, lot: `E${run}`, expiry: '2020-01-31', serials: [`E${run}`] })], TRACE);
    await settle(`comE-${run}`);
    expect(decode(await l.dispenser.evaluate('GetPack', [sgtin(`E${run}`)], TRACE))).toMatchObject({ overlays: ['expired'], sellable: false });
    expect(decode(await l.dispenser.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial: `E${run}` })], TRACE))).toMatchObject({ additionalInfo: 'Expired' });
  });

  it('lets exactly one of two concurrent submissions of one event ID take effect', async () => {
    const command = JSON.stringify({ eventId: `race-${run}`, gtin: GTIN, lot: `Q${run}`, expiry: '2028-12-31', serials: [`Q${run}`] });
    const outcomes = await Promise.allSettled([0, 1].map(() => l.manufacturer.submit('Commission', [command], { ...TRACE, conflictRetries: 0, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] })));
    const applied = outcomes.filter((o) => o.status === 'fulfilled' && !decode<{ duplicate: boolean }>(o.value.payload).duplicate);
    expect(applied).toHaveLength(1);
    // The loser fails at validation: MVCC_READ_CONFLICT when the winner committed in an earlier
    // block; ENDORSEMENT_POLICY_FAILURE when both landed in one block, because Fabric invalidates a
    // write to a key whose key-level policy a preceding transaction of the same block just set.
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(['conflict', 'policy']).toContain((o.reason as LedgerError).kind);
    }
  });
});
