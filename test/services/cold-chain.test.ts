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
const sgtin = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
const stamp = String(Date.now() % 1e8).padStart(8, '0');
const CASE_GOOD = ssccToEpcUrn(withCheckDigit(`10312345${stamp}1`));
const CASE_HOT = ssccToEpcUrn(withCheckDigit(`10312345${stamp}2`));
const scanOf = (n: number) => `(01)${GTIN}(17)301231(10)${LOT}(21)${serial(n)}`;
const STORAGE = '{ minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 60, mktLimitCelsius: 8 } }';

const fixture = useServices('cold', { postgresName: 'e2e-cold-chain' });
const services = fixture.services;
const m = () => services.manufacturer;
const p = () => services.dispenser;

/** A logger trace: one reading a minute over the last `minutes`, `hot` minutes [from, to) at 15 °C, else 5 °C. */
function trace(minutes: number, hot?: [number, number]): Array<{ at: string; celsius: number }> {
  const start = Date.now() - (minutes + 1) * 60_000;
  return Array.from({ length: minutes }, (_, i) => ({ at: new Date(start + i * 60_000).toISOString(), celsius: hot && i >= hot[0] && i < hot[1] ? 15 : 5 }));
}

type Verification = { dispensable: boolean; reasons: string[]; temperatureExcursions: Array<{ startAt: string; minutes: number; highestCelsius: number; source: { kind: string; id: string } }> };
const verify = async (n: number) => (await p().ok<{ verifyPack: Verification }>(key('dispenser', 'pharmacist'),
  `mutation($s: String!) { verifyPack(scan: $s) { dispensable reasons temperatureExcursions { startAt minutes highestCelsius source { kind id } } } }`, { s: scanOf(n) })).verifyPack;

