import { DomainError } from '../errors';
import { parseLedgerCommand } from '../protocol/command-parsers';
import { actOnException, exceptionAgeSeconds, raiseException, recheck, type ExceptionAction, type ExceptionRecord, type ExceptionState } from './exception-lifecycle';
import { checkReceipt, type Finding, type ReceiptAsFound, type ShipmentAsShipped } from './receiving-checks';

const GTIN = '00312345678906';
const OTHER_GTIN = '00312345678913';
const pack = (n: number) => `urn:epc:id:sgtin:0312345.067890.S${n}`;
const CASE = 'urn:epc:id:sscc:0312345.0000000011';
const CASE2 = 'urn:epc:id:sscc:0312345.0000000028';
const M = 'ManufacturerMSP';
const D = 'DistributorMSP';
const P = 'DispenserMSP';
const at = '2026-12-01T10:00:00.000Z';

/** A case of packs 1-4 and loose packs 5-6, shipped by M to D with a TI of six. */
const shipped = (over: Partial<ShipmentAsShipped> = {}): ShipmentAsShipped => ({
  shipmentId: 'ship-1', seller: M, addressee: D, epcs: [CASE, pack(5), pack(6)],
  containers: [{ id: CASE, children: [1, 2, 3, 4].map((n) => pack(n)), sealed: true }],
  packs: [1, 2, 3, 4, 5, 6].map((n) => ({ id: pack(n), gtin: GTIN, lot: 'L1', expiry: '2030-12-31' })),
  ti: [{ gtin: GTIN, quantity: 6 }],
  ...over,
});
const found = (over: Partial<ReceiptAsFound> = {}): ReceiptAsFound => ({
  receiver: D, presented: [CASE, pack(5), pack(6)], scanned: [], brokenSeals: [], masterData: [GTIN], ...over,
});
const scans = (...ns: number[]) => ns.map((n) => ({ id: pack(n) }));

