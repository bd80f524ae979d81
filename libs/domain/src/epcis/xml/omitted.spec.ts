import { readAndValidateEpcisXml } from './capture';
import { readEpcisXml } from './reader';

/**
 * Content an EPCIS XML document may carry that EPCIS 2.0 JSON-LD has no place for (our own
 * documents, written from the EPCIS 1.2 and 2.0 XSDs: EPCISDocumentType, EPCISBodyType and
 * EventListType end in `extension` and `##other`; 1.2's EventList/extension/extension is the
 * `##local` slot for later versions). Each is named in `omitted` with its place, never dropped silently.
 */
const OBJECT_EVENT = `<ObjectEvent><eventTime>2026-03-01T08:00:00.000-05:00</eventTime><eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
  <epcList><epc>urn:epc:id:sgtin:0312345.012345.1001</epc></epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep></ObjectEvent>`;

const doc = (ns: string, body: string, after = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="${ns}" xmlns:acme="https://acme.example/epcis/" schemaVersion="${ns.endsWith('1') ? '1.2' : '2.0'}" creationDate="2026-03-01T09:00:00Z">
<EPCISBody>${body}</EPCISBody>${after}</epcis:EPCISDocument>`;
const V12 = 'urn:epcglobal:epcis:xsd:1';
const V20 = 'urn:epcglobal:epcis:xsd:2';

describe('EPCIS XML content with no JSON-LD form is named as omitted', () => {
  it.each<[string, string, Array<{ path: string; element: string }>]>([
    ['nothing beyond the events (1.2)', doc(V12, `<EventList>${OBJECT_EVENT}</EventList>`), []],
    ['EPCISDocument/extension (1.2, ##local)', doc(V12, `<EventList>${OBJECT_EVENT}</EventList>`, '<extension><batchRef>B-1</batchRef></extension>'),
      [{ path: '/EPCISDocument/extension', element: 'extension' }]],
    ['a document-level ##other element (2.0)', doc(V20, `<EventList>${OBJECT_EVENT}</EventList>`, '<acme:signature>abc</acme:signature>'),
      [{ path: '/EPCISDocument/signature', element: '{https://acme.example/epcis/}signature' }]],
    ['EPCISBody/extension and a body-level ##other element (1.2)', doc(V12, `<EventList>${OBJECT_EVENT}</EventList><extension><x>1</x></extension><acme:note>n</acme:note>`),
      [{ path: '/EPCISDocument/EPCISBody/extension', element: 'extension' }, { path: '/EPCISDocument/EPCISBody/note', element: '{https://acme.example/epcis/}note' }]],
    ['EventList/extension/extension (1.2 ##local slot for later versions)', doc(V12, `<EventList>${OBJECT_EVENT}<extension><extension><FutureEvent><at>1</at></FutureEvent></extension></extension></EventList>`),
      [{ path: '/EPCISDocument/EPCISBody/EventList/extension/extension', element: 'extension' }]],
  ])('%s', (_name, xml, expected) => {
    expect(readAndValidateEpcisXml(xml).issues).toEqual([]);
    const read = readEpcisXml(xml);
    expect(read.omitted.map(({ path, element }) => ({ path, element }))).toEqual(expected);
    for (const o of read.omitted) expect(o.line).toBeGreaterThan(0);
    // The events themselves are read as ever: one ObjectEvent.
    expect((read.document['epcisBody'] as { eventList: unknown[] }).eventList).toHaveLength(1);
  });

  it.each([V12, V20])('an event type in another namespace in the EventList (%s) is refused by the schema, not dropped', (ns) => {
    const xml = doc(ns, `<EventList>${OBJECT_EVENT}<acme:InspectionEvent><acme:result>pass</acme:result></acme:InspectionEvent></EventList>`);
    expect(() => readEpcisXml(xml)).toThrow(expect.objectContaining({ code: 'EPCIS_XML_INVALID' }));
  });

  it('names only the outermost element: its descendants are not listed again', () => {
    const read = readEpcisXml(doc(V12, `<EventList>${OBJECT_EVENT}</EventList><extension><a><b>1</b></a></extension>`));
    expect(read.omitted).toHaveLength(1);
  });
});
