import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { sgtinToEpcUrn } from '@pedigree/domain';
import { ledgerFor } from '../support/ledger';
import { key, Postgres, ROOT, runId, Service } from './support';

/**
 * The manufacturer's projector against the real ledger:
 * - killed (SIGKILL: no shutdown hook) at random moments while the ledger is under load and
 *   restarted each time: the reconciler then finds no difference, and the projection log holds
 *   every committed transaction exactly once (a double would show there, not hidden by upserts);
 * - stuck on an event it cannot apply: /health and /metrics say so, naming the event, and once the
 *   cause is gone it continues from the same checkpoint, skipping nothing;
 * - its rows tampered with behind its back (a column, the overlays, the custodian, a deleted row,
 *   an extra row): the reconciler reports each.
 */
const GTIN = '00312345678906';
const run = promisify(execFile);
// Ports shifted by the whole offset: a private copy of the system must not meet another's test ports.
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const DB = `crash_${runId}`;
const CLI = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
/** Short backoff cap, so the stall test sees the projector resume within seconds of the fix. */
const SERVICE_ENV = { PEDIGREE_PROJECTOR_MAX_RETRY_MS: '2000' };

let pg: Postgres;
let service: Service;
const ledger = ledgerFor('manufacturer');
const LOT = `K${runId}`.slice(0, 20);

beforeAll(async () => {
  pg = await Postgres.start('e2e-crash', 5408 + OFFSET);
  service = new Service('manufacturer', pg.databaseUrl(DB), 5011 + OFFSET);
  await service.start(SERVICE_ENV);
  await ledger.submit('RegisterProduct', [JSON.stringify({ eventId: `crash-product-${runId}`, ndc: '12345-678-90', name: 'Amoxicillin 500 mg capsules', strength: '500 mg', dosageForm: 'capsule', packSize: '30 capsules' })], { contract: 'masterdata' });
}, 400_000);

afterAll(async () => {
  await service?.kill('SIGTERM');
  ledger.close();
  await pg?.stop();
});

/** The transaction that recorded a write: the chaincode's WriteResult (the original one for a duplicate). */
function recordedBy(payload: Uint8Array): string {
  return (JSON.parse(Buffer.from(payload).toString('utf8')) as { txId: string }).txId;
}

async function commission(eventId: string, serials: string[], lot = LOT): Promise<string> {
  const r = await ledger.submit('Commission', [JSON.stringify({ eventId, gtin: GTIN, lot, expiry: '2030-06-30', serials })], { contract: 'traceability' });
  return recordedBy(r.payload);
}

