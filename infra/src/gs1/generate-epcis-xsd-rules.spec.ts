import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XsdValidator } from '../../../libs/domain/src/epcis/xml/xsd-validator';
import { amend, compile, render } from './generate-epcis-xsd-rules';

/**
 * The generator on a small schema of our own that uses each construct GS1's schemas use: an
 * include, a base type extended, a named group, an abstract element with a substitution group, a
 * restriction with an enumeration and a pattern, simple content with attributes, wildcards.
 */
const T = 'urn:example:doc';
const MAIN = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="${T}" targetNamespace="${T}" elementFormDefault="unqualified">
  <xs:include schemaLocation="parts.xsd"/>
  <xs:element name="EPCISDocument" type="d:DocType"/>
  <xs:complexType name="BaseType">
    <xs:sequence><xs:element name="when" type="d:Stamp"/></xs:sequence>
    <xs:attribute name="version" type="xs:decimal" use="required"/>
  </xs:complexType>
  <xs:complexType name="DocType">
    <xs:complexContent><xs:extension base="d:BaseType">
      <xs:sequence>
        <xs:group ref="d:Who"/>
        <xs:element ref="d:Note" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="EPCISHeader" type="d:EPCISHeaderType" minOccurs="0"/>
        <xs:element name="kind" type="d:Kind" minOccurs="0"/>
        <xs:element name="tag" type="d:Tagged" minOccurs="0"/>
        <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
    </xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:complexType name="EPCISHeaderType"><xs:sequence><xs:element name="id" type="xs:anyURI" minOccurs="0"/></xs:sequence></xs:complexType>
</xs:schema>`;
const PARTS = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="${T}" targetNamespace="${T}" elementFormDefault="unqualified">
  <xs:group name="Who"><xs:sequence><xs:element name="who" type="xs:string" maxOccurs="2"/></xs:sequence></xs:group>
  <xs:element name="Note" type="xs:anyType" abstract="true"/>
  <xs:element name="TextNote" type="xs:string" substitutionGroup="d:Note"/>
  <xs:element name="DateNote" type="xs:dateTime" substitutionGroup="d:Note"/>
  <xs:simpleType name="Stamp"><xs:restriction base="xs:dateTime"><xs:pattern value=".*Z"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Kind"><xs:restriction base="xs:string"><xs:enumeration value="a"/><xs:enumeration value="b"/></xs:restriction></xs:simpleType>
  <xs:complexType name="Tagged"><xs:simpleContent><xs:extension base="xs:anyURI"><xs:attribute name="type" type="xs:anyURI" use="required"/></xs:extension></xs:simpleContent></xs:complexType>
</xs:schema>`;

function rules(): ReturnType<typeof compile> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xsd-'));
  writeFileSync(path.join(dir, 'main.xsd'), MAIN);
  writeFileSync(path.join(dir, 'parts.xsd'), PARTS);
  return compile(path.join(dir, 'main.xsd'));
}

/** Runs the validator over a flat document given as [name, text, attributes] children of the root. */
function check(r: ReturnType<typeof compile>, kids: Array<[string, string, Record<string, string>?]>, rootAttributes: Record<string, string> = { version: '1' }): string[] {
  const v = new XsdValidator(r);
  const attrs = (a: Record<string, string>) => Object.fromEntries(Object.entries(a).map(([local, value]) => [local, { uri: '', local, name: local, prefix: '', value }]));
  v.open({ uri: T, local: 'EPCISDocument', name: 'd:EPCISDocument', attributes: attrs(rootAttributes) }, 1, 1);
  kids.forEach(([name, text, a], i) => {
    const [uri, local] = name.startsWith('{') ? [name.slice(1, name.indexOf('}')), name.slice(name.indexOf('}') + 1)] : ['', name];
    v.open({ uri, local, name: local, attributes: attrs(a ?? {}) }, i + 2, 1);
    v.text(text);
    v.close();
  });
  v.close();
  return v.issues.map((i) => `${i.line} ${i.message}`);
}

