import { DataSource } from 'typeorm';
import { sgtinToEpcUrn, verifyProductIdentifier, type PackRecord, type TraceabilityEvent } from '@pedigree/domain';
import type { CommittedEvent, Ledger } from '@pedigree/ledger';
import {
  ensureDatabase, PACK_LOT_COLUMNS, PACK_LOT_JOIN, packRecordOfRow, PayloadMismatch, ReadModelProjector, readModelDataSourceOptions,
} from '@pedigree/readmodel';
import { Postgres, runId } from '../services/support';

/**
 * The projection SQL against a real Postgres (embedded, this file's own server and database): what
 * each kind of event writes, what the block overrides in the payload, a forged actor refused, the
 * lot-level recall and expiry extension applied to packs projected before and after them (a
 * 100,000-pack lot in one statement), and the projection log that shows a double application.
 * Events are handed to the projector's `apply` as the listener hands them over after reading them
 * from a block; the listener itself is tested against the real network (test/ledger, test/services).
 */
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const GTIN = '00312345678906';
const MANUFACTURER = 'ManufacturerMSP';
const DISTRIBUTOR = 'DistributorMSP';

let pg: Postgres;
let dataSource: DataSource;
let projector: ReadModelProjector;
const mismatches: PayloadMismatch[] = [];
let block = 100n;
let txCounter = 0;

beforeAll(async () => {
  pg = await Postgres.start('readmodel-projection', 5431 + OFFSET);
  const url = pg.databaseUrl(`projection_${runId}`);
  await ensureDatabase(url);
  dataSource = new DataSource(readModelDataSourceOptions(url, { extra: { max: 4 } }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  // apply() never touches the ledger: only start() (the listener) does.
  projector = new ReadModelProjector(dataSource, {} as Ledger, 'test');
  projector.events.on('mismatch', (m: PayloadMismatch) => mismatches.push(m));
}, 120_000);

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await pg?.stop();
});

function pack(serial: string, lot: string, extra: Partial<PackRecord> = {}): PackRecord {
  return {
    docType: 'pack', id: sgtinToEpcUrn(GTIN, serial), gtin: GTIN, serial, lot, expiry: '2030-06-30', manufacturer: MANUFACTURER, owner: MANUFACTURER,
    custodian: MANUFACTURER, owners: [MANUFACTURER], status: 'commissioned', receipts: 0, commissionedAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z', version: 1, ...extra,
  };
}

interface Committed {
  readonly event: CommittedEvent;
  readonly payload: TraceabilityEvent;
}

/** An event as the listener hands it over: the block's transaction ID, signer and time, and the chaincode's payload. */
function committed(type: TraceabilityEvent['type'], records: PackRecord[], options: { lot?: TraceabilityEvent['lot']; creator?: string; payload?: Partial<TraceabilityEvent> } = {}): Committed {
  const transactionId = `tx-${runId}-${++txCounter}`;
  const creator = options.creator ?? MANUFACTURER;
  const timestamp = new Date(Date.UTC(2026, 11, 1, 9, 0, txCounter)).toISOString();
  const payload: TraceabilityEvent = {
    schema: 'pedigree.traceability', version: 1, type, eventId: `ev-${transactionId}`, txId: transactionId, txTime: timestamp, actor: creator,
    records, epcis: [], ...(options.lot ? { lot: options.lot } : {}), ...options.payload,
  };
  block++;
  return {
    payload,
    event: { blockNumber: block, transactionId, creatorMspId: creator, validationCode: 0, timestamp, eventName: type, payload: Buffer.from(JSON.stringify(payload)) },
  };
}

async function apply(c: Committed): Promise<void> {
  await projector.apply(c.event, { blockNumber: c.event.blockNumber, transactionId: c.event.transactionId });
}

async function row(serial: string): Promise<{ status: string; overlays: string[]; expiryExtendedTo: string | null; custodian: string; transactionId: string; blockNumber: string } | undefined> {
  const [r] = await dataSource.query(
    `SELECT status, overlays, to_char("expiryExtendedTo", 'YYYY-MM-DD') AS "expiryExtendedTo", custodian, "transactionId", "blockNumber"::text AS "blockNumber" FROM packs WHERE gtin = $1 AND serial = $2`,
    [GTIN, serial]);
  return r;
}

const lotName = (n: string) => `${n}${runId}`.slice(0, 20);

/** A pack as every read of the partner API gets it (PackReads uses the same join and function). */
async function readPack(serial: string): Promise<PackRecord | undefined> {
  const [r] = await dataSource.query(`SELECT p.record, ${PACK_LOT_COLUMNS} FROM packs p ${PACK_LOT_JOIN} WHERE p.gtin = $1 AND p.serial = $2`, [GTIN, serial]);
  return r ? packRecordOfRow(r) : undefined;
}

