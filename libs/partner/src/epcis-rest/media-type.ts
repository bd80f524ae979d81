import { parseCbvXmlFormat, parseEpcFormat, withEpcFormat, writeEpcisXml, type CbvXmlFormat, type EpcFormat } from '@pedigree/domain';
import { EpcisProblem } from './problem-json';

/**
 * The answer's media type by Accept: JSON-LD unless XML is asked for (application/xml or text/xml,
 * and JSON not preferred by q-value or order); 406 when neither is acceptable.
 */
export function answerMediaType(accept: string): 'json' | 'xml' {
  const ranges = acceptRanges(accept);
  for (const r of ranges) {
    if (/^(application\/(ld\+)?json|application\/\*|\*\/\*)$/.test(r.type)) return 'json';
    if (/^(application|text)\/xml$/.test(r.type)) return 'xml';
  }
  throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `events are answered as application/ld+json, application/json or application/xml (EPCIS 2.0 XML), not ${accept}`);
}

function acceptRanges(accept: string): Array<{ type: string; q: number; i: number }> {
  return accept.split(',').map((part, i) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    return { type, q: Number.isFinite(q) ? q : 0, i };
  }).filter((r) => r.type && r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
}

/** How an event answer is written: media type, EPCIS version, EPC and CBV spellings. */
export interface EventAnswerFormat {
  readonly media: 'json' | 'xml';
  readonly version: '1.2' | '2.0';
  readonly epc: EpcFormat;
  readonly cbv: CbvXmlFormat;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

const SPOKEN: Readonly<Record<'EPCIS' | 'CBV', readonly [string, string]>> = { EPCIS: ['1.2.0', '2.0.0'], CBV: ['1.2.0', '2.0.0'] };

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function version(h: Headers, name: string): string | undefined {
  const raw = header(h, name.toLowerCase())?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+(\.\d+)*$/.test(raw)) throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `${name} is a version such as 2.0.0, not ${JSON.stringify(raw)}`);
  return raw;
}

/**
 * The client's GS1-EPCIS-Min/Max and GS1-CBV-Min/Max (what it can read) against what this
 * repository speaks (1.2.0 to 2.0.0 of each): 406 when the ranges do not meet.
 */
export function checkVersionRanges(h: Headers): void {
  for (const [standard, [low, high]] of Object.entries(SPOKEN)) {
    const min = version(h, `GS1-${standard}-Min`);
    const max = version(h, `GS1-${standard}-Max`);
    if ((min && compareVersions(min, high) > 0) || (max && compareVersions(max, low) < 0) || (min && max && compareVersions(min, max) > 0)) {
      throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `this repository speaks ${standard} ${low} to ${high}; the request accepts ${min ?? 'any'} to ${max ?? 'any'}`);
    }
  }
}

/**
 * The versions a captured document declares (GS1-EPCIS-Version, GS1-CBV-Version): 1.2.x or 2.0.x
 * of each, else 406 — a later version's document would be read by rules it does not follow.
 */
export function checkCaptureVersions(h: Headers): void {
  for (const standard of ['EPCIS', 'CBV']) {
    const v = version(h, `GS1-${standard}-Version`);
    if (v && !/^(1\.2|2\.0)(\.\d+)*$/.test(v)) {
      throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `GS1-${standard}-Version ${v}: this repository captures ${standard} 1.2.x and 2.0.x documents`);
    }
  }
}

/**
 * The answer format the request asks for. `GS1-EPCIS-Version` picks the version (1.2.x or 2.0.x;
 * absent: 2.0); EPCIS 1.2 has XML only, so a 1.2 request answers XML whenever Accept allows it
 * (also for * / *) and is 406 when it does not. Any other version is 406. `GS1-EPC-Format` and
 * `GS1-CBV-XML-Format` are checked here too (400 for a value the standard does not have); a 2.0
 * answer without GS1-EPC-Format spells EPCs as GS1 Digital Links, as the binding's default says.
 */
export function eventAnswerFormat(headers: Headers): EventAnswerFormat {
  checkVersionRanges(headers);
  const accept = header(headers, 'accept') ?? '*/*';
  const asked = (header(headers, 'gs1-epcis-version') ?? '').trim();
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(asked);
  const version = asked === '' ? '2.0' : m && `${m[1]}.${m[2]}` === '1.2' ? '1.2' : m && `${m[1]}.${m[2]}` === '2.0' ? '2.0' : undefined;
  if (!version) throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `GS1-EPCIS-Version ${JSON.stringify(asked)}: this repository answers EPCIS 1.2.0 (XML) and 2.0.0`);
  const cbv = parseCbvXmlFormat(header(headers, 'gs1-cbv-xml-format'));
  if (version === '2.0') return { media: answerMediaType(accept), version, epc: epcFormatOf(headers, 'Always_GS1_Digital_Link'), cbv };
  const epc = epcFormatOf(headers, 'No_Preference');
  const xmlOk = acceptRanges(accept).some((r) => /^((application|text)\/xml|application\/\*|\*\/\*)$/.test(r.type));
  if (!xmlOk) throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `EPCIS 1.2 is answered as application/xml only, and Accept is ${accept}`);
  return { media: 'xml', version, epc, cbv };
}

/**
 * GS1-EPC-Format, or what its absence means. The 2.0 REST binding's OpenAPI: "If absent the default
 * value is `Always_GS1_Digital_Link`". EPCIS 1.2 predates Digital Link and its partners read EPC URNs,
 * so a 1.2 answer without the header keeps the EPCs as recorded.
 */
function epcFormatOf(headers: Headers, absent: EpcFormat): EpcFormat {
  const value = header(headers, 'gs1-epc-format');
  return value === undefined || value.trim() === '' ? absent : parseEpcFormat(value);
}

/** An EPCISQueryDocument (EPCIS 2.0 JSON-LD) written as asked, with the headers that say how. */
export function renderEventAnswer(doc: Record<string, unknown>, format: EventAnswerFormat, query: { readonly queryName: string; readonly subscriptionID?: string }): { body: Record<string, unknown> | string; headers: Record<string, string> } {
  const results = (doc['epcisBody'] as { queryResults: { resultsBody: { eventList: unknown[] } } }).queryResults;
  const spelled = { ...doc, epcisBody: { queryResults: { ...results, resultsBody: { eventList: results.resultsBody.eventList.map((e) => withEpcFormat(e as object, format.epc)) } } } };
  const headers: Record<string, string> = { 'GS1-EPC-Format': format.epc };
  if (format.media === 'json') return { body: spelled, headers };
  const omitted = new Set<string>();
  const body = writeEpcisXml(spelled, {
    version: format.version,
    query,
    cbv: format.cbv === 'Always_Web_URI' ? 'web' : 'urn',
    // What 1.2 cannot carry is left out of a 1.2 answer and named, not refused: the reader asked for 1.2.
    ...(format.version === '1.2' ? { onOmit: (_path: string, what: string) => omitted.add(what) } : {}),
  });
  return {
    body,
    headers: {
      ...headers,
      'content-type': 'application/xml; charset=utf-8',
      'GS1-CBV-XML-Format': format.cbv,
      ...(format.version === '1.2' ? { 'GS1-EPCIS-Version': '1.2.0' } : {}),
      ...(omitted.size ? { 'x-epcis-omitted': [...omitted].join(', ') } : {}),
    },
  };
}
