import { randomBytes } from 'node:crypto';
import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile, type Ledger } from '@pedigree/ledger';
import { closedLoop, connectAll, machine, percentile, setupSubmit } from './harness';
import { Network } from '../network/network';
import { projectRoot } from '../network/topology';

/**
 * `npm run bench:tracing [-- --requests N --concurrency C]`: a tracing request for a pack with a
 * five-hop history (manufacturer → distributor → Main Street pharmacy → Riverside pharmacy, then
 * returned to Main Street and on to the distributor: an unverified return only goes back up the
 * chain), on the real network, beside the pack's trace on the ledger
 * (GetPackHistory, what trace(epc) is built from) in the same run. Two figures for the request: the
 * RequestTracing transaction alone (the owners answered at once), and the whole answer of a TI
 * request: the request, then the manufacturer and the two pharmacies each reading its own TI on
 * its own peer and releasing it to the distributor (in parallel), until all three have committed.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const REQUESTS = arg('--requests', 20);
const CONCURRENCY = arg('--concurrency', 2);
const NDC = '12345-141-10';
const GTIN = ndcToGtin14(NDC);
const TRACE = { contract: 'traceability' } as const;
const TRACING = { contract: 'tracing' } as const;
const MSP = { m: 'ManufacturerMSP', d: 'DistributorMSP', p: 'DispenserMSP', r: 'RiversideMSP' } as const;

async function main(): Promise<void> {
  const network = new Network();
  if (!(await network.isUp())) await network.up();
  const m = machine();
  console.log(`machine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const ledgers = connectAll();
  const riverside = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(MSP.r, projectRoot()))));
  const run = Date.now().toString(36);
  const epc = sgtinToEpcUrn(GTIN, `T${run}`);
  const lot = `TR${run}`.slice(0, 20);
  try {
    const { manufacturer, distributor, dispenser } = ledgers;
    await setupSubmit(manufacturer, 'RegisterProduct', [JSON.stringify({ eventId: `bench-trc-prod-${run}`, ndc: NDC, name: 'Tracemab', strength: '5 mg', dosageForm: 'tablet', packSize: '30 tablets' })], { contract: 'masterdata' })
      .catch(() => undefined); // registered by an earlier run
    await setupSubmit(manufacturer, 'Commission', [JSON.stringify({ eventId: `bench-trc-c-${run}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: [`T${run}`] })], TRACE);
    const hop = async (n: number, from: Ledger, fromMsp: string, to: Ledger, toMsp: string, purpose: 'sale' | 'return') => {
      const ti = JSON.stringify({ transactionDate: '2026-12-01', seller: { name: fromMsp }, buyer: { name: toMsp }, products: [{ ndc: NDC, lot, quantity: 1 }], salt: randomBytes(16).toString('hex') });
      await setupSubmit(from, 'Ship', [JSON.stringify({ eventId: `bench-trc-s${n}-${run}`, to: toMsp, epcs: [epc], purpose, ...(purpose === 'sale' ? { statement: { affirmed: true } } : {}) })],
        { ...TRACE, ...(purpose === 'sale' ? { transient: { ti } } : {}), endorsingOrganizations: [fromMsp, toMsp] });
      await setupSubmit(to, 'Receive', [JSON.stringify({ eventId: `bench-trc-r${n}-${run}`, epcs: [epc] })], TRACE);
    };
    await hop(1, manufacturer, MSP.m, distributor, MSP.d, 'sale');
    await hop(2, distributor, MSP.d, dispenser, MSP.p, 'sale');
    await hop(3, dispenser, MSP.p, riverside, MSP.r, 'sale');
    await hop(4, riverside, MSP.r, dispenser, MSP.p, 'return');
    await hop(5, dispenser, MSP.p, distributor, MSP.d, 'return');
    const shipments = [1, 2, 3, 4, 5].map((n) => `bench-trc-s${n}-${run}`);
    const history = JSON.parse(Buffer.from(await distributor.evaluate('GetPackHistory', [epc], TRACE)).toString('utf8')) as unknown[];

    const trace = await closedLoop(4, async () => { await distributor.evaluate('GetPackHistory', [epc], TRACE); }, { units: 200 });
    const request = (id: string, kind: string) => distributor.submit('RequestTracing', [JSON.stringify({ eventId: id, epc, kind, reason: 'suspect', incidentNumber: `INC-${run}`, test: true })], TRACING);
    const owners = await closedLoop(CONCURRENCY, async (i) => { await request(`bench-trc-q-${run}-${i}`, 'all_owners'); }, { units: REQUESTS });
    const release = async (ledger: Ledger, msp: string, id: string) => {
      const tis = JSON.parse(Buffer.from(await ledger.evaluate('GetReleasableTransactionInformation', [JSON.stringify(shipments)], TRACING)).toString('utf8')) as Record<string, string>;
      const mine = shipments.filter((s) => tis[s] !== undefined);
      await ledger.submit('ReleaseTracing', [JSON.stringify({ eventId: `${id}-${msp}`, requester: MSP.d, requestId: id, shipmentIds: mine })],
        { ...TRACING, transient: { ti: JSON.stringify(Object.fromEntries(mine.map((s) => [s, tis[s]]))) }, endorsingOrganizations: [msp, MSP.d] });
      return mine.length;
    };
    let released = 0;
    const answered = await closedLoop(CONCURRENCY, async (i) => {
      const id = `bench-trc-ti-${run}-${i}`;
      await request(id, 'transaction_information');
      const n = await Promise.all([release(manufacturer, MSP.m, id), release(dispenser, MSP.p, id), release(riverside, MSP.r, id)]);
      released = n.reduce((a, b) => a + b, 0);
    }, { units: REQUESTS });

    const p = (r: { latenciesMs: readonly number[] }) => `p99 ${percentile(r.latenciesMs, 0.99).toFixed(0)} ms (p50 ${percentile(r.latenciesMs, 0.5).toFixed(0)}, n=${r.latenciesMs.length})`;
    console.log(`tracing a pack with a five-hop history (${history.length} ledger versions), requested by the distributor, ${CONCURRENCY} in flight`);
    console.log(`  trace(epc) on the ledger (GetPackHistory, 4 clients):           ${p(trace)}`);
    console.log(`  RequestTracing, all owners (answered at once, to commit):        ${p(owners)}`);
    console.log(`  TI request answered whole (request + 3 releases, ${released} TIs):      ${p(answered)}`);
    console.log(JSON.stringify({ machine: m, requests: REQUESTS, concurrency: CONCURRENCY, historyVersions: history.length,
      traceMs: trace.latenciesMs, requestMs: owners.latenciesMs, answeredMs: answered.latenciesMs }));
  } finally {
    for (const l of [...Object.values(ledgers), riverside]) l.close();
  }
}

main().catch((err) => {
  console.error(`bench:tracing: ${(err as Error).message}`);
  process.exit(1);
});
