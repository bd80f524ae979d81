import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isDomainError } from '../../errors';
import { documentOf, VALID_EVENTS } from '../epcis-examples';
import { EpcisXmlReader, readEpcisXml, writeEpcisXml } from './index';
import { EPCIS_XSD_RULES } from './xsd-rules.generated';
import { compileContent, simpleProblem, XsdValidator, type Particle, type SchemaIssue } from './xsd-validator';

type Obj = Record<string, unknown>;

/** The schema issues of a document, or [] when it reads. */
function issuesOf(xml: string): SchemaIssue[] {
  try {
    readEpcisXml(xml);
    return [];
  } catch (e) {
    if (!isDomainError(e)) throw e;
    expect(e.code).toBe('EPCIS_XML_INVALID');
    return ((e.details as Obj)['issues'] as SchemaIssue[] | undefined) ?? [{ element: String((e.details as Obj)['path']), line: Number((e.details as Obj)['line']), column: 0, rule: 'order', message: e.message }];
  }
}

const NS = { '1.2': 'urn:epcglobal:epcis:xsd:1', '2.0': 'urn:epcglobal:epcis:xsd:2' } as const;
const doc = (version: '1.2' | '2.0', body: string, header = ''): string =>
  `<epcis:EPCISDocument xmlns:epcis="${NS[version]}" xmlns:ext="urn:example:ext" xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader" schemaVersion="${version}" creationDate="2026-01-01T00:00:00Z">\n${header}<EPCISBody>\n<EventList>\n${body}\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>`;
const object = (inner: string): string => `<ObjectEvent>\n${inner}\n</ObjectEvent>`;
const head = '<eventTime>2026-01-01T00:00:00Z</eventTime>\n<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>';
const EVENT_PATH = '/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[1]';
const sbdh = (inner: string): string => `<EPCISHeader>\n<sbdh:StandardBusinessDocumentHeader>\n${inner}\n</sbdh:StandardBusinessDocumentHeader>\n</EPCISHeader>\n`;
const PARTY = '<sbdh:Identifier Authority="GS1">0312345000005</sbdh:Identifier>';
const SBDH_OK = `<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n<sbdh:Sender>${PARTY}</sbdh:Sender>\n<sbdh:Receiver>${PARTY}</sbdh:Receiver>\n<sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard><sbdh:TypeVersion>1.0</sbdh:TypeVersion><sbdh:InstanceIdentifier>1</sbdh:InstanceIdentifier><sbdh:Type>Events</sbdh:Type><sbdh:CreationDateAndTime>2026-01-01T00:00:00Z</sbdh:CreationDateAndTime></sbdh:DocumentIdentification>`;

describe('EPCIS XML schema rules: what the XSDs allow reads', () => {
  it.each([
    ['2.0 sensor-only ObjectEvent (no epcList)', doc('2.0', object(`${head}\n<action>OBSERVE</action>`))],
    ['1.2 ObjectEvent with an empty epcList', doc('1.2', object(`${head}\n<epcList/>\n<action>OBSERVE</action>`))],
    ['extension element in its own namespace, anywhere after the standard fields', doc('2.0', object(`${head}\n<action>ADD</action>\n<ext:note>x</ext:note><ext:n><ext:deep>1</ext:deep></ext:n>`))],
    ['nil quantity', doc('2.0', object(`${head}\n<action>ADD</action>\n<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></quantityElement></quantityList>`))],
    ['sensor report with typed attributes and an extension attribute', doc('2.0', object(`${head}\n<action>OBSERVE</action>\n<sensorElementList><sensorElement><sensorReport type="gs1:Temperature" value="4.5" uom="CEL" booleanValue="true" ext:probe="p1"/></sensorElement></sensorElementList>`))],
    ['1.2 SBDH header', doc('1.2', object(`${head}\n<epcList/>\n<action>OBSERVE</action>`), sbdh(SBDH_OK))],
    ['2.0 GS1 US header extension after the SBDH (amended, see the generator)', doc('2.0', object(`${head}\n<action>OBSERVE</action>`), `<EPCISHeader>\n<ext:statement>x</ext:statement>\n</EPCISHeader>\n`)],
    ['the pretty-printed events GS1 examples are written like', doc('2.0', object(`\n  ${head}\n  <action>ADD</action>\n`))],
  ])('%s', (_what, xml) => {
    expect(issuesOf(xml)).toEqual([]);
  });

  it.each(Object.keys(VALID_EVENTS))('%s as written by the exporter, in every version it exists in', (name) => {
    const event = VALID_EVENTS[name] as Obj;
    for (const version of ['1.2', '2.0'] as const) {
      let xml: string;
      try {
        xml = writeEpcisXml(documentOf([event]), { version });
      } catch {
        continue; // not representable in 1.2 (AssociationEvent, sensor data): refused by the writer
      }
      expect(issuesOf(xml)).toEqual([]);
    }
  });
});

