import fc from 'fast-check';
import { isDomainError } from '../errors';
import { CSET82 } from '../gs1/charset';
import { withCheckDigit } from '../gs1/check-digit';
import { buildDigitalLink } from '../gs1/digital-link';
import { compressDigitalLink } from '../gs1/digital-link-compression';
import { ISO3166_NUMERIC } from '../gs1/syntax-dictionary.generated';
import { toBracketed, toElementString } from '../gs1/element-string';
import { daysInMonth } from '../time';
import { GS, parseScan, type ParseScanOptions } from './parse-scan';

function failure(input: string, options?: ParseScanOptions): { code: string; ai?: unknown; message: string } {
  try {
    parseScan(input, options);
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, ai: e.details.ai, message: e.message };
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

const GTIN = '00312345678906';
const EXPECTED = { gtin: GTIN, expiry: '2027-11-30', lot: 'A1/B-2', serial: 'SN%12&x' };

describe('parseScan: reviewer case 1 (raw scan, any AI order, with or without ]d2)', () => {
  it.each([
    [']d2 + 01 17 10 GS 21', `]d201${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`],
    ['01 17 10 GS 21 without ]d2', `01${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`],
    ['01 21 GS 17 10', `01${GTIN}21SN%12&x${GS}17271130` + '10A1/B-2'],
    [']d2 + 01 21 GS 17 10', `]d201${GTIN}21SN%12&x${GS}17271130` + '10A1/B-2'],
    ['leading FNC1 sent as GS', `${GS}01${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`],
    ['trailing CR LF from the wedge', `01${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x\r\n`],
    ['GS1 QR identifier', `]Q301${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`],
    ['GS1-128 identifier', `]C101${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`],
    ['bracketed', `(01)${GTIN}(17)271130(10)A1/B-2(21)SN%12&x`],
    ['bracketed with spaces', `(01) ${GTIN} (21) SN%12&x (17) 271130 (10) A1/B-2`],
    ['Digital Link', `https://id.gs1.org/01/${GTIN}/10/A1%2FB-2/21/SN%2512%26x?17=271130`],
    ['Digital Link on a brand host', `https://scan.acme-pharma.example/a/b/01/${GTIN}/10/A1%2FB-2/21/SN%2512%26x?17=271130&linkType=all`],
  ])('%s', (_label, input) => {
    expect(parseScan(input)).toMatchObject(EXPECTED);
  });

  it('reports every AI with its value', () => {
    expect(parseScan(`]d201${GTIN}17271130` + `10A1/B-2${GS}21SN%12&x`).ais).toEqual({ '01': GTIN, '17': '271130', '10': 'A1/B-2', '21': 'SN%12&x' });
  });
});

describe('parseScan: separators typed or sent as substitutes', () => {
  const body = (sep: string): string => `01${GTIN}17271130` + `10A1/B-2${sep}21SN%12&x`;
  it.each(['<GS>', '{GS}', '[GS]', '\\x1d', '\\u001d', '^]', '\u241d'])('accepts %j', (sep) => {
    expect(parseScan(body(sep))).toMatchObject(EXPECTED);
  });

  it('accepts a configured substitute', () => {
    expect(parseScan(body('|'), { gsSubstitute: '|' })).toMatchObject(EXPECTED);
    expect(parseScan(body('~'), { gsSubstitute: ['|', '~'] })).toMatchObject(EXPECTED);
  });
});

describe('parseScan: missing GS separators', () => {
  it('rejects a missing GS between the variable fields 10 and 21 instead of reading a long lot (case 2)', () => {
    const f = failure(`]d201${GTIN}17271130` + '10A1/B-2' + '21SN%12&x');
    expect(f.code).toBe('GS_AMBIGUOUS');
    expect(f.ai).toBe('10');
  });

  it('rejects 21 then 10 without GS even when 17 follows', () => {
    expect(failure(`01${GTIN}21SER10LOT17271130`).code).toBe('GS_AMBIGUOUS');
  });

  it.each([
    ['01 21 17 10, no GS at all', `01${GTIN}21SN123` + '17271130' + '10LOT', { serial: 'SN123', lot: 'LOT' }],
    ['01 10 17 21, no GS at all', `01${GTIN}10LOT` + '17271130' + '21SN123', { serial: 'SN123', lot: 'LOT' }],
    ['01 21 17, serial at the end needs no GS', `01${GTIN}17271130` + '21SN123', { serial: 'SN123' }],
  ])('recovers %s', (_label, input, expected) => {
    const parsed = parseScan(input);
    expect(parsed).toMatchObject({ gtin: GTIN, expiry: '2027-11-30', ...expected });
  });

  it('records which separators were inferred', () => {
    expect(parseScan(`01${GTIN}21SN123` + '17271130' + '10LOT').inferredSeparators).toEqual([{ afterAi: '21', beforeAi: '17' }]);
  });

  it('recovers when only one reading validates: a 24-character lot cannot be a lot', () => {
    const parsed = parseScan(`01${GTIN}10ABCDEFGHIJKLMNOPQRS21SERIAL${GS}17271130`);
    expect(parsed).toMatchObject({ lot: 'ABCDEFGHIJKLMNOPQRS', serial: 'SERIAL', inferredSeparators: [{ afterAi: '10', beforeAi: '21' }] });
  });

  it('trusts the literal reading when the scanner evidently sends GS', () => {
    expect(parseScan(`01${GTIN}17271130` + `10LOT${GS}21A17250101`)).toMatchObject({ serial: 'A17250101', lot: 'LOT' });
  });

  it('never explodes on adversarial repetition', () => {
    const f = failure(`01${GTIN}10` + '10'.repeat(40));
    expect(['GS_AMBIGUOUS', 'AI_INVALID']).toContain(f.code);
  });
});

describe('parseScan: characters and case (case 2)', () => {
  it.each([
    [`(01)${GTIN}(21)SN 12`, '21', /space/],
    [`(01)${GTIN}(21)SN#12`, '21', /'#'/],
    [`01${GTIN}21SN@12`, '21', /'@'/],
    [`(01)${GTIN}(10)L$1`, '10', /'\$'/],
  ])('rejects %j naming AI %s', (input, ai, reason) => {
    const f = failure(input);
    expect(f).toMatchObject({ code: 'AI_INVALID', ai });
    expect(f.message).toMatch(reason);
  });

  it('preserves lower-case serials', () => {
    expect(parseScan(`01${GTIN}21abcDEF`).serial).toBe('abcDEF');
  });
});

describe('parseScan: dates (case 3)', () => {
  it.each([
    ['270200', '2027-02-28'],
    ['280200', '2028-02-29'],
    ['271100', '2027-11-30'],
    ['271231', '2027-12-31'],
  ])('expiry %s -> %s', (yymmdd, iso) => {
    expect(parseScan(`(01)${GTIN}(17)${yymmdd}`).expiry).toBe(iso);
  });

  it.each([
    ['271301', /month 13/],
    ['270230', /day 30 does not exist/],
    ['270229', /day 29 does not exist/],
  ])('rejects %s', (yymmdd, reason) => {
    const f = failure(`(01)${GTIN}(17)${yymmdd}`);
    expect(f).toMatchObject({ code: 'DATE_INVALID', ai: '17' });
    expect(f.message).toMatch(reason);
  });

  it('applies the GS1 century window around a reference date: in 2026, 76 -> 2076 and 77 -> 1977', () => {
    const options = { referenceDate: '2026-06-01' };
    expect(parseScan(`(01)${GTIN}(17)760101`, options).expiry).toBe('2076-01-01');
    expect(parseScan(`(01)${GTIN}(17)770101`, options).expiry).toBe('1977-01-01');
    expect(parseScan(`(01)${GTIN}(17)770101`, { referenceDate: new Date(Date.UTC(2026, 0, 1)) }).expiry).toBe('1977-01-01');
  });

  it('defaults to the fixed window 2000-2099 without a reference date', () => {
    expect(parseScan(`(01)${GTIN}(17)990101`).expiry).toBe('2099-01-01');
    expect(parseScan(`(01)${GTIN}(17)000101`).expiry).toBe('2000-01-01');
  });
});

describe('parseScan: check digits, AIs and associations (case 4)', () => {
  it.each([
    [`01003123456789072112`, 'CHECK_DIGIT', '01'],
    [`(00)003123450000001231`, 'CHECK_DIGIT', '00'],
    [`(01)${GTIN}(414)0312345000012`, 'CHECK_DIGIT', '414'],
    [`01${GTIN}8912`, 'AI_UNKNOWN', '8912'],
    [`(01)${GTIN}(89)x`, 'AI_UNKNOWN', '89'],
    [`(21)ABC`, 'AI_ASSOCIATION', '21'],
    [`(01)${GTIN}(02)${GTIN}(37)5`, 'AI_ASSOCIATION', '01'],
    [`(01)${GTIN}(21)A(21)B`, 'AI_DUPLICATE', '21'],
    [`0100312345`, 'AI_INVALID', '01'],
    [`(01)${GTIN}(21)${'x'.repeat(21)}`, 'AI_INVALID', '21'],
    [`(01)${GTIN}(7003)2711301261`, 'DATE_INVALID', '7003'],
  ])('%j -> %s', (input, code, ai) => {
    expect(failure(input)).toMatchObject({ code, ...(ai ? { ai } : {}) });
  });

  it('reads "\\(" in bracketed input as a literal parenthesis', () => {
    expect(parseScan(`(01)${GTIN}(10)A\\(12)B(21)x`).lot).toBe('A(12)B');
    expect(toBracketed({ '01': GTIN, '10': 'A(12)B' })).toBe(`(01)${GTIN}(10)A\\(12)B`);
  });

  it('pads 12- and 13-digit GTINs from Digital Links to 14', () => {
    expect(parseScan('https://id.gs1.org/01/312345678906/21/1').gtin).toBe(GTIN);
    expect(parseScan('https://id.gs1.org/01/0312345678906/21/1').gtin).toBe(GTIN);
  });

  it('reads SSCC pallet labels and location AIs', () => {
    expect(parseScan('(00)003123450000001230').ais).toEqual({ '00': '003123450000001230' });
    expect(parseScan(`]C100003123450000001230${'02'}${GTIN}37${'12'}`).ais).toEqual({ '00': '003123450000001230', '02': GTIN, '37': '12' });
  });

  it('reads fixed-length AIs that formally need a GS even when it is missing', () => {
    expect(parseScan(`01${GTIN}422840` + '21X').ais).toEqual({ '01': GTIN, '422': '840', '21': 'X' });
  });

  it('reads EPC URNs pasted from EPCIS files', () => {
    expect(parseScan('urn:epc:id:sgtin:0312345.067890.SN%2512%26x')).toMatchObject({ gtin: GTIN, serial: 'SN%12&x', form: 'epc-urn' });
  });
});

describe('parseScan: input that is not GS1 at all', () => {
  it.each([
    ['', 'SCAN_MALFORMED'],
    ['   ', 'SCAN_MALFORMED'],
    ['hello world', 'SCAN_MALFORMED'],
    [']d1010031234567890621abc', 'SYMBOLOGY_UNSUPPORTED'],
    [']Q1foo', 'SYMBOLOGY_UNSUPPORTED'],
    [']d2', 'SCAN_MALFORMED'],
    ['(01', 'SCAN_MALFORMED'],
    ['https://example.org/products/42', 'DIGITAL_LINK_INVALID'],
    [`01${GTIN}21AB\u0007C`, 'SCAN_MALFORMED'],
  ])('%j -> %s', (input, code) => {
    expect(failure(input).code).toBe(code);
  });
});

// ------------------------------------------------------------------------------------------------
// Property-based round trips

const cset82 = fc.constantFrom(...CSET82);
const text = (max: number): fc.Arbitrary<string> => fc.string({ unit: cset82, minLength: 1, maxLength: max });
const gtinArb = fc.stringMatching(/^[0-9]{13}$/).map(withCheckDigit);
const yymmdd = (dayZero: boolean): fc.Arbitrary<string> =>
  fc
    .record({ yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), dd: fc.integer({ min: dayZero ? 0 : 1, max: 31 }) })
    .map(({ yy, mm, dd }) => [yy, mm, Math.min(dd, daysInMonth(2000 + yy, mm))].map((v) => String(v).padStart(2, '0')).join(''));

