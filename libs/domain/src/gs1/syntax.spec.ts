import fc from 'fast-check';
import { isDomainError } from '../errors';
import { parseScan } from '../scan/parse-scan';
import { APPLICATION_IDENTIFIERS, aiDefinition, matchesAiPattern } from './application-identifiers';
import { aiAssociationViolations, checkAiAssociations } from './associations';
import { validateAiValue } from './ai-value';
import { toElementString } from './element-string';
import { withCheckDigit } from './check-digit';
import { alphaCheckPair, lint, LINTERS } from './linters';
import { ISO3166_ALPHA2, ISO3166_NUMERIC, ISO4217_NUMERIC, PACKAGE_TYPE_CODES, SYNTAX_DICTIONARY, SYNTAX_DICTIONARY_REVISION } from './syntax-dictionary.generated';

/**
 * The GS1 Barcode Syntax Dictionary's rules, one table per kind: the AIs the product needs, every
 * exclusion and requisite family, and every linter. Fixtures are our own, written from the
 * dictionary's entries and the GenSpecs rules they encode.
 */

const GTIN = '00312345678906';
const SSCC = '003123450000001230';
const GLN = withCheckDigit('031234500001');
const GSRN = withCheckDigit('03123450000000001');
const context = { resolveYear: (yy: number) => 2000 + yy };

function failure(fn: () => unknown): { code: string; ai?: string; rule?: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return { code: e.code, ...(e.details.ai ? { ai: e.details.ai } : {}), ...(typeof e.details.rule === 'string' ? { rule: e.details.rule } : {}) };
  }
}

describe('generated AI table', () => {
  it('says which dictionary revision it came from', () => {
    expect(SYNTAX_DICTIONARY_REVISION).toMatch(/gs1-syntax-dictionary@[0-9a-f]{12}/);
  });

  it.each([
    ['8030', 'DIGSIG'], ['8013', 'GMN'], ['717', 'NHRN SRN'], ['7241', 'AIDC MEDIA TYPE'], ['7242', 'VCN'],
    ['7250', 'DOB'], ['7251', 'DOB TIME'], ['7252', 'BIO SEX'], ['7253', 'FAMILY NAME'], ['7254', 'GIVEN NAME'],
    ['7255', 'SUFFIX'], ['7256', 'FULL NAME'], ['7257', 'PERSON ADDR'], ['7258', 'BIRTH SEQUENCE'], ['7259', 'BABY'],
    ['710', 'NHRN PZN'], ['715', 'NHRN NDC'], ['7240', 'PROTOCOL'], ['8014', 'MUDI'], ['4309', 'SHIP TO GEO'], ['7040', 'UIC+EXT'],
  ])('has AI (%s) %s', (ai, title) => {
    expect(aiDefinition(ai)?.title).toBe(title);
  });

  it('has one row per AI, ranges expanded (3100-3105, 91-99, 3900-3909 ...)', () => {
    expect(APPLICATION_IDENTIFIERS.size).toBe(SYNTAX_DICTIONARY.length);
    for (const ai of ['3100', '3105', '3695', '3909', '3943', '91', '99', '7039']) expect(APPLICATION_IDENTIFIERS.has(ai)).toBe(true);
    expect(APPLICATION_IDENTIFIERS.has('3106')).toBe(false);
    expect(APPLICATION_IDENTIFIERS.has('3944')).toBe(false);
  });

  it('implements every linter the dictionary names', () => {
    const named = new Set(SYNTAX_DICTIONARY.flatMap((r) => r.components.flatMap((c) => c.linters ?? [])));
    expect([...named].filter((n) => !(n in LINTERS))).toEqual([]);
    expect(named.size).toBeGreaterThan(30);
  });

  it('has code lists generated, not typed: ISO 3166 numeric and alpha-2, ISO 4217, package types', () => {
    expect(ISO3166_NUMERIC.length).toBeGreaterThan(240);
    expect(ISO3166_NUMERIC).toEqual(expect.arrayContaining(['840', '276', '250', '826']));
    expect(ISO3166_NUMERIC).not.toContain('983');
    expect(ISO3166_ALPHA2).toEqual(expect.arrayContaining(['US', 'DE', 'FR', 'GB']));
    expect(ISO3166_ALPHA2).not.toContain('XK');
    expect(ISO4217_NUMERIC).toEqual(expect.arrayContaining(['840', '978', '826', '999']));
    expect(PACKAGE_TYPE_CODES).toEqual(expect.arrayContaining(['BX', 'PX', 'CT']));
  });

  it.each([
    ['310n', '3103', true], ['310n', '3113', false], ['31nn', '3125', true], ['31nn', '312', false], ['8111', '8111', true],
  ])('pattern %s matches %s: %s', (pattern, ai, expected) => {
    expect(matchesAiPattern(ai, pattern)).toBe(expected);
  });
});

