import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { PBS_DATA_FILE, readCsvFile } from '@pedigree/forecasting';
import { requestGraphQL } from '@pedigree/graphql-client';
import { servicePort } from '@pedigree/platform';

/**
 * Demo data for `npm start`, run after the services are healthy. Idempotent: products are
 * re-registered (an update), demo history is re-imported over itself, live packs use fixed serials
 * and event IDs, so a second run changes nothing it already did.
 *
 * 1. Registers demo products with the manufacturer service.
 * 2. Imports eight years of monthly demand per product into the forecast service, shaped like real
 *    Australian PBS prescription series of one ATC2 class each and scaled to one pharmacy (tens to
 *    hundreds of packs a month), ending last month, as source "demo-history".
 * 3. Runs a small real DSCSA flow (commission, ship, receive, dispense) so live dispenses show up.
 * 4. Retrains the forecast model and waits for it, then prints logins and URLs.
 */
/** Every member's service, as npm start lists them (PEDIGREE_WEB_SERVICES), else the first three on their ports. */
const SERVICES = JSON.parse(process.env.PEDIGREE_WEB_SERVICES ?? '[]') as Array<{ name: string; app: string; label: string; url: string }>;
const url = (service: string) => process.env[`PEDIGREE_${service.toUpperCase()}_URL`] ?? SERVICES.find((s) => s.name === service)?.url ?? `http://127.0.0.1:${servicePort(service)}`;
const KEYS = {
  manufacturer: 'demo-manufacturer-operator', manufacturerAdmin: 'demo-manufacturer-admin', distributor: 'demo-distributor-operator', distributorAdmin: 'demo-distributor-admin',
  dispenserOperator: 'demo-dispenser-operator', dispenserAdmin: 'demo-dispenser-admin', pharmacist: 'demo-dispenser-pharmacist', planner: 'demo-dispenser-planner',
};

/** One demo product per ATC2 class: its seasonality is that class's. */
const PRODUCTS = [
  { atc2: 'J01', ndc: '50090-101-01', name: 'Amoxicillin 500 mg capsules', strength: '500 mg', form: 'capsule', pack: '30 capsules', mean: 140 },
  { atc2: 'R03', ndc: '50090-102-01', name: 'Salbutamol 100 mcg inhaler', strength: '100 mcg', form: 'inhaler', pack: '200 doses', mean: 90 },
  { atc2: 'N02', ndc: '50090-103-01', name: 'Paracetamol 500 mg tablets', strength: '500 mg', form: 'tablet', pack: '100 tablets', mean: 220 },
  { atc2: 'C10', ndc: '50090-104-01', name: 'Atorvastatin 20 mg tablets', strength: '20 mg', form: 'tablet', pack: '30 tablets', mean: 60 },
];
const MONTHS = 96;

function gql<T>(service: string, apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return requestGraphQL<T>(`${url(service)}/graphql`, query, variables, { apiKey }).catch((err: Error) => { throw new Error(`${service}: ${err.message}`); });
}

function gtinOf(ndc: string): string {
  return ndcToGtin14(ndc);
}

/** The PBS class's last MONTHS months (Concessional co-payments), scaled to the product's mean and moved to end last month. */
function demoHistoryCsv(): string {
  const rows = readCsvFile(PBS_DATA_FILE);
  const header = rows[0];
  const col = (n: string) => header.indexOf(n);
  const lines = ['gtin,month,quantity'];
  const now = new Date();
  for (const p of PRODUCTS) {
    const series = rows.slice(1).filter((r) => r[col('ATC2')] === p.atc2 && r[col('Concession')] === 'Concessional' && r[col('Type')] === 'Co-payments').map((r) => Number(r[col('Scripts')]));
    const tail = series.slice(-MONTHS);
    const mean = tail.reduce((s, v) => s + v, 0) / tail.length;
    tail.forEach((v, i) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (tail.length - i), 1));
      lines.push(`${gtinOf(p.ndc)},${d.toISOString().slice(0, 7)},${Math.round((v / mean) * p.mean)}`);
    });
  }
  return lines.join('\n');
}

