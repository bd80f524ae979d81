import { dscsaHeaderOf, readEpcisXml, sgtinClassPattern, sgtinToEpcUrn, ssccToEpcUrn, validateEpcisDocument, withCheckDigit } from '@pedigree/domain';
import { key, MSP, Postgres, runId, Service } from './support';

/**
 * POST /epcis/capture with EPCIS 1.2 and 2.0 XML bodies, on the real network: the same validation
 * and result shape as JSON-LD, XML problems located by line and element, re-sending writes nothing.
 */
const GTIN = '00312345678906';
const NDC = '12345-678-90';
const LOT = `X${runId}`.slice(0, 20);
const serial = (n: number) => `X${runId}${n}`.slice(0, 20);
const SSCC = ssccToEpcUrn(withCheckDigit(`00312345${String((Date.now() + 7) % 1e9).padStart(9, '0')}`));

const xml12 = (serials: number[]) => `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="1.2" creationDate="${new Date().toISOString()}">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>${new Date().toISOString()}</eventTime>
        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <epcList>${serials.map((n) => `<epc>${sgtinToEpcUrn(GTIN, serial(n))}</epc>`).join('')}</epcList>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <readPoint><id>urn:epc:id:sgln:0312345.00001.0</id></readPoint>
        <extension><ilmd><cbvmda:lotNumber>${LOT}</cbvmda:lotNumber><cbvmda:itemExpirationDate>2030-12-31</cbvmda:itemExpirationDate></ilmd></extension>
      </ObjectEvent>
      <AggregationEvent>
        <eventTime>${new Date().toISOString()}</eventTime>
        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <parentID>${SSCC}</parentID>
        <childEPCs>${serials.map((n) => `<epc>${sgtinToEpcUrn(GTIN, serial(n))}</epc>`).join('')}</childEPCs>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
      </AggregationEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>`;

let pg: Postgres;
let m: Service;

beforeAll(async () => {
  pg = await Postgres.start();
  m = new Service('manufacturer', pg.databaseUrl(`xmlcapture_${runId}`));
  await m.start();
  await m.ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
}, 240_000);

afterAll(async () => {
  await m?.kill('SIGTERM');
  await pg?.stop();
});

