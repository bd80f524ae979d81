import type { ProductRecord } from '@pedigree/domain';
import { MasterDataContract } from './master-data.contract';
import { FakeLedger } from '../test/stub-context';
import { DIST, evaluate, found, GTIN, lastEvent, MFR, NDC, submit, type Fn } from '../test/contract-fixtures';

const masterdata = new MasterDataContract();
const register = masterdata.RegisterProduct.bind(masterdata) as Fn;
const product = { ndc: NDC, name: 'Insulin glargine 100 U/mL', strength: '100 U/mL', dosageForm: 'injection', packSize: '5 x 3 mL pens' };
const fridge = { minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 120, mktLimitCelsius: 8 } };

describe('MasterDataContract: storage conditions (cold chain)', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-03-01T10:02:00.000Z')));
  afterEach(() => jest.restoreAllMocks());

  it('registers the labelled range and budget with the product, and keeps them on an update that does not restate them', async () => {
    const ledger = new FakeLedger();
    await found(ledger);
    await submit(ledger, MFR, register, [{ eventId: 'p1', ...product, storage: fridge }]);
    // The read models project the product from the transaction's event.
    expect(lastEvent(ledger).product?.storage).toEqual(fridge);
    await submit(ledger, MFR, register, [{ eventId: 'p2', ...product, packSize: '10 x 3 mL pens' }]);
    const stored = await evaluate<ProductRecord>(ledger, DIST, masterdata.GetProduct.bind(masterdata) as Fn, GTIN);
    expect(stored).toMatchObject({ packSize: '10 x 3 mL pens', storage: fridge });
    const changed = { ...fridge, budget: { maxMinutesOutOfRange: 60 } };
    await submit(ledger, MFR, register, [{ eventId: 'p3', ...product, storage: changed }]);
    expect((await evaluate<ProductRecord>(ledger, DIST, masterdata.GetProduct.bind(masterdata) as Fn, GTIN)).storage).toEqual(changed);
  });

  it.each([
    ['an empty range', { ...fridge, minCelsius: 9 }, 'storage.maxCelsius'],
    ['a misspelt field', { ...fridge, maxCelsus: 8 }, 'storage.maxCelsus'],
    ['a negative budget', { ...fridge, budget: { maxMinutesOutOfRange: -5 } }, 'storage.budget.maxMinutesOutOfRange'],
  ])('refuses %s and writes nothing', async (_name, storage, field) => {
    const ledger = new FakeLedger();
    await found(ledger);
    await expect(submit(ledger, MFR, register, [{ eventId: 'p1', ...product, storage }])).rejects.toThrow(new RegExp(`^COMMAND_INVALID: RegisterProduct: ${field.replace(/\./g, '\\.')} `));
    await expect(evaluate(ledger, DIST, masterdata.GetProduct.bind(masterdata) as Fn, GTIN)).rejects.toThrow(/PRODUCT_UNKNOWN/);
  });
});

describe('MasterDataContract: listing', () => {
  it('an empty list is an empty page (Fabric sends no paging metadata for one)', async () => {
    const ledger = new FakeLedger();
    const listed = await evaluate<{ records: unknown[]; bookmark: string; fetched: number }>(ledger, DIST, masterdata.ListProducts.bind(masterdata) as Fn, '10', '');
    expect(listed).toEqual({ records: [], bookmark: '', fetched: 0 });
  });
});