/** GS1's published XML examples (1.2 and 2.0), from a clone of github gs1/EPCIS when GS1_EPCIS_GIT_DIR names its git directory. */
const MIRROR = process.env['GS1_EPCIS_GIT_DIR'];
const gs1Examples = ((): Array<[string, string]> => {
  if (!MIRROR || !existsSync(MIRROR)) return [];
  try {
    const files = execFileSync('git', ['--git-dir', MIRROR, 'ls-tree', '-r', '--name-only', 'HEAD'], { encoding: 'utf8' }).split('\n').filter((f) => /^(XML|XSL\/1\.2\/XML)\/.*\.xml$/.test(f));
    return files.map((f) => [f, execFileSync('git', ['--git-dir', MIRROR, 'show', `HEAD:${f}`], { encoding: 'utf8', maxBuffer: 1 << 26 })] as [string, string]).filter(([, text]) => /<([A-Za-z0-9]+:)?EPCISDocument[\s>]/.test(text));
  } catch {
    return [];
  }
})();
(gs1Examples.length ? describe : describe.skip)("EPCIS XML schema rules: GS1's published EPCIS documents break none (oracle)", () => {
  it.each(gs1Examples)('%s', (_file, text) => {
    // Only the schema is judged here; gs1-examples.spec.ts captures and round-trips them.
    let schemaIssues: unknown = [];
    try {
      readEpcisXml(text);
    } catch (e) {
      schemaIssues = (isDomainError(e) && (e.details as Obj)['issues']) || [];
    }
    expect(schemaIssues).toEqual([]);
  });
});

