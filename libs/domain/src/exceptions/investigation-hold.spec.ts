import { openInvestigation } from './investigation';
import { holdsOfInvestigation, liftInvestigationHold, placeInvestigationHold, withInvestigationHold } from './investigation-hold';
import { packHolds, isSellableAtRest } from '../lifecycle/pack-machine';
import type { PackRecord } from '../lifecycle/records';

const AT = '2026-03-02T15:00:00.000Z';
const pack = (id: string, lot = 'L1'): PackRecord => ({
  docType: 'pack', id, gtin: '00312345678906', serial: id, lot, expiry: '2028-12-31', manufacturer: 'M', owner: 'D', custodian: 'D', owners: ['M', 'D'],
  status: 'received', receipts: 1, commissionedAt: AT, updatedAt: AT, version: 2,
});
const lotCase = openInvestigation({ id: 'i1', scope: { kind: 'lot', gtin: '00312345678906', lot: 'L1' }, summary: 's', holdings: [{ pack: 'a', holder: 'D' }] }, 'M', AT);
const packsCase = openInvestigation({ id: 'i2', scope: { kind: 'packs', packs: ['a', 'b', 'c'] }, summary: 's', holdings: ['a', 'b', 'c'].map((p) => ({ pack: p, holder: 'D' })) }, 'D', AT);
const lots: Record<string, string> = { a: 'L1', b: 'L2', c: 'L1' };

describe('investigation holds', () => {
  it('a lot scope is one hold on the whole lot; a packs scope one per lot with its packs', () => {
    expect(holdsOfInvestigation(lotCase, () => ({ gtin: 'x', lot: 'y' }))).toEqual([{ gtin: '00312345678906', lot: 'L1' }]);
    expect(holdsOfInvestigation(packsCase, (p) => ({ gtin: 'G', lot: lots[p] as string }))).toEqual([{ gtin: 'G', lot: 'L1', packs: ['a', 'c'] }, { gtin: 'G', lot: 'L2', packs: ['b'] }]);
  });

  it.each([
    ['the whole lot', undefined, 'a', true],
    ['a pack named', ['a'], 'a', true],
    ['a pack of the lot not named', ['c'], 'a', false],
  ])('holds %s', (_what, packs, id, held) => {
    const hold = placeInvestigationHold(undefined, { gtin: '00312345678906', lot: 'L1', ...(packs ? { packs } : {}) }, lotCase, AT);
    const seen = withInvestigationHold(pack(id), hold);
    expect(packHolds(seen)).toEqual(held ? ['quarantined'] : []);
    expect(isSellableAtRest(seen)).toBe(!held);
  });

  it('lifting one investigation keeps another on the same lot, and a lifted hold leaves the pack as it was', () => {
    let hold = placeInvestigationHold(undefined, { gtin: 'G', lot: 'L1' }, lotCase, AT);
    hold = placeInvestigationHold(hold, { gtin: 'G', lot: 'L1', packs: ['a'] }, packsCase, AT);
    expect(hold.version).toBe(2);
    const one = liftInvestigationHold(hold, lotCase, AT);
    expect(withInvestigationHold(pack('a'), one).investigation).toMatchObject({ id: 'i2', investigator: 'D' });
    const none = liftInvestigationHold(one, packsCase, AT);
    expect(withInvestigationHold(withInvestigationHold(pack('a'), one), none)).toEqual(pack('a'));
  });
});
