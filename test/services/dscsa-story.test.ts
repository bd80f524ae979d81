import { GS, ssccToEpcUrn, sgtinToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { key, MSP, RESULT, ROLES, Role, runId, useServices } from './support';

/**
 * The DSCSA story through the three services over HTTP, on the real network and Postgres, then a
 * pharmacist's verification cases, then every mutation of one organisation tried by another.
 */
const GTIN = '00312345678906';
const NDC = '12345-678-90';
// No "21" inside lot or serial: the missing-GS case below needs the real (21) to be the only place
// the serial can start (a run ID with "21" in it made that scan ambiguous, as it should be).
const RUN = runId.replace(/21/g, '2x');
const LOT = `L${RUN}`.slice(0, 20);
const OLD_LOT = `X${RUN}`.slice(0, 20);
const serial = (n: number) => `S${RUN}${n}`.slice(0, 20);
const sgtin = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
const SSCC = withCheckDigit(`00312345${String(Date.now() % 1e9).padStart(9, '0')}`);
const CASE = ssccToEpcUrn(SSCC);
const TI = (seller: string, buyer: string) => ({
  transactionDate: new Date().toISOString().slice(0, 10), seller, buyer,
  products: [{ ndc: NDC, name: 'Amoxicillin 500 mg capsules', lot: LOT, quantity: 6 }],
});

const fixture = useServices('story', { timeoutMs: 240000 });
const services = fixture.services;
const pg = () => fixture.postgres();

const m = () => services.manufacturer;
const d = () => services.distributor;
const p = () => services.dispenser;

describe('the DSCSA story across manufacturer, distributor and dispenser', () => {
  let toDistributor: string;
  let toDispenser: string;

  it('the manufacturer registers the product, commissions a lot, packs a case and ships it with TI/TS', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
    const commissioned = await m().ok<{ commissionPacks: { changed: string[]; readModelUpdated: boolean } }>(key('manufacturer', 'operator'),
      `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { ${RESULT} } }`,
      { s: [1, 2, 3, 4, 5, 6, 7, 8].map(serial) });
    expect(commissioned.commissionPacks.changed).toHaveLength(8);
    expect(commissioned.commissionPacks.readModelUpdated).toBe(true);
    await m().ok(key('manufacturer', 'operator'), `mutation { commissionPacks(gtin: "${GTIN}", lot: "${OLD_LOT}", expiry: "2020-01-31", serials: ["${serial(90)}"]) { transactionId } }`);

    const packed = await m().ok<{ packContainer: { changed: string[] } }>(key('manufacturer', 'operator'),
      `mutation($c: [String!]!) { packContainer(sscc: "${SSCC}", children: $c) { ${RESULT} } }`, { c: [1, 2, 3, 4].map(sgtin) });
    expect(packed.packContainer.changed).toContain(CASE);

    const shipped = await m().ok<{ shipPacks: { shipmentId: string; transactionId: string } }>(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "ship-${runId}") { ${RESULT} } }`,
      { e: [CASE, sgtin(5), sgtin(6), sgtin(7), sgtin(8)], ti: TI('ManufacturerMSP', 'DistributorMSP') });
    toDistributor = shipped.shipPacks.shipmentId;
    expect(shipped.shipPacks.transactionId).toMatch(/^[0-9a-f]{64}$/);

    // The same idempotency key answers the first result and writes nothing.
    const again = await m().ok<{ shipPacks: { transactionId: string } }>(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true, idempotencyKey: "ship-${runId}") { transactionId } }`,
      { e: [CASE, sgtin(5), sgtin(6), sgtin(7), sgtin(8)], ti: TI('ManufacturerMSP', 'DistributorMSP') });
    expect(again.shipPacks.transactionId).toBe(shipped.shipPacks.transactionId);
  });

  it('the distributor sees the inbound shipment and its TI, receives it by SSCC (contents inferred) and ships on', async () => {
    // Another organisation's read model follows the chain on its own: eventually consistent, so
    // the distributor's list is read until its projector has the shipment (bounded).
    const inboundIds = async () => (await d().ok<{ shipments: { edges: Array<{ node: { id: string; status: string } }> } }>(key('distributor', 'operator'),
      `{ shipments(direction: INBOUND, first: 200) { edges { node { id status statementAffirmed } } } }`)).shipments.edges.map((e) => e.node.id);
    let ids = await inboundIds();
    for (const deadline = Date.now() + 30_000; !ids.includes(toDistributor) && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 200));
      ids = await inboundIds();
    }
    expect(ids).toContain(toDistributor);
    const docs = await d().ok<{ transactionDocuments: { transactionInformation: { buyer: string }; matchesPublicHash: boolean } }>(key('distributor', 'auditor'),
      `{ transactionDocuments(shipmentId: "${toDistributor}") { transactionInformation transactionStatement matchesPublicHash } }`);
    expect(docs.transactionDocuments.transactionInformation.buyer).toBe('DistributorMSP');
    expect(docs.transactionDocuments.matchesPublicHash).toBe(true);

    const received = await d().ok<{ receivePacks: { inferred: string[] } }>(key('distributor', 'operator'),
      `mutation($e: [String!]!) { receivePacks(epcs: $e) { ${RESULT} } }`, { e: [CASE, sgtin(5), sgtin(6), sgtin(7), sgtin(8)] });
    expect(received.receivePacks.inferred.sort()).toEqual([1, 2, 3, 4].map(sgtin).sort());

    const inventory = await d().ok<{ inventory: { edges: Array<{ node: { lot: string; quantity: number } }> } }>(key('distributor', 'planner'),
      `{ inventory(gtin: "${GTIN}", first: 200) { edges { node { lot quantity productName } } } }`);
    expect(inventory.inventory.edges.find((e) => e.node.lot === LOT)?.node.quantity).toBe(8);

    const shipped = await d().ok<{ shipPacks: { shipmentId: string } }>(key('distributor', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
      { e: [CASE, sgtin(5), sgtin(6), sgtin(7), sgtin(8)], ti: TI('DistributorMSP', 'DispenserMSP') });
    toDispenser = shipped.shipPacks.shipmentId;
  });

  it('the manufacturer may not read the TI of a sale between distributor and dispenser', async () => {
    const r = await m().gql(key('manufacturer', 'admin'), `{ transactionDocuments(shipmentId: "${toDispenser}") { matchesPublicHash } }`);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('the dispenser receives, opens the case, and a pharmacist verifies and dispenses a genuine pack', async () => {
    await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [CASE, sgtin(5), sgtin(6), sgtin(7), sgtin(8)] });
    await p().ok(key('dispenser', 'operator'), `mutation { unpackContainer(sscc: "${CASE}") { transactionId } }`);
    const scan = `]d201${GTIN}1730123110${LOT}${GS}21${serial(1)}`;
    const v = await p().ok<{ verifyPack: Record<string, unknown> }>(key('dispenser', 'pharmacist'),
      `mutation($s: String!) { verifyPack(scan: $s) { verified dispensable reasons productName lot expiry status source verificationFailureReason } }`, { s: scan });
    expect(v.verifyPack).toMatchObject({ verified: true, dispensable: true, reasons: [], productName: 'Amoxicillin 500 mg capsules', lot: LOT, expiry: '2030-12-31', status: 'received' });
    await p().ok(key('dispenser', 'pharmacist'), `mutation { dispensePacks(epcs: ["${sgtin(1)}"]) { transactionId } }`);

    const trace = await p().ok<{ trace: { edges: Array<{ node: { step: string; owner: string } }> } }>(key('dispenser', 'auditor'),
      `{ trace(epc: "${sgtin(1)}", first: 50) { edges { node { step owner custodian transactionId submittedBy signer epcisEvent } } } }`);
    // Who did it (21 CFR Part 11): the person each service authenticated, and the identity that signed.
    const dispensed = trace.trace.edges.map((e) => e.node as unknown as { step: string; submittedBy: string | null; signer: string | null }).find((n) => n.step === 'dispense');
    expect(dispensed).toMatchObject({ submittedBy: 'dispenser-pharmacist', signer: expect.stringContaining('User1@mainstreet.pedigree.local') });
    expect(trace.trace.edges.map((e) => e.node.step)).toEqual(['commission', 'pack', 'ship', 'receive', 'ship', 'receive', 'unpack', 'dispense']);
    const pack = await p().ok<{ pack: { owners: string[]; status: string } }>(key('dispenser', 'auditor'), `{ pack(epc: "${sgtin(1)}") { owners status } }`);
    expect(pack.pack).toEqual({ owners: ['ManufacturerMSP', 'DistributorMSP', 'DispenserMSP'], status: 'dispensed' });

    const res = await fetch(`${p().url}/epcis/events?epc=${encodeURIComponent(sgtin(1))}`, { headers: { 'x-api-key': key('dispenser', 'auditor') } });
    const doc = (await res.json()) as { type: string; epcisBody: { eventList: unknown[] } };
    expect(doc.type).toBe('EPCISDocument');
    expect(doc.epcisBody.eventList.length).toBeGreaterThanOrEqual(6);
  });

  describe('a pharmacist scans', () => {
    const verify = async (scan: string) => (await p().ok<{ verifyPack: { verified: boolean; dispensable: boolean; reasons: string[]; verificationFailureReason: string | null; additionalInfo: string | null } }>(
      key('dispenser', 'pharmacist'), `mutation($s: String!) { verifyPack(scan: $s, site: "urn:epc:id:sgln:0312347.00000.0") { verified dispensable reasons verificationFailureReason additionalInfo } }`, { s: scan })).verifyPack;

    it('an unknown serial', async () => {
      const v = await verify(`01${GTIN}1730123110${LOT}${GS}21NOSUCH${runId}`.slice(0, 60));
      expect(v).toMatchObject({ verified: false, dispensable: false, verificationFailureReason: 'No_match_GTIN_Serial', reasons: ['NO_MATCH_GTIN_SERIAL'] });
    });
    it('a wrong lot', async () => {
      const v = await verify(`01${GTIN}17301231${'10'}WRONGLOT${GS}21${serial(2)}`);
      expect(v).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' });
      expect(v.reasons).toContain('NO_MATCH_LOT');
    });
    it('an expired pack', async () => {
      const v = await verify(`01${GTIN}1720013110${OLD_LOT}${GS}21${serial(90)}`);
      expect(v.dispensable).toBe(false);
      expect(v.additionalInfo).toBe('Expired');
      expect(v.reasons).toContain('EXPIRED');
    });
    it('a dispensed pack (already dispensed)', async () => {
      const v = await verify(`01${GTIN}1730123110${LOT}${GS}21${serial(1)}`);
      expect(v).toMatchObject({ verified: false, dispensable: false, verificationFailureReason: 'Not_for_re-distribution' });
      expect(v.reasons).toContain('ALREADY_DISPENSED');
    });
    it('a pack scanned with the GS separator missing between lot and serial: refused when ambiguous, never misread', async () => {
      // Lot and serial fit in one 20-character lot: two readings are plausible, so the scan is refused.
      const r = await p().gql(key('dispenser', 'pharmacist'), `mutation($s: String!) { verifyPack(scan: $s) { verified } }`, { s: `01${GTIN}1730123110A1/B-221SN12` });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', domainCode: 'GS_AMBIGUOUS' });
      // Too long for one lot: the only valid reading splits at (21), and it names the real pack.
      const v = await p().ok<{ verifyPack: { serial: string; lot: string; verified: boolean } }>(key('dispenser', 'pharmacist'),
        `mutation($s: String!) { verifyPack(scan: $s) { serial lot verified } }`, { s: `01${GTIN}1730123110${LOT}21${serial(2)}` });
      expect(v.verifyPack).toEqual({ serial: serial(2), lot: LOT, verified: true });
    });
    it('a recalled lot', async () => {
      const recall = await m().ok<{ recallLot: { changed: string[] } }>(key('manufacturer', 'operator'), `mutation { recallLot(gtin: "${GTIN}", lot: "${LOT}", recallId: "R-${runId}") { ${RESULT} } }`);
      // One lot-level record on the ledger: no pack is written, whatever the lot's size.
      expect(recall.recallLot.changed).toEqual([]);
      // The dispenser's read model catches up from the ledger's events.
      let v;
      for (let i = 0; i < 50; i++) {
        v = await verify(`01${GTIN}17301231${'10'}${LOT}${GS}21${serial(3)}`);
        if (v.reasons.includes('RECALLED')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(v).toMatchObject({ verified: true, dispensable: false, additionalInfo: 'Recalled' });
      const blocked = await p().gql(key('dispenser', 'pharmacist'), `mutation { dispensePacks(epcs: ["${sgtin(3)}"]) { transactionId } }`);
      expect(blocked.errors?.[0].extensions?.code).toBe('CONFLICT');
    });
    it('every verification was recorded', async () => {
      const rows = await pg().query<{ n: string }>(`story_dispenser_${runId}`, `SELECT count(*) AS n FROM verifications`);
      expect(Number(rows[0].n)).toBeGreaterThanOrEqual(7);
    });
  });

  it('the manufacturer answers VRS requests the GS1 Lightweight Messaging way', async () => {
    // A GLN the consortium admitted for the distributor (infra/consortium.yaml).
    const gln = withCheckDigit('031234600001');
    const url = `${m().url}/verify/gtin/${GTIN}/lot/WRONG/ser/${encodeURIComponent(serial(2))}?exp=301231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=${gln}&corrUUID=c0ffee-${runId}`;
    // The requester is the distributor, authenticated, asking under its own registered GLN.
    const asDistributor = { headers: { 'x-api-key': key('distributor', 'operator') } };
    const res = await fetch(url, asDistributor);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ corrUUID: `c0ffee-${runId}`, data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' } });
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url.replace(`reqGLN=${gln}`, 'reqGLN='), asDistributor)).status).toBe(400);
    // Any other GLN is not the distributor's to ask under (one with a wrong check digit is malformed: 400).
    expect((await fetch(url.replace(`reqGLN=${gln}`, `reqGLN=${withCheckDigit('031234699999')}`), asDistributor)).status).toBe(403);
    expect((await fetch(url.replace(`reqGLN=${gln}`, 'reqGLN=0312346000015'), asDistributor)).status).toBe(400);
    expect((await fetch(url.replace(GTIN, withCheckDigit('0031234500001')), asDistributor)).status).toBe(404);
  });

  it('a user of another organisation is refused every mutation with FORBIDDEN', async () => {
    const mutations: Record<Role, string[]> = {
      manufacturer: ['registerProduct(name:"x",strength:"x",dosageForm:"x",packSize:"x",ndc:"12345-678-90")', `commissionPacks(gtin:"${GTIN}",lot:"x",expiry:"2030-01-01",serials:["x"])`, `recallLot(gtin:"${GTIN}",lot:"x",recallId:"x")`, `extendExpiry(gtin:"${GTIN}",lot:"x",until:"2031-01-01")`],
      distributor: [],
      dispenser: [`dispensePacks(epcs:["${sgtin(4)}"])`, `verifyPack(scan:"01${GTIN}21x") { verified }`],
    };
    const common = [`packContainer(sscc:"${SSCC}",children:["${sgtin(4)}"])`, `unpackContainer(sscc:"${SSCC}")`, `shipPacks(to:"x",epcs:["${sgtin(4)}"],transactionInformation:{},statementAffirmed:true)`,
      `returnPacks(to:"x",epcs:["${sgtin(4)}"])`, `voidShipment(epcs:["${sgtin(4)}"])`, `receivePacks(epcs:["${sgtin(4)}"])`, `quarantinePacks(epcs:["${sgtin(4)}"],reason:suspect)`,
      `releasePacks(epcs:["${sgtin(4)}"])`, `verifyReturn(epcs:["${sgtin(4)}"],verified:true)`, `decommissionPacks(epcs:["${sgtin(4)}"])`, `destroyPacks(epcs:["${sgtin(4)}"])`];
    let tried = 0;
    for (const target of ROLES) {
      for (const intruder of ROLES.filter((r) => r !== target)) {
        for (const m of [...common, ...mutations[target]]) {
          const selection = m.includes('{ verified }') ? m : `${m} { transactionId }`;
          const r = await services[target].gql(key(intruder, 'admin'), `mutation { ${selection} }`);
          expect({ m, target, intruder, code: r.errors?.[0].extensions?.code }).toEqual({ m, target, intruder, code: 'FORBIDDEN' });
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(70);
  });
});