/** A few real packs through the ledger: fixed serials and idempotency keys keep a second run a no-op. */
async function liveFlow(): Promise<string> {
  const p = PRODUCTS[0];
  const gtin = gtinOf(p.ndc);
  const serials = [1, 2, 3, 4, 5, 6].map((n) => `DEMO${n}`);
  const epcs = serials.map((s) => sgtinToEpcUrn(gtin, s));
  const lot = 'DEMO1';
  const ti = (seller: string, buyer: string) => ({ transactionDate: new Date().toISOString().slice(0, 10), seller, buyer, products: [{ ndc: p.ndc, name: p.name, lot, quantity: epcs.length }] });
  await gql('manufacturer', KEYS.manufacturer, `mutation($s: [String!]!) { commissionPacks(gtin: "${gtin}", lot: "${lot}", expiry: "2030-12-31", serials: $s, idempotencyKey: "demo-commission") { transactionId } }`, { s: serials });
  await gql('manufacturer', KEYS.manufacturer, `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "DistributorMSP", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "demo-ship-1") { transactionId } }`, { e: epcs, ti: ti('ManufacturerMSP', 'DistributorMSP') });
  await gql('distributor', KEYS.distributor, `mutation($e: [String!]!) { receivePacks(epcs: $e, idempotencyKey: "demo-receive-1") { transactionId } }`, { e: epcs });
  await gql('distributor', KEYS.distributor, `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "DispenserMSP", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "demo-ship-2") { transactionId } }`, { e: epcs, ti: ti('DistributorMSP', 'DispenserMSP') });
  await gql('dispenser', KEYS.dispenserOperator, `mutation($e: [String!]!) { receivePacks(epcs: $e, idempotencyKey: "demo-receive-2") { transactionId } }`, { e: epcs });
  await gql('dispenser', KEYS.pharmacist, `mutation($e: [String!]!) { dispensePacks(epcs: $e, idempotencyKey: "demo-dispense-1") { transactionId } }`, { e: epcs.slice(0, 3) });
  return `${epcs.length} packs of ${p.name} commissioned, shipped, received; 3 dispensed, 3 on the shelf`;
}

