import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { initBackend, parseMonth, reorderSuggestion, serveForecasts, servingFromArtifacts, StoredModelArtifacts } from '@pedigree/forecasting';
import { key, Postgres, ROLES, Role, runId, Service } from '../services/support';

/**
 * The forecast service against the real network: packs dispensed through the dispenser service
 * show up in the forecast service's demand history and reorder suggestions (it reads the
 * dispenser's read model); a published forecast is anchored on the ledger and verified from it;
 * retraining stores a model and the service still serves whichever method validates better;
 * bad inputs get a fallback or a typed error, never NaN.
 */
// Ports shifted by the whole offset (as support.ts's partner ports are), so a copy of
// the system on another offset does not collide with this file.
const offset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const PG_PORT = 5407 + offset;
const PORT: Record<Role | 'forecast', number> = { manufacturer: 5021 + offset, distributor: 5022 + offset, dispenser: 5023 + offset, forecast: 5024 + offset };

// Products unique to this run (product code from the clock, under the manufacturer's labeler 12345,
// whose company prefix the consortium assigned it): packs and anchors never clash with an earlier run.
const product = (n: number) => `12345-${String(Date.now() % 10_000).padStart(4, '0')}-${n}`;
const NDC = product(1);
const OTHER_NDC = product(2);
const GTIN = ndcToGtin14(NDC);
const OTHER_GTIN = ndcToGtin14(OTHER_NDC);
const LOT = `F${runId}`.slice(0, 20);
const serial = (n: number) => `F${runId}${n}`.slice(0, 20);
const epc = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
const PACKS = [1, 2, 3, 4, 5, 6, 7, 8];
const DISPENSED = [1, 2, 3];
const PLANNER = 'demo-dispenser-planner';
const ADMIN = 'demo-dispenser-admin';

let pg: Postgres;
const services = {} as Record<Role, Service>;
let forecast: Service;

/** Monthly history ending last month: yearly seasonality, a trend and deterministic noise. */
function historyCsv(gtin: string, months: number, mean: number, value?: (i: number) => number | string): string {
  const now = new Date();
  const lines = ['gtin,month,quantity'];
  for (let i = 0; i < months; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - i), 1));
    const seasonal = mean * (1 + 0.25 * Math.sin((2 * Math.PI * d.getUTCMonth()) / 12) + 0.002 * i + 0.05 * Math.sin(i * 7.3));
    lines.push(`${gtin},${d.toISOString().slice(0, 7)},${value ? value(i) : Math.round(seasonal)}`);
  }
  return lines.join('\n');
}

const IMPORT = `mutation($csv: String!) { importDemandHistory(csv: $csv, gtinColumn: "gtin", periodColumn: "month", valueColumn: "quantity", source: "forecast-test") { rows series negativeValues firstPeriod lastPeriod } }`;

interface ForecastView {
  method: string; reason: string; notes: string[]; modelVersion: string; digest: string;
  validation: Array<{ method: string; mase: number }>; periods: Array<{ period: string; q10: number; q50: number; q90: number }>;
}
const FORECAST = `query($g: String!, $h: Int!) { forecast(gtin: $g, horizon: $h) { method reason notes modelVersion digest validation { method mase } periods { period q10 q50 q90 } } }`;

interface ReorderView { onHand: number; inTransit: number; reorderPoint: number | null; orderQuantity: number | null; reorderNow: boolean | null; method: string | null; forecastDigest: string | null; problem: string | null }
async function reorderLine(gtin: string): Promise<ReorderView> {
  const r = await forecast.ok<{ reorderSuggestions: { edges: Array<{ node: ReorderView & { gtin: string } }> } }>(PLANNER,
    `query($g: String!) { reorderSuggestions(gtin: $g) { edges { node { gtin onHand inTransit reorderPoint orderQuantity reorderNow method forecastDigest problem } } } }`, { g: gtin });
  const line = r.reorderSuggestions.edges.find((e) => e.node.gtin === gtin)?.node;
  if (!line) throw new Error(`no reorder line for ${gtin}: ${JSON.stringify(r)}`);
  return line;
}

interface HistoryView { total: number; liveDispenses: number; importedQuantity: number; points: Array<{ period: string; quantity: number }> }
async function history(gtin: string): Promise<HistoryView> {
  return (await forecast.ok<{ demandHistory: HistoryView }>(PLANNER,
    `query($g: String!) { demandHistory(gtin: $g, last: 1000) { total liveDispenses importedQuantity points { period quantity } } }`, { g: gtin })).demandHistory;
}

