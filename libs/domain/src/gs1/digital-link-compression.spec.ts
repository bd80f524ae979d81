import fc from 'fast-check';
import { compressDigitalLink, decompressDigitalLink, isCompressedDigitalLink } from './digital-link-compression';
import { parseDigitalLink } from './digital-link';
import { withCheckDigit } from './check-digit';

/**
 * Vectors: each uncompressed link and the compressed form GS1's reference prototype
 * (gs1/GS1DigitalLinkCompressionPrototype@21a894b65dc9, compressGS1DigitalLink with optimisations)
 * computes for it, run outside this repository; the links are our own.
 */
const VECTORS: ReadonlyArray<readonly [string, string]> = [
  ['https://id.gs1.org/01/09520123456788/10/ABC123/21/12345?17=180426', 'https://id.gs1.org/GhFRJydaKI1XgkYKMDksDK'],
  ['https://id.gs1.org/01/00312345678906/21/A1B2C3', 'https://id.gs1.org/DACRcoGodI1DZYY'],
  ['https://id.gs1.org/01/00312345678906/10/LOT-9/21/x%2Fy?17=281130', 'https://id.gs1.org/GgCRcoGodMpZyf3sH4X-USio'],
  ['https://id.gs1.org/00/106141412345678908', 'https://id.gs1.org/ABeRcNWtKMPA'],
  ['https://id.gs1.org/414/0614141000005/254/A-1', 'https://id.gs1.org/nQjv2n-UVjA-1'],
  ['https://id.gs1.org/01/09520123456788/22/2A/10/ABC123/21/12345?3103=000189', 'https://id.gs1.org/LRFRJydaKAAXogjVeCRkIKMDkiQio'],
  ['https://id.gs1.org/01/00312345678906/21/abcdef0123', 'https://id.gs1.org/DACRcoGodFVXm94CRg'],
];

const sameAis = (a: string, b: string) => expect(parseDigitalLink(a).ais).toEqual(parseDigitalLink(b).ais);

describe('compressed GS1 Digital Links', () => {
  it.each(VECTORS)('decompresses what the reference compressor made of %s', (plain, compressed) => {
    const d = decompressDigitalLink(compressed);
    sameAis(d.uri, plain);
    expect(d.ais).toEqual(parseDigitalLink(plain).ais);
  });

  it.each(VECTORS)('compresses %s as the reference compressor does', (plain, compressed) => {
    expect(compressDigitalLink(plain)).toBe(compressed);
  });

  it('decompresses non-GS1 key=value pairs the reference compressor packed (F flag)', () => {
    const d = decompressDigitalLink('https://id.gs1.org/DACRcoGodI1DZYfiJYp5E8qXoHz82Lrhp4A');
    expect(d.ais).toEqual({ '01': '00312345678906', '21': 'A1B2C3' });
    expect(d.parameters).toEqual({ linkType: 'gs1:pip' });
  });

  it('keeps the host, non-GS1 query parameters, and a readable primary key', () => {
    const d = decompressDigitalLink('https://example.com/DACRcoGodI1DZYY?linkType=gs1:pip');
    expect(d.uri).toBe('https://example.com/01/00312345678906/21/A1B2C3?linkType=gs1%3Apip');
    expect(d.parameters).toEqual({ linkType: 'gs1:pip' });
    const partial = decompressDigitalLink(`https://id.gs1.org/01/00312345678906/${compressDigitalLink('https://id.gs1.org/01/00312345678906/21/A1B2C3').split('/').pop()}`);
    expect(partial.ais).toMatchObject({ '01': '00312345678906', '21': 'A1B2C3' });
  });

  it.each([
    ['bits that name no AI', 'https://id.gs1.org/____', 'DIGITAL_LINK_INVALID'],
    ['a GTIN whose check digit is wrong', compressDigitalLink('https://id.gs1.org/01/00312345678906/21/A1').replace('DACRcoGod', 'DACRcoGoe'), 'CHECK_DIGIT'],
    ['data that ends early', 'https://id.gs1.org/DACRco', 'DIGITAL_LINK_INVALID'],
    // Found by the scan fuzz: a lone "%" in the readable key or the query was a URIError.
    ['a readable key with a lone %', 'https://id.gs1.org/01/%/00A0', 'DIGITAL_LINK_INVALID'],
    ['a query value with a lone %', 'https://id.gs1.org/DACRcoGodI1DZYY?17=%', 'DIGITAL_LINK_INVALID'],
  ])('refuses %s with a typed error', (_what, uri, code) => {
    expect(() => decompressDigitalLink(uri)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ['https://id.gs1.org/DACRcoGodI1DZYY', true],
    ['https://id.gs1.org/01/00312345678906/21/A1B2C3', false],
    ['https://id.gs1.org/01/00312345678906/DACRcoGod', true],
    ['https://example.com/', false],
  ])('tells whether %s may be compressed', (uri, yes) => expect(isCompressedDigitalLink(uri)).toBe(yes));

  it('round-trips any GTIN, lot, serial and expiry (fast-check)', () => {
    const cset82 = fc.stringMatching(/^[A-Za-z0-9!"%&'()*+,\-./:;<=>?_]{1,20}$/);
    fc.assert(fc.property(fc.stringMatching(/^\d{13}$/), cset82, cset82, fc.integer({ min: 0, max: 99 }), (body, lot, serial, yy) => {
      const gtin = withCheckDigit(body);
      const plain = `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lot)}/21/${encodeURIComponent(serial)}?17=${String(yy).padStart(2, '0')}1231`;
      const d = decompressDigitalLink(compressDigitalLink(plain));
      expect(d.ais).toEqual(parseDigitalLink(plain).ais);
    }), { numRuns: 300 });
  });
});
