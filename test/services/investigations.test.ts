import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { eventually, key, MSP, RESULT, runId, subscribe, useServices } from './support';

/**
 * Suspect-product investigations on the real network (issue 14): the manufacturer opens one on a
 * lot that it and the distributor hold; each holder's stock is held without the investigator
 * writing it, the holders verify their own stock, the determination is illegitimate, the notice to
 * the distributor is on the ledger and reaches it over its subscription, FDA's incident number is
 * recorded and the termination request closes it. A second investigation, on packs, is cleared and
 * the stock is sellable again at both holders.
 */
const NDC = '12345-432-08';
const GTIN = ndcToGtin14(NDC);
const LOT = `V${runId}`.slice(0, 20);
const CLEAN_LOT = `W${runId}`.slice(0, 20);
const serial = (lot: string, n: number) => `${lot}${n}`.slice(0, 20);
const epc = (lot: string, n: number) => sgtinToEpcUrn(GTIN, serial(lot, n));
const INVESTIGATION = 'id investigator state packs holders holdings { holder packs } heldHere requiredVerifications verificationsDone verifications findings outcome classification notificationsDueAt noticesOverdue { fda partners } fdaIncidentNumber notices terminatedAt';

const fixture = useServices('inv', { postgresName: 'e2e-investigations' });
const services = fixture.services;
const m = () => services.manufacturer;
const d = () => services.distributor;
const p = () => services.dispenser;

type Investigation = {
  id: string; investigator: string; state: string; packs: string[]; holders: string[]; holdings: Array<{ holder: string; packs: string[] }>; heldHere: string[];
  requiredVerifications: number; verificationsDone: number; verifications: Array<{ by: string; outcome: string }>; outcome: string | null; classification: string | null;
  notificationsDueAt: string | null; noticesOverdue: { fda: boolean; partners: string[] }; fdaIncidentNumber: string | null; notices: Array<{ to: string }>; terminatedAt: string | null;
};
type PackState = { pack: { overlays: string[]; sellable: boolean } | null };