describe('EPCIS XML schema rules: errors name the element and its line', () => {
  it.each<[string, string, string, number, RegExp]>([
    ['a required element missing', doc('2.0', object('<eventTime>2026-01-01T00:00:00Z</eventTime>\n<action>ADD</action>')), `${EVENT_PATH}/action`, 6, /not allowed|out of order/],
    ['an event missing its action (told at its end tag)', doc('2.0', object(head)), EVENT_PATH, 7, /incomplete: <action> must follow its last child/],
    ['elements out of order', doc('2.0', object(`${head}\n<bizStep>shipping</bizStep>\n<action>ADD</action>`)), `${EVENT_PATH}/bizStep`, 7, /out of order or repeated in <ObjectEvent>; expected <action> \(required\), or first <eventID>/],
    ['a repeated single element', doc('2.0', object(`${head}\n<action>ADD</action>\n<action>ADD</action>`)), `${EVENT_PATH}/action[2]`, 8, /out of order or repeated/],
    ['an action not in the enumeration', doc('2.0', object(`${head}\n<action>ADDED</action>`)), `${EVENT_PATH}/action`, 7, /not one of ADD, OBSERVE, DELETE/],
    ['an eventTime that is no date', doc('2.0', object('<eventTime>yesterday</eventTime>\n<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n<action>ADD</action>')), `${EVENT_PATH}/eventTime`, 5, /xs:dateTime/],
    ['a 2.0 eventTime without a time zone (the 2.0 pattern wants one)', doc('2.0', object('<eventTime>2026-01-01T00:00:00</eventTime>\n<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n<action>ADD</action>')), `${EVENT_PATH}/eventTime`, 5, /pattern/],
    ['an unqualified extension (an extension needs its own namespace)', doc('2.0', object(`${head}\n<action>ADD</action>\n<dropShip>true</dropShip>`)), `${EVENT_PATH}/dropShip`, 8, /not allowed in <ObjectEvent>/],
    ['1.2 ObjectEvent without its epcList', doc('1.2', object(`${head}\n<action>ADD</action>`)), `${EVENT_PATH}/action`, 7, /expected <epcList> \(required\), or first <baseExtension>/],
    ['a bizStep with a space', doc('2.0', object(`${head}\n<action>ADD</action>\n<bizStep>in transit</bizStep>`)), `${EVENT_PATH}/bizStep`, 8, /anyURI/],
    ['a quantity that is not a decimal', doc('2.0', object(`${head}\n<action>ADD</action>\n<quantityList><quantityElement><epcClass>urn:x</epcClass>\n<quantity>ten</quantity></quantityElement></quantityList>`)), `${EVENT_PATH}/quantityList/quantityElement/quantity`, 9, /xs:decimal/],
    ['a quantityElement without its epcClass', doc('2.0', object(`${head}\n<action>ADD</action>\n<quantityList>\n<quantityElement><quantity>1</quantity></quantityElement></quantityList>`)), `${EVENT_PATH}/quantityList/quantityElement/quantity`, 9, /expected <epcClass> \(required\)/],
    ['a source without its type attribute', doc('2.0', object(`${head}\n<action>ADD</action>\n<sourceList>\n<source>urn:epc:id:pgln:0312345.00000</source></sourceList>`)), `${EVENT_PATH}/sourceList/source`, 9, /must have the attribute type/],
    ['a sensor report value that is not a number', doc('2.0', object(`${head}\n<action>OBSERVE</action>\n<sensorElementList><sensorElement>\n<sensorReport type="gs1:Temperature" value="warm"/></sensorElement></sensorElementList>`)), `${EVENT_PATH}/sensorElementList/sensorElement/sensorReport`, 9, /xs:double/],
    ['a sensorElement without a report', doc('2.0', object(`${head}\n<action>OBSERVE</action>\n<sensorElementList>\n<sensorElement></sensorElement></sensorElementList>`)), `${EVENT_PATH}/sensorElementList/sensorElement`, 9, /incomplete: <sensorReport> must follow/],
    ['an unknown attribute where none is open', doc('2.0', object(`${head}\n<action>ADD</action>\n<bizTransactionList>\n<bizTransaction kind="po">urn:x</bizTransaction></bizTransactionList>`)), `${EVENT_PATH}/bizTransactionList/bizTransaction`, 9, /no attribute kind/],
    ['text in an element that holds elements', doc('2.0', object(`${head}\n<action>ADD</action>\n<readPoint>urn:epc:id:sgln:0312345.00001.0</readPoint>`)), `${EVENT_PATH}/readPoint`, 8, /holds elements only|incomplete/],
    ['an element inside a simple value', doc('2.0', object(`${head}\n<action>ADD<ext:x/></action>`)), `${EVENT_PATH}/action/ext:x`, 7, /holds text only/],
    ['a document without its creationDate', doc('2.0', object(`${head}\n<action>ADD</action>`)).replace(' creationDate="2026-01-01T00:00:00Z"', ''), '/epcis:EPCISDocument', 1, /must have the attribute creationDate/],
    ['an SBDH without its HeaderVersion', doc('1.2', object(`${head}\n<epcList/>\n<action>OBSERVE</action>`), sbdh(SBDH_OK.replace('<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n', ''))), '/epcis:EPCISDocument/EPCISHeader/sbdh:StandardBusinessDocumentHeader/sbdh:Sender', 4, /expected <HeaderVersion> \(required\)/],
    ['a 1.2 header without its SBDH', doc('1.2', object(`${head}\n<epcList/>\n<action>OBSERVE</action>`), '<EPCISHeader>\n</EPCISHeader>\n'), '/epcis:EPCISDocument/EPCISHeader', 3, /incomplete: <StandardBusinessDocumentHeader> must follow/],
    ['a master data Vocabulary without its type', doc('1.2', object(`${head}\n<epcList/>\n<action>OBSERVE</action>`), sbdh(SBDH_OK).replace('</EPCISHeader>', '<extension><EPCISMasterData><VocabularyList>\n<Vocabulary><VocabularyElementList><VocabularyElement id="urn:x"/></VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension>\n</EPCISHeader>')), '/epcis:EPCISDocument/EPCISHeader/extension/EPCISMasterData/VocabularyList/Vocabulary', 10, /must have the attribute type/],
  ])('%s', (_what, xml, element, line, message) => {
    const [first] = issuesOf(xml);
    expect(first).toBeDefined();
    expect(first?.element).toBe(element);
    expect(first?.line).toBe(line);
    expect(first?.message).toMatch(message);
  });

  it('reports every problem of the document, not the first, each with its event\'s JSON pointer', () => {
    const xml = doc('2.0', [object(`${head}\n<action>ADD</action>`), object(`${head}\n<action>MOVE</action>`), object(head)].join('\n'));
    const issues = issuesOf(xml);
    expect(issues.map((i) => [i.element, i.pointer])).toEqual([
      ['/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/action', '/epcisBody/eventList/1'],
      ['/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[3]', '/epcisBody/eventList/2'],
    ]);
  });

  it('says so in the message and in the details of a typed error', () => {
    try {
      readEpcisXml(doc('2.0', object(`${head}\n<action>MOVE</action>`)));
      throw new Error('read');
    } catch (e) {
      expect(isDomainError(e) && e.code).toBe('EPCIS_XML_INVALID');
      expect((e as Error).message).toMatch(/^EPCIS 2.0 XML line 7, column \d+ \(\/epcis:EPCISDocument\/EPCISBody\/EventList\/ObjectEvent\[1\]\/action\): .*breaks the EPCIS 2.0 XML schema$/);
      expect((e as { details: Obj }).details).toMatchObject({ line: 7, path: `${EVENT_PATH}/action`, issueCount: 1, schema: 'EPCIS 2.0' });
    }
  });

  it('can be switched off for a reader that wants only the conversion', () => {
    expect(() => readEpcisXml(doc('2.0', object(`${head}\n<action>MOVE</action>`)), { schema: false })).not.toThrow();
  });
});

