import fc from 'fast-check';
import { DomainError } from '../errors';
import {
  assessExposure, DEFAULT_MAX_GAP_MINUTES, exposureCache, meanKineticTemperature, packExposure, seriesExposure, type Excursion, type ConditionSource, type PackInterval, type Range, type Reading,
} from './excursion';
import { parseStorageConditions } from './storage';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const RANGE: Range = { min: 2, max: 8 };
const K = 10_000; // ΔH/R for 83.144 kJ/mol and R = 8.3144 J/mol/K

/** Readings at the given minutes after T0. */
const at = (pairs: ReadonlyArray<readonly [number, number]>): Reading[] => pairs.map(([m, value]) => ({ atMs: T0 + m * MIN, value }));

// --- straightforward references -------------------------------------------------------------------

/** Minutes out of range by sampling each interpolated segment at many points (no crossing arithmetic). */
function referenceMinutesOut(readings: readonly Reading[], range: Range, maxGapMinutes = DEFAULT_MAX_GAP_MINUTES): number {
  const out = (v: number) => v < range.min || v > range.max;
  let total = 0;
  for (let i = 0; i + 1 < readings.length; i++) {
    const a = readings[i] as Reading;
    const b = readings[i + 1] as Reading;
    const minutes = (b.atMs - a.atMs) / MIN;
    if (minutes > maxGapMinutes) {
      if (out(a.value) || out(b.value)) total += minutes;
      continue;
    }
    const steps = 2000;
    for (let s = 0; s < steps; s++) {
      const f = (s + 0.5) / steps;
      if (out(a.value + (b.value - a.value) * f)) total += minutes / steps;
    }
  }
  return total;
}

/** Haynes' formula reading by reading, each weighted by half the time to its neighbours (gaps excluded). */
function referenceMkt(readings: readonly Reading[], maxGapMinutes = DEFAULT_MAX_GAP_MINUTES): number | null {
  let sum = 0;
  let weights = 0;
  readings.forEach((r, i) => {
    const before = i > 0 ? (r.atMs - (readings[i - 1] as Reading).atMs) / MIN : 0;
    const after = i + 1 < readings.length ? ((readings[i + 1] as Reading).atMs - r.atMs) / MIN : 0;
    const w = (before > maxGapMinutes ? 0 : before / 2) + (after > maxGapMinutes ? 0 : after / 2);
    sum += w * Math.exp(-K / (r.value + 273.15));
    weights += w;
  });
  return weights === 0 ? null : K / -Math.log(sum / weights) - 273.15;
}

/** Random logger series: steps of 1–15 minutes (sometimes a gap of 61–300), values –10…25 °C in tenths. */
const series = fc
  .array(fc.record({ step: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 15 }) }, { weight: 1, arbitrary: fc.integer({ min: 61, max: 300 }) }), tenths: fc.integer({ min: -100, max: 250 }) }), { minLength: 2, maxLength: 80 })
  .map((rows) => {
    let m = 0;
    return rows.map(({ step, tenths }) => ({ atMs: T0 + (m += step) * MIN, value: tenths / 10 }));
  });

describe('seriesExposure against straightforward references (fast-check)', () => {
  it('cumulative minutes out of range match sampling the interpolated trace', () => {
    fc.assert(fc.property(series, (readings) => {
      const got = seriesExposure(readings, RANGE).minutesOutOfRange;
      const span = (readings[readings.length - 1]!.atMs - readings[0]!.atMs) / MIN;
      expect(Math.abs(got - referenceMinutesOut(readings, RANGE))).toBeLessThanOrEqual(span / 1000 + 1e-9);
    }), { numRuns: 300 });
  });

  it('MKT matches Haynes reading by reading with time weights', () => {
    fc.assert(fc.property(series, (readings) => {
      const got = seriesExposure(readings, RANGE).mktCelsius;
      const want = referenceMkt(readings);
      if (want === null) expect(got).toBeNull();
      else expect(Math.abs((got as number) - want)).toBeLessThan(1e-6);
    }), { numRuns: 300 });
  });

  it('MKT lies between the lowest and highest reading and never below their time-weighted mean', () => {
    fc.assert(fc.property(series, (readings) => {
      const e = seriesExposure(readings, RANGE);
      if (e.mktCelsius === null) return;
      expect(e.mktCelsius).toBeGreaterThanOrEqual((e.lowest as number) - 1e-9);
      expect(e.mktCelsius).toBeLessThanOrEqual((e.highest as number) + 1e-9);
      const mean = meanOf(readings);
      expect(e.mktCelsius).toBeGreaterThanOrEqual(mean - 1e-6);
    }), { numRuns: 200 });
  });

  it('excursions are disjoint, in order, out of range, and add up to the total', () => {
    fc.assert(fc.property(series, (readings) => {
      const e = seriesExposure(readings, RANGE);
      let sum = 0;
      e.excursions.forEach((x, i) => {
        expect(x.endMs).toBeGreaterThan(x.startMs);
        if (i > 0) expect(x.startMs).toBeGreaterThan(e.excursions[i - 1]!.endMs);
        expect(x.highest > RANGE.max || x.lowest < RANGE.min).toBe(true);
        sum += x.minutes;
      });
      expect(sum).toBeCloseTo(e.minutesOutOfRange, 9);
      expect(e.monitoredMinutes + e.gapMinutes).toBeCloseTo((readings[readings.length - 1]!.atMs - readings[0]!.atMs) / MIN, 9);
    }), { numRuns: 200 });
  });

  it('windows add up: [a, m] and [m, b] out of range equals [a, b]', () => {
    fc.assert(fc.property(series, fc.double({ min: 0, max: 1, noNaN: true }), (readings, f) => {
      const a = readings[0]!.atMs;
      const b = readings[readings.length - 1]!.atMs;
      const m = Math.round(a + (b - a) * f);
      const left = seriesExposure(readings, RANGE, {}, { fromMs: a, toMs: m }).minutesOutOfRange;
      const right = seriesExposure(readings, RANGE, {}, { fromMs: m, toMs: b }).minutesOutOfRange;
      expect(left + right).toBeCloseTo(seriesExposure(readings, RANGE).minutesOutOfRange, 6);
    }), { numRuns: 200 });
  });
});

