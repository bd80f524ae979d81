import { monthIndex } from './calendar';
import { conditionHistory, historyFromRecords } from './demand-history';
import { ForecastError } from './forecast-error';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return error instanceof ForecastError ? error.code : 'not a ForecastError';
  }
  return undefined;
};

describe('demand histories', () => {
  it('lays records on a monthly grid in any order and leaves gaps open', () => {
    const h = historyFromRecords('x', [
      { month: '2020-03', value: 3 },
      { month: '2020-01', value: 1 },
      { month: monthIndex(2020, 5), value: null },
    ]);
    expect(h.start).toBe(monthIndex(2020, 1));
    expect(h.values).toEqual([1, NaN, 3, NaN, NaN]);
  });

  it('refuses duplicate months and empty input with codes', () => {
    expect(codeOf(() => historyFromRecords('x', []))).toBe('EMPTY_SERIES');
    expect(
      codeOf(() =>
        historyFromRecords('x', [
          { month: '2020-01', value: 1 },
          { month: '2020 Jan', value: 2 },
        ]),
      ),
    ).toBe('DUPLICATE_MONTH');
    expect(codeOf(() => conditionHistory({ key: 'x', start: 0, values: [NaN, NaN] }))).toBe('EMPTY_SERIES');
  });

  it('fills inner gaps, clips negatives, drops missing ends and says so', () => {
    const c = conditionHistory({ key: 'x', start: 100, values: [NaN, 10, NaN, NaN, 40, -5, Infinity, 20, NaN] });
    expect(c.start).toBe(101);
    expect(c.values).toEqual([10, 20, 30, 40, 0, 10, 20]);
    expect(c.notes).toEqual([
      'dropped 1 leading missing month(s)',
      'dropped 1 trailing missing month(s)',
      'clipped 1 negative value(s) to zero',
      'filled 3 missing month(s) by interpolation',
    ]);
    expect(c.positive).toBe(false);
  });

  it('recognises an all-zero history', () => {
    expect(conditionHistory({ key: 'x', start: 0, values: [0, 0, -1] }).allZero).toBe(true);
  });
});

describe('stock-out months', () => {
  it('treats censored months as lower bounds, not as demand', () => {
    const c = conditionHistory({ key: 'k', start: 0, values: [10, 10, 0, 10, 2, 10], censored: [false, false, true, false, true, false] });
    expect(c.values).toEqual([10, 10, 10, 10, 10, 10]);
    expect(c.notes.join(' ')).toMatch(/2 stock-out month\(s\) treated as censored/);
    // Sales above the neighbours' level during a partial stock-out are kept: demand was at least that.
    expect(conditionHistory({ key: 'k', start: 0, values: [10, 25, 10], censored: [false, true, false] }).values).toEqual([10, 25, 10]);
  });

  it.each([
    { name: 'the latest month', values: [10, 12, 11, 3], censored: [false, false, false, true], expected: [10, 12, 11, 11], start: 0 },
    { name: 'the latest month, sales above the last', values: [10, 12, 11, 15], censored: [false, false, false, true], expected: [10, 12, 11, 15], start: 0 },
    { name: 'the first month', values: [2, 12, 11, 9], censored: [true, false, false, false], expected: [12, 12, 11, 9], start: 0 },
    { name: 'the last two months', values: [8, 9, 0, 1], censored: [false, false, true, true], expected: [8, 9, 9, 9], start: 0 },
  ])('keeps a stock-out at the end of the history, estimated from its one neighbour: $name', ({ values, censored, expected, start }) => {
    const c = conditionHistory({ key: 'k', start: 0, values, censored });
    expect(c.values).toEqual(expected);
    expect(c.start).toBe(start);
    expect(c.notes.join(' ')).not.toMatch(/dropped/);
  });
});