describe('EPCIS XML schema rules: streaming', () => {
  it('checks a 10,000-event document in one pass holding only the open elements', () => {
    const one = object(`${head}\n<epcList><epc>urn:epc:id:sgtin:0312345.012345.1</epc></epcList>\n<action>OBSERVE</action>`);
    const bad = object(`${head}\n<action>OBSERVE</action>\n<epcList/>`);
    const reader = new EpcisXmlReader({ keepEvents: false });
    const [start, end] = doc('2.0', '@').split('@') as [string, string];
    reader.write(start);
    for (let i = 0; i < 10_000; i++) reader.write(i === 9_999 ? bad : one);
    reader.write(end);
    try {
      reader.end();
      throw new Error('read');
    } catch (e) {
      const details = (e as { details: Obj }).details;
      expect(details['path']).toBe('/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[10000]/epcList');
      expect(details['issues']).toEqual([expect.objectContaining({ pointer: '/epcisBody/eventList/9999' })]);
    }
  });

  it('caps what it records but counts every issue', () => {
    const v = new XsdValidator(EPCIS_XSD_RULES['2.0'], { maxIssues: 2 });
    const tag = (local: string, uri = ''): Parameters<XsdValidator['open']>[0] => ({ uri, local, name: local, attributes: {} });
    v.open(tag('EPCISDocument', NS['2.0']), 1, 1);
    for (let i = 0; i < 5; i++) {
      v.open(tag('Nonsense'), 2, 1);
      v.close();
    }
    expect(v.issues).toHaveLength(2);
    expect(v.issueCount).toBeGreaterThanOrEqual(5);
  });
});

