import { common, msp } from '@hyperledger/fabric-protos';
import { ndcToGtin14, ssccToEpcUrn, withCheckDigit, type PackRecord } from '@pedigree/domain';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';
import type { TraceabilityEvent, WriteResult } from '@pedigree/domain';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, found, gov, GTIN, lastEvent, member, MFR, NDC, sgtin, submit, type Fn, useFakeLedgerClock, expectCode } from '../test/contract-fixtures';

const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const sscc = (ref: string) => ssccToEpcUrn(withCheckDigit(`00312345${ref.padStart(9, '0')}`));
const ti = (n: number) => JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'M' }, buyer: { name: 'D' }, products: [{ ndc: NDC, quantity: n, lot: 'L1' }], invoice: 'INV-1', unitPrice: 12.5, salt: '0123456789abcdef0123456789abcdef' });

async function setUp(ledger: FakeLedger, serials: string[]): Promise<void> {
  await found(ledger);
  await submit(ledger, MFR, masterdata.RegisterProduct.bind(masterdata) as Fn, [{ eventId: 'p1', ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' }]);
  await submit(ledger, MFR, traceability.Commission.bind(traceability) as Fn, [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials }]);
}

/** Eight packs commissioned, in two sealed cases of four on a sealed pallet (SSCC serial references `refs`). */
async function palletOfTwoCases(refs: [string, string, string]): Promise<{ ledger: FakeLedger; serials: string[]; case1: string; case2: string; pallet: string }> {
  const ledger = new FakeLedger();
  const serials = Array.from({ length: 8 }, (_, i) => `S${i}`);
  await setUp(ledger, serials);
  const [case1, case2, pallet] = refs.map(sscc) as [string, string, string];
  const pack = (traceability.Pack as unknown as Fn).bind(traceability);
  await submit(ledger, MFR, pack, [{ eventId: 'k1', parent: case1, children: serials.slice(0, 4).map(sgtin) }]);
  await submit(ledger, MFR, pack, [{ eventId: 'k2', parent: case2, children: serials.slice(4).map(sgtin) }]);
  await submit(ledger, MFR, pack, [{ eventId: 'k3', parent: pallet, children: [case1, case2] }]);
  return { ledger, serials, case1, case2, pallet };
}

/** Whether peers of `orgs` (one signature each) satisfy a key's policy, evaluated as Fabric's cauthdsl does. */
function satisfiedBy(ledger: FakeLedger, id: string, orgs: string[]): boolean {
  const serial = id.split('.').pop() as string;
  const key = [...ledger.validationParameters.keys()].find((k) => k.startsWith('\u0000pack\u0000') && k.endsWith(`\u0000${serial}\u0000`)) as string;
  const env = common.SignaturePolicyEnvelope.deserializeBinary(ledger.validationParameters.get(key) as Uint8Array);
  const principals = env.getIdentitiesList().map((p) => msp.MSPRole.deserializeBinary(p.getPrincipal_asU8()).getMspIdentifier());
  const evaluate = (rule: common.SignaturePolicy, used: boolean[]): boolean => {
    if (rule.hasSignedBy()) {
      const i = orgs.findIndex((o, k) => !used[k] && o === principals[rule.getSignedBy()]);
      if (i < 0) return false;
      used[i] = true;
      return true;
    }
    const n = rule.getNOutOf() as common.SignaturePolicy.NOutOf;
    let verified = 0;
    for (const r of n.getRulesList()) {
      const trial = [...used];
      if (evaluate(r, trial)) {
        verified++;
        trial.forEach((u, k) => (used[k] = u));
      }
    }
    return verified >= n.getN();
  };
  return evaluate(env.getRule() as common.SignaturePolicy, orgs.map(() => false));
}

describe('TraceabilityContract (fake stub)', () => {
  useFakeLedgerClock();
  const fn = <K extends keyof TraceabilityContract>(k: K) => (traceability[k] as unknown as Fn).bind(traceability);

  it('commissions a batch: one record per serial, lot index, owner-only key policy, one event with every record', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1', 'A2', 'A3']);
    const event = lastEvent(ledger);
    expect(event).toMatchObject({ schema: 'pedigree.traceability', version: 1, type: 'commission', eventId: 'c1', actor: MFR });
    expect(event.records.map((r) => r.id)).toEqual([sgtin('A1'), sgtin('A2'), sgtin('A3')]);
    expect(event.epcis[0]).toMatchObject({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning' });
    expect(event.epcis[0]!.eventID).toMatch(/^ni:\/\/\/sha-256;/);
    // At rest: the owner's peer AND another member's; never one organisation alone.
    expect([[MFR], [DIST], [MFR, DIST], [MFR, DISP], [DIST, DISP]].map((o) => satisfiedBy(ledger, sgtin('A1'), o))).toEqual([false, false, true, true, false]);
    const lot = await evaluate<{ packs: PackRecord[]; product: { manufacturer: string } }>(ledger, DISP, fn('GetLot'), GTIN, 'L1', '2', '');
    expect(lot.product.manufacturer).toBe(MFR);
    expect(lot.packs).toHaveLength(2);
  });

  it('refuses commissioning by anyone but the product manufacturer, and unknown products', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    await expectCode(submit(ledger, DIST, fn('Commission'), [{ eventId: 'c2', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['B1'] }]), 'ROLE_FORBIDDEN');
    await expectCode(submit(ledger, MFR, fn('Commission'), [{ eventId: 'c3', gtin: ndcToGtin14('12345-999-90'), lot: 'L1', expiry: '2028-12-31', serials: ['B1'] }]), 'PRODUCT_UNKNOWN');
    await expectCode(submit(ledger, MFR, fn('Commission'), [{ eventId: 'c4', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A1'] }]), 'ALREADY_COMMISSIONED');
  });

  it('is idempotent per event ID: same content is a no-op that says so, other content is refused', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    const before = ledger.events.length;
    const again = await submit(ledger, MFR, fn('Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A1'] }]);
    expect(again).toMatchObject({ duplicate: true, eventId: 'c1', changed: [] });
    expect(ledger.events.length).toBe(before);
    await expectCode(submit(ledger, MFR, fn('Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A9'] }]), 'DUPLICATE_EVENT');
    // A colleague's retry of the same event is the same event: who submitted is not what was submitted.
    expect(await submit(ledger, MFR, fn('Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A1'], submittedBy: 'someone-else' }])).toMatchObject({ duplicate: true });
  });

  it('records who caused each event: the person the organisation attests, and the signing identity', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    await submit(ledger, MFR, fn('Quarantine'), [{ eventId: 'q1', epcs: [sgtin('A1')], reason: 'damaged', submittedBy: 'qa-officer-7' }]);
    const event = JSON.parse(Buffer.from(ledger.events.at(-1)!.payload).toString('utf8'));
    expect(event).toMatchObject({ submittedBy: 'qa-officer-7', signer: expect.stringContaining(`User1@${MFR}`) });
    await expectCode(submit(ledger, MFR, fn('Release'), [{ eventId: 'r1', epcs: [sgtin('A1')], submittedBy: ' \u0000' }]), 'COMMAND_INVALID');
  });

  it('runs the whole story: pack, pallet, ship with private TI, receive by SSCC, ship on, dispense once', async () => {
    const { ledger, serials, case1, case2, pallet } = await palletOfTwoCases(['1', '2', '3']);

    await expectCode(submit(ledger, MFR, fn('Ship'), [{ eventId: 's0', to: DIST, epcs: [pallet], statement: { affirmed: true } }]), 'COMMAND_INVALID');
    await expectCode(submit(ledger, DIST, fn('Ship'), [{ eventId: 's0', to: DISP, epcs: [pallet], statement: { affirmed: true } }], { ti: ti(8) }), 'NOT_OWNER');
    const shipped = await submit(ledger, MFR, fn('Ship'), [{ eventId: 's1', to: DIST, epcs: [pallet], statement: { affirmed: true } }], { ti: ti(8) });
    expect(shipped.changed).toHaveLength(11);
    expect(shipped.shipment).toMatchObject({ from: MFR, to: DIST, ti: { collections: [`_implicit_org_${MFR}`, `_implicit_org_${DIST}`] } });
    expect(JSON.stringify(lastEvent(ledger))).not.toContain('INV-1');
    // In transit: (shipper OR addressee) AND another member.
    expect([[MFR], [DIST], [DISP], [MFR, DIST], [DIST, DISP], [MFR, DISP]].map((o) => satisfiedBy(ledger, sgtin('S0'), o))).toEqual([false, false, false, true, true, true]);

    const information = await evaluate<{ matchesPublicHash: boolean; ti: { invoice: string } }>(ledger, DIST, fn('GetTransactionInformation'), 's1');
    expect(information).toMatchObject({ matchesPublicHash: true, ti: { invoice: 'INV-1' } });
    await expectCode(evaluate(ledger, DISP, fn('GetTransactionInformation'), 's1'), 'TI_FORBIDDEN');

    await expectCode(submit(ledger, DISP, fn('Receive'), [{ eventId: 'r0', epcs: [pallet] }]), 'NOT_ADDRESSEE');
    const received = await submit(ledger, DIST, fn('Receive'), [{ eventId: 'r1', epcs: [pallet.replace(/^.*:/, '')].map(() => pallet) }]);
    expect(received.receipt?.inferred).toHaveLength(8);
    // The pallet and its cases carried the shipment and the receipt: no pack key was written. Inside
    // a container a pack's key asks two members' peers; the container's own key (its holder AND
    // another member) vouches for the moves it carries.
    expect(lastEvent(ledger).records).toHaveLength(11);
    const s0Key = [...ledger.history.keys()].find((k) => k.startsWith('\u0000pack\u0000') && k.endsWith('\u0000S0\u0000')) as string;
    expect(ledger.history.get(s0Key)).toHaveLength(2); // commissioned, packed
    expect([[DIST], [MFR, DISP], [DIST, DISP]].map((o) => satisfiedBy(ledger, sgtin('S0'), o))).toEqual([false, true, true]);
    // No site asked for: the receiver's first admitted site.
    expect(lastEvent(ledger).epcis[0]).toMatchObject({ bizStep: 'receiving', persistentDisposition: { set: ['completeness_inferred'] }, bizLocation: { id: 'urn:epc:id:sgln:0345678.00000.0' } });
    // The records keep no site nobody asked for (planning groups stock by it).
    expect(lastEvent(ledger).records.find((r) => r.id === sgtin('S0'))?.site).toBeUndefined();

    await submit(ledger, DIST, fn('Unpack'), [{ eventId: 'u1', parent: pallet }]);
    await submit(ledger, DIST, fn('Ship'), [{ eventId: 's2', to: DISP, toSite: 'urn:epc:id:sgln:0356789.00000.DOCK', epcs: [case1], statement: { affirmed: true } }], { ti: ti(4) });
    // A receipt names one of the receiver's own sites (issue 18): another organisation's is refused and changes nothing.
    await expectCode(submit(ledger, DISP, fn('Receive'), [{ eventId: 'r2', epcs: [case1], site: 'urn:epc:id:sgln:0345678.00000.0' }]), 'SITE_NOT_HELD');
    await submit(ledger, DISP, fn('Receive'), [{ eventId: 'r2', epcs: [case1], scanned: serials.slice(0, 4).map(sgtin), site: 'urn:epc:id:sgln:0356789.00000.FRIDGE1' }]);
    expect(lastEvent(ledger).epcis[0]).toMatchObject({ bizLocation: { id: 'urn:epc:id:sgln:0356789.00000.FRIDGE1' }, readPoint: { id: 'urn:epc:id:sgln:0356789.00000.FRIDGE1' } });
    expect(lastEvent(ledger).records.find((r) => r.id === sgtin('S0'))).toMatchObject({ site: 'urn:epc:id:sgln:0356789.00000.FRIDGE1' });
    await submit(ledger, DISP, fn('Unpack'), [{ eventId: 'u2', parent: case1 }]);
    await submit(ledger, DIST, fn('Ship'), [{ eventId: 's3', to: DISP, toSite: 'urn:epc:id:sgln:0356789.00000.DOCK', epcs: [case2], statement: { affirmed: true } }], { ti: ti(4) });
    await submit(ledger, DISP, fn('Receive'), [{ eventId: 'r3', epcs: [case2] }]);
    // No site asked for: the ship-to the seller named, since it is one of the receiver's.
    expect(lastEvent(ledger).epcis[0]).toMatchObject({ bizLocation: { id: 'urn:epc:id:sgln:0356789.00000.DOCK' } });
    await submit(ledger, DISP, fn('Dispense'), [{ eventId: 'd1', epcs: [sgtin('S0')] }]);

    const state = await evaluate<{ pack: PackRecord; sellable: boolean }>(ledger, MFR, fn('GetPack'), sgtin('S0'));
    expect(state.pack).toMatchObject({ status: 'dispensed', owner: DISP, owners: [MFR, DIST, DISP] });
    await expectCode(submit(ledger, DISP, fn('Dispense'), [{ eventId: 'd2', epcs: [sgtin('S0')] }]), 'ILLEGAL_TRANSITION');
    const verify = await evaluate<{ verified: boolean; verificationFailureReason: string }>(ledger, DIST, fn('VerifyPack'), JSON.stringify({ gtin: GTIN, serial: 'S0', lot: 'L1' }));
    expect(verify).toMatchObject({ verified: false, verificationFailureReason: 'Not_for_re-distribution' });

    const history = await evaluate<Array<{ pack: PackRecord }>>(ledger, DISP, fn('GetPackHistory'), sgtin('S0'));
    expect(history.map((h) => h.pack.status)).toEqual(['commissioned', 'packed', 'shipped', 'packed', 'shipped', 'packed', 'received', 'dispensed']);
    // The four carried versions come from the case's key, each with the transaction that carried it.
    expect(history.map((h) => h.pack.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(history.map((h) => (h as unknown as { txId: string }).txId)).size).toBe(8);
    expect(history[4]?.pack).toMatchObject({ status: 'shipped', owner: DIST, shipment: { from: DIST, to: DISP, via: case1 } });
    const contents = await evaluate<{ total: number; packs: PackRecord[]; bookmark: string }>(ledger, DIST, fn('GetContainerPacks'), case2, '3', '');
    expect(contents).toMatchObject({ total: 4, bookmark: '3' });
  });

  it('moves a sealed pallet as one record: every read answers what the events published; a hold at receipt materialises that case only', async () => {
    const { ledger, serials, pallet } = await palletOfTwoCases(['11', '12', '13']);
    const published = new Map<string, unknown>();
    const remember = () => lastEvent(ledger).records.forEach((r) => published.set(r.id, r));
    await submit(ledger, MFR, fn('Ship'), [{ eventId: 's1', to: DIST, epcs: [pallet], statement: { affirmed: true } }], { ti: ti(8) });
    remember();
    await submit(ledger, MFR, fn('VoidShipping'), [{ eventId: 'v1', epcs: [pallet] }]);
    remember();
    await submit(ledger, MFR, fn('Ship'), [{ eventId: 's2', to: DIST, epcs: [pallet], statement: { affirmed: true } }], { ti: ti(8) });
    remember();
    await submit(ledger, DIST, fn('Receive'), [{ eventId: 'r1', epcs: [pallet], hold: { epcs: [sgtin('S5')], reason: 'damaged' } }]);
    remember();
    const keyVersions = (serial: string) => ledger.history.get([...ledger.history.keys()].find((k) => k.startsWith('\u0000pack\u0000') && k.endsWith(`\u0000${serial}\u0000`)) as string)?.length;
    // case1 carried all four moves; case2's packs materialised when one of them was held.
    expect(serials.map(keyVersions)).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    for (const serial of serials) {
      const { pack } = await evaluate<{ pack: PackRecord }>(ledger, DIST, fn('GetPack'), sgtin(serial));
      expect(pack).toEqual(published.get(sgtin(serial)));
    }
    const contents = await evaluate<{ packs: PackRecord[] }>(ledger, DIST, fn('GetContainerPacks'), pallet, '100', '');
    expect(contents.packs).toEqual(serials.map((s) => published.get(sgtin(s))));
    expect((await evaluate<{ pack: PackRecord }>(ledger, DIST, fn('GetPack'), sgtin('S5'))).pack).toMatchObject({ owner: DIST, quarantine: { reason: 'damaged' }, version: 7 });
    const history = await evaluate<Array<{ pack: PackRecord }>>(ledger, DIST, fn('GetPackHistory'), sgtin('S0'));
    expect(history.map((h) => [h.pack.version, h.pack.status])).toEqual([[1, 'commissioned'], [2, 'packed'], [3, 'shipped'], [4, 'packed'], [5, 'shipped'], [6, 'packed']]);
    expect(history[5]?.pack).toEqual(published.get(sgtin('S0')));
  });

  it('recalls a lot wherever its packs are, reports recalled and expired packs, and blocks their dispensing', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1', 'A2']);
    await submit(ledger, MFR, fn('Commission'), [{ eventId: 'c-old', gtin: GTIN, lot: 'OLD', expiry: '2020-01-31', serials: ['E1'] }]);
    await expectCode(submit(ledger, DIST, fn('RecallLot'), [{ eventId: 'x0', gtin: GTIN, lot: 'L1', recallId: 'R-1' }]), 'ROLE_FORBIDDEN');
    const recall = await submit(ledger, MFR, fn('RecallLot'), [{ eventId: 'x1', gtin: GTIN, lot: 'L1', recallId: 'R-1' }]);
    // One lot record, no pack written; packs commissioned into the lot later are born recalled.
    expect(recall.changed).toEqual([]);
    expect(lastEvent(ledger)).toMatchObject({ type: 'recall', records: [], lot: { gtin: GTIN, lot: 'L1', recallId: 'R-1' } });
    await submit(ledger, MFR, fn('Commission'), [{ eventId: 'c-late', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A3'] }]);
    expect((await evaluate<{ overlays: string[] }>(ledger, DISP, fn('GetPack'), sgtin('A3'))).overlays).toEqual(['recalled']);
    expect((await evaluate<{ overlays: string[] }>(ledger, DISP, fn('GetPack'), sgtin('A1'))).overlays).toEqual(['recalled']);
    expect((await evaluate<{ overlays: string[] }>(ledger, DISP, fn('GetPack'), sgtin('E1'))).overlays).toEqual(['expired']);
    expect(await evaluate(ledger, DISP, fn('VerifyPack'), JSON.stringify({ gtin: GTIN, serial: 'E1' }))).toMatchObject({ verified: true, additionalInfo: 'Expired' });
    await expectCode(submit(ledger, MFR, fn('Ship'), [{ eventId: 's1', to: DIST, epcs: [sgtin('A1')], statement: { affirmed: true } }], { ti: ti(1) }), 'ILLEGAL_TRANSITION');
  });

  it('refuses shipping to an unregistered or unlicensed partner', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    await expectCode(submit(ledger, MFR, fn('Ship'), [{ eventId: 's1', to: 'NobodyMSP', epcs: [sgtin('A1')], statement: { affirmed: true } }], { ti: ti(1) }), 'PARTNER_UNKNOWN');
    const lapse = await submit(ledger, MFR, gov('Propose'), [{ eventId: 'g-lapse', change: { kind: 'admitPartner', partner: member(DIST, '034567800000', ['wholesaler'], '2020-01-01') } }], undefined, true);
    await submit(ledger, DISP, gov('Approve'), [{ eventId: 'g-lapse2', proposalId: lapse.txId }], undefined, true);
    await expectCode(submit(ledger, MFR, fn('Ship'), [{ eventId: 's2', to: DIST, epcs: [sgtin('A1')], statement: { affirmed: true } }], { ti: ti(1) }), 'PARTNER_UNLICENSED');
  });

  it('produces byte-identical writes and events on two endorsers (determinism)', async () => {
    const outputs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ledger = new FakeLedger();
      await setUp(ledger, ['A1', 'A2']);
      outputs.push(JSON.stringify([...ledger.state.entries()].map(([k, v]) => [k, Buffer.from(v).toString('hex')])) + Buffer.from(ledger.events.at(-1)!.payload).toString('hex'));
    }
    expect(outputs[0]).toBe(outputs[1]);
  });

  it('captures a document in one transaction: parts apply in order over each other, or none does', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    const case1 = sscc('7');
    const parts = [
      { transaction: 'Commission', command: { eventId: 'e1', gtin: GTIN, lot: 'L2', expiry: '2028-12-31', serials: ['B1', 'B2'] } },
      // Packs what the part before commissioned: the second part reads the first one's writes.
      { transaction: 'Pack', command: { eventId: 'e2', parent: case1, children: [sgtin('B1'), sgtin('B2')] } },
    ];
    const events = ledger.events.length;
    const first = await submit(ledger, MFR, fn('Capture'), [{ eventId: 'doc-1', commands: parts }]) as unknown as { results: WriteResult[] };
    expect(first.results.map((r) => [r.eventId, r.duplicate, r.changed.length])).toEqual([['e1', false, 2], ['e2', false, 3]]);
    expect(ledger.events.length).toBe(events + 1);
    const batch = JSON.parse(Buffer.from(ledger.events.at(-1)!.payload).toString('utf8'));
    expect(ledger.events.at(-1)!.name).toBe('capture');
    expect(batch).toMatchObject({ schema: 'pedigree.traceability.batch', eventId: 'doc-1', actor: MFR });
    expect(batch.events.map((e: TraceabilityEvent) => [e.type, e.eventId])).toEqual([['commission', 'e1'], ['pack', 'e2']]);
    expect((await evaluate<{ pack: PackRecord }>(ledger, MFR, fn('GetPack'), sgtin('B1'))).pack).toMatchObject({ status: 'packed', parent: case1 });

    // Sent again: every part is a duplicate, nothing is written, no event.
    const again = await submit(ledger, MFR, fn('Capture'), [{ eventId: 'doc-1', commands: parts }]) as unknown as { results: WriteResult[] };
    expect(again.results.map((r) => r.duplicate)).toEqual([true, true]);
    expect(ledger.events.length).toBe(events + 1);

    // A refusal in the second part refuses the first too, naming the part.
    const refused = [
      { transaction: 'Commission', command: { eventId: 'e3', gtin: GTIN, lot: 'L2', expiry: '2028-12-31', serials: ['C1'] } },
      { transaction: 'Pack', command: { eventId: 'e4', parent: sscc('8'), children: [sgtin('C1'), sgtin('NEVER')] } },
    ];
    await expect(submit(ledger, MFR, fn('Capture'), [{ eventId: 'doc-2', commands: refused }])).rejects.toThrow(/^NOT_COMMISSIONED: commands\[1\] \(Pack\): /);
    await expectCode(evaluate(ledger, MFR, fn('GetPack'), sgtin('C1')), 'NOT_COMMISSIONED');
    // Each part keeps its own roles: a manufacturer cannot dispense inside a capture either.
    await expect(submit(ledger, MFR, fn('Capture'), [{ eventId: 'doc-3', commands: [{ transaction: 'Dispense', command: { eventId: 'e5', epcs: [sgtin('A1')] } }] }])).rejects.toThrow(/^ROLE_FORBIDDEN: commands\[0\] \(Dispense\): /);
    // Ship carries private TI as transient data: it is not a capture part.
    await expectCode(submit(ledger, MFR, fn('Capture'), [{ eventId: 'doc-4', commands: [{ transaction: 'Ship', command: { eventId: 'e6', to: DIST, epcs: [sgtin('A1')] } }] }]), 'COMMAND_INVALID');
  });

  it('rejects oversized batches with BATCH_TOO_LARGE', async () => {
    const ledger = new FakeLedger();
    await setUp(ledger, ['A1']);
    const serials = Array.from({ length: 5001 }, (_, i) => `Z${i}`);
    await expectCode(submit(ledger, MFR, fn('Commission'), [{ eventId: 'big', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials }]), 'BATCH_TOO_LARGE');
  });
});
