import fc from 'fast-check';
import { isDomainError } from '../errors';
import { parseScan, scanToDigitalLink } from '../scan/parse-scan';
import { withCheckDigit } from './check-digit';
import { CSET82 } from './charset';
import { buildDigitalLink, canonicalDigitalLink, parseDigitalLink } from './digital-link';
import { toElementString } from './element-string';

/**
 * GS1 Digital Link URI syntax: fixtures written from the standard's rules and examples (the
 * dictionary's dlpkey qualifier sequences and "?" data-attribute flags).
 */

const GTIN = '09520123456788';
const SSCC = '952012345678912345';
const GLN = '9520123456788';
const GIAI = '9520614141234567';

function failure(fn: () => unknown): { code: string; ai?: string; rule?: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return { code: e.code, ...(e.details.ai ? { ai: e.details.ai } : {}), ...(typeof e.details.rule === 'string' ? { rule: e.details.rule } : {}) };
  }
}

describe('Digital Link parsing', () => {
  it.each([
    ['GTIN', `https://id.gs1.org/01/${GTIN}`, { '01': GTIN }, '01'],
    ['GTIN + CPV', `https://id.gs1.org/01/${GTIN}/22/2A`, { '01': GTIN, '22': '2A' }, '01'],
    ['GTIN + lot + serial + expiry attribute', `https://id.gs1.org/01/${GTIN}/10/ABC1/21/12345?17=180426`, { '01': GTIN, '10': 'ABC1', '21': '12345', '17': '180426' }, '01'],
    ['GTIN + CPV + lot + serial', `https://a.example/01/${GTIN}/22/V/10/L/21/S`, { '01': GTIN, '22': 'V', '10': 'L', '21': 'S' }, '01'],
    ['GTIN + serial (skipping optional qualifiers)', `https://a.example/01/${GTIN}/21/S`, { '01': GTIN, '21': 'S' }, '01'],
    ['GTIN + TPX (the 235 alternative)', `https://a.example/01/${GTIN}/235/TPX1`, { '01': GTIN, '235': 'TPX1' }, '01'],
    ['TPX path with a lot attribute (10 cannot join a 235 path)', `https://id.gs1.org/01/${GTIN}/235/XYZ?10=ABC123`, { '01': GTIN, '235': 'XYZ', '10': 'ABC123' }, '01'],
    ['SSCC', `https://id.gs1.org/00/${SSCC}`, { '00': SSCC }, '00'],
    ['SSCC with content, count and lot attributes', `https://id.gs1.org/00/${SSCC}?02=${GTIN}&37=25&10=ABC123`, { '00': SSCC, '02': GTIN, '37': '25', '10': 'ABC123' }, '00'],
    ['GLN + extension', `https://id.gs1.org/414/${GLN}/254/32a%2Fb`, { '414': GLN, '254': '32a/b' }, '414'],
    ['ITIP + lot + serial', `https://a.example/8006/${GTIN}0102/10/L/21/S`, { '8006': `${GTIN}0102`, '10': 'L', '21': 'S' }, '8006'],
    ['CPID + serial', `https://a.example/8010/952012-CP%2F2/8011/123`, { '8010': '952012-CP/2', '8011': '123' }, '8010'],
    ['GSRN + SRIN', `https://a.example/8018/${withCheckDigit('95201234567891234')}/8019/123`, { '8018': withCheckDigit('95201234567891234'), '8019': '123' }, '8018'],
    ['second key (GTIN) as a query data attribute', `https://example.com/8004/${GIAI}?01=${GTIN}`, { '8004': GIAI, '01': GTIN }, '8004'],
    ['path prefix (stem) before the key', `https://brand.example.com/some-extra/pathinfo/01/${GTIN}`, { '01': GTIN }, '01'],
    ['rightmost key: a fake key in the stem', `https://a.example/00/faux/00/${SSCC}`, { '00': SSCC }, '00'],
    ['measures and price attributes', `https://example.com/01/${GTIN}?3103=000195&3922=0299&17=201225`, { '01': GTIN, '3103': '000195', '3922': '0299', '17': '201225' }, '01'],
    ['zero-suppressed GTIN-13 in the path (the standard\'s own example)', 'https://brand.example.com/01/9520123456788', { '01': GTIN }, '01'],
    ['non-AI parameters, singletons and a fragment are set aside', `https://a.example/01/${GTIN}?linkType=gs1:pip&&flag&99=ABC#frag`, { '01': GTIN, '99': 'ABC' }, '01'],
    ['upper-case scheme', `HTTPS://a.example/01/${GTIN}`, { '01': GTIN }, '01'],
  ])('%s', (_name, uri, ais, primaryKey) => {
    const parsed = parseDigitalLink(uri);
    expect(parsed.ais).toEqual(ais);
    expect(parsed.primaryKey).toBe(primaryKey);
  });

  it('keeps the stem, the path qualifiers, the attributes and the other parameters apart', () => {
    const parsed = parseDigitalLink(`https://a.example/00/faux/01/${GTIN}/10/L/21/S?17=271130&linkType=gs1:verificationService&context=dscsaSaleableReturn`);
    expect(parsed.base).toBe('https://a.example/00/faux');
    expect(parsed.qualifiers).toEqual(['10', '21']);
    expect(parsed.attributes).toEqual(['17']);
    expect(parsed.parameters).toEqual({ linkType: 'gs1:verificationService', context: 'dscsaSaleableReturn' });
  });

  it.each([
    ['qualifiers out of order', `https://id.gs1.org/01/${GTIN}/21/S/10/L`, 'key-qualifiers', '10'],
    ['the two qualifier alternatives mixed', `https://id.gs1.org/01/${GTIN}/10/L/235/T`, 'key-qualifiers', '235'],
    ['a data attribute in the path', `https://id.gs1.org/01/${GTIN}/17/271130`, 'key-qualifiers', '17'],
    ['a qualifier in the query that belongs in the path', `https://example.com/01/${GTIN}?10=ABC123`, 'qualifier-in-query', '10'],
    ['a serial in the query after a lot in the path', `https://example.com/01/${GTIN}/10/L?21=S`, 'qualifier-in-query', '21'],
    ['an AI that is no data attribute (21 under an SSCC)', `https://example.com/00/${SSCC}?21=S`, 'data-attribute', '21'],
    ['(03) as a query attribute', `https://example.com/00/${SSCC}?03=${GTIN}`, 'data-attribute', '03'],
    ['an unknown all-digit parameter', `https://a.example/01/${GTIN}?99=ABC&999=faux`, 'unknown-ai', '999'],
    ['the same AI in path and query', `https://id.gs1.org/01/${GTIN}/10/ABC123?99=X&10=ABC123`, 'duplicate', '10'],
    ['the key again in the query', `https://id.gs1.org/01/${GTIN}/10/ABC123?01=${GTIN}`, 'duplicate', '01'],
    ['an AI twice in the query', `https://id.gs1.org/01/${GTIN}?99=A&99=A`, 'duplicate', '99'],
    ['an empty query value', `https://a.example/01/${GTIN}?99=`, 'empty-value', '99'],
    ['an empty path value', `https://a.example/01//${GTIN}`, 'primary-key', undefined],
    ['a trailing slash', `https://a.example/00/${SSCC}/`, 'path', undefined],
    ['no key at all', 'https://id.gs1.org/foo/bar', 'primary-key', undefined],
    ['no path', 'https://id.gs1.org', 'primary-key', undefined],
    ['no host', `https:///01/${GTIN}`, 'host', undefined],
    ['a deprecated convenience alpha', `https://a.example/gtin/${GTIN}/ser/S`, 'convenience-alpha', undefined],
    ['a malformed percent-encoding', `https://id.gs1.org/01/${GTIN}/21/%E0%A4%A`, 'percent-encoding', '21'],
    ['an encoded NUL', `https://a.example/01/${GTIN}/21/A%00B`, 'percent-encoding', '21'],
    ['a character a URI cannot carry', `https://a.example/01/${GTIN}/21/A<B`, 'uri-characters', undefined],
    ['a space', `https://a.example/01/${GTIN}/21/A B`, 'uri-characters', undefined],
  ])('refuses %s', (_name, uri, rule, ai) => {
    expect(failure(() => parseDigitalLink(uri))).toEqual({ code: 'DIGITAL_LINK_INVALID', rule, ...(ai ? { ai } : {}) });
  });

  it.each([
    ['a wrong GTIN check digit', `https://id.gs1.org/01/09520123456789`, 'CHECK_DIGIT', 'csum'],
    ['"+" in the query, a space, which CSET 82 lacks', `https://a.example/00/${SSCC}?02=${GTIN}&37=5&10=X+Y`, 'AI_INVALID', 'cset82'],
    ['an association the dictionary forbids ((02)+(37) needs (00))', `https://a.example/01/${GTIN}?02=${GTIN}&37=5`, 'AI_ASSOCIATION', 'ex'],
    ['a requisite missing ((254) cannot stand without (414): 8004 path)', `https://a.example/8004/${GIAI}?250=X`, 'AI_ASSOCIATION', 'req'],
  ])('validates values and associations: %s', (_name, uri, code, rule) => {
    expect(failure(() => parseDigitalLink(uri))).toMatchObject({ code, rule });
  });

  it('"+" in a path value is a literal plus', () => {
    expect(parseDigitalLink(`https://a.example/01/${GTIN}/22/ABC+123`).ais['22']).toBe('ABC+123');
  });

  it('accepts convenience alphas only when asked', () => {
    expect(parseDigitalLink(`https://a.example/gtin/${GTIN}/ser/S1`, { permitConvenienceAlphas: true }).ais).toEqual({ '01': GTIN, '21': 'S1' });
  });
});