describe('content models and simple types', () => {
  const el = (name: string, min = 1, max: number | 'unbounded' = 1): Particle => ({ k: 'el', name: `{}${name}`, type: 'xs:string', min, max });
  /** Whether a sequence of child names is accepted by the model. */
  const accepts = (p: Particle, names: readonly string[]): boolean => {
    const nfa = compileContent(p);
    const close = (set: Set<number>): Set<number> => {
      const todo = [...set];
      while (todo.length) for (const t of nfa.eps[todo.pop() as number] as number[]) if (!set.has(t)) { set.add(t); todo.push(t); }
      return set;
    };
    let states = close(new Set([nfa.start]));
    for (const n of names) {
      const next = new Set<number>();
      for (const s of states) for (const e of nfa.edges[s] ?? []) if (e.match('', n)) next.add(e.to);
      states = close(next);
    }
    return states.has(nfa.accept);
  };

  it.each<[string, Particle, string[], boolean]>([
    ['sequence in order', { k: 'seq', items: [el('a'), el('b', 0), el('c')], min: 1, max: 1 }, ['a', 'c'], true],
    ['sequence out of order', { k: 'seq', items: [el('a'), el('b', 0), el('c')], min: 1, max: 1 }, ['c', 'a'], false],
    ['required missing', { k: 'seq', items: [el('a'), el('c')], min: 1, max: 1 }, ['a'], false],
    ['bounded repeat within', el('a', 1, 3), ['a', 'a', 'a'], true],
    ['bounded repeat over', el('a', 1, 3), ['a', 'a', 'a', 'a'], false],
    ['unbounded choice', { k: 'choice', items: [el('a'), el('b')], min: 0, max: 'unbounded' }, ['b', 'a', 'b', 'b'], true],
    ['empty choice repeat', { k: 'choice', items: [el('a'), el('b')], min: 0, max: 'unbounded' }, [], true],
    ['wildcard ##local', { k: 'seq', items: [el('a'), { k: 'any', ns: '##local', min: 0, max: 'unbounded' }], min: 1, max: 1 }, ['a', 'x', 'y'], true],
    ['optional group', { k: 'seq', items: [el('a'), { k: 'seq', items: [el('q'), el('u', 0)], min: 0, max: 1 }], min: 1, max: 1 }, ['a', 'u'], false],
  ])('%s', (_what, p, names, ok) => {
    expect(accepts(p, names)).toBe(ok);
  });

  it.each<[string, string, boolean]>([
    ['xs:dateTime', '2026-02-29T00:00:00Z', false],
    ['xs:dateTime', '2028-02-29T23:59:59.5-05:00', true],
    ['xs:dateTime', '2026-01-01T00:00:00+15:00', false],
    ['xs:decimal', '-1.50', true],
    ['xs:decimal', '1e3', false],
    ['xs:double', '1e3', true],
    ['xs:double', 'INF', true],
    ['xs:boolean', 'yes', false],
    ['xs:hexBinary', 'a0F', false],
    ['xs:anyURI', 'urn:epcglobal:cbv:bizstep:shipping', true],
    ['xs:anyURI', 'https://id.gs1.org/01/00312345000012/21/A<1', false],
  ])('%s %s', (base, value, ok) => {
    expect(simpleProblem({ base }, value) === undefined).toBe(ok);
  });
});

