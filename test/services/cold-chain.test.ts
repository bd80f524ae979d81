import { ndcToGtin14, sgtinToEpcUrn, ssccToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { eventually, key, MSP, RESULT, runId, useServices } from './support';

/**
 * Cold chain on the real network (issue 18): a 2–8 °C product registered with its storage
 * conditions; a case shipped with an in-range logger verifies green at the pharmacy; a case whose
 * logger shows a 3-hour excursion is held at the dock, the scan says so (when, where, how long),
 * and the manufacturer's release frees it; a tampered readings batch no longer matches its anchor.
 */
const NDC = '12345-718-02';
const GTIN = ndcToGtin14(NDC);
const LOT = `C${runId}`.slice(0, 20);
const serial = (n: number) => `K${runId}${n}`.slice(0, 20);
const sgtin = (n: number, gtin = GTIN) => sgtinToEpcUrn(gtin, serial(n));
const stamp = String(Date.now() % 1e8).padStart(8, '0');
const CASE_GOOD = ssccToEpcUrn(withCheckDigit(`10312345${stamp}1`));
const CASE_HOT = ssccToEpcUrn(withCheckDigit(`10312345${stamp}2`));
const CASE_EARLY = ssccToEpcUrn(withCheckDigit(`10312345${stamp}3`));
const CASE_VIA = ssccToEpcUrn(withCheckDigit(`10312345${stamp}4`));
const CASE_FRIDGE = ssccToEpcUrn(withCheckDigit(`10312345${stamp}5`));
const CASE_DAMP = ssccToEpcUrn(withCheckDigit(`10312345${stamp}6`));
/** A moisture-sensitive 2–8 °C product whose label allows no time outside 30–60 % RH. */
const DRY_NDC = '12345-719-02';
const DRY_GTIN = ndcToGtin14(DRY_NDC);
/** The pharmacy's first admitted site (infra/consortium.yaml), where a receipt that names none puts the goods. */
const PHARMACY_GLN = '0356789000008';
const PHARMACY_SITE = 'urn:epc:id:sgln:0356789.00000.0';
const scanOf = (n: number, gtin = GTIN) => `(01)${gtin}(17)301231(10)${LOT}(21)${serial(n)}`;
const STORAGE = '{ minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 60, mktLimitCelsius: 8 } }';

const fixture = useServices('cold', { postgresName: 'e2e-cold-chain' });
const services = fixture.services;
const m = () => services.manufacturer;
const p = () => services.dispenser;
const d = () => services.distributor;

/**
 * A logger trace: one reading a minute over [fromMs, toMs] at 5 °C, and 15 °C over each hot [from, to),
 * with readings a millisecond apart at its edges (legs on the test network last seconds, not hours).
 */
function trace(fromMs: number, toMs: number, hot: ReadonlyArray<readonly [number, number]> = []): Array<{ at: string; celsius: number }> {
  const times = new Set<number>();
  for (let t = fromMs; t <= toMs; t += 60_000) times.add(t);
  for (const [a, b] of hot) for (const t of [a - 1, a, b - 1, b]) times.add(t);
  return [...times].sort((a, b) => a - b).map((t) => ({ at: new Date(t).toISOString(), celsius: hot.some(([a, b]) => t >= a && t < b) ? 15 : 5 }));
}
const HOUR = 3_600_000;
const csvOf = (readings: ReadonlyArray<{ at: string; celsius: number }>) => ['time,temperature', ...readings.map((r) => `${r.at},${r.celsius}`)].join('\n');

type Stretch = { startAt: string; minutes: number; source: { kind: string; id: string } };
type Verification = { dispensable: boolean; reasons: string[]; temperatureExcursions: Array<Stretch & { highestCelsius: number }>; humidityExcursions: Array<Stretch & { highestPercent: number }> };
const verify = async (n: number, gtin = GTIN) => (await p().ok<{ verifyPack: Verification }>(key('dispenser', 'pharmacist'),
  `mutation($s: String!) { verifyPack(scan: $s) { dispensable reasons temperatureExcursions { startAt minutes highestCelsius source { kind id } } humidityExcursions { startAt minutes highestPercent source { kind id } } } }`, { s: scanOf(n, gtin) })).verifyPack;

interface Shipped { shipmentId: string; packedAfter: number; shippedAt: number; receivedAt: number }

async function shipCase(kase: string, first: number, atDock?: () => Promise<void>, product = { ndc: NDC, gtin: GTIN }): Promise<Shipped> {
  const packedAfter = Date.now();
  await m().ok(key('manufacturer', 'operator'), `mutation($c: [String!]!) { packContainer(sscc: "${kase}", children: $c) { transactionId } }`, { c: [sgtin(first, product.gtin), sgtin(first + 1, product.gtin)] });
  const shipped = await m().ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
    `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
    { e: [kase], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DispenserMSP', products: [{ ndc: product.ndc, lot: LOT, quantity: 2 }] } });
  const shipmentId = shipped.shipPacks.shipmentId;
  const shipment = `{ shipment(id: "${shipmentId}") { shippedAt receivedAt } }`;
  await eventually(() => p().ok<{ shipment: { shippedAt: string } | null }>(key('dispenser', 'operator'), shipment), (r) => r.shipment !== null);
  await atDock?.();
  await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [kase] });
  const seen = await eventually(() => p().ok<{ shipment: { shippedAt: string; receivedAt: string | null } }>(key('dispenser', 'operator'), shipment), (r) => r.shipment.receivedAt !== null);
  return { shipmentId, packedAfter, shippedAt: Date.parse(seen.shipment.shippedAt), receivedAt: Date.parse(seen.shipment.receivedAt as string) };
}

const TI = (seller: string, buyer: string) => ({ transactionDate: new Date().toISOString().slice(0, 10), seller, buyer, products: [{ ndc: NDC, lot: LOT, quantity: 2 }] });

/** The manufacturer sells a case to the distributor, which sells it on to the pharmacy: the manufacturer is not the pharmacy's seller. */
async function shipViaDistributor(kase: string, first: number): Promise<{ shipmentId: string; shippedAt: number; receivedAt: number }> {
  await m().ok(key('manufacturer', 'operator'), `mutation($c: [String!]!) { packContainer(sscc: "${kase}", children: $c) { transactionId } }`, { c: [sgtin(first), sgtin(first + 1)] });
  const first_ = await m().ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
    `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`, { e: [kase], ti: TI('ManufacturerMSP', 'DistributorMSP') });
  await eventually(() => d().ok<{ shipment: { id: string } | null }>(key('distributor', 'operator'), `{ shipment(id: "${first_.shipPacks.shipmentId}") { id } }`), (r) => r.shipment !== null);
  await d().ok(key('distributor', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [kase] });
  const second = await eventually(() => d().gql<{ shipPacks: { shipmentId: string } }>(key('distributor', 'operator'),
    `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`, { e: [kase], ti: TI('DistributorMSP', 'DispenserMSP') }), (r) => !r.errors?.length);
  const shipmentId = (second.data as { shipPacks: { shipmentId: string } }).shipPacks.shipmentId;
  const shipment = `{ shipment(id: "${shipmentId}") { shippedAt receivedAt } }`;
  await eventually(() => p().ok<{ shipment: { shippedAt: string } | null }>(key('dispenser', 'operator'), shipment), (r) => r.shipment !== null);
  await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [kase] });
  const seen = await eventually(() => p().ok<{ shipment: { shippedAt: string; receivedAt: string | null } }>(key('dispenser', 'operator'), shipment), (r) => r.shipment.receivedAt !== null);
  return { shipmentId, shippedAt: Date.parse(seen.shipment.shippedAt), receivedAt: Date.parse(seen.shipment.receivedAt as string) };
}

describe('cold chain: storage conditions, loggers, excursions at the dock and the counter', () => {
  let hotShipment: string;
  let hotBatch: string;
  let hotReadings: number;
  let exceptionId: string;

  it('the manufacturer registers a 2–8 °C product with its excursion budget; the pharmacy sees it', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Coldamab 100 U/mL", strength: "100 U/mL", dosageForm: "injection", packSize: "5 pens", storage: ${STORAGE}) { transactionId } }`);
    const product = await eventually(() => p().ok<{ product: { storage: { label: string; budget: { maxMinutesOutOfRange: number; activationEnergyKjPerMol: number } } | null } | null }>(key('dispenser', 'operator'),
      `{ product(gtin: "${GTIN}") { storage { label budget { maxMinutesOutOfRange activationEnergyKjPerMol } } } }`), (r) => !!r.product);
    expect(product.product?.storage).toEqual({ label: '2–8 °C', budget: { maxMinutesOutOfRange: 60, activationEnergyKjPerMol: 83.144 } });
    const refused = await m().gql(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "x", strength: "x", dosageForm: "x", packSize: "x", storage: { minCelsius: 8, maxCelsius: 2, budget: { maxMinutesOutOfRange: 1 } }) { transactionId } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/storage\.maxCelsius/);
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(serial) });
  });

  it('a case whose logger stayed in range (EPCIS 2.0 sensor report) verifies green at the pharmacy', async () => {
    const { shipmentId, packedAfter, receivedAt } = await shipCase(CASE_GOOD, 1);
    const readings = trace(packedAfter - 4 * HOUR, receivedAt + 2 * 60_000);
    const document = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(),
      epcisBody: { eventList: [{
        type: 'ObjectEvent', eventTime: readings[readings.length - 1]!.at, eventTimeZoneOffset: '+00:00', epcList: [CASE_GOOD], action: 'OBSERVE', bizStep: 'sensor_reporting',
        sensorElementList: [{ sensorMetadata: { deviceID: 'urn:epc:id:giai:0312345.LOGGER1' }, sensorReport: readings.map((r) => ({ type: 'gs1:Temperature', value: r.celsius, uom: 'CEL', time: r.at })) }],
      }] },
    };
    const uploaded = await p().ok<{ uploadReadings: { id: string; readingCount: number; format: string; anchorTransactionId: string | null } }>(key('dispenser', 'operator'),
      `mutation($d: String!) { uploadReadings(source: { kind: container, id: "${CASE_GOOD}" }, epcisDocument: $d) { id readingCount format anchorTransactionId } }`, { d: JSON.stringify(document) });
    expect(uploaded.uploadReadings).toMatchObject({ readingCount: readings.length, format: 'epcis-json' });
    expect(uploaded.uploadReadings.anchorTransactionId).toBeTruthy();
    const conditions = await p().ok<{ shipmentConditions: { excursion: boolean; packs: Array<{ withinBudget: boolean; minutesOutOfRange: number }> } }>(key('dispenser', 'operator'),
      `{ shipmentConditions(shipmentId: "${shipmentId}") { excursion packs { withinBudget minutesOutOfRange } } }`);
    expect(conditions.shipmentConditions.excursion).toBe(false);
    expect(conditions.shipmentConditions.packs).toEqual([{ withinBudget: true, minutesOutOfRange: 0 }, { withinBudget: true, minutesOutOfRange: 0 }]);
    expect(await p().ok(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${shipmentId}") { transactionId } }`)).toEqual({ raiseTemperatureExcursions: null });
    expect(await verify(1)).toMatchObject({ dispensable: true, reasons: [], temperatureExcursions: [] });
  });

  it("a case logger's 3-hour excursion before the packs were packed into it does not count against them", async () => {
    const { shipmentId, packedAfter, receivedAt } = await shipCase(CASE_EARLY, 5);
    const readings = trace(packedAfter - 5 * HOUR, receivedAt + 2 * 60_000, [[packedAfter - 4 * HOUR, packedAfter - HOUR]]);
    await p().ok(key('dispenser', 'operator'), `mutation($c: String!) { uploadReadings(source: { kind: container, id: "${CASE_EARLY}" }, csv: $c, deviceId: "TL-5") { id } }`, { c: csvOf(readings) });
    const stored = await p().ok<{ conditionReadings: Array<{ celsius: number }> }>(key('dispenser', 'operator'), `{ conditionReadings(source: { kind: container, id: "${CASE_EARLY}" }) { celsius } }`);
    expect(stored.conditionReadings.filter((r) => r.celsius > 8).length).toBeGreaterThan(180);
    const conditions = await p().ok<{ shipmentConditions: { excursion: boolean; packs: Array<{ withinBudget: boolean; minutesOutOfRange: number; mktCelsius: number | null }> } }>(key('dispenser', 'operator'),
      `{ shipmentConditions(shipmentId: "${shipmentId}") { excursion packs { withinBudget minutesOutOfRange mktCelsius } } }`);
    expect(conditions.shipmentConditions.excursion).toBe(false);
    // The case's logger speaks for each pack from its packing to the receipt (at 5 °C), and not before.
    for (const pack of conditions.shipmentConditions.packs) expect(pack).toEqual({ withinBudget: true, minutesOutOfRange: 0, mktCelsius: expect.closeTo(5, 6) });
  });

  it('a case whose shipment logger ran hot over its leg is flagged at the dock and held; the scan says when, where and how long', async () => {
    const shipped = await shipCase(CASE_HOT, 3);
    hotShipment = shipped.shipmentId;
    const readings = trace(shipped.packedAfter - 6 * HOUR, shipped.receivedAt + 2 * 60_000, [[shipped.shippedAt, shipped.receivedAt]]);
    hotReadings = readings.filter((r) => r.celsius > 8).length;
    const uploaded = await p().ok<{ uploadReadings: { id: string; readingCount: number } }>(key('dispenser', 'operator'),
      `mutation($c: String!) { uploadReadings(source: { kind: shipment, id: "${hotShipment}" }, csv: $c, deviceId: "TL-7") { id readingCount } }`, { c: csvOf(readings) });
    hotBatch = uploaded.uploadReadings.id;
    // The pack's trace timeline: each custody leg with its own logger's conditions, "no logger" for the case.
    type Leg = { source: { kind: string; id: string }; from: string; covered: boolean; loggers: string[]; maxCelsius: number | null; mktCelsius: number | null };
    const timeline = await p().ok<{ packConditions: Leg[] }>(key('dispenser', 'operator'), `{ packConditions(epc: "${sgtin(3)}") { source { kind id } from covered loggers maxCelsius mktCelsius } }`);
    expect(timeline.packConditions.map((l) => [l.source.kind, l.covered, l.loggers])).toEqual([['container', false, []], ['shipment', true, ['TL-7']], ['location', false, []]]);
    expect(timeline.packConditions[1]).toMatchObject({ source: { kind: 'shipment', id: hotShipment }, from: new Date(shipped.shippedAt).toISOString(), maxCelsius: 15, mktCelsius: expect.closeTo(15, 0) });
    const conditions = await p().ok<{ shipmentConditions: { excursion: boolean; findings: string[]; packs: Array<{ breaches: string[]; mktCelsius: number }> } }>(key('dispenser', 'operator'),
      `{ shipmentConditions(shipmentId: "${hotShipment}") { excursion findings packs { breaches mktCelsius } } }`);
    expect(conditions.shipmentConditions.excursion).toBe(true);
    // The leg lasts seconds here, so it is the MKT over the pack's monitored time (the leg, at 15 °C) that breaks the budget.
    expect(conditions.shipmentConditions.findings[0]).toMatch(/^temperature excursion: 2 pack\(s\) of .* outside 2–8 °C \(budget 60 min, MKT 15\.0 °C\)/);
    expect(conditions.shipmentConditions.packs.map((x) => x.breaches)).toEqual([['mkt_above_limit'], ['mkt_above_limit']]);
    const raised = await p().ok<{ raiseTemperatureExcursions: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${hotShipment}") { exceptions } }`);
    expect(raised.raiseTemperatureExcursions.exceptions).toHaveLength(1);
    exceptionId = raised.raiseTemperatureExcursions.exceptions[0]!;
    const v = await verify(3);
    expect(v.dispensable).toBe(false);
    expect(v.reasons).toContain('TEMPERATURE_EXCURSION');
    expect(v.temperatureExcursions).toHaveLength(1);
    const x = v.temperatureExcursions[0]!;
    expect(x).toMatchObject({ highestCelsius: 15, source: { kind: 'shipment', id: hotShipment } });
    // Within the leg: from the shipping to the receipt, to the tenth of a minute.
    expect(Date.parse(x.startAt)).toBeGreaterThanOrEqual(shipped.shippedAt);
    expect(Math.abs(x.minutes - (shipped.receivedAt - shipped.shippedAt) / 60_000)).toBeLessThanOrEqual(0.1);
  });

  it("the manufacturer sees it and releases on stability data; the holder's release frees the packs", async () => {
    const seen = await eventually(() => m().ok<{ exceptionsAgainstMyShipments: { edges: Array<{ node: { id: string; rule: string; receiver: string } }> } }>(key('manufacturer', 'operator'),
      `{ exceptionsAgainstMyShipments(filter: { shipmentId: "${hotShipment}" }) { edges { node { id rule receiver } } } }`), (r) => r.exceptionsAgainstMyShipments.edges.length > 0);
    expect(seen.exceptionsAgainstMyShipments.edges[0]?.node).toEqual({ id: exceptionId, rule: 'temperature_excursion', receiver: MSP.dispenser });
    const withoutData = await m().gql(key('manufacturer', 'operator'), `mutation { decideExcursion(receiver: "${MSP.dispenser}", exceptionId: "${exceptionId}", decision: release) { transactionId } }`);
    expect(withoutData.errors?.[0]?.message).toMatch(/stabilityDataRef/);
    await m().ok(key('manufacturer', 'operator'), `mutation { decideExcursion(receiver: "${MSP.dispenser}", exceptionId: "${exceptionId}", decision: release, stabilityDataRef: "STAB-718-02: 25 °C for 72 h") { transactionId } }`);
    await p().ok(key('dispenser', 'operator'), `mutation { applyExcursionDecision(exceptionId: "${exceptionId}") { transactionId } }`);
    expect(await verify(3)).toMatchObject({ dispensable: true, reasons: [], temperatureExcursions: [] });
  });

  it("an excursion on a case the distributor sold is the manufacturer's to see and decide; no other exception reaches it", async () => {
    const leg = await shipViaDistributor(CASE_VIA, 7);
    const readings = trace(leg.shippedAt - HOUR, leg.receivedAt + 2 * 60_000, [[leg.shippedAt, leg.receivedAt]]);
    await p().ok(key('dispenser', 'operator'), `mutation($c: String!) { uploadReadings(source: { kind: shipment, id: "${leg.shipmentId}" }, csv: $c) { id } }`, { c: csvOf(readings) });
    const raised = await p().ok<{ raiseTemperatureExcursions: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${leg.shipmentId}") { exceptions } }`);
    const excursion = raised.raiseTemperatureExcursions.exceptions[0]!;
    // Another exception on the same shipment, between the pharmacy and the distributor only.
    const other = await p().ok<{ raiseException: { exceptions: string[] } }>(key('dispenser', 'operator'),
      `mutation { raiseException(shipmentId: "${leg.shipmentId}", rule: seal_broken, subjects: ["${sgtin(7)}"], summary: "tape cut") { exceptions } }`);
    const otherId = other.raiseException.exceptions[0]!;

    type Excursions = { excursionsOfMyProducts: { edges: Array<{ cursor: string; node: { id: string; receiver: string; seller: string; rule: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const seen = await eventually(() => m().ok<Excursions>(key('manufacturer', 'operator'),
      `{ excursionsOfMyProducts(openOnly: true) { edges { node { id receiver seller rule } } } }`), (r) => r.excursionsOfMyProducts.edges.some((x) => x.node.id === excursion));
    expect(seen.excursionsOfMyProducts.edges.find((x) => x.node.id === excursion)?.node).toEqual({ id: excursion, receiver: MSP.dispenser, seller: MSP.distributor, rule: 'temperature_excursion' });
    // Paged one at a time, newest first: the walk meets both excursions of this run once each, this one first.
    const walked: string[] = [];
    let after: string | null = null;
    do {
      const page: Excursions = await m().ok<Excursions>(key('manufacturer', 'operator'), `query($a: String) { excursionsOfMyProducts(first: 1, after: $a) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, { a: after });
      expect(page.excursionsOfMyProducts.edges.length).toBeLessThanOrEqual(1);
      walked.push(...page.excursionsOfMyProducts.edges.map((e) => e.node.id));
      after = page.excursionsOfMyProducts.pageInfo.hasNextPage ? page.excursionsOfMyProducts.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.filter((id) => id === excursion || id === exceptionId)).toEqual([excursion, exceptionId]);
    const badCursor = await m().gql(key('manufacturer', 'operator'), `{ excursionsOfMyProducts(after: "not a cursor") { edges { cursor } } }`);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', domainCode: 'PAGE_CURSOR_INVALID' });
    // What each read model keeps (the channel's earlier runs included): the manufacturer, what it is a party to and excursions on its
    // products, never this seal; the distributor, what it is a party to, never the manufacturer's own shipment's excursion.
    type Kept = { id: string; rule: string; seller: string; receiver: string };
    const kept = (role: string) => fixture.postgres().query<Kept>(`cold_${role}_${runId}`, `SELECT id, rule, seller, receiver FROM receiving_exceptions`);
    const atManufacturer = await kept('manufacturer');
    expect(atManufacturer.map((x) => x.id)).toEqual(expect.arrayContaining([exceptionId, excursion]));
    expect(atManufacturer.map((x) => x.id)).not.toContain(otherId);
    expect(atManufacturer.filter((x) => x.seller !== MSP.manufacturer && x.receiver !== MSP.manufacturer && x.rule !== 'temperature_excursion')).toEqual([]);
    const atDistributor = await eventually(() => kept('distributor'), (rows) => rows.some((x) => x.id === otherId));
    expect(atDistributor.map((x) => x.id)).toEqual(expect.arrayContaining([excursion, otherId]));
    expect(atDistributor.map((x) => x.id)).not.toContain(exceptionId);
    expect(atDistributor.filter((x) => x.seller !== MSP.distributor && x.receiver !== MSP.distributor)).toEqual([]);
    expect(await d().ok(key('distributor', 'operator'), `{ excursionsOfMyProducts { edges { cursor } pageInfo { hasNextPage } } }`)).toEqual({ excursionsOfMyProducts: { edges: [], pageInfo: { hasNextPage: false } } });
    await m().ok(key('manufacturer', 'operator'), `mutation { decideExcursion(receiver: "${MSP.dispenser}", exceptionId: "${excursion}", decision: destroy) { transactionId } }`);
  });

  it("a pack stored at the pharmacy's site is held when the site's fridge logger runs hot, and the scan says where", async () => {
    // The receipt names the pharmacy's own site: another organisation's is refused and changes nothing.
    const stored = await shipCase(CASE_FRIDGE, 9, async () => {
      const refused = await p().gql(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e, site: "urn:epc:id:sgln:0345678.00000.0") { transactionId } }`, { e: [CASE_FRIDGE] });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', domainCode: 'SITE_NOT_HELD' });
    });
    // The receipt's EPCIS event names the site (bizLocation), and the pack's custody runs on there from the receipt.
    type Leg = { source: { kind: string; id: string }; from: string; covered: boolean; loggers: string[] };
    const before = await p().ok<{ packConditions: Leg[] }>(key('dispenser', 'operator'), `{ packConditions(epc: "${sgtin(9)}") { source { kind id } from covered loggers } }`);
    expect(before.packConditions.map((l) => l.source.kind)).toEqual(['container', 'shipment', 'location']);
    expect(before.packConditions[2]).toMatchObject({ source: { kind: 'location', id: PHARMACY_SITE }, from: new Date(stored.receivedAt).toISOString(), covered: false });
    // The fridge logger, uploaded for the site's GLN: in range before the receipt, hot from it on (the stay lasts seconds here, so the MKT breaks the budget).
    const end = Date.now() + 2 * 60_000;
    const readings = trace(stored.packedAfter - 2 * HOUR, end, [[stored.receivedAt, end]]);
    await p().ok(key('dispenser', 'operator'), `mutation($c: String!) { uploadReadings(source: { kind: location, id: "${PHARMACY_GLN}" }, csv: $c, deviceId: "FRIDGE-1") { id } }`, { c: csvOf(readings) });
    const timeline = await p().ok<{ packConditions: Leg[] }>(key('dispenser', 'operator'), `{ packConditions(epc: "${sgtin(9)}") { source { kind id } from covered loggers } }`);
    expect(timeline.packConditions[2]).toMatchObject({ source: { kind: 'location', id: PHARMACY_SITE }, covered: true, loggers: ['FRIDGE-1'] });
    // The dock check judged the load at its receipt: the fridge is not its concern. The site's storage check is.
    const dock = await p().ok<{ shipmentConditions: { excursion: boolean } }>(key('dispenser', 'operator'), `{ shipmentConditions(shipmentId: "${stored.shipmentId}") { excursion } }`);
    expect(dock.shipmentConditions.excursion).toBe(false);
    const site = await p().ok<{ locationConditions: Array<{ shipmentId: string; excursion: boolean; packs: Array<{ epc: string; breaches: string[] }> }> }>(key('dispenser', 'operator'),
      `{ locationConditions(location: "${PHARMACY_GLN}") { shipmentId excursion packs { epc breaches } } }`);
    const fridge = site.locationConditions.find((c) => c.shipmentId === stored.shipmentId);
    expect(fridge?.excursion).toBe(true);
    expect(fridge?.packs.map((x) => [x.epc, x.breaches]).sort()).toEqual([[sgtin(10), ['mkt_above_limit']], [sgtin(9), ['mkt_above_limit']]].sort());
    // Every pack in the fridge while it ran hot is judged, the earlier cases' included: at least this shipment's is raised.
    const raised = await p().ok<{ raiseLocationExcursions: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation { raiseLocationExcursions(location: "${PHARMACY_SITE}") { exceptions } }`);
    expect(raised.raiseLocationExcursions.exceptions.length).toBeGreaterThanOrEqual(1);
    const v = await verify(9);
    expect(v.dispensable).toBe(false);
    expect(v.reasons).toContain('TEMPERATURE_EXCURSION');
    expect(v.temperatureExcursions).toHaveLength(1);
    expect(v.temperatureExcursions[0]).toMatchObject({ highestCelsius: 15, source: { kind: 'location', id: PHARMACY_SITE } });
    expect(Math.abs(Date.parse(v.temperatureExcursions[0]!.startAt) - stored.receivedAt)).toBeLessThanOrEqual(1);
    // Packs already held by an excursion are not raised twice. (Other packs at the site may cross their budget meanwhile, the fridge
    // still running hot, and be raised now: the channel keeps earlier runs' packs at this site.)
    type Raised = { raiseLocationExcursions: { exceptions: string[] } | null };
    const subjectsOf = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => p().ok<{ receivingException: { subjects: string[] } }>(key('dispenser', 'operator'),
      `{ receivingException(id: "${id}") { subjects } }`)))).flatMap((x) => x.receivingException.subjects);
    const first = await subjectsOf(raised.raiseLocationExcursions.exceptions);
    expect(first).toEqual(expect.arrayContaining([sgtin(9), sgtin(10)]));
    const again = await p().ok<Raised>(key('dispenser', 'operator'), `mutation { raiseLocationExcursions(location: "${PHARMACY_SITE}") { exceptions } }`);
    const second = await subjectsOf(again.raiseLocationExcursions?.exceptions ?? []);
    expect(second.filter((epc) => first.includes(epc))).toEqual([]);
  });

  it('a case held for humidity alone says "humidity excursion" at the counter, with when, where and how long', async () => {
    // The leg lasts seconds here: a humidity budget of 0 min (no time outside the range) is what seconds can break.
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${DRY_NDC}", name: "Coldamab dry powder", strength: "50 mg", dosageForm: "powder for injection", packSize: "1 vial", storage: { minCelsius: 2, maxCelsius: 8, humidity: { minPercent: 30, maxPercent: 60, maxMinutesOutOfRange: 0 }, budget: { maxMinutesOutOfRange: 60, mktLimitCelsius: 8 } }) { transactionId } }`);
    await eventually(() => p().ok<{ product: { storage: unknown } | null }>(key('dispenser', 'operator'), `{ product(gtin: "${DRY_GTIN}") { storage { label } } }`), (r) => !!r.product?.storage);
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${DRY_GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: [11, 12].map(serial) });
    const leg = await shipCase(CASE_DAMP, 11, undefined, { ndc: DRY_NDC, gtin: DRY_GTIN });
    // In range for temperature throughout; 75 % RH over the leg.
    const readings = trace(leg.shippedAt - HOUR, leg.receivedAt + 2 * 60_000, [[leg.shippedAt, leg.receivedAt]]).map((r) => `${r.at},5,${r.celsius > 8 ? 75 : 50}`);
    await p().ok(key('dispenser', 'operator'), `mutation($c: String!) { uploadReadings(source: { kind: shipment, id: "${leg.shipmentId}" }, csv: $c, deviceId: "TL-9") { id } }`, { c: ['time,temperature,humidity', ...readings].join('\n') });
    const dock = await p().ok<{ shipmentConditions: { findings: string[]; packs: Array<{ breaches: string[]; minutesOutOfRange: number }> } }>(key('dispenser', 'operator'),
      `{ shipmentConditions(shipmentId: "${leg.shipmentId}") { findings packs { breaches minutesOutOfRange } } }`);
    expect(dock.shipmentConditions.findings[0]).toMatch(/^humidity excursion: 2 pack\(s\) of .* outside 30–60 % RH \(budget 0 min\)$/);
    expect(dock.shipmentConditions.packs).toEqual([{ breaches: ['humidity_minutes_out_of_range'], minutesOutOfRange: 0 }, { breaches: ['humidity_minutes_out_of_range'], minutesOutOfRange: 0 }]);
    await p().ok(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${leg.shipmentId}") { exceptions } }`);
    const v = await verify(11, DRY_GTIN);
    // The hold's quarantine also reads SUSPECT, as for the temperature case: what matters is which excursion it names.
    expect(v).toMatchObject({ dispensable: false, temperatureExcursions: [] });
    expect(v.reasons).toContain('HUMIDITY_EXCURSION');
    expect(v.reasons).not.toContain('TEMPERATURE_EXCURSION');
    expect(v.humidityExcursions).toHaveLength(1);
    expect(v.humidityExcursions[0]).toMatchObject({ highestPercent: 75, source: { kind: 'shipment', id: leg.shipmentId } });
    expect(Date.parse(v.humidityExcursions[0]!.startAt)).toBeGreaterThanOrEqual(leg.shippedAt);
    expect(Math.abs(v.humidityExcursions[0]!.minutes - (leg.receivedAt - leg.shippedAt) / 60_000)).toBeLessThanOrEqual(0.1);
  });

  it('a stored readings batch matches its anchor until someone edits it', async () => {
    const check = async () => (await p().ok<{ checkReadingsBatch: { matches: boolean; anchoredBy: string | null } }>(key('dispenser', 'auditor'), `{ checkReadingsBatch(id: "${hotBatch}") { matches anchoredBy } }`)).checkReadingsBatch;
    expect(await check()).toEqual({ matches: true, anchoredBy: MSP.dispenser });
    // Someone with database access cools the excursion down behind the ledger's back.
    const changed = await fixture.postgres().query(`cold_dispenser_${runId}`, `UPDATE condition_readings SET celsius = 5 WHERE "batchId" = $1 AND celsius > 8 RETURNING "atMs"`, [hotBatch]);
    expect(changed.length).toBe(hotReadings);
    expect(await check()).toEqual({ matches: false, anchoredBy: MSP.dispenser });
  });
});
