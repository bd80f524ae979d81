import fc from 'fast-check';
import { DomainError, isDomainError } from '../errors';
import { APPLICATION_IDENTIFIERS, aiAt } from './application-identifiers';
import { CSET82 } from './charset';
import { gs1CheckDigit, withCheckDigit } from './check-digit';
import {
  buildDigitalLink,
  canonicalDigitalLink,
  digitalLinkToEpcUrn,
  epcUrnToDigitalLink,
  parseDigitalLink,
} from './digital-link';
import { lgtinToEpcClassUrn, parseEpcUrn, pglnToEpcUrn, sgtinToEpcUrn, sglnToEpcUrn, ssccToEpcUrn } from './epc-urn';
import { isValidSscc, normaliseGtin, normaliseSscc, withIndicator } from './gtin';
import { formatNdc11, gtinToNdc, gtinToNdc11, ndcCompanyPrefixLength, ndcToGtin14, ndcToNdc11, parseNdc } from './ndc';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (isDomainError(e)) return e.code;
    throw e;
  }
}

const serialArb = fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: 20 });
const gtinArb = fc.stringMatching(/^[0-9]{13}$/).map(withCheckDigit);

describe('GS1 check digits', () => {
  it.each([
    ['0950600013435', 2],
    ['950600013435', 2],
    ['0031234567890', 6],
    ['00312345000000123', 0],
  ])('check digit of %s is %i', (data, expected) => {
    expect(gs1CheckDigit(data)).toBe(expected);
  });
});

describe('GTIN', () => {
  it.each([
    ['12345670', '00000012345670'],
    ['036000291452', '00036000291452'],
    ['9506000134352', '09506000134352'],
    ['00312345678906', '00312345678906'],
  ])('normalises %s to GTIN-14 %s', (input, gtin14) => {
    expect(normaliseGtin(input)).toBe(gtin14);
  });

  it('rejects a wrong check digit before any lookup', () => {
    expect(codeOf(() => normaliseGtin('00312345678907'))).toBe('CHECK_DIGIT');
  });

  it.each(['1234567', '003123456789061', '0031234567890A', ''])('rejects malformed GTIN %j', (input) => {
    expect(codeOf(() => normaliseGtin(input))).toBe('IDENTIFIER_INVALID');
  });

  it('derives a case-level GTIN by indicator', () => {
    expect(withIndicator('00312345678906', 5)).toBe('50312345678901');
  });

  it('round-trips any 13 data digits', () => {
    fc.assert(fc.property(gtinArb, (g) => normaliseGtin(g) === g));
  });
});

describe('NDC', () => {
  it.each([
    ['12345-678-90', 0, '00312345678906', '12345067890'],
    ['0002-1433-80', 0, '00300021433802', '00002143380'],
    ['12345-678-90', 5, '50312345678901', '12345067890'],
    ['12345-6789-1', 0, withCheckDigit('0031234567891'), '12345678901'],
  ])('%s (indicator %i) -> GTIN %s, NDC-11 %s', (ndc, indicator, gtin, ndc11) => {
    expect(ndcToGtin14(ndc, indicator)).toBe(gtin);
    expect(ndcToNdc11(ndc)).toBe(ndc11);
  });

  it('formats NDC-11 as 5-4-2', () => {
    expect(formatNdc11('0002-1433-80')).toBe('00002-1433-80');
  });

  it('does not guess GTIN -> NDC-11 without master data', () => {
    expect(codeOf(() => gtinToNdc11('00300021433802', undefined))).toBe('NDC_PATTERN_REQUIRED');
    expect(gtinToNdc11('00300021433802', '4-4-2')).toBe('00002143380');
    expect(gtinToNdc('00312345678906', '5-3-2')).toEqual({ labeler: '12345', product: '678', package: '90', pattern: '5-3-2' });
  });

  it.each(['123-456-78', '12345-67-890', '1234567890', 'abc'])('rejects or refuses %j', (text) => {
    expect(['NDC_INVALID', 'NDC_PATTERN_REQUIRED']).toContain(codeOf(() => parseNdc(text)));
  });

  it('rejects GTINs outside the 03 range', () => {
    expect(codeOf(() => gtinToNdc('09506000134352', '5-3-2'))).toBe('NDC_INVALID');
  });

  it('derives the company prefix length from the labeler', () => {
    expect(ndcCompanyPrefixLength('00312345678906')).toBe(7);
    expect(ndcCompanyPrefixLength('00300021433802')).toBe(6);
    expect(ndcCompanyPrefixLength('00312345678906', 4)).toBe(6);
  });
});

