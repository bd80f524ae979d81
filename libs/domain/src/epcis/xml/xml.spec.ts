import { isDomainError } from '../../errors';
import { documentOf, VALID_EVENTS } from '../epcis-examples';
import { computeEventHashId, contextNamespaces } from '../event-hash';
import { validateEpcisDocument } from '../validate';
import { dscsaHeaderOf, EpcisXmlReader, readEpcisXml, writeEpcisXml } from './index';

type Obj = Record<string, unknown>;

/** JSON allows certificationInfo as a string or a list; XML has one element per value. */
function normalised(event: Obj): Obj {
  const out = { ...event };
  if (typeof out['certificationInfo'] === 'string') out['certificationInfo'] = [out['certificationInfo']];
  return out;
}

const eventsOf = (doc: Obj): Obj[] => (doc['epcisBody'] as { eventList: Obj[] }).eventList;
const NOT_12 = new Set(['objectSensorOnly', 'objectErrorDeclared', 'association', 'associationDelete', 'objectClassLevel', 'transformation']);
const ALL = Object.entries(VALID_EVENTS);
const IN_12 = ALL.filter(([n]) => !NOT_12.has(n));

describe('EPCIS XML round trips', () => {
  it.each(ALL)('%s: JSON-LD -> 2.0 XML -> JSON-LD is identical, hash included', (_name, event) => {
    const doc = documentOf([event]);
    const xml = writeEpcisXml(doc, { version: '2.0' });
    const back = readEpcisXml(xml);
    expect(back.version).toBe('2.0');
    expect(eventsOf(back.document).map(normalised)).toEqual([normalised(event)]);
    expect(validateEpcisDocument(back.document)).toEqual([]);
    // XML must declare every prefix it uses, so the JSON-LD read back declares them too; the hash
    // (reference reading) expands declared prefixes only, so compare under the same declarations.
    const namespaces = contextNamespaces(back.document['@context']);
    expect(computeEventHashId(eventsOf(back.document)[0] as Obj, { namespaces })).toBe(computeEventHashId(event, { namespaces }));
    expect(writeEpcisXml(back.document, { version: '2.0' })).toBe(xml);
  });

  it.each(IN_12)('%s: JSON-LD -> 1.2 XML -> JSON-LD is identical', (_name, event) => {
    const doc = documentOf([event]);
    const xml = writeEpcisXml(doc, { version: '1.2' });
    const back = readEpcisXml(xml);
    expect(back.version).toBe('1.2');
    expect(eventsOf(back.document)).toEqual([event]);
    expect(writeEpcisXml(back.document, { version: '1.2' })).toBe(xml);
  });

  it.each(ALL)('%s: with CBV Web URIs (GS1-CBV-XML-Format: Always_Web_URI), 2.0 XML reads back to the same event', (_name, event) => {
    const xml = writeEpcisXml(documentOf([event]), { version: '2.0', cbv: 'web' });
    expect(xml).not.toMatch(/urn:epcglobal:cbv:(bizstep|disp|btt|sdt|er):/);
    expect(eventsOf(readEpcisXml(xml).document).map(normalised)).toEqual([normalised(event)]);
  });

  it.each(IN_12)('%s: 1.2 XML -> 2.0 XML -> 1.2 XML is identical', (_name, event) => {
    const v12 = writeEpcisXml(documentOf([event]), { version: '1.2' });
    const v20 = writeEpcisXml(readEpcisXml(v12).document, { version: '2.0' });
    expect(writeEpcisXml(readEpcisXml(v20).document, { version: '1.2' })).toBe(v12);
  });

  it('puts 1.2 fields where 1.2 has them: baseExtension, extension, TransformationEvent in EventList/extension', () => {
    const xml = writeEpcisXml(documentOf([VALID_EVENTS['objectErrorDeclared'] && { ...VALID_EVENTS['objectCommission'], eventID: 'urn:uuid:1' }, VALID_EVENTS['transformationById']]), { version: '1.2' });
    expect(xml).toMatch(/<baseExtension>\s*<eventID>urn:uuid:1<\/eventID>\s*<\/baseExtension>/);
    expect(xml).toMatch(/<extension>\s*<ilmd>/);
    expect(xml).toMatch(/<EventList>\s*<ObjectEvent>[\s\S]*<\/ObjectEvent>\s*<extension>\s*<TransformationEvent>/);
    expect(xml).toContain('<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>');
  });

  it.each([
    ['sensor data', VALID_EVENTS['objectSensorOnly'], 'sensorElementList'],
    ['AssociationEvent', VALID_EVENTS['association'], 'AssociationEvent'],
    ['persistentDisposition', VALID_EVENTS['objectClassLevel'], 'persistentDisposition'],
    ['certificationInfo', VALID_EVENTS['objectErrorDeclared'], 'certificationInfo'],
  ])('refuses to write %s as 1.2 rather than drop it, unless told to omit it and say so', (_what, event, needle) => {
    expect(() => writeEpcisXml(documentOf([event]), { version: '1.2' })).toThrow(new RegExp(needle));
    const omitted: string[] = [];
    const xml = writeEpcisXml(documentOf([event]), { version: '1.2', onOmit: (_path, what) => omitted.push(what) });
    expect(omitted).toContain(needle);
    expect(xml).not.toContain(`<${needle}`);
    expect(validateEpcisDocument(readEpcisXml(xml).document).filter((i) => i.rule !== 'required')).toEqual([]);
  });
});

