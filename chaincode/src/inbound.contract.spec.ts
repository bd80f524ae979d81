import { createHash } from 'node:crypto';
import { checkReceipt, sgtinToEpcUrn, withCheckDigit, type ExceptionRecord, type PackRecord, type ShipmentRecord } from '@pedigree/domain';
import { ExceptionsContract } from './exceptions.contract';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, found, GTIN, lastEvent, MFR, NDC, submit, type Fn, useFakeLedgerClock, expectCode } from '../test/contract-fixtures';

/** ReceiveInbound / KeepInboundTi: a shipment from a non-member, and what an attacker would try with it. */
const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const fn = <K extends keyof TraceabilityContract>(k: K) => (traceability[k] as unknown as Fn).bind(traceability);

// 0361414 is no member's company prefix; 0312345 is the manufacturer's.
const OUTSIDE = withCheckDigit('0036141400001');
const outside = (serial: string) => sgtinToEpcUrn(OUTSIDE, serial);
const SELLER = withCheckDigit('036141400000');
const DIST_GLN = withCheckDigit('034567800000');
const DISP_GLN = withCheckDigit('035678900000');
const MFR_GLN = withCheckDigit('031234500000');
const TI = JSON.stringify({ transactionDate: '2026-03-01', seller: { gln: SELLER }, buyer: { msp: DIST }, products: [{ gtin: OUTSIDE, lot: 'L9', quantity: 2 }], salt: '00112233445566778899aabbccddeeff' });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const inbound = (over: Record<string, unknown> = {}) => ({
  eventId: 'in1', sellerGln: SELLER, sellerName: 'Outside Pharma', receiverGln: DIST_GLN, documentId: 'DOC-1', documentSha256: sha('the document'),
  packs: [{ epc: outside('A1'), lot: 'L9', expiry: '2028-06-30' }, { epc: outside('A2'), lot: 'L9', expiry: '2028-06-30' }],
  statement: { affirmed: true }, tiSha256: sha(TI), ...over,
});

