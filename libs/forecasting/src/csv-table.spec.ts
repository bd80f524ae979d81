import { parseCsv } from './csv-table';
import { panelFromRows } from './demand-panel';
import { ForecastError } from './forecast-error';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes, CRLF and a BOM', () => {
    const text = '\ufeffa,b,c\r\n1,"x, y",3\r\n2,"say ""hi""",\r\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', '3'],
      ['2', 'say "hi"', ''],
    ]);
  });

  it('keeps a line break inside quotes and a last line without newline', () => {
    expect(parseCsv('a,b\n"1\n2",3')).toEqual([
      ['a', 'b'],
      ['1\n2', '3'],
    ]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a\n"oops')).toThrow(ForecastError);
  });
});

describe('panelFromRows', () => {
  const rows = parseCsv(
    [
      'Month,Concession,ATC2,Scripts',
      '1991 Jul,General,A01,10',
      '1991 Aug,General,A01,NA',
      '1991 Sep,General,A01,12',
      '1991 Jul,Concessional,A01,5',
      '1991 Sep,Concessional,A01,7',
    ].join('\n'),
  );

  it('splits a long table by the key columns and lays each series on a monthly grid', () => {
    const panel = panelFromRows(rows, { key: ['Concession', 'ATC2'], time: 'Month', value: 'Scripts' });
    expect(panel.map((h) => h.key)).toEqual(['General | A01', 'Concessional | A01']);
    expect(panel[0].values).toEqual([10, NaN, 12]);
    // The missing August row of the second series becomes a gap, not a shift.
    expect(panel[1].values).toEqual([5, NaN, 7]);
  });

  it('names the missing column', () => {
    expect(() => panelFromRows(rows, { key: ['Type'], time: 'Month', value: 'Scripts' })).toThrow(/no column "Type"/);
  });
});
