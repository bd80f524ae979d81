import type { TracingRequestRecord } from '@pedigree/domain';
import { MasterDataContract } from './master-data.contract';
import { TracingContract } from './tracing.contract';
import { TraceabilityContract } from './traceability.contract';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, expectCode, found, GTIN, lastEvent, MFR, NDC, sgtin, submit, useFakeLedgerClock, type Fn } from '../test/contract-fixtures';

const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const tracing = new TracingContract();
const t = <C extends object>(c: C, k: keyof C) => (c[k] as unknown as Fn).bind(c);
const tiOf = (buyer: string) => JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'S' }, buyer: { name: buyer }, products: [{ ndc: NDC, quantity: 1, lot: 'L1' }], salt: '0123456789abcdef0123456789abcdef' });

describe('TracingContract (fake stub)', () => {
  useFakeLedgerClock();

  it('asked by the pharmacy: the owners answer at once; each seller releases only its own TI, matched to the public hash, to the requester only', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    await submit(ledger, MFR, t(masterdata, 'RegisterProduct'), [{ eventId: 'p1', ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' }]);
    await submit(ledger, MFR, t(traceability, 'Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['A1'] }]);
    const first = await submit(ledger, MFR, t(traceability, 'Ship'), [{ eventId: 's1', to: DIST, epcs: [sgtin('A1')], statement: { affirmed: true } }], { ti: tiOf('D') });
    await submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r1', epcs: [sgtin('A1')] }]);
    const second = await submit(ledger, DIST, t(traceability, 'Ship'), [{ eventId: 's2', to: DISP, epcs: [sgtin('A1')], statement: { affirmed: true } }], { ti: tiOf('P') });
    await submit(ledger, DISP, t(traceability, 'Receive'), [{ eventId: 'r2', epcs: [sgtin('A1')] }]);
    const [s1, s2] = [first.shipment?.id as string, second.shipment?.id as string];

    await expectCode(submit(ledger, DISP, t(tracing, 'RequestTracing'), [{ eventId: 'q0', kind: 'everything', epc: sgtin('A1'), reason: 'suspect' }]), 'COMMAND_INVALID');
    await submit(ledger, DISP, t(tracing, 'RequestTracing'), [{ eventId: 'q1', kind: 'transaction_information', epc: sgtin('A1'), reason: 'suspect', incidentNumber: 'INC-1', test: true }]);
    const asked = lastEvent(ledger).tracingRequests?.[0] as TracingRequestRecord;
    expect(asked).toMatchObject({ requester: DISP, owners: [MFR, DIST, DISP], test: true, respondents: [{ org: DIST, role: 'wholesaler' }, { org: MFR, role: 'manufacturer' }] });
    // Sunday 1 March: the wholesaler and the manufacturer answer by the end of Monday in New York.
    expect(asked.respondents.map((r) => r.dueAt)).toEqual(['2026-03-03T05:00:00.000Z', '2026-03-03T05:00:00.000Z']);

    const release = (org: string, eventId: string, ids: string[], tis: Record<string, string>) => submit(ledger, org, t(tracing, 'ReleaseTracing'), [{ eventId, requester: DISP, requestId: 'q1', shipmentIds: ids }], { ti: JSON.stringify(tis) });
    // Not its shipment; a TI that is not the one kept; not asked.
    await expectCode(release(MFR, 'x1', [s2], { [s2]: tiOf('P') }), 'TRACING_PARTY');
    await expectCode(release(MFR, 'x2', [s1], { [s1]: tiOf('someone else') }), 'TRACING_INVALID');
    await expectCode(release(DISP, 'x3', [s2], { [s2]: tiOf('P') }), 'TRACING_PARTY');

    await release(MFR, 'm1', [s1], { [s1]: tiOf('D') });
    await release(DIST, 'd1', [s1, s2], { [s1]: tiOf('D'), [s2]: tiOf('P') });
    await expectCode(release(DIST, 'd2', [s1], { [s1]: tiOf('D') }), 'TRACING_TRANSITION');
    const done = await evaluate<TracingRequestRecord>(ledger, MFR, t(tracing, 'GetTracingRequest'), DISP, 'q1');
    expect(done.releases.map((r) => [r.by, r.shipments.map((s) => s.shipmentId)])).toEqual([[MFR, [s1]], [DIST, [s1, s2].sort()]]);

    const released = await evaluate<Array<{ by: string; shipmentId: string; ti: { buyer: { name: string } } }>>(ledger, DISP, t(tracing, 'GetTracingReleases'), 'q1');
    expect(released.map((r) => [r.by, r.shipmentId, r.ti.buyer.name])).toEqual([[MFR, s1, 'D'], ...[[DIST, s1, 'D'], [DIST, s2, 'P']].sort((a, b) => String(a[1]).localeCompare(String(b[1])))]);
    // The released TI is the requester's private data: another member's read of the request finds none of its own.
    await expect(evaluate(ledger, MFR, t(tracing, 'GetTracingReleases'), 'q1')).rejects.toThrow(/^NOT_FOUND/);
  });
});
