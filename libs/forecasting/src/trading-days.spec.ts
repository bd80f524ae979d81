import { fitTradingDayEffect, isPublicHoliday, tradingDayFactor, tradingDays } from './trading-days';
import { monthIndex } from './calendar';

describe('trading days from the date-holidays rules', () => {
  it.each([
    // January 2005 in Australia: 21 weekdays, New Year's Day observed on Monday the 3rd, Australia Day on the 26th.
    ['AU', 2005, 1, 19],
    // April 2005 in Australia: Anzac Day Monday 25th (Easter fell in March that year).
    ['AU', 2005, 4, 20],
    // July 2026 in the US: 23 weekdays, Independence Day observed on Friday the 3rd.
    ['US', 2026, 7, 22],
    ['none', 2026, 7, 23],
  ] as const)('%s %i-%i has %i trading days', (region, year, month, expected) => {
    expect(tradingDays(monthIndex(year, month), region)).toBe(expected);
  });

  it('knows moving holidays without hand-typed dates', () => {
    expect(isPublicHoliday('AU', '2008-03-21')).toBe(true); // Good Friday 2008
    expect(isPublicHoliday('US', '2026-11-26')).toBe(true); // Thanksgiving 2026
    expect(isPublicHoliday('US', '2026-11-27')).toBe(false);
  });

  it('recovers the demand per extra trading day from a panel', () => {
    const start = monthIndex(2000, 1);
    const histories = Array.from({ length: 20 }, (_, k) => ({
      start,
      values: Array.from({ length: 96 }, (_, t) => (100 + 10 * k) * (1 + 0.2 * Math.sin((2 * Math.PI * t) / 12)) * Math.exp(0.03 * (tradingDays(start + t, 'AU') - 21))),
    }));
    const effect = fitTradingDayEffect(histories, 'AU');
    expect(effect.beta).toBeCloseTo(0.03, 3);
    expect(fitTradingDayEffect(histories, 'none').beta).toBe(0);
    expect(tradingDayFactor(start, { region: 'none', beta: 0, pairs: 0 })).toBe(1);
  });
});
