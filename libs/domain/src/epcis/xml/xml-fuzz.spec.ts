import fc from 'fast-check';
import { isDomainError } from '../../errors';
import { sgtinToEpcUrn } from '../../gs1/epc-urn';
import { withCheckDigit } from '../../gs1/check-digit';
import { commissionEvent, dispenseEvent, packEvent, receiveEvent, shipEvent } from '../builders';
import { documentOf, VALID_EVENTS } from '../epcis-examples';
import { validateEpcisEvent } from '../validate';
import { readAndValidateEpcisXml, readEpcisXml, writeEpcisXml } from './index';

/**
 * Fuzzing of the XML capture door, as fuzz.spec.ts does for JSON: whatever bytes arrive, the
 * reader + validator either refuse them with a DomainError / issues, or accept a document that is
 * valid EPCIS, converts back to XML and reads back the same. PEDIGREE_FUZZ_RUNS sets the runs.
 */
const RUNS = Math.max(50, Math.round(Number(process.env.PEDIGREE_FUZZ_RUNS ?? 2000) / 4));
const params = { numRuns: RUNS, seed: process.env.PEDIGREE_FUZZ_SEED ? Number(process.env.PEDIGREE_FUZZ_SEED) : undefined };
const bench = RUNS >= 2500;
if (bench) jest.setTimeout(1_800_000);

function timed(name: string, body: () => void): void {
  const t0 = performance.now();
  body();
  const s = (performance.now() - t0) / 1000;
  if (bench) process.stdout.write(`[fuzz] ${name}: ${RUNS} inputs in ${s.toFixed(1)} s (${Math.round(RUNS / s)}/s)\n`);
}

type Obj = Record<string, unknown>;
const eventsOf = (doc: Obj): Obj[] => (doc['epcisBody'] as { eventList: Obj[] }).eventList;

const gtinArb = fc.stringMatching(/^003[0-9]{10}$/).map(withCheckDigit);
const serialArb = fc.stringMatching(/^[A-Za-z0-9%&/<>?"]{1,20}$/);
const timeArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => new Date(t).toISOString() as never);
const party = { owner: 'urn:epc:id:pgln:0312345.00000' };
const buyer = { owner: 'urn:epc:id:pgln:0398765.00000' };
const builtEvent = fc.tuple(fc.constantFrom('commission', 'pack', 'ship', 'receive', 'dispense'), gtinArb, fc.uniqueArray(serialArb, { minLength: 1, maxLength: 4 }), timeArb)
  .map(([step, gtin, serials, eventTime]) => {
    const epcs = serials.map((s) => sgtinToEpcUrn(gtin, s));
    const readPoint = 'urn:epc:id:sgln:0312345.00001.0';
    const transfer = { eventTime, readPoint, epcs, from: party, to: buyer, bizTransactions: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0398765000006:PO-1' }] };
    switch (step) {
      case 'commission': return commissionEvent({ eventTime, readPoint, epcs, lot: 'L1', expiry: '2030-12-31' as never });
      case 'pack': return packEvent({ eventTime, readPoint, parent: 'urn:epc:id:sscc:0312345.0123456789', children: epcs } as never);
      case 'ship': return shipEvent(transfer as never);
      case 'receive': return receiveEvent(transfer as never);
      default: return dispenseEvent({ eventTime, readPoint, epcs } as never);
    }
  });
const exampleEvent = fc.constantFrom(...Object.values(VALID_EVENTS));
const docArb = fc.tuple(fc.uniqueArray(fc.oneof(builtEvent, exampleEvent), { minLength: 1, maxLength: 4, selector: (e) => String((e as Obj)['eventID'] ?? JSON.stringify(e)) }), fc.constantFrom('1.2' as const, '2.0' as const));
const NOT_12 = (e: Obj): boolean => e['type'] === 'AssociationEvent' || ['sensorElementList', 'persistentDisposition', 'certificationInfo'].some((k) => e[k] !== undefined);
const xmlArb = docArb.map(([events, version]) => {
  const list = version === '1.2' ? events.filter((e) => !NOT_12(e as Obj)) : events;
  return { version, events: list as Obj[], xml: writeEpcisXml(documentOf(list.length ? list : [VALID_EVENTS['objectShip']]), { version }) };
});

/** One capture attempt: refused (DomainError or issues) or accepted; anything else is a crash. */
function capture(xml: string): { accepted: boolean; document?: Obj } {
  try {
    const { read, issues } = readAndValidateEpcisXml(xml);
    for (const i of issues) expect(typeof i.path).toBe('string');
    return issues.length ? { accepted: false } : { accepted: true, document: read.document };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    expect(['EPCIS_XML_INVALID']).toContain(e.code);
    return { accepted: false };
  }
}

function assertAcceptedIsValid(document: Obj): void {
  for (const e of eventsOf(document)) expect(validateEpcisEvent(e)).toEqual([]);
  const again = readEpcisXml(writeEpcisXml(document, { version: '2.0' })).document;
  expect(eventsOf(again)).toEqual(eventsOf(document));
}

const mutate = fc.tuple(fc.nat(), fc.constantFrom('replace', 'drop', 'dup', 'truncate', 'insert'), fc.constantFrom(...'<>/&"=x:; \n0%'.split(''), '<foo>', '</epc>', '<!--', ']]>', '&amp;', '<epc>urn:x</epc>', '<ext:x xmlns:ext="urn:e">1</ext:x>'));

describe('fuzz: EPCIS XML capture', () => {
  it('written documents read back valid and identical, in 1.2 and 2.0', () => timed('epcis xml round trip', () => {
    fc.assert(fc.property(xmlArb, ({ xml }) => {
      const result = capture(xml);
      expect(result.accepted).toBe(true);
      assertAcceptedIsValid(result.document as Obj);
    }), params);
  }));

  it('damaged documents never crash and nothing invalid is accepted', () => timed('epcis xml damaged', () => {
    let refused = 0;
    fc.assert(fc.property(xmlArb, mutate, ({ xml }, [at, how, s]) => {
      const i = at % xml.length;
      const damaged = how === 'replace' ? xml.slice(0, i) + s + xml.slice(i + 1) : how === 'drop' ? xml.slice(0, i) + xml.slice(i + 1)
        : how === 'dup' ? xml.slice(0, i) + xml.slice(i, i + 10) + xml.slice(i) : how === 'truncate' ? xml.slice(0, i) : xml.slice(0, i) + s + xml.slice(i);
      const result = capture(damaged);
      if (result.accepted) assertAcceptedIsValid(result.document as Obj);
      else refused++;
    }), params);
    expect(refused).toBeGreaterThan(0);
  }));

  it('arbitrary text and XML-shaped junk never crash and are never accepted', () => timed('epcis xml junk', () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: fc.constantFrom('<', '>', '/', 'a', 'epcis:EPCISDocument', ' ', '"', '=', 'xmlns:epcis="urn:epcglobal:epcis:xsd:2"', 'EPCISBody', 'EventList', 'ObjectEvent'), maxLength: 60 }),
      fc.string({ maxLength: 200 }).map((s) => `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1"><EPCISBody><EventList><ObjectEvent>${s}</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`),
    );
    fc.assert(fc.property(junk, (s) => {
      expect(capture(s).accepted).toBe(false);
    }), params);
  }));
});
