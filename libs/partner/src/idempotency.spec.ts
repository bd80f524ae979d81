import { IdempotencyStore } from './idempotency';

/** The four statements IdempotencyStore issues, over a Map: enough to see what it derives. */
function fakeDatabase() {
  const rows = new Map<string, { operation: string; requestHash: string; response: unknown }>();
  const query = async (sql: string, params: unknown[]): Promise<unknown[]> => {
    const [key, second, third] = params as [string, string, string];
    if (sql.startsWith('INSERT')) {
      if (rows.has(key)) return [];
      rows.set(key, sql.includes("'secret'") ? { operation: 'secret', requestHash: second, response: {} } : { operation: second, requestHash: third, response: null });
      return [{ key }];
    }
    if (sql.startsWith('SELECT "requestHash" AS secret')) return [{ secret: rows.get(key)?.requestHash }];
    if (sql.startsWith('SELECT')) return [rows.get(key)];
    if (sql.startsWith('UPDATE')) { const row = rows.get(key); if (row) row.response = params[1]; return []; }
    throw new Error(`unexpected SQL ${sql}`);
  };
  return { rows, dataSource: { query } as never };
}

describe('idempotency keys and event IDs', () => {
  const answer = async (eventId: string) => ({ eventId });

  it('derives one event ID per key, stable for this service, and answers a repeat from the store', async () => {
    const db = fakeDatabase();
    const store = new IdempotencyStore(db.dataSource, 'ManufacturerMSP');
    const first = await store.run('order-1', 'commissionPacks', { serials: ['A'] }, answer);
    let ran = false;
    const again = await store.run('order-1', 'commissionPacks', { serials: ['A'] }, async (e) => { ran = true; return { eventId: e }; });
    expect(again).toEqual(first);
    expect(ran).toBe(false);
    // A new store over the same read model (a restart) derives the same ID: an in-doubt retry is a duplicate.
    db.rows.delete('ManufacturerMSP:order-1');
    expect(await new IdempotencyStore(db.dataSource, 'ManufacturerMSP').run('order-1', 'commissionPacks', { serials: ['A'] }, answer)).toEqual(first);
  });

  it('cannot be predicted from the key: another service (another secret) derives another ID', async () => {
    const a = await new IdempotencyStore(fakeDatabase().dataSource, 'ManufacturerMSP').run('order-1', 'commissionPacks', {}, answer);
    const b = await new IdempotencyStore(fakeDatabase().dataSource, 'ManufacturerMSP').run('order-1', 'commissionPacks', {}, answer);
    expect(a.eventId).toMatch(/^commissionPacks:[0-9a-f]{32}$/);
    expect(a.eventId).not.toEqual(b.eventId);
    const { createHash } = await import('node:crypto');
    expect(a.eventId).not.toContain(createHash('sha256').update('ManufacturerMSP:order-1').digest('hex').slice(0, 32));
  });

  it('refuses a key reused for a different request, and gives unkeyed writes random IDs', async () => {
    const store = new IdempotencyStore(fakeDatabase().dataSource, 'DispenserMSP');
    await store.run('k', 'dispensePacks', { epcs: ['x'] }, answer);
    await expect(store.run('k', 'dispensePacks', { epcs: ['y'] }, answer)).rejects.toMatchObject({ serviceCode: 'IDEMPOTENCY_KEY_REUSED' });
    const ids = await Promise.all([1, 2, 3].map(() => store.run(undefined, 'dispensePacks', {}, answer)));
    expect(new Set(ids.map((i) => i.eventId)).size).toBe(3);
  });
});