describe('inbound shipments from non-members (fake stub)', () => {
  useFakeLedgerClock();

  it('records the receipt: the packs start as the receiver\'s, the document hash and the TI hash are public, the TI private', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    const written = await submit(ledger, DIST, fn('ReceiveInbound'), [inbound()]);
    expect(written).toMatchObject({ duplicate: false, type: 'receive', changed: [outside('A1'), outside('A2')] });
    const event = lastEvent(ledger);
    expect(event.records[0]).toMatchObject({ status: 'received', owner: DIST, custodian: DIST, owners: [`gln:${SELLER}`, DIST], manufacturer: `gln:${SELLER}`, lot: 'L9' });
    expect(event.shipment).toMatchObject({ id: 'in1', from: `gln:${SELLER}`, to: DIST, inbound: { documentId: 'DOC-1', documentSha256: sha('the document') }, ti: { sha256: sha(TI) } });
    expect(event.epcis[0]).toMatchObject({ bizStep: 'receiving', sourceList: expect.arrayContaining([{ type: 'owning_party', source: `https://id.gs1.org/417/${SELLER}` }]) });

    await expectCode(submit(ledger, DIST, fn('KeepInboundTi'), [{ eventId: 'k1', shipmentId: 'in1' }], { ti: TI.replace('L9', 'L8') }), 'COMMAND_INVALID');
    await expectCode(submit(ledger, DISP, fn('KeepInboundTi'), [{ eventId: 'k1', shipmentId: 'in1' }], { ti: TI }), 'TI_FORBIDDEN');
    await submit(ledger, DIST, fn('KeepInboundTi'), [{ eventId: 'k1', shipmentId: 'in1' }], { ti: TI });
    const kept = await evaluate<{ matchesPublicHash: boolean; ti: { products: unknown[] } }>(ledger, DIST, fn('GetTransactionInformation'), 'in1');
    expect(kept).toMatchObject({ matchesPublicHash: true, ti: { products: [{ gtin: OUTSIDE, quantity: 2 }] } });
    // The same document again is the same event: nothing is written twice.
    expect(await submit(ledger, DIST, fn('ReceiveInbound'), [inbound()])).toMatchObject({ duplicate: true });
  });

  it('the packs then live on: shipped to a member pharmacy, received, verified and dispensed', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    await submit(ledger, DIST, fn('ReceiveInbound'), [inbound()]);
    const saleTi = JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'D' }, buyer: { name: 'P' }, products: [{ gtin: OUTSIDE, quantity: 1 }], salt: '0123456789abcdef0123456789abcdef' });
    await submit(ledger, DIST, fn('Ship'), [{ eventId: 's1', to: DISP, epcs: [outside('A1')], statement: { affirmed: true } }], { ti: saleTi });
    await submit(ledger, DISP, fn('Receive'), [{ eventId: 'r1', epcs: [outside('A1')] }]);
    const verified = await evaluate<{ verified: boolean }>(ledger, DISP, fn('VerifyPack'), JSON.stringify({ gtin: OUTSIDE, serial: 'A1', lot: 'L9', expiry: '2028-06-30' }));
    expect(verified.verified).toBe(true);
    await submit(ledger, DISP, fn('Dispense'), [{ eventId: 'd1', epcs: [outside('A1')] }]);
    const pack = (lastEvent(ledger).records[0] as PackRecord);
    expect(pack).toMatchObject({ status: 'dispensed', owners: [`gln:${SELLER}`, DIST, DISP] });
  });

  it('records the load\'s case as the receiver\'s, sealed with its packs: shipped on sealed, received and unpacked like a member\'s case', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    const CASE = 'urn:epc:id:sscc:0361414.1000000001';
    const loose = { epc: outside('A3'), lot: 'L9', expiry: '2028-06-30' };
    await submit(ledger, DIST, fn('ReceiveInbound'), [inbound({ packs: [...inbound().packs, loose], containers: [{ id: CASE, children: [outside('A1'), outside('A2')] }] })]);
    const event = lastEvent(ledger);
    expect(event.records.find((r) => r.id === CASE)).toMatchObject({ docType: 'container', children: [outside('A1'), outside('A2')], sealed: true, status: 'packed', owner: DIST, custodian: DIST });
    expect(event.records.find((r) => r.id === outside('A1'))).toMatchObject({ parent: CASE, status: 'received' });
    expect(event.shipment).toMatchObject({ epcs: [CASE, outside('A3')] });
    expect(event.epcis[0]).toMatchObject({ epcList: [CASE, outside('A3')] });

    const saleTi = JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'D' }, buyer: { name: 'P' }, products: [{ gtin: OUTSIDE, quantity: 2 }], salt: '0123456789abcdef0123456789abcdef' });
    await submit(ledger, DIST, fn('Ship'), [{ eventId: 's1', to: DISP, epcs: [CASE], statement: { affirmed: true } }], { ti: saleTi });
    await submit(ledger, DISP, fn('Receive'), [{ eventId: 'r1', epcs: [CASE] }]);
    await submit(ledger, DISP, fn('Unpack'), [{ eventId: 'u1', parent: CASE }]);
    const unpacked = lastEvent(ledger);
    expect(unpacked.records.find((r) => r.id === CASE)).toMatchObject({ status: 'unpacked', owner: DISP });
    expect(unpacked.records.find((r) => r.id === outside('A2'))).toMatchObject({ owner: DISP, owners: [`gln:${SELLER}`, DIST, DISP] });
  });

  it.each([
    ['a child outside the load', [{ id: 'urn:epc:id:sscc:0361414.1000000001', children: [outside('Z9')] }]],
    ['a pack in two cases', [{ id: 'urn:epc:id:sscc:0361414.1000000001', children: [outside('A1')] }, { id: 'urn:epc:id:sscc:0361414.1000000002', children: [outside('A1')] }]],
    ['a case inside itself', [{ id: 'urn:epc:id:sscc:0361414.1000000001', children: ['urn:epc:id:sscc:0361414.1000000001'] }]],
    ['a pack where a case is expected', [{ id: outside('A1'), children: [outside('A2')] }]],
  ])('refuses a load whose aggregation does not add up (%s) and records nothing', async (_what, containers) => {
    const ledger = new FakeLedger();
    await found(ledger);
    const before = ledger.events.length;
    await expectCode(submit(ledger, DIST, fn('ReceiveInbound'), [inbound({ containers })]), 'COMMAND_INVALID');
    expect(ledger.events.length).toBe(before);
  });

  it('a receipt under findings holds its packs in the same transaction; the exceptions name the non-member seller, whose answer the receiver records', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    const exceptions = new ExceptionsContract();
    const ex = (k: keyof ExceptionsContract) => (exceptions[k] as unknown as Fn).bind(exceptions);
    await submit(ledger, DIST, fn('ReceiveInbound'), [inbound({ hold: { epcs: [outside('A1'), outside('A2')], reason: 'no_pedigree_match' } })]);
    const received = lastEvent(ledger);
    expect(received.records.map((r) => (r as PackRecord).quarantine?.reason)).toEqual(['no_pedigree_match', 'no_pedigree_match']);
    expect(received.epcis[1]).toMatchObject({ epcList: [outside('A1'), outside('A2')] });

    const seller = `gln:${SELLER}`;
    const shipped = { shipmentId: 'in1', seller, addressee: DIST, epcs: [outside('A1'), outside('A2')], containers: [], packs: ['A1', 'A2'].map((s) => ({ id: outside(s), gtin: OUTSIDE, lot: 'L9', expiry: '2028-06-30' as const })), ti: [{ gtin: OUTSIDE, quantity: 3 }] };
    const findings = checkReceipt(shipped, { receiver: DIST, presented: shipped.epcs, scanned: [], brokenSeals: [], masterData: [OUTSIDE] });
    expect(findings.map((f) => f.rule)).toEqual(['quantity_differs_from_ti']);
    await submit(ledger, DIST, ex('RaiseExceptions'), [{ eventId: 'in1:exceptions', findings, refer: true }]);
    const [raised] = lastEvent(ledger).exceptions as ExceptionRecord[];
    expect(raised).toMatchObject({ seller, receiver: DIST, state: 'waiting_on_partner', held: [outside('A1'), outside('A2')] });

    // The seller has no identity on the ledger: the receiver records its corrected TI, re-checked clean.
    await submit(ledger, DIST, ex('AnswerException'), [{ eventId: 'a1', exceptionId: raised!.id, correction: { ti: [{ gtin: OUTSIDE, quantity: 2 }] }, note: 'corrected ASN' }]);
    expect((lastEvent(ledger).exceptions as ExceptionRecord[])[0]).toMatchObject({ state: 'resolved_by_correction' });
    await submit(ledger, DIST, ex('CloseException'), [{ eventId: 'c1', exceptionId: raised!.id }]);
    expect(lastEvent(ledger).records.map((r) => (r as PackRecord).quarantine)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a member\'s GTIN (under its company prefix)', { packs: [{ epc: sgtinToEpcUrn(GTIN, 'Z1'), lot: 'L1', expiry: '2028-12-31' }] }, 'INBOUND_MEMBER_PRODUCT'],
    ['a member as the seller', { sellerGln: MFR_GLN }, 'INBOUND_FROM_MEMBER'],
    ['a document addressed to another member', { receiverGln: DISP_GLN }, 'NOT_ADDRESSEE'],
    ['a Transaction Statement not affirmed', { statement: { affirmed: false } }, 'COMMAND_INVALID'],
    ['a pack listed twice', { packs: [{ epc: outside('A1'), lot: 'L9', expiry: '2028-06-30' }, { epc: outside('A1'), lot: 'L9', expiry: '2028-06-30' }] }, 'COMMAND_INVALID'],
    ['a lot a barcode cannot carry', { packs: [{ epc: outside('A1'), lot: 'L 9 ∞', expiry: '2028-06-30' }] }, 'COMMAND_INVALID'],
    ['a container where packs are expected', { packs: [{ epc: 'urn:epc:id:sscc:0361414.1000000001', lot: 'L9', expiry: '2028-06-30' }] }, 'COMMAND_INVALID'],
  ])('refuses %s and records nothing', async (_what, over, code) => {
    const ledger = new FakeLedger();
    await found(ledger);
    const before = ledger.events.length;
    await expectCode(submit(ledger, DIST, fn('ReceiveInbound'), [inbound(over)]), code);
    expect(ledger.events.length).toBe(before);
  });

  it('refuses a member\'s registered product, and serials already on the ledger (no take-over by a second receiver)', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    await submit(ledger, MFR, masterdata.RegisterProduct.bind(masterdata) as Fn, [{ eventId: 'p1', ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' }]);
    await expectCode(submit(ledger, DIST, fn('ReceiveInbound'), [inbound({ packs: [{ epc: sgtinToEpcUrn(GTIN, 'Q1'), lot: 'L1', expiry: '2028-12-31' }] })]), 'INBOUND_MEMBER_PRODUCT');
    await submit(ledger, DIST, fn('ReceiveInbound'), [inbound()]);
    await expectCode(submit(ledger, DISP, fn('ReceiveInbound'), [inbound({ eventId: 'in2', receiverGln: DISP_GLN })]), 'ALREADY_COMMISSIONED');
    const shipment = await evaluate<ShipmentRecord | { records: ShipmentRecord[] }>(ledger, DIST, fn('GetTransactionInformation'), 'in1').catch((e: Error) => e.message);
    expect(String(JSON.stringify(shipment))).toMatch(/NOT_FOUND|no Transaction Information/);
  });
});