/** Written from the GS1 US DSCSA Implementation Guideline R1.2 layout (SBDH, master data, TS). */
const GS1US_12 = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
  xmlns:cbvmda="urn:epcglobal:cbv:mda" xmlns:gs1ushc="http://epcis.gs1us.org/hc/ns" schemaVersion="1.2" creationDate="2026-03-01T12:00:00.000-05:00">
  <EPCISHeader>
    <sbdh:StandardBusinessDocumentHeader>
      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>
      <sbdh:Sender><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0312345.00001.0</sbdh:Identifier></sbdh:Sender>
      <sbdh:Receiver><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0398765.00002.0</sbdh:Identifier></sbdh:Receiver>
      <sbdh:DocumentIdentification>
        <sbdh:Standard>EPCglobal</sbdh:Standard><sbdh:TypeVersion>1.2</sbdh:TypeVersion>
        <sbdh:InstanceIdentifier>ASN-77</sbdh:InstanceIdentifier><sbdh:Type>Events</sbdh:Type>
        <sbdh:CreationDateAndTime>2026-03-01T12:00:00.000-05:00</sbdh:CreationDateAndTime>
      </sbdh:DocumentIdentification>
    </sbdh:StandardBusinessDocumentHeader>
    <extension>
      <EPCISMasterData>
        <VocabularyList>
          <Vocabulary type="urn:epcglobal:epcis:vtype:EPCClass">
            <VocabularyElementList>
              <VocabularyElement id="urn:epc:idpat:sgtin:0312345.067890.*">
                <attribute id="urn:epcglobal:cbv:mda#additionalTradeItemIdentification">312345678901</attribute>
                <attribute id="urn:epcglobal:cbv:mda#additionalTradeItemIdentificationTypeCode">FDA_NDC_11</attribute>
                <attribute id="urn:epcglobal:cbv:mda#regulatedProductName">Examplamab</attribute>
                <attribute id="urn:epcglobal:cbv:mda#manufacturerOfTradeItemPartyName">Example Pharma</attribute>
                <attribute id="urn:epcglobal:cbv:mda#dosageFormType">TABLET</attribute>
                <attribute id="urn:epcglobal:cbv:mda#strengthDescription">10 mg</attribute>
                <attribute id="urn:epcglobal:cbv:mda#netContentDescription">30 count</attribute>
              </VocabularyElement>
            </VocabularyElementList>
          </Vocabulary>
          <Vocabulary type="urn:epcglobal:epcis:vtype:Location">
            <VocabularyElementList>
              <VocabularyElement id="urn:epc:id:sgln:0312345.00001.0">
                <attribute id="urn:epcglobal:cbv:mda#name">Example Pharma DC</attribute>
                <attribute id="urn:epcglobal:cbv:mda#streetAddressOne">1 Main St</attribute>
                <attribute id="urn:epcglobal:cbv:mda#city">Trenton</attribute>
                <attribute id="urn:epcglobal:cbv:mda#state">NJ</attribute>
                <attribute id="urn:epcglobal:cbv:mda#postalCode">08601</attribute>
                <attribute id="urn:epcglobal:cbv:mda#countryCode">US</attribute>
              </VocabularyElement>
            </VocabularyElementList>
          </Vocabulary>
        </VocabularyList>
      </EPCISMasterData>
    </extension>
    <gs1ushc:dscsaTransactionStatement>
      <gs1ushc:affirmTransactionStatement>true</gs1ushc:affirmTransactionStatement>
    </gs1ushc:dscsaTransactionStatement>
  </EPCISHeader>
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-02-01T09:00:00.000-05:00</eventTime>
        <eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
        <baseExtension><eventID>urn:uuid:7d4f7c8e-3b1e-4f4b-9a52-1f0c2b3d4e5f</eventID></baseExtension>
        <epcList><epc>urn:epc:id:sgtin:0312345.067890.1002</epc></epcList>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <readPoint><id>urn:epc:id:sgln:0312345.00001.0</id></readPoint>
        <bizLocation><id>urn:epc:id:sgln:0312345.00001.0</id></bizLocation>
        <extension>
          <ilmd>
            <cbvmda:lotNumber>A1</cbvmda:lotNumber>
            <cbvmda:itemExpirationDate>2028-11-30</cbvmda:itemExpirationDate>
          </ilmd>
        </extension>
      </ObjectEvent>
      <AggregationEvent>
        <eventTime>2026-02-01T09:05:00.000-05:00</eventTime>
        <eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:sscc:0312345.0123456789</parentID>
        <childEPCs><epc>urn:epc:id:sgtin:0312345.067890.1002</epc></childEPCs>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
        <readPoint><id>urn:epc:id:sgln:0312345.00001.0</id></readPoint>
      </AggregationEvent>
      <ObjectEvent>
        <eventTime>2026-03-01T11:00:00.000-05:00</eventTime>
        <eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sscc:0312345.0123456789</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <readPoint><id>urn:epc:id:sgln:0312345.00001.0</id></readPoint>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:0398765000006:PO-4711</bizTransaction>
          <bizTransaction type="urn:epcglobal:cbv:btt:desadv">urn:epcglobal:cbv:bt:0312345000004:ASN-77</bizTransaction>
        </bizTransactionList>
        <extension>
          <quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0312345.067890.A1</epcClass><quantity>1</quantity></quantityElement></quantityList>
          <sourceList>
            <source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:sgln:0312345.00001.0</source>
            <source type="urn:epcglobal:cbv:sdt:location">urn:epc:id:sgln:0312345.00001.0</source>
          </sourceList>
          <destinationList>
            <destination type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:sgln:0398765.00002.0</destination>
            <destination type="urn:epcglobal:cbv:sdt:location">urn:epc:id:sgln:0398765.00002.0</destination>
          </destinationList>
        </extension>
        <gs1ushc:dropShipment>false</gs1ushc:dropShipment>
      </ObjectEvent>
      <extension>
        <TransformationEvent>
          <eventTime>2026-03-02T08:00:00.000-05:00</eventTime>
          <eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
          <inputEPCList><epc>urn:epc:id:sgtin:0312345.067890.1002</epc></inputEPCList>
          <outputEPCList><epc>urn:epc:id:sgtin:0312345.167890.5001</epc></outputEPCList>
          <bizStep>urn:epcglobal:cbv:bizstep:repackaging</bizStep>
        </TransformationEvent>
      </extension>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>`;

describe('EPCIS 1.2 XML as GS1 US DSCSA files carry it', () => {
  const read = readEpcisXml(GS1US_12);
  const events = eventsOf(read.document);

  it('reads every event, unwrapping baseExtension, extension and EventList/extension', () => {
    expect(read.version).toBe('1.2');
    expect(events.map((e) => e['type'])).toEqual(['ObjectEvent', 'AggregationEvent', 'ObjectEvent', 'TransformationEvent']);
    expect(events[0]).toMatchObject({ eventID: 'urn:uuid:7d4f7c8e-3b1e-4f4b-9a52-1f0c2b3d4e5f', bizStep: 'commissioning', ilmd: { 'cbvmda:lotNumber': 'A1', 'cbvmda:itemExpirationDate': '2028-11-30' } });
    expect(events[2]).toMatchObject({
      quantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.A1', quantity: 1 }],
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0398765000006:PO-4711' }, { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:0312345000004:ASN-77' }],
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:sgln:0312345.00001.0' }, { type: 'location', source: 'urn:epc:id:sgln:0312345.00001.0' }],
      'gs1ushc:dropShipment': 'false',
    });
    expect(read.locations.map((l) => l.line)).toEqual([52, 69, 79, 105]);
    expect(read.locations[3]?.path).toBe('/EPCISDocument/EPCISBody/EventList/extension/TransformationEvent[1]');
  });

  it('is valid EPCIS 2.0, and the DSCSA profile accepts the commissioning, packing, shipping and repackaging', () => {
    expect(validateEpcisDocument(read.document)).toEqual([]);
    expect(validateEpcisDocument(read.document, { dscsa: true })).toEqual([]);
  });

  it('reads the DSCSA header: SBDH parties, Transaction Statement, product and location master data', () => {
    expect(dscsaHeaderOf(read.document)).toEqual({
      sender: { identifier: 'urn:epc:id:sgln:0312345.00001.0', authority: 'SGLN' },
      receiver: { identifier: 'urn:epc:id:sgln:0398765.00002.0', authority: 'SGLN' },
      instanceIdentifier: 'ASN-77',
      creationDateAndTime: '2026-03-01T12:00:00.000-05:00',
      transactionStatementAffirmed: true,
      products: {
        'urn:epc:idpat:sgtin:0312345.067890.*': {
          additionalTradeItemIdentification: '312345678901', additionalTradeItemIdentificationTypeCode: 'FDA_NDC_11', regulatedProductName: 'Examplamab',
          manufacturerOfTradeItemPartyName: 'Example Pharma', dosageFormType: 'TABLET', strengthDescription: '10 mg', netContentDescription: '30 count',
        },
      },
      locations: { 'urn:epc:id:sgln:0312345.00001.0': { name: 'Example Pharma DC', streetAddressOne: '1 Main St', city: 'Trenton', state: 'NJ', postalCode: '08601', countryCode: 'US' } },
    });
  });

  it('1.2 -> JSON-LD -> 1.2 -> JSON-LD keeps header and events', () => {
    const again = readEpcisXml(writeEpcisXml(read.document, { version: '1.2' }));
    expect(again.document).toEqual(read.document);
    const as20 = readEpcisXml(writeEpcisXml(read.document, { version: '2.0' }));
    expect(as20.document['epcisHeader']).toEqual(read.document['epcisHeader']);
    expect(eventsOf(as20.document)).toEqual(events);
  });

  it('streams: chunks of any size give the same events, delivered one by one and not kept', () => {
    const seen: Obj[] = [];
    const reader = new EpcisXmlReader({ keepEvents: false, onEvent: (e) => seen.push(e) });
    for (let i = 0; i < GS1US_12.length; i += 7) reader.write(GS1US_12.slice(i, i + 7));
    const result = reader.end();
    expect(seen).toEqual(events);
    expect(eventsOf(result.document)).toEqual([]);
    expect(result.eventCount).toBe(4);
  });
});

describe('EPCIS XML errors point at the element (the reader\'s own checks, schema off)', () => {
  const failure = (xml: string): Obj => {
    try {
      readEpcisXml(xml, { schema: false });
    } catch (e) {
      if (isDomainError(e)) return { code: e.code, ...(e.details as Obj) };
      throw e;
    }
    throw new Error('no error');
  };
  const doc = (body: string): string => `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-01-01T00:00:00Z">\n<EPCISBody>\n<EventList>\n${body}\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>`;

  it.each([
    ['not well-formed', doc('<ObjectEvent><eventTime>x</eventTim></ObjectEvent>'), 4],
    ['unprefixed unknown element in an event', doc('<ObjectEvent>\n<eventTime>2026-01-01T00:00:00Z</eventTime>\n<dropShipment>false</dropShipment>\n</ObjectEvent>'), 6],
    ['a quantityElement with a stray element', doc('<ObjectEvent><quantityList>\n<quantityElement><epcClass>urn:x:1</epcClass><lot>1</lot></quantityElement></quantityList></ObjectEvent>'), 5],
  ])('%s', (_what, xml, line) => {
    const f = failure(xml);
    expect(f['code']).toBe('EPCIS_XML_INVALID');
    expect(f['line']).toBe(line);
    expect(typeof f['column']).toBe('number');
  });

  it('names the path of the offending element', () => {
    const f = failure(doc('<ObjectEvent/>\n<ObjectEvent>\n<parent>x</parent>\n</ObjectEvent>'));
    expect(f['path']).toBe('/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/parent');
  });

  it('refuses a root that is not EPCIS', () => {
    expect(failure('<EPCISDocument xmlns="urn:example"/>')['reason']).toMatch(/root must be EPCISDocument/);
  });

  it('does not expand external entities', () => {
    const f = failure('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + doc('<ObjectEvent><eventTime>&x;</eventTime></ObjectEvent>'));
    expect(f['code']).toBe('EPCIS_XML_INVALID');
  });
});
