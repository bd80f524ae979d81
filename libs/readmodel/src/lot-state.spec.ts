import type { PackRecord, TraceabilityEvent } from '@pedigree/domain';
import { LotState, withLotState } from './lot-state';
import { packColumns } from './projection';
import { payloadMismatches } from './projector';

const pack: PackRecord = {
  docType: 'pack', id: 'urn:epc:id:sgtin:0312345.067890.S1', gtin: '00312345678906', serial: 'S1', lot: 'L1', expiry: '2027-01-31',
  manufacturer: 'ManufacturerMSP', owner: 'ManufacturerMSP', custodian: 'ManufacturerMSP', owners: ['ManufacturerMSP'], status: 'commissioned',
  receipts: 0, commissionedAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', version: 1,
};
const lot = (over: Partial<LotState>): LotState => ({ gtin: pack.gtin, lot: 'L1', recallId: null, recalledAt: null, expiryExtendedTo: null, blockNumber: '10', ...over });

describe('withLotState', () => {
  it('leaves a pack of a lot with no lot-level state as it is', () => {
    expect(withLotState(pack, undefined, 5n)).toBe(pack);
  });

  it('recalls a pack whose own record predates or ignores its lot\'s recall, and keeps a pack\'s own recall', () => {
    const recalled = lot({ recallId: 'RC-1', recalledAt: '2026-12-01T10:00:00.000Z' });
    expect(withLotState(pack, recalled, 5n).recall).toEqual({ recallId: 'RC-1', since: '2026-12-01T10:00:00.000Z' });
    expect(withLotState(pack, recalled, 50n).recall).toEqual({ recallId: 'RC-1', since: '2026-12-01T10:00:00.000Z' });
    const own = { ...pack, recall: { recallId: 'RC-0', since: '2026-11-01T00:00:00.000Z' } };
    expect(withLotState(own, recalled, 5n).recall).toEqual(own.recall);
  });

  it('takes the lot\'s expiry extension unless the pack was written after it with its own', () => {
    const extended = lot({ expiryExtendedTo: '2028-01-31' });
    expect(withLotState(pack, extended, 5n).expiryExtendedTo).toBe('2028-01-31');
    expect(withLotState({ ...pack, expiryExtendedTo: '2027-06-30' }, extended, 5n).expiryExtendedTo).toBe('2028-01-31');
    expect(withLotState({ ...pack, expiryExtendedTo: '2027-06-30' }, extended, 11n).expiryExtendedTo).toBe('2027-06-30');
    expect(withLotState(pack, extended, 11n).expiryExtendedTo).toBe('2028-01-31');
  });

  it('gives the row its lot\'s overlay and extension while the stored record stays the ledger\'s', () => {
    const cols = packColumns(pack, lot({ recallId: 'RC-1', recalledAt: '2026-12-01T10:00:00.000Z', expiryExtendedTo: '2028-01-31' }), 5n);
    expect(cols).toMatchObject({ overlays: ['recalled'], expiryExtendedTo: '2028-01-31', expiry: '2027-01-31', record: pack });
  });
});

describe('payloadMismatches', () => {
  const event = { txId: 't1', actor: 'ManufacturerMSP', type: 'commission' } as TraceabilityEvent;
  const origin = { blockNumber: 7n, transactionId: 't1', creatorMspId: 'ManufacturerMSP' };

  it('finds nothing when the payload agrees with its block', () => {
    expect(payloadMismatches(event, origin)).toEqual([]);
  });

  it('lets the block\'s transaction ID win and refuses an actor who did not sign the transaction', () => {
    expect(payloadMismatches({ ...event, txId: 'other', actor: 'DistributorMSP' }, origin)).toEqual([
      { field: 'txId', blockNumber: '7', transactionId: 't1', eventType: 'commission', inPayload: 'other', inBlock: 't1', action: 'block-wins' },
      { field: 'actor', blockNumber: '7', transactionId: 't1', eventType: 'commission', inPayload: 'DistributorMSP', inBlock: 'ManufacturerMSP', action: 'refused' },
    ]);
  });
});
