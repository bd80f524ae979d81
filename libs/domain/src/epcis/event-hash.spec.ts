import { createHash } from 'node:crypto';
import { HASH_EVENTS } from './epcis-examples';
import { computeEventHashId, contextNamespaces, eventHashPreString } from './event-hash';
import vectors from './hash-vectors.json';
import { readEpcisXml, writeEpcisXml, xmlHashOptions } from './xml';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Hash vectors per field family: our events (HASH_EVENTS), expected values computed by GS1's
 * reference implementation (hash-vectors.json says how). No network or Python at test time.
 */
describe('CBV 2.0 event hash: reference implementation vectors', () => {
  const byName = new Map(vectors.vectors.map((v) => [v.name, v]));
  it.each(HASH_EVENTS.map(([name, ctx, event]) => [name, ctx, event] as const))('%s', (name, ctx, event) => {
    const vector = byName.get(name);
    expect(vector).toBeDefined();
    const namespaces = contextNamespaces(ctx ? ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ctx] : []);
    expect(eventHashPreString(event, { namespaces })).toBe(vector?.prehash);
    expect(computeEventHashId(event, { namespaces })).toBe(vector?.hash);
  });

  it('every vector has its event', () => {
    expect(new Set(HASH_EVENTS.map(([n]) => n))).toEqual(new Set(byName.keys()));
  });
});

describe('CBV 2.0 event hash: the two readings where text and reference disagree', () => {
  const event = HASH_EVENTS.find(([n]) => n === 'objectShip')?.[2] as Record<string, unknown>;
  it('reference: sourceList after destinationList (sorted remainder); CBV text: sourceList first', () => {
    const ref = eventHashPreString(event);
    const text = eventHashPreString(event, { reading: 'cbv-text' });
    expect(ref.indexOf('destinationList')).toBeLessThan(ref.indexOf('sourceList'));
    expect(text.indexOf('sourceList')).toBeLessThan(text.indexOf('destinationList'));
    expect(computeEventHashId(event)).not.toBe(computeEventHashId(event, { reading: 'cbv-text' }));
  });

  it('CBV text reading expands CBV prefixes without a declaration; the reference needs one', () => {
    const commission = HASH_EVENTS.find(([n]) => n === 'ilmdUndeclaredPrefix')?.[2] as Record<string, unknown>;
    expect(eventHashPreString(commission)).toContain('cbvmda:lotNumber=A1/B-2');
    expect(eventHashPreString(commission, { reading: 'cbv-text' })).toContain('{urn:epcglobal:cbv:mda}lotNumber=A1/B-2');
    expect(eventHashPreString(commission, { namespaces: { cbvmda: 'urn:epcglobal:cbv:mda:' } })).toContain('{urn:epcglobal:cbv:mda:}lotNumber=A1/B-2');
  });

  it('both readings are deterministic digests of their pre-hash', () => {
    for (const reading of ['reference', 'cbv-text'] as const) {
      expect(computeEventHashId(event, { reading })).toBe(`ni:///sha-256;${sha256(eventHashPreString(event, { reading }))}?ver=CBV2.0`);
    }
  });
});

describe('CBV 2.0 event hash of XML input agrees with the reference implementation hashing the XML', () => {
  const events = new Map(HASH_EVENTS.map(([name, ctx, event]) => [name, { ctx, event }]));
  const CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
  it.each(vectors.xmlVectors.map((v) => [v.name, v.version, v] as const))('%s as EPCIS %s XML', (name, version, vector) => {
    const { ctx, event } = events.get(name) as { ctx: Record<string, string> | null; event: Record<string, unknown> };
    const doc = { '@context': ctx ? [CONTEXT, ctx] : [CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T11:00:00Z', epcisBody: { eventList: [event] } };
    const read = readEpcisXml(writeEpcisXml(doc, { version: version as '1.2' | '2.0' }));
    const back = (read.document['epcisBody'] as { eventList: Record<string, unknown>[] }).eventList[0] as Record<string, unknown>;
    expect(eventHashPreString(back, xmlHashOptions(read))).toBe(vector.prehash);
    expect(computeEventHashId(back, xmlHashOptions(read))).toBe(vector.hash);
  });
});
