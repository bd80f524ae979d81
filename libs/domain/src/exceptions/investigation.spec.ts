import { actOnInvestigation, form3911, noticesOverdue, openInvestigation, type InvestigationAction, type InvestigationRecord } from './investigation';

const M = 'ManufacturerMSP';
const D = 'DistributorMSP';
const P = 'DispenserMSP';
const X = 'StrangerMSP';
const pack = (n: number) => `urn:epc:id:sgtin:0312345.067890.S${n}`;
const at = (h: number) => new Date(Date.UTC(2026, 11, 1, 10 + h)).toISOString();

/** A lot of `n` packs: the first half at the distributor, the rest at the pharmacy. */
const opened = (n = 20): InvestigationRecord => openInvestigation({
  id: 'inv-1', scope: { kind: 'lot', gtin: '00312345678906', lot: 'L1' }, summary: 'pharmacy reports misprinted cartons',
  holdings: Array.from({ length: n }, (_, i) => ({ pack: pack(i + 1), holder: i < n / 2 ? D : P })),
}, M, at(0));
const run = (record: InvestigationRecord, steps: ReadonlyArray<[actor: string, action: InvestigationAction]>): InvestigationRecord =>
  steps.reduce((r, [actor, action], i) => actOnInvestigation(r, action, actor, at(i + 1)), record);
const verify = (n: number, outcome: 'genuine' | 'not_genuine' | 'inconclusive' = 'genuine', by = D): [string, InvestigationAction] => [by, { type: 'verify', pack: pack(n), outcome }];