describe('Digital Link generation', () => {
  it.each([
    ['key, qualifiers in order, attributes ascending', { '17': '271130', '21': 'S', '10': 'L', '01': GTIN, '22': 'V' }, `https://id.gs1.org/01/${GTIN}/22/V/10/L/21/S?17=271130`],
    ['the 235 alternative when the data holds a TPX', { '01': GTIN, '235': 'T1', '10': 'L' }, `https://id.gs1.org/01/${GTIN}/235/T1?10=L`],
    ['SSCC with content attributes', { '00': SSCC, '02': GTIN, '37': '25', '10': 'ABC123' }, `https://id.gs1.org/00/${SSCC}?02=${GTIN}&10=ABC123&37=25`],
    ['percent-encodes values', { '01': GTIN, '21': "SN%12&x/(a)'*" }, `https://id.gs1.org/01/${GTIN}/21/SN%2512%26x%2F%28a%29%27%2A`],
    ['ITIP', { '8006': `${GTIN}0102`, '21': 'S' }, `https://id.gs1.org/8006/${GTIN}0102/21/S`],
  ])('%s', (_name, ais, uri) => {
    expect(buildDigitalLink(ais)).toBe(uri);
  });

  it('refuses AIs a Digital Link cannot carry, and AI sets the dictionary forbids', () => {
    expect(failure(() => buildDigitalLink({ '00': SSCC, '21': 'S' }))).toMatchObject({ code: 'AI_ASSOCIATION' });
    expect(failure(() => buildDigitalLink({ '10': 'L' }))).toMatchObject({ code: 'DIGITAL_LINK_INVALID', rule: 'primary-key' });
    expect(failure(() => buildDigitalLink({ '99': 'X' }))).toMatchObject({ code: 'DIGITAL_LINK_INVALID', rule: 'primary-key' });
    expect(failure(() => buildDigitalLink({ '8004': GIAI, '7040': '1ABC' }, { primaryKey: '01' }))).toMatchObject({ code: 'DIGITAL_LINK_INVALID' });
  });

  it('chooses the key asked for when the data holds two', () => {
    expect(buildDigitalLink({ '8004': GIAI, '01': GTIN }, { primaryKey: '8004' })).toBe(`https://id.gs1.org/8004/${GIAI}?01=${GTIN}`);
  });

  it('canonical form keeps the key and its finest qualifier', () => {
    expect(canonicalDigitalLink({ '01': GTIN, '235': 'T1' })).toBe(`https://id.gs1.org/01/${GTIN}/235/T1`);
    expect(canonicalDigitalLink({ '8004': GIAI, '01': GTIN }, '8004')).toBe(`https://id.gs1.org/8004/${GIAI}`);
  });
});