/** A complete DSCSA product identifier plus optional extra AIs, all valid. */
const scanArb = fc
  .record(
    {
      '01': gtinArb,
      '17': yymmdd(true),
      '10': text(20),
      '21': text(20),
      '11': yymmdd(true),
      '20': fc.stringMatching(/^[0-9]{2}$/),
      '22': text(20),
      '240': text(30),
      '30': fc.stringMatching(/^[0-9]{1,8}$/),
      // (422) carries an ISO 3166 country code (the dictionary's iso3166 linter), not any 3 digits.
      '422': fc.constantFrom(...ISO3166_NUMERIC),
      '714': text(20),
    },
    { requiredKeys: ['01', '17', '10', '21'] },
  )
  .map((ais) => Object.fromEntries(Object.entries(ais).filter(([, v]) => v !== undefined)) as Record<string, string>);

describe('parseScan: compressed Digital Links', () => {
  it.each([
    ['a compressed link', 'https://id.gs1.org/DACRcoGodI1DZYY'],
    ['one behind an AIM identifier (]Q1, QR Code plain data)', ']Q1https://id.gs1.org/DACRcoGodI1DZYY'],
  ])('reads %s as its AIs', (_what, scan) => {
    expect(parseScan(scan)).toMatchObject({ gtin: GTIN, serial: 'A1B2C3', form: 'digital-link' });
  });

  it('never takes an uncompressed link for a compressed one', () => {
    expect(parseScan(`https://id.gs1.org/01/${GTIN}/21/ABCDEFGH`).serial).toBe('ABCDEFGH');
  });
});

