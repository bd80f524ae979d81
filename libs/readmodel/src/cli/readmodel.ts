import 'reflect-metadata';
import { connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { openReadModelDatabase, PartnerRole, postgresDataDir, startEmbeddedPostgres } from '../database';
import { LedgerReads } from '../ledger-reads';
import { ReadModelProjector, wipeProjection } from '../projector';
import { reconcile } from '../reconcile';

/**
 * Read-model maintenance for one service (stop the service first for `rebuild`):
 *   rebuild   --role R --org O [--idle-ms N]  wipe the projection and re-project from block 0; done when no
 *                                     event arrived for N ms (default 3000)
 *   reconcile --role R --org O        compare every pack and container (record and columns) and every lot with the
 *                                     ledger, extra and deleted rows included; exit 1 on any difference
 *   postgres  --name N --port P       run an embedded Postgres in the foreground (tests, DATABASE_URL users)
 * R is the service (manufacturer, distributor, dispenser), O the organisation's MSP ID whose
 * connection profile reads the ledger (default PEDIGREE_ORG).
 */
const ROLES: readonly PartnerRole[] = ['manufacturer', 'distributor', 'dispenser'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function role(): PartnerRole {
  const r = arg('role') as PartnerRole | undefined;
  if (!r || !ROLES.includes(r)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  return r;
}

function ledgerFor(): ReturnType<typeof connectFabricLedger> {
  const org = arg('org') ?? process.env.PEDIGREE_ORG;
  if (!org) throw new Error('--org <MSP ID> (or PEDIGREE_ORG) names the organisation whose ledger identity reads the chain');
  return connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(org))));
}

async function rebuild(): Promise<number> {
  const r = role();
  const idleMs = Number(arg('idle-ms') ?? 3000);
  const db = await openReadModelDatabase(r);
  const ledger = ledgerFor();
  try {
    await wipeProjection(db.dataSource);
    const started = Date.now();
    let applied = 0;
    const projector = new ReadModelProjector(db.dataSource, ledger, 'ledger', (err) => process.stderr.write(`projector: ${(err as Error).message}\n`));
    projector.events.on('projected', () => applied++);
    await projector.start();
    let last = -1;
    let quietSince = Date.now();
    while (Date.now() - quietSince < idleMs) {
      await new Promise((res) => setTimeout(res, 200));
      if (applied !== last) { last = applied; quietSince = Date.now(); }
    }
    await projector.stop();
    console.log(JSON.stringify({ role: r, rebuilt: true, eventsProjected: applied, checkpoint: projector.lag().checkpointBlock, seconds: (Date.now() - started) / 1000 }));
    return 0;
  } finally {
    ledger.close();
    await db.close();
  }
}

async function runReconcile(): Promise<number> {
  const r = role();
  const db = await openReadModelDatabase(r);
  const ledger = ledgerFor();
  try {
    const report = await reconcile(db.dataSource, new LedgerReads(ledger), 16, ledger.mspId);
    for (const d of report.differences) console.log(JSON.stringify(d));
    console.log(JSON.stringify({ role: r, packs: report.packs, containers: report.containers, lots: report.lots, exceptions: report.exceptions, differences: report.differences.length }));
    return report.differences.length ? 1 : 0;
  } finally {
    ledger.close();
    await db.close();
  }
}

async function postgres(): Promise<number> {
  const name = arg('name') ?? 'shared';
  const port = Number(arg('port') ?? 5410);
  const server = await startEmbeddedPostgres(postgresDataDir(name), port);
  console.log(JSON.stringify({ ready: true, url: server.url('postgres') }));
  await new Promise<void>((resolve) => {
    process.on('SIGTERM', resolve);
    process.on('SIGINT', resolve);
  });
  await server.stop();
  return 0;
}

const commands: Record<string, () => Promise<number>> = { rebuild, reconcile: runReconcile, postgres };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: readmodel ${Object.keys(commands).join('|')} --role manufacturer|distributor|dispenser`);
  process.exit(2);
}
command().then((code) => process.exit(code), (err) => {
  console.error(`readmodel ${process.argv[2]}: ${err instanceof Error ? err.message : JSON.stringify(err) ?? String(err)}`);
  process.exit(2);
});
