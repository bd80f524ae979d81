import { sgtinToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { inboundContainers, inboundPack } from './inbound';

/** A non-member's load as the receiver records it: a pallet of cases of packs, and what must add up. */
const GTIN = withCheckDigit('0036141400001');
const AT = '2026-03-01T17:00:00.000Z';
const pack = (s: string) => inboundPack({ epc: sgtinToEpcUrn(GTIN, s), lot: 'L9', expiry: '2028-06-30', seller: 'gln:0361414000008', shipmentId: 'in1' }, 'DistributorMSP', AT);
const sscc = (n: number) => `urn:epc:id:sscc:0361414.100000000${n}`;
const packs = ['1', '2', '3'].map(pack);
const [p1, p2, p3] = packs.map((p) => p.id) as [string, string, string];

describe('inboundContainers', () => {
  it('records a pallet of cases as the receiver\'s, sealed, each child with its parent', () => {
    const load = inboundContainers(packs, [{ id: sscc(1), children: [sscc(2), p3] }, { id: sscc(2), children: [p2, p1] }], 'DistributorMSP', AT, 'urn:epc:id:sgln:0345678.00000.0');
    expect(load.containers).toEqual([
      expect.objectContaining({ id: sscc(1), children: [p3, sscc(2)].sort(), sealed: true, status: 'packed', owner: 'DistributorMSP', custodian: 'DistributorMSP', receipts: 1, site: 'urn:epc:id:sgln:0345678.00000.0' }),
      expect.objectContaining({ id: sscc(2), parent: sscc(1), children: [p1, p2] }),
    ]);
    expect(load.containers[0]).not.toHaveProperty('parent');
    expect(load.packs.map((p) => p.parent)).toEqual([sscc(2), sscc(2), sscc(1)]);
  });

  it('leaves a load without containers as it is', () => {
    expect(inboundContainers(packs, [], 'DistributorMSP', AT)).toEqual({ packs, containers: [] });
  });

  it.each([
    ['a child outside the load', [{ id: sscc(1), children: [sgtinToEpcUrn(GTIN, '9')] }], /not in the load/],
    ['a pack in two cases', [{ id: sscc(1), children: [p1] }, { id: sscc(2), children: [p1] }], /in two containers/],
    ['two cases inside each other', [{ id: sscc(1), children: [sscc(2)] }, { id: sscc(2), children: [sscc(1)] }], /inside itself/],
    ['a case listed twice', [{ id: sscc(1), children: [p1] }, { id: sscc(1), children: [p2] }], /listed twice/],
    ['an empty case', [{ id: sscc(1), children: [] }], /holds nothing/],
    ['a pack where a case is expected', [{ id: p1, children: [p2] }], /not a container/],
  ])('refuses %s (COMMAND_INVALID naming it)', (_what, containers, message) => {
    expect(() => inboundContainers(packs, containers, 'DistributorMSP', AT)).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID', message: expect.stringMatching(message) }));
  });
});
