import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDomainError } from '../../errors';
import { computeEventHashId, contextNamespaces, eventHashPreString } from '../event-hash';
import { LOCAL_EXTENSION_NS } from '../local-extension';
import { readAndValidateEpcisXml } from './capture';
import { readEpcisXml, xmlHashOptions } from './reader';
import { writeEpcisXml } from './writer';

type Obj = Record<string, unknown>;

/**
 * Our own 1.2 document (written for this spec from the EPCIS 1.2 XSD) with an element in no
 * namespace in every `##local` slot an event has: baseExtension/extension, readPoint/extension,
 * bizLocation/extension, ilmd/extension, ObjectEvent, AggregationEvent and TransactionEvent
 * extension/extension, a TransformationEvent's own extension; and unqualified children inside a
 * qualified extension.
 */
const FIXTURE = readFileSync(path.join(__dirname, 'fixtures/local-extension-slots-1.2.xml'), 'utf8');
/**
 * What GS1's reference implementation (epcis-event-hash-generator 1.9.3, `python -m
 * epcis_event_hash_generator -p fixtures/local-extension-slots-1.2.xml`) computes from that file,
 * recorded once: an element in no namespace is named by its local name alone.
 */
const REFERENCE_PRE_HASHES = [
  'eventType=ObjectEventeventTime=2026-03-01T13:00:00.000ZeventTimeZoneOffset=-05:00epcListepc=https://id.gs1.org/01/00312345123451/21/1001action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-commissioningdisposition=https://ref.gs1.org/cbv/Disp-activereadPointid=https://id.gs1.org/414/0312345000011/254/7bizLocationid=https://id.gs1.org/414/0312345000011auditRef=A-17bizLocationbuilding=NorthilmdbatchNote=released by QA{urn:epcglobal:cbv:mda}itemExpirationDate=2028-02-29{urn:epcglobal:cbv:mda}lotNumber=LOT7labelCheckcamera=C1camera=C2readPointline=L2{https://acme.example/epcis/}shiftcrew=B',
  'eventType=AggregationEventeventTime=2026-03-01T13:05:00.000ZeventTimeZoneOffset=-05:00parentID=https://id.gs1.org/00/003123450000000011childEPCsepc=https://id.gs1.org/01/00312345123451/21/1001action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-packingsealNumber=S-99',
  'eventType=TransactionEventeventTime=2026-03-01T14:00:00.000ZeventTimeZoneOffset=-05:00epcListepc=https://id.gs1.org/00/003123450000000011action=ADDbizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:0312345000010:PO-1carrierRef=TRK-5',
  'eventType=TransformationEventeventTime=2026-03-01T15:00:00.000ZeventTimeZoneOffset=-05:00inputEPCListepc=https://id.gs1.org/01/00312345123451/21/1001outputEPCListepc=https://id.gs1.org/01/00312345123451/21/2001bizStep=https://ref.gs1.org/cbv/BizStep-repackagingworkOrder=WO-3'
];

const eventsOf = (doc: Obj): Obj[] => (doc['epcisBody'] as { eventList: Obj[] }).eventList;

