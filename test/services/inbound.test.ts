import {
  bizTransactionUrn, commissionEvent, lgtinToEpcClassUrn, dscsaShipmentDocument, GS, packEvent, pglnToEpcUrn, sgtinToEpcUrn, shipEvent, ssccToEpcUrn, withCheckDigit, writeEpcisXml,
  type DscsaShipmentExport,
} from '@pedigree/domain';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually, key, MSP, RESULT, runId, useServices } from './support';

/**
 * A shipment from a supplier that is not a consortium member, sent as EPCIS 1.2 XML with the SBDH
 * and the GS1 US extensions: the distributor receives it onto the ledger, ships a pack on to the
 * pharmacy, which receives, verifies and dispenses it. A document naming a member's GTIN is
 * refused with a typed error and records nothing.
 */
const OUTSIDE = withCheckDigit('0036141400002'); // 0361414: no member's company prefix
const MEMBER_GTIN = '00312345678906'; // the manufacturer's prefix 0312345
const SELLER = withCheckDigit('036141400000');
const DISTRIBUTOR_GLN = '0345678000007';
const LOT = `N${runId}`.slice(0, 20);
const serial = (n: number) => `I${runId}${n}`.slice(0, 20);
const folderSerial = (n: number) => `F${runId}${n}`.slice(0, 20);
const CASE = ssccToEpcUrn(withCheckDigit(`00361414${String(Date.now() % 1e9).padStart(9, '0')}`));

interface Twist { readonly quantity?: number; readonly buyerGln?: string }
function document(gtin: string, id: string, serialOf = serial, container = CASE, twist: Twist = {}): string {
  const packs = [1, 2, 3].map((n) => sgtinToEpcUrn(gtin, serialOf(n)));
  const ship = shipping([container, packs[2] as string], id, twist.buyerGln);
  return documentOf(gtin, id, [
    commissionEvent({ eventTime: new Date(Date.now() - 3_600_000).toISOString(), epcs: packs, lot: LOT, expiry: '2029-06-30' }),
    packEvent({ eventTime: new Date(Date.now() - 3_000_000).toISOString(), parent: container, children: packs.slice(0, 2), sealed: true }),
    // The TI's quantity as the shipping event states it by class (LGTIN), when the test says one.
    twist.quantity === undefined ? ship : { ...ship, quantityList: [{ epcClass: lgtinToEpcClassUrn(gtin, LOT), quantity: twist.quantity }] },
  ], twist.buyerGln);
}
function shipping(epcs: string[], id: string, buyerGln = DISTRIBUTOR_GLN) {
  return shipEvent({ eventTime: new Date(Date.now() - 60_000).toISOString(), epcs, from: { owner: pglnToEpcUrn(SELLER) }, to: { owner: pglnToEpcUrn(buyerGln) }, bizTransactions: [{ type: 'desadv', bizTransaction: bizTransactionUrn(SELLER, id) }] });
}
function documentOf(gtin: string, id: string, events: DscsaShipmentExport['events'], buyerGln = DISTRIBUTOR_GLN): string {
  const x: DscsaShipmentExport = {
    shipmentId: id, createdAt: new Date().toISOString(), statementAffirmed: true,
    seller: { name: 'Outside Pharma LLC', gln: SELLER }, buyer: { name: 'Continental Wholesale', gln: buyerGln },
    products: [{ gtin, name: 'Outsidol 5 mg tablets', dosageForm: 'tablet', strength: '5 mg', packSize: '30 tablets', manufacturerName: 'Outside Pharma LLC' }],
    events,
  };
  return writeEpcisXml(dscsaShipmentDocument(x), { version: '1.2' });
}
const caseOf = (offset: number) => ssccToEpcUrn(withCheckDigit(`00361414${String((Date.now() + offset) % 1e9).padStart(9, '0')}`));