describe('exclusions (ex=)', () => {
  it.each([
    ['(01) with (255)', `(01)${GTIN}(255)${GLN}`, '01'],
    ['(01) with (37)', `(00)${SSCC}(01)${GTIN}(37)5`, '01'],
    ['(02) with (01)', `(00)${SSCC}(01)${GTIN}(02)${GTIN}(37)5`, '01'],
    ['(03) with (235)', `(03)${GTIN}(235)TPX1`, '03'],
    ['(21) with (235)', `(01)${GTIN}(21)S1(235)TPX1`, '21'],
    ['(420) with (421)', `(420)12345(421)840123`, '420'],
    ['(421) with (4307)', `(00)${SSCC}(421)840123(4307)US`, '421'],
    ['(422) with (426)', `(01)${GTIN}(422)840(426)840`, '422'],
    ['(3103) with (3102): pattern 310n', `(01)${GTIN}(3102)000100(3103)000100`, '3102'],
    ['(3900) with (3911): pattern 391n', `(255)${GLN}(3900)100(3911)978100`, '3900'],
    ['(3940) with (8111)', `(255)${GLN}(3940)0010(8111)0100`, '3940'],
    ['(4330) with (4331)', `(00)${SSCC}(4330)000100(4331)000100`, '4330'],
    ['(7250) with (7251)', `(8018)${GSRN}(7250)20000101(7251)200001011200`, '7250'],
    ['(7253) with (7256)', `(8018)${GSRN}(7253)DOE(7256)JOHN%20DOE`, '7253'],
    ['(8006) with (01)', `(01)${GTIN}(8006)${GTIN}0102`, '8006'],
    ['(8017) with (8018)', `(8017)${GSRN}(8018)${GSRN}`, '8017'],
    ['(7240) with (03)', `(03)${GTIN}(7240)P1`, '7240'],
  ])('%s is refused', (_name, scan, ai) => {
    expect(failure(() => parseScan(scan))).toEqual({ code: 'AI_ASSOCIATION', ai, rule: 'ex' });
  });

  it('an AI never excludes itself, even through a pattern (3103 ex=310n)', () => {
    expect(parseScan(`(01)${GTIN}(3103)000100`).ais['3103']).toBe('000100');
  });
});

