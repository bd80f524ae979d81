import { sgtinToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { exceptionGtins, exceptionViewers } from './excursion-viewers';

const COLD = withCheckDigit('0031234571802');
const OTHER = withCheckDigit('0039876500001');
const UNREGISTERED = withCheckDigit('0030000000000');
const MAKERS: Record<string, string> = { [COLD]: 'ManufacturerMSP', [OTHER]: 'OtherMakerMSP' };
const manufacturerOf = (gtin: string) => MAKERS[gtin];
const pack = (gtin: string, serial: string) => sgtinToEpcUrn(gtin, serial);
const x = (rule: string, subjects: string[]) => ({ rule, receiver: 'DispenserMSP', seller: 'DistributorMSP', subjects }) as Parameters<typeof exceptionViewers>[0];

describe('exceptionViewers', () => {
  it.each<[string, Parameters<typeof exceptionViewers>[0], string[]]>([
    ['an excursion: receiver, seller and the manufacturer that is not the seller', x('temperature_excursion', [pack(COLD, 'A1'), pack(COLD, 'A2')]), ['DispenserMSP', 'DistributorMSP', 'ManufacturerMSP']],
    ['an excursion over two products: both manufacturers', x('temperature_excursion', [pack(COLD, 'A1'), pack(OTHER, 'B1')]), ['DispenserMSP', 'DistributorMSP', 'ManufacturerMSP', 'OtherMakerMSP']],
    ['any other exception: receiver and seller only', x('quantity_mismatch', [pack(COLD, 'A1')]), ['DispenserMSP', 'DistributorMSP']],
    ['an excursion of an unregistered product: no one more', x('temperature_excursion', [pack(UNREGISTERED, 'Z')]), ['DispenserMSP', 'DistributorMSP']],
    ['an excursion naming a container or garbage: no manufacturer from it', x('temperature_excursion', ['urn:epc:id:sscc:0312345.0000000001', 'urn:epc:id:sgtin:nonsense']), ['DispenserMSP', 'DistributorMSP']],
  ])('%s', (_, exception, viewers) => {
    expect(exceptionViewers(exception, manufacturerOf).sort()).toEqual(viewers);
  });

  it('a third organisation sees none of them', () => {
    const all = [x('temperature_excursion', [pack(COLD, 'A1')]), x('quantity_mismatch', [pack(COLD, 'A1')]), x('temperature_excursion', [pack(OTHER, 'B1')])];
    expect(all.filter((e) => exceptionViewers(e, manufacturerOf).includes('ThirdPartyMSP'))).toEqual([]);
    expect(all.filter((e) => exceptionViewers(e, manufacturerOf).includes('OtherMakerMSP')).map((e) => e.subjects)).toEqual([[pack(OTHER, 'B1')]]);
  });

  it('reads GTINs from SGTIN subjects only', () => {
    expect(exceptionGtins({ subjects: [pack(OTHER, 'B1'), pack(COLD, 'A1'), pack(COLD, 'A2'), 'urn:epc:id:sscc:0312345.0000000001'] })).toEqual([COLD, OTHER]);
  });
});
