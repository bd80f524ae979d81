import fc from 'fast-check';
import { sgtinToEpcUrn, ssccToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { parseEpcFormat, withEpcFormat } from './epc-format';

const GTIN = '00312345678906';
const pack = sgtinToEpcUrn(GTIN, 'A1');
const box = ssccToEpcUrn(withCheckDigit('00312345000000011'));
const event = { type: 'AggregationEvent', parentID: box, childEPCs: [pack], childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0312345.067890.L1', quantity: 2 }], readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' } };

describe('GS1-EPC-Format', () => {
  it.each([
    [undefined, 'No_Preference'], ['', 'No_Preference'], ['Always_GS1_Digital_Link', 'Always_GS1_Digital_Link'], ['always_epc_urn', 'Always_EPC_URN'],
  ])('reads %j as %s', (header, format) => expect(parseEpcFormat(header)).toBe(format));

  it('refuses a value the standard does not define', () => {
    expect(() => parseEpcFormat('Sometimes')).toThrow(expect.objectContaining({ code: 'EPCIS_QUERY_INVALID' }));
  });

  it('spells every EPC field as a Digital Link, and back as the recorded URNs; vocabulary stays', () => {
    const dl = withEpcFormat(event, 'Always_GS1_Digital_Link');
    expect(dl).toMatchObject({ parentID: `https://id.gs1.org/00/${withCheckDigit('00312345000000011')}`, childEPCs: [`https://id.gs1.org/01/${GTIN}/21/A1`], childQuantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN}/10/L1` }], readPoint: event.readPoint });
    expect(withEpcFormat(dl, 'Always_EPC_URN')).toEqual(event);
    expect(withEpcFormat(event, 'No_Preference')).toBe(event);
  });

  it('round-trips any serial through a Digital Link and back (fast-check)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), (serial) => {
      const e = { type: 'ObjectEvent', epcList: [sgtinToEpcUrn(GTIN, serial)] };
      expect(withEpcFormat(withEpcFormat(e, 'Always_GS1_Digital_Link'), 'Always_EPC_URN')).toEqual(e);
    }));
  });
});
