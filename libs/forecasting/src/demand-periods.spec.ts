import { conditionHistory } from './demand-history';
import { bucketDemand, dayProfileFromHistory, disaggregate, lastCompleteMonth, monthlyHistory, monthsPer, monthsToCover, periodStart, stockOutDays } from './demand-periods';

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

describe('stock-outs from stock movements', () => {
  // Received 2 on Mar 3, both gone by Mar 10; 3 more on Mar 20; the last dispensed on Apr 30.
  const stock = new Map([['2025-03-03', 2], ['2025-03-05', -1], ['2025-03-09', -1], ['2025-03-20', 3], ['2025-04-02', -2], ['2025-04-30', -1]]);

  it('counts the days that open with nothing on hand, from the day after the first movement', () => {
    const out = stockOutDays(stock, '2025-05-03');
    expect([...out].filter((d) => d < '2025-04-01')).toEqual(['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14', '2025-03-15', '2025-03-16', '2025-03-17', '2025-03-18', '2025-03-19', '2025-03-20']);
    expect([...out].filter((d) => d >= '2025-04-01')).toEqual(['2025-05-01', '2025-05-02', '2025-05-03']);
    expect(stockOutDays(new Map(), '2025-05-03').size).toBe(0);
  });

  it.each([
    { name: 'any stock-out day censors the month', min: undefined, censored: [false, true, false, true] },
    { name: 'a month needs 5 stock-out days', min: 5, censored: [false, true, false, true] },
    { name: 'a month needs 20 stock-out days', min: 20, censored: [false, false, false, true] },
    { name: 'a month needs 32 stock-out days (never)', min: 32, censored: undefined },
  ])('marks censored months: $name', ({ min, censored }) => {
    const h = monthlyHistory({
      imported: [{ date: '2025-02-01', quantity: 4, covers: 'month' }],
      dispensed: new Map([['2025-03-05', 1], ['2025-03-09', 1], ['2025-04-02', 2], ['2025-04-30', 1]]),
      stock,
    }, '2025-05', { minStockOutDays: min });
    expect(h?.values).toEqual([4, 2, 3, 0]);
    expect(h?.stockOutDays).toEqual([0, 11, 0, 31]);
    expect(h?.censored).toEqual(censored);
  });

  it('feeds censored months to the forecast as lower bounds, not as zero demand', () => {
    const values = [10, 11, 9, 10, 12, 1, 10, 11];
    const censored = values.map((_, i) => i === 5);
    const c = conditionHistory({ key: 'k', start: 0, values, censored });
    expect(c.values[5]).toBeGreaterThan(10);
    expect(c.notes.join(' ')).toMatch(/1 stock-out month\(s\) treated as censored/);
  });
});

describe('planning periods in months', () => {
  it.each([
    { first: '2026-03-01', count: 3, granularity: 'MONTH' as const, months: 3 },
    { first: '2026-03-01', count: 4, granularity: 'WEEK' as const, months: 1 },
    { first: '2026-03-01', count: 6, granularity: 'WEEK' as const, months: 2 },
    { first: '2026-03-01', count: 31, granularity: 'DAY' as const, months: 2 },
    { first: '2026-12-01', count: 40, granularity: 'DAY' as const, months: 2 },
  ])('$count $granularity from $first needs $months month(s) of forecast', ({ first, count, granularity, months }) => {
    expect(monthsToCover(first, count, granularity)).toBe(months);
  });

  it('converts lead times to months', () => {
    expect(monthsPer('MONTH')).toBe(1);
    expect(monthsPer('WEEK') * 30.4375).toBeCloseTo(7);
    expect(monthsPer('DAY') * 30.4375).toBeCloseTo(1);
  });
});