describe('AIM symbology identifiers in scans', () => {
  it.each([
    [']Q1 (QR, plain data) carrying a Digital Link', `]Q1https://id.gs1.org/01/${GTIN}/21/S?17=271130`, ']Q1'],
    [']d1 (Data Matrix, plain data) carrying a Digital Link', `]d1https://id.gs1.org/01/${GTIN}/21/S?17=271130`, ']d1'],
    [']d2 GS1 DataMatrix element string', `]d201${GTIN}17271130\u001d21S`, ']d2'],
    [']Q3 GS1 QR element string', `]Q301${GTIN}1727113021S`, ']Q3'],
    [']C1 GS1-128', `]C101${GTIN}1727113021S`, ']C1'],
    [']e0 DataBar', `]e001${GTIN}1727113021S`, ']e0'],
  ])('%s', (_name, scan, id) => {
    const parsed = parseScan(scan);
    expect(parsed.ais).toEqual({ '01': GTIN, '17': '271130', '21': 'S' });
    expect(parsed.symbologyIdentifier).toBe(id);
  });

  it(']E0 EAN-13 reads as a GTIN', () => {
    expect(parseScan(']E09520123456788').ais).toEqual({ '01': GTIN });
  });

  it.each([
    [']d1 with element-string data', `]d101${GTIN}`, 'SYMBOLOGY_UNSUPPORTED'],
    [']d2 with a URI', `]d2https://id.gs1.org/01/${GTIN}`, 'SYMBOLOGY_UNSUPPORTED'],
    [']Q1 with a broken Digital Link', `]Q1https://id.gs1.org/01/${GTIN}/21/S/10/L`, 'DIGITAL_LINK_INVALID'],
    [']E0 with too few digits', ']E0952012345678', 'SCAN_MALFORMED'],
  ])('refuses %s', (_name, scan, code) => {
    expect(failure(() => parseScan(scan))).toMatchObject({ code });
  });
});