describe('receiving checks', () => {
  it('a receipt that matches the shipment has no findings', () => {
    expect(checkReceipt(shipped(), found())).toEqual([]);
    expect(checkReceipt(shipped(), found({ scanned: scans(1, 2, 3, 4, 5, 6) }))).toEqual([]);
  });

  type Case = [name: string, s: Partial<ShipmentAsShipped>, f: Partial<ReceiptAsFound>, expected: Array<Pick<Finding, 'rule' | 'subjects' | 'hold'>>];
  const cases: Case[] = [
    ['a case with one pack missing', {}, { scanned: scans(1, 2, 3) },
      [{ rule: 'aggregation_missing_pack', subjects: [CASE, pack(4)].sort(), hold: [pack(1), pack(2), pack(3)] }]],
    ['an extra pack the ledger knows elsewhere', {}, { scanned: scans(1, 2, 3, 4, 9), strays: { [pack(9)]: { id: pack(9), gtin: GTIN, lot: 'L1', expiry: '2030-12-31', owner: P, status: 'received' } } },
      [{ rule: 'aggregation_extra_pack', subjects: [pack(9)], hold: [] }]],
    ['a serial the ledger has no data for', {}, { scanned: scans(1, 2, 3, 4, 9) },
      [{ rule: 'product_without_data', subjects: [pack(9)], hold: [] }]],
    ['a broken seal', {}, { brokenSeals: [CASE] },
      [{ rule: 'seal_broken', subjects: [CASE], hold: [1, 2, 3, 4].map((n) => pack(n)) }]],
    ['a case shipped unsealed', { containers: [{ id: CASE, children: [1, 2, 3, 4].map((n) => pack(n)), sealed: false }] }, {},
      [{ rule: 'seal_broken', subjects: [CASE], hold: [1, 2, 3, 4].map((n) => pack(n)) }]],
    ['a barcode lot the ledger does not record', {}, { scanned: [{ id: pack(5), lot: 'L2' }, { id: pack(6), lot: 'L1', expiry: '2030-12-31' }] },
      [{ rule: 'identifier_mismatch', subjects: [pack(5)], hold: [pack(5)] }]],
    ['a TI quantity that differs from the shipment', { ti: [{ gtin: GTIN, quantity: 12 }] }, {},
      [{ rule: 'quantity_differs_from_ti', subjects: [1, 2, 3, 4, 5, 6].map((n) => pack(n)).sort(), hold: [1, 2, 3, 4, 5, 6].map((n) => pack(n)).sort() }]],
    ['a TI line by lot', { ti: [{ gtin: GTIN, lot: 'L1', quantity: 6 }, { gtin: GTIN, lot: 'L9', quantity: 1 }] }, {},
      [{ rule: 'quantity_differs_from_ti', subjects: [CASE, pack(5), pack(6)].sort(), hold: [] }]],
    ['a product the receiver does not carry', {}, { masterData: [OTHER_GTIN] },
      [{ rule: 'product_not_in_master_data', subjects: [1, 2, 3, 4, 5, 6].map((n) => pack(n)).sort(), hold: [1, 2, 3, 4, 5, 6].map((n) => pack(n)).sort() }]],
    ['a shipment addressed elsewhere', { addressee: P }, {},
      [{ rule: 'addressed_elsewhere', subjects: [CASE, pack(5), pack(6)].sort(), hold: [] }]],
    ['shipped EPCs that did not arrive', {}, { presented: [CASE, pack(5)] },
      [{ rule: 'data_without_product', subjects: [pack(6)], hold: [] }]],
  ];
  it.each(cases)('%s', (_name, s, f, expected) => {
    const findings = checkReceipt(shipped(s), found(f));
    expect(findings.map(({ rule, subjects, hold }) => ({ rule, subjects, hold }))).toEqual(expected);
    for (const x of findings) expect(x).toMatchObject({ shipmentId: 'ship-1', seller: M, receiver: D, evidence: { summary: expect.any(String) } });
  });

  it('a pallet: only the case whose contents were scanned is checked in full', () => {
    const s = shipped({
      epcs: ['urn:epc:id:sscc:0312345.0000000035'],
      containers: [
        { id: 'urn:epc:id:sscc:0312345.0000000035', children: [CASE, CASE2], sealed: true },
        { id: CASE, children: [1, 2].map((n) => pack(n)), sealed: true },
        { id: CASE2, children: [3, 4].map((n) => pack(n)), sealed: true },
      ],
      packs: [1, 2, 3, 4].map((n) => ({ id: pack(n), gtin: GTIN, lot: 'L1', expiry: '2030-12-31' })),
      ti: [{ gtin: GTIN, quantity: 4 }],
    });
    const findings = checkReceipt(s, found({ presented: ['urn:epc:id:sscc:0312345.0000000035'], scanned: scans(3) }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'aggregation_missing_pack', evidence: { container: CASE2, missing: [pack(4)], scanned: [pack(3)] } });
  });
});

