import { readingsBatchSha256, ssccToEpcUrn, withCheckDigit, type ReadingsAnchorRecord } from '@pedigree/domain';
import { ColdChainContract } from './cold-chain.contract';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';
import { FakeLedger } from '../test/stub-context';
import { DISP, DIST, evaluate, found, GTIN, lastEvent, MFR, NDC, sgtin, submit, type Fn } from '../test/contract-fixtures';

const coldchain = new ColdChainContract();
const traceability = new TraceabilityContract();
const masterdata = new MasterDataContract();
const anchor = coldchain.AnchorReadings.bind(coldchain) as Fn;
const get = coldchain.GetReadingsAnchor.bind(coldchain) as Fn;
const CASE = ssccToEpcUrn(withCheckDigit('00312345000000077'));
const readings = [{ atMs: Date.parse('2026-03-01T08:00:00Z'), celsius: 5 }, { atMs: Date.parse('2026-03-01T09:00:00Z'), celsius: 5.5 }];
const sha = readingsBatchSha256({ source: { kind: 'container', id: CASE }, readings }, 'ab'.repeat(16));
const command = (over: Record<string, unknown> = {}) => ({ eventId: 'r1', source: { kind: 'container', id: CASE }, batchSha256: sha, readingCount: 2, firstAt: '2026-03-01T08:00:00Z', lastAt: '2026-03-01T09:00:00Z', ...over });

async function withCase(ledger: FakeLedger): Promise<void> {
  await found(ledger);
  await submit(ledger, MFR, masterdata.RegisterProduct.bind(masterdata) as Fn, [{ eventId: 'p1', ndc: NDC, name: 'Insulin', strength: '100 U/mL', dosageForm: 'injection', packSize: '10 mL' }]);
  await submit(ledger, MFR, traceability.Commission.bind(traceability) as Fn, [{ eventId: 'c1', gtin: GTIN, lot: 'L1', expiry: '2028-12-31', serials: ['1', '2'] }]);
  await submit(ledger, MFR, traceability.Pack.bind(traceability) as Fn, [{ eventId: 'k1', parent: CASE, children: [sgtin('1'), sgtin('2')] }]);
}

describe('ColdChainContract', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-03-01T10:02:00.000Z')));
  afterEach(() => jest.restoreAllMocks());

  it("anchors a batch's salted digest with the container its holder recorded it on, once", async () => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    await submit(ledger, MFR, anchor, [command()]);
    expect(lastEvent(ledger).readingsAnchor).toMatchObject({ batchSha256: sha, anchoredBy: MFR, readingCount: 2, source: { kind: 'container', id: CASE } });
    const read = await evaluate<ReadingsAnchorRecord>(ledger, DISP, get, 'container', CASE, sha);
    expect(read).toMatchObject({ batchSha256: sha, anchoredBy: MFR });
    expect((await submit(ledger, MFR, anchor, [command()])).duplicate).toBe(true);
    await expect(submit(ledger, MFR, anchor, [command({ eventId: 'r2' })])).rejects.toThrow(/^READINGS_INVALID: .*already|anchored by/);
  });

  it.each([
    ['someone who never held the container', DIST, command(), /^NOT_CUSTODIAN/],
    ['an unknown shipment', MFR, command({ source: { kind: 'shipment', id: 'nope' } }), /^NOT_FOUND/],
    ["a location that is not the caller's site", MFR, command({ source: { kind: 'location', id: 'urn:epc:id:sgln:0345678.00000.0' } }), /^NOT_CUSTODIAN/],
    ['a malformed digest', MFR, command({ batchSha256: 'xyz' }), /^COMMAND_INVALID: AnchorReadings: batchSha256/],
    ['a source of no known kind', MFR, command({ source: { kind: 'truck', id: 'T1' } }), /^COMMAND_INVALID: AnchorReadings: source\.kind/],
    ['a span that ends before it starts', MFR, command({ firstAt: '2026-03-01T10:00:00Z' }), /^COMMAND_INVALID: AnchorReadings: firstAt/],
  ])('refuses %s and writes nothing', async (_name, msp, c, error) => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    await expect(submit(ledger, msp, anchor, [c])).rejects.toThrow(error);
    await expect(evaluate(ledger, DISP, get, 'container', CASE, sha)).rejects.toThrow(/NOT_FOUND/);
  });

  it("anchors a location's readings for the holder of its GLN", async () => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    const site = 'urn:epc:id:sgln:0312345.00000.0';
    await submit(ledger, MFR, anchor, [command({ source: { kind: 'location', id: site } })]);
    expect((await evaluate<ReadingsAnchorRecord>(ledger, DIST, get, 'location', site, sha)).anchoredBy).toBe(MFR);
  });
});

