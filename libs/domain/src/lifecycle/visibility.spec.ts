import type { ContainerRecord, PackRecord } from './records';
import { recordConcerns } from './visibility';

const pack = (over: Partial<PackRecord>): PackRecord => ({
  docType: 'pack', id: 'urn:epc:id:sgtin:0312345.067890.S1', gtin: '00312345678906', serial: 'S1', lot: 'L1', expiry: '2029-01-31',
  manufacturer: 'Acme', owner: 'Acme', custodian: 'Acme', owners: ['Acme'], status: 'commissioned', receipts: 0,
  commissionedAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', version: 1, ...over,
});
const container = (over: Partial<ContainerRecord>): ContainerRecord => ({
  docType: 'container', id: 'urn:epc:id:sscc:0312345.1000000001', sscc: '003123451000000001', children: [], sealed: true, status: 'packed',
  owner: 'Acme', custodian: 'Acme', receipts: 0, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', version: 1, ...over,
});
const shipped = { from: 'Acme', to: 'Wholesale', purpose: 'sale', shippedAt: '2026-01-02T00:00:00Z' } as const;

describe('recordConcerns', () => {
  it.each([
    ['the manufacturer of a pack it holds', pack({}), 'Acme', true],
    ['a competitor of the holder', pack({}), 'OtherPharmacy', false],
    ['the addressee of a pack in transit', pack({ status: 'shipped', shipment: shipped }), 'Wholesale', true],
    ['a third organisation while it is in transit', pack({ status: 'shipped', shipment: shipped }), 'MainStreet', false],
    ['an earlier owner (the ownership trail)', pack({ owner: 'MainStreet', custodian: 'MainStreet', owners: ['Acme', 'Wholesale', 'MainStreet'], status: 'dispensed' }), 'Wholesale', true],
    ['another pharmacy than the one that dispensed it', pack({ owner: 'MainStreet', custodian: 'MainStreet', owners: ['Acme', 'Wholesale', 'MainStreet'], status: 'dispensed' }), 'Riverside', false],
    ['a 3PL holding it for the owner', pack({ custodian: 'Carrier' }), 'Carrier', true],
    ['the shipper of a container', container({ status: 'shipped', shipment: shipped }), 'Acme', true],
    ['the addressee of a container', container({ status: 'shipped', shipment: shipped }), 'Wholesale', true],
    ['a stranger to a container', container({}), 'Riverside', false],
  ] as const)('%s: %s', (_case, record, org, expected) => {
    expect(recordConcerns(record, org)).toBe(expected);
  });
});
