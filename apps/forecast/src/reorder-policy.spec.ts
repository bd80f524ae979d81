import { leadTimeDemand, normalQuantile, reorderSuggestion } from './reorder-policy';

const flat = (n: number, q10: number, q50: number, q90: number) => Array.from({ length: n }, () => ({ q10, q50, q90 }));

describe('reorder policy', () => {
  it('inverts the standard normal', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263479, 6);
  });

  it('adds medians and variances over the lead time, counting a fractional period by its share', () => {
    const z90 = normalQuantile(0.9);
    const one = leadTimeDemand(flat(3, 80, 100, 100 + z90 * 10), 1, 0.95);
    expect(one.mean).toBeCloseTo(100);
    expect(one.sigma).toBeCloseTo(10);
    const two = leadTimeDemand(flat(3, 80, 100, 100 + z90 * 10), 2, 0.95);
    expect(two.sigma).toBeCloseTo(10 * Math.SQRT2);
    expect(leadTimeDemand(flat(3, 80, 100, 120), 1.5, 0.95).mean).toBeCloseTo(150);
  });

  it('at a 0.9 service level over one period the reorder point is the forecast 0.9 quantile (rounded up)', () => {
    const s = reorderSuggestion({ periods: flat(3, 80, 100, 130.2), leadTimePeriods: 1, serviceLevel: 0.9, onHand: 500, inTransit: 0 });
    expect(s.reorderPoint).toBe(131);
    expect(s.reorderNow).toBe(false);
    expect(s.orderQuantity).toBe(0);
  });

  it('orders up to the reorder point plus one review period when the position is at or below it, counting stock in transit', () => {
    const periods = flat(4, 80, 100, 130);
    const low = reorderSuggestion({ periods, leadTimePeriods: 1, serviceLevel: 0.9, onHand: 20, inTransit: 10 });
    expect(low.inventoryPosition).toBe(30);
    expect(low.reorderNow).toBe(true);
    expect(low.orderQuantity).toBe(low.orderUpToLevel - 30);
    expect(low.orderUpToLevel).toBe(230);
    const covered = reorderSuggestion({ periods, leadTimePeriods: 1, serviceLevel: 0.9, onHand: 20, inTransit: 200 });
    expect(covered.orderQuantity).toBe(0);
  });

  it('a higher service level never lowers the reorder point; zero demand needs no stock', () => {
    const periods = flat(4, 5, 10, 20);
    const a = reorderSuggestion({ periods, leadTimePeriods: 2, serviceLevel: 0.8, onHand: 0, inTransit: 0 });
    const b = reorderSuggestion({ periods, leadTimePeriods: 2, serviceLevel: 0.99, onHand: 0, inTransit: 0 });
    expect(b.reorderPoint).toBeGreaterThanOrEqual(a.reorderPoint);
    const zero = reorderSuggestion({ periods: flat(4, 0, 0, 0), leadTimePeriods: 1, serviceLevel: 0.95, onHand: 0, inTransit: 0 });
    expect(zero).toMatchObject({ reorderPoint: 0, orderQuantity: 0, safetyStock: 0 });
  });

  it('refuses a forecast too short for lead time and review, and a non-positive lead time', () => {
    expect(() => reorderSuggestion({ periods: flat(1, 1, 2, 3), leadTimePeriods: 1, serviceLevel: 0.9, onHand: 0, inTransit: 0 })).toThrow(RangeError);
    expect(() => reorderSuggestion({ periods: flat(4, 1, 2, 3), leadTimePeriods: 0, serviceLevel: 0.9, onHand: 0, inTransit: 0 })).toThrow(RangeError);
  });
});