describe('SSCC', () => {
  it('accepts …1230 and rejects …1231', () => {
    expect(normaliseSscc('003123450000001230')).toBe('003123450000001230');
    expect(isValidSscc('003123450000001231')).toBe(false);
    expect(codeOf(() => normaliseSscc('003123450000001231'))).toBe('CHECK_DIGIT');
  });
});

describe('EPC URNs', () => {
  it('escapes serial characters as the Tag Data Standard requires', () => {
    expect(sgtinToEpcUrn('00312345678906', 'SN%12&x')).toBe('urn:epc:id:sgtin:0312345.067890.SN%2512%26x');
    expect(sgtinToEpcUrn('00312345678906', `a"b/c<d>e?f`)).toBe('urn:epc:id:sgtin:0312345.067890.a%22b%2Fc%3Cd%3Ee%3Ff');
  });

  it('uses a 6-digit prefix for 4-digit labelers', () => {
    expect(sgtinToEpcUrn('00300021433802', '1')).toBe('urn:epc:id:sgtin:030002.0143380.1');
  });

  it('needs the company prefix length outside the NDC range', () => {
    expect(codeOf(() => sgtinToEpcUrn('09506000134352', 'A'))).toBe('COMPANY_PREFIX_REQUIRED');
    expect(sgtinToEpcUrn('09506000134352', 'A', { companyPrefixLength: 7 })).toBe('urn:epc:id:sgtin:9506000.013435.A');
  });

  it('builds SSCC, SGLN, PGLN and LGTIN URNs', () => {
    expect(ssccToEpcUrn('003123450000001230')).toBe('urn:epc:id:sscc:0312345.0000000123');
    const gln = withCheckDigit('031234500001');
    expect(sglnToEpcUrn(gln)).toBe('urn:epc:id:sgln:0312345.00001.0');
    expect(sglnToEpcUrn(gln, 'DOCK-7')).toBe('urn:epc:id:sgln:0312345.00001.DOCK-7');
    expect(pglnToEpcUrn(gln)).toBe('urn:epc:id:pgln:0312345.00001');
    expect(lgtinToEpcClassUrn('00312345678906', 'A1/B-2')).toBe('urn:epc:class:lgtin:0312345.067890.A1%2FB-2');
  });

  it.each([
    'urn:epc:id:sgtin:0312345.067890.SN%12',
    'urn:epc:id:sgtin:0312345.067890.a/b',
    'urn:epc:id:sgtin:0312345.06789.1',
    'urn:epc:id:sgtin:0312345.067890.',
    'urn:epc:id:sscc:0312345.000000012',
    'urn:epc:id:sgtin:0312345.067890.x y',
    'urn:epc:id:foo:1.2.3',
  ])('rejects %s', (urn) => {
    expect(codeOf(() => parseEpcUrn(urn))).toMatch(/EPC_URN_INVALID|AI_INVALID/);
  });

  it('round-trips SGTIN URNs for any serial', () => {
    fc.assert(
      fc.property(gtinArb, serialArb, fc.integer({ min: 6, max: 12 }), (gtin, serial, cpl) => {
        const urn = sgtinToEpcUrn(gtin, serial, { companyPrefixLength: cpl });
        expect(parseEpcUrn(urn)).toEqual({ scheme: 'sgtin', gtin, serial, companyPrefixLength: cpl });
      }),
    );
  });
});