describe('EPCIS XML: elements in no namespace in the ##local extension slots', () => {
  const read = readEpcisXml(FIXTURE);
  const [object, aggregation, transaction, transformation] = eventsOf(read.document) as [Obj, Obj, Obj, Obj];

  it('are captured: no schema issue, valid EPCIS 2.0, the reserved prefix declared in @context', () => {
    expect(readAndValidateEpcisXml(FIXTURE).issues).toEqual([]);
    expect(contextNamespaces(read.document['@context'])['pdlocal']).toBe(LOCAL_EXTENSION_NS);
  });

  it.each<[string, () => unknown, unknown]>([
    ['ObjectEvent extension/extension', () => object['pdlocal:labelCheck'], { 'pdlocal:camera': ['C1', 'C2'] }],
    ['baseExtension/extension, kept apart', () => object['pdlocal:baseExtension'], { 'pdlocal:auditRef': 'A-17' }],
    ['readPoint/extension', () => object['readPoint'], { id: 'urn:epc:id:sgln:0312345.00001.7', 'pdlocal:line': 'L2' }],
    ['bizLocation/extension', () => object['bizLocation'], { id: 'urn:epc:id:sgln:0312345.00001.0', 'pdlocal:building': 'North' }],
    ['ilmd/extension beside the CBV master data', () => object['ilmd'], { 'pdlocal:batchNote': 'released by QA', 'cbvmda:lotNumber': 'LOT7', 'cbvmda:itemExpirationDate': '2028-02-29' }],
    ['a child in no namespace inside a qualified extension', () => object['acme:shift'], { 'pdlocal:crew': 'B' }],
    ['AggregationEvent extension/extension', () => aggregation['pdlocal:sealNumber'], 'S-99'],
    ['TransactionEvent extension/extension', () => transaction['pdlocal:carrierRef'], 'TRK-5'],
    ['TransformationEvent extension', () => transformation['pdlocal:workOrder'], 'WO-3'],
  ])('%s', (_slot, field, expected) => {
    expect(field()).toEqual(expected);
  });

  it('1.2 XML -> JSON-LD -> 1.2 XML puts every field back in its slot, unqualified', () => {
    const xml = writeEpcisXml(read.document, { version: '1.2' });
    expect(readAndValidateEpcisXml(xml).issues).toEqual([]);
    expect(eventsOf(readEpcisXml(xml).document)).toEqual(eventsOf(read.document));
    expect(xml).not.toContain('pdlocal');
    for (const slot of [
      /<baseExtension>\s*<extension>\s*<auditRef>A-17<\/auditRef>\s*<\/extension>\s*<\/baseExtension>/,
      /<readPoint>\s*<id>[^<]+<\/id>\s*<extension>\s*<line>L2<\/line>\s*<\/extension>\s*<\/readPoint>/,
      /<bizLocation>\s*<id>[^<]+<\/id>\s*<extension>\s*<building>North<\/building>/,
      /<ilmd>\s*<extension>\s*<batchNote>released by QA<\/batchNote>\s*<\/extension>\s*<cbvmda:lotNumber>/,
      /<\/ilmd>\s*<extension>\s*<labelCheck>\s*<camera>C1<\/camera>\s*<camera>C2<\/camera>\s*<\/labelCheck>\s*<\/extension>\s*<\/extension>\s*<acme:shift>\s*<crew>B<\/crew>/,
      /<extension>\s*<extension>\s*<sealNumber>S-99<\/sealNumber>/,
      /<extension>\s*<extension>\s*<carrierRef>TRK-5<\/carrierRef>/,
      /<bizStep>urn:epcglobal:cbv:bizstep:repackaging<\/bizStep>\s*<extension>\s*<workOrder>WO-3<\/workOrder>\s*<\/extension>\s*<\/TransformationEvent>/,
    ]) expect(xml).toMatch(slot);
  });

  it('2.0 XML and JSON-LD carry them under the reserved namespace, and back to the same 1.2 XML', () => {
    const v12 = writeEpcisXml(read.document, { version: '1.2' });
    const v20 = writeEpcisXml(read.document, { version: '2.0' });
    expect(readAndValidateEpcisXml(v20).issues).toEqual([]);
    expect(v20).toContain(`xmlns:pdlocal="${LOCAL_EXTENSION_NS}"`);
    // 2.0 has no ##local slot on the event: a pdlocal: element there; readPoint and ilmd keep theirs.
    expect(v20).toMatch(/<pdlocal:labelCheck>\s*<camera>C1<\/camera>/);
    expect(v20).toMatch(/<readPoint>\s*<id>[^<]+<\/id>\s*<extension>\s*<line>L2<\/line>/);
    const from20 = readEpcisXml(v20);
    expect(eventsOf(from20.document)).toEqual(eventsOf(read.document));
    expect(writeEpcisXml(from20.document, { version: '1.2' })).toBe(v12);
    const jsonLd = JSON.parse(JSON.stringify(read.document)) as Obj;
    expect(writeEpcisXml(jsonLd, { version: '1.2' })).toBe(v12);
    expect(writeEpcisXml(jsonLd, { version: '2.0' })).toBe(v20);
  });

  it("hashes as GS1's reference implementation does from the 1.2 XML, and the same from 2.0 XML and JSON-LD", () => {
    const events = eventsOf(read.document);
    expect(events.map((e) => eventHashPreString(e, xmlHashOptions(read)))).toEqual(REFERENCE_PRE_HASHES);
    const hashes = events.map((e) => computeEventHashId(e, xmlHashOptions(read)));
    const from20 = readEpcisXml(writeEpcisXml(read.document, { version: '2.0' }));
    expect(eventsOf(from20.document).map((e) => computeEventHashId(e, xmlHashOptions(from20)))).toEqual(hashes);
    const namespaces = contextNamespaces(read.document['@context']);
    expect(events.map((e) => computeEventHashId(e, { namespaces }))).toEqual(hashes);
  });

  it('a field in no namespace hashes by its local name in the CBV text reading too', () => {
    expect(eventHashPreString(aggregation, { reading: 'cbv-text' })).toMatch(/sealNumber=S-99$/);
    expect(eventHashPreString(object, { reading: 'cbv-text' })).toContain('auditRef=A-17');
  });

  it("carries the header's ##local slot (EPCISHeader/extension/extension) beside the master data, both versions", () => {
    const party = '<sbdh:Identifier Authority="GLN">0312345000010</sbdh:Identifier>';
    const header = [
      '<EPCISHeader>',
      '<sbdh:StandardBusinessDocumentHeader xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">',
      `<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion><sbdh:Sender>${party}</sbdh:Sender><sbdh:Receiver>${party}</sbdh:Receiver>`,
      '<sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard><sbdh:TypeVersion>1.0</sbdh:TypeVersion><sbdh:InstanceIdentifier>D-1</sbdh:InstanceIdentifier>',
      '<sbdh:Type>Events</sbdh:Type><sbdh:CreationDateAndTime>2026-03-01T09:00:00Z</sbdh:CreationDateAndTime></sbdh:DocumentIdentification>',
      '</sbdh:StandardBusinessDocumentHeader>',
      '<extension><EPCISMasterData><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:EPCClass"><VocabularyElementList>',
      '<VocabularyElement id="urn:epc:idpat:sgtin:0312345.012345.*"><attribute id="urn:epcglobal:cbv:mda#regulatedProductName">Tablets</attribute></VocabularyElement>',
      '</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData>',
      '<extension><routingCode>R9</routingCode></extension></extension>',
      '</EPCISHeader>',
    ].join('\n');
    const withHeader = readEpcisXml(FIXTURE.replace('  <EPCISBody>', `${header}\n  <EPCISBody>`));
    expect((withHeader.document['epcisHeader'] as Obj)['pdlocal:routingCode']).toBe('R9');
    for (const version of ['1.2', '2.0'] as const) {
      const xml = writeEpcisXml(withHeader.document, { version });
      expect(readAndValidateEpcisXml(xml).issues).toEqual([]);
      expect(xml).toMatch(/<\/EPCISMasterData>\s*<extension>\s*<routingCode>R9<\/routingCode>\s*<\/extension>\s*<\/extension>\s*<\/EPCISHeader>/);
      expect(readEpcisXml(xml).document['epcisHeader']).toEqual(withHeader.document['epcisHeader']);
    }
  });

  it("refuses an element that would take the baseExtension slot's reserved name, rather than move it", () => {
    const bad = FIXTURE.replace('<sealNumber>S-99</sealNumber>', '<baseExtension>x</baseExtension>');
    let error: unknown;
    try {
      readEpcisXml(bad);
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('EPCIS_XML_INVALID');
  });
});
