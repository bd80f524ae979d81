import { DomainError } from '../errors';
import { parseSite, receivingSite } from './sites';

const pharmacy = { mspId: 'DispenserMSP', glns: ['0356789000008', '0312347000019'] };
const refusedWith = (code: string) => expect.objectContaining({ constructor: DomainError, code });

describe('a receipt names one of the receiver\'s sites', () => {
  it.each([
    ['no site: the first admitted one', undefined, undefined, 'urn:epc:id:sgln:0356789.00000.0'],
    ['a GLN of its own', '0312347000019', undefined, 'urn:epc:id:sgln:0312347.00001.0'],
    ['an SGLN of its own with an extension (a fridge)', 'urn:epc:id:sgln:0356789.00000.FRIDGE1', undefined, 'urn:epc:id:sgln:0356789.00000.FRIDGE1'],
    ['no site, an inbound document addressed to its second GLN', undefined, '0312347000019', 'urn:epc:id:sgln:0312347.00001.0'],
    ['no site, shipped to its fridge', undefined, 'urn:epc:id:sgln:0356789.00000.FRIDGE1', 'urn:epc:id:sgln:0356789.00000.FRIDGE1'],
    ['no site, shipped to a site that is not its own: its first', undefined, '0345678000007', 'urn:epc:id:sgln:0356789.00000.0'],
    ['no site, a ship-to that is no site at all: its first', undefined, 'dock 4', 'urn:epc:id:sgln:0356789.00000.0'],
    ['the site asked for wins over the ship-to', '0312347000019', 'urn:epc:id:sgln:0356789.00000.FRIDGE1', 'urn:epc:id:sgln:0312347.00001.0'],
  ])('%s', (_, site, fallback, sgln) => {
    expect(receivingSite(pharmacy, site, fallback)).toBe(sgln);
  });

  it.each([
    ['another organisation\'s GLN', '0345678000007', 'SITE_NOT_HELD'],
    ['another organisation\'s SGLN', 'urn:epc:id:sgln:0345678.00000.0', 'SITE_NOT_HELD'],
    ['a GLN with a wrong check digit', '0356789000009', 'CHECK_DIGIT'],
    ['an SGTIN, not a site', 'urn:epc:id:sgtin:0356789.012345.1', 'EPC_URN_INVALID'],
    ['free text', 'back room', 'EPC_URN_INVALID'],
  ])('%s is refused', (_, site, code) => {
    expect(() => receivingSite(pharmacy, site)).toThrow(refusedWith(code));
  });

  it('a partner without sites cannot receive at one', () => {
    expect(() => receivingSite({ mspId: 'X', glns: [] })).toThrow(refusedWith('SITE_NOT_HELD'));
  });

  it('parseSite gives the GLN of an SGLN', () => {
    expect(parseSite('urn:epc:id:sgln:0312347.00001.0')).toEqual({ sgln: 'urn:epc:id:sgln:0312347.00001.0', gln: '0312347000019' });
  });
});
