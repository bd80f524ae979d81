import { GS, sgtinToEpcUrn } from '@pedigree/domain';
import { key, MSP, Postgres, RESULT, runId, Service } from './support';

/**
 * What one partner's API reveals about another. Two pharmacies of different owners (Main Street,
 * DispenserMSP, and Riverside, RiversideMSP) each buy one pack of one lot from the manufacturer;
 * each pharmacy's read model and API hold its own pack, shipment and history and nothing of its
 * competitor's — while the product, the lot's recall and a verification answer stay public.
 */
const GTIN = '00312345678906';
const NDC = '12345-678-90';
const LOT = `V${runId}`.slice(0, 20);
const serial = (n: number) => `V${runId}${n}`.slice(0, 20);
const sgtin = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
const RIVERSIDE = 'RiversideMSP';
const TI = (buyer: string) => ({
  transactionDate: new Date().toISOString().slice(0, 10), seller: MSP.manufacturer, buyer,
  products: [{ ndc: NDC, name: 'Amoxicillin 500 mg capsules', lot: LOT, quantity: 1 }],
});
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);

let pg: Postgres;
let manufacturer: Service;
let mainStreet: Service;
let riverside: Service;

beforeAll(async () => {
  pg = await Postgres.start('e2e-visibility', 5451 + OFFSET); // no other test file uses 5451, 5051-5055
  manufacturer = new Service('manufacturer', pg.databaseUrl(`vis_m_${runId}`), 5051 + OFFSET);
  mainStreet = new Service('dispenser', pg.databaseUrl(`vis_ms_${runId}`), 5053 + OFFSET);
  riverside = new Service('dispenser', pg.databaseUrl(`vis_rs_${runId}`), 5055 + OFFSET, 'riverside');
  await manufacturer.start();
  await mainStreet.start();
  await riverside.start({ PEDIGREE_ORG: RIVERSIDE });
}, 300_000);

afterAll(async () => {
  for (const s of [manufacturer, mainStreet, riverside]) await s?.kill('SIGTERM');
  await pg?.stop();
});

interface Revealed {
  packs: string[];
  pack: string | null;
  trace: number;
  lotTrace: string[];
  shipments: string[];
  transactionDocuments: string;
  inventory: number;
}

/** Everything `viewer`'s API answers about the competitor's pack and shipment. */
async function revealedBy(viewer: Service, keyName: string, epc: string, shipmentId: string): Promise<Revealed> {
  const operator = `demo-${keyName}-operator`;
  const data = await viewer.ok<{
    packs: { edges: Array<{ node: { epc: string } }> };
    pack: { epc: string } | null;
    trace: { edges: unknown[] };
    lotTrace: { edges: Array<{ node: { subject: string } }> };
    inbound: { edges: Array<{ node: { id: string } }> };
    outbound: { edges: Array<{ node: { id: string } }> };
    inventory: { edges: Array<{ node: { lot: string; quantity: number } }> };
  }>(operator, `query($epc: String!) {
    packs(filter: { gtin: "${GTIN}", lot: "${LOT}" }, first: 50) { edges { node { epc } } }
    pack(epc: $epc) { epc }
    trace(epc: $epc, first: 50) { edges { node { step } } }
    lotTrace(gtin: "${GTIN}", lot: "${LOT}", first: 50) { edges { node { subject } } }
    inbound: shipments(direction: INBOUND, first: 200) { edges { node { id } } }
    outbound: shipments(direction: OUTBOUND, first: 200) { edges { node { id } } }
    inventory(gtin: "${GTIN}", first: 100) { edges { node { lot quantity } } }
  }`, { epc });
  const docs = await viewer.gql(`demo-${keyName}-auditor`, `{ transactionDocuments(shipmentId: "${shipmentId}") { matchesPublicHash } }`);
  return {
    packs: data.packs.edges.map((e) => e.node.epc),
    pack: data.pack?.epc ?? null,
    trace: data.trace.edges.length,
    lotTrace: [...new Set(data.lotTrace.edges.map((e) => e.node.subject))],
    shipments: [...data.inbound.edges, ...data.outbound.edges].map((e) => e.node.id).filter((id) => id === shipmentId),
    transactionDocuments: docs.errors?.[0]?.extensions?.code as string ?? 'ANSWERED',
    inventory: data.inventory.edges.filter((e) => e.node.lot === LOT).reduce((n, e) => n + e.node.quantity, 0),
  };
}