describe('requisites (req=)', () => {
  it.each([
    ['(02)+(37) without (00)', `(02)${GTIN}(37)5`, '37'],
    ['(37) alone', `(37)5`, '37'],
    ['(02) without (37)', `(00)${SSCC}(02)${GTIN}`, '02'],
    ['(10) without a trade item key', `(10)LOT1`, '10'],
    ['(21) with (02) only', `(00)${SSCC}(02)${GTIN}(37)5(21)S1`, '21'],
    ['(250) with (01) but no (21): 01+21', `(01)${GTIN}(250)SEC1`, '250'],
    ['(7004) with (01) but no (10): 01+10', `(01)${GTIN}(7004)50`, '7004'],
    ['(427) with (01) but no (422): 01+422', `(01)${GTIN}(427)CA`, '427'],
    ['(8030) with (01) but no (21): 01+21', `(01)${GTIN}(8030)QUJD`, '8030'],
    ['(8041) without (8040): 01+21+8040', `(01)${GTIN}(21)S1(8041)123456789012345`, '8041'],
    ['(7241) without a GSRN', `(01)${GTIN}(7241)01`, '7241'],
    ['(7258) with (8018) but no (7259): 8018+7259', `(8018)${GSRN}(7258)1/2`, '7258'],
    ['(4303) without (4302)', `(00)${SSCC}(4303)FLOOR%202`, '4303'],
    ['(12) without (8020)', `(01)${GTIN}(12)271130`, '12'],
    ['(8020) without (415)', `(8020)REF1`, '8020'],
    ['(254) without (414)', `(254)EXT1`, '254'],
    ['(8011) without (8010)', `(8011)123`, '8011'],
    ['(710) NHRN without (01)', `(8006)${GTIN}0102(710)PZN1`, '710'],
  ])('%s is refused', (_name, scan, ai) => {
    expect(failure(() => parseScan(scan))).toEqual({ code: 'AI_ASSOCIATION', ai, rule: 'req' });
  });

  it.each([
    ['(00)+(02)+(37)', `(00)${SSCC}(02)${GTIN}(37)5`],
    ['(03) as a valid requisite of (10), (17), (21)', `(03)${GTIN}(10)L1(17)271130(21)S1`],
    ['(01)+(21)+(250)', `(01)${GTIN}(21)S1(250)SEC1`],
    ['(03)+(21)+(250)', `(03)${GTIN}(21)S1(250)SEC1`],
    ['(01)+(10)+(7004)', `(01)${GTIN}(10)L1(7004)50`],
    ['(01)+(21)+(8030)', `(01)${GTIN}(21)S1(8030)QUJD`],
    ['(00)+(8030)', `(00)${SSCC}(8030)QU=`],
    ['(01)+(21)+(8040)+(8041)', `(01)${GTIN}(21)S1(8040)123456789012345(8041)123456789012345`],
    ['(8018)+(7241)+(7242)', `(8018)${GSRN}(7241)01(7242)VCN1`],
    ['(8018)+(7259)+(7258)', `(8018)${GSRN}(7259)BABY%20A(7258)1/2`],
    ['(415)+(8020)+(12)', `(415)${GLN}(8020)REF1(12)271130`],
    ['(01)+(717)', `(01)${GTIN}(717)SRN1`],
    ['(01)+(3922) needs 01+30 or 01+31nn...: (3103) satisfies 31nn', `(01)${GTIN}(3103)000100(3922)199`],
  ])('%s is accepted', (_name, scan) => {
    expect(() => parseScan(scan)).not.toThrow();
  });

  it('(8030) needs the serial component of (253), (255), (8003) (GenSpecs digital signature rule)', () => {
    const gdti = withCheckDigit('031234500002');
    expect(failure(() => parseScan(`(253)${gdti}(8030)QUJD`))).toEqual({ code: 'AI_ASSOCIATION', ai: '253', rule: 'digsig-serial' });
    expect(() => parseScan(`(253)${gdti}DOC1(8030)QUJD`)).not.toThrow();
  });

  it('holds over a set of AIs without values as well', () => {
    expect(() => checkAiAssociations(['00', '02', '37'])).not.toThrow();
    expect(failure(() => checkAiAssociations(['02', '37']))).toEqual({ code: 'AI_ASSOCIATION', ai: '37', rule: 'req' });
  });
});

