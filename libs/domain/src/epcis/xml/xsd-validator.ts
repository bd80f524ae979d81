/**
 * Streaming validation of EPCIS XML against the rules of GS1's XML schemas (element order,
 * required elements, cardinality, simple types, attributes), as tabled in xsd-rules.generated.ts.
 * Each element's content model is an NFA stepped once per child as the child opens, so nothing but
 * the open elements' state sets is held: a 10,000-event document is checked in one pass beside
 * the reader, and each problem names the element (path as written, with positions) and its line.
 */

type Max = number | 'unbounded';
export type Particle =
  | { readonly k: 'el'; readonly name: string; readonly type: string; readonly min: number; readonly max: Max; readonly nillable?: true }
  | { readonly k: 'any'; readonly ns: string; readonly min: number; readonly max: Max }
  | { readonly k: 'seq' | 'choice'; readonly items: readonly Particle[]; readonly min: number; readonly max: Max };

export interface ComplexRule {
  readonly content?: Particle;
  readonly text?: string;
  readonly mixed?: true;
  readonly attributes: ReadonlyArray<{ readonly name: string; readonly type: string; readonly required?: true }>;
  readonly anyAttribute?: true;
}

export interface SimpleRule {
  readonly base: string;
  readonly enumeration?: readonly string[];
  readonly patterns?: readonly string[];
}

export interface SchemaRules {
  readonly roots: Readonly<Record<string, string>>;
  readonly complex: Readonly<Record<string, ComplexRule>>;
  readonly simple: Readonly<Record<string, SimpleRule>>;
}

export interface SchemaIssue {
  /** Element path as written, e.g. `/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[3]/bizStep`. */
  readonly element: string;
  readonly line: number;
  readonly column: number;
  /** required | order | cardinality | type | attribute | text */
  readonly rule: 'required' | 'order' | 'type' | 'attribute' | 'text';
  readonly message: string;
  /** Index of the event the problem is in, when it is in one. */
  readonly eventIndex?: number;
  /** RFC 6901 pointer of that event in the EPCIS 2.0 JSON-LD the reader makes of the document. */
  readonly pointer?: string;
}

// --- content models as NFAs --------------------------------------------------------------------

interface Edge {
  readonly match: (ns: string, local: string) => boolean;
  /** Declared type, or undefined for a wildcard (lax: its content is not checked). */
  readonly type: string | undefined;
  readonly nillable: boolean;
  /** How the expected element is named in messages. */
  readonly label: string;
  readonly to: number;
}

interface Nfa {
  readonly edges: Edge[][];
  readonly eps: number[][];
  readonly start: number;
  readonly accept: number;
}

function splitKey(k: string): { ns: string; local: string } {
  const i = k.indexOf('}');
  return { ns: k.slice(1, i), local: k.slice(i + 1) };
}

function wildcard(ns: string): { match: (uri: string) => boolean; label: string } {
  if (ns === '##any') return { match: () => true, label: 'any element' };
  if (ns === '##local') return { match: (uri) => uri === '', label: 'an unqualified element' };
  if (ns.startsWith('##other:')) {
    const target = ns.slice('##other:'.length);
    return { match: (uri) => uri !== '' && uri !== target, label: 'an extension element in a namespace of its own' };
  }
  const list = ns.split(/\s+/);
  return { match: (uri) => list.includes(uri), label: `an element in ${ns}` };
}

export function compileContent(p: Particle): Nfa {
  const edges: Edge[][] = [];
  const eps: number[][] = [];
  const state = (): number => {
    edges.push([]);
    eps.push([]);
    return edges.length - 1;
  };
  const once = (q: Particle, from: number): number => {
    if (q.k === 'seq' || q.k === 'choice') {
      if (q.k === 'seq') return q.items.reduce((at, item) => build(item, at), from);
      const end = state();
      for (const item of q.items) (eps[build(item, from)] as number[]).push(end);
      if (q.items.length === 0) (eps[from] as number[]).push(end);
      return end;
    }
    const to = state();
    const leaf = q as Extract<Particle, { k: 'el' | 'any' }>;
    if (leaf.k === 'el') {
      const { ns, local } = splitKey(leaf.name);
      (edges[from] as Edge[]).push({ match: (u, l) => u === ns && l === local, type: leaf.type, nillable: leaf.nillable === true, label: `<${local}>`, to });
    } else {
      const w = wildcard(leaf.ns);
      (edges[from] as Edge[]).push({ match: (u) => w.match(u), type: undefined, nillable: false, label: w.label, to });
    }
    return to;
  };
  const build = (q: Particle, from: number): number => {
    let at = from;
    for (let i = 0; i < q.min; i++) at = once(q, at);
    if (q.max === 'unbounded') {
      const loop = state();
      (eps[at] as number[]).push(loop);
      (eps[once(q, loop)] as number[]).push(loop);
      return loop;
    }
    const end = state();
    (eps[at] as number[]).push(end);
    for (let i = q.min; i < q.max; i++) {
      at = once(q, at);
      (eps[at] as number[]).push(end);
    }
    return end;
  };
  const start = state();
  const accept = build(p, start);
  return { edges, eps, start, accept };
}

