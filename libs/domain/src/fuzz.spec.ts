import fc from 'fast-check';
import { isDomainError } from './errors';
import { CSET82, isCset82 } from './gs1/charset';
import { withCheckDigit } from './gs1/check-digit';
import { buildDigitalLink } from './gs1/digital-link';
import { toBracketed, toElementString } from './gs1/element-string';
import { isValidGtin } from './gs1/gtin';
import { sgtinToEpcUrn } from './gs1/epc-urn';
import { GS, parseScan } from './scan/parse-scan';
import { commissionEvent, receiveEvent, shipEvent, dispenseEvent } from './epcis/builders';
import { validateEpcisDocument } from './epcis/validate';
import { isIsoDate } from './time';

/**
 * Fuzzing of the two doors bad input comes through: the pharmacist's scan (parseScan) and EPCIS
 * capture (validateEpcisDocument with the DSCSA profile, what POST /epcis/capture runs first).
 * Properties: nothing crashes (only DomainError, or issues, come out), nothing invalid is accepted,
 * and valid input round-trips. CI runs PEDIGREE_FUZZ_RUNS (default 2,000) inputs per property;
 * `npm run bench:fuzz` runs 100,000 each and prints inputs per second.
 */
const RUNS = Number(process.env.PEDIGREE_FUZZ_RUNS ?? 2000);
const bench = RUNS >= 10_000;
const params = { numRuns: RUNS, seed: process.env.PEDIGREE_FUZZ_SEED ? Number(process.env.PEDIGREE_FUZZ_SEED) : undefined };
if (bench) jest.setTimeout(1_800_000);

function timed(name: string, body: () => void): void {
  const t0 = performance.now();
  body();
  const s = (performance.now() - t0) / 1000;
  if (bench) process.stdout.write(`[fuzz] ${name}: ${RUNS} inputs in ${s.toFixed(1)} s (${Math.round(RUNS / s)}/s)\n`);
}

// ------------------------------------------------------------------------------------------------
// Scans

const cset82 = fc.constantFrom(...CSET82);
const text = (max: number) => fc.string({ unit: cset82, minLength: 1, maxLength: max });
const gtinArb = fc.stringMatching(/^[0-9]{13}$/).map(withCheckDigit);
const yymmdd = fc.record({ yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), dd: fc.integer({ min: 0, max: 28 }) })
  .map(({ yy, mm, dd }) => [yy, mm, dd].map((v) => String(v).padStart(2, '0')).join(''));
const scanAis = fc.record({ '01': gtinArb, '17': yymmdd, '10': text(20), '21': text(20) });
const validScan = fc.tuple(scanAis, fc.integer({ min: 0, max: 3 })).map(([ais, form]) => ({
  ais,
  scan: [toElementString(ais, { symbologyIdentifier: ']d2', separator: GS }), toElementString(ais, { separator: '<GS>' }), toBracketed(ais), buildDigitalLink(ais, { base: 'https://id.example.com' })][form],
}));
/** Valid scans with one character changed, dropped or duplicated: the usual damage of a bad read. */
const damagedScan = fc.tuple(validScan, fc.nat(), fc.constantFrom('replace', 'drop', 'dup'), fc.constantFrom(...'0123456789()%/<>A\u001d'.split('')))
  .map(([{ scan }, at, how, c]) => {
    const i = at % scan.length;
    return how === 'replace' ? scan.slice(0, i) + c + scan.slice(i + 1) : how === 'drop' ? scan.slice(0, i) + scan.slice(i + 1) : scan.slice(0, i) + scan[i] + scan.slice(i);
  });
const junkScan = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '7', '9', GS, '(', ')', '%', '/', 'A', ']', 'd'), maxLength: 120 }),
  fc.string({ maxLength: 80 }).map((s) => `https://id.gs1.org/01/${s}`),
  fc.string({ maxLength: 80 }).map((s) => `urn:epc:id:sgtin:${s}`),
  damagedScan,
);

/** What an accepted scan must satisfy, whatever the input was. */
function assertAcceptedIsValid(parsed: ReturnType<typeof parseScan>): void {
  if (parsed.gtin !== undefined) expect(isValidGtin(parsed.gtin)).toBe(true);
  for (const v of [parsed.serial, parsed.lot]) {
    if (v !== undefined) {
      expect(v.length).toBeGreaterThan(0);
      expect(v.length).toBeLessThanOrEqual(20);
      expect(isCset82(v)).toBe(true);
    }
  }
  if (parsed.expiry !== undefined) expect(isIsoDate(parsed.expiry)).toBe(true);
}

describe('fuzz: parseScan', () => {
  it('valid scans in every form round-trip to the same AIs', () => timed('scan round trip', () => {
    fc.assert(fc.property(validScan, ({ ais, scan }) => {
      const parsed = parseScan(scan);
      expect(parsed.ais).toEqual(ais);
      // Re-rendering what was read and reading it again gives the same reading.
      expect(parseScan(toBracketed(parsed.ais)).ais).toEqual(parsed.ais);
    }), params);
  }));

  it('junk and damaged scans never crash and are never accepted invalid', () => timed('scan junk', () => {
    let accepted = 0;
    fc.assert(fc.property(junkScan, (scan) => {
      let parsed;
      try {
        parsed = parseScan(scan);
      } catch (e) {
        if (!isDomainError(e)) throw e;
        return;
      }
      accepted++;
      assertAcceptedIsValid(parsed);
      // Whatever was accepted is stable: its canonical rendering reads back the same.
      expect(parseScan(toBracketed(parsed.ais)).ais).toEqual(parsed.ais);
    }), params);
    expect(accepted).toBeGreaterThan(0);
  }));
});