describe('the exception lifecycle', () => {
  const finding = checkReceipt(shipped(), found({ scanned: scans(1, 2, 3) }))[0] as Finding;
  const raised = (refer = true) => raiseException({ id: 'ex-1', finding, refer }, D, at);
  const later = (minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();
  const correctContents = { contents: [{ container: CASE, children: [1, 2, 3].map((n) => pack(n)) }] };

  it('raises open, referred to the seller at once when asked', () => {
    expect(raiseException({ id: 'ex-1', finding }, D, at)).toMatchObject({ state: 'open', receiver: D, seller: M, held: [1, 2, 3].map((n) => pack(n)), version: 1 });
    const r = raised();
    expect(r.state).toBe('waiting_on_partner');
    expect(r.history.map((h) => [h.from, h.to])).toEqual([[null, 'open'], ['open', 'waiting_on_partner']]);
  });

  it('the seller corrects the aggregation: re-checked clean, resolved by correction, then closed by the receiver', () => {
    const answered = actOnException(raised(), { type: 'answer', correction: correctContents, note: 'pack 4 never left our line' }, M, later(30));
    expect(answered).toMatchObject({ state: 'resolved_by_correction', resolution: { kind: 'correction', by: M }, answers: [{ recheck: 'clean' }] });
    const closed = actOnException(answered, { type: 'close' }, D, later(60));
    expect(closed).toMatchObject({ state: 'closed', closedAt: later(60) });
    expect(exceptionAgeSeconds(closed, later(600))).toBe(3600);
  });

  it('a correction that does not fix the finding sends it back to the receiver, open', () => {
    const answered = actOnException(raised(), { type: 'answer', correction: { contents: [{ container: CASE, children: [1, 2, 3, 4].map((n) => pack(n)) }] } }, M, later(1));
    expect(answered.state).toBe('open');
    expect(answered.answers[0]).toMatchObject({ recheck: 'still_failing', remaining: expect.stringContaining('1 not scanned') });
  });

  it('a non-member seller (gln:) answers off the ledger: the receiver records its corrected data, and no one else may', () => {
    const outside = { ...raised(), seller: 'gln:0361414000008' };
    const answered = actOnException(outside, { type: 'answer', correction: correctContents, note: 'corrected ASN received by email' }, D, later(30));
    expect(answered).toMatchObject({ state: 'resolved_by_correction', answers: [{ by: D, recheck: 'clean' }] });
    expect(() => actOnException(outside, { type: 'answer', note: 'x' }, M, later(30))).toThrow(expect.objectContaining({ code: 'EXCEPTION_PARTY' }));
  });

  type Step = [name: string, state: ExceptionState, action: ExceptionAction, actor: string, code: string];
  const refused: Step[] = [
    ['the seller refers', 'open', { type: 'refer' }, M, 'EXCEPTION_PARTY'],
    ['the receiver answers its own exception', 'waiting_on_partner', { type: 'answer', note: 'x' }, D, 'EXCEPTION_PARTY'],
    ['a third party closes', 'resolved_by_return', { type: 'close' }, P, 'EXCEPTION_PARTY'],
    ['referring twice', 'waiting_on_partner', { type: 'refer' }, D, 'EXCEPTION_TRANSITION'],
    ['closing an open exception', 'open', { type: 'close' }, D, 'EXCEPTION_TRANSITION'],
    ['closing a waiting exception', 'waiting_on_partner', { type: 'close' }, D, 'EXCEPTION_TRANSITION'],
    ['answering a resolved exception', 'resolved_by_correction', { type: 'answer', note: 'x' }, M, 'EXCEPTION_TRANSITION'],
    ['resolving a closed exception', 'closed', { type: 'resolve', resolution: 'return' }, D, 'EXCEPTION_TRANSITION'],
    ['resolving by correction with no corrected data', 'waiting_on_partner', { type: 'resolve', resolution: 'correction' }, D, 'EXCEPTION_TRANSITION'],
    ['an answer with neither data nor note', 'waiting_on_partner', { type: 'answer' }, M, 'EXCEPTION_INVALID'],
    ['a malformed correction', 'waiting_on_partner', { type: 'answer', correction: { ti: [{ gtin: GTIN, quantity: -1 }] } }, M, 'EXCEPTION_INVALID'],
    ['an unknown resolution', 'open', { type: 'resolve', resolution: 'shrug' as never }, D, 'EXCEPTION_INVALID'],
  ];
  it.each(refused)('refuses %s', (_name, state, action, actor, code) => {
    const record: ExceptionRecord = { ...raised(), state };
    let err: unknown;
    try {
      actOnException(record, action, actor, later(5));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
  });

  type Allowed = [from: ExceptionState, action: ExceptionAction, actor: string, to: ExceptionState];
  const allowed: Allowed[] = [
    ['open', { type: 'refer' }, D, 'waiting_on_partner'],
    ['open', { type: 'resolve', resolution: 'return' }, D, 'resolved_by_return'],
    ['waiting_on_partner', { type: 'resolve', resolution: 'destruction' }, D, 'resolved_by_destruction'],
    ['waiting_on_partner', { type: 'answer', note: 'we are looking' }, M, 'open'],
    ['resolved_by_return', { type: 'close' }, D, 'closed'],
    ['resolved_by_destruction', { type: 'close' }, D, 'closed'],
  ];
  it.each(allowed)('%s --%o--> %s', (from, action, actor, to) => {
    expect(actOnException({ ...raised(), state: from }, action, actor, later(5)).state).toBe(to);
  });

  it('raising is the receiver\'s, with evidence and a known rule', () => {
    expect(() => raiseException({ id: 'x', finding }, M, at)).toThrow(expect.objectContaining({ code: 'EXCEPTION_PARTY' }));
    expect(() => raiseException({ id: 'x', finding: { ...finding, rule: 'bad' as never } }, D, at)).toThrow(expect.objectContaining({ code: 'EXCEPTION_INVALID' }));
    expect(() => raiseException({ id: 'x', finding: { ...finding, evidence: { summary: '' } } }, D, at)).toThrow(expect.objectContaining({ code: 'EXCEPTION_INVALID' }));
    expect(() => raiseException({ id: 'x', finding, evidenceSha256: 'nothex' }, D, at)).toThrow(expect.objectContaining({ code: 'EXCEPTION_INVALID' }));
  });

  type Recheck = [rule: string, evidence: Finding['evidence'], correction: Parameters<typeof recheck>[1], toReceiver: string[], clean: boolean];
  const rechecks: Recheck[] = [
    ['quantity_differs_from_ti', { summary: 's', gtin: GTIN, tiQuantity: 12, shippedQuantity: 6 }, { ti: [{ gtin: GTIN, quantity: 6 }] }, [], true],
    ['quantity_differs_from_ti', { summary: 's', gtin: GTIN, tiQuantity: 12, shippedQuantity: 6 }, { ti: [{ gtin: GTIN, quantity: 12 }] }, [], false],
    ['identifier_mismatch', { summary: 's', identifiers: [{ id: pack(5), ledger: { lot: 'L1', expiry: '2030-12-31' }, scanned: { lot: 'L2' } }] }, { packs: [{ id: pack(5), lot: 'L2', expiry: '2030-12-31' }] }, [], true],
    ['identifier_mismatch', { summary: 's', identifiers: [{ id: pack(5), ledger: { lot: 'L1', expiry: '2030-12-31' }, scanned: { lot: 'L2' } }] }, { packs: [{ id: pack(5), lot: 'L1', expiry: '2030-12-31' }] }, [], false],
    ['aggregation_extra_pack', { summary: 's', unexpected: [pack(9)] }, { contents: [{ container: CASE, children: [pack(9)] }] }, [], true],
    ['product_without_data', { summary: 's', unexpected: [pack(9)] }, undefined, [pack(9)], true],
    ['product_without_data', { summary: 's', unexpected: [pack(9)] }, undefined, [], false],
    ['data_without_product', { summary: 's', missing: [pack(6)] }, undefined, [pack(6)], false],
    ['data_without_product', { summary: 's', missing: [pack(6)] }, undefined, [], true],
    ['seal_broken', { summary: 's', container: CASE }, { contents: [] }, [], false],
  ];
  it.each(rechecks)('re-checks %s against the correction and the ledger (clean: %#)', (rule, evidence, correction, toReceiver, clean) => {
    expect(recheck({ rule: rule as Finding['rule'], evidence, subjects: [pack(1)] }, correction, { toReceiver: new Set(toReceiver) }).clean).toBe(clean);
  });
});

describe('the exception commands as the ledger parses them', () => {
  const finding = checkReceipt(shipped(), found({ scanned: scans(1, 2, 3) }))[0] as Finding;
  it('reads a raise, an answer and a held receipt', () => {
    expect(parseLedgerCommand('RaiseExceptions', JSON.stringify({ eventId: 'e1', findings: [finding], refer: true })).findings[0]).toEqual(finding);
    expect(parseLedgerCommand('AnswerException', JSON.stringify({ eventId: 'e2', exceptionId: 'x#1', receiver: D, correction: { ti: [{ gtin: GTIN, quantity: 6 }] } })).correction).toEqual({ ti: [{ gtin: GTIN, quantity: 6 }] });
    expect(parseLedgerCommand('Receive', JSON.stringify({ eventId: 'e3', epcs: [CASE], underException: true, hold: { epcs: [pack(1)], reason: 'no_pedigree_match' } })).hold).toEqual({ epcs: [pack(1)], reason: 'no_pedigree_match' });
  });
  it.each([
    ['RaiseExceptions', { findings: [{ ...finding, rule: 'nope' }] }, 'findings[0].rule'],
    ['RaiseExceptions', { findings: [{ ...finding, extra: 1 }] }, 'findings[0].extra'],
    ['RaiseExceptions', { findings: [{ ...finding, evidence: {} }] }, 'findings[0].evidence.summary'],
    ['AnswerException', { exceptionId: 'x', correction: { contents: [], guess: 1 } }, 'correction.guess'],
    ['ResolveException', { exceptionId: 'x', resolution: 'shrug' }, 'resolution'],
    ['Receive', { epcs: [CASE], hold: { epcs: [pack(1)], reason: 'bored' } }, 'hold.reason'],
  ] as const)('%s refuses %j naming %s', (transaction, body, field) => {
    expect(() => parseLedgerCommand(transaction, JSON.stringify({ eventId: 'e', ...body }))).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID', details: expect.objectContaining({ field }) }));
  });
});