function closure(nfa: Nfa, states: Iterable<number>): Set<number> {
  const out = new Set<number>();
  const todo = [...states];
  while (todo.length) {
    const s = todo.pop() as number;
    if (out.has(s)) continue;
    out.add(s);
    for (const t of nfa.eps[s] as number[]) if (!out.has(t)) todo.push(t);
  }
  return out;
}

/**
 * A set of NFA states reached, with its moves cached by child name: the subset construction done
 * lazily, so the steady state of a long document is one map lookup per element.
 */
interface DState {
  readonly states: ReadonlySet<number>;
  readonly accepting: boolean;
  readonly moves: Map<string, Move | null>;
}
interface Move {
  readonly to: DState;
  readonly edge: Edge;
}
/** Moves cached per state set at most (extension names are the document's to choose). */
const MOVE_CACHE = 256;

class Dfa {
  private readonly sets = new Map<string, DState>();
  readonly start: DState;

  constructor(readonly nfa: Nfa) {
    this.start = this.state(closure(nfa, [nfa.start]));
  }

  step(from: DState, uri: string, local: string): Move | null {
    const key = `${uri}\u0000${local}`;
    const cached = from.moves.get(key);
    if (cached !== undefined) return cached;
    let edge: Edge | undefined;
    const next: number[] = [];
    for (const s of from.states) {
      for (const e of this.nfa.edges[s] as Edge[]) {
        if (e.match(uri, local)) {
          edge ??= e;
          next.push(e.to);
        }
      }
    }
    const move = edge ? { to: this.state(closure(this.nfa, next)), edge } : null;
    if (from.moves.size < MOVE_CACHE) from.moves.set(key, move);
    return move;
  }

  private state(states: Set<number>): DState {
    const key = [...states].sort((a, b) => a - b).join(',');
    let d = this.sets.get(key);
    if (!d) {
      d = { states, accepting: states.has(this.nfa.accept), moves: new Map() };
      this.sets.set(key, d);
    }
    return d;
  }
}

function expected(nfa: Nfa, states: ReadonlySet<number>): string[] {
  const labels = new Set<string>();
  for (const s of states) for (const e of nfa.edges[s] as Edge[]) labels.add(e.label);
  return [...labels];
}

/** Labels the model cannot be completed without from here: what a message should name first. */
function required(nfa: Nfa, states: ReadonlySet<number>): string[] {
  const reaches = (without: string | undefined): boolean => {
    const seen = new Set<number>();
    const todo = [...states];
    while (todo.length) {
      const s = todo.pop() as number;
      if (s === nfa.accept) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      todo.push(...(nfa.eps[s] as number[]));
      for (const e of nfa.edges[s] as Edge[]) if (e.label !== without) todo.push(e.to);
    }
    return false;
  };
  const labels = new Set<string>();
  const seen = new Set<number>();
  const todo = [...states];
  while (todo.length) {
    const s = todo.pop() as number;
    if (seen.has(s)) continue;
    seen.add(s);
    todo.push(...(nfa.eps[s] as number[]));
    for (const e of nfa.edges[s] as Edge[]) {
      labels.add(e.label);
      todo.push(e.to);
    }
  }
  return [...labels].filter((l) => !reaches(l));
}

/** What may come next, the required ones named first. */
function describe(nfa: Nfa, states: ReadonlySet<number>): string {
  const next = expected(nfa, states);
  const must = required(nfa, states).filter((l) => next.includes(l));
  const may = next.filter((l) => !must.includes(l));
  if (must.length === 0) return listOf(may);
  return `${must.join(', ')} (required)${may.length ? `, or first ${may.join(', ')}` : ''}`;
}

const listOf = (labels: readonly string[]): string => (labels.length === 0 ? 'nothing more' : labels.length === 1 ? (labels[0] as string) : `one of ${labels.join(', ')}`);

