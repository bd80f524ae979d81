import { checkReceipt, ssccToEpcUrn, withCheckDigit, type ExceptionRecord, type PackRecord } from '@pedigree/domain';
import { ExceptionsContract } from './exceptions.contract';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, found, GTIN, lastEvent, MFR, NDC, sgtin, submit, type Fn, useFakeLedgerClock, expectCode } from '../test/contract-fixtures';

const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const exceptions = new ExceptionsContract();
const CASE = ssccToEpcUrn(withCheckDigit('00312345000000077'));
const ti = JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'M' }, buyer: { name: 'D' }, products: [{ ndc: NDC, quantity: 4, lot: 'L1' }], salt: '0123456789abcdef0123456789abcdef' });
const t = <C extends object>(c: C, k: keyof C) => (c[k] as unknown as Fn).bind(c);

async function shipCaseOfFour(ledger: FakeLedger): Promise<string> {
  await found(ledger);
  await submit(ledger, MFR, t(masterdata, 'RegisterProduct'), [{ eventId: 'p1', ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' }]);
  await submit(ledger, MFR, t(traceability, 'Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A1', 'A2', 'A3', 'A4'] }]);
  await submit(ledger, MFR, t(traceability, 'Pack'), [{ eventId: 'k1', parent: CASE, children: ['A1', 'A2', 'A3', 'A4'].map(sgtin) }]);
  const shipped = await submit(ledger, MFR, t(traceability, 'Ship'), [{ eventId: 's1', to: DIST, epcs: [CASE], statement: { affirmed: true } }], { ti });
  return shipped.shipment?.id as string;
}

describe('ExceptionsContract (fake stub)', () => {
  useFakeLedgerClock();

  it('a case one pack short: received under exception and held, raised, corrected by the seller, closed and released', async () => {
    const ledger = new FakeLedger();
    const shipmentId = await shipCaseOfFour(ledger);
    const present = ['A1', 'A2', 'A3'].map(sgtin);

    // Without the exception path the receipt is refused, as before.
    await expectCode(submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r0', epcs: [CASE], scanned: present }]), 'AGGREGATION_MISMATCH');
    const received = await submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r1', epcs: [CASE], scanned: present, underException: true, hold: { epcs: present, reason: 'no_pedigree_match' } }]);
    expect(received.receipt).toMatchObject({ verified: present, pending: [sgtin('A4')] });
    const pack = async (s: string) => (await evaluate<{ pack: PackRecord }>(ledger, DIST, t(traceability, 'GetPack'), sgtin(s))).pack;
    expect((await pack('A1')).quarantine).toMatchObject({ reason: 'no_pedigree_match', by: DIST });
    expect((await pack('A4')).status).toBe('shipped');

    const [finding] = checkReceipt(
      { shipmentId, seller: MFR, addressee: DIST, epcs: [CASE], containers: [{ id: CASE, children: ['A1', 'A2', 'A3', 'A4'].map(sgtin), sealed: true }], packs: ['A1', 'A2', 'A3', 'A4'].map((s) => ({ id: sgtin(s), gtin: GTIN, lot: 'L1', expiry: '2028-12-31' })) },
      { receiver: DIST, presented: [CASE], scanned: present.map((id) => ({ id })), brokenSeals: [], masterData: [GTIN] });
    await expectCode(submit(ledger, DISP, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x0', findings: [{ ...finding, receiver: DISP }] }]), 'EXCEPTION_PARTY');
    await expectCode(submit(ledger, MFR, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x00', findings: [{ ...finding!, receiver: MFR }] }]), 'EXCEPTION_PARTY');
    const raised = await submit(ledger, DIST, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x1', findings: [finding], refer: true }]);
    expect(raised.exceptions).toEqual(['x1#1']);
    expect(lastEvent(ledger)).toMatchObject({ type: 'exceptionRaised', exceptions: [{ id: 'x1#1', state: 'waiting_on_partner', rule: 'aggregation_missing_pack', receiver: DIST, seller: MFR, held: present }] });

    await expectCode(submit(ledger, DIST, t(exceptions, 'AnswerException'), [{ eventId: 'a0', exceptionId: 'x1#1', note: 'mine' }]), 'EXCEPTION_PARTY');
    await expectCode(submit(ledger, MFR, t(exceptions, 'CloseException'), [{ eventId: 'c0', exceptionId: 'x1#1', receiver: DIST }]), 'EXCEPTION_PARTY');
    await submit(ledger, MFR, t(exceptions, 'AnswerException'), [{ eventId: 'a1', exceptionId: 'x1#1', receiver: DIST, correction: { contents: [{ container: CASE, children: present }] }, note: 'A4 never left the line' }]);
    const answered = await evaluate<ExceptionRecord>(ledger, MFR, t(exceptions, 'GetException'), DIST, 'x1#1');
    expect(answered).toMatchObject({ state: 'resolved_by_correction', answers: [{ by: MFR, recheck: 'clean' }] });
    await expectCode(submit(ledger, MFR, t(exceptions, 'AnswerException'), [{ eventId: 'a2', exceptionId: 'x1#1', receiver: DIST, note: 'again' }]), 'EXCEPTION_TRANSITION');

    await submit(ledger, DIST, t(exceptions, 'CloseException'), [{ eventId: 'cl1', exceptionId: 'x1#1' }]);
    const closed = lastEvent(ledger);
    expect(closed).toMatchObject({ type: 'exceptionClosed', exceptions: [{ state: 'closed' }] });
    expect(closed.records.map((r) => r.id).sort()).toEqual(present);
    expect((await pack('A1')).quarantine).toBeUndefined();
  });

  it('a second open exception on the same packs keeps them held when the first closes', async () => {
    const ledger = new FakeLedger();
    const shipmentId = await shipCaseOfFour(ledger);
    const all = ['A1', 'A2', 'A3', 'A4'].map(sgtin);
    await submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r1', epcs: [CASE] }]);
    const base = { shipmentId, seller: MFR, receiver: DIST, subjects: all, hold: all };
    await submit(ledger, DIST, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x1', findings: [
      { ...base, rule: 'quantity_differs_from_ti', evidence: { summary: 'TI says 5', gtin: GTIN, tiQuantity: 5, shippedQuantity: 4 } },
      { ...base, rule: 'seal_broken', subjects: [CASE], evidence: { summary: 'seal broken', container: CASE } },
    ] }]);
    await submit(ledger, MFR, t(exceptions, 'AnswerException'), [{ eventId: 'a1', exceptionId: 'x1#1', receiver: DIST, correction: { ti: [{ gtin: GTIN, quantity: 4 }] } }]);
    await submit(ledger, DIST, t(exceptions, 'CloseException'), [{ eventId: 'c1', exceptionId: 'x1#1' }]);
    expect(lastEvent(ledger).records).toEqual([]);
    await submit(ledger, DIST, t(exceptions, 'ResolveException'), [{ eventId: 'v1', exceptionId: 'x1#2', resolution: 'destruction' }]);
    await submit(ledger, DIST, t(exceptions, 'CloseException'), [{ eventId: 'c2', exceptionId: 'x1#2' }]);
    const a1 = (await evaluate<{ pack: PackRecord }>(ledger, DIST, t(traceability, 'GetPack'), all[0] as string)).pack;
    expect(a1.quarantine).toMatchObject({ reason: 'no_pedigree_match' });
  });

  it('product without data: raised with the receiver’s clock, escalated by the receiver once, seen by the seller', async () => {
    const ledger = new FakeLedger();
    const shipmentId = await shipCaseOfFour(ledger);
    await submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r1', epcs: [CASE] }]);
    const stranger = sgtin('Z9');
    const finding = { rule: 'product_without_data', shipmentId, seller: MFR, receiver: DIST, subjects: [stranger], hold: [], evidence: { summary: 'no data for 1 scan', unexpected: [stranger] } };
    await expectCode(submit(ledger, DIST, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x0', findings: [finding], clock: { timeZone: 'Atlantis/Lost' } }]), 'CLOCK_INVALID');
    await expectCode(submit(ledger, DIST, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x0', findings: [finding], clock: { graceBusinessDays: { product_without_data: 99 } } }]), 'CLOCK_INVALID');
    await submit(ledger, DIST, t(exceptions, 'RaiseExceptions'), [{ eventId: 'x1', findings: [finding], refer: true, clock: { timeZone: 'America/Chicago', graceBusinessDays: { product_without_data: 2 } } }]);
    // Sunday 1 March 2026, 04:02 in Chicago: Monday and Tuesday, due at the start of Wednesday there.
    expect(lastEvent(ledger).exceptions?.[0]?.clock).toEqual({ timeZone: 'America/Chicago', graceBusinessDays: 2, onExpiry: 'escalate', dueAt: '2026-03-04T06:00:00.000Z' });

    await expectCode(submit(ledger, MFR, t(exceptions, 'EscalateException'), [{ eventId: 'e0', exceptionId: 'x1#1', receiver: DIST }]), 'EXCEPTION_PARTY');
    // The ledger's time is the transaction's: escalating before the due instant is the receiver's call, recorded as early.
    await submit(ledger, DIST, t(exceptions, 'EscalateException'), [{ eventId: 'e1', exceptionId: 'x1#1' }]);
    expect(lastEvent(ledger)).toMatchObject({ type: 'exceptionEscalated', exceptions: [{ state: 'waiting_on_partner', escalation: { by: DIST, dueAt: '2026-03-04T06:00:00.000Z', early: true } }] });
    await expectCode(submit(ledger, DIST, t(exceptions, 'EscalateException'), [{ eventId: 'e2', exceptionId: 'x1#1' }]), 'EXCEPTION_TRANSITION');
    const seen = await evaluate<ExceptionRecord>(ledger, MFR, t(exceptions, 'GetException'), DIST, 'x1#1');
    expect(seen.history.map((h) => h.action)).toEqual(['raise', 'refer', 'escalate']);
  });
});
