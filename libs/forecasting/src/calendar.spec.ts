import { formatMonth, monthIndex, monthOfYear, parseMonth } from './calendar';
import { ForecastError } from './forecast-error';

describe('parseMonth', () => {
  const july1991 = monthIndex(1991, 7);

  it.each([
    '1991 Jul',
    '1991 July',
    'Jul 1991',
    '1991-07',
    '1991-07-01',
    '1991-07-01T00:00:00Z',
    '1991/07',
    '1991M07',
    '1991.5',
    '1991.58333333333' /* that is August */,
  ])('reads %s', (text) => {
    const expected = text === '1991.58333333333' ? july1991 + 1 : july1991;
    expect(parseMonth(text)).toBe(expected);
  });

  it('reads every month of an R decimal-year column without drift', () => {
    for (let k = 0; k < 24; k++) expect(parseMonth(String(1991.5 + k / 12))).toBe(july1991 + k);
  });

  it.each(['', 'July', '1991-13', 'next month', '91 Jul'])('refuses %p with INVALID_MONTH', (text) => {
    expect(() => parseMonth(text)).toThrow(ForecastError);
    try {
      parseMonth(text);
    } catch (error) {
      expect((error as ForecastError).code).toBe('INVALID_MONTH');
    }
  });

  it('formats and splits months', () => {
    expect(formatMonth(july1991)).toBe('1991-07');
    expect(monthOfYear(july1991)).toBe(6);
  });
});
