import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { toBuffer } from 'bwip-js/node';
import { GS, ndcToGtin14, sgtinToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { createWebServer, DEFAULT_WEB_SERVICES } from '../../apps/web/src/server';
import { eventually, key, MSP, Postgres, ROLES, Role, ROOT, runId, Service } from '../services/support';
import { ensureChromium, launchChromium } from './browser';

/**
 * The web front end in a real browser (Debian Chromium through playwright-core) against the real
 * services, network and Postgres: a pharmacist verifies packs typed by a wedge scanner and decoded
 * from a photo of a DataMatrix, and dispenses; a planner opens a forecast and exports suggestions;
 * the partner console shows shipments, stock, a trace, alerts, labels and a logger's temperature chart. Screenshots of every
 * screen go to test-artifacts/web/.
 */
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
// Full offset and ports no other test file uses.
// Not 5060/5061: fetch (and Chromium) refuse those SIP ports outright.
const PORT: Record<Role | 'forecast', number> = { manufacturer: 5071 + OFFSET, distributor: 5072 + OFFSET, dispenser: 5073 + OFFSET, forecast: 5074 + OFFSET };
const PG_PORT = 5471 + OFFSET;
const ARTIFACTS = path.join(ROOT, 'test-artifacts/web');

// Under the manufacturer's labeler 12345 (its company prefix, infra/consortium.yaml); product code from the clock, unique per run.
const NDC = `12345-${String((Date.now() + 5000) % 10_000).padStart(4, '0')}-${process.pid % 10}`;
const GTIN = ndcToGtin14(NDC);
const PRODUCT = 'Web test amoxicillin 500 mg';
const LOT = `W${runId}`.slice(0, 20);
const RECALLED_LOT = `R${runId}`.slice(0, 20);
const serial = (n: number) => `W${runId}${n}`.slice(0, 20);
const epc = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
/** Packs 1-4 of LOT, 5-6 of RECALLED_LOT. */
const GENUINE = [1, 2, 3, 4];
const RECALLED = [5, 6];
/** Pack 7 of LOT reaches the pharmacy with a TI that says 2: its checked receipt holds it for an exception. */
const HELD = 7;
/** The exception the checked receipt of pack 7 raised. */
let heldException: string;
/** Pack 8 goes the same way; the distributor, its seller, answers that exception with a corrected TI. */
const CORRECTED = 8;
let correctedException: string;
/** How a wedge scanner types a GS1 DataMatrix: symbology identifier, then element strings with GS after variable-length ones. */
const wedge = (lot: string, n: number, gs = GS) => `]d201${GTIN}17301231${'10'}${lot}${gs}21${serial(n)}`;

const unavailable = ensureChromium();
if (unavailable && process.env.CI === 'true') throw new Error(`browser tests need Chromium in CI: ${unavailable}`);
if (unavailable) console.warn(`test/web skipped: ${unavailable}`);
const describeBrowser = unavailable ? describe.skip : describe;

let pg: Postgres;
const services = {} as Record<Role, Service>;
let forecast: Service;
let web: ReturnType<typeof createWebServer>;
let baseUrl: string;
let browser: Browser;
let pharmacyShipment: string;

async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.click(`button[data-key="${apiKey}"]`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (unavailable) return;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  pg = await Postgres.start('e2e-web', PG_PORT);
  for (const r of ROLES) {
    services[r] = new Service(r, pg.databaseUrl(`web_${r}_${runId}`), PORT[r]);
    await services[r].start();
  }
  forecast = new Service('forecast' as Role, pg.databaseUrl(`web_forecast_${runId}`), PORT.forecast);
  await forecast.start({ DEMAND_DATABASE_URL: pg.databaseUrl(`web_dispenser_${runId}`), FORECAST_LEDGER_ORG: 'DispenserMSP', FORECAST_TRAIN_MAX_EPOCHS: '5', FORECAST_TRAIN_MEMBERS: '1', FORECAST_PRETRAINED: 'off' });

  const m = services.manufacturer, d = services.distributor, p = services.dispenser;
  await m.ok(key('manufacturer', 'operator'), `mutation($n: String!, $d: String!) { registerProduct(ndc: $d, name: $n, strength: "500 mg", dosageForm: "capsule", packSize: "30") { transactionId } }`, { n: PRODUCT, d: NDC });
  await m.ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: GENUINE.map(serial) });
  await m.ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${RECALLED_LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: RECALLED.map(serial) });
  const all = [...GENUINE, ...RECALLED].map(epc);
  const ti = (seller: string, buyer: string) => ({ transactionDate: new Date().toISOString().slice(0, 10), seller, buyer, products: [{ ndc: NDC, name: PRODUCT, lot: LOT, quantity: all.length }] });
  await m.ok(key('manufacturer', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: all, ti: ti(MSP.manufacturer, MSP.distributor) });
  await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: all });
  const toPharmacy = await d.ok<{ shipPacks: { shipmentId: string } }>(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { shipmentId } }`, { e: all, ti: ti(MSP.distributor, MSP.dispenser) });
  await p.ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: all });
  // Cold chain: the product gets a 2–8 °C range, and the pharmacy stores the shipment's logger trace (12 h up to now,
  // the last 2 hours at 13 °C): the shipment's leg, seconds ago, falls in that excursion, so the pack's trace shows it.
  await m.ok(key('manufacturer', 'operator'), `mutation($n: String!, $d: String!) { registerProduct(ndc: $d, name: $n, strength: "500 mg", dosageForm: "capsule", packSize: "30", storage: { minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 60 } }) { transactionId } }`, { n: PRODUCT, d: NDC });
  const start = Date.now() - 719 * 60_000;
  const trace = Array.from({ length: 720 }, (_, i) => `${new Date(start + i * 60_000).toISOString()},${i >= 600 ? 13 : (5 + Math.sin(i / 60)).toFixed(2)}`);
  await p.ok(key('dispenser', 'operator'), `mutation($c: String!) { uploadReadings(source: { kind: shipment, id: "${toPharmacy.shipPacks.shipmentId}" }, csv: $c) { id } }`, { c: ['time,temperature', ...trace].join('\n') });
  pharmacyShipment = toPharmacy.shipPacks.shipmentId;
  await m.ok(key('manufacturer', 'operator'), `mutation { recallLot(gtin: "${GTIN}", lot: "${RECALLED_LOT}", recallId: "RC-${runId}") { transactionId } }`);
  await m.ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: [serial(HELD), serial(CORRECTED)] });
  const one = (seller: string, buyer: string, quantity: number) => ({ ...ti(seller, buyer), products: [{ ndc: NDC, name: PRODUCT, lot: LOT, quantity }] });
  await m.ok(key('manufacturer', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: [epc(HELD), epc(CORRECTED)], ti: one(MSP.manufacturer, MSP.distributor, 2) });
  await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [epc(HELD), epc(CORRECTED)] });
  await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: [epc(HELD)], ti: one(MSP.distributor, MSP.dispenser, 2) });
  const held = await p.ok<{ receivePacks: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e, scanned: $e) { exceptions } }`, { e: [epc(HELD)] });
  if (held.receivePacks.exceptions.length === 0) throw new Error(`expected the checked receipt to raise an exception, got ${JSON.stringify(held)}`);
  heldException = held.receivePacks.exceptions[0] as string;
  await d.ok(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`, { e: [epc(CORRECTED)], ti: one(MSP.distributor, MSP.dispenser, 2) });
  const corrected = await p.ok<{ receivePacks: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e, scanned: $e) { exceptions } }`, { e: [epc(CORRECTED)] });
  correctedException = corrected.receivePacks.exceptions[0] as string;
  if (!correctedException) throw new Error(`expected the checked receipt of pack ${CORRECTED} to raise an exception, got ${JSON.stringify(corrected)}`);

  // Five years of monthly demand ending last month, with a yearly season, for the planner's forecast.
  const now = new Date();
  const rows = ['gtin,month,quantity'];
  // The global model trains on 48 months of input plus two years (libs/forecasting's frozen design): 84 months.
  for (let i = 0; i < 84; i++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (84 - i), 1));
    rows.push(`${GTIN},${month.toISOString().slice(0, 7)},${Math.round(80 * (1 + 0.3 * Math.sin((2 * Math.PI * month.getUTCMonth()) / 12)) + (i % 5))}`);
  }
  await forecast.ok(key('dispenser', 'planner'), `mutation($csv: String!) { importDemandHistory(csv: $csv, gtinColumn: "gtin", periodColumn: "month", valueColumn: "quantity", source: "web-test") { rows } }`, { csv: rows.join('\n') });

  const url = { manufacturer: services.manufacturer.url, distributor: services.distributor.url, dispenser: services.dispenser.url, forecast: forecast.url };
  web = createWebServer({ staticDir: path.join(ROOT, 'dist/web'), services: DEFAULT_WEB_SERVICES.map((s) => ({ ...s, url: url[s.app] })) });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (web ? web.close(r) : r(undefined)));
  web?.closeAllConnections();
  await forecast?.kill('SIGTERM');
  for (const r of ROLES) await services[r]?.kill('SIGTERM');
  await pg?.stop();
});

