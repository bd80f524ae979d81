import fc from 'fast-check';
import { DomainError } from '../errors';
import { custodyIntervals, legConditions, type CustodyStep } from './custody';
import { seriesExposure, sourceKey, type PackInterval, type Reading } from './excursion';

const PACK = 'urn:epc:id:sgtin:0312345.012345.1';
const CASE = 'urn:epc:id:sscc:0312345.0000000001';
const PALLET = 'urn:epc:id:sscc:0312345.0000000002';
const OTHER_CASE = 'urn:epc:id:sscc:0312345.0000000003';
const GLN_A = 'urn:epc:id:sgln:0312345.00001.0';
const GLN_B = 'urn:epc:id:sgln:0312345.00002.0';
const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 8);
const at = (minutes: number) => T0 + minutes * MIN;
const iv = (kind: PackInterval['source']['kind'], id: string, from: number, to: number): PackInterval => ({ source: { kind, id }, fromMs: at(from), toMs: at(to) });

/**
 * The reference: where the pack was at instant t, by replaying every step up to t (no intervals, no
 * clipping). A record is in its last container if its last pack/unpack step is a pack; with a
 * shipment between a ship and the next receive; at a location from an arrival until a ship.
 */
function whereAt(subject: string, steps: readonly CustodyStep[], t: number, depth = 0): Set<string> {
  const mine = steps.filter((s) => s.subject === subject && s.atMs <= t).map((s, i) => ({ s, i })).sort((a, b) => a.s.atMs - b.s.atMs || a.i - b.i).map((x) => x.s);
  const here = new Set<string>();
  let container: string | undefined;
  let location: string | undefined;
  let shipments: string[] = [];
  for (const s of mine) {
    if (s.kind === 'pack') container = s.container;
    if (s.kind === 'unpack' && container === s.container) container = undefined;
    if (s.kind === 'ship') {
      location = undefined;
      shipments.push(s.shipment);
    }
    if (s.kind === 'receive') shipments = [];
    if (s.kind === 'arrive') location = s.location;
    if (s.kind === 'leave') {
      location = undefined;
      container = undefined;
    }
  }
  if (location) here.add(`location:${location}`);
  for (const id of shipments) here.add(`shipment:${id}`);
  if (container) {
    here.add(`container:${container}`);
    if (depth < 8) for (const k of whereAt(container, steps, t, depth + 1)) here.add(k);
  }
  return here;
}

const SUBJECTS = [PACK, CASE, PALLET, OTHER_CASE];
/** Random histories: the pack goes in and out of two cases, the cases on and off a pallet (never into themselves). */
const step: fc.Arbitrary<CustodyStep> = fc.record({ minute: fc.integer({ min: 0, max: 200 }), subject: fc.constantFrom(...SUBJECTS), pick: fc.nat(5), n: fc.nat(2) }).map(({ minute, subject, pick, n }): CustodyStep => {
  const atMs = at(minute);
  const containers = subject === PACK ? [CASE, OTHER_CASE] : subject === PALLET ? [] : [PALLET];
  const container = containers[n % Math.max(1, containers.length)];
  if (pick <= 1 && container) return { kind: pick === 0 ? 'pack' : 'unpack', subject, atMs, container };
  if (pick === 2) return { kind: 'ship', subject, atMs, shipment: `S${n}` };
  if (pick === 3) return { kind: 'receive', subject, atMs };
  if (pick === 5 && n === 2) return { kind: 'leave', subject, atMs };
  return { kind: 'arrive', subject, atMs, location: n ? GLN_A : GLN_B };
});

