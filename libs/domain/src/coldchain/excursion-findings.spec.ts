import fc from 'fast-check';
import { checkShipmentConditions, excursionHold, type ExcursionEvidence } from './excursion-findings';
import { DEFAULT_MAX_GAP_MINUTES, type ConditionSource, type PackInterval, type Reading } from './excursion';
import { humiditySeries, temperatureSeries, type LoggerReading } from './readings';
import { parseStorageConditions, type StorageConditions } from './storage';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 8);
const FRIDGE_GTIN = '00312345678906';
const SHELF_GTIN = '00312345000015';
const storage = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 60, mktLimitCelsius: 8 } });
const shipment: ConditionSource = { kind: 'shipment', id: 'ship-1' };
const kase: ConditionSource = { kind: 'container', id: 'urn:epc:id:sscc:0312345.1000000001' };
const legs: PackInterval[] = [{ source: shipment, fromMs: T0, toMs: T0 + 600 * MIN }, { source: kase, fromMs: T0, toMs: T0 + 600 * MIN }];
const trace = (hot: boolean): Reading[] => Array.from({ length: 601 }, (_, m) => ({ atMs: T0 + m * MIN, value: hot && m >= 120 && m < 300 ? 15 : 5 }));

function check(hot: boolean) {
  return checkShipmentConditions({
    shipmentId: 'ship-1', seller: 'ManufacturerMSP', receiver: 'DispenserMSP',
    packs: [
      { epc: 'urn:epc:id:sgtin:0312345.067890.1', gtin: FRIDGE_GTIN, legs },
      { epc: 'urn:epc:id:sgtin:0312345.067890.2', gtin: FRIDGE_GTIN, legs },
      { epc: 'urn:epc:id:sgtin:0312345.000001.1', gtin: SHELF_GTIN, legs },
    ],
    storageOf: (gtin) => (gtin === FRIDGE_GTIN ? storage : undefined),
    readingsOf: (s) => (s.kind === 'container' ? trace(hot) : undefined),
  });
}

describe('checkShipmentConditions', () => {
  it('finds nothing for a case whose logger stayed in range, and skips products without storage conditions', () => {
    const { packs, findings } = check(false);
    expect(findings).toEqual([]);
    expect(packs.map((p) => [p.gtin, p.withinBudget])).toEqual([[FRIDGE_GTIN, true], [FRIDGE_GTIN, true]]);
  });

  it('raises one temperature_excursion per product for a 3-hour excursion, holding its packs, saying when, where and how long', () => {
    const { findings } = check(true);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ rule: 'temperature_excursion', shipmentId: 'ship-1', seller: 'ManufacturerMSP', receiver: 'DispenserMSP' });
    expect(f.hold).toEqual(['urn:epc:id:sgtin:0312345.067890.1', 'urn:epc:id:sgtin:0312345.067890.2']);
    const e = f.evidence as unknown as { excursions: Array<{ startAt: string; minutes: number; highestCelsius: number; source: ConditionSource }>; breaches: string[]; summary: string };
    expect(e.breaches).toEqual(['minutes_out_of_range', 'mkt_above_limit']);
    expect(e.excursions).toHaveLength(1);
    expect(e.excursions[0]).toMatchObject({ highestCelsius: 15, source: kase });
    expect(e.excursions[0]!.minutes).toBeCloseTo(179 + 2 * 0.7, 1);
    expect(e.excursions[0]!.startAt).toBe('2026-03-01T09:59:18.000Z');
    expect(e.summary).toMatch(/^temperature excursion: 2 pack\(s\) of 00312345678906 spent 180 min outside 2–8 °C \(budget 60 min, MKT .* °C\), from 2026-03-01T09:59:18.000Z on container /);
  });
});

// --- humidity ----------------------------------------------------------------------------------------

const LOCATION: ConditionSource = { kind: 'location', id: 'urn:epc:id:sgln:0356789.00000.0' };
const PACK = 'urn:epc:id:sgtin:0312345.067890.9';

function checkHumidity(logger: readonly LoggerReading[], conditions: StorageConditions) {
  const first = logger[0]!.atMs;
  const last = logger[logger.length - 1]!.atMs;
  return checkShipmentConditions({
    shipmentId: 'ship-1', seller: 'ManufacturerMSP', receiver: 'DispenserMSP',
    packs: [{ epc: PACK, gtin: FRIDGE_GTIN, legs: [{ source: LOCATION, fromMs: first, toMs: last }] }],
    storageOf: () => conditions, readingsOf: () => temperatureSeries({ readings: logger }), humidityOf: () => humiditySeries({ readings: logger }),
  });
}

/**
 * The reference: the humidity at each instant of a fine grid, interpolated between the two
 * humidity readings around it (readings without humidity skipped), counted when out of range; two
 * humidity readings more than an hour apart are a gap, out of range whole when either end is.
 */
function referenceHumidityMinutes(logger: readonly LoggerReading[], min: number, max: number): number {
  const humid = logger.filter((r) => r.humidityPercent !== undefined);
  if (humid.length < 2) return 0;
  const stepMs = 1_000;
  let outMs = 0;
  let j = 0;
  for (let t = humid[0]!.atMs + stepMs / 2; t < humid[humid.length - 1]!.atMs; t += stepMs) {
    while (humid[j + 1]!.atMs < t) j++;
    const a = humid[j]!;
    const b = humid[j + 1]!;
    const out = (h: number) => h < min || h > max;
    const gap = b.atMs - a.atMs > DEFAULT_MAX_GAP_MINUTES * MIN;
    const h = a.humidityPercent! + ((b.humidityPercent! - a.humidityPercent!) * (t - a.atMs)) / (b.atMs - a.atMs);
    if (gap ? out(a.humidityPercent!) || out(b.humidityPercent!) : out(h)) outMs += stepMs;
  }
  return outMs / MIN;
}