describeBrowser('web front end in Chromium', () => {
  it('a pharmacist on a phone verifies a genuine pack typed by a wedge scanner and dispenses it', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page, 'demo-dispenser-pharmacist');
    await page.waitForURL(/#\/scan$/);
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('pedigree.session') ?? '{}').apiKey)).toBe('demo-dispenser-pharmacist');
    await shot(page, '01-scan-ready');

    // The scan field has focus: the scanner types into it, GS as the control character, and Enter ends the scan.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('scan-input');
    await page.keyboard.type(wedge(LOT, 1));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict.ok');
    expect(await page.textContent('#verdict-title')).toBe('VERIFIED — OK TO DISPENSE');
    expect(await page.textContent('#v-product')).toBe(PRODUCT);
    expect(await page.textContent('#v-lot')).toBe(LOT);
    expect(await page.textContent('#v-expiry')).toBe('2030-12-31');
    expect(await page.textContent('#v-status')).toBe('received');
    await shot(page, '02-scan-verified');

    await page.click('#dispense');
    await page.waitForSelector('#verdict.done');
    expect(await page.textContent('#v-status')).toBe('dispensed');
    const pack = await services.dispenser.ok<{ pack: { status: string } }>(key('dispenser', 'auditor'), `{ pack(epc: "${epc(1)}") { status } }`);
    expect(pack.pack.status).toBe('dispensed');
    await shot(page, '03-scan-dispensed');

    // A scanner set to send '|' for GS: the substitute is configured on the screen.
    await page.fill('#gs-substitute', '|');
    await page.dispatchEvent('#gs-substitute', 'change');
    await page.focus('#scan-input');
    await page.keyboard.type(wedge(LOT, 2, '|'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict.ok');
    expect(await page.textContent('#v-lot')).toBe(LOT);
    await page.fill('#gs-substitute', '');
    await page.dispatchEvent('#gs-substitute', 'change');
    await page.close();
  });

  it('a recalled pack is red with the reason, and cannot be dispensed from the screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await signIn(page, 'demo-dispenser-pharmacist');
    await page.waitForSelector('#scan-input');
    await page.keyboard.type(wedge(RECALLED_LOT, 5));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict.bad');
    expect(await page.textContent('#verdict-title')).toMatch(/DO NOT DISPENSE/);
    expect(await page.textContent('#verdict .reasons')).toMatch(/recalled/i);
    expect(await page.textContent('#v-lot')).toBe(RECALLED_LOT);
    expect(await page.$('#dispense')).toBeNull();
    await shot(page, '04-scan-recalled');
    await page.close();
  });

  it('a pack held by an open receiving exception says so on the scan screen, and why', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await signIn(page, 'demo-dispenser-pharmacist');
    await page.waitForSelector('#scan-input');
    await page.keyboard.type(wedge(LOT, HELD));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict.bad');
    expect(await page.textContent('#verdict .reasons')).toMatch(/suspect/i);
    await page.waitForSelector('#v-held');
    const held = await page.textContent('#v-held');
    expect(held).toMatch(/Held by an open receiving exception/);
    expect(held).toContain('Quantity differs from the transaction information');
    expect(held).toContain(`${MSP.distributor}\u2019s shipment`);
    expect(held).toMatch(/0 business days ago; due by the end of [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}/);
    expect(await page.$('#dispense')).toBeNull();
    await shot(page, '04b-scan-held-by-exception');
    await page.close();
  });

  it('decodes a photo of a pack\'s GS1 DataMatrix in the browser and verifies it; the session lists every scan', async () => {
    const png = await toBuffer({ bcid: 'gs1datamatrix', text: `(01)${GTIN}(17)301231(10)${LOT}(21)${serial(3)}`, scale: 6, paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF' });
    const file = path.join(ARTIFACTS, 'pack-datamatrix.png');
    fs.writeFileSync(file, png);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await signIn(page, 'demo-dispenser-pharmacist');
    await page.waitForSelector('#scan-input');
    await page.setInputFiles('#photo', file);
    await page.waitForSelector('#verdict.ok', { timeout: 30_000 });
    expect(await page.textContent('#v-lot')).toBe(LOT);
    expect(await page.textContent('#verdict .facts')).toContain(serial(3));
    expect(await page.textContent('#verdict .via')).toMatch(/photo/);
    // Scans of this browser session, newest first (the three earlier pages were other tabs of the same session).
    expect(await page.$$eval('#scan-history tbody tr', (rows) => rows.length)).toBeGreaterThanOrEqual(1);
    await shot(page, '05-scan-photo-decoded');
    await page.close();
  });

  it('a planner opens a product\'s forecast against its history and exports the reorder suggestions as CSV', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await signIn(page, 'demo-dispenser-planner');
    await page.waitForURL(/#\/planner$/);
    await page.waitForSelector('#reorder-table caption, .notice.error');
    expect(await page.$$eval('.notice.error', (e) => e.map((x) => x.textContent))).toEqual([]);
    await page.waitForSelector(`button[data-gtin="${GTIN}"]`);
    await page.click(`button[data-gtin="${GTIN}"]`);
    await page.waitForSelector('#forecast svg.chart path.band');
    expect(await page.textContent('#f-method')).toBeTruthy();
    expect(await page.$$eval('#forecast table tbody tr', (r) => r.length)).toBe(12);
    await page.waitForSelector('#m-backend');
    // Sorting by a column marks it for assistive technology.
    await page.click('button[data-sort="onHand"]');
    expect(await page.getAttribute('th:has(button[data-sort="onHand"])', 'aria-sort')).toBe('ascending');
    await shot(page, '06-planner-forecast');
    // The tables fit a 1280 px screen; on a phone they scroll inside their box, never the page.
    const fit = `({ page: document.documentElement.scrollWidth - innerWidth, boxes: [...document.querySelectorAll('.scroll')].map((b) => b.scrollWidth - b.clientWidth) })`;
    expect(await page.evaluate(fit)).toEqual({ page: 0, boxes: [0, 0] });
    await page.setViewportSize({ width: 390, height: 844 });
    const phone = (await page.evaluate(fit)) as { page: number; boxes: number[] };
    expect(phone.page).toBe(0);
    expect(phone.boxes[0]).toBeGreaterThan(0); // the reorder table scrolls inside its box
    await shot(page, '06-planner-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    fs.writeFileSync(path.join(ARTIFACTS, 'reorder-suggestions.csv'), csv);
    expect(csv.split('\n')[0]).toBe('gtin,productName,location,onHand,inTransit,reorderPoint,orderUpToLevel,orderQuantity,reorderNow,method,forecastDigest,problem');
    const line = csv.split('\n').find((l) => l.startsWith(GTIN));
    // Packs 2-4 of the genuine lot are on hand (1 dispensed); the recalled lot is not sellable.
    expect(line).toContain(PRODUCT);
    await page.close();
  });

  it('an admin retrains the model and sees its progress to the end', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'demo-dispenser-admin');
    await page.goto(`${baseUrl}/#/planner`);
    await page.waitForSelector('#retrain');
    await page.click('#retrain');
    // Page-side code as strings: the test files are type-checked without the DOM library.
    await page.waitForFunction(`/^(succeeded|failed)/.test(document.getElementById('retrain-status').textContent)`, undefined, { timeout: 120_000 });
    expect(await page.textContent('#retrain-status')).toMatch(/^succeeded/);
    await page.waitForFunction(`!/no model/.test(document.getElementById('m-version')?.textContent ?? 'no model')`);
    await shot(page, '07-planner-retrained');
    await page.close();
  });

  it('the exceptions inbox filters by rule, seller and age, and acts on the selected exceptions', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'demo-dispenser-operator');
    await page.waitForURL(/#\/console$/);
    await page.click('#tab-exceptions');
    await page.waitForSelector('#exceptions-inbox');
    await page.selectOption('#x-rule', 'quantity_differs_from_ti');
    await page.fill('#x-partner', MSP.distributor);
    await page.click('#x-apply');
    const row = `#exceptions-inbox tr[data-row="${heldException}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toMatch(/Quantity differs from the transaction information/);
    expect(await page.textContent(`${row} td.x-state`)).toBe('waiting on partner');
    // Nothing in this run is a business day old yet.
    await page.fill('#x-min-age', '1');
    await page.click('#x-apply');
    await page.waitForSelector('#exceptions-inbox caption');
    expect(await page.$(row)).toBeNull();
    await page.fill('#x-min-age', '0');
    await page.click('#x-apply');
    await page.waitForSelector(row);
    await shot(page, '11b-console-exceptions');

    // Refer is refused (already waiting on the seller); resolve by return and close go through.
    await page.check(`${row} input[data-exception]`);
    await page.click('#x-refer');
    await page.waitForSelector('#x-status .notice.error');
    expect(await page.textContent('#x-status')).toMatch(/0 of 1 done.*EXCEPTION_TRANSITION|0 of 1 done/);
    await page.waitForSelector(row);
    await page.check(`${row} input[data-exception]`);
    await page.click('#x-return');
    await page.waitForFunction(`/Resolve by return: 1 of 1 done/.test(document.getElementById('x-status').textContent)`);
    await page.uncheck('#x-open');
    await page.click('#x-apply');
    await page.waitForFunction(`document.querySelector('${row} td.x-state')?.textContent === 'resolved by return'`);
    await page.check(`${row} input[data-exception]`);
    await page.click('#x-close');
    await page.waitForFunction(`/Close: 1 of 1 done/.test(document.getElementById('x-status').textContent)`);
    await page.waitForFunction(`document.querySelector('${row} td.x-state')?.textContent === 'closed'`);
    const closed = await services.dispenser.ok<{ receivingException: { state: string } }>(key('dispenser', 'auditor'), `{ receivingException(id: "${heldException}") { state } }`);
    expect(closed.receivingException.state).toBe('closed');
    await shot(page, '11c-console-exceptions-closed');
    await page.close();
  });

  it('the seller sees the exception raised against its shipment, with the evidence, and answers it with a corrected TI', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'demo-distributor-operator');
    await page.waitForURL(/#\/console$/);
    await page.click('#tab-against');
    await page.fill('#s-receiver', MSP.dispenser);
    await page.click('#s-apply');
    const row = `#exceptions-against tr[data-row="${correctedException}"][data-receiver="${MSP.dispenser}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toMatch(/Quantity differs from the transaction information/);
    expect(await page.textContent(`${row} td.s-evidence`)).toContain(`lot ${LOT}: the TI says 2, the shipment carried 1`);
    // The correction is prefilled from the evidence: the TI line as shipped.
    const textarea = `textarea[id="s-correction-${correctedException}"]`;
    expect(JSON.parse(await page.inputValue(textarea))).toEqual({ ti: [{ gtin: GTIN, lot: LOT, quantity: 1 }] });
    await shot(page, '11d-console-against-our-shipments');

    // A correction that still differs is recorded and sent back to the receiver.
    await page.fill(textarea, JSON.stringify({ ti: [{ gtin: GTIN, lot: LOT, quantity: 3 }] }));
    await page.click(`button[id="s-answer-${correctedException}"]`);
    await page.waitForFunction(`/re-check still fails/.test(document.getElementById('s-status').textContent)`);
    await page.waitForFunction(`document.querySelector('${row} td.s-state')?.textContent === 'open'`);

    await page.fill(textarea, JSON.stringify({ ti: [{ gtin: GTIN, lot: LOT, quantity: 1 }] }));
    await page.fill(`input[id="s-note-${correctedException}"]`, 'Invoice corrected: one pack shipped');
    await page.click(`button[id="s-answer-${correctedException}"]`);
    await page.waitForFunction(`/re-check is clean/.test(document.getElementById('s-status').textContent)`);
    // Resolved: no longer in the open list; shown with every state.
    await page.waitForFunction(`!document.querySelector('${row}')`);
    await page.uncheck('#s-open');
    await page.click('#s-apply');
    await page.waitForFunction(`document.querySelector('${row} td.s-state')?.textContent === 'resolved by correction'`);
    expect(await page.textContent(row)).toMatch(/2 answers so far; last re-check clean/);
    await shot(page, '11e-console-against-answered');
    // The receiver's record says the same: the correction, recorded on the ledger and re-checked.
    type Answered = { receivingException: { state: string; answers: Array<{ recheck: string; note?: string }> } };
    const got = await eventually(() => services.dispenser.ok<Answered>(key('dispenser', 'auditor'), `{ receivingException(id: "${correctedException}") { state answers } }`),
      (x) => x.receivingException.state === 'resolved_by_correction');
    expect(got.receivingException.answers.map((a) => a.recheck)).toEqual(['still_failing', 'clean']);
    expect(got.receivingException.answers[1]?.note).toBe('Invoice corrected: one pack shipped');
    await page.close();
  });

  it('the partner console shows shipments, stock, a pack\'s trace, alerts for a recalled lot, and labels', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'demo-dispenser-operator');
    await page.waitForURL(/#\/console$/);
    await page.waitForSelector('#shipments-inbound tbody tr');
    await shot(page, '08-console-shipments');

    await page.click('#tab-inventory');
    await page.waitForSelector('#inventory tbody tr');
    expect(await page.textContent('#inventory')).toContain(LOT);
    await shot(page, '09-console-inventory');

    await page.click('#tab-trace');
    await page.fill('#trace-epc', epc(1));
    // The dispense was confirmed on the ledger; the read model follows within moments: ask again until it has.
    let steps: (string | null)[] = [];
    for (let attempt = 0; attempt < 30 && steps[steps.length - 1] !== 'dispense'; attempt++) {
      if (attempt > 0) await page.waitForTimeout(500);
      await page.click('text=Trace pack');
      await page.waitForSelector('.timeline li');
      steps = await page.$$eval('.timeline li strong', (s) => s.map((x) => x.textContent));
    }
    expect(steps).toEqual(['commission', 'ship', 'receive', 'ship', 'receive', 'dispense']);
    // Each leg's conditions beside the timeline: only the pharmacy's shipment had a logger, and it ran hot over the leg.
    await page.waitForSelector('#trace-legs table.legs tbody tr');
    const legs = await page.$$eval('#trace-legs tbody tr', (rows) => rows.map((r) => ({ cls: r.className, cells: [...r.querySelectorAll('td')].map((c) => c.textContent ?? '') })));
    const hot = legs.filter((l) => l.cls === 'excursion');
    if (hot.length !== 1) throw new Error(`expected one leg out of range, got ${JSON.stringify(legs)}`);
    expect(hot[0]!.cells[0]).toContain(pharmacyShipment);
    expect(hot[0]!.cells[4]).toBe('13.0 °C');
    expect(hot[0]!.cells[5]).toMatch(/^⚠ [\d.]+ (min|s)$/);
    expect(legs.filter((l) => l.cls === 'uncovered').every((l) => l.cells[7] === 'no logger')).toBe(true);
    expect(legs.length).toBeGreaterThan(1);
    expect(await page.textContent('#trace-legs-summary')).toMatch(/ 1 out of range$/);
    await shot(page, '10-console-trace');

    await page.click('#tab-alerts');
    await page.waitForSelector('#alerts-recalled');
    expect(await page.textContent('#alerts-recalled')).toContain(RECALLED_LOT);
    await shot(page, '11-console-alerts');

    await page.click('#tab-labels');
    await page.fill('#label-gtin', GTIN);
    await page.fill('#label-lot', LOT);
    await page.fill('#label-expiry', '2030-12-31');
    await page.fill('#label-serial', serial(4));
    await page.click('text=Add pack label');
    await page.fill('#label-sscc', withCheckDigit('00312345000000001'));
    await page.click('text=Add SSCC label');
    expect(await page.$$eval('#label-sheet figure svg', (s) => s.length)).toBe(2);
    await shot(page, '12-console-labels');

    // A shipment's logger trace as a chart, the product's range shaded, the excursion marked.
    await page.click('#tab-conditions');
    await page.selectOption('#conditions-kind', 'shipment');
    await page.fill('#conditions-id', pharmacyShipment);
    await page.fill('#conditions-gtin', GTIN);
    await page.click('text=Show conditions');
    await page.waitForSelector('#conditions-chart polyline');
    expect(await page.textContent('#conditions-summary')).toMatch(/^720 readings, .*: 2–8 °C; 1 excursion$/);
    expect(await page.$$eval('#conditions-chart rect.range', (r) => r.length)).toBe(1);
    expect(await page.$$eval('#conditions-chart rect.excursion', (r) => r.length)).toBe(1);
    await shot(page, '13-console-conditions');
    await page.close();
  });
  it('an investigation: opened on a held pack, what is held where, a verification, cleared', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'demo-manufacturer-operator');
    await page.waitForURL(/#\/console$/);
    await page.click('#tab-investigations');
    await page.fill('#inv-packs', epc(HELD));
    await page.fill('#inv-summary', 'web test: carton print differs');
    await page.click('#inv-open-submit');
    await page.waitForFunction(`/Open investigation: done/.test(document.getElementById('inv-status').textContent)`);
    await page.click('#investigations tbody tr:first-child button[data-open]');
    await page.waitForSelector('#inv-holdings');
    expect(await page.textContent('#inv-holdings tbody')).toContain(MSP.dispenser);
    expect(await page.textContent('#inv-detail')).toMatch(/0 of 1 packages verified/);
    await page.selectOption('#inv-verify-outcome', 'genuine');
    await page.click('#inv-record-verification');
    await page.waitForFunction(`/1 of 1 packages verified/.test(document.getElementById('inv-detail').textContent)`);
    expect(await page.textContent('#inv-verifications tbody')).toMatch(/genuine/);
    await shot(page, '14-console-investigation');
    await page.click('#inv-clear');
    await page.waitForFunction(`document.querySelector('#investigations tbody tr:first-child td.inv-state')?.textContent === 'cleared'`);
    await shot(page, '14b-console-investigation-cleared');
    await page.close();
  });

  it('a tracing request: the pharmacy asks, the manufacturer releases its own TI from its console, the pharmacy sees it', async () => {
    const pharmacy = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(pharmacy, 'demo-dispenser-operator');
    await pharmacy.waitForURL(/#\/console$/);
    await pharmacy.click('#tab-tracing');
    await pharmacy.fill('#trc-epc', epc(3));
    await pharmacy.click('#trc-submit');
    await pharmacy.waitForFunction(`/Request: done/.test(document.getElementById('trc-status').textContent)`);
    const { tracingRequests } = await services.dispenser.ok<{ tracingRequests: Array<{ id: string }> }>(key('dispenser', 'auditor'), '{ tracingRequests(direction: out, first: 1) { id } }');
    const id = tracingRequests[0]?.id as string;
    const row = `#tracing-out tr[data-row="${id}"]`;
    await pharmacy.waitForSelector(row);
    expect(await pharmacy.textContent(`${row} td.trc-respondents`)).toMatch(new RegExp(`${MSP.distributor}: due .*; ${MSP.manufacturer}: due`));
    await shot(pharmacy, '15-console-tracing-out');
    await eventually(() => services.manufacturer.ok<{ tracingRequests: Array<{ id: string }> }>(key('manufacturer', 'auditor'), '{ tracingRequests(direction: in) { id } }'), (r) => r.tracingRequests.some((x) => x.id === id));

    const maker = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(maker, 'demo-manufacturer-operator');
    await maker.waitForURL(/#\/console$/);
    await maker.click('#tab-tracing');
    await maker.click(`#tracing-in button[data-answer="${id}"]`);
    await maker.waitForFunction(`/Answer: done/.test(document.getElementById('trc-status').textContent)`);
    // The status says so first; the table follows when the list is read again.
    await maker.waitForFunction(`/answered/.test(document.querySelector('#tracing-in tr[data-row="${id}"] td.trc-due')?.textContent ?? '')`);
    await shot(maker, '15b-console-tracing-in');
    await maker.close();

    // The pharmacy's read model has the answer once its projector has the block: reopen the tab until it shows.
    const released = `document.querySelector('#tracing-out tr[data-row="${id}"] td.trc-released')?.textContent === '1' && /${MSP.manufacturer}: answered/.test(document.querySelector('#tracing-out tr[data-row="${id}"] td.trc-respondents')?.textContent ?? '')`;
    for (let i = 0; i < 30 && !(await pharmacy.evaluate(released)); i++) {
      await pharmacy.click('#tab-tracing');
      await pharmacy.waitForTimeout(1000);
    }
    expect(await pharmacy.textContent(`#tracing-out tr[data-row="${id}"] td.trc-respondents`)).toMatch(new RegExp(`${MSP.manufacturer}: answered`));
    await shot(pharmacy, '15c-console-tracing-released');
    await pharmacy.close();
  });
});