const fixture = useServices('inbound', { timeoutMs: 240000 });
const d = () => fixture.services.distributor;
const p = () => fixture.services.dispenser;
const post = (xml: string) => fetch(`${d().url}/epcis/inbound`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-api-key': key('distributor', 'operator') }, body: xml });

describe('inbound shipments from non-members', () => {
  it('an EPCIS 1.2 XML shipment from a non-member becomes a receipt on the ledger; the packs go on to be dispensed and verified', async () => {
    const xml = document(OUTSIDE, `ASN-${runId}`);
    const res = await post(xml);
    const out = (await res.json()) as { transactionId: string; duplicate: boolean; changed: string[]; sellerGln: string; packs: number; shipmentId: string };
    expect(res.status).toBe(200);
    expect(out).toMatchObject({ duplicate: false, sellerGln: SELLER, packs: 3 });
    // The case is recorded as a container with its packs, as the receiver's.
    expect(out.changed.sort()).toEqual([CASE, ...[1, 2, 3].map((n) => sgtinToEpcUrn(OUTSIDE, serial(n)))].sort());
    // The same document again: the same receipt, nothing recorded twice.
    expect(((await (await post(xml)).json()) as { duplicate: boolean }).duplicate).toBe(true);

    // The TI is the distributor's, read on its own peer and matching the public hash.
    const docs = await d().ok<{ transactionDocuments: { matchesPublicHash: boolean } }>(key('distributor', 'admin'), `{ transactionDocuments(shipmentId: "${out.shipmentId}") { matchesPublicHash } }`);
    expect(docs.transactionDocuments.matchesPublicHash).toBe(true);

    // The loose pack goes on alone; packs 1 and 2 travel inside the case (shipping one of them alone is refused, as for a member's case).
    const pack = sgtinToEpcUrn(OUTSIDE, serial(3));
    const ti = { transactionDate: new Date().toISOString().slice(0, 10), seller: 'DistributorMSP', buyer: 'DispenserMSP', products: [{ gtin: OUTSIDE, name: 'Outsidol 5 mg tablets', lot: LOT, quantity: 1 }] };
    await d().ok(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`, { e: [pack], ti });
    await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [pack] });
    const scan = `01${OUTSIDE}1729063010${LOT}${GS}21${serial(3)}`;
    const v = await p().ok<{ verifyPack: { verified: boolean; lot: string; status: string } }>(key('dispenser', 'pharmacist'), `mutation($s: String!) { verifyPack(scan: $s) { verified lot status } }`, { s: scan });
    expect(v.verifyPack).toMatchObject({ verified: true, lot: LOT, status: 'received' });
    await p().ok(key('dispenser', 'pharmacist'), `mutation { dispensePacks(epcs: ["${pack}"]) { transactionId } }`);
    const after = await p().ok<{ pack: { owners: string[]; status: string } }>(key('dispenser', 'auditor'), `{ pack(epc: "${pack}") { owners status } }`);
    expect(after.pack).toEqual({ owners: [`gln:${SELLER}`, 'DistributorMSP', 'DispenserMSP'], status: 'dispensed' });

    // The case goes on sealed, as a member's case would, and the pharmacy unpacks it later.
    const caseTi = { transactionDate: new Date().toISOString().slice(0, 10), seller: 'DistributorMSP', buyer: 'DispenserMSP', products: [{ gtin: OUTSIDE, name: 'Outsidol 5 mg tablets', lot: LOT, quantity: 2 }] };
    const shipped = await d().ok<{ shipPacks: { changed: string[] } }>(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { changed } }`, { e: [CASE], ti: caseTi });
    expect(shipped.shipPacks.changed).toContain(CASE);
    await p().ok(key('dispenser', 'operator'), `mutation($e: [String!]!) { receivePacks(epcs: $e) { transactionId } }`, { e: [CASE] });
    const unpacked = await p().ok<{ unpackContainer: { changed: string[] } }>(key('dispenser', 'operator'), `mutation { unpackContainer(sscc: "${CASE}") { changed } }`);
    expect(unpacked.unpackContainer.changed.sort()).toEqual([CASE, ...[1, 2].map((n) => sgtinToEpcUrn(OUTSIDE, serial(n)))].sort());
    const inCase = await p().ok<{ pack: { owners: string[]; status: string; custodian: string } }>(key('dispenser', 'auditor'), `{ pack(epc: "${sgtinToEpcUrn(OUTSIDE, serial(2))}") { owners status custodian } }`);
    expect(inCase.pack).toEqual({ owners: [`gln:${SELLER}`, 'DistributorMSP', 'DispenserMSP'], status: 'received', custodian: 'DispenserMSP' });
  });

  it('refuses a document naming a member\'s GTIN with a typed error, and records nothing', async () => {
    const res = await post(document(MEMBER_GTIN, `ASN-M-${runId}`));
    const out = (await res.json()) as { error: { domainCode?: string; message: string } };
    expect(res.status).toBe(403);
    expect(out.error.domainCode).toBe('INBOUND_MEMBER_PRODUCT');
    const pack = await d().gql(key('distributor', 'auditor'), `{ pack(epc: "${sgtinToEpcUrn(MEMBER_GTIN, serial(1))}") { status } }`);
    expect(JSON.stringify(pack)).not.toMatch(/received/);
  });

  it('a shipment that differs from its own TI is received under a receiving exception against the non-member seller, its packs held', async () => {
    const xml = document(OUTSIDE, `ASN-Q-${runId}`, (n) => `Q${runId}${n}`.slice(0, 20), ssccToEpcUrn(withCheckDigit(`00361414${String((Date.now() + 29) % 1e9).padStart(9, '0')}`)), { quantity: 4 });
    const res = await post(xml);
    const out = (await res.json()) as { shipmentId: string; packs: number; exceptions: string[]; duplicate: boolean };
    expect(res.status).toBe(200);
    expect(out).toMatchObject({ packs: 3, duplicate: false, exceptions: [`${out.shipmentId}:exceptions#1`] });
    const [exceptionId] = out.exceptions;
    const read = await eventually(
      () => d().ok<{ receivingException: { rule: string; seller: string; state: string; held: string[]; evidence: { tiQuantity?: number; shippedQuantity?: number } } | null }>(key('distributor', 'auditor'),
        `{ receivingException(id: "${exceptionId}", receiver: "${MSP.distributor}") { rule seller state held evidence } }`),
      (r) => r.receivingException !== null);
    expect(read.receivingException).toMatchObject({ rule: 'quantity_differs_from_ti', seller: `gln:${SELLER}`, state: 'waiting_on_partner', evidence: { tiQuantity: 4, shippedQuantity: 3 } });
    expect(read.receivingException?.held).toHaveLength(3);
    const pack = await d().ok<{ pack: { overlays: string[]; sellable: boolean; owners: string[] } }>(key('distributor', 'auditor'), `{ pack(epc: "${sgtinToEpcUrn(OUTSIDE, `Q${runId}1`.slice(0, 20))}") { overlays sellable owners } }`);
    expect(pack.pack).toEqual({ overlays: ['quarantined'], sellable: false, owners: [`gln:${SELLER}`, 'DistributorMSP'] });
    // The same document again: the same receipt and the same exception, nothing raised twice.
    expect(await (await post(xml)).json()).toMatchObject({ duplicate: true, exceptions: [exceptionId] });
  });

  it('an aggregation that does not add up is received under receiving exceptions against the non-member seller, the packs it concerns held', async () => {
    // Case 1 lists a pack the document never commissions and pack 2; case 2 lists pack 2 again and
    // pack 3; pack 4 ships loose though the document packed it into a case that did not ship.
    const g = (n: number) => sgtinToEpcUrn(OUTSIDE, `G${runId}${n}`.slice(0, 20));
    const [c1, c2, c3] = [caseOf(41), caseOf(43), caseOf(47)] as [string, string, string];
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const xml = documentOf(OUTSIDE, `ASN-G-${runId}`, [
      commissionEvent({ eventTime: at(60), epcs: [1, 2, 3, 4].map(g), lot: LOT, expiry: '2029-06-30' }),
      packEvent({ eventTime: at(50), parent: c1, children: [g(1), g(2), g(9)], sealed: true }),
      packEvent({ eventTime: at(50), parent: c2, children: [g(2), g(3)], sealed: true }),
      packEvent({ eventTime: at(50), parent: c3, children: [g(4)], sealed: true }),
      shipping([c1, c2, g(4)], `ASN-G-${runId}`),
    ]);
    const res = await post(xml);
    const out = (await res.json()) as { shipmentId: string; packs: number; exceptions: string[]; changed: string[] };
    expect(res.status).toBe(200);
    expect(out.packs).toBe(4);
    expect(out.exceptions).toEqual([1, 2, 3].map((i) => `${out.shipmentId}:exceptions#${i}`));
    type Read = { receivingException: { rule: string; seller: string; state: string; subjects: string[]; held: string[] } | null };
    const read = await Promise.all(out.exceptions.map((id) => eventually(
      () => d().ok<Read>(key('distributor', 'auditor'), `{ receivingException(id: "${id}", receiver: "${MSP.distributor}") { rule seller state subjects held } }`),
      (r) => r.receivingException !== null)));
    expect(read.map((r) => r.receivingException)).toEqual([
      { rule: 'aggregation_missing_pack', seller: `gln:${SELLER}`, state: 'waiting_on_partner', subjects: [c1, g(9)].sort(), held: [g(1), g(2)].sort() },
      { rule: 'aggregation_missing_pack', seller: `gln:${SELLER}`, state: 'waiting_on_partner', subjects: [c2, g(2)].sort(), held: [g(2), g(3)].sort() },
      { rule: 'aggregation_extra_pack', seller: `gln:${SELLER}`, state: 'waiting_on_partner', subjects: [g(4)], held: [g(4)] },
    ]);
    // Each EPC where the document first put it: pack 2 in case 1, pack 4 loose; every pack held.
    for (const [n, parent] of [[1, c1], [2, c1], [3, c2], [4, null]] as const) {
      const pack = await d().ok<{ pack: { overlays: string[]; sellable: boolean; owners: string[]; container: string | null } }>(key('distributor', 'auditor'), `{ pack(epc: "${g(n)}") { overlays sellable owners container } }`);
      expect(pack.pack).toEqual({ overlays: ['quarantined'], sellable: false, owners: [`gln:${SELLER}`, 'DistributorMSP'], container: parent });
    }
  });

  it('refuses a document addressed to another organisation with a typed error, and records nothing', async () => {
    const res = await post(document(OUTSIDE, `ASN-A-${runId}`, (n) => `A${runId}${n}`.slice(0, 20), CASE, { buyerGln: withCheckDigit('035678900000') }));
    const out = (await res.json()) as { error: { domainCode?: string } };
    expect(res.status).toBe(403);
    expect(out.error.domainCode).toBe('NOT_ADDRESSEE');
    const pack = await d().gql(key('distributor', 'auditor'), `{ pack(epc: "${sgtinToEpcUrn(OUTSIDE, `A${runId}1`.slice(0, 20))}") { status } }`);
    expect(JSON.stringify(pack)).not.toMatch(/received/);
  });

  it('takes a document dropped into the watched inbox folder (AS2 stand-in) onto the ledger', async () => {
    const inbox = await fs.mkdtemp(path.join(os.tmpdir(), 'pedigree-inbox-'));
    await d().kill('SIGTERM');
    await d().start({ PEDIGREE_INBOUND_DIR: inbox, PEDIGREE_INBOUND_POLL_MS: '300' });
    const other = ssccToEpcUrn(withCheckDigit(`00361414${String((Date.now() + 17) % 1e9).padStart(9, '0')}`));
    await fs.writeFile(path.join(inbox, 'asn.xml'), document(OUTSIDE, `ASN-F-${runId}`, folderSerial, other));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await fs.readdir(path.join(inbox, 'received')).catch(() => [] as string[])).includes('asn.xml')) await new Promise((r) => setTimeout(r, 300));
    expect(await fs.readdir(path.join(inbox, 'received'))).toEqual(['asn.xml']);
    const pack = await d().ok<{ pack: { owners: string[]; status: string } }>(key('distributor', 'auditor'), `{ pack(epc: "${sgtinToEpcUrn(OUTSIDE, folderSerial(2))}") { owners status } }`);
    expect(pack.pack).toEqual({ owners: [`gln:${SELLER}`, 'DistributorMSP'], status: 'received' });
    await fs.rm(inbox, { recursive: true, force: true });
  });
});