// --- simple types ------------------------------------------------------------------------------

const DATE_TIME = /^-?(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DOUBLE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/;
const INTEGER = /^[+-]?\d+$/;

function dateTimeProblem(v: string): string | undefined {
  const m = DATE_TIME.exec(v);
  if (!m) return 'is not an xs:dateTime (YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm])';
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const days = new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
  const midnight = hour === 24 && minute === 0 && second === 0 && !m[7];
  if (month < 1 || month > 12 || day < 1 || day > days || (hour > 23 && !midnight) || minute > 59 || second > 59) return 'is not a calendar date and time';
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59 || (Number(m[9]) === 14 && Number(m[10]) !== 0))) return 'has a time zone outside ±14:00';
  return undefined;
}

/** Characters RFC 3986 never allows in a URI reference, unescaped (spaces included). */
const NOT_IN_URI = /[\s<>"{}|\\^`]/;

/** XML Schema built-in lexical checks for the types these schemas use. */
function builtinProblem(base: string, v: string): string | undefined {
  switch (base) {
    case 'xs:string':
    case 'xs:normalizedString':
    case 'xs:token':
      return undefined;
    case 'xs:anyURI':
      return NOT_IN_URI.test(v) ? 'is not an xs:anyURI (it holds spaces or characters a URI cannot carry)' : undefined;
    case 'xs:decimal':
      return DECIMAL.test(v) ? undefined : 'is not an xs:decimal';
    case 'xs:double':
    case 'xs:float':
      return DOUBLE.test(v) ? undefined : `is not an ${base}`;
    case 'xs:boolean':
      return /^(true|false|1|0)$/.test(v) ? undefined : 'is not an xs:boolean (true, false, 1 or 0)';
    case 'xs:dateTime':
      return dateTimeProblem(v);
    case 'xs:hexBinary':
      return /^([0-9a-fA-F]{2})*$/.test(v) ? undefined : 'is not an xs:hexBinary (pairs of hex digits)';
    case 'xs:int':
    case 'xs:integer':
    case 'xs:long':
      return INTEGER.test(v) ? undefined : `is not an ${base}`;
    case 'xs:nonNegativeInteger':
      return /^\+?\d+$/.test(v) ? undefined : 'is not an xs:nonNegativeInteger';
    case 'xs:positiveInteger':
      return /^\+?\d+$/.test(v) && /[1-9]/.test(v) ? undefined : 'is not an xs:positiveInteger';
    default:
      return undefined;
  }
}

const patternCache = new Map<string, RegExp>();
function pattern(p: string): RegExp {
  let re = patternCache.get(p);
  if (!re) {
    // XML Schema patterns match the whole value.
    re = new RegExp(`^(?:${p})$`, 'u');
    patternCache.set(p, re);
  }
  return re;
}

export function simpleProblem(rule: SimpleRule, raw: string): string | undefined {
  // Every type here but xs:string collapses white space before it is checked.
  if (rule.base === 'xs:string' && !rule.enumeration && !rule.patterns) return undefined;
  const v = rule.base === 'xs:string' || !/[\t\n\r ]/.test(raw) ? raw : raw.replace(/[\t\n\r ]+/g, ' ').trim();
  const base = builtinProblem(rule.base, v);
  if (base) return base;
  if (rule.enumeration && !rule.enumeration.includes(v)) return `is not one of ${rule.enumeration.join(', ')}`;
  for (const p of rule.patterns ?? []) if (!pattern(p).test(v)) return `does not match the schema's pattern ${p}`;
  return undefined;
}

// --- the validator -----------------------------------------------------------------------------

export interface OpenTagAttribute {
  readonly uri: string;
  readonly local: string;
  readonly name: string;
  readonly prefix: string;
  readonly value: string;
}

/** An element's start tag, shaped as saxes gives it (attributes by qualified name). */
export interface OpenTag {
  readonly uri: string;
  readonly local: string;
  /** Name as written, with its prefix. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, OpenTagAttribute>>;
}

/** What the validator needs of a type, looked up once per type. */
interface TypeInfo {
  readonly complex: ComplexRule | undefined;
  /** The rule for the element's text: its simple type, or a complex type's simple content. */
  readonly text: SimpleRule | undefined;
  readonly dfa: Dfa | undefined;
}

/** One open element. Its path is only spelled out when an issue names it. */
class Frame {
  /** Children seen by name; made on the first child (most elements have none). */
  counts: Map<string, number> | undefined;
  text = '';
  textReported = false;

  constructor(
    readonly parent: Frame | undefined,
    /** `ObjectEvent[3]`, `bizStep`: the name as written with its position among same-named siblings. */
    readonly segment: string,
    readonly name: string,
    readonly line: number,
    readonly column: number,
    readonly eventIndex: number | undefined,
    /** undefined: not checked (inside a lax wildcard or after an unexpected element). */
    readonly type: TypeInfo | undefined,
    /** Where the content model is after the children so far. */
    public at: DState | undefined,
    readonly nil: boolean,
  ) {}

  get path(): string {
    return `${this.parent?.path ?? ''}/${this.segment}`;
  }
}

type Place = { readonly path: string; readonly line: number; readonly column: number; readonly eventIndex: number | undefined };

/** Where an issue at a start tag is, before the element's frame exists. */
class StartTag implements Place {
  constructor(private readonly parent: Frame | undefined, private readonly segment: string, readonly line: number, readonly column: number, readonly eventIndex: number | undefined) {}
  get path(): string {
    return `${this.parent?.path ?? ''}/${this.segment}`;
  }
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSI_ATTRIBUTES = new Set(['type', 'nil', 'schemaLocation', 'noNamespaceSchemaLocation']);
const EVENTS = new Set(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
/** Text held per simple element at most; longer values are checked on this much (all types here are short). */
const TEXT_CAP = 64 * 1024;

export interface XsdValidatorOptions {
  /** Stop recording after this many issues (default 100); the count goes on. */
  readonly maxIssues?: number;
}

export class XsdValidator {
  private readonly frames: Frame[] = [];
  private readonly types = new Map<string, TypeInfo>();
  private readonly recorded: SchemaIssue[] = [];
  private total = 0;
  private events = 0;
  private readonly maxIssues: number;

  constructor(private readonly rules: SchemaRules, options: XsdValidatorOptions = {}) {
    this.maxIssues = options.maxIssues ?? 100;
  }

  /** Issues found so far (at most maxIssues). */
  get issues(): readonly SchemaIssue[] {
    return this.recorded;
  }

  /** How many issues were found, recorded or not. */
  get issueCount(): number {
    return this.total;
  }

  open(tag: OpenTag, line: number, column: number): void {
    const parent = this.frames[this.frames.length - 1];
    let n = 1;
    if (parent) {
      parent.counts ??= new Map();
      n = (parent.counts.get(tag.name) ?? 0) + 1;
      parent.counts.set(tag.name, n);
    }
    const isEvent = tag.uri === '' && EVENTS.has(tag.local);
    const segment = n > 1 || isEvent ? `${tag.name}[${n}]` : tag.name;
    const eventIndex = isEvent && parent?.type ? this.events++ : parent?.eventIndex;
    const here = new StartTag(parent, segment, line, column, eventIndex);
    let typeKey: string | undefined;
    let nillable = false;
    const pt = parent?.type;
    if (!parent) {
      typeKey = this.rules.roots[`{${tag.uri}}${tag.local}`];
      if (!typeKey) this.issue(here, 'order', `<${tag.name}> is not a document element of this schema (expected ${Object.keys(this.rules.roots).join(', ')})`);
    } else if (pt?.dfa && parent.at) {
      const move = pt.dfa.step(parent.at, tag.uri, tag.local);
      if (!move) {
        const want = describe(pt.dfa.nfa, parent.at.states);
        this.issue(here, 'order', this.declaredIn(pt.dfa.nfa, tag)
          ? `<${tag.name}> is out of order or repeated in <${parent.name}>; expected ${want} here`
          : `<${tag.name}> is not allowed in <${parent.name}>; expected ${want}`);
      } else {
        parent.at = move.to;
        typeKey = move.edge.type;
        nillable = move.edge.nillable;
      }
    } else if (pt && !pt.complex) {
      this.issue(here, 'order', `<${parent.name}> holds text only; <${tag.name}> is not allowed in it`);
    } else if (pt?.complex && !pt.complex.mixed) {
      this.issue(here, 'order', `<${parent.name}> has no child elements in the schema; <${tag.name}> is not allowed`);
    }
    const type = typeKey === undefined ? undefined : this.typeInfo(typeKey);
    let nil = false;
    if (type) nil = this.attributes(here, tag, type.complex);
    if (nil && !nillable) this.issue(here, 'attribute', `<${tag.name}> may not be xsi:nil`);
    this.frames.push(new Frame(parent, segment, tag.name, line, column, eventIndex, type, type?.dfa?.start, nil));
  }

  text(t: string): void {
    const top = this.frames[this.frames.length - 1];
    const type = top?.type;
    if (!top || !type) return;
    if (type.text) {
      if (top.text.length < TEXT_CAP) top.text += t;
    } else if (type.complex && !type.complex.mixed && !top.textReported && /\S/.test(t)) {
      top.textReported = true;
      this.issue(top, 'text', `<${top.name}> holds elements only, not text (${JSON.stringify(t.trim().slice(0, 40))})`);
    }
  }

  /** `at` is where the end tag is, which is where a missing element should have been. */
  close(at?: { readonly line: number; readonly column: number }): void {
    const top = this.frames.pop();
    const type = top?.type;
    if (!top || !type) return;
    if (top.nil) {
      if (top.text.trim() !== '' || top.counts !== undefined) this.issue(top, 'type', `<${top.name}> is xsi:nil and must be empty`);
      return;
    }
    if (type.dfa && top.at && !top.at.accepting) {
      const next = expected(type.dfa.nfa, top.at.states);
      const must = required(type.dfa.nfa, top.at.states).filter((l) => next.includes(l));
      const end: Place = at ? { path: top.path, line: at.line, column: at.column, eventIndex: top.eventIndex } : top;
      this.issue(end, 'required', `<${top.name}> is incomplete: ${listOf(must.length ? must : next)} must follow${top.counts ? ' its last child' : ''}`);
    }
    if (type.text) {
      const problem = simpleProblem(type.text, top.text);
      if (problem) this.issue(top, 'type', `<${top.name}> ${JSON.stringify(top.text.trim().slice(0, 80))} ${problem}`);
    }
  }

  /** Checks the start tag's attributes against the type; answers whether it says xsi:nil. */
  private attributes(at: Place, tag: OpenTag, complex: ComplexRule | undefined): boolean {
    const declared = complex?.attributes ?? [];
    let nil = false;
    let seen = 0;
    for (const qname in tag.attributes) {
      const a = tag.attributes[qname] as OpenTagAttribute;
      if (a.name === 'xmlns' || a.prefix === 'xmlns' || a.prefix === 'xml') continue;
      if (a.uri === XSI) {
        if (a.local === 'nil') nil = /^\s*(true|1)\s*$/.test(a.value);
        else if (!XSI_ATTRIBUTES.has(a.local)) this.issue(at, 'attribute', `xsi:${a.local} is not an XML Schema instance attribute`);
        continue;
      }
      const d = a.uri === '' ? declared.find((x) => x.name === a.local) : undefined;
      if (!d) {
        if (!complex?.anyAttribute) this.issue(at, 'attribute', `<${tag.name}> has no attribute ${a.name}${declared.length ? ` (it has ${declared.map((x) => x.name).join(', ')})` : ''}`);
        continue;
      }
      seen++;
      const problem = simpleProblem(this.rules.simple[d.type] ?? { base: d.type }, a.value);
      if (problem) this.issue(at, 'type', `attribute ${a.name}=${JSON.stringify(a.value.slice(0, 80))} of <${tag.name}> ${problem}`);
    }
    if (seen < declared.length) {
      for (const d of declared) {
        if (d.required && !Object.values(tag.attributes).some((a) => a.uri === '' && a.local === d.name)) this.issue(at, 'required', `<${tag.name}> must have the attribute ${d.name}`);
      }
    }
    return nil;
  }

  private typeInfo(key: string): TypeInfo {
    let info = this.types.get(key);
    if (!info) {
      const complex = this.rules.complex[key];
      const textKey = complex ? complex.text : key;
      info = {
        complex,
        text: textKey === undefined ? undefined : (this.rules.simple[textKey] ?? { base: textKey }),
        dfa: complex?.content ? new Dfa(compileContent(complex.content)) : undefined,
      };
      this.types.set(key, info);
    }
    return info;
  }

  /** Whether the element is declared somewhere in the model (so the problem is its place, not its name). */
  private declaredIn(nfa: Nfa, tag: OpenTag): boolean {
    return nfa.edges.some((list) => list.some((e) => e.type !== undefined && e.match(tag.uri, tag.local)));
  }

  private issue(at: Place, rule: SchemaIssue['rule'], message: string): void {
    this.total++;
    if (this.recorded.length < this.maxIssues) {
      this.recorded.push({ element: at.path, line: at.line, column: at.column, rule, message, ...(at.eventIndex !== undefined ? { eventIndex: at.eventIndex, pointer: `/epcisBody/eventList/${at.eventIndex}` } : {}) });
    }
  }
}