const post = (body: string, contentType: string) =>
  fetch(`${m.url}/epcis/capture`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': key('manufacturer', 'operator') }, body });

describe('EPCIS XML capture', () => {
  it('captures an EPCIS 1.2 XML document (commissioning + packing) and answers as for JSON-LD', async () => {
    const body = xml12([1, 2]);
    const res = await post(body, 'application/xml');
    const out = (await res.json()) as { captured: number; results: Array<{ epcisEventId: string; duplicate: boolean; changed: string[] }> };
    expect(res.status).toBe(200);
    expect(out.captured).toBe(2);
    expect(out.results[0]?.epcisEventId).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(out.results[1]?.changed).toContain(SSCC);
    // The same document again: the same event IDs, nothing written twice.
    const again = (await (await post(body, 'text/xml; charset=utf-8')).json()) as typeof out;
    expect(again.results.map((r) => r.epcisEventId)).toEqual(out.results.map((r) => r.epcisEventId));
    expect(again.results.every((r) => r.duplicate)).toBe(true);
  });

  it('records a document whole or not at all: a refused event records none of the others', async () => {
    const otherSscc = ssccToEpcUrn(withCheckDigit(`00312345${String((Date.now() + 11) % 1e9).padStart(9, '0')}`));
    const never = sgtinToEpcUrn(GTIN, serial(99));
    // Commissioning serial 5 is valid alone; packing it with a pack nobody commissioned is not.
    const body = xml12([5]).replace(SSCC, otherSscc).replace('</childEPCs>', `<epc>${never}</epc></childEPCs>`);
    const res = await post(body, 'application/xml');
    const out = (await res.json()) as { error: { domainCode?: string; message: string } };
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(out.error.domainCode).toBe('NOT_COMMISSIONED');
    expect(out.error.message).toMatch(/commands\[1\] \(Pack\)/);
    // A sentinel recorded after the refusal: once it shows, serial 5 would show too had it been recorded.
    const sentinel = await post(xml12([6]).replace(SSCC, ssccToEpcUrn(withCheckDigit(`00312345${String((Date.now() + 13) % 1e9).padStart(9, '0')}`))), 'application/xml');
    expect(sentinel.status).toBe(200);
    const headers = { 'x-api-key': key('manufacturer', 'auditor') };
    const events = async (n: number) => ((await (await fetch(`${m.url}/epcis/events?epc=${encodeURIComponent(sgtinToEpcUrn(GTIN, serial(n)))}`, { headers })).json()) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList;
    expect((await events(6)).length).toBe(2);
    expect(await events(5)).toEqual([]);
  });

  it('exports the events of a pack as EPCIS 1.2 XML (Accept or format) that reads back as the JSON-LD export', async () => {
    const epc = encodeURIComponent(sgtinToEpcUrn(GTIN, serial(1)));
    const headers = { 'x-api-key': key('manufacturer', 'auditor') };
    const json = (await (await fetch(`${m.url}/epcis/events?epc=${epc}`, { headers })).json()) as { epcisBody: { eventList: Array<Record<string, unknown>> } };
    expect(json.epcisBody.eventList.length).toBeGreaterThanOrEqual(2);
    for (const how of [`${m.url}/epcis/events?epc=${epc}&format=xml-1.2`, `${m.url}/epcis/events?epc=${epc}`]) {
      const res = await fetch(how, { headers: { ...headers, accept: 'application/xml' } });
      expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
      const read = readEpcisXml(await res.text());
      expect(read.version).toBe('1.2');
      const events = (read.document['epcisBody'] as { eventList: Array<Record<string, unknown>> }).eventList;
      expect(events.map((e) => e['eventID'])).toEqual(json.epcisBody.eventList.map((e) => e['eventID']));
    }
  });

  it('exports a shipment as the document the buyer expects (GS1 US DSCSA: SBDH, TS, master data, pedigree) that reads back identically', async () => {
    const shipped = await m.ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { shipmentId } }`,
      { e: [SSCC], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: MSP.manufacturer, buyer: MSP.distributor, products: [{ ndc: NDC, lot: LOT, quantity: 2 }] } });
    const id = encodeURIComponent(shipped.shipPacks.shipmentId);
    const headers = { 'x-api-key': key('manufacturer', 'auditor') };
    const json = (await (await fetch(`${m.url}/epcis/shipments/${id}/document`, { headers })).json()) as { epcisBody: { eventList: Array<Record<string, unknown>> } };
    expect(validateEpcisDocument(json, { dscsa: true })).toEqual([]);
    expect(json.epcisBody.eventList.map((e) => e['bizStep'])).toEqual(['commissioning', 'packing', 'shipping']);
    const res = await fetch(`${m.url}/epcis/shipments/${id}/document?format=xml-1.2`, { headers });
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const read = readEpcisXml(await res.text());
    expect(read.version).toBe('1.2');
    const header = dscsaHeaderOf(read.document);
    expect(header).toMatchObject({ instanceIdentifier: shipped.shipPacks.shipmentId, transactionStatementAffirmed: true });
    expect(header.sender?.identifier).toMatch(/^urn:epc:id:sgln:/);
    expect(header.receiver?.identifier).not.toBe(header.sender?.identifier);
    expect(header.products[sgtinClassPattern(GTIN)]).toMatchObject({ additionalTradeItemIdentification: '12345067890', regulatedProductName: 'Amoxicillin 500 mg capsules' });
    const events = (read.document['epcisBody'] as { eventList: Array<Record<string, unknown>> }).eventList;
    expect(events.map((e) => e['eventID'])).toEqual(json.epcisBody.eventList.map((e) => e['eventID']));
    // Re-reads identically: every event and the whole header, from 1.2 and from 2.0 XML (the
    // document is dated when the shipment was, so every fetch is the same document).
    for (const format of ['xml-1.2', 'xml-2.0']) {
      const again = readEpcisXml(await (await fetch(`${m.url}/epcis/shipments/${id}/document?format=${format}`, { headers })).text()).document;
      expect(again['epcisBody']).toEqual(json.epcisBody);
      expect(again['epcisHeader']).toEqual((json as Record<string, unknown>)['epcisHeader']);
    }
    // Nobody else's shipment: an unknown ID is 404, not an empty document.
    expect((await fetch(`${m.url}/epcis/shipments/nope-${runId}/document`, { headers })).status).toBe(404);
  });

  it('refuses XML that is not well-formed with the line and column', async () => {
    const res = await post(xml12([3]).replace('</action>', '</actio>'), 'application/xml');
    const out = (await res.json()) as { error: { code: string; domainCode?: string; details?: { line: number; column: number } } };
    expect(res.status).toBe(400);
    expect(out.error.domainCode).toBe('EPCIS_XML_INVALID');
    expect(out.error.details?.line).toBe(9);
  });

  it('refuses an invalid event whole, locating each issue at its XML element', async () => {
    const res = await post(xml12([4]).replace('<cbvmda:itemExpirationDate>2030-12-31', '<cbvmda:itemExpirationDate>2030-02-31'), 'application/xml');
    const out = (await res.json()) as { error: { details?: { issues: Array<{ path: string; line?: number; element?: string }> } } };
    expect(res.status).toBe(400);
    expect(out.error.details?.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'epcisBody.eventList[0].ilmd.cbvmda:itemExpirationDate', line: 5, element: '/EPCISDocument/EPCISBody/EventList/ObjectEvent[1]' }),
    ]));
  });
});