function meanOf(readings: readonly Reading[]): number {
  let sum = 0;
  let w = 0;
  for (let i = 0; i + 1 < readings.length; i++) {
    const dt = (readings[i + 1]!.atMs - readings[i]!.atMs) / MIN;
    if (dt > DEFAULT_MAX_GAP_MINUTES) continue;
    sum += (dt * (readings[i]!.value + readings[i + 1]!.value)) / 2;
    w += dt;
  }
  return w ? sum / w : NaN;
}

describe('seriesExposure: worked cases', () => {
  it.each([
    ['always in range', [[0, 4], [30, 5], [60, 7.9]], 0, []],
    ['7 → 9 °C over ten minutes spends five above 8', [[0, 7], [10, 9]], 5, [[5, 10]]],
    ['the range is inclusive: 8.0 is in range', [[0, 8], [10, 8], [20, 2]], 0, []],
    ['a 3-hour excursion at 15 °C, crossing in one minute each way', [[0, 5], [1, 15], [181, 15], [182, 5]], 180 + 2 * (7 / 10), [[1 - 0.7, 181 + 0.7]]],
    ['below the range (freezing) counts the same', [[0, 4], [10, -2], [20, 4]], 2 * 10 * (4 / 6), [[10 - 10 * 4 / 6, 10 + 10 * 4 / 6]]],
    ['a gap with an out-of-range end counts whole', [[0, 5], [10, 5], [130, 12], [140, 5]], 120 + 10 * 4 / 7, [[10, 130 + 10 * 4 / 7]]],
    ['a gap between in-range readings is unmonitored, not an excursion', [[0, 5], [10, 5], [200, 5]], 0, []],
    ['one segment across the whole range is two excursions', [[0, 10], [12, 0]], 2 * 12 / 10 * 2, [[0, 2 * 12 / 10 * 1], [12 - 2 * 12 / 10 * 1, 12]]],
  ] as const)('%s', (_name, pairs, minutes, windows) => {
    const e = seriesExposure(at(pairs as unknown as Array<[number, number]>), RANGE);
    expect(e.minutesOutOfRange).toBeCloseTo(minutes, 6);
    expect(e.excursions.map((x) => [(x.startMs - T0) / MIN, (x.endMs - T0) / MIN])).toEqual(windows.map(([s, t]) => [expect.closeTo(s, 6), expect.closeTo(t, 6)]));
  });

  it('reports gap minutes apart from monitored minutes', () => {
    const e = seriesExposure(at([[0, 5], [10, 5], [200, 5], [201, 5]]), RANGE);
    expect([e.monitoredMinutes, e.gapMinutes]).toEqual([11, 190]);
    expect(e.excursions).toEqual([]);
    expect(seriesExposure(at([[0, 5], [10, 5], [200, 5]]), RANGE, { maxGapMinutes: 240 }).gapMinutes).toBe(0);
  });

  it('MKT: constant 25 °C is 25 °C; 20 and 30 °C half the time each is 26.26 °C (worked by hand)', () => {
    expect(meanKineticTemperature(at([[0, 25], [60, 25]]))).toBeCloseTo(25, 9);
    expect(meanKineticTemperature(at([[0, 20], [1, 20], [2, 30], [3, 30]]))).toBeCloseTo(26.26, 1);
    expect(meanKineticTemperature(at([[0, 20]]))).toBeNull();
  });

  it('a higher activation energy weighs the warm time more', () => {
    const r = at([[0, 5], [60, 5], [61, 25], [121, 25]]);
    expect(meanKineticTemperature(r, { activationEnergyKjPerMol: 150 })!).toBeGreaterThan(meanKineticTemperature(r)!);
  });

  it.each([
    ['unordered', [[10, 5], [0, 5]], 'not ascending'],
    ['repeated time', [[0, 5], [0, 6]], 'not ascending'],
    ['NaN value', [[0, Number.NaN]], 'not finite'],
  ] as const)('refuses %s readings (READINGS_INVALID)', (_n, pairs, reason) => {
    expect(() => seriesExposure(at(pairs as unknown as Array<[number, number]>), RANGE)).toThrow(expect.objectContaining({ code: 'READINGS_INVALID', details: expect.objectContaining({ reason }) }));
  });
});

