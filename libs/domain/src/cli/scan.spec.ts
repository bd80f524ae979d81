import { runScanCli } from './scan';

const TODAY = new Date(Date.UTC(2026, 5, 1));

describe('scan CLI', () => {
  it('prints one JSON object with the AIs in ascending order and exits 0', () => {
    const { output, exitCode } = runScanCli([']d20100312345678906172711301' + '0A1/B-2\\x1d21SN%12&x'], undefined, TODAY);
    expect(exitCode).toBe(0);
    expect(output).toBe('{"gtin":"00312345678906","serial":"SN%12&x","lot":"A1/B-2","expiry":"2027-11-30","ais":{"01":"00312345678906","10":"A1/B-2","17":"271130","21":"SN%12&x"}}\n');
  });

  it('prints {"error":{"code","message"}} and exits 1', () => {
    const { output, exitCode } = runScanCli(['0100312345678907'], undefined, TODAY);
    expect(exitCode).toBe(1);
    expect(JSON.parse(output)).toEqual({ error: { code: 'CHECK_DIGIT', message: 'AI (01): check digit of 00312345678907 is wrong (expected 6)' } });
  });

  it('windows two-digit years around today unless told otherwise', () => {
    expect(JSON.parse(runScanCli(['(01)00312345678906(17)770101'], undefined, TODAY).output).expiry).toBe('1977-01-01');
    expect(JSON.parse(runScanCli(['--reference-date=2049-01-01', '(01)00312345678906(17)770101'], undefined, TODAY).output).expiry).toBe('2077-01-01');
  });

  it('accepts <GS> typed in a shell, a custom substitute, and stdin', () => {
    expect(JSON.parse(runScanCli(['0100312345678906<GS>21abc'], undefined, TODAY).output).serial).toBe('abc');
    expect(JSON.parse(runScanCli(['--gs=|', '0100312345678906' + '10L|21S'], undefined, TODAY).output)).toMatchObject({ lot: 'L', serial: 'S' });
    expect(JSON.parse(runScanCli([], () => '0100312345678906\u001d21X\r\n', TODAY).output).serial).toBe('X');
  });

  it('refuses a scan the shell split into several arguments', () => {
    expect(runScanCli(['01', '00312345678906'], undefined, TODAY)).toMatchObject({ exitCode: 1 });
  });
});

describe('scan CLI --digital-link', () => {
  it('adds the scan as a GS1 Digital Link, on id.gs1.org or a given base', () => {
    const scan = ']d20100312345678906172711301' + '0A1/B-2\\x1d21SN%12&x';
    expect(JSON.parse(runScanCli(['--digital-link', scan], undefined, TODAY).output).digitalLink).toBe('https://id.gs1.org/01/00312345678906/10/A1%2FB-2/21/SN%2512%26x?17=271130');
    expect(JSON.parse(runScanCli(['--digital-link=https://brand.example/dl', scan], undefined, TODAY).output).digitalLink).toMatch(/^https:\/\/brand\.example\/dl\/01\//);
  });
});