describe('Digital Link properties', () => {
  const cset82 = fc.constantFrom(...CSET82);
  const text = (max: number): fc.Arbitrary<string> => fc.string({ unit: cset82, minLength: 1, maxLength: max });
  const gtin = fc.stringMatching(/^[0-9]{13}$/).map(withCheckDigit);
  const date = fc.record({ yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), dd: fc.integer({ min: 1, max: 28 }) }).map(({ yy, mm, dd }) => [yy, mm, dd].map((n) => String(n).padStart(2, '0')).join(''));
  const productAis = fc.record(
    { '01': gtin, '22': text(20), '10': text(20), '21': text(20), '17': date, '11': date, '240': text(30), '7003': date.map((d) => d + '1230'), '99': text(90) },
    { requiredKeys: ['01'] },
  );

  it('element string -> Digital Link -> AIs -> element string round-trips', () => {
    fc.assert(
      fc.property(productAis, (ais) => {
        const dl = buildDigitalLink(ais, { base: 'https://brand.example/p' });
        const parsed = parseDigitalLink(dl);
        expect(parsed.ais).toEqual(ais);
        expect(parseScan(toElementString(ais)).ais).toEqual(ais);
        expect(parseScan(`]Q1${dl}`).ais).toEqual(ais);
        expect(buildDigitalLink(parsed.ais, { base: 'https://brand.example/p' })).toBe(dl);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary URIs only ever fail with a DomainError, and what is accepted rebuilds to a valid link', () => {
    const segment = fc.oneof(fc.constantFrom('01', '10', '21', '22', '235', '00', '414', '254', '8004', '17', '99', 'gtin', ''), text(6), fc.string({ maxLength: 6 }));
    const uri = fc.tuple(fc.array(segment, { maxLength: 8 }), fc.array(fc.tuple(fc.constantFrom('17', '10', '01', '99', '21', 'linkType', '3103'), fc.string({ maxLength: 8 })), { maxLength: 3 })).map(
      ([path, query]) => `https://a.example/${path.join('/')}${query.length ? '?' + query.map(([k, v]) => `${k}=${v}`).join('&') : ''}`,
    );
    fc.assert(
      fc.property(fc.oneof(uri, fc.string().map((s) => `https://id.gs1.org/01/${GTIN}/${s}`)), (input) => {
        try {
          const parsed = parseDigitalLink(input);
          expect(parseDigitalLink(buildDigitalLink(parsed.ais, { primaryKey: parsed.primaryKey })).ais).toEqual(parsed.ais);
        } catch (e) {
          if (!isDomainError(e)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scan -> Digital Link', () => {
  it('turns an element string, a bracketed scan or a Digital Link into the canonical Digital Link', () => {
    const expected = `https://id.gs1.org/01/${GTIN}/10/L/21/S?17=271130`;
    expect(scanToDigitalLink(`]d201${GTIN}17271130` + '10L\u001d21S')).toBe(expected);
    expect(scanToDigitalLink(`(01)${GTIN}(21)S(10)L(17)271130`)).toBe(expected);
    expect(scanToDigitalLink(`]Q1https://brand.example/x/01/${GTIN}/10/L/21/S?linkType=all&17=271130`)).toBe(expected);
  });

  it('says so when a Digital Link is compressed', () => {
    expect(failure(() => parseDigitalLink('https://id.gs1.org/AQnYUc1gHZaw-CAxbpjBaPEuHR0'))).toEqual({ code: 'DIGITAL_LINK_INVALID', rule: 'compressed' });
  });
});
