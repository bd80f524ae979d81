import { checkShipmentConditions } from './excursion-findings';
import type { ConditionSource, PackInterval, Reading } from './excursion';
import { parseStorageConditions } from './storage';

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