describe('custodyIntervals', () => {
  it.each<[string, CustodyStep[], number, PackInterval[]]>([
    ['a pack alone at a location, then shipped and received elsewhere', [
      { kind: 'arrive', subject: PACK, atMs: at(0), location: GLN_A },
      { kind: 'ship', subject: PACK, atMs: at(10), shipment: 'S1' },
      { kind: 'receive', subject: PACK, atMs: at(70) },
      { kind: 'arrive', subject: PACK, atMs: at(70), location: GLN_B },
    ], 100, [iv('location', GLN_A, 0, 10), iv('shipment', 'S1', 10, 70), iv('location', GLN_B, 70, 100)]],
    ['received at the pharmacy\'s site, stored there until dispensed', [
      { kind: 'ship', subject: PACK, atMs: at(0), shipment: 'S1' },
      { kind: 'receive', subject: PACK, atMs: at(60) },
      { kind: 'arrive', subject: PACK, atMs: at(60), location: GLN_B },
      { kind: 'leave', subject: PACK, atMs: at(240) },
    ], 300, [iv('shipment', 'S1', 0, 60), iv('location', GLN_B, 60, 240)]],
    ['in a case only while it was packed: the case logger before packing and after unpacking is not the pack\'s', [
      { kind: 'arrive', subject: CASE, atMs: at(0), location: GLN_A },
      { kind: 'pack', subject: PACK, atMs: at(30), container: CASE },
      { kind: 'ship', subject: CASE, atMs: at(40), shipment: 'S1' },
      { kind: 'receive', subject: CASE, atMs: at(100) },
      { kind: 'unpack', subject: PACK, atMs: at(110), container: CASE },
    ], 200, [iv('container', CASE, 30, 110), iv('location', GLN_A, 30, 40), iv('shipment', 'S1', 40, 100)]],
    ['a case on a pallet: the pallet and its shipment reach the pack through the case, clipped to both', [
      { kind: 'pack', subject: PACK, atMs: at(0), container: CASE },
      { kind: 'pack', subject: CASE, atMs: at(5), container: PALLET },
      { kind: 'ship', subject: PALLET, atMs: at(10), shipment: 'S1' },
      // The pack's own rows say so too (the ledger ships descendants): merged, not doubled.
      { kind: 'ship', subject: PACK, atMs: at(10), shipment: 'S1' },
      { kind: 'receive', subject: PALLET, atMs: at(50) },
      { kind: 'receive', subject: PACK, atMs: at(50) },
      { kind: 'unpack', subject: CASE, atMs: at(60), container: PALLET },
    ], 90, [iv('container', CASE, 0, 90), iv('container', PALLET, 5, 60), iv('shipment', 'S1', 10, 50)]],
    ['repacked into another case: the first case ends where the second begins', [
      { kind: 'pack', subject: PACK, atMs: at(0), container: CASE },
      { kind: 'pack', subject: PACK, atMs: at(20), container: OTHER_CASE },
      { kind: 'unpack', subject: PACK, atMs: at(30), container: CASE },
    ], 40, [iv('container', CASE, 0, 20), iv('container', OTHER_CASE, 20, 40)]],
    ['steps after the end are not read yet; nothing before the first step', [
      { kind: 'ship', subject: PACK, atMs: at(10), shipment: 'S1' },
      { kind: 'receive', subject: PACK, atMs: at(90) },
    ], 50, [iv('shipment', 'S1', 10, 50)]],
  ])('%s', (_, steps, until, expected) => {
    expect(custodyIntervals(PACK, steps, at(until))).toEqual(expected);
  });

  it('refuses a container inside itself, naming the path', () => {
    const steps: CustodyStep[] = [
      { kind: 'pack', subject: PACK, atMs: at(0), container: CASE },
      { kind: 'pack', subject: CASE, atMs: at(1), container: PALLET },
      { kind: 'pack', subject: PALLET, atMs: at(2), container: CASE },
    ];
    expect(() => custodyIntervals(PACK, steps, at(10))).toThrow(DomainError);
    expect(() => custodyIntervals(PACK, steps, at(10))).toThrow(/inside itself/);
  });

  it('agrees with replaying the history at every instant (property)', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 30 }), fc.integer({ min: 0, max: 220 }), (steps, until) => {
      const intervals = custodyIntervals(PACK, steps, at(until));
      // Sample between the minutes where steps fall: no instant is ambiguous.
      for (let m = 0; m < until; m += 1) {
        const t = at(m) + MIN / 2;
        const got = new Set(intervals.filter((x) => x.fromMs <= t && x.toMs > t).map((x) => sourceKey(x.source)));
        expect([...got].sort()).toEqual([...whereAt(PACK, steps, t)].sort());
      }
    }), { numRuns: 300 });
  });

  it('gives non-empty intervals within the history, one per stretch of each source (property)', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 30 }), fc.integer({ min: 0, max: 220 }), (steps, until) => {
      const intervals = custodyIntervals(PACK, steps, at(until));
      const first = Math.min(...steps.map((s) => s.atMs));
      for (const x of intervals) {
        expect(x.toMs).toBeGreaterThan(x.fromMs);
        expect(x.fromMs).toBeGreaterThanOrEqual(first);
        expect(x.toMs).toBeLessThanOrEqual(at(until));
      }
      const byKey = new Map<string, PackInterval[]>();
      for (const x of intervals) byKey.set(sourceKey(x.source), [...(byKey.get(sourceKey(x.source)) ?? []), x]);
      for (const list of byKey.values()) for (let i = 1; i < list.length; i++) expect(list[i]!.fromMs).toBeGreaterThan(list[i - 1]!.toMs);
    }), { numRuns: 300 });
  });
});

describe('legConditions', () => {
  // A truck logger: 5 °C, 15 °C over minutes [20, 50), readings a minute apart; no case logger.
  const truck: Reading[] = Array.from({ length: 121 }, (_, m) => ({ atMs: at(m), value: m >= 20 && m < 50 ? 15 : 5 }));
  const readingsOf = (s: PackInterval['source']) => (s.kind === 'shipment' ? truck : undefined);
  const legs = legConditions([iv('shipment', 'S1', 10, 100), iv('container', CASE, 0, 120)], readingsOf, { min: 2, max: 8 });

  it('gives each leg in time order, the one without a logger as not covered', () => {
    expect(legs.map((l) => [l.source.kind, l.covered])).toEqual([['container', false], ['shipment', true]]);
    expect(legs[0]).toMatchObject({ monitoredMinutes: 0, minutesOutOfRange: 0, mktCelsius: null, highestCelsius: null, lowestCelsius: null });
  });

  it("reads the leg's own logger only within the leg", () => {
    const window = seriesExposure(truck, { min: 2, max: 8 }, {}, { fromMs: at(10), toMs: at(100) });
    expect(legs[1]).toMatchObject({ monitoredMinutes: 90, highestCelsius: 15, lowestCelsius: 5, minutesOutOfRange: window.minutesOutOfRange, mktCelsius: window.mktCelsius });
    expect(legs[1]!.minutesOutOfRange).toBeCloseTo(30 + 0.5 + 0.3, 0);
  });
});