/**
 * Fuzz with a definite oracle: a document the exporter wrote is valid; each mutation below breaks
 * a rule of the XSD for certain (a required element dropped, a single one repeated, two standard
 * elements swapped, a value of the wrong type), so the reader must refuse it, at that event.
 */
describe('fuzz: schema-breaking mutations of valid EPCIS XML are refused at the event', () => {
  const RUNS = Math.max(50, Math.round(Number(process.env.PEDIGREE_FUZZ_RUNS ?? 2000) / 10));
  const names = Object.keys(VALID_EVENTS);
  const LEAF = /^\s*<(eventTime|eventTimeZoneOffset|action|bizStep|disposition|transformationID|parentID)>[^<]*<\/\1>\s*$/;
  const REQUIRED = new Set(['eventTime', 'eventTimeZoneOffset', 'action']);
  const cases = fc.record({
    events: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }),
    version: fc.constantFrom('1.2' as const, '2.0' as const),
    target: fc.nat(),
    pick: fc.nat(),
    how: fc.constantFrom('drop', 'dup', 'swap', 'type'),
  });

  it('refuses every one, naming the event it is in', () => {
    let mutated = 0;
    fc.assert(fc.property(cases, ({ events, version, target, pick, how }) => {
      const list = events.map((n) => VALID_EVENTS[n] as Obj).filter((e) => version === '2.0' || (e['type'] !== 'AssociationEvent' && !['sensorElementList', 'persistentDisposition', 'certificationInfo'].some((k) => e[k] !== undefined)));
      if (list.length === 0) return;
      const lines = writeEpcisXml(documentOf(list), { version }).split('\n');
      const starts = lines.flatMap((l, i) => (/^\s*<(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)>$/.test(l) ? [i] : []));
      const e = target % starts.length;
      const from = starts[e] as number;
      const to = lines.findIndex((l, i) => i > from && /^\s*<\/(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)>$/.test(l));
      const depth = (l: string): number => l.length - l.trimStart().length;
      const leaves = lines.slice(from + 1, to).map((l, k) => ({ l, i: from + 1 + k })).filter(({ l }) => LEAF.test(l) && depth(l) === depth(lines[from] as string) + 2);
      const name = (l: string): string => (LEAF.exec(l) as RegExpExecArray)[1] as string;
      let out: string[] | undefined;
      if (how === 'drop') {
        const required = leaves.filter(({ l }) => REQUIRED.has(name(l)));
        const c = required[pick % Math.max(1, required.length)];
        if (c) out = lines.filter((_, i) => i !== c.i);
      } else if (how === 'dup') {
        const c = leaves[pick % Math.max(1, leaves.length)];
        if (c) out = [...lines.slice(0, c.i + 1), c.l, ...lines.slice(c.i + 1)];
      } else if (how === 'swap') {
        const pairs = leaves.filter(({ i }) => leaves.some((x) => x.i === i + 1));
        const c = pairs[pick % Math.max(1, pairs.length)];
        if (c) out = [...lines.slice(0, c.i), lines[c.i + 1] as string, c.l, ...lines.slice(c.i + 2)];
      } else {
        const typed = leaves.filter(({ l }) => ['eventTime', 'action'].includes(name(l)));
        const c = typed[pick % Math.max(1, typed.length)];
        if (c) out = lines.map((l, i) => (i === c.i ? l.replace(/>[^<]*</, name(l) === 'action' ? '>MOVE<' : '>2026-13-01T00:00:00Z<') : l));
      }
      if (!out) return;
      mutated++;
      const issues = issuesOf(out.join('\n'));
      expect(issues.length).toBeGreaterThan(0);
      expect(issues[0]?.pointer).toBe(`/epcisBody/eventList/${e}`);
    }), { numRuns: RUNS, seed: process.env.PEDIGREE_FUZZ_SEED ? Number(process.env.PEDIGREE_FUZZ_SEED) : undefined });
    expect(mutated).toBeGreaterThan(RUNS / 4);
  });
});
