import { bucketDemand, dayProfileFromHistory, disaggregate, lastCompleteMonth, monthlyHistory, periodStart } from './demand-periods';

describe('demand periods', () => {
  it('starts weeks on Monday and months on the first', () => {
    expect(periodStart('2026-03-04', 'WEEK')).toBe('2026-03-02');
    expect(periodStart('2026-03-01', 'WEEK')).toBe('2026-02-23');
    expect(periodStart('2026-03-31', 'MONTH')).toBe('2026-03-01');
  });

  it('buckets dispenses with zero for quiet periods and spreads a monthly import over its days', () => {
    const days = bucketDemand([{ date: '2026-03-02', quantity: 2, covers: 'day' }, { date: '2026-03-04', quantity: 1, covers: 'day' }], 'DAY');
    expect(days.map((p) => p.quantity)).toEqual([2, 0, 1]);
    const weeks = bucketDemand([{ date: '2026-02-01', quantity: 28, covers: 'month' }], 'WEEK');
    expect(weeks.reduce((s, p) => s + p.quantity, 0)).toBeCloseTo(28);
    expect(weeks[1].quantity).toBeCloseTo(7);
  });

  it('leaves a gap before live dispensing and zero after it, through the last complete month', () => {
    const h = monthlyHistory({
      imported: [{ date: '2025-01-01', quantity: 10, covers: 'month' }, { date: '2025-03-01', quantity: -2, covers: 'month' }],
      dispensed: new Map([['2025-05-10', 3], ['2025-07-02', 1]]),
    }, '2025-07');
    expect(h?.start).toBe('2025-01');
    expect(h?.values).toEqual([10, NaN, -2, NaN, 3, 0, 1]);
    expect(monthlyHistory({ imported: [], dispensed: new Map() }, '2025-07')).toBeUndefined();
    expect(lastCompleteMonth(new Date('2026-01-15T00:00:00Z'))).toBe('2025-12');
  });

  it('splits monthly quantiles into weeks: medians add up, spreads grow with the square root of the share', () => {
    const months = [{ month: '2026-02-01', quantiles: new Map([[0.1, 80], [0.5, 100], [0.9, 120]]) }, { month: '2026-03-01', quantiles: new Map([[0.1, 80], [0.5, 100], [0.9, 120]]) }];
    const weeks = disaggregate(months, [0.1, 0.5, 0.9], 'WEEK', '2026-02-02', 4);
    expect(weeks).toHaveLength(4);
    // Feb 2 .. Mar 1: 27 February days and one March day.
    expect(weeks.reduce((s, w) => s + w.quantiles[1], 0)).toBeCloseTo((27 / 28) * 100 + 100 / 31);
    expect(weeks[0].quantiles[2] - weeks[0].quantiles[1]).toBeCloseTo(20 * Math.sqrt(0.25));
    for (const w of weeks) expect(w.quantiles.every(Number.isFinite)).toBe(true);
  });

  it('spreads a month over its days by the weekday and holiday profile of daily history', () => {
    // Eight weeks of dispensing: 10 a weekday, 5 on Saturday, nothing on Sunday (US calendar, no holiday inside).
    const daily = new Map<string, number>();
    for (let d = Date.UTC(2026, 1, 2); d < Date.UTC(2026, 2, 30); d += 86_400_000) {
      const w = (new Date(d).getUTCDay() + 6) % 7;
      daily.set(new Date(d).toISOString().slice(0, 10), w < 5 ? 10 : w === 5 ? 5 : 0);
    }
    const profile = dayProfileFromHistory(daily, 'US');
    expect(profile.source).toBe('history');
    expect(profile.weekday[6]).toBe(0);
    expect(profile.weekday[5] / profile.weekday[0]).toBeCloseTo(0.5);
    const months = [{ month: '2026-06-01', quantiles: new Map([[0.1, 80], [0.5, 100], [0.9, 120]]) }];
    const days = disaggregate(months, [0.1, 0.5, 0.9], 'DAY', '2026-06-01', 30, profile);
    expect(days.reduce((s, d) => s + d.quantiles[1], 0)).toBeCloseTo(100);
    expect(days[6].quantiles[1]).toBe(0); // Sunday 7 June
    expect(days[5].quantiles[1] / days[4].quantiles[1]).toBeCloseTo(0.5); // Saturday against Friday
    // Juneteenth (Friday 19 June) is a US public holiday: with fewer than three observed, it weighs like a Sunday.
    expect(days[18].quantiles[1]).toBe(0);
    expect(dayProfileFromHistory(new Map([['2026-01-01', 3]]), 'US').source).toBe('uniform');
  });
});
