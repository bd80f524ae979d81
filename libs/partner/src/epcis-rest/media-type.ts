import { EpcisProblem } from './problem-json';

/**
 * The answer's media type by Accept: JSON-LD unless XML is asked for (application/xml or text/xml,
 * and JSON not preferred by q-value or order); 406 when neither is acceptable.
 */
export function answerMediaType(accept: string): 'json' | 'xml' {
  const ranges = accept.split(',').map((part, i) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    return { type, q: Number.isFinite(q) ? q : 0, i };
  }).filter((r) => r.type && r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (/^(application\/(ld\+)?json|application\/\*|\*\/\*)$/.test(r.type)) return 'json';
    if (/^(application|text)\/xml$/.test(r.type)) return 'xml';
  }
  throw new EpcisProblem(406, 'NotAcceptableException', 'Not Acceptable', `events are answered as application/ld+json, application/json or application/xml (EPCIS 2.0 XML), not ${accept}`);
}