describe('suspect-product investigations', () => {
  it.each([[1, 1], [2, 2], [3, 3], [20, 3], [31, 4], [100, 10], [101, 11]])('%i packages in scope: %i to verify', (n, required) => {
    expect(opened(n).requiredVerifications).toBe(required);
  });

  it('opens on the packs the ledger shows, at every holder', () => {
    expect(opened()).toMatchObject({ state: 'open', investigator: M, holders: [P, D], version: 1 });
    expect(opened().packs).toHaveLength(20);
  });

  it('is cleared once the sample is verified genuine, by the investigator only', () => {
    const sampled = run(opened(), [verify(1), verify(2, 'inconclusive'), verify(12, 'genuine', P), verify(2)]);
    const cleared = actOnInvestigation(sampled, { type: 'clear' }, M, at(9));
    expect(cleared).toMatchObject({ state: 'cleared', determination: { outcome: 'cleared', by: M } });
    expect(cleared.history.map((h) => h.action)).toEqual(['open', 'verify', 'verify', 'verify', 'verify', 'clear']);
  });

  it('ends illegitimate: 24 h notices, the filing, the partners told, a termination request', () => {
    const record = run(opened(), [
      verify(1, 'not_genuine'), [M, { type: 'declare_illegitimate', classification: 'counterfeit' }], [M, { type: 'notify', partners: [D, P, D, M] }],
      [M, { type: 'record_filing', incidentNumber: 'IN-2026-0042' }], [D, { type: 'finding', text: 'cartons carry a foreign lot code' }], [M, { type: 'request_termination' }],
    ]);
    expect(record).toMatchObject({
      state: 'terminated', notificationsDueAt: '2026-12-02T12:00:00.000Z', fda: { incidentNumber: 'IN-2026-0042', filedAt: at(4) },
      notices: [{ to: P, at: at(3) }, { to: D, at: at(3) }], termination: { by: M, incidentNumber: 'IN-2026-0042' },
    });
  });

  type Refusal = [name: string, steps: ReadonlyArray<[string, InvestigationAction]>, code: string];
  const refusals: Refusal[] = [
    ['clearing before the sample is verified', [verify(1), verify(2), [M, { type: 'clear' }]], 'INVESTIGATION_TRANSITION'],
    ['clearing what was found not genuine', [verify(1), verify(2), verify(3, 'not_genuine'), [M, { type: 'clear' }]], 'INVESTIGATION_TRANSITION'],
    ['a holder clearing', [verify(1), verify(2), verify(3), [D, { type: 'clear' }]], 'INVESTIGATION_PARTY'],
    ['a stranger verifying', [verify(1, 'genuine', X)], 'INVESTIGATION_PARTY'],
    ['verifying a pack out of scope', [verify(99)], 'INVESTIGATION_INVALID'],
    ['an unknown classification', [[M, { type: 'declare_illegitimate', classification: 'odd' as never }]], 'INVESTIGATION_INVALID'],
    ['filing before the determination', [[M, { type: 'record_filing', incidentNumber: 'IN-1' }]], 'INVESTIGATION_TRANSITION'],
    ['filing twice', [[M, { type: 'declare_illegitimate', classification: 'diverted' }], [M, { type: 'record_filing', incidentNumber: 'IN-1' }], [M, { type: 'record_filing', incidentNumber: 'IN-2' }]], 'INVESTIGATION_TRANSITION'],
    ['an incident number with spaces', [[M, { type: 'declare_illegitimate', classification: 'diverted' }], [M, { type: 'record_filing', incidentNumber: 'IN 1' }]], 'INVESTIGATION_INVALID'],
    ['terminating before filing', [[M, { type: 'declare_illegitimate', classification: 'stolen' }], [M, { type: 'request_termination' }]], 'INVESTIGATION_TRANSITION'],
    ['verifying once determined', [[M, { type: 'declare_illegitimate', classification: 'stolen' }], verify(1)], 'INVESTIGATION_TRANSITION'],
  ];
  it.each(refusals)('refuses %s, changing nothing', (_name, steps, code) => {
    const before = opened();
    expect(() => run(before, steps)).toThrow(expect.objectContaining({ code }));
    expect(before).toEqual(opened());
  });

  it('refuses an investigation with nothing on the ledger in scope, or without a reason', () => {
    expect(() => openInvestigation({ id: 'i', scope: { kind: 'packs', packs: [pack(1)] }, summary: 'x', holdings: [] }, M, at(0))).toThrow(expect.objectContaining({ code: 'INVESTIGATION_INVALID' }));
    expect(() => openInvestigation({ id: 'i', scope: { kind: 'packs', packs: [pack(1)] }, summary: '', holdings: [{ pack: pack(1), holder: D }] }, M, at(0))).toThrow(expect.objectContaining({ code: 'INVESTIGATION_INVALID' }));
  });

  it('says which 24-hour notices are late', () => {
    const declared = run(opened(), [[M, { type: 'declare_illegitimate', classification: 'counterfeit' }], [M, { type: 'notify', partners: [D] }]]);
    expect(noticesOverdue(declared, '2026-12-02T10:59:59.000Z')).toEqual({ fda: false, partners: [] });
    expect(noticesOverdue(declared, '2026-12-02T11:00:00.000Z')).toEqual({ fda: true, partners: [P] });
  });

  it('fills FDA Form 3911 from the investigation and the product master data', () => {
    const record = run(opened(2), [[M, { type: 'declare_illegitimate', classification: 'counterfeit' }], [M, { type: 'notify', partners: [D, P] }], [M, { type: 'record_filing', incidentNumber: 'IN-7' }]]);
    const form = form3911(record, { name: 'Examplamab', ndc: '12345-678-90', dosageForm: 'tablet', strength: '10 mg', packSize: '30 tablets' },
      [1, 2, 3].map((n) => ({ id: pack(n), serial: `S${n}`, lot: 'L1', expiry: '2028-12-31' })));
    expect(form).toEqual({
      notificationType: 'illegitimate_product', incidentNumber: 'IN-7', dateOfInitialNotification: '2026-12-01', dateCompanyDeterminedIllegitimate: '2026-12-01',
      classification: 'counterfeit', productName: 'Examplamab', ndc: '12345-678-90', dosageForm: 'tablet', strength: '10 mg', packageSize: '30 tablets',
      lotNumbers: ['L1'], expirationDates: ['2028-12-31'], serialNumbers: ['S1', 'S2'], quantity: 2,
      descriptionOfEvent: 'pharmacy reports misprinted cartons', reportingCompany: M, tradingPartnersNotified: [P, D],
    });
    expect(() => form3911(opened(2), { name: 'x', dosageForm: 'x', strength: 'x', packSize: 'x' }, [])).toThrow(expect.objectContaining({ code: 'INVESTIGATION_TRANSITION' }));
  });
});