describe('GS1 Digital Link', () => {
  it('matches the documented examples', () => {
    expect(buildDigitalLink({ '01': '00312345678906', '21': 'SN%12&x' })).toBe('https://id.gs1.org/01/00312345678906/21/SN%2512%26x');
    expect(epcUrnToDigitalLink('urn:epc:id:sscc:0312345.0000000123')).toBe('https://id.gs1.org/00/003123450000001230');
  });

  it('orders path qualifiers 22 -> 10 -> 21 and puts data attributes in the query', () => {
    expect(buildDigitalLink({ '17': '271130', '21': 'S', '10': 'L', '01': '00312345678906', '22': 'V' })).toBe(
      'https://id.gs1.org/01/00312345678906/22/V/10/L/21/S?17=271130',
    );
  });

  it('parses any host, a path prefix, short GTINs and non-AI parameters', () => {
    const dl = parseDigitalLink('https://brand.example.com/dl/01/9506000134352/10/L%2F1?17=271130&linkType=gs1:verificationService');
    expect(dl.ais).toEqual({ '01': '09506000134352', '10': 'L/1', '17': '271130' });
    expect(dl.base).toBe('https://brand.example.com/dl');
    expect(dl.parameters).toEqual({ linkType: 'gs1:verificationService' });
  });

  it.each([
    ['https://id.gs1.org/01/00312345678906/21/S/10/L', 'DIGITAL_LINK_INVALID'],
    ['https://id.gs1.org/01/00312345678906/17/271130', 'DIGITAL_LINK_INVALID'],
    ['https://id.gs1.org/foo/bar', 'DIGITAL_LINK_INVALID'],
    ['https://id.gs1.org/01/00312345678907', 'CHECK_DIGIT'],
    ['https://id.gs1.org/01/00312345678906/21/%E0%A4%A', 'DIGITAL_LINK_INVALID'],
    ['https://id.gs1.org/01/00312345678906?17=271332', 'DATE_INVALID'],
  ])('rejects %s', (uri, code) => {
    expect(codeOf(() => parseDigitalLink(uri))).toBe(code);
  });

  it('converts EPC URN <-> Digital Link with / % & in the serial', () => {
    const urn = 'urn:epc:id:sgtin:0312345.067890.A%2FB%25C%26D';
    const dl = epcUrnToDigitalLink(urn);
    expect(dl).toBe('https://id.gs1.org/01/00312345678906/21/A%2FB%25C%26D');
    expect(digitalLinkToEpcUrn(dl)).toBe(urn);
    expect(digitalLinkToEpcUrn('https://example.org/01/09506000134352/21/X', { companyPrefixLength: 7 })).toBe('urn:epc:id:sgtin:9506000.013435.X');
  });

  it('round-trips URN -> DL -> URN for any serial', () => {
    fc.assert(
      fc.property(gtinArb, serialArb, fc.integer({ min: 6, max: 12 }), (gtin, serial, cpl) => {
        const urn = sgtinToEpcUrn(gtin, serial, { companyPrefixLength: cpl });
        const dl = epcUrnToDigitalLink(urn, { base: 'https://scan.example.org/p' });
        expect(parseDigitalLink(dl).ais).toEqual({ '01': gtin, '21': serial });
        expect(digitalLinkToEpcUrn(dl, { companyPrefixLength: cpl })).toBe(urn);
      }),
    );
  });

  it('reduces to the finest identification level for hashing', () => {
    expect(canonicalDigitalLink({ '01': '00312345678906', '10': 'L', '21': 'S', '17': '271130' })).toBe('https://id.gs1.org/01/00312345678906/21/S');
    expect(canonicalDigitalLink({ '414': withCheckDigit('031234500001'), '254': '0' })).toBe(`https://id.gs1.org/414/${withCheckDigit('031234500001')}`);
  });
});

describe('AI table', () => {
  it('is prefix-free so an AI can be identified without lookahead', () => {
    const ais = [...APPLICATION_IDENTIFIERS.keys()];
    const clashes = ais.flatMap((a) => ais.filter((b) => a !== b && b.startsWith(a)).map((b) => `${a}/${b}`));
    expect(clashes).toEqual([]);
  });

  it('covers the AIs pharma labels carry', () => {
    const required = ['00', '01', '02', '10', '11', '13', '15', '16', '17', '20', '21', '22', '30', '37', '240', '241', '250', '400', '410', '411', '412', '413', '414', '415', '416', '417', '422', '7003', '710', '711', '712', '713', '714', '715', '716', '8003', '8004', '8006'];
    for (const ai of required) expect(APPLICATION_IDENTIFIERS.has(ai)).toBe(true);
  });

  it('finds AIs of 2, 3 and 4 digits', () => {
    expect(aiAt('01003', 0)?.ai).toBe('01');
    expect(aiAt('xx7003', 2)?.ai).toBe('7003');
    expect(aiAt('4141', 0)?.ai).toBe('414');
    expect(aiAt('89', 0)).toBeUndefined();
  });

  it('makes DomainError carry code, AI and reason', () => {
    const e = new DomainError('AI_INVALID', 'AI (21): bad', { ai: '21', reason: 'bad' });
    expect(e.category).toBe('BAD_INPUT');
    expect(e.toJSON()).toEqual({ code: 'AI_INVALID', message: 'AI (21): bad', details: { ai: '21', reason: 'bad' } });
  });
});
