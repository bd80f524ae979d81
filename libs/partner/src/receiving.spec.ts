import { GS, sgtinToEpcUrn } from '@pedigree/domain';
import { scannedPackOf, shipmentIdOf } from './receiving';

describe('receiving inspection helpers', () => {
  const GTIN = '00312345678906';
  it.each([
    ['an EPC URN carries no lot or expiry', sgtinToEpcUrn(GTIN, 'S1'), { id: sgtinToEpcUrn(GTIN, 'S1') }],
    ['a scan keeps the lot and expiry of its barcode', `]d201${GTIN}17301231${'10'}L7${GS}21S1`, { id: sgtinToEpcUrn(GTIN, 'S1'), lot: 'L7', expiry: '2030-12-31' }],
  ])('%s', (_name, input, expected) => {
    expect(scannedPackOf(input)).toEqual(expected);
  });

  it.each([
    [['urn:epcglobal:cbv:bt:0312345000006:ship-1'], 'ship-1'],
    [['urn:epcglobal:cbv:bt:0312345000006:a:b'], 'a:b'],
    [['urn:epcglobal:cbv:bt:po:1'], undefined],
    [undefined, undefined],
  ])('the shipment ID of %j is %s', (bts, id) => {
    expect(shipmentIdOf(bts)).toBe(id);
  });
});