describe('linters through their AIs (error names the AI and the rule)', () => {
  it.each([
    ['422', '840', undefined],
    ['422', '000', 'iso3166'],
    ['422', '983', 'iso3166'],
    ['7030', '999ABC', undefined],
    ['7030', '840ABC', undefined],
    ['7030', '998ABC', 'iso3166999'],
    ['4307', 'US', undefined],
    ['4307', 'XK', 'iso3166alpha2'],
    ['3932', '978199', undefined],
    ['3932', '000199', 'iso4217'],
    ['00', SSCC, undefined],
    ['00', SSCC.slice(0, -1) + '1', 'csum'],
    ['8013', '1987654Ad4X4bL5ttr2310c2K', undefined],
    ['8013', '1987654Ad4X4bL5ttr2310cXK', 'csumalpha'],
    ['8014', '1987654Ad4X4bL5ttr2310c2K', undefined],
    ['8013', '12A' + alphaCheckPair('12A'), 'gcppos1'],
    // All digits, check pair included: 1279899 has the check pair 23.
    ['8014', '127989923', 'hasnondigit'],
    ['8013', '127989923', undefined],
    ['17', '270200', undefined],
    ['17', '271301', 'yymmd0'],
    ['7006', '270200', 'yymmdd'],
    ['7250', '20240229', undefined],
    ['7250', '20230229', 'yyyymmdd'],
    ['7003', '2711302359', undefined],
    ['7003', '2711302460', 'hhmi'],
    ['8008', '27113023', undefined],
    ['8008', '2711302360', 'mi'],
    ['8008', '2711302424', 'hh'],
    ['8008', '271130235960', 'ss'],
    ['8003', `0${GLN}`, undefined],
    ['8003', `1${GLN}`, 'zero'],
    ['8006', `${GTIN}0102`, undefined],
    ['8006', `${GTIN}0300`, 'pieceoftotal'],
    ['8006', `${GTIN}0302`, 'pieceoftotal'],
    ['7252', '2', undefined],
    ['7252', '3', 'iso5218'],
    ['7241', '01', undefined],
    ['7241', '11', 'mediatype'],
    ['7241', '80', undefined],
    ['4321', '1', undefined],
    ['4321', '2', 'yesno'],
    ['8001', '0010' + '00050' + '001' + '1' + '9', undefined],
    ['8001', '0000' + '00050' + '001' + '1' + '9', 'nonzero'],
    ['8001', '0010' + '00050' + '001' + '2' + '9', 'winding'],
    ['4309', '09000000001800000000', undefined],
    ['4309', '18000000011800000000', 'latitude'],
    ['4309', '09000000003600000001', 'longitude'],
    ['4330', '000100-', undefined],
    ['4330', '000100+', 'hyphen'],
    ['7040', '1ABC', undefined],
    ['7040', '1AB.', 'importeridx'],
    ['7041', 'BX', undefined],
    ['7041', 'QQQ', 'packagetype'],
    ['4300', 'ACME%20PHARMA', undefined],
    ['4300', 'ACME%2', 'pcenc'],
    ['7258', '2/3', undefined],
    ['7258', '4/3', 'posinseqslash'],
    ['7258', '0/3', 'posinseqslash'],
    ['8011', '123', undefined],
    ['8011', '0123', 'nozeroprefix'],
    ['8007', 'GB82WEST12345698765432', undefined],
    ['8007', 'GB83WEST12345698765432', 'iban'],
    ['8030', 'QUJD', undefined],
    ['8030', 'QU=', undefined],
    ['8030', 'QUJDR===', 'cset64'],
    ['8030', 'AB:C', 'cset64'],
    ['8110', '0123456123456111101234200229', undefined],
    ['8110', '0123456123456111101234200010', 'couponcode'],
    ['8112', '0' + '0' + '123456' + '654321' + '0' + '123456', undefined],
    ['8112', '201234512345678901', 'couponposoffer'],
  ])('(%s) %s -> %s', (ai, value, rule) => {
    const got = failure(() => validateAiValue(ai, value, { referenceDate: '2026-12-01' }));
    if (rule === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject({ ai, rule });
  });
});

describe('linters on their own', () => {
  it.each([
    ['csumalpha', '22', true], ['csumalpha', '33', false], ['csumalpha', '2', false],
    ['gcppos2', '01234', true], ['gcppos2', '0123', false], ['gcppos1', '123A', false],
    ['pieceoftotal', '0101', true], ['pieceoftotal', '0001', false], ['pieceoftotal', '010', false],
    ['posinseqslash', '10/10', true], ['posinseqslash', '9/10', true], ['posinseqslash', '11/10', false], ['posinseqslash', '1/', false], ['posinseqslash', '/1', false],
    ['pcenc', '%41%4a', true], ['pcenc', '%4G', false], ['pcenc', '100%', false],
    ['iban', 'DE89370400440532013000', true], ['iban', 'DE89370400440532013001', false], ['iban', 'ZZ89370400440532013000', false],
    ['mmoptss', '59', true], ['mmoptss', '5959', true], ['mmoptss', '60', false],
    ['iso3166list', '840276', true], ['iso3166list', '840000', false],
    ['yyyymmd0', '20270200', true], ['yyyymmdd', '20270200', false],
    ['couponposoffer', '101234561234560654321', true], ['couponposoffer', '1012345612345606543210', false],
  ])('%s(%s) passes: %s', (name, value, ok) => {
    expect(lint(name, value, context) === undefined).toBe(ok);
  });

  it('an unknown linter name is a failure, not a pass', () => {
    expect(lint('nosuchlinter', 'x', context)).toMatchObject({ code: 'AI_INVALID' });
  });
});

describe('syntax properties', () => {
  const ais = [...APPLICATION_IDENTIFIERS.keys()];
  const unit = fc.constantFrom(...'0123456789', 'A', 'z', '-', '/', '=', '%', ' ', '\u001d');
  const element = fc.tuple(fc.constantFrom(...ais), fc.string({ unit, minLength: 1, maxLength: 20 }));
  const scan = fc.array(element, { minLength: 1, maxLength: 5 }).map((list) => list.map(([ai, value]) => `(${ai})${value}`).join(''));

  it('whatever a scan of random AIs yields obeys the dictionary: values, associations, and it re-encodes', () => {
    let accepted = 0;
    fc.assert(
      fc.property(scan, fc.boolean(), (input, raw) => {
        let parsed;
        try {
          parsed = parseScan(raw ? input.replace(/[()]/g, '') : input);
        } catch (e) {
          if (!isDomainError(e)) throw e;
          return;
        }
        accepted++;
        for (const [ai, value] of Object.entries(parsed.ais)) expect(() => validateAiValue(ai, value)).not.toThrow();
        expect(() => checkAiAssociations(Object.keys(parsed.ais), parsed.ais)).not.toThrow();
        expect(parseScan(toElementString(parsed.ais)).ais).toEqual(parsed.ais);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

/** Every ex= and req= of every dictionary row, as the association layer reads them. */
describe('every association rule in the dictionary', () => {
  const all = [...APPLICATION_IDENTIFIERS.values()];
  /** A concrete AI for a pattern ("310n" -> 3100), other than `not`. */
  const concrete = (pattern: string, not?: string): string | undefined => all.find((d) => d.ai !== not && matchesAiPattern(d.ai, pattern))?.ai;
  const mine = (ai: string, rule: string, set: string[]): DomainErrorLike[] =>
    aiAssociationViolations(set).filter((e) => e.details.ai === ai && e.details.rule === rule);
  type DomainErrorLike = ReturnType<typeof aiAssociationViolations>[number];

  const exclusions = all.flatMap((d) => d.exclusions.map((p) => [d.ai, p, concrete(p, d.ai)] as const)).filter(([, , other]) => other !== undefined);
  it(`has exclusions to test (${exclusions.length})`, () => expect(exclusions.length).toBeGreaterThan(150));
  it.each(exclusions)('(%s) ex=%s: refused alongside (%s)', (ai, _pattern, other) => {
    expect(mine(ai, 'ex', [ai, other as string])).toHaveLength(1);
  });

  const clauses = all.flatMap((d) => d.requisites.map((clause, i) => [d.ai, i, clause] as const));
  it(`has requisite clauses to test (${clauses.length})`, () => expect(clauses.length).toBeGreaterThan(400));
  it.each(clauses.map(([ai, i, clause]) => [ai, clause.map((a) => a.join('+')).join(','), i, clause] as const))('(%s) req=%s: refused alone, met by each alternative', (ai, _shown, i, clause) => {
    expect(mine(ai, 'req', [ai]).length).toBeGreaterThanOrEqual(1);
    for (const alternative of clause) {
      const set = [ai, ...alternative.map((p) => concrete(p) as string)];
      const unmet = mine(ai, 'req', set).filter((e) => (e.details.requisites as string[]).join(',') === clause.map((a) => a.map((x) => `(${x})`).join('+')).join(','));
      expect({ clause: i, alternative, unmet: unmet.length }).toEqual({ clause: i, alternative, unmet: 0 });
      if (alternative.length > 1) {
        // "+": every part is needed; dropping any one part leaves the clause unmet (unless another alternative covers it).
        for (const dropped of alternative) {
          const partial = set.filter((x) => x !== concrete(dropped));
          const covered = clause.some((alt) => alt.every((p) => partial.some((x) => matchesAiPattern(x, p))));
          if (!covered) expect(mine(ai, 'req', partial).length).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });
});
