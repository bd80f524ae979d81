import fc from 'fast-check';
import { DomainError } from '../errors';
import { pglnToEpcUrn, sgtinToEpcUrn, ssccToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { bizTransactionUrn, commissionEvent, packEvent, shipEvent } from './builders';
import { dscsaShipmentDocument, type DscsaShipmentExport } from './dscsa-export';
import { inboundContainers, inboundPack } from '../lifecycle/inbound';
import { gtinOfEpcClass, inboundShipmentOf, type InboundShipment } from './inbound-document';
import { readEpcisXml } from './xml/reader';
import { writeEpcisXml } from './xml/writer';

// A non-member's shipment as its system would send it: one case of two packs and one loose pack.
const GTIN = withCheckDigit('0036141400001');
const SELLER = withCheckDigit('036141400000');
const BUYER = withCheckDigit('034567800000');
const inCase = ['1', '2'].map((s) => sgtinToEpcUrn(GTIN, s));
const loose = sgtinToEpcUrn(GTIN, '3');
const CASE = ssccToEpcUrn(withCheckDigit('00361414000000011'));
const input = (over: Partial<DscsaShipmentExport> = {}): DscsaShipmentExport => ({
  shipmentId: 'ASN-9', createdAt: '2026-03-01T17:00:00.000Z', statementAffirmed: true,
  seller: { name: 'Outside Pharma', gln: SELLER }, buyer: { name: 'Continental', gln: BUYER },
  products: [{ gtin: GTIN, ndc: '61414-001-01', name: 'Outsidol 5 mg tablets' }],
  events: [
    commissionEvent({ eventTime: '2026-02-01T14:00:00.000Z', epcs: [...inCase, loose], lot: 'B7', expiry: '2028-11-30' }),
    packEvent({ eventTime: '2026-02-01T14:05:00.000Z', parent: CASE, children: inCase, sealed: true }),
    shipEvent({ eventTime: '2026-03-01T16:00:00.000Z', epcs: [CASE, loose], from: { owner: pglnToEpcUrn(SELLER) }, to: { owner: pglnToEpcUrn(BUYER) }, bizTransactions: [{ type: 'desadv', bizTransaction: bizTransactionUrn(SELLER, 'ASN-9') }] }),
  ],
  ...over,
});
const viaXml = (version: '1.2' | '2.0', over: Partial<DscsaShipmentExport> = {}) => readEpcisXml(writeEpcisXml(dscsaShipmentDocument(input(over)), { version })).document;

describe('inboundShipmentOf', () => {
  it.each(['1.2', '2.0'] as const)('reads a non-member\'s EPCIS %s XML shipment: parties, statement, every pack with lot and expiry, master data', (version) => {
    const s = inboundShipmentOf(viaXml(version));
    expect(s).toMatchObject({ sellerGln: SELLER, sellerName: 'Outside Pharma', receiverGln: BUYER, documentId: 'ASN-9', statementAffirmed: true, topLevel: [CASE, loose], bizTransaction: bizTransactionUrn(SELLER, 'ASN-9') });
    expect(s.containers).toEqual([{ id: CASE, children: inCase }]);
    expect(s.packs.map((p) => [p.epc, p.lot, p.expiry])).toEqual([...inCase, loose].map((e) => [e, 'B7', '2028-11-30']));
    expect(s.products[GTIN]).toMatchObject({ regulatedProductName: 'Outsidol 5 mg tablets' });
  });

  it('reads the same from the JSON-LD document', () => {
    expect(inboundShipmentOf(dscsaShipmentDocument(input()))).toEqual(inboundShipmentOf(viaXml('1.2')));
  });

  const [commission, pack, ship] = input().events as [never, never, never];
  it.each([
    ['no shipping event', { events: [commission, pack] }, /0 shipping events/],
    ['two shipping events', { events: [commission, pack, ship, ship] }, /2 shipping events/],
    ['a case without its packing event', { events: [commission, ship] }, /has no packing event/],
    ['a pack without its commissioning event', { events: [pack, ship] }, /commissioning event/],
  ])('refuses a document with %s (INBOUND_REFUSED naming the element)', (_what, over, message) => {
    expect(() => inboundShipmentOf(viaXml('1.2', over as Partial<DscsaShipmentExport>))).toThrow(message);
    try {
      inboundShipmentOf(viaXml('1.2', over as Partial<DscsaShipmentExport>));
    } catch (err) {
      expect(err).toMatchObject({ code: 'INBOUND_REFUSED', details: { issues: [{ path: expect.stringMatching(/^epcisBody\.eventList/) }] } });
    }
  });

  // The TI's line items as the shipping event states them by class; a count of packs or a refusal.
  const withQuantities = (quantityList: unknown): Partial<DscsaShipmentExport> => ({ events: [commission, pack, { ...(ship as object), quantityList } as never] });
  it.each(['1.2', '2.0'] as const)('reads the shipping event\'s quantityList as the document\'s TI line items (%s XML)', (version) => {
    const s = inboundShipmentOf(viaXml(version, withQuantities([{ epcClass: 'urn:epc:class:lgtin:0361414.000001.B7', quantity: 4 }, { epcClass: 'urn:epc:idpat:sgtin:0361414.000001.*', quantity: 3 }])));
    expect(s.tiLines).toEqual([{ gtin: GTIN, lot: 'B7', quantity: 4 }, { gtin: GTIN, quantity: 3 }]);
    expect(inboundShipmentOf(viaXml(version)).tiLines).toEqual([]);
  });

  it.each([
    ['a fractional quantity of packs', [{ epcClass: 'urn:epc:class:lgtin:0361414.000001.B7', quantity: 2.5 }], /quantityList\[0\]\.quantity/],
    ['a class that is no product', [{ epcClass: 'urn:epc:idpat:sscc:0361414.*', quantity: 1 }], /quantityList\[0\]\.epcClass/],
    ['a quantity element without a number', [{ epcClass: 'urn:epc:class:lgtin:0361414.000001.B7' }], /quantityList/],
  ])('refuses %s in the shipping event (INBOUND_REFUSED naming the element)', (_what, list, path) => {
    expect(() => inboundShipmentOf(dscsaShipmentDocument(input(withQuantities(list))))).toThrow(expect.objectContaining({ code: 'INBOUND_REFUSED', message: expect.stringMatching(path) }));
  });

  it('refuses a document without SBDH parties', () => {
    const doc = dscsaShipmentDocument(input()) as unknown as { epcisHeader: Record<string, unknown> };
    delete doc.epcisHeader['sbdh:StandardBusinessDocumentHeader'];
    expect(() => inboundShipmentOf(doc)).toThrow(expect.objectContaining({ code: 'INBOUND_REFUSED', message: expect.stringMatching(/Sender/) }));
  });

  it.each([
    [`urn:epc:idpat:sgtin:0361414.000001.*`, GTIN],
    [`urn:epc:class:lgtin:0361414.000001.B7`, GTIN],
    [`https://id.gs1.org/01/${GTIN}`, GTIN],
    ['urn:epc:idpat:sgtin:nonsense', undefined],
  ])('names the GTIN of the EPC class %s', (cls, gtin) => {
    expect(gtinOfEpcClass(cls)).toBe(gtin);
  });
});

describe('inboundShipmentOf: an aggregation that does not add up is a finding, not a refusal', () => {
  const CASE2 = ssccToEpcUrn(withCheckDigit('00361414000000028'));
  const stranger = sgtinToEpcUrn(GTIN, '9');
  const [commission, , ship] = input().events as unknown as [Record<string, unknown>, never, Record<string, unknown>];
  const packOf = (parent: string, children: string[]) => packEvent({ eventTime: '2026-02-01T14:05:00.000Z', parent, children, sealed: true });
  const shipping = (epcs: string[]) => ({ ...ship, epcList: epcs });
  /** The load must satisfy the ledger's container rules (ReceiveInbound), whatever the document said. */
  const assertLedgerTakes = (s: InboundShipment): void => {
    const packs = s.packs.map((x) => inboundPack({ epc: x.epc, lot: x.lot, expiry: x.expiry, seller: 'gln:0361414000000', shipmentId: 'inbound:x' }, 'DistributorMSP', '2026-03-02T00:00:00.000Z'));
    expect(() => inboundContainers(packs, s.containers, 'DistributorMSP', '2026-03-02T00:00:00.000Z')).not.toThrow();
  };

  it.each<[string, unknown[], { containers: Array<{ id: string; children: string[] }>; packs: string[]; findings: Array<{ rule: string; subjects: string[]; hold: string[]; container?: string; missing?: string[] }> }]>([
    ['a case listing a pack the document does not ship', [commission, packOf(CASE, [...inCase, stranger]), shipping([CASE, loose])], {
      containers: [{ id: CASE, children: inCase }], packs: [...inCase, loose],
      findings: [{ rule: 'aggregation_missing_pack', subjects: [CASE, stranger].sort(), hold: inCase, container: CASE, missing: [stranger] }],
    }],
    ['a pack in two cases', [commission, packOf(CASE, inCase), packOf(CASE2, [inCase[1] as string, loose]), shipping([CASE, CASE2])], {
      containers: [{ id: CASE, children: inCase }, { id: CASE2, children: [loose] }], packs: [...inCase, loose],
      findings: [{ rule: 'aggregation_missing_pack', subjects: [CASE2, inCase[1] as string].sort(), hold: [loose, inCase[1] as string].sort(), container: CASE2, missing: [inCase[1] as string] }],
    }],
    ['a pack listed loose that is inside a shipped case', [commission, packOf(CASE, inCase), shipping([CASE, inCase[0] as string, loose])], {
      containers: [{ id: CASE, children: inCase }], packs: [...inCase, loose],
      findings: [{ rule: 'aggregation_extra_pack', subjects: [inCase[0] as string], hold: [inCase[0] as string], container: CASE }],
    }],
    ['a pack shipped loose whose case did not ship', [commission, packOf(CASE, inCase), packOf(CASE2, [loose]), shipping([CASE, loose])], {
      containers: [{ id: CASE, children: inCase }], packs: [...inCase, loose],
      findings: [{ rule: 'aggregation_extra_pack', subjects: [loose], hold: [loose], container: CASE2 }],
    }],
  ])('%s: received as the document first places each EPC, the finding against the seller with its packs held', (_what, events, expected) => {
    for (const doc of [dscsaShipmentDocument(input({ events: events as never })), viaXml('1.2', { events: events as never })]) {
      const s = inboundShipmentOf(doc);
      expect(s.containers).toEqual(expected.containers);
      expect(s.packs.map((x) => x.epc).sort()).toEqual([...expected.packs].sort());
      expect(s.loadFindings.map((f) => ({ rule: f.rule, subjects: f.subjects, hold: f.hold, ...(f.evidence.container ? { container: f.evidence.container } : {}), ...(f.evidence.missing ? { missing: f.evidence.missing } : {}) }))).toEqual(expected.findings);
      for (const f of s.loadFindings) expect(f.evidence.summary).toMatch(/\S/);
      assertLedgerTakes(s);
    }
  });

  it('a clean document has no findings', () => {
    expect(inboundShipmentOf(viaXml('1.2')).loadFindings).toEqual([]);
  });

  it.each([
    ['a case none of whose packs the document ships', [commission, packOf(CASE, [stranger]), shipping([CASE, loose])], /lists no pack with a commissioning event/],
    ['a loose pack the document has no data for', [commission, packOf(CASE, inCase), shipping([CASE, stranger])], /no commissioning event/],
  ])('still refuses %s: nothing there to receive', (_what, events, message) => {
    expect(() => inboundShipmentOf(dscsaShipmentDocument(input({ events: events as never })))).toThrow(expect.objectContaining({ code: 'INBOUND_REFUSED', message: expect.stringMatching(message) }));
  });

  it('any packing of the load gives a load the ledger takes, or a typed refusal (fast-check)', () => {
    const epcs = [...inCase, loose, stranger, CASE, CASE2];
    const packing = fc.array(fc.tuple(fc.constantFrom(CASE, CASE2), fc.subarray(epcs, { minLength: 1 })), { maxLength: 3 });
    fc.assert(fc.property(packing, fc.subarray(epcs, { minLength: 1 }), (packings, top) => {
      const events = [commission, ...packings.map(([parent, kids]) => packOf(parent, kids)), shipping(top)];
      try {
        const s = inboundShipmentOf(dscsaShipmentDocument(input({ events: events as never })));
        assertLedgerTakes(s);
        const inLoad = new Set(s.packs.map((x) => x.epc));
        for (const f of s.loadFindings) for (const h of f.hold) expect(inLoad.has(h)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
      }
    }), { numRuns: 300 });
  });
});

describe('inboundShipmentOf under random damage (fast-check)', () => {
  // Any document: a shipment read, or a typed refusal; never a crash, never a pack without lot and expiry.
  const base = dscsaShipmentDocument(input()) as unknown as Record<string, unknown>;
  const paths = (o: unknown, at: string[] = []): string[][] =>
    o && typeof o === 'object' ? Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])]) : [];
  const all = paths(base);
  const damage = (doc: unknown, path: string[], value: unknown): unknown => {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    let o: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[path[path.length - 1] as string] = value;
    return copy;
  };
  it('answers a shipment or a DomainError', () => {
    fc.assert(fc.property(fc.constantFrom(...all), fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.constant([]), fc.constant({})), (path, value) => {
      try {
        const s = inboundShipmentOf(damage(base, path, value) as object);
        for (const p of s.packs) expect(p.lot.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(p.expiry)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
      }
    }), { numRuns: 400 });
  });
});
