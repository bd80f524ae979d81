/**
 * Generates libs/domain/src/epcis/xml/xsd-rules.generated.ts: the content models, attributes and
 * simple types of the EPCIS 1.2 and 2.0 document schemas (with the SBDH and EPCglobal schemas they
 * import), as a compact table the streaming validator (xsd-validator.ts) runs on. The schemas are
 * not vendored and not re-typed: this script reads GS1's XSDs and writes only what validation needs
 * (no documentation, no comments). Take them from github.com/gs1/EPCIS and name the revision:
 *
 *   infra/bin/node24 node infra/src/gs1/generate-epcis-xsd-rules.ts --xsd-20 <checkout>/XSD --xsd-12 <checkout>/XSL/1.2/XSD --revision "<commit>" [--check]
 *
 * What it understands is what those schemas use: sequence, choice, group refs, element refs (with
 * substitution groups), complexContent and simpleContent extensions, simple-type restrictions
 * (enumeration, pattern), any / anyAttribute wildcards, include and import.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { ComplexRule, Particle, SchemaRules, SimpleRule } from '../../../libs/domain/src/epcis/xml/xsd-validator';

const XS = 'http://www.w3.org/2001/XMLSchema';

interface XsdNode {
  readonly local: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Prefix -> namespace in scope (for QName-valued attributes). */
  readonly ns: Readonly<Record<string, string>>;
  readonly kids: XsdNode[];
}

/** Reads one schema file as a tree of its xs: elements (annotations dropped). */
export function parseSchema(text: string): XsdNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XsdNode[] = [];
  const scopes: Array<Record<string, string>> = [];
  let root: XsdNode | undefined;
  let skip = 0;
  parser.on('opentag', (raw) => {
    const tag = raw as SaxesTagNS;
    const ns = { ...(scopes[scopes.length - 1] ?? {}), ...tag.ns };
    scopes.push(ns);
    if (skip > 0 || tag.uri !== XS || tag.local === 'annotation') {
      skip++;
      return;
    }
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) if (a.uri === '') attrs[a.local] = a.value;
    const node: XsdNode = { local: tag.local, attrs, ns, kids: [] };
    stack[stack.length - 1]?.kids.push(node);
    root ??= node;
    stack.push(node);
  });
  parser.on('closetag', () => {
    scopes.pop();
    if (skip > 0) skip--;
    else stack.pop();
  });
  parser.write(text).close();
  if (!root || root.local !== 'schema') throw new Error('generate-epcis-xsd-rules: not an XML schema');
  return root;
}

// The table's shape is the validator's: libs/domain/src/epcis/xml/xsd-validator.ts.
type Max = Particle['max'];

// --- compiling the schemas -------------------------------------------------------------------

interface Schema {
  readonly root: XsdNode;
  readonly target: string;
  readonly qualified: boolean;
}

const key = (ns: string, local: string): string => `{${ns}}${local}`;
const max = (n: XsdNode): Max => (n.attrs['maxOccurs'] === 'unbounded' ? 'unbounded' : Number(n.attrs['maxOccurs'] ?? 1));
const min = (n: XsdNode): number => Number(n.attrs['minOccurs'] ?? 1);

/** Loads a schema and everything it includes or imports, relative to its directory. */
function load(file: string, seen = new Map<string, Schema>()): Map<string, Schema> {
  const full = path.resolve(file);
  if (seen.has(full)) return seen;
  const root = parseSchema(readFileSync(full, 'utf8'));
  seen.set(full, { root, target: root.attrs['targetNamespace'] ?? '', qualified: root.attrs['elementFormDefault'] === 'qualified' });
  for (const k of root.kids) {
    if ((k.local === 'include' || k.local === 'import') && k.attrs['schemaLocation']) load(path.join(path.dirname(full), k.attrs['schemaLocation']), seen);
  }
  return seen;
}