describe('what one organisation\'s API reveals about a competitor', () => {
  const shipmentTo: Record<string, string> = {};

  beforeAll(async () => {
    const op = key('manufacturer', 'operator');
    await manufacturer.ok(op, `mutation { registerProduct(ndc: "${NDC}", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
    await manufacturer.ok(op, `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { ${RESULT} } }`, { s: [serial(1), serial(2)] });
    for (const [n, buyer] of [[1, MSP.dispenser], [2, RIVERSIDE]] as const) {
      const shipped = await manufacturer.ok<{ shipPacks: { shipmentId: string } }>(op,
        `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${buyer}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
        { e: [sgtin(n)], ti: TI(buyer) });
      shipmentTo[buyer] = shipped.shipPacks.shipmentId;
    }
    await mainStreet.ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { ${RESULT} } }`, { e: [sgtin(1)] });
    await riverside.ok('demo-riverside-operator', `mutation($e: [String!]!) { receivePacks(epcs: $e) { ${RESULT} } }`, { e: [sgtin(2)] });
  }, 180_000);

  it('each pharmacy holds its own pack, shipment, TI and history, and nothing of the other\'s', async () => {
    const own = {
      mainStreet: await revealedBy(mainStreet, 'dispenser', sgtin(1), shipmentTo[MSP.dispenser]!),
      riverside: await revealedBy(riverside, 'riverside', sgtin(2), shipmentTo[RIVERSIDE]!),
    };
    const ofCompetitor = {
      mainStreetAboutRiverside: await revealedBy(mainStreet, 'dispenser', sgtin(2), shipmentTo[RIVERSIDE]!),
      riversideAboutMainStreet: await revealedBy(riverside, 'riverside', sgtin(1), shipmentTo[MSP.dispenser]!),
    };
    // The list this test exists for: what each API answered about the competitor.
    process.stderr.write(`[visibility] ${JSON.stringify(ofCompetitor)}\n`);

    expect(own.mainStreet).toMatchObject({ packs: [sgtin(1)], pack: sgtin(1), shipments: [shipmentTo[MSP.dispenser]], transactionDocuments: 'ANSWERED', inventory: 1 });
    expect(own.riverside).toMatchObject({ packs: [sgtin(2)], pack: sgtin(2), shipments: [shipmentTo[RIVERSIDE]], transactionDocuments: 'ANSWERED', inventory: 1 });
    expect(own.mainStreet.trace).toBeGreaterThan(0);
    for (const revealed of Object.values(ofCompetitor)) {
      expect(revealed).toMatchObject({ pack: null, trace: 0, shipments: [], transactionDocuments: 'FORBIDDEN', inventory: 1 });
    }
    expect(ofCompetitor.mainStreetAboutRiverside.packs).toEqual([sgtin(1)]);
    expect(ofCompetitor.mainStreetAboutRiverside.lotTrace).not.toContain(sgtin(2));
    expect(ofCompetitor.riversideAboutMainStreet.packs).toEqual([sgtin(2)]);
    expect(ofCompetitor.riversideAboutMainStreet.lotTrace).not.toContain(sgtin(1));
  });

  it('the manufacturer still sees both packs it sold; a verification of the competitor\'s pack is answered (genuine, not in custody)', async () => {
    const seen = await manufacturer.ok<{ packs: { edges: Array<{ node: { epc: string; owner: string } }> } }>(key('manufacturer', 'operator'),
      `{ packs(filter: { gtin: "${GTIN}", lot: "${LOT}" }, first: 50) { edges { node { epc owner } } } }`);
    expect(seen.packs.edges.map((e) => e.node).sort((a, b) => a.epc.localeCompare(b.epc))).toEqual([
      { epc: sgtin(1), owner: MSP.dispenser }, { epc: sgtin(2), owner: RIVERSIDE },
    ]);
    const scan = `]d201${GTIN}1730123110${LOT}${GS}21${serial(2)}`;
    const v = await mainStreet.ok<{ verifyPack: { verified: boolean; dispensable: boolean; reasons: string[]; source: string } }>(key('dispenser', 'pharmacist'),
      `mutation($s: String!) { verifyPack(scan: $s) { verified dispensable reasons source } }`, { s: scan });
    expect(v.verifyPack).toMatchObject({ verified: true, dispensable: false, reasons: ['NOT_IN_CUSTODY'], source: 'ledger' });
  });
});