/** Sellable stock by lot, by the rule of PackReads.inventory (no overlay, within the possibly extended expiry). */
async function sellableByLot(): Promise<Map<string, number>> {
  const rows: Array<{ lot: string; n: number }> = await dataSource.query(
    `SELECT lot, count(*)::int AS n FROM packs WHERE gtin = $1 AND status IN ('commissioned', 'packed', 'received') AND cardinality(overlays) = 0
       AND coalesce("expiryExtendedTo", expiry) >= current_date GROUP BY lot`, [GTIN]);
  return new Map(rows.map((r) => [r.lot, r.n]));
}

describe('projection of one event', () => {
  it('writes the pack rows, the history and one projection-log row, with the block\'s transaction ID, signer and time', async () => {
    const lot = lotName('C');
    const c = committed('commission', [pack(`c1${runId}`, lot), pack(`c2${runId}`, lot)]);
    await apply(c);
    expect(await row(`c1${runId}`)).toMatchObject({ status: 'commissioned', overlays: [], custodian: MANUFACTURER, transactionId: c.event.transactionId, blockNumber: String(c.event.blockNumber) });
    const history = await dataSource.query(`SELECT actor, "transactionId", "occurredAt" FROM trace_events WHERE lot = $1`, [lot]);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ actor: MANUFACTURER, transactionId: c.event.transactionId });
    const log = await dataSource.query(`SELECT "transactionId", "creatorMspId", "eventType", outcome FROM projected_transactions WHERE "transactionId" = $1`, [c.event.transactionId]);
    expect(log).toEqual([{ transactionId: c.event.transactionId, creatorMspId: MANUFACTURER, eventType: 'commission', outcome: 'projected' }]);
    const [checkpoint] = await dataSource.query(`SELECT "blockNumber"::text AS b, "transactionId" FROM projector_checkpoint WHERE projector = 'test'`);
    expect(checkpoint).toEqual({ b: String(c.event.blockNumber), transactionId: c.event.transactionId });
  });

  it('a payload claiming another transaction ID is projected under the block\'s, and the mismatch reported', async () => {
    const lot = lotName('T');
    const c = committed('commission', [pack(`t1${runId}`, lot)], { payload: { txId: 'claimed-by-the-payload' } });
    await apply(c);
    expect((await row(`t1${runId}`))?.transactionId).toBe(c.event.transactionId);
    const [h] = await dataSource.query(`SELECT "transactionId" FROM trace_events WHERE lot = $1`, [lot]);
    expect(h.transactionId).toBe(c.event.transactionId);
    expect(mismatches).toContainEqual(expect.objectContaining({ field: 'txId', inPayload: 'claimed-by-the-payload', inBlock: c.event.transactionId, action: 'block-wins' }));
  });

  it('an event whose actor is not the transaction\'s signer is refused as a forgery: nothing projected, the refusal logged, the checkpoint moved on', async () => {
    const lot = lotName('F');
    // Signed by the distributor, claiming the manufacturer commissioned it.
    const c = committed('commission', [pack(`f1${runId}`, lot)], { creator: DISTRIBUTOR, payload: { actor: MANUFACTURER } });
    await apply(c);
    expect(await row(`f1${runId}`)).toBeUndefined();
    expect(await dataSource.query(`SELECT 1 FROM trace_events WHERE lot = $1`, [lot])).toHaveLength(0);
    const log = await dataSource.query(`SELECT outcome, reason, "creatorMspId" FROM projected_transactions WHERE "transactionId" = $1`, [c.event.transactionId]);
    expect(log).toEqual([{ outcome: 'refused', reason: 'forged-actor', creatorMspId: DISTRIBUTOR }]);
    expect(mismatches).toContainEqual(expect.objectContaining({ field: 'actor', inPayload: MANUFACTURER, inBlock: DISTRIBUTOR, action: 'refused', transactionId: c.event.transactionId }));
    const [checkpoint] = await dataSource.query(`SELECT "transactionId" FROM projector_checkpoint WHERE projector = 'test'`);
    expect(checkpoint.transactionId).toBe(c.event.transactionId);
  });

  it('a second application of one transaction leaves the rows as they were but shows in the projection log', async () => {
    const lot = lotName('D');
    const c = committed('commission', [pack(`d1${runId}`, lot)]);
    await apply(c);
    await apply(c);
    // Upserts and ON CONFLICT DO NOTHING hide the double in the rows …
    expect(await dataSource.query(`SELECT 1 FROM trace_events WHERE lot = $1`, [lot])).toHaveLength(1);
    // … the projection log does not: this is what the exactly-once checks count.
    const [n] = await dataSource.query(`SELECT count(*)::int AS n FROM projected_transactions WHERE "transactionId" = $1`, [c.event.transactionId]);
    expect(n.n).toBe(2);
  });
});