export function compile(entry: string): SchemaRules {
  const schemas = [...load(entry).values()];
  const globals = { element: new Map<string, [XsdNode, Schema]>(), complexType: new Map<string, [XsdNode, Schema]>(), simpleType: new Map<string, [XsdNode, Schema]>(), group: new Map<string, [XsdNode, Schema]>() };
  for (const s of schemas) {
    for (const k of s.root.kids) {
      const table = globals[k.local as keyof typeof globals];
      if (table && k.attrs['name']) table.set(key(s.target, k.attrs['name']), [k, s]);
    }
  }
  const complex: Record<string, ComplexRule> = {};
  const simple: Record<string, SimpleRule> = {};

  const qname = (n: XsdNode, value: string): string => {
    const [prefix, local] = value.includes(':') ? (value.split(':') as [string, string]) : ['', value];
    return key(n.ns[prefix] ?? '', local);
  };
  const builtin = (k: string): string | undefined => (k.startsWith(`{${XS}}`) ? `xs:${k.slice(XS.length + 2)}` : undefined);

  /** Type reference -> table key, compiling named types on first use. */
  const typeRef = (k: string): string => {
    const b = builtin(k);
    if (b) return b === 'xs:anyType' ? anyType() : b;
    if (complex[k] || simple[k]) return k;
    const c = globals.complexType.get(k);
    if (c) {
      complex[k] = { attributes: [] }; // placeholder against recursion
      complex[k] = complexRule(c[0], c[1]);
      return k;
    }
    const st = globals.simpleType.get(k);
    if (st) {
      simple[k] = simpleRule(st[0]);
      return k;
    }
    throw new Error(`generate-epcis-xsd-rules: unknown type ${k}`);
  };
  const anyType = (): string => {
    complex['xs:anyType'] ??= { content: { k: 'any', ns: '##any', min: 0, max: 'unbounded' }, mixed: true, attributes: [], anyAttribute: true };
    return 'xs:anyType';
  };
  const inlineType = (n: XsdNode, s: Schema, name: string): string => {
    const c = n.kids.find((k) => k.local === 'complexType');
    const st = n.kids.find((k) => k.local === 'simpleType');
    const k = `${name}#inline`;
    if (c) complex[k] = complexRule(c, s);
    else if (st) simple[k] = simpleRule(st);
    else return anyType();
    return k;
  };

  function simpleRule(n: XsdNode): SimpleRule {
    const r = n.kids.find((k) => k.local === 'restriction');
    if (!r) return { base: 'xs:string' }; // list / union: not used by these schemas beyond strings
    const baseKey = typeRef(qname(r, r.attrs['base'] ?? 'xs:string'));
    const base = simple[baseKey] ?? { base: baseKey };
    const enumeration = r.kids.filter((k) => k.local === 'enumeration').map((k) => k.attrs['value'] ?? '');
    const patterns = [...(base.patterns ?? []), ...r.kids.filter((k) => k.local === 'pattern').map((k) => k.attrs['value'] ?? '')];
    return { base: base.base, ...(enumeration.length ? { enumeration } : base.enumeration ? { enumeration: base.enumeration } : {}), ...(patterns.length ? { patterns } : {}) };
  }

  function attributesOf(n: XsdNode): Pick<ComplexRule, 'attributes' | 'anyAttribute'> {
    const attributes = n.kids.filter((k) => k.local === 'attribute').map((a) => ({
      name: a.attrs['name'] ?? '',
      type: a.attrs['type'] ? typeRef(qname(a, a.attrs['type'])) : 'xs:string',
      ...(a.attrs['use'] === 'required' ? { required: true as const } : {}),
    }));
    return { attributes, ...(n.kids.some((k) => k.local === 'anyAttribute') ? { anyAttribute: true as const } : {}) };
  }

  function particle(n: XsdNode, s: Schema): Particle | undefined {
    switch (n.local) {
      case 'sequence':
      case 'choice': {
        const items = n.kids.map((k) => particle(k, s)).filter((p): p is Particle => p !== undefined);
        return { k: n.local === 'sequence' ? 'seq' : 'choice', items, min: min(n), max: max(n) };
      }
      case 'group': {
        const g = globals.group.get(qname(n, n.attrs['ref'] ?? ''));
        if (!g) throw new Error(`generate-epcis-xsd-rules: unknown group ${n.attrs['ref']}`);
        const inner = g[0].kids.map((k) => particle(k, g[1])).find((p) => p !== undefined);
        return inner && { ...inner, min: min(n), max: max(n) } as Particle;
      }
      case 'any': {
        const ns = n.attrs['namespace'] ?? '##any';
        // ##other and ##targetNamespace are relative to the schema that says them: resolve now.
        return { k: 'any', ns: ns === '##other' ? `##other:${s.target}` : ns === '##targetNamespace' ? s.target : ns, min: min(n), max: max(n) };
      }
      case 'element': {
        if (n.attrs['ref']) {
          const ref = qname(n, n.attrs['ref']);
          const members = [...globals.element.entries()].filter(([, [e, es]]) => e.attrs['substitutionGroup'] && qname(e, e.attrs['substitutionGroup']) === ref && es);
          const head = globals.element.get(ref);
          if (!head) throw new Error(`generate-epcis-xsd-rules: unknown element ${ref}`);
          const alternatives = [...(head[0].attrs['abstract'] === 'true' ? [] : [[ref, head] as const]), ...members].map(([k, [e, es]]): Particle => ({
            k: 'el', name: k, type: elementType(e, es, k), min: 1, max: 1,
          }));
          if (alternatives.length === 1) return { ...(alternatives[0] as Particle), min: min(n), max: max(n) } as Particle;
          return { k: 'choice', items: alternatives, min: min(n), max: max(n) };
        }
        const name = key(s.qualified || n.attrs['form'] === 'qualified' ? s.target : '', n.attrs['name'] ?? '');
        return { k: 'el', name, type: elementType(n, s, name), min: min(n), max: max(n), ...(n.attrs['nillable'] === 'true' ? { nillable: true as const } : {}) };
      }
      default:
        return undefined; // attributes and anyAttribute are read by attributesOf
    }
  }

  function elementType(n: XsdNode, s: Schema, name: string): string {
    return n.attrs['type'] ? typeRef(qname(n, n.attrs['type'])) : inlineType(n, s, name);
  }

  function complexRule(n: XsdNode, s: Schema): ComplexRule {
    const mixed = n.attrs['mixed'] === 'true';
    const cc = n.kids.find((k) => k.local === 'complexContent');
    const sc = n.kids.find((k) => k.local === 'simpleContent');
    if (sc) {
      const ext = sc.kids.find((k) => k.local === 'extension' || k.local === 'restriction') as XsdNode;
      const baseKey = typeRef(qname(ext, ext.attrs['base'] ?? 'xs:string'));
      const base = complex[baseKey];
      const own = attributesOf(ext);
      return { text: base?.text ?? baseKey, attributes: [...(base?.attributes ?? []), ...own.attributes], ...(own.anyAttribute || base?.anyAttribute ? { anyAttribute: true } : {}) };
    }
    if (cc) {
      const ext = cc.kids.find((k) => k.local === 'extension' || k.local === 'restriction') as XsdNode;
      const baseKey = typeRef(qname(ext, ext.attrs['base'] ?? 'xs:anyType'));
      const base = complex[baseKey] as ComplexRule;
      const own = ext.kids.map((k) => particle(k, s)).find((p) => p !== undefined);
      const attrs = attributesOf(ext);
      const isMixed = mixed || cc.attrs['mixed'] === 'true' || base.mixed === true;
      // An extension of anyType (the master data attribute) keeps anyType's open content.
      const content = ext.local === 'restriction' ? own : base.content && own ? { k: 'seq' as const, items: [base.content, own], min: 1, max: 1 } : (own ?? base.content);
      return {
        ...(content ? { content } : {}),
        ...(isMixed ? { mixed: true as const } : {}),
        attributes: [...base.attributes, ...attrs.attributes],
        ...(attrs.anyAttribute || base.anyAttribute ? { anyAttribute: true as const } : {}),
      };
    }
    const content = n.kids.map((k) => particle(k, s)).find((p) => p !== undefined);
    return { ...(content ? { content } : {}), ...(mixed ? { mixed: true as const } : {}), ...attributesOf(n) };
  }

  const entrySchema = schemas[0] as Schema;
  const roots: Record<string, string> = {};
  for (const k of entrySchema.root.kids) {
    if (k.local === 'element' && k.attrs['name'] === 'EPCISDocument') {
      const name = key(entrySchema.target, 'EPCISDocument');
      roots[name] = elementType(k, entrySchema, name);
    }
  }
  return { roots, complex, simple };
}

