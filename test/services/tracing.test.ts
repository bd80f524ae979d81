import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { eventually, key, MSP, RESULT, runId, Service, useServices } from './support';

/**
 * A tracing request on the real network (issue 14): a pack goes manufacturer → distributor → Main
 * Street pharmacy → Riverside pharmacy; Riverside, investigating, asks for its Transaction
 * Information. The ledger answers the owners at once; each of the three earlier owners releases the
 * TI of its own sales and purchases of the pack to Riverside only, each checked against the public
 * hash; Riverside reads it on its own peer; no other member can read another's release.
 */
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const RIVERSIDE = 'RiversideMSP';
const NDC = '12345-433-09';
const GTIN = ndcToGtin14(NDC);
const LOT = `T${runId}`.slice(0, 20);
const SERIAL = `T${runId}1`.slice(0, 20);
const EPC = sgtinToEpcUrn(GTIN, SERIAL);

const fixture = useServices('trc', { postgresName: 'e2e-tracing' });
const m = () => fixture.services.manufacturer;
const d = () => fixture.services.distributor;
const p = () => fixture.services.dispenser;
let riverside: Service;

type Request = { id: string; requester: string; owners: string[]; test: boolean; complete: boolean; respondents: Array<{ org: string; role: string; dueAt: string; businessDays: number; answeredAt: string | null; overdue: boolean }>; releases: Array<{ by: string; shipments: Array<{ shipmentId: string }> }> };
const REQUEST = 'id requester kind epc reason incidentNumber test owners complete respondents { org role dueAt businessDays answeredAt overdue } releases';

async function sell(from: Service, fromRole: 'manufacturer' | 'distributor' | 'dispenser', to: string): Promise<string> {
  const shipped = await from.ok<{ shipPacks: { shipmentId: string } }>(key(fromRole, 'operator'),
    `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${to}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
    { e: [EPC], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: from.role, buyer: to, products: [{ ndc: NDC, lot: LOT, quantity: 1 }] } });
  return shipped.shipPacks.shipmentId;
}

describe('a tracing request answered across three organisations', () => {
  const shipments: string[] = [];
  let id: string;

  beforeAll(async () => {
    riverside = new Service('dispenser', fixture.postgres().databaseUrl(`trc_rs_${runId}`), 5066 + OFFSET, 'riverside');
    await riverside.start({ PEDIGREE_ORG: RIVERSIDE });
  }, 300_000);
  afterAll(async () => riverside?.kill('SIGTERM'));

  it('the pack passes through four owners', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Tracemab 1 mg tablets", strength: "1 mg", dosageForm: "tablet", packSize: "30 tablets") { transactionId } }`);
    await m().ok(key('manufacturer', 'operator'), `mutation { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-06-30", serials: ["${SERIAL}"]) { transactionId } }`);
    shipments.push(await sell(m(), 'manufacturer', MSP.distributor));
    await d().ok(key('distributor', 'operator'), `mutation { receivePacks(epcs: ["${EPC}"]) { transactionId } }`);
    shipments.push(await sell(d(), 'distributor', MSP.dispenser));
    await p().ok(key('dispenser', 'operator'), `mutation { receivePacks(epcs: ["${EPC}"]) { transactionId } }`);
    shipments.push(await sell(p(), 'dispenser', RIVERSIDE));
    await riverside.ok('demo-riverside-operator', `mutation { receivePacks(epcs: ["${EPC}"]) { transactionId } }`);
  });

  it('Riverside asks: the owners are answered at once; three respondents, each with its DSCSA deadline', async () => {
    const asked = await riverside.ok<{ requestTracing: { eventId: string } }>('demo-riverside-operator',
      `mutation { requestTracing(epc: "${EPC}", kind: transaction_information, reason: suspect, incidentNumber: "INC-${runId}") { ${RESULT} } }`);
    id = asked.requestTracing.eventId;
    const out = await riverside.ok<{ tracingRequests: Request[] }>('demo-riverside-auditor', `{ tracingRequests(direction: out) { ${REQUEST} } }`);
    const request = out.tracingRequests.find((r) => r.id === id) as Request;
    expect(request).toMatchObject({ requester: RIVERSIDE, owners: [MSP.manufacturer, MSP.distributor, MSP.dispenser, RIVERSIDE], test: false, complete: false });
    expect(request.respondents.map((r) => [r.org, r.role, r.businessDays, r.answeredAt, r.overdue])).toEqual([
      [MSP.dispenser, 'dispenser', 2, null, false], [MSP.distributor, 'wholesaler', 1, null, false], [MSP.manufacturer, 'manufacturer', 1, null, false]]);
    const hours = (org: string) => (Date.parse(request.respondents.find((r) => r.org === org)?.dueAt ?? '') - Date.now()) / 3600_000;
    expect(hours(MSP.manufacturer)).toBeLessThanOrEqual(48);
    expect(hours(MSP.dispenser)).toBeGreaterThan(hours(MSP.manufacturer));
  });

  it('each member answers with its own TI only; Riverside reads the releases on its own peer', async () => {
    for (const [svc, role] of [[m(), 'manufacturer'], [d(), 'distributor'], [p(), 'dispenser']] as const) {
      // Each respondent's read model has the request once its projector has the block.
      const inbox = await eventually(() => svc.ok<{ tracingRequests: Request[] }>(key(role, 'auditor'), `{ tracingRequests(direction: in) { id } }`), (r) => r.tracingRequests.some((x) => x.id === id));
      expect(inbox.tracingRequests.map((r) => r.id)).toContain(id);
      await svc.ok(key(role, 'operator'), `mutation { answerTracingRequest(requester: "${RIVERSIDE}", id: "${id}") { transactionId } }`);
    }
    const again = await m().gql(key('manufacturer', 'operator'), `mutation { answerTracingRequest(requester: "${RIVERSIDE}", id: "${id}") { transactionId } }`);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', domainCode: 'TRACING_TRANSITION' });

    const done = await riverside.ok<{ tracingRequest: Request }>('demo-riverside-auditor', `{ tracingRequest(id: "${id}") { ${REQUEST} } }`);
    expect(done.tracingRequest.complete).toBe(true);
    const [s1, s2, s3] = shipments as [string, string, string];
    expect(Object.fromEntries(done.tracingRequest.releases.map((r) => [r.by, r.shipments.map((s) => s.shipmentId).sort()]))).toEqual({
      [MSP.manufacturer]: [s1], [MSP.distributor]: [s1, s2].sort(), [MSP.dispenser]: [s2, s3].sort() });
    const released = await riverside.ok<{ releasedTransactionInformation: Array<{ by: string; shipmentId: string; ti: { buyer: string } }> }>('demo-riverside-auditor',
      `{ releasedTransactionInformation(id: "${id}") { by shipmentId ti } }`);
    expect(released.releasedTransactionInformation).toHaveLength(5);
    expect(released.releasedTransactionInformation.find((r) => r.by === MSP.manufacturer)?.ti).toMatchObject({ buyer: MSP.distributor });
  });

  it('a member cannot read what another released, nor the TI of a sale it was not party to', async () => {
    const theirs = await d().gql(key('distributor', 'auditor'), `{ releasedTransactionInformation(id: "${id}") { by } }`);
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const sale = await m().gql(key('manufacturer', 'auditor'), `{ transactionDocuments(shipmentId: "${shipments[2]}") { shipmentId } }`);
    expect(sale.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