describe('parseScan properties', () => {
  it('element string, bracketed and Digital Link forms parse to the same AIs', () => {
    fc.assert(
      fc.property(scanArb, fc.constantFrom('', ']d2', ']Q3'), fc.constantFrom(GS, '<GS>', '\\x1d'), (ais, symbology, separator) => {
        const forms = [
          toElementString(ais, { symbologyIdentifier: symbology, separator }),
          toBracketed(ais),
          buildDigitalLink(ais, { base: 'https://id.example.com' }),
          compressDigitalLink(buildDigitalLink(ais)),
        ];
        for (const form of forms) {
          const parsed = parseScan(form);
          expect(parsed.ais).toEqual(ais);
          expect(parsed.gtin).toBe(ais['01']);
          expect(parsed.serial).toBe(ais['21']);
          expect(parsed.lot).toBe(ais['10']);
          expect(parsed.inferredSeparators).toBeUndefined();
        }
      }),
    );
  });

  it('a GS-less 01-21-17-10 scan is read correctly or rejected as ambiguous, never misread', () => {
    let recovered = 0;
    fc.assert(
      fc.property(gtinArb, text(20), yymmdd(true), text(20), (gtin, serial, expiry, lot) => {
        const input = `01${gtin}21${serial}17${expiry}10${lot}`;
        try {
          const parsed = parseScan(input);
          expect(parsed.ais).toEqual({ '01': gtin, '21': serial, '17': expiry, '10': lot });
          recovered++;
        } catch (e) {
          if (!isDomainError(e, 'GS_AMBIGUOUS')) throw e;
        }
      }),
    );
    expect(recovered).toBeGreaterThan(50);
  });

  it('random input only ever fails with a DomainError', () => {
    const junk = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '7', '9', GS, '(', ')', '%', '/', 'A', ']', 'd') }),
      fc.string({ unit: 'binary' }),
      fc.string().map((s) => `https://id.gs1.org/01/${s}`),
      fc.string().map((s) => `urn:epc:id:sgtin:${s}`),
      scanArb.chain((ais) =>
        fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([at, insert]) => {
          const s = toElementString(ais);
          const i = at % (s.length + 1);
          return s.slice(0, i) + insert + s.slice(i + 1);
        }),
      ),
    );
    fc.assert(
      fc.property(junk, (input) => {
        try {
          parseScan(input);
        } catch (e) {
          if (!isDomainError(e)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