describe('humidity against the product\'s humidity range and budget', () => {
  const humidFridge = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, humidity: { minPercent: 30, maxPercent: 60, maxMinutesOutOfRange: 60 }, budget: { maxMinutesOutOfRange: 60 } });
  const logger = (wet: boolean): LoggerReading[] => Array.from({ length: 601 }, (_, m) => ({ atMs: T0 + m * MIN, celsius: 5, ...(m % 2 ? {} : { humidityPercent: wet && m >= 120 && m < 300 ? 75 : 50 }) }));

  it('a 3-hour humid stretch in a fridge that kept its temperature is a humidity excursion, held like a temperature one', () => {
    const { packs, findings } = checkHumidity(logger(true), humidFridge);
    expect(packs[0]).toMatchObject({ withinBudget: false, breaches: ['humidity_minutes_out_of_range'] });
    expect(packs[0]!.exposure.minutesOutOfRange).toBe(0);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.hold).toEqual([PACK]);
    const e = findings[0]!.evidence as unknown as { summary: string; humidity: { range: string; budgetMinutes: number; minutesOutOfRange: number; excursions: Array<{ highestPercent: number; source: ConditionSource }> } };
    expect(e.summary).toMatch(/^humidity excursion: 1 pack\(s\) of 00312345678906 spent 18\d min outside 30–60 % RH \(budget 60 min\)$/);
    expect(e.humidity).toMatchObject({ range: '30–60 % RH', budgetMinutes: 60, excursions: [{ highestPercent: 75, source: LOCATION }] });
    expect(e.humidity.minutesOutOfRange).toBeGreaterThan(180);
  });

  it('without a humidity budget the humidity is measured but breaks nothing; without a humidity range it is not read', () => {
    const noBudget = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, humidity: { minPercent: 30, maxPercent: 60 }, budget: { maxMinutesOutOfRange: 60 } });
    const measured = checkHumidity(logger(true), noBudget);
    expect(measured.findings).toEqual([]);
    expect(measured.packs[0]!.humidity!.minutesOutOfRange).toBeGreaterThan(180);
    expect(checkHumidity(logger(true), storage).packs[0]!.humidity).toBeUndefined();
  });

  it.each([
    ['a humidity-only hold', false, true, ['HUMIDITY_EXCURSION']],
    ['a temperature-only hold', true, false, ['TEMPERATURE_EXCURSION']],
    ['a hold that broke both budgets', true, true, ['TEMPERATURE_EXCURSION', 'HUMIDITY_EXCURSION']],
  ] as const)('at the counter, %s says which excursion it is, listing each stretch', (_name, hot, wet, reasons) => {
    const readings = logger(wet).map((r, m) => ({ ...r, celsius: hot && m >= 120 && m < 300 ? 15 : 5 }));
    const { findings } = checkHumidity(readings, humidFridge);
    const hold = excursionHold(findings.map((f) => f.evidence as unknown as ExcursionEvidence));
    expect(hold.reasons).toEqual(reasons);
    expect(hold.temperatureExcursions.length > 0).toBe(hot);
    expect(hold.humidityExcursions.length > 0).toBe(wet);
    if (wet) expect(hold.humidityExcursions[0]).toMatchObject({ highestPercent: 75, source: LOCATION });
  });

  it('evidence recorded before breaches were kept reads as a temperature excursion; no evidence, no reason', () => {
    expect(excursionHold([{ excursions: [] }]).reasons).toEqual(['TEMPERATURE_EXCURSION']);
    expect(excursionHold([])).toEqual({ reasons: [], temperatureExcursions: [], humidityExcursions: [] });
  });

  it('minutes out of the humidity range match a fine-grid reference, and breach exactly beyond the budget (fast-check)', () => {
    const loggers = fc.array(fc.record({ step: fc.integer({ min: 1, max: 15 }), humidity: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined, freq: 4 }) }), { minLength: 2, maxLength: 60 })
      .map((rows) => {
        let m = 0;
        return rows.map(({ step, humidity }): LoggerReading => ({ atMs: T0 + (m += step) * MIN, celsius: 5, ...(humidity === undefined ? {} : { humidityPercent: humidity }) }));
      });
    const ranges = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 100 })).filter(([a, b]) => a < b);
    fc.assert(fc.property(loggers, ranges, fc.integer({ min: 0, max: 300 }), (readings, [minPercent, maxPercent], budget) => {
      const conditions = parseStorageConditions({ minCelsius: 2, maxCelsius: 8, humidity: { minPercent, maxPercent, maxMinutesOutOfRange: budget }, budget: { maxMinutesOutOfRange: 60 } });
      const [pack] = checkHumidity(readings, conditions).packs;
      const want = referenceHumidityMinutes(readings, minPercent, maxPercent);
      // The grid misses at most half a second at each crossing of the range, two crossings a segment.
      const tolerance = (readings.length - 1) / 60 + 1e-9;
      expect(Math.abs(pack!.humidity!.minutesOutOfRange - want)).toBeLessThanOrEqual(tolerance);
      if (Math.abs(want - budget) > tolerance) expect(pack!.breaches.includes('humidity_minutes_out_of_range')).toBe(want > budget);
    }), { numRuns: 300 });
  });
});
