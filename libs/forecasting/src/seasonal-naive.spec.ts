import { meanForecast, naive, seasonalNaive, zeroForecast } from './seasonal-naive';

const pattern = [5, 7, 9, 12, 15, 14, 11, 10, 8, 6, 5, 20];

describe('seasonal naive', () => {
  it('repeats the last season exactly, with no spread on a purely seasonal series', () => {
    const history = [...pattern, ...pattern, ...pattern];
    const f = seasonalNaive(history, 18);
    expect(f.method).toBe('seasonal-naive');
    expect(f.point).toEqual([...pattern, ...pattern.slice(0, 6)]);
    for (const row of f.quantiles) expect(row).toEqual(f.point);
  });

  it('widens the interval each further season and keeps quantiles ordered', () => {
    const history = [...pattern, ...pattern.map((v) => v + 3), ...pattern.map((v) => v - 2)].map((v) => v + 100);
    const f = seasonalNaive(history, 24, [0.05, 0.1, 0.5, 0.9, 0.95]);
    const width = (h: number) => f.quantiles[4][h] - f.quantiles[0][h];
    expect(width(12)).toBeGreaterThan(width(11));
    for (let h = 0; h < 24; h++) {
      for (let i = 1; i < f.levels.length; i++) expect(f.quantiles[i][h]).toBeGreaterThanOrEqual(f.quantiles[i - 1][h]);
    }
  });

  it('steps down to naive, then to the mean, when the history is too short', () => {
    const short = seasonalNaive([4, 6, 5], 3);
    expect(short.method).toBe('naive');
    expect(short.point).toEqual([5, 5, 5]);
    expect(short.notes.join(' ')).toMatch(/seasonal naive needs 12/);
    const single = naive([8], 2);
    expect(single.method).toBe('mean');
    expect(single.point).toEqual([8, 8]);
  });

  it('never forecasts negative demand', () => {
    const f = meanForecast([0, 0, 100, 0, 0], 3);
    for (const row of f.quantiles) for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
    expect(zeroForecast(2).quantiles).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});