/** Six packs of a lot: 1-3 stay at the manufacturer, 4-6 are sold to the distributor. */
async function lotAtTwoHolders(lot: string): Promise<void> {
  await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${lot}", expiry: "2030-06-30", serials: $s) { transactionId } }`, { s: [1, 2, 3, 4, 5, 6].map((n) => serial(lot, n)) });
  const sold = [4, 5, 6].map((n) => epc(lot, n));
  await m().ok(key('manufacturer', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
    { e: sold, ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DistributorMSP', products: [{ ndc: NDC, lot, quantity: 3 }] } });
  await d().ok(key('distributor', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: sold });
}

const packAt = (svc: typeof m, role: 'manufacturer' | 'distributor' | 'dispenser', id: string) => svc().ok<PackState>(key(role, 'auditor'), `{ pack(epc: "${id}") { overlays sellable } }`);

describe('suspect-product investigations', () => {
  let id: string;
  let notices: Awaited<ReturnType<typeof subscribe>>;

  beforeAll(async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Investigamab 5 mg tablets", strength: "5 mg", dosageForm: "tablet", packSize: "30 tablets") { transactionId } }`);
    await lotAtTwoHolders(LOT);
    await lotAtTwoHolders(CLEAN_LOT);
  });
  afterAll(() => notices?.close());

  it('opened on a lot, it holds the stock at both holders; each sees it for its own stock, the dispenser not at all', async () => {
    notices = await subscribe(d().url, key('distributor', 'auditor'), `subscription { investigationNotice { id state notices } }`, 'investigationNotice');
    const opened = await m().ok<{ openInvestigation: { eventId: string; readModelUpdated: boolean } }>(key('manufacturer', 'operator'),
      `mutation { openInvestigation(scope: { gtin: "${GTIN}", lot: "${LOT}" }, summary: "a pharmacy reports cartons with a foreign-language leaflet") { ${RESULT} } }`);
    id = opened.openInvestigation.eventId;
    expect(opened.openInvestigation.readModelUpdated).toBe(true);
    expect(await notices.next((n) => n.id === id)).toMatchObject({ id, state: 'open' });

    const mine = await m().ok<{ investigation: Investigation }>(key('manufacturer', 'auditor'), `{ investigation(id: "${id}") { ${INVESTIGATION} } }`);
    expect(mine.investigation).toMatchObject({ investigator: MSP.manufacturer, state: 'open', holders: [MSP.distributor, MSP.manufacturer].sort(), requiredVerifications: 3, verificationsDone: 0 });
    expect(mine.investigation.holdings).toEqual([
      { holder: MSP.distributor, packs: [4, 5, 6].map((n) => epc(LOT, n)).sort() },
      { holder: MSP.manufacturer, packs: [1, 2, 3].map((n) => epc(LOT, n)).sort() },
    ].sort((a, b) => a.holder.localeCompare(b.holder)));

    const theirs = await eventually(() => d().ok<{ investigations: Investigation[] }>(key('distributor', 'auditor'), `{ investigations(side: holder) { ${INVESTIGATION} } }`), (r) => r.investigations.some((x) => x.id === id));
    expect(theirs.investigations.find((x) => x.id === id)?.heldHere).toEqual([4, 5, 6].map((n) => epc(LOT, n)).sort());
    expect((await packAt(d, 'distributor', epc(LOT, 4))).pack).toEqual({ overlays: ['quarantined'], sellable: false });
    expect((await packAt(m, 'manufacturer', epc(LOT, 1))).pack).toEqual({ overlays: ['quarantined'], sellable: false });
    const holding = await d().ok<{ investigationsHoldingPack: Array<{ id: string }> }>(key('distributor', 'operator'), `{ investigationsHoldingPack(epc: "${epc(LOT, 5)}") { id } }`);
    expect(holding.investigationsHoldingPack.map((x) => x.id)).toEqual([id]);

    // Held at the distributor on the ledger: it cannot sell it on.
    const ship = await d().gql(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`,
      { e: [epc(LOT, 4)], ti: { transactionDate: '2026-12-01', seller: 'D', buyer: 'P', products: [{ ndc: NDC, quantity: 1 }] } });
    expect(ship.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const outsider = await p().ok<{ investigation: Investigation | null }>(key('dispenser', 'auditor'), `{ investigation(id: "${id}", investigator: "${MSP.manufacturer}") { id } }`);
    expect(outsider.investigation).toBeNull();
  });

  it('holders verify their own stock only; one not genuine; the determination is illegitimate and cannot be cleared', async () => {
    const foreign = await d().gql(key('distributor', 'operator'), `mutation { verifyInvestigationPack(id: "${id}", investigator: "${MSP.manufacturer}", pack: "${epc(LOT, 1)}", outcome: genuine) { transactionId } }`);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', domainCode: 'INVESTIGATION_PARTY' });
    await d().ok(key('distributor', 'operator'), `mutation { verifyInvestigationPack(id: "${id}", investigator: "${MSP.manufacturer}", pack: "${epc(LOT, 4)}", outcome: not_genuine, note: "leaflet in the wrong language") { transactionId } }`);
    await d().ok(key('distributor', 'operator'), `mutation { recordInvestigationFinding(id: "${id}", investigator: "${MSP.manufacturer}", text: "carton print differs from the reference") { transactionId } }`);
    for (const n of [1, 2]) await m().ok(key('manufacturer', 'operator'), `mutation { verifyInvestigationPack(id: "${id}", pack: "${epc(LOT, n)}", outcome: genuine) { transactionId } }`);
    const clear = await m().gql(key('manufacturer', 'operator'), `mutation { clearInvestigation(id: "${id}") { transactionId } }`);
    expect(clear.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', domainCode: 'INVESTIGATION_TRANSITION' });
    const byHolder = await d().gql(key('distributor', 'operator'), `mutation { declareIllegitimate(id: "${id}", classification: counterfeit) { transactionId } }`);
    expect(byHolder.errors?.[0]?.extensions?.code).toBeDefined();

    await m().ok(key('manufacturer', 'operator'), `mutation { declareIllegitimate(id: "${id}", classification: counterfeit) { transactionId } }`);
    const now = await m().ok<{ investigation: Investigation }>(key('manufacturer', 'auditor'), `{ investigation(id: "${id}") { ${INVESTIGATION} } }`);
    expect(now.investigation).toMatchObject({ state: 'illegitimate', outcome: 'illegitimate', classification: 'counterfeit', verificationsDone: 3, noticesOverdue: { fda: false, partners: [] } });
    expect(Date.parse(now.investigation.notificationsDueAt ?? '') - Date.now()).toBeGreaterThan(23 * 3600_000);
    const form = await m().ok<{ form3911: Record<string, unknown> }>(key('manufacturer', 'auditor'), `{ form3911(id: "${id}") }`);
    expect(form.form3911).toMatchObject({ notificationType: 'illegitimate_product', incidentNumber: null, classification: 'counterfeit', ndc: NDC, lotNumbers: [LOT], quantity: 6, reportingCompany: MSP.manufacturer });
  });

  it('the notice to the distributor is on the ledger and reaches it; FDA filed; termination closes it; the stock stays held', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { notifyTradingPartners(id: "${id}") { transactionId } }`);
    const notice = await notices.next((n) => n.id === id && n.state === 'illegitimate');
    expect(notice.notices).toEqual([expect.objectContaining({ to: MSP.distributor })]);
    const seen = await d().ok<{ investigations: Investigation[] }>(key('distributor', 'auditor'), `{ investigations(side: notified) { id notices } }`);
    expect(seen.investigations.map((x) => x.id)).toContain(id);

    await m().ok(key('manufacturer', 'operator'), `mutation { recordFdaFiling(id: "${id}", incidentNumber: "IR-${runId}") { transactionId } }`);
    const again = await m().gql(key('manufacturer', 'operator'), `mutation { recordFdaFiling(id: "${id}", incidentNumber: "IR-other") { transactionId } }`);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', domainCode: 'INVESTIGATION_TRANSITION' });
    await m().ok(key('manufacturer', 'operator'), `mutation { requestTermination(id: "${id}") { transactionId } }`);
    const done = await eventually(() => d().ok<{ investigation: Investigation }>(key('distributor', 'auditor'), `{ investigation(id: "${id}", investigator: "${MSP.manufacturer}") { ${INVESTIGATION} } }`), (r) => r.investigation?.state === 'terminated');
    expect(done.investigation).toMatchObject({ fdaIncidentNumber: `IR-${runId}`, notices: [expect.objectContaining({ to: MSP.distributor })] });
    expect(done.investigation.terminatedAt).not.toBeNull();
    const form = await m().ok<{ form3911: Record<string, unknown> }>(key('manufacturer', 'auditor'), `{ form3911(id: "${id}") }`);
    expect(form.form3911).toMatchObject({ notificationType: 'request_for_termination', incidentNumber: `IR-${runId}`, tradingPartnersNotified: [MSP.distributor] });
    expect((await packAt(d, 'distributor', epc(LOT, 6))).pack).toEqual({ overlays: ['quarantined'], sellable: false });
  });

  it('opened on packs at both holders and cleared once three are verified genuine: sellable again at both', async () => {
    const packs = [1, 4, 5].map((n) => epc(CLEAN_LOT, n));
    const opened = await m().ok<{ openInvestigation: { eventId: string } }>(key('manufacturer', 'operator'),
      `mutation($p: [String!]!) { openInvestigation(scope: { packs: $p }, summary: "tamper-evident seal looks reapplied") { ${RESULT} } }`, { p: packs });
    const cleared = opened.openInvestigation.eventId;
    expect((await packAt(m, 'manufacturer', epc(CLEAN_LOT, 2))).pack).toMatchObject({ overlays: [] });
    await eventually(() => packAt(d, 'distributor', epc(CLEAN_LOT, 5)), (r) => r.pack?.sellable === false);
    await m().ok(key('manufacturer', 'operator'), `mutation { verifyInvestigationPack(id: "${cleared}", pack: "${packs[0]}", outcome: genuine) { transactionId } }`);
    for (const pack of packs.slice(1)) await d().ok(key('distributor', 'operator'), `mutation { verifyInvestigationPack(id: "${cleared}", investigator: "${MSP.manufacturer}", pack: "${pack}", outcome: genuine) { transactionId } }`);
    await m().ok(key('manufacturer', 'operator'), `mutation { clearInvestigation(id: "${cleared}") { transactionId } }`);
    expect((await packAt(m, 'manufacturer', epc(CLEAN_LOT, 1))).pack).toEqual({ overlays: [], sellable: true });
    const atDistributor = await eventually(() => packAt(d, 'distributor', epc(CLEAN_LOT, 4)), (r) => r.pack?.sellable === true);
    expect(atDistributor.pack).toEqual({ overlays: [], sellable: true });
    const state = await d().ok<{ investigation: Investigation }>(key('distributor', 'auditor'), `{ investigation(id: "${cleared}", investigator: "${MSP.manufacturer}") { state outcome } }`);
    expect(state.investigation).toMatchObject({ state: 'cleared', outcome: 'cleared' });
    // Cleared stock is in commerce again on the ledger.
    await d().ok(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`,
      { e: [epc(CLEAN_LOT, 4)], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'D', buyer: 'P', products: [{ ndc: NDC, lot: CLEAN_LOT, quantity: 1 }] } });
  });
});
