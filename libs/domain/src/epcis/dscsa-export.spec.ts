import { pglnToEpcUrn, sgtinToEpcUrn, ssccToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { bizTransactionUrn, commissionEvent, packEvent, shipEvent } from './builders';
import { dscsaShipmentDocument, sgtinClassPattern, type DscsaShipmentExport } from './dscsa-export';
import { validateEpcisDocument } from './validate';
import { dscsaHeaderOf } from './xml/dscsa-header';
import { readEpcisXml } from './xml/reader';
import { writeEpcisXml } from './xml/writer';

const GTIN = '00312345678906';
const SELLER_GLN = withCheckDigit('031234500000');
const BUYER_GLN = withCheckDigit('039876500000');
const packs = ['1001', '1002'].map((s) => sgtinToEpcUrn(GTIN, s));
const sscc = ssccToEpcUrn(withCheckDigit('00312345000000011'));

const input: DscsaShipmentExport = {
  shipmentId: 'ship-77',
  createdAt: '2026-03-01T17:00:00.000Z',
  seller: { name: 'Acme Pharma Inc.', gln: SELLER_GLN, address: { street: '1 Main St', city: 'Trenton', state: 'NJ', postalCode: '08601', countryCode: 'US' } },
  buyer: { name: 'Continental Wholesale', gln: BUYER_GLN, address: { street: '9 Dock Rd', city: 'Memphis', state: 'TN', postalCode: '38118', countryCode: 'US' } },
  statementAffirmed: true,
  products: [{ gtin: GTIN, ndc: '12345-678-90', name: 'Amoxicillin 500 mg capsules', dosageForm: 'capsule', strength: '500 mg', packSize: '30 capsules', manufacturerName: 'Acme Pharma Inc.' }],
  events: [
    commissionEvent({ eventTime: '2026-02-01T14:00:00.000Z', epcs: packs, lot: 'A1', expiry: '2028-11-30' }),
    packEvent({ eventTime: '2026-02-01T14:05:00.000Z', parent: sscc, children: packs, sealed: true }),
    shipEvent({ eventTime: '2026-03-01T16:00:00.000Z', epcs: [sscc], from: { owner: pglnToEpcUrn(SELLER_GLN) }, to: { owner: pglnToEpcUrn(BUYER_GLN) }, bizTransactions: [{ type: 'desadv', bizTransaction: bizTransactionUrn(SELLER_GLN, 'ship-77') }] }),
  ],
};

describe('dscsaShipmentDocument', () => {
  const doc = dscsaShipmentDocument(input);

  it('is a valid EPCIS 2.0 document under the DSCSA profile', () => {
    expect(validateEpcisDocument(doc, { dscsa: true })).toEqual([]);
  });

  it.each(['1.2', '2.0'] as const)('reads back from EPCIS %s XML with the same header and events', (version) => {
    const read = readEpcisXml(writeEpcisXml(doc, { version }));
    const header = dscsaHeaderOf(read.document);
    expect(header).toMatchObject({
      sender: { identifier: 'urn:epc:id:sgln:0312345.00000.0', authority: 'SGLN' },
      receiver: { identifier: 'urn:epc:id:sgln:0398765.00000.0', authority: 'SGLN' },
      instanceIdentifier: 'ship-77',
      transactionStatementAffirmed: true,
    });
    expect(header.products[sgtinClassPattern(GTIN)]).toMatchObject({ additionalTradeItemIdentification: '12345067890', additionalTradeItemIdentificationTypeCode: 'FDA_NDC_11', regulatedProductName: 'Amoxicillin 500 mg capsules', dosageFormType: 'capsule' });
    expect(Object.keys(header.locations).sort()).toEqual(['urn:epc:id:sgln:0312345.00000.0', 'urn:epc:id:sgln:0398765.00000.0']);
    expect(header.locations['urn:epc:id:sgln:0398765.00000.0']).toMatchObject({ name: 'Continental Wholesale', city: 'Memphis' });
    const events = (read.document['epcisBody'] as { eventList: Array<Record<string, unknown>> }).eventList;
    expect(events.map((e) => [e['type'], e['bizStep'], e['eventID']])).toEqual(input.events.map((e) => [e.type, e.bizStep, e.eventID]));
  });

  it.each(['1.2', '2.0'] as const)('re-reads identically from EPCIS %s XML: the whole header and every event, and writes the same bytes again', (version) => {
    const xml = writeEpcisXml(doc, { version });
    const read = readEpcisXml(xml).document;
    expect(read['epcisHeader']).toEqual(doc['epcisHeader']);
    expect(read['epcisBody']).toEqual(doc['epcisBody']);
    expect(read['creationDate']).toEqual(doc['creationDate']);
    expect(writeEpcisXml(read, { version })).toBe(xml);
  });
});
