import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ledgerFor } from '../support/ledger';
import { Postgres, ROOT, runId, Service } from './support';

/**
 * Kills the manufacturer service (SIGKILL: no shutdown hook) at random moments while the ledger is
 * under load, restarts it each time, and then shows that `readmodel reconcile` finds no difference
 * and that no event was projected twice.
 */
const GTIN = '00312345678906';
const run = promisify(execFile);

let pg: Postgres;
let service: Service;
const ledger = ledgerFor('manufacturer');

beforeAll(async () => {
  pg = await Postgres.start('e2e-crash', 5408 + (Number(process.env.PEDIGREE_PORT_OFFSET ?? 0) % 1000));
  service = new Service('manufacturer', pg.databaseUrl(`crash_${runId}`), 5011);
  await service.start();
  await ledger.submit('RegisterProduct', [JSON.stringify({ eventId: `crash-product-${runId}`, ndc: '12345-678-90', name: 'Amoxicillin 500 mg capsules', strength: '500 mg', dosageForm: 'capsule', packSize: '30 capsules' })], { contract: 'masterdata' });
}, 120_000);

afterAll(async () => {
  await service?.kill('SIGTERM');
  ledger.close();
  await pg?.stop();
});

it('a projector killed at random points under load loses and doubles nothing', async () => {
  const batches = 150;
  const perBatch = 10;
  let submitted = 0;
  // Load: batches of commissions straight to the ledger, four in flight, while the service dies and restarts.
  const load = (async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < batches) {
        const b = next++;
        const serials = Array.from({ length: perBatch }, (_, i) => `K${runId}${b}x${i}`.slice(0, 20));
        await ledger.submit('Commission', [JSON.stringify({ eventId: `crash-${runId}-${b}`, gtin: GTIN, lot: `K${runId}`.slice(0, 20), expiry: '2030-06-30', serials })], { contract: 'traceability' });
        submitted++;
      }
    }));
  })();
  let kills = 0;
  while (submitted < batches) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    await service.kill('SIGKILL');
    kills++;
    await service.start();
  }
  await load;
  process.stderr.write(`[crash] ${kills} SIGKILLs during ${batches} committed batches\n`);
  expect(kills).toBeGreaterThanOrEqual(2);

  // Let the restarted projector catch up: every committed batch is in the read model exactly once.
  const db = `crash_${runId}`;
  const lot = `K${runId}`.slice(0, 20);
  let packs = 0;
  for (let i = 0; i < 100 && packs < batches * perBatch; i++) {
    packs = Number((await pg.query<{ n: string }>(db, `SELECT count(*) AS n FROM packs WHERE lot = $1`, [lot]))[0].n);
    if (packs < batches * perBatch) await new Promise((r) => setTimeout(r, 300));
  }
  expect(packs).toBe(batches * perBatch);
  const history = await pg.query<{ n: string; distinct: string }>(db, `SELECT count(*) AS n, count(DISTINCT subject) AS distinct FROM trace_events WHERE lot = $1 AND step = 'commission'`, [lot]);
  expect(Number(history[0].n)).toBe(batches * perBatch);
  expect(Number(history[0].distinct)).toBe(batches * perBatch);

  await service.kill('SIGTERM');
  const cli = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
  const { stdout } = await run(process.execPath, [cli, 'reconcile', '--role', 'manufacturer'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: pg.databaseUrl(db) } });
  const summary = JSON.parse(stdout.trim().split('\n').pop() as string);
  expect(summary).toMatchObject({ role: 'manufacturer', differences: 0 });
  expect(summary.packs).toBeGreaterThanOrEqual(batches * perBatch);
}, 300_000);
