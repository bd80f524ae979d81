import type { IdempotencyKeys } from '@pedigree/readmodel';
import { IdempotencyStore } from './idempotency';

/** The idempotency-keys port over a Map: enough to see what the store derives. */
function fakeDatabase() {
  const rows = new Map<string, { operation: string; requestHash: string; response: unknown }>();
  const keys: IdempotencyKeys = {
    claim: async (key, operation, requestHash) => !rows.has(key) && Boolean(rows.set(key, { operation, requestHash, response: null })),
    get: async (key) => rows.get(key),
    answer: async (key, response) => { const row = rows.get(key); if (row) row.response = response; },
    firstValue: async (key, value) => {
      if (!rows.has(key)) rows.set(key, { operation: 'secret', requestHash: value, response: {} });
      return rows.get(key)!.requestHash;
    },
  } as IdempotencyKeys;
  return { rows, keys };
}

describe('idempotency keys and event IDs', () => {
  const answer = async (eventId: string) => ({ eventId });

  it('derives one event ID per key, stable for this service, and answers a repeat from the store', async () => {
    const db = fakeDatabase();
    const store = new IdempotencyStore(db.keys, 'ManufacturerMSP');
    const first = await store.run('order-1', 'commissionPacks', { serials: ['A'] }, answer);
    let ran = false;
    const again = await store.run('order-1', 'commissionPacks', { serials: ['A'] }, async (e) => { ran = true; return { eventId: e }; });
    expect(again).toEqual(first);
    expect(ran).toBe(false);
    // A new store over the same read model (a restart) derives the same ID: an in-doubt retry is a duplicate.
    db.rows.delete('ManufacturerMSP:order-1');
    expect(await new IdempotencyStore(db.keys, 'ManufacturerMSP').run('order-1', 'commissionPacks', { serials: ['A'] }, answer)).toEqual(first);
  });

  it('cannot be predicted from the key: another service (another secret) derives another ID', async () => {
    const a = await new IdempotencyStore(fakeDatabase().keys, 'ManufacturerMSP').run('order-1', 'commissionPacks', {}, answer);
    const b = await new IdempotencyStore(fakeDatabase().keys, 'ManufacturerMSP').run('order-1', 'commissionPacks', {}, answer);
    expect(a.eventId).toMatch(/^commissionPacks:[0-9a-f]{32}$/);
    expect(a.eventId).not.toEqual(b.eventId);
    const { createHash } = await import('node:crypto');
    expect(a.eventId).not.toContain(createHash('sha256').update('ManufacturerMSP:order-1').digest('hex').slice(0, 32));
  });

  it('refuses a key reused for a different request, and gives unkeyed writes random IDs', async () => {
    const store = new IdempotencyStore(fakeDatabase().keys, 'DispenserMSP');
    await store.run('k', 'dispensePacks', { epcs: ['x'] }, answer);
    await expect(store.run('k', 'dispensePacks', { epcs: ['y'] }, answer)).rejects.toMatchObject({ serviceCode: 'IDEMPOTENCY_KEY_REUSED' });
    const ids = await Promise.all([1, 2, 3].map(() => store.run(undefined, 'dispensePacks', {}, answer)));
    expect(new Set(ids.map((i) => i.eventId)).size).toBe(3);
  });
});
