import { EPCIS_CONTEXT } from '@pedigree/domain';
import { answerMediaType, eventAnswerFormat, renderEventAnswer, type EventAnswerFormat } from './media-type';

describe('the media type of a query answer, by Accept', () => {
  it.each([
    ['*/*', 'json'], ['application/json', 'json'], ['application/ld+json', 'json'], ['application/*', 'json'],
    ['application/xml', 'xml'], ['text/xml', 'xml'], ['application/xml, application/json', 'xml'],
    ['application/json;q=0.5, application/xml', 'xml'], ['application/xml;q=0.2, */*;q=0.9', 'json'], ['text/html, application/xml;q=0.9', 'xml'],
  ])('%s -> %s', (accept, type) => expect(answerMediaType(accept)).toBe(type));

  it.each(['text/csv', 'application/xml;q=0', 'text/html'])('%s -> 406 NotAcceptableException', (accept) => {
    expect(() => answerMediaType(accept)).toThrow(expect.objectContaining({ status: 406 }));
  });
});

describe('the format of an event answer: Accept, GS1-EPCIS-Version, GS1-EPC-Format, GS1-CBV-XML-Format', () => {
  it.each<[Record<string, string>, Partial<EventAnswerFormat>]>([
    // The binding's default when GS1-EPC-Format is absent; 1.2 keeps EPCs as recorded (URNs).
    [{}, { media: 'json', version: '2.0', epc: 'Always_GS1_Digital_Link', cbv: 'No_Preference' }],
    [{ 'gs1-epc-format': ' ' }, { version: '2.0', epc: 'Always_GS1_Digital_Link' }],
    [{ 'gs1-epcis-version': '1.2.0' }, { version: '1.2', epc: 'No_Preference' }],
    [{ 'gs1-epc-format': 'No_Preference' }, { version: '2.0', epc: 'No_Preference' }],
    [{ accept: 'application/xml' }, { media: 'xml', version: '2.0' }],
    [{ accept: 'application/xml', 'gs1-epcis-version': '1.2.0' }, { media: 'xml', version: '1.2' }],
    [{ 'gs1-epcis-version': '1.2' }, { media: 'xml', version: '1.2' }],
    [{ accept: 'application/json, */*;q=0.1', 'gs1-epcis-version': '1.2.0' }, { media: 'xml', version: '1.2' }],
    [{ 'gs1-epcis-version': '2.0.0', accept: 'text/xml' }, { media: 'xml', version: '2.0' }],
    [{ 'gs1-cbv-xml-format': 'always_web_uri', 'gs1-epc-format': 'Always_GS1_Digital_Link' }, { cbv: 'Always_Web_URI', epc: 'Always_GS1_Digital_Link' }],
  ])('%j', (headers, expected) => expect(eventAnswerFormat(headers)).toMatchObject(expected));

  it.each<[Record<string, string>, number]>([
    [{ 'gs1-epcis-version': '1.1.0' }, 406],
    [{ 'gs1-epcis-version': '3.0' }, 406],
    [{ 'gs1-epcis-version': 'latest' }, 406],
    [{ 'gs1-epcis-version': '1.2.0', accept: 'application/ld+json' }, 406],
  ])('%j -> %d', (headers, status) => expect(() => eventAnswerFormat(headers)).toThrow(expect.objectContaining({ status })));

  it.each(['gs1-cbv-xml-format', 'gs1-epc-format'])('%s with a value the standard does not have is a query parameter error', (name) => {
    expect(() => eventAnswerFormat({ [name]: 'Sometimes' })).toThrow(expect.objectContaining({ code: 'EPCIS_QUERY_INVALID' }));
  });
});

describe('an event answer as asked', () => {
  const when = { eventTime: '2026-03-01T10:00:00Z', eventTimeZoneOffset: '+00:00' };
  const events: Array<Record<string, unknown>> = [
    { type: 'ObjectEvent', ...when, action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: ['urn:epc:id:sgtin:0312345.067890.1001'] },
    { type: 'AssociationEvent', ...when, action: 'ADD', bizStep: 'assembling', parentID: 'urn:epc:id:grai:4012345.55555.0', childEPCs: ['urn:epc:id:giai:4012345.SENSOR-1'] },
    { type: 'ObjectEvent', ...when, action: 'OBSERVE', bizStep: 'sensor_reporting', readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' }, sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 5.5, uom: 'CEL' }] }] },
  ];
  const doc = { '@context': [EPCIS_CONTEXT], type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate: '2026-03-01T00:00:00Z', epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } } };
  const as = (headers: Record<string, string>) => renderEventAnswer(doc, eventAnswerFormat(headers), { queryName: 'SimpleEventQuery', subscriptionID: 'sub-1' });

  it('1.2 XML: an epcisq:EPCISQueryDocument of 1.2, what 1.2 cannot carry left out and named', () => {
    const { body, headers } = as({ 'gs1-epcis-version': '1.2.0' });
    expect(headers).toMatchObject({ 'content-type': 'application/xml; charset=utf-8', 'GS1-EPCIS-Version': '1.2.0', 'GS1-CBV-XML-Format': 'No_Preference' });
    expect(headers['x-epcis-omitted']).toMatch(/AssociationEvent/);
    expect(body).toMatch(/<epcisq:EPCISQueryDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:epcisq="urn:epcglobal:epcis-query:xsd:1"/);
    expect(body).toMatch(/<subscriptionID>sub-1<\/subscriptionID>/);
    expect(body).toMatch(/<bizStep>urn:epcglobal:cbv:bizstep:shipping<\/bizStep>/);
    expect(body).not.toMatch(/AssociationEvent|sensorElementList/);
  });

  it('2.0 XML with Web URIs: CBV terms as https://ref.gs1.org/cbv/…, which the reader takes back to the same terms', () => {
    const { body, headers } = as({ accept: 'application/xml', 'gs1-cbv-xml-format': 'Always_Web_URI' });
    expect(headers['GS1-CBV-XML-Format']).toBe('Always_Web_URI');
    expect(headers['GS1-EPCIS-Version']).toBeUndefined();
    expect(body).toMatch(/<bizStep>https:\/\/ref\.gs1\.org\/cbv\/BizStep-shipping<\/bizStep>/);
    expect(body).not.toMatch(/urn:epcglobal:cbv:/);
  });

  it('JSON-LD: the EPC spelling applied, no XML headers', () => {
    const { body, headers } = as({ 'gs1-epc-format': 'Always_GS1_Digital_Link' });
    expect(headers).toEqual({ 'GS1-EPC-Format': 'Always_GS1_Digital_Link' });
    expect(JSON.stringify(body)).toMatch(/https:\/\/id\.gs1\.org\/01\//);
  });
});