describe('packExposure', () => {
  const truck: ConditionSource = { kind: 'shipment', id: 'urn:uuid:ship-1' };
  const kase: ConditionSource = { kind: 'container', id: 'urn:epc:id:sscc:0312345.1000000001' };
  const warehouse: ConditionSource = { kind: 'location', id: 'urn:epc:id:sgln:0312345.00001.0' };
  const minutes = (m: number) => T0 + m * MIN;

  it('takes each leg from the logger where the pack was, then, and only then', () => {
    const readings = new Map<string, Reading[]>([
      ['location', at([[0, 5], [60, 5], [120, 20], [180, 20]])], // the warehouse warms after the pack left at 60
      ['shipment', at([[60, 5], [70, 12], [250, 12], [260, 5], [400, 5]])],
    ]);
    const legs: PackInterval[] = [
      { source: warehouse, fromMs: minutes(0), toMs: minutes(60) },
      { source: truck, fromMs: minutes(60), toMs: minutes(300) },
    ];
    const e = packExposure(legs, (s) => readings.get(s.kind), RANGE);
    expect(e.legs.map((l) => [l.source.kind, (l.fromMs - T0) / MIN, (l.toMs - T0) / MIN])).toEqual([['location', 0, 60], ['shipment', 60, 300]]);
    expect(e.excursions).toHaveLength(1);
    expect(e.excursions[0]).toMatchObject({ source: truck, highest: 12 });
    expect(e.minutesOutOfRange).toBeCloseTo(180 + 10 * (4 / 7) * 2, 6);
    expect(e.unmonitoredMinutes).toBe(0);
  });

  it("prefers the case's own logger over the truck's where both cover the pack", () => {
    const readings = new Map<string, Reading[]>([
      ['shipment', at([[0, 15], [240, 15]])], // the cab is warm
      ['container', at([[60, 5], [180, 5]])], // the insulated case is not, while its logger runs
    ]);
    const e = packExposure(
      [{ source: truck, fromMs: minutes(0), toMs: minutes(240) }, { source: kase, fromMs: minutes(0), toMs: minutes(240) }],
      (s) => readings.get(s.kind), RANGE, { maxGapMinutes: 300 },
    );
    expect(e.legs.map((l) => [l.source.kind, (l.fromMs - T0) / MIN, (l.toMs - T0) / MIN])).toEqual([['shipment', 0, 60], ['container', 60, 180], ['shipment', 180, 240]]);
    expect(e.minutesOutOfRange).toBeCloseTo(120, 6);
    expect(e.excursions.map((x) => x.source?.kind)).toEqual(['shipment', 'shipment']);
  });

  it('counts time no logger covers as unmonitored', () => {
    const e = packExposure([{ source: warehouse, fromMs: minutes(0), toMs: minutes(100) }], () => at([[30, 5], [60, 5]]), RANGE);
    expect([e.monitoredMinutes, e.unmonitoredMinutes]).toEqual([30, 70]);
  });

  it('joins an excursion that runs on across two legs into one', () => {
    const readings = new Map<string, Reading[]>([['location', at([[0, 12], [60, 12]])], ['shipment', at([[60, 12], [120, 12], [121, 5]])]]);
    const e = packExposure([{ source: warehouse, fromMs: minutes(0), toMs: minutes(60) }, { source: truck, fromMs: minutes(60), toMs: minutes(130) }], (s) => readings.get(s.kind), RANGE);
    expect(e.excursions).toHaveLength(1);
    expect(e.excursions[0]).toMatchObject({ source: warehouse, startMs: minutes(0) });
    expect(e.excursions[0]!.minutes).toBeCloseTo(120 + 4 / 7, 6);
  });

  it('one interval over one logger is that logger’s windowed exposure (fast-check)', () => {
    fc.assert(fc.property(series, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (readings, f, g) => {
      const a = readings[0]!.atMs;
      const b = readings[readings.length - 1]!.atMs;
      const [from, to] = [a + (b - a) * Math.min(f, g), a + (b - a) * Math.max(f, g)].map(Math.round) as [number, number];
      const pack = packExposure([{ source: truck, fromMs: from, toMs: to }], () => readings, RANGE);
      const window = seriesExposure(readings, RANGE, {}, { fromMs: from, toMs: to });
      expect(pack.minutesOutOfRange).toBeCloseTo(window.minutesOutOfRange, 6);
      expect(pack.monitoredMinutes).toBeCloseTo(window.monitoredMinutes, 6);
      if (window.mktCelsius !== null) expect(pack.mktCelsius).toBeCloseTo(window.mktCelsius, 6);
    }), { numRuns: 200 });
  });

  it('legs of one long logger that differ share its running sums and answer as a walk of each would (fast-check)', () => {
    // Long enough that windows span the index's blocks (shorter legs are walked directly).
    const long = fc
      .array(fc.record({ step: fc.oneof({ weight: 19, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 61, max: 120 }) }), tenths: fc.integer({ min: -30, max: 120 }) }), { minLength: 300, maxLength: 1500 })
      .map((rows) => {
        let m = 0;
        return rows.map(({ step, tenths }) => ({ atMs: T0 + (m += step) * MIN, value: tenths / 10 }));
      });
    const window = fc.tuple(fc.double({ min: -0.1, max: 1.1, noNaN: true }), fc.double({ min: -0.1, max: 1.1, noNaN: true }));
    const plain = (xs: readonly Excursion[]) => xs.map(({ startMs, endMs, minutes, highest, lowest, inferredFromGap }) => ({ startMs, endMs, minutes, highest, lowest, inferredFromGap }));
    fc.assert(fc.property(long, fc.array(window, { minLength: 1, maxLength: 6 }), (readings, windows) => {
      const a = readings[0]!.atMs;
      const b = readings[readings.length - 1]!.atMs;
      const cache = exposureCache();
      for (const [f, g] of windows) {
        const [from, to] = [a + (b - a) * Math.min(f, g), a + (b - a) * Math.max(f, g)].map(Math.round) as [number, number];
        const shared = packExposure([{ source: truck, fromMs: from, toMs: to }], () => readings, RANGE, {}, cache);
        const walked = packExposure([{ source: truck, fromMs: from, toMs: to }], () => readings, RANGE);
        expect(plain(shared.excursions)).toEqual(plain(walked.excursions));
        expect([shared.minutesOutOfRange, shared.monitoredMinutes, shared.gapMinutes, shared.highest, shared.lowest]).toEqual([walked.minutesOutOfRange, walked.monitoredMinutes, walked.gapMinutes, walked.highest, walked.lowest]);
        if (walked.mktCelsius === null) expect(shared.mktCelsius).toBeNull();
        else expect(shared.mktCelsius).toBeCloseTo(walked.mktCelsius, 9);
      }
    }), { numRuns: 60 });
  });

  it('gives the same answer from the cache for packs that travelled together', () => {
    const cache = exposureCache();
    const readings = at([[0, 5], [10, 12], [100, 12], [110, 5]]);
    const legs = [{ source: truck, fromMs: minutes(0), toMs: minutes(110) }];
    const first = packExposure(legs, () => readings, RANGE, {}, cache);
    expect(packExposure(legs, () => readings, RANGE, {}, cache)).toEqual(first);
    expect(cache.legs.size).toBe(1);
  });

  it('refuses an interval that ends before it starts', () => {
    expect(() => packExposure([{ source: truck, fromMs: minutes(10), toMs: minutes(0) }], () => [], RANGE)).toThrow(DomainError);
  });
});

describe('assessExposure', () => {
  const storage = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 120, mktLimitCelsius: 8 } });
  it.each([
    ['within', { minutesOutOfRange: 100, mktCelsius: 6 }, []],
    ['time spent', { minutesOutOfRange: 181.4, mktCelsius: 7 }, ['minutes_out_of_range']],
    ['MKT above its limit', { minutesOutOfRange: 0, mktCelsius: 8.5 }, ['mkt_above_limit']],
    ['both', { minutesOutOfRange: 200, mktCelsius: 9 }, ['minutes_out_of_range', 'mkt_above_limit']],
    ['no monitored time: nothing to breach the MKT', { minutesOutOfRange: 0, mktCelsius: null }, []],
  ] as const)('%s', (_n, exposure, breaches) => {
    const v = assessExposure(exposure, storage);
    expect(v.breaches).toEqual(breaches);
    expect(v.withinBudget).toBe(breaches.length === 0);
    expect(v.minutesLeft).toBeCloseTo(120 - exposure.minutesOutOfRange, 9);
  });
});