async function reconcileReport(): Promise<{ code: number; differences: Array<{ id: string; kind: string; problem: string; fields?: string[]; columns?: string[] }>; summary: Record<string, unknown> }> {
  const r = await run(process.execPath, [CLI, 'reconcile', '--role', 'manufacturer', '--org', 'ManufacturerMSP'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: pg.databaseUrl(DB) } })
    .then((x) => ({ code: 0, out: x.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, summary: lines[lines.length - 1], differences: lines.slice(0, -1) as never };
}

async function health(): Promise<{ status: number; body: { checks: { projector: { healthy: boolean; detail: { stalled: null | { reason: string; attempts: number; event: { blockNumber: string; transactionId: string } } } } } } }> {
  // The detail of each check is for the service's own users (strangers get a reason code).
  const res = await fetch(`${service.url}/health`, { headers: { 'x-api-key': key('manufacturer', 'auditor') } });
  return { status: res.status, body: await res.json() as never };
}

async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`, { headers: { 'x-api-key': key('manufacturer', 'auditor') } })).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

it('a projector killed at random points under load loses and doubles nothing', async () => {
  const batches = 150;
  const perBatch = 10;
  let submitted = 0;
  const recorded: string[] = [];
  // Load: batches of commissions straight to the ledger, four in flight, while the service dies and restarts.
  const load = (async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < batches) {
        const b = next++;
        const serials = Array.from({ length: perBatch }, (_, i) => `K${runId}${b}x${i}`.slice(0, 20));
        recorded.push(await commission(`crash-${runId}-${b}`, serials));
        submitted++;
      }
    }));
  })();
  let kills = 0;
  while (submitted < batches) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    await service.kill('SIGKILL');
    kills++;
    await service.start(SERVICE_ENV, { caughtUp: false });
  }
  await load;
  process.stderr.write(`[crash] ${kills} SIGKILLs during ${batches} committed batches\n`);
  expect(kills).toBeGreaterThanOrEqual(2);

  // Let the restarted projector catch up: every committed batch is in the read model exactly once.
  let packs = 0;
  for (let i = 0; i < 100 && packs < batches * perBatch; i++) {
    packs = Number((await pg.query<{ n: string }>(DB, `SELECT count(*) AS n FROM packs WHERE lot = $1`, [LOT]))[0].n);
    if (packs < batches * perBatch) await new Promise((r) => setTimeout(r, 300));
  }
  expect(packs).toBe(batches * perBatch);
  const history = await pg.query<{ n: string; distinct: string }>(DB, `SELECT count(*) AS n, count(DISTINCT subject) AS distinct FROM trace_events WHERE lot = $1 AND step = 'commission'`, [LOT]);
  expect(Number(history[0].n)).toBe(batches * perBatch);
  expect(Number(history[0].distinct)).toBe(batches * perBatch);
  // Exactly once, counted where a double cannot hide: one projection-log row per committed transaction.
  expect(new Set(recorded).size).toBe(batches);
  const log = await pg.query<{ transactionId: string; n: number }>(DB,
    `SELECT "transactionId", count(*)::int AS n FROM projected_transactions WHERE "transactionId" = ANY($1) GROUP BY "transactionId"`, [recorded]);
  expect(log.length).toBe(batches);
  expect(log.filter((r) => r.n !== 1)).toEqual([]);

  await service.kill('SIGTERM');
  const { summary } = await reconcileReport();
  expect(summary).toMatchObject({ role: 'manufacturer', differences: 0 });
  expect(summary.packs).toBeGreaterThanOrEqual(batches * perBatch);
}, 300_000);

it('an event the projector cannot apply turns /health unhealthy naming it, alerts by metric, and is applied from the same checkpoint once the cause is fixed', async () => {
  await service.start(SERVICE_ENV);
  const serial = `Q${runId}`.slice(0, 20);
  // A row squatting the serial under another key (what a second key for one GTIN+serial leads to):
  // the projector's insert of the real pack breaks the unique index on (gtin, serial).
  await pg.query(DB, `INSERT INTO packs (id, gtin, serial, lot, expiry, status, manufacturer, owner, custodian, version, record, "blockNumber", "transactionId")
    VALUES ($1, $2, $3, 'X', '2030-06-30', 'commissioned', 'X', 'X', 'X', 1, '{}', 0, 'squatter')`, [`urn:squatter:${runId}`, GTIN, serial]);
  const stuckTx = await commission(`stall-${runId}`, [serial]);
  const after = await commission(`stall-after-${runId}`, [`${serial}b`.slice(0, 20)]);

  const stuck = await until('unhealthy projector', health, (h) => h.status === 503 && h.body.checks.projector.detail.stalled !== null);
  expect(stuck.body.checks.projector.healthy).toBe(false);
  expect(stuck.body.checks.projector.detail.stalled).toMatchObject({ event: { transactionId: stuckTx }, reason: expect.stringMatching(/duplicate key|unique/i) });
  expect(await until('stall metric', () => metric('pedigree_projector_stalled'), (v) => v === 1)).toBe(1);
  expect(await metric('pedigree_projector_failures_total{kind="event-not-applied"}')).toBeGreaterThanOrEqual(1);
  // It keeps trying (the attempts grow) and skips nothing: neither the stuck event nor the one after it is in.
  await until('retries', health, (h) => (h.body.checks.projector.detail.stalled?.attempts ?? 0) >= 3);
  const [cp] = await pg.query<{ transactionId: string }>(DB, `SELECT "transactionId" FROM projector_checkpoint`);
  expect([stuckTx, after]).not.toContain(cp.transactionId);
  expect(await pg.query(DB, `SELECT 1 FROM projected_transactions WHERE "transactionId" = ANY($1)`, [[stuckTx, after]])).toEqual([]);

  // The cause goes away: the projector goes on from the same checkpoint, the stuck event first.
  await pg.query(DB, `DELETE FROM packs WHERE id = $1`, [`urn:squatter:${runId}`]);
  await until('healthy again', health, (h) => h.status === 200);
  expect(await metric('pedigree_projector_stalled')).toBe(0);
  const log = await until('both projected', () => pg.query<{ transactionId: string }>(DB,
    `SELECT "transactionId" FROM projected_transactions WHERE "transactionId" = ANY($1) ORDER BY seq`, [[stuckTx, after]]), (r) => r.length === 2);
  expect(log.map((r) => r.transactionId)).toEqual([stuckTx, after]);
  const [p] = await pg.query<{ id: string }>(DB, `SELECT id FROM packs WHERE gtin = $1 AND serial = $2`, [GTIN, serial]);
  expect(p.id).toBe(sgtinToEpcUrn(GTIN, serial));
}, 600_000);

it('the reconciler reports a tampered status column, overlays, custodian, a deleted row and an extra row, each', async () => {
  await service.kill('SIGTERM');
  const clean = await reconcileReport();
  expect(clean.summary).toMatchObject({ differences: 0 });

  const [a, b, c, d] = await pg.query<{ id: string }>(DB, `SELECT id FROM packs WHERE lot = $1 ORDER BY id LIMIT 4`, [LOT]);
  const extraSerial = `Z${runId}`.slice(0, 20);
  const extra = sgtinToEpcUrn(GTIN, extraSerial);
  // Columns only: the record JSON stays intact, which is all the reconciler used to compare.
  await pg.query(DB, `UPDATE packs SET status = 'dispensed' WHERE id = $1`, [a.id]);
  await pg.query(DB, `UPDATE packs SET overlays = '{}' || ARRAY['quarantined'] WHERE id = $1`, [b.id]);
  await pg.query(DB, `UPDATE packs SET custodian = 'DispenserMSP' WHERE id = $1`, [c.id]);
  await pg.query(DB, `DELETE FROM packs WHERE id = $1`, [d.id]);
  await pg.query(DB, `INSERT INTO packs (id, gtin, serial, lot, expiry, status, manufacturer, owner, custodian, version, record, "blockNumber", "transactionId")
    SELECT $1, gtin, $2, lot, expiry, status, manufacturer, owner, custodian, version, jsonb_set(jsonb_set(record, '{id}', to_jsonb($1::text)), '{serial}', to_jsonb($2::text)),
           "blockNumber", "transactionId" FROM packs WHERE id = $3`, [extra, extraSerial, a.id]);

  const tampered = await reconcileReport();
  expect(tampered.code).toBe(1);
  const found = (id: string) => tampered.differences.filter((x) => x.id === id).map(({ kind, problem, fields, columns }) => ({ kind, problem, fields, columns }));
  expect(found(a.id)).toEqual([{ kind: 'pack', problem: 'differs', fields: undefined, columns: ['status'] }]);
  expect(found(b.id)).toEqual([{ kind: 'pack', problem: 'differs', fields: undefined, columns: ['overlays'] }]);
  expect(found(c.id)).toEqual([{ kind: 'pack', problem: 'differs', fields: undefined, columns: ['custodian'] }]);
  expect(found(d.id)).toEqual([{ kind: 'pack', problem: 'missing-in-read-model', fields: undefined, columns: undefined }]);
  expect(found(extra)).toEqual([{ kind: 'pack', problem: 'missing-on-ledger', fields: undefined, columns: undefined }]);
  expect(tampered.differences).toHaveLength(5);
}, 600_000);