/** The forecast service reads the dispenser's read model, which the dispenser projects from block events: poll briefly. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    value = await read();
  }
  return value;
}

function expectFinite(f: ForecastView): void {
  expect(f.periods.length).toBeGreaterThan(0);
  for (const p of f.periods) {
    for (const q of [p.q10, p.q50, p.q90]) expect(Number.isFinite(q)).toBe(true);
    expect(p.q10).toBeLessThanOrEqual(p.q50);
    expect(p.q50).toBeLessThanOrEqual(p.q90);
  }
}

beforeAll(async () => {
  pg = await Postgres.start('e2e-forecast', PG_PORT);
  for (const r of ROLES) {
    services[r] = new Service(r, pg.databaseUrl(`fc_${r}_${runId}`), PORT[r]);
    await services[r].start();
  }
  // The forecast service is not a partner role; Service only needs the app folder name to spawn it.
  forecast = new Service('forecast' as Role, pg.databaseUrl(`fc_forecast_${runId}`), PORT.forecast);
  // Two series are too few for a network of their own, so by default the service would pretrain on PBS first
  // (minutes); this suite checks the panel's own training, the pretrained path is libs/forecasting's spec.
  await forecast.start({ DEMAND_DATABASE_URL: pg.databaseUrl(`fc_dispenser_${runId}`), FORECAST_LEDGER_ORG: 'DispenserMSP', FORECAST_PRETRAINED: 'off' });
  for (const [ndc, name] of [[NDC, 'Forecast test amoxicillin'], [OTHER_NDC, 'Forecast test salbutamol']]) {
    await services.manufacturer.ok(key('manufacturer', 'operator'),
      `mutation($n: String!, $d: String!) { registerProduct(ndc: $d, name: $n, strength: "500 mg", dosageForm: "capsule", packSize: "30") { transactionId } }`, { n: name, d: ndc });
  }
}, 300_000);

afterAll(async () => {
  await forecast?.kill('SIGTERM');
  for (const r of ROLES) await services[r]?.kill('SIGTERM');
  await pg?.stop();
});

describe('forecast service over the dispenser read model and the ledger', () => {
  it('imports demand history and forecasts it with the baselines before any model is trained', async () => {
    const imported = await forecast.ok<{ importDemandHistory: { rows: number; series: number } }>(PLANNER, IMPORT,
      { csv: `${historyCsv(GTIN, 72, 40)}\n${historyCsv(OTHER_GTIN, 72, 90).split('\n').slice(1).join('\n')}` });
    expect(imported.importDemandHistory).toMatchObject({ rows: 144, series: 2 });
    const f = (await forecast.ok<{ forecast: ForecastView }>(PLANNER, FORECAST, { g: GTIN, h: 12 })).forecast;
    expect(['ets', 'seasonal-naive']).toContain(f.method);
    expect(f.modelVersion).toBe('baselines');
    expect(f.periods).toHaveLength(12);
    expectFinite(f);
  });

  it('packs received at the pharmacy are stock on hand; dispensing them grows demand history and lowers stock', async () => {
    const m = services.manufacturer, d = services.distributor, p = services.dispenser;
    const ti = (seller: string, buyer: string) => ({ transactionDate: new Date().toISOString().slice(0, 10), seller, buyer, products: [{ ndc: NDC, name: 'Forecast test amoxicillin', lot: LOT, quantity: PACKS.length }] });
    const epcs = PACKS.map(epc);
    await m.ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: PACKS.map(serial) });
    await m.ok(key('manufacturer', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "DistributorMSP", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: epcs, ti: ti('ManufacturerMSP', 'DistributorMSP') });
    await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: epcs });
    await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "DispenserMSP", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: epcs, ti: ti('DistributorMSP', 'DispenserMSP') });

    // Shipped to the pharmacy, not yet received: in transit.
    const shipped = await eventually(() => reorderLine(GTIN), (l) => l.inTransit === PACKS.length);
    expect(shipped).toMatchObject({ onHand: 0, inTransit: PACKS.length });

    await p.ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: epcs });
    const before = await eventually(() => reorderLine(GTIN), (l) => l.onHand === PACKS.length);
    expect(before).toMatchObject({ onHand: PACKS.length, inTransit: 0, problem: null });
    expect(Number.isFinite(before.reorderPoint)).toBe(true);
    const historyBefore = await history(GTIN);
    expect(historyBefore.liveDispenses).toBe(0);

    // Every month the dispense may fall in, whatever the clock or time zone: where it is counted is the service's business.
    const months = new Set<string>();
    const noteMonths = () => { const d = new Date(); months.add(`${d.toISOString().slice(0, 7)}-01`); months.add(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-01`); };
    noteMonths();
    const dispensed = await p.ok<{ dispensePacks: { duplicate: boolean; changed: string[] } }>(key('dispenser', 'pharmacist'),
      `mutation($e: [String!]!) { dispensePacks(epcs: $e) { duplicate changed } }`, { e: DISPENSED.map(epc) });
    noteMonths();
    expect(dispensed.dispensePacks.duplicate).toBe(false);
    expect([...dispensed.dispensePacks.changed].sort()).toEqual(DISPENSED.map(epc).sort());

    const historyAfter = await eventually(() => history(GTIN), (h) => h.liveDispenses === DISPENSED.length);
    expect(historyAfter.liveDispenses).toBe(DISPENSED.length);
    expect(historyAfter.total).toBe(historyBefore.total + DISPENSED.length);
    expect(historyAfter.importedQuantity).toBe(historyBefore.importedQuantity);
    // The dispenses land in one period, the current month (history now, after the imported ones): the only point that changed.
    const was = new Map(historyBefore.points.map((pt) => [pt.period, pt.quantity]));
    const changed = historyAfter.points.filter((pt) => pt.quantity !== (was.get(pt.period) ?? 0));
    expect(changed.map((pt) => pt.quantity - (was.get(pt.period) ?? 0))).toEqual([DISPENSED.length]);
    expect([...months]).toContain(changed[0].period);

    const after = await eventually(() => reorderLine(GTIN), (l) => l.onHand === PACKS.length - DISPENSED.length);
    expect(after.onHand).toBe(PACKS.length - DISPENSED.length);
    // Same forecast (the current month is not modelled until it is over), so the same reorder point;
    // 8 packs against a demand of about 40 a month is below it before and after, so the order
    // (order-up-to level minus stock) grows by exactly the packs dispensed.
    expect(after.reorderPoint).toBe(before.reorderPoint);
    expect(before.reorderNow).toBe(true);
    expect(after.reorderNow).toBe(true);
    expect(after.orderQuantity).toBe((before.orderQuantity ?? Number.NaN) + DISPENSED.length);
  });

  it('a published forecast is anchored on the ledger and verifies; a tampered digest is not anchored', async () => {
    const published = await forecast.ok<{ publishForecast: { digest: string; anchorStatus: string; anchorTransactionId: string | null; anchorError: string | null; modelVersion: string } }>(PLANNER,
      `mutation($g: String!) { publishForecast(gtin: $g, horizon: 6) { digest anchorStatus anchorTransactionId anchorError modelVersion } }`, { g: GTIN });
    const { digest } = published.publishForecast;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(published.publishForecast).toMatchObject({ anchorStatus: 'anchored', anchorError: null });
    expect(published.publishForecast.anchorTransactionId).toMatch(/^[0-9a-f]{64}$/);

    // Publishing the same forecast again names the same document and the same anchor.
    const again = await forecast.ok<{ publishForecast: { digest: string; anchorTransactionId: string } }>(PLANNER,
      `mutation($g: String!) { publishForecast(gtin: $g, horizon: 6) { digest anchorTransactionId } }`, { g: GTIN });
    expect(again.publishForecast).toEqual({ digest, anchorTransactionId: published.publishForecast.anchorTransactionId });

    const VERIFY = `query($d: String!) { verifyForecast(digest: $d) { digest anchored verified documentMatches anchor { digest gtin modelVersion anchoredBy transactionId } forecast { digest } } }`;
    const verified = (await forecast.ok<{ verifyForecast: Record<string, unknown> & { anchor: Record<string, string> | null } }>(key('dispenser', 'auditor'), VERIFY, { d: digest })).verifyForecast;
    expect(verified).toMatchObject({ digest, anchored: true, verified: true, documentMatches: true, forecast: { digest } });
    expect(verified.anchor).toMatchObject({ digest, gtin: GTIN, modelVersion: published.publishForecast.modelVersion, anchoredBy: 'DispenserMSP', transactionId: published.publishForecast.anchorTransactionId });

    const tampered = `${digest.slice(0, -1)}${digest.endsWith('0') ? '1' : '0'}`;
    const bad = (await forecast.ok<{ verifyForecast: Record<string, unknown> }>(key('dispenser', 'auditor'), VERIFY, { d: tampered })).verifyForecast;
    expect(bad).toMatchObject({ digest: tampered, anchored: false, verified: false, anchor: null, forecast: null, documentMatches: null });

    const notHex = await forecast.gql(key('dispenser', 'auditor'), VERIFY, { d: 'not-a-digest' });
    expect(notHex.errors?.[0].extensions).toMatchObject({ domainCode: 'INVALID_DIGEST' });
  });

  it('retrain stores a model with its serving policy; every forecast serves that policy and names the model', async () => {
    const started = await forecast.ok<{ retrain: { id: string } }>(ADMIN, `mutation { retrain { id status } }`);
    const denied = await forecast.gql(PLANNER, `mutation { retrain { id } }`);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const percents: number[] = [];
    const job = await eventually(async () => {
      const j = (await forecast.ok<{ trainingJob: { status: string; percent: number; phase: string; modelVersion: string | null; message: string | null } }>(PLANNER,
        `{ trainingJob(id: "${started.retrain.id}") { status percent phase modelVersion message } }`)).trainingJob;
      percents.push(j.percent);
      return j;
    }, (j) => j.status === 'succeeded' || j.status === 'failed', 170_000);
    expect(job).toMatchObject({ status: 'succeeded', phase: 'done', percent: 100 });
    expect([...percents].sort((a, b) => a - b)).toEqual(percents); // progress never goes back

    const model = (await forecast.ok<{ model: { loaded: boolean; version: string; backend: string; trainedOn: string; trainingSeries: number; trainingFirstMonth: string; trainingLastMonth: string; validationMase: number; validationPinball: number } }>(PLANNER,
      `{ model { loaded version backend trainedOn trainingSeries trainingFirstMonth trainingLastMonth validationMase validationPinball } }`)).model;
    expect(model).toMatchObject({ loaded: true, version: job.modelVersion, trainingSeries: 2 });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(model.backend);
    expect(model.trainingLastMonth < new Date().toISOString().slice(0, 7)).toBe(true);
    expect(Number.isFinite(model.validationMase) && Number.isFinite(model.validationPinball)).toBe(true);

    for (const gtin of [GTIN, OTHER_GTIN]) {
      const f = (await forecast.ok<{ forecast: ForecastView }>(PLANNER, FORECAST, { g: gtin, h: 12 })).forecast;
      expectFinite(f);
      // The stored policy serves every series: no per-request pick, and its panel validation scores come along.
      expect(f.method).toBe('served');
      expect(f.modelVersion).toBe(model.version);
      const scores = new Map(f.validation.map((v) => [v.method, v.mase]));
      expect(scores.has('served')).toBe(true);
      expect(f.reason).toMatch(/stored policy/);
    }
  });

  it('the GraphQL forecast and reorder answers equal the library\'s served path on the same data and stored model', async () => {
    await initBackend();
    const [row] = await pg.query<{ modelTopology: object; weightSpecs: unknown; weightData: Buffer; metadata: StoredModelArtifacts['metadata'] }>(
      `fc_forecast_${runId}`, `SELECT * FROM model_versions ORDER BY "createdAt" DESC LIMIT 1`);
    const serving = await servingFromArtifacts({ modelTopology: row.modelTopology, weightSpecs: row.weightSpecs as StoredModelArtifacts['weightSpecs'], weightData: row.weightData, metadata: row.metadata });
    const REORDER = `query($g: String!) { reorderSuggestions(gtin: $g, leadTimePeriods: 1, serviceLevel: 0.95) { edges { node { gtin onHand inTransit leadTimeDemand reorderPoint orderUpToLevel orderQuantity reorderNow } } } }`;
    for (const gtin of [GTIN, OTHER_GTIN]) {
      const f = (await forecast.ok<{ forecast: ForecastView & { historyThrough: string } }>(PLANNER,
        `query($g: String!) { forecast(gtin: $g, horizon: 12) { method modelVersion historyThrough periods { period q10 q50 q90 } } }`, { g: gtin })).forecast;
      // The history the service saw: every complete month through historyThrough (live dispenses of the current month excluded).
      const points = (await history(gtin)).points.filter((p) => p.period.slice(0, 7) <= f.historyThrough);
      const monthly = { key: gtin, start: parseMonth(points[0].period.slice(0, 7)), values: points.map((p) => p.quantity) };
      const served = serveForecasts([monthly], serving, { horizon: 12, levels: [0.1, 0.5, 0.9] }).forecasts[0];
      f.periods.forEach((p, h) => {
        expect(p.q10).toBeCloseTo(served.forecast.quantiles[0][h], 4);
        expect(p.q50).toBeCloseTo(served.forecast.quantiles[1][h], 4);
        expect(p.q90).toBeCloseTo(served.forecast.quantiles[2][h], 4);
      });
      const line = (await forecast.ok<{ reorderSuggestions: { edges: Array<{ node: { onHand: number; inTransit: number; leadTimeDemand: number; reorderPoint: number; orderUpToLevel: number; orderQuantity: number; reorderNow: boolean } }> } }>(PLANNER, REORDER, { g: gtin })).reorderSuggestions.edges[0].node;
      const expected = reorderSuggestion(serveForecasts([monthly], serving, { horizon: 3, levels: [0.1, 0.5, 0.9] }).forecasts[0], serving.policy,
        { leadTimePeriods: 1, reviewPeriods: 1, serviceLevel: 0.95, onHand: line.onHand, inTransit: line.inTransit });
      expect(line).toMatchObject({ reorderPoint: expected.reorderPoint, orderUpToLevel: expected.orderUpToLevel, orderQuantity: expected.orderQuantity, reorderNow: expected.reorderNow });
      expect(line.leadTimeDemand).toBeCloseTo(expected.leadTimeDemand, 4);
    }
    serving.model?.dispose();
  });

  describe('bad inputs get a typed error or a fallback, never NaN', () => {
    const codeOf = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0].extensions?.domainCode;

    it('unknown product, invalid GTIN, bad horizon, bad service level: typed errors', async () => {
      const unknown = ndcToGtin14(`4${String(Date.now() % 10_000).padStart(4, '0')}-999-99`);
      expect(codeOf(await forecast.gql(PLANNER, FORECAST, { g: unknown, h: 12 }))).toBe('UNKNOWN_PRODUCT');
      expect(codeOf(await forecast.gql(PLANNER, FORECAST, { g: '12345', h: 12 }))).toBe('INVALID_GTIN');
      expect(codeOf(await forecast.gql(PLANNER, FORECAST, { g: GTIN, h: 0 }))).toBe('INVALID_HORIZON');
      expect(codeOf(await forecast.gql(PLANNER, `{ reorderSuggestions(serviceLevel: 1.5) { edges { node { gtin } } } }`))).toBe('INVALID_SERVICE_LEVEL');
      // History of an unknown product is simply empty, not an error.
      expect(await forecast.ok(PLANNER, `{ demandHistory(gtin: "${unknown}") { total liveDispenses } }`)).toEqual({ demandHistory: { total: 0, liveDispenses: 0 } });
      expect(codeOf(await forecast.gql(PLANNER, IMPORT, { csv: 'gtin,month,quantity\n' }))).toBe('CSV_EMPTY');
      expect(codeOf(await forecast.gql(PLANNER, IMPORT, { csv: `gtin,month,quantity\n${GTIN},2024-01,lots` }))).toBe('INVALID_VALUE');
    });

    it('too short, all zero and negative series are forecast with fallbacks and notes', async () => {
      const short = ndcToGtin14(`4${String(Date.now() % 10_000).padStart(4, '0')}-301-01`);
      const zero = ndcToGtin14(`4${String(Date.now() % 10_000).padStart(4, '0')}-302-01`);
      const negative = ndcToGtin14(`4${String(Date.now() % 10_000).padStart(4, '0')}-303-01`);
      await forecast.ok(PLANNER, IMPORT, { csv: historyCsv(short, 3, 20) });
      await forecast.ok(PLANNER, IMPORT, { csv: historyCsv(zero, 30, 0, () => 0) });
      const neg = await forecast.ok<{ importDemandHistory: { negativeValues: number } }>(PLANNER, IMPORT, { csv: historyCsv(negative, 30, 50, (i) => (i % 7 === 3 ? -4 : 50 + (i % 5))) });
      expect(neg.importDemandHistory.negativeValues).toBeGreaterThan(0);

      const shortF = (await forecast.ok<{ forecast: ForecastView }>(PLANNER, FORECAST, { g: short, h: 6 })).forecast;
      expectFinite(shortF);
      expect(shortF.notes.length + shortF.reason.length).toBeGreaterThan(0);

      const zeroF = (await forecast.ok<{ forecast: ForecastView }>(PLANNER, FORECAST, { g: zero, h: 6 })).forecast;
      expectFinite(zeroF);
      expect(zeroF.periods.every((p) => p.q50 === 0 && p.q90 === 0)).toBe(true);

      const negF = (await forecast.ok<{ forecast: ForecastView }>(PLANNER, FORECAST, { g: negative, h: 6 })).forecast;
      expectFinite(negF);
      expect(negF.periods.every((p) => p.q10 >= 0)).toBe(true);
      expect(negF.notes.join(' ')).toMatch(/negative/i);

      // The same series in reorder suggestions: numbers or a problem line, never NaN.
      for (const g of [short, zero, negative]) {
        const line = await reorderLine(g);
        if (line.problem === null) expect(Number.isFinite(line.reorderPoint)).toBe(true);
      }
    });
  });
});