describe('lot-level recall and expiry extension', () => {
  it('a lot recall marks every pack of the lot projected before it, and any pack projected after it; reads and verification see it', async () => {
    const lot = lotName('R');
    const other = lotName('S');
    await apply(committed('commission', [pack(`r1${runId}`, lot), pack(`r2${runId}`, lot), pack(`s1${runId}`, other)]));
    await apply(committed('ship', [pack(`r2${runId}`, lot, { status: 'shipped', custodian: DISTRIBUTOR, version: 2 })]));
    const recall = committed('recall', [], { lot: { gtin: GTIN, lot, recallId: 'RC-1' } });
    await apply(recall);

    expect(await row(`r1${runId}`)).toMatchObject({ overlays: ['recalled'] });
    expect(await row(`r2${runId}`)).toMatchObject({ overlays: ['recalled'], status: 'shipped' });
    expect(await row(`s1${runId}`)).toMatchObject({ overlays: [] });
    const [l] = await dataSource.query(`SELECT "recallId", "transactionId", "blockNumber"::text AS b FROM lots WHERE gtin = $1 AND lot = $2`, [GTIN, lot]);
    expect(l).toEqual({ recallId: 'RC-1', transactionId: recall.event.transactionId, b: String(recall.event.blockNumber) });

    // Commissioned into the lot after the recall (the pack's own record does not say so).
    await apply(committed('commission', [pack(`r3${runId}`, lot)]));
    expect(await row(`r3${runId}`)).toMatchObject({ overlays: ['recalled'] });
    // Changed after the recall: still recalled.
    await apply(committed('receive', [pack(`r2${runId}`, lot, { status: 'received', custodian: DISTRIBUTOR, version: 3 })], { creator: DISTRIBUTOR }));
    expect(await row(`r2${runId}`)).toMatchObject({ overlays: ['recalled'], status: 'received' });

    // Reads: the pack as its lot makes it, so verification answers "Recalled" — for a pack written
    // before the recall (its record has no recall) as for one written after.
    for (const serial of [`r1${runId}`, `r3${runId}`]) {
      const found = await readPack(serial);
      expect(found?.recall).toEqual({ recallId: 'RC-1', since: recall.event.timestamp });
      expect(verifyProductIdentifier(found, { gtin: GTIN, serial }, new Date().toISOString())).toMatchObject({ verified: true, additionalInfo: 'Recalled' });
    }
    expect((await readPack(`s1${runId}`))?.recall).toBeUndefined();
    const [filtered] = await dataSource.query(`SELECT count(*)::int AS n FROM packs WHERE lot = $1 AND 'recalled' = ANY(overlays)`, [lot]);
    expect(filtered.n).toBe(3);
    // Nothing of the lot is sellable stock any more; the other lot still is.
    const stock = await sellableByLot();
    expect(stock.has(lot)).toBe(false);
    expect(stock.get(other)).toBe(1);
    // The lot trace shows the recall itself.
    const trace = await dataSource.query(`SELECT step FROM trace_events WHERE gtin = $1 AND lot = $2 ORDER BY seq`, [GTIN, lot]);
    expect(trace.map((t: { step: string }) => t.step)).toContain('recall');
  });

  it('a lot expiry extension applies to packs projected before and after it', async () => {
    const lot = lotName('E');
    await apply(committed('commission', [pack(`e1${runId}`, lot, { expiry: '2026-01-31' })]));
    await apply(committed('extendExpiry', [], { lot: { gtin: GTIN, lot, until: '2031-01-31' } }));
    expect(await row(`e1${runId}`)).toMatchObject({ expiryExtendedTo: '2031-01-31' });
    await apply(committed('commission', [pack(`e2${runId}`, lot, { expiry: '2026-01-31' })]));
    expect(await row(`e2${runId}`)).toMatchObject({ expiryExtendedTo: '2031-01-31' });
    expect((await readPack(`e1${runId}`))?.expiryExtendedTo).toBe('2031-01-31');
    expect((await readPack(`e2${runId}`))?.expiryExtendedTo).toBe('2031-01-31');
    // Past its printed expiry, within the extension: sellable stock.
    expect((await sellableByLot()).get(lot)).toBe(2);
  });

  it('recalls a lot of 100,000 packs already projected in one statement', async () => {
    const lot = lotName('B');
    // 100,000 pack rows of one lot, written straight in (a commission event that size is the chaincode's business).
    await dataSource.query(
      `INSERT INTO packs (id, gtin, serial, lot, expiry, status, manufacturer, owner, custodian, overlays, version, record, "blockNumber", "transactionId")
       SELECT 'urn:big:' || $2 || ':' || i, $1, $2 || 'x' || i, $2, '2030-06-30', 'commissioned', $3, $3, $3, '{}', 1,
              jsonb_build_object('docType', 'pack', 'gtin', $1::text, 'serial', $2 || 'x' || i, 'lot', $2::text), 1, 'seed'
       FROM generate_series(1, 100000) AS i`, [GTIN, lot, MANUFACTURER]);
    const started = Date.now();
    await apply(committed('recall', [], { lot: { gtin: GTIN, lot, recallId: 'RC-BIG' } }));
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`[readmodel] recall of a 100,000-pack lot projected in ${seconds.toFixed(2)} s\n`);
    const [n] = await dataSource.query(`SELECT count(*)::int AS n FROM packs WHERE lot = $1 AND 'recalled' = ANY(overlays)`, [lot]);
    expect(n.n).toBe(100_000);
    expect(seconds).toBeLessThan(60);
  }, 180_000);
});