describe('generate-epcis-xsd-rules', () => {
  it('flattens extension, group and substitution group into one content model', () => {
    const r = rules();
    expect(r.roots).toEqual({ [`{${T}}EPCISDocument`]: `{${T}}DocType` });
    const doc = r.complex[`{${T}}DocType`];
    expect(doc?.attributes).toEqual([{ name: 'version', type: 'xs:decimal', required: true }]);
    expect(JSON.stringify(doc?.content)).toContain(`"name":"{${T}}TextNote"`);
    expect(JSON.stringify(doc?.content)).not.toContain(`{${T}}Note"`);
    expect(r.simple[`{${T}}Stamp`]).toEqual({ base: 'xs:dateTime', patterns: ['.*Z'] });
    expect(r.complex[`{${T}}Tagged`]).toEqual({ text: 'xs:anyURI', attributes: [{ name: 'type', type: 'xs:anyURI', required: true }] });
  });

  // Lines: the root is line 1, its n-th child line n + 1.
  it.each<[string, Array<[string, string, Record<string, string>?]>, string[]]>([
    ['valid', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], ['who', 'y'], [`{${T}}DateNote`, '2026-01-01T00:00:00Z'], ['kind', 'a'], ['tag', 'urn:t', { type: 'urn:k' }], ['{urn:other}ext', '1']], []],
    ['group cardinality', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], ['who', 'y'], ['who', 'z']], ['5 <who> is out of order or repeated in <d:EPCISDocument>; expected one of <TextNote>, <DateNote>']],
    ['inherited element first', [['who', 'x']], ['2 <who> is out of order or repeated in <d:EPCISDocument>; expected <when> (required) here', '1 <d:EPCISDocument> is incomplete: <when> must follow']],
    ['pattern of a restriction', [['when', '2026-01-01T00:00:00+01:00'], ['who', 'x']], ['2 <when> "2026-01-01T00:00:00+01:00" does not match']],
    ['abstract head not usable', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], [`{${T}}Note`, 'n']], ['4 <Note> is not allowed']],
    ['substituted element keeps its type', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], [`{${T}}DateNote`, 'soon']], ['4 <DateNote> "soon" is not an xs:dateTime']],
    ['enumeration', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], ['kind', 'c']], ['4 <kind> "c" is not one of a, b']],
    ['required attribute of simple content', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], ['tag', 'urn:t']], ['4 <tag> must have the attribute type']],
    ['wildcard ##other refuses the target namespace', [['when', '2026-01-01T00:00:00Z'], ['who', 'x'], [`{${T}}when`, '1']], ['4 <when> is not allowed']],
  ])('%s', (_what, kids, messages) => {
    const got = check(rules(), kids);
    expect(got).toHaveLength(messages.length);
    messages.forEach((m, i) => expect(got[i]).toContain(m));
  });

  it('requires the attributes of the base type', () => {
    expect(check(rules(), [['when', '2026-01-01T00:00:00Z'], ['who', 'x']], {})).toEqual(['1 <d:EPCISDocument> must have the attribute version']);
  });

  it('amend opens the header to extension elements, and says so in the table', () => {
    const r = amend(rules(), T);
    const v = new XsdValidator(r);
    v.open({ uri: T, local: 'EPCISDocument', name: 'EPCISDocument', attributes: { version: { uri: '', local: 'version', name: 'version', prefix: '', value: '1' } } }, 1, 1);
    v.open({ uri: '', local: 'when', name: 'when', attributes: {} }, 2, 1);
    v.text('2026-01-01T00:00:00Z');
    v.close();
    v.open({ uri: '', local: 'who', name: 'who', attributes: {} }, 3, 1);
    v.close();
    v.open({ uri: '', local: 'EPCISHeader', name: 'EPCISHeader', attributes: {} }, 4, 1);
    v.open({ uri: 'urn:gs1us', local: 'statement', name: 'x:statement', attributes: {} }, 5, 1);
    v.close();
    v.close();
    v.close();
    expect(v.issues).toEqual([]);
    expect(render({ '2.0': r }, 'abc')).toMatch(/^\/\/ GENERATED FILE[\s\S]*gs1\/EPCIS@abc/);
  });
});