describe('ColdChainContract: the manufacturer decides on an excursion', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-03-01T10:02:00.000Z')));
  afterEach(() => jest.restoreAllMocks());
  const decide = coldchain.DecideExcursion.bind(coldchain) as Fn;
  const getDecision = coldchain.GetExcursionDecision.bind(coldchain) as Fn;

  /** An open temperature_excursion exception at the dispenser holding the case's packs (as RaiseExceptions writes it). */
  function excursionAt(ledger: FakeLedger, rule = 'temperature_excursion', state = 'waiting_on_partner'): void {
    const record = { docType: 'exception', id: 'x-1#1', receiver: DISP, seller: MFR, shipmentId: 's-1', rule, state, subjects: [sgtin('1'), sgtin('2')], held: [sgtin('1'), sgtin('2')], evidence: { summary: 'excursion' }, openedAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z', answers: [], history: [], version: 1 };
    ledger.state.set(`\u0000exception\u0000${DISP}\u0000x-1#1\u0000`, Buffer.from(JSON.stringify(record)));
  }
  const release = { eventId: 'd1', receiver: DISP, exceptionId: 'x-1#1', decision: 'release', stabilityDataRef: 'STAB-2026-014 (25 °C for 72 h)' };

  it('records a release with its stability data, once', async () => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    excursionAt(ledger);
    await submit(ledger, MFR, decide, [release]);
    expect(lastEvent(ledger).excursionDecision).toMatchObject({ decision: 'release', decidedBy: MFR, packs: [sgtin('1'), sgtin('2')], stabilityDataRef: release.stabilityDataRef });
    expect(await evaluate(ledger, DISP, getDecision, DISP, 'x-1#1')).toMatchObject({ decision: 'release' });
    await expect(submit(ledger, MFR, decide, [{ ...release, eventId: 'd2', decision: 'destroy' }])).rejects.toThrow(/^EXCEPTION_TRANSITION/);
  });

  it.each([
    ['by someone not the manufacturer', DIST, release, undefined, /^ROLE_FORBIDDEN|^NOT_MANUFACTURER/],
    ['a release without stability data', MFR, { ...release, stabilityDataRef: undefined }, undefined, /^COMMAND_INVALID: DecideExcursion: a release needs stabilityDataRef/],
    ['on another rule', MFR, release, 'seal_broken', /^EXCEPTION_INVALID/],
    ['on an unknown exception', MFR, { ...release, exceptionId: 'nope' }, undefined, /^NOT_FOUND/],
  ])('refuses a decision %s', async (_name, msp, c, rule, error) => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    excursionAt(ledger, rule);
    await expect(submit(ledger, msp, decide, [c])).rejects.toThrow(error);
    await expect(evaluate(ledger, DISP, getDecision, DISP, 'x-1#1')).rejects.toThrow(/NOT_FOUND/);
  });

  it('refuses to decide on a closed exception', async () => {
    const ledger = new FakeLedger();
    await withCase(ledger);
    excursionAt(ledger, 'temperature_excursion', 'closed');
    await expect(submit(ledger, MFR, decide, [release])).rejects.toThrow(/^EXCEPTION_TRANSITION/);
  });
});