/**
 * Where practice departs from the published schema, written down here so it shows in the table's
 * diff: the EPCIS 2.0 XSD's EPCISHeaderType dropped 1.2's trailing `##other` wildcard, which is
 * where the GS1 US healthcare guideline puts the header extensions (`gs1ushc:` Transaction
 * Statement, drop-ship indicator); a 2.0 document carrying them would otherwise have no valid place
 * for them. The wildcard is restored for 2.0 (docs/events.md says so).
 */
export function amend(rules: SchemaRules, target: string): SchemaRules {
  const header = `{${target}}EPCISHeaderType`;
  const rule = rules.complex[header];
  if (!rule?.content) throw new Error(`generate-epcis-xsd-rules: no ${header} to amend`);
  const any: Particle = { k: 'any', ns: `##other:${target}`, min: 0, max: 'unbounded' };
  return { ...rules, complex: { ...rules.complex, [header]: { ...rule, content: { k: 'seq', items: [rule.content, any], min: 1, max: 1 } } } };
}

export function render(rules: Readonly<Record<string, SchemaRules>>, revision: string): string {
  return [
    '// GENERATED FILE - do not edit. Regenerate with infra/src/gs1/generate-epcis-xsd-rules.ts (see its header).',
    '//',
    `// Source: the EPCIS 1.2 and 2.0 XML schemas (with the SBDH and EPCglobal schemas they import) of gs1/EPCIS@${revision}.`,
    '// Type keys are {namespace}name for the schemas\' named types, xs:<name> for XML Schema built-ins.',
    '',
    "import type { SchemaRules } from './xsd-validator';",
    '',
    "export const EPCIS_XSD_RULES: Readonly<Record<'1.2' | '2.0', SchemaRules>> = {",
    ...Object.entries(rules).flatMap(([version, r]) => [
      `  '${version}': {`,
      `    roots: ${JSON.stringify(r.roots)},`,
      '    complex: {',
      ...Object.keys(r.complex).sort().map((k) => `      ${JSON.stringify(k)}: ${JSON.stringify(r.complex[k])},`),
      '    },',
      '    simple: {',
      ...Object.keys(r.simple).sort().map((k) => `      ${JSON.stringify(k)}: ${JSON.stringify(r.simple[k])},`),
      '    },',
      '  },',
    ]),
    '};',
    '',
  ].join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// Run as a script (built, or straight from the source with node's type stripping), not when imported by its spec.
if (/generate-epcis-xsd-rules\.(ts|js)$/.test(process.argv[1] ?? '')) {
  const xsd20 = arg('xsd-20');
  const xsd12 = arg('xsd-12');
  const revision = arg('revision');
  if (!xsd20 || !xsd12 || !revision) throw new Error('usage: --xsd-20 <EPCIS>/XSD --xsd-12 <EPCIS>/XSL/1.2/XSD --revision <commit> [--check]');
  const out = path.resolve(process.cwd(), 'libs/domain/src/epcis/xml/xsd-rules.generated.ts');
  const text = render({ '1.2': compile(path.join(xsd12, 'EPCglobal-epcis-1_2.xsd')), '2.0': amend(compile(path.join(xsd20, 'EPCglobal-epcis-2_0.xsd')), 'urn:epcglobal:epcis:xsd:2') }, revision);
  if (process.argv.includes('--check')) {
    const same = readFileSync(out, 'utf8') === text;
    process.stdout.write(same ? 'up to date\n' : `${out} differs from what would be generated\n`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}\n`);
}
