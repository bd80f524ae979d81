import type { InvestigationRecord, PackRecord } from '@pedigree/domain';
import { InvestigationsContract } from './investigations.contract';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, expectCode, found, GTIN, lastEvent, MFR, NDC, sgtin, submit, useFakeLedgerClock, type Fn } from '../test/contract-fixtures';

const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const investigations = new InvestigationsContract();
const t = <C extends object>(c: C, k: keyof C) => (c[k] as unknown as Fn).bind(c);
const ti = JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'M' }, buyer: { name: 'D' }, products: [{ ndc: NDC, quantity: 2, lot: 'L1' }], salt: '0123456789abcdef0123456789abcdef' });
const SERIALS = ['A1', 'A2', 'A3', 'A4', 'A5'];

/** Five packs of lot L1: three stay at the manufacturer, two go to the distributor. */
async function lotAtTwoHolders(ledger: FakeLedger): Promise<void> {
  await found(ledger);
  await submit(ledger, MFR, t(masterdata, 'RegisterProduct'), [{ eventId: 'p1', ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' }]);
  await submit(ledger, MFR, t(traceability, 'Commission'), [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: SERIALS }]);
  await submit(ledger, MFR, t(traceability, 'Ship'), [{ eventId: 's1', to: DIST, epcs: ['A4', 'A5'].map(sgtin), statement: { affirmed: true } }], { ti });
  await submit(ledger, DIST, t(traceability, 'Receive'), [{ eventId: 'r1', epcs: ['A4', 'A5'].map(sgtin) }]);
}

const pack = async (ledger: FakeLedger, org: string, s: string) => evaluate<{ pack: PackRecord; overlays: string[]; sellable: boolean }>(ledger, org, t(traceability, 'GetPack'), sgtin(s));
const record = (ledger: FakeLedger, org: string) => evaluate<InvestigationRecord>(ledger, org, t(investigations, 'GetInvestigation'), MFR, 'i1');

describe('InvestigationsContract (fake stub)', () => {
  useFakeLedgerClock();

  it('a lot held at both holders, verified, declared illegitimate, notified, filed and terminated', async () => {
    const ledger = new FakeLedger();
    await lotAtTwoHolders(ledger);
    // The dispenser neither made nor owned the lot.
    await expectCode(submit(ledger, DISP, t(investigations, 'OpenInvestigation'), [{ eventId: 'i0', scope: { kind: 'lot', gtin: GTIN, lot: 'L1' }, summary: 'suspect' }]), 'INVESTIGATION_PARTY');
    await expectCode(submit(ledger, MFR, t(investigations, 'OpenInvestigation'), [{ eventId: 'i0', scope: { kind: 'batch' }, summary: 'x' }]), 'COMMAND_INVALID');
    const opened = await submit(ledger, MFR, t(investigations, 'OpenInvestigation'), [{ eventId: 'i1', scope: { kind: 'lot', gtin: GTIN, lot: 'L1' }, summary: 'a pharmacy reports a foreign-language leaflet' }]);
    expect(opened.investigations).toEqual(['i1']);
    expect(lastEvent(ledger)).toMatchObject({ type: 'investigationOpened', records: [], investigations: [{ id: 'i1', investigator: MFR, holders: [DIST, MFR], requiredVerifications: 3, state: 'open' }] });

    // Each holder's stock is held without the investigator writing it.
    expect(await pack(ledger, DIST, 'A4')).toMatchObject({ overlays: ['quarantined'], sellable: false, pack: { investigation: { investigator: MFR, id: 'i1' } } });
    expect((await pack(ledger, MFR, 'A1')).overlays).toEqual(['quarantined']);
    await expectCode(submit(ledger, DIST, t(traceability, 'Ship'), [{ eventId: 's2', to: DISP, epcs: [sgtin('A4')], statement: { affirmed: true } }], { ti }), 'ILLEGAL_TRANSITION');

    // A holder verifies its own stock only; the dispenser nothing.
    await expectCode(submit(ledger, DIST, t(investigations, 'VerifyInvestigationPack'), [{ eventId: 'v0', investigator: MFR, investigationId: 'i1', pack: sgtin('A1'), outcome: 'genuine' }]), 'INVESTIGATION_PARTY');
    await expectCode(submit(ledger, DISP, t(investigations, 'RecordInvestigationFinding'), [{ eventId: 'f0', investigator: MFR, investigationId: 'i1', text: 'hello' }]), 'INVESTIGATION_PARTY');
    await submit(ledger, DIST, t(investigations, 'VerifyInvestigationPack'), [{ eventId: 'v1', investigator: MFR, investigationId: 'i1', pack: sgtin('A4'), outcome: 'not_genuine', note: 'leaflet in the wrong language' }]);
    await submit(ledger, DIST, t(investigations, 'RecordInvestigationFinding'), [{ eventId: 'f1', investigator: MFR, investigationId: 'i1', text: 'carton print differs' }]);
    await submit(ledger, MFR, t(investigations, 'VerifyInvestigationPack'), [{ eventId: 'v2', investigationId: 'i1', pack: sgtin('A1'), outcome: 'genuine' }]);
    await submit(ledger, MFR, t(investigations, 'VerifyInvestigationPack'), [{ eventId: 'v3', investigationId: 'i1', pack: sgtin('A2'), outcome: 'genuine' }]);
    await expectCode(submit(ledger, MFR, t(investigations, 'ClearInvestigation'), [{ eventId: 'x0', investigationId: 'i1' }]), 'INVESTIGATION_TRANSITION');
    await expectCode(submit(ledger, DIST, t(investigations, 'DeclareIllegitimate'), [{ eventId: 'd0', investigator: MFR, investigationId: 'i1', classification: 'counterfeit' }]), 'INVESTIGATION_PARTY');

    await submit(ledger, MFR, t(investigations, 'DeclareIllegitimate'), [{ eventId: 'd1', investigationId: 'i1', classification: 'counterfeit' }]);
    const declared = lastEvent(ledger);
    expect(declared).toMatchObject({ type: 'investigationIllegitimate', investigations: [{ state: 'illegitimate' }] });
    expect(Date.parse(declared.investigations?.[0]?.notificationsDueAt ?? '') - Date.parse(declared.txTime)).toBe(24 * 3600_000);
    await expectCode(submit(ledger, MFR, t(investigations, 'RequestTermination'), [{ eventId: 't0', investigationId: 'i1' }]), 'INVESTIGATION_TRANSITION');
    await expectCode(submit(ledger, MFR, t(investigations, 'NotifyTradingPartners'), [{ eventId: 'n0', investigationId: 'i1', partners: ['NobodyMSP'] }]), 'PARTNER_UNKNOWN');
    await submit(ledger, MFR, t(investigations, 'NotifyTradingPartners'), [{ eventId: 'n1', investigationId: 'i1', partners: [DIST] }]);
    await submit(ledger, MFR, t(investigations, 'RecordFdaFiling'), [{ eventId: 'fd1', investigationId: 'i1', incidentNumber: 'IR-2026-0042' }]);
    await expectCode(submit(ledger, MFR, t(investigations, 'RecordFdaFiling'), [{ eventId: 'fd2', investigationId: 'i1', incidentNumber: 'IR-2026-0043' }]), 'INVESTIGATION_TRANSITION');
    await submit(ledger, MFR, t(investigations, 'RequestTermination'), [{ eventId: 't1', investigationId: 'i1' }]);

    const done = await record(ledger, DIST);
    expect(done).toMatchObject({ state: 'terminated', notices: [{ to: DIST }], fda: { incidentNumber: 'IR-2026-0042' }, termination: { incidentNumber: 'IR-2026-0042' } });
    expect(done.verifications.map((v) => [v.by, v.outcome])).toEqual([[DIST, 'not_genuine'], [MFR, 'genuine'], [MFR, 'genuine']]);
    // Illegitimate product stays held: the holders destroy or return it.
    expect((await pack(ledger, DIST, 'A5')).overlays).toEqual(['quarantined']);
  });

  it('packs cleared once three are verified genuine: the holds are lifted at every holder', async () => {
    const ledger = new FakeLedger();
    await lotAtTwoHolders(ledger);
    // The distributor owned A4 and A5: it may investigate them.
    const scope = { kind: 'packs', packs: ['A1', 'A4', 'A5'].map(sgtin) };
    await expectCode(submit(ledger, DIST, t(investigations, 'OpenInvestigation'), [{ eventId: 'i0', scope: { kind: 'packs', packs: [sgtin('Z9')] }, summary: 'x' }]), 'INVESTIGATION_INVALID');
    await submit(ledger, MFR, t(investigations, 'OpenInvestigation'), [{ eventId: 'i1', scope, summary: 'damaged tamper evidence' }]);
    expect((await pack(ledger, MFR, 'A2')).overlays).toEqual([]);
    expect((await pack(ledger, DIST, 'A5')).overlays).toEqual(['quarantined']);
    for (const [i, s] of ['A1', 'A4', 'A5'].entries()) {
      await submit(ledger, s === 'A1' ? MFR : DIST, t(investigations, 'VerifyInvestigationPack'), [{ eventId: `v${i}`, investigator: MFR, investigationId: 'i1', pack: sgtin(s), outcome: 'genuine' }]);
    }
    await submit(ledger, MFR, t(investigations, 'ClearInvestigation'), [{ eventId: 'clear1', investigationId: 'i1' }]);
    expect(lastEvent(ledger)).toMatchObject({ type: 'investigationCleared', investigations: [{ state: 'cleared', determination: { outcome: 'cleared', by: MFR } }] });
    expect(await pack(ledger, DIST, 'A5')).toMatchObject({ overlays: [], sellable: true });
    expect((await pack(ledger, DIST, 'A5')).pack.investigation).toBeUndefined();
    await submit(ledger, DIST, t(traceability, 'Ship'), [{ eventId: 's2', to: DISP, epcs: [sgtin('A4')], statement: { affirmed: true } }], { ti });
  });
});