/** The consortium's other pharmacies (a second owner's) get stock of their own from the distributor. */
async function otherPharmacies(): Promise<string[]> {
  const p = PRODUCTS[0];
  const gtin = gtinOf(p.ndc);
  const done: string[] = [];
  for (const pharmacy of SERVICES.filter((s) => s.app === 'dispenser' && s.name !== 'dispenser')) {
    const mspId = (JSON.parse(process.env.PEDIGREE_DEMO_ORGS ?? '{}') as Record<string, string>)[pharmacy.name];
    if (!mspId) continue;
    const serials = [1, 2, 3].map((n) => `DEMO${pharmacy.name.toUpperCase()}${n}`.slice(0, 20));
    const epcs = serials.map((s) => sgtinToEpcUrn(gtin, s));
    const lot = 'DEMO2';
    const ti = { transactionDate: new Date().toISOString().slice(0, 10), seller: 'DistributorMSP', buyer: mspId, products: [{ ndc: p.ndc, name: p.name, lot, quantity: epcs.length }] };
    await gql('manufacturer', KEYS.manufacturer, `mutation($s: [String!]!) { commissionPacks(gtin: "${gtin}", lot: "${lot}", expiry: "2030-12-31", serials: $s, idempotencyKey: "demo-commission-${pharmacy.name}") { transactionId } }`, { s: serials });
    await gql('manufacturer', KEYS.manufacturer, `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "DistributorMSP", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "demo-ship-m-${pharmacy.name}") { transactionId } }`, { e: epcs, ti: { ...ti, seller: 'ManufacturerMSP', buyer: 'DistributorMSP' } });
    await gql('distributor', KEYS.distributor, `mutation($e: [String!]!) { receivePacks(epcs: $e, idempotencyKey: "demo-receive-d-${pharmacy.name}") { transactionId } }`, { e: epcs });
    await gql('distributor', KEYS.distributor, `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${mspId}", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "demo-ship-d-${pharmacy.name}") { transactionId } }`, { e: epcs, ti });
    await gql(pharmacy.name, `demo-${pharmacy.name}-operator`, `mutation($e: [String!]!) { receivePacks(epcs: $e, idempotencyKey: "demo-receive-${pharmacy.name}") { transactionId } }`, { e: epcs });
    done.push(`${epcs.length} packs of ${p.name} to ${pharmacy.label}`);
  }
  return done;
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`  demo: ${line}`);
  // Partners, their roles, GLNs and company prefixes are the consortium's founding (infra/consortium.yaml), not self-registered.
  for (const p of PRODUCTS) {
    await gql('manufacturer', KEYS.manufacturer, `mutation($n: String!, $d: String!, $s: String!, $f: String!, $p: String!) { registerProduct(ndc: $d, name: $n, strength: $s, dosageForm: $f, packSize: $p) { transactionId } }`,
      { n: p.name, d: p.ndc, s: p.strength, f: p.form, p: p.pack });
  }
  log(`${PRODUCTS.length} products registered (${PRODUCTS.map((p) => `${p.name} ${gtinOf(p.ndc)}`).join('; ')})`);
  const imported = await gql<{ importDemandHistory: { rows: number; series: number; firstPeriod: string; lastPeriod: string } }>('forecast', KEYS.planner,
    `mutation($csv: String!) { importDemandHistory(csv: $csv, gtinColumn: "gtin", periodColumn: "month", valueColumn: "quantity", source: "demo-history") { rows series firstPeriod lastPeriod } }`,
    { csv: demoHistoryCsv() });
  log(`demo history imported: ${imported.importDemandHistory.rows} monthly rows, ${imported.importDemandHistory.series} series, ${imported.importDemandHistory.firstPeriod}..${imported.importDemandHistory.lastPeriod} (PBS-shaped)`);
  try {
    log(await liveFlow());
    for (const line of await otherPharmacies()) log(line);
  } catch (err) {
    log(`live DSCSA flow skipped: ${(err as Error).message}`);
  }
  const started = await gql<{ retrain: { id: string } }>('forecast', KEYS.dispenserAdmin, `mutation { retrain { id status } }`);
  interface JobStatus { status: string; percent: number; phase: string; modelVersion: string | null; message: string | null }
  log(`retraining the forecast model (job ${started.retrain.id})...`);
  const trainingStarted = Date.now();
  let job: JobStatus | null = null;
  let shown = '';
  // Ten minutes at most: training on this demo data takes seconds, so a longer wait means it is stuck.
  for (let i = 0; i < 1200; i++) {
    job = (await gql<{ trainingJob: JobStatus | null }>('forecast', KEYS.planner, `{ trainingJob(id: "${started.retrain.id}") { status percent phase modelVersion message } }`)).trainingJob;
    // Print each phase change and every tenth percent, so a slow training run is visibly alive.
    const progress = job ? `${job.phase} ${Math.floor(job.percent / 10) * 10}%` : '';
    if (job && progress !== shown) {
      shown = progress;
      log(`  training ${String(job.percent).padStart(3)}% ${job.phase}${job.message ? ` (${job.message})` : ''}`);
    }
    if (job && (job.status === 'succeeded' || job.status === 'failed')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`training job ${job?.status ?? 'lost'} in ${((Date.now() - trainingStarted) / 1000).toFixed(1)} s: ${job?.message ?? ''}`);
  if (job?.status !== 'succeeded') throw new Error(`retraining did not succeed (${job?.status ?? 'no job'}: ${job?.message ?? ''})`);
  const model = (await gql<{ model: { version: string; trainedOn: string; trainingSeconds: number; validationMase: number | null; trainingFirstMonth: string; trainingLastMonth: string } }>('forecast', KEYS.planner,
    `{ model { version trainedOn trainingSeconds validationMase trainingFirstMonth trainingLastMonth } }`)).model;
  log(`model ${model.version}: trained on ${model.trainedOn} in ${model.trainingSeconds.toFixed(1)} s over ${model.trainingFirstMonth}..${model.trainingLastMonth}, held-out MASE ${model.validationMase?.toFixed(3) ?? 'n/a'}`);

  console.log('\nDemo logins (x-api-key header; graphql-ws: connectionParams { "x-api-key": ... }):');
  console.log('  planner (forecast, reorder, import, publish)   demo-dispenser-planner   ' + `${url('forecast')}/graphql`);
  console.log('  admin (retrain)                                demo-dispenser-admin     ' + `${url('forecast')}/graphql`);
  console.log('  pharmacist (verify, dispense)                  demo-dispenser-pharmacist ' + `${url('dispenser')}/graphql`);
  console.log('  operators                                      demo-<manufacturer|distributor|dispenser>-operator');
  console.log(`  try: { reorderSuggestions { edges { node { productName onHand reorderPoint orderQuantity method forecastDigest } } } }`);
  console.log(`       { forecast(gtin: "${gtinOf(PRODUCTS[0].ndc)}", horizon: 12) { method reason periods { period q10 q50 q90 } digest } }`);
}

main().catch((err) => {
  console.error(`demo seed failed: ${(err as Error).message}`);
  process.exit(1);
});