async function shipCase(kase: string, first: number): Promise<string> {
  await m().ok(key('manufacturer', 'operator'), `mutation($c: [String!]!) { packContainer(sscc: "${kase}", children: $c) { transactionId } }`, { c: [sgtin(first), sgtin(first + 1)] });
  const shipped = await m().ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
    `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
    { e: [kase], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DispenserMSP', products: [{ ndc: NDC, lot: LOT, quantity: 2 }] } });
  await eventually(() => p().ok<{ shipment: { id: string } | null }>(key('dispenser', 'operator'), `{ shipment(id: "${shipped.shipPacks.shipmentId}") { id } }`), (r) => r.shipment !== null);
  await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [kase] });
  return shipped.shipPacks.shipmentId;
}

describe('cold chain: storage conditions, loggers, excursions at the dock and the counter', () => {
  let hotShipment: string;
  let hotBatch: string;
  let exceptionId: string;

  it('the manufacturer registers a 2–8 °C product with its excursion budget; the pharmacy sees it', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Coldamab 100 U/mL", strength: "100 U/mL", dosageForm: "injection", packSize: "5 pens", storage: ${STORAGE}) { transactionId } }`);
    const product = await eventually(() => p().ok<{ product: { storage: { label: string; budget: { maxMinutesOutOfRange: number; activationEnergyKjPerMol: number } } | null } | null }>(key('dispenser', 'operator'),
      `{ product(gtin: "${GTIN}") { storage { label budget { maxMinutesOutOfRange activationEnergyKjPerMol } } } }`), (r) => !!r.product);
    expect(product.product?.storage).toEqual({ label: '2–8 °C', budget: { maxMinutesOutOfRange: 60, activationEnergyKjPerMol: 83.144 } });
    const refused = await m().gql(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "x", strength: "x", dosageForm: "x", packSize: "x", storage: { minCelsius: 8, maxCelsius: 2, budget: { maxMinutesOutOfRange: 1 } }) { transactionId } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/storage\.maxCelsius/);
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { transactionId } }`, { s: [1, 2, 3, 4].map(serial) });
  });

  it('a case whose logger stayed in range (EPCIS 2.0 sensor report) verifies green at the pharmacy', async () => {
    const shipmentId = await shipCase(CASE_GOOD, 1);
    const readings = trace(240);
    const document = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(),
      epcisBody: { eventList: [{
        type: 'ObjectEvent', eventTime: readings[readings.length - 1]!.at, eventTimeZoneOffset: '+00:00', epcList: [CASE_GOOD], action: 'OBSERVE', bizStep: 'sensor_reporting',
        sensorElementList: [{ sensorMetadata: { deviceID: 'urn:epc:id:giai:0312345.LOGGER1' }, sensorReport: readings.map((r) => ({ type: 'gs1:Temperature', value: r.celsius, uom: 'CEL', time: r.at })) }],
      }] },
    };
    const uploaded = await p().ok<{ uploadReadings: { id: string; readingCount: number; format: string; anchorTransactionId: string | null } }>(key('dispenser', 'operator'),
      `mutation($d: String!) { uploadReadings(source: { kind: container, id: "${CASE_GOOD}" }, epcisDocument: $d) { id readingCount format anchorTransactionId } }`, { d: JSON.stringify(document) });
    expect(uploaded.uploadReadings).toMatchObject({ readingCount: 240, format: 'epcis-json' });
    expect(uploaded.uploadReadings.anchorTransactionId).toBeTruthy();
    const conditions = await p().ok<{ shipmentConditions: { excursion: boolean; packs: Array<{ withinBudget: boolean; minutesOutOfRange: number }> } }>(key('dispenser', 'operator'),
      `{ shipmentConditions(shipmentId: "${shipmentId}") { excursion packs { withinBudget minutesOutOfRange } } }`);
    expect(conditions.shipmentConditions.excursion).toBe(false);
    expect(conditions.shipmentConditions.packs).toEqual([{ withinBudget: true, minutesOutOfRange: 0 }, { withinBudget: true, minutesOutOfRange: 0 }]);
    expect(await p().ok(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${shipmentId}") { transactionId } }`)).toEqual({ raiseTemperatureExcursions: null });
    expect(await verify(1)).toMatchObject({ dispensable: true, reasons: [], temperatureExcursions: [] });
  });

  it('a case with a 3-hour excursion on its leg is flagged at the dock and held; the scan says when, where and how long', async () => {
    hotShipment = await shipCase(CASE_HOT, 3);
    const csv = ['time,temperature', ...trace(360, [60, 240]).map((r) => `${r.at},${r.celsius}`)].join('\n');
    const uploaded = await p().ok<{ uploadReadings: { id: string; readingCount: number } }>(key('dispenser', 'operator'),
      `mutation($c: String!) { uploadReadings(source: { kind: shipment, id: "${hotShipment}" }, csv: $c, deviceId: "TL-7") { id readingCount } }`, { c: csv });
    hotBatch = uploaded.uploadReadings.id;
    const conditions = await p().ok<{ shipmentConditions: { excursion: boolean; findings: string[] } }>(key('dispenser', 'operator'), `{ shipmentConditions(shipmentId: "${hotShipment}") { excursion findings } }`);
    expect(conditions.shipmentConditions.excursion).toBe(true);
    expect(conditions.shipmentConditions.findings[0]).toMatch(/^temperature excursion: 2 pack\(s\) of .* spent 18\d min outside 2–8 °C/);
    const raised = await p().ok<{ raiseTemperatureExcursions: { exceptions: string[] } }>(key('dispenser', 'operator'), `mutation { raiseTemperatureExcursions(shipmentId: "${hotShipment}") { exceptions } }`);
    expect(raised.raiseTemperatureExcursions.exceptions).toHaveLength(1);
    exceptionId = raised.raiseTemperatureExcursions.exceptions[0]!;
    const v = await verify(3);
    expect(v.dispensable).toBe(false);
    expect(v.reasons).toContain('TEMPERATURE_EXCURSION');
    expect(v.temperatureExcursions).toHaveLength(1);
    expect(v.temperatureExcursions[0]).toMatchObject({ highestCelsius: 15, source: { kind: 'shipment', id: hotShipment } });
    expect(v.temperatureExcursions[0]!.minutes).toBeGreaterThan(179);
    expect(v.temperatureExcursions[0]!.minutes).toBeLessThan(182);
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

  it('a stored readings batch matches its anchor until someone edits it', async () => {
    const check = async () => (await p().ok<{ checkReadingsBatch: { matches: boolean; anchoredBy: string | null } }>(key('dispenser', 'auditor'), `{ checkReadingsBatch(id: "${hotBatch}") { matches anchoredBy } }`)).checkReadingsBatch;
    expect(await check()).toEqual({ matches: true, anchoredBy: MSP.dispenser });
    // Someone with database access cools the excursion down behind the ledger's back.
    const changed = await fixture.postgres().query(`cold_dispenser_${runId}`, `UPDATE condition_readings SET celsius = 5 WHERE "batchId" = $1 AND celsius > 8 RETURNING "atMs"`, [hotBatch]);
    expect(changed.length).toBe(180);
    expect(await check()).toEqual({ matches: false, anchoredBy: MSP.dispenser });
  });
});