// ------------------------------------------------------------------------------------------------
// EPCIS capture

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const serialArb = fc.stringMatching(/^[A-Za-z0-9]{1,20}$/);
const eventTime = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => new Date(t).toISOString());
const owner = (n: number) => `urn:epc:id:pgln:031234${n}.00000`;
const eventArb = fc.tuple(fc.constantFrom('commission', 'ship', 'receive', 'dispense'), gtinArb, fc.uniqueArray(serialArb, { minLength: 1, maxLength: 5 }), text(20), eventTime)
  .map(([step, gtin, serials, lot, time]) => {
    const epcs = serials.map((s) => sgtinToEpcUrn(gtin, s, { companyPrefixLength: 7 }));
    const t = time as Parameters<typeof commissionEvent>[0]['eventTime'];
    const readPoint = 'urn:epc:id:sgln:0312345.00000.0';
    const transfer = { eventTime: t, readPoint, epcs, from: { owner: owner(5) }, to: { owner: owner(6) }, bizTransactions: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0312345000016:PO-1' }] };
    switch (step) {
      case 'commission': return commissionEvent({ eventTime: t, readPoint, epcs, lot, expiry: '2030-12-31' as never }, { companyPrefixLength: 7 });
      case 'ship': return shipEvent(transfer as never, { companyPrefixLength: 7 });
      case 'receive': return receiveEvent(transfer as never, { companyPrefixLength: 7 });
      default: return dispenseEvent({ eventTime: t, readPoint, epcs } as never, { companyPrefixLength: 7 });
    }
  });
const documentArb = fc.uniqueArray(eventArb, { minLength: 1, maxLength: 4, selector: (e) => e.eventID }).map((eventList) => ({
  '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-01-01T00:00:00Z', epcisBody: { eventList },
}));

/** Paths to fields every captured document and event must have, and a wrong value for each. */
const BREAKS: Array<(d: Record<string, unknown>) => void> = [
  (d) => { delete d.type; },
  (d) => { d.schemaVersion = 2; },
  (d) => { d.creationDate = 'yesterday'; },
  (d) => { (d.epcisBody as Record<string, unknown>).eventList = {}; },
  (d) => { delete events(d)[0].eventTime; },
  (d) => { events(d)[0].eventTime = '2026-13-45T00:00:00Z'; },
  (d) => { events(d)[0].action = 'TELEPORT'; },
  (d) => { events(d)[0].type = 'MagicEvent'; },
  (d) => { events(d)[0].bizStep = 'shiping'; },
  (d) => { const e = events(d)[0]; if (Array.isArray(e.epcList)) e.epcList = ['urn:epc:id:sgtin:not-an-epc']; else e.parentID = 'nope'; },
  (d) => { const list = events(d); list.push(structuredClone(list[0])); },
];
function events(d: Record<string, unknown>): Array<Record<string, unknown>> {
  return (d.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
}

describe('fuzz: EPCIS capture validation (DSCSA profile)', () => {
  it('built documents validate, and survive a JSON round trip unchanged and valid', () => timed('epcis valid round trip', () => {
    fc.assert(fc.property(documentArb, (doc) => {
      expect(validateEpcisDocument(doc, { dscsa: true })).toEqual([]);
      const again = JSON.parse(JSON.stringify(doc));
      expect(again).toEqual(doc);
      expect(validateEpcisDocument(again, { dscsa: true })).toEqual([]);
    }), params);
  }));

  it('a document with one required thing broken is refused', () => timed('epcis broken', () => {
    fc.assert(fc.property(documentArb, fc.integer({ min: 0, max: BREAKS.length - 1 }), (doc, b) => {
      const broken = structuredClone(doc) as Record<string, unknown>;
      BREAKS[b](broken);
      expect(validateEpcisDocument(broken, { dscsa: true }).length).toBeGreaterThan(0);
    }), params);
  }));

  it('arbitrary JSON never crashes the validator and is never accepted', () => timed('epcis junk', () => {
    const junk = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }),
      fc.anything({ maxDepth: 4 }),
      documentArb.chain((doc) => fc.jsonValue({ maxDepth: 3 }).map((v) => ({ ...doc, epcisBody: { eventList: [v, ...events(doc as Record<string, unknown>)] } }))),
      documentArb.chain((doc) => fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map((extra) => ({ ...doc, epcisBody: { eventList: [{ ...extra }] } }))),
    );
    fc.assert(fc.property(junk, (value) => {
      const issues = validateEpcisDocument(value, { dscsa: true });
      expect(Array.isArray(issues)).toBe(true);
      expect(issues.length).toBeGreaterThan(0);
    }), params);
  }));
});
