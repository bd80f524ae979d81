import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { businessCalendar, businessDeadline, ndcToGtin14, sgtinToEpcUrn, ssccToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { eventually, key, MSP, RESULT, ROOT, runId, subscribe, useServices } from './support';

/**
 * Receiving exceptions between members on the real network (issue 14): a case shipped one pack
 * short is received with its scan, the receipt raises an exception held at the receiver, the
 * seller sees it, answers with corrected aggregation, the correction is re-checked on the ledger,
 * and the receiver closes it and gets its packs back.
 */
const NDC = '12345-431-07';
const GTIN = ndcToGtin14(NDC);
const LOT = `E${runId}`.slice(0, 20);
const serial = (n: number) => `X${runId}${n}`.slice(0, 20);
const sgtin = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
const CASE = ssccToEpcUrn(withCheckDigit(`10312345${String(Date.now() % 1e9).padStart(9, '0')}`));
const ALL = Array.from({ length: 12 }, (_, i) => sgtin(i + 1));
const ARRIVED = ALL.slice(0, 11);
const MISSING = ALL[11] as string;
const EXCEPTION = 'id receiver seller shipmentId rule state isOpen subjects held summary evidence openedAt updatedAt closedAt ageSeconds resolution answers history version';

const fixture = useServices('exc', { postgresName: 'e2e-exceptions' });
const services = fixture.services;
const pg = () => fixture.postgres();

const m = () => services.manufacturer;
const d = () => services.distributor;
const p = () => services.dispenser;

type Exception = { id: string; receiver: string; seller: string; rule: string; state: string; isOpen: boolean; held: string[]; subjects: string[]; evidence: { missing: string[] }; ageSeconds: number; openedAt: string; answers: Array<{ recheck: string }>; history: Array<{ to: string }> };
type Connection = { edges: Array<{ node: Exception }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

describe('receiving exceptions between members', () => {
  let shipmentId: string;
  let exceptionId: string;

  it('the manufacturer ships a case of 12 with a TI of 12', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Exceptamab 10 mg tablets", strength: "10 mg", dosageForm: "tablet", packSize: "30 tablets") { transactionId } }`);
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-06-30", serials: $s) { transactionId } }`, { s: ALL.map((_, i) => serial(i + 1)) });
    await m().ok(key('manufacturer', 'operator'), `mutation($c: [String!]!) { packContainer(sscc: "${CASE}", children: $c) { transactionId } }`, { c: ALL });
    const shipped = await m().ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { ${RESULT} } }`,
      { e: [CASE], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DistributorMSP', products: [{ ndc: NDC, lot: LOT, quantity: 12 }] } });
    shipmentId = shipped.shipPacks.shipmentId;
    // The distributor's product master data (its read model) must know the GTIN before the receipt is checked.
    const product = await eventually(() => d().ok<{ product: { gtin: string } | null }>(key('distributor', 'operator'), `{ product(gtin: "${GTIN}") { gtin } }`), (r) => r.product !== null);
    expect(product.product?.gtin).toBe(GTIN);
  });

  it('the distributor scans 11: the receipt raises an aggregation exception, referred to the seller, with the 11 packs held', async () => {
    const received = await d().ok<{ receivePacks: { exceptions: string[]; changed: string[]; pending: string[] } }>(key('distributor', 'operator'),
      `mutation($e: [String!]!, $s: [String!]!) { receivePacks(epcs: $e, scanned: $s) { ${RESULT} exceptions } }`, { e: [CASE], s: ARRIVED });
    expect(received.receivePacks.exceptions).toHaveLength(1);
    expect(received.receivePacks.pending).toEqual([MISSING]);
    exceptionId = received.receivePacks.exceptions[0] as string;

    const inbox = await d().ok<{ exceptionsInbox: Connection }>(key('distributor', 'auditor'),
      `{ exceptionsInbox(filter: { states: [waiting_on_partner], rules: [aggregation_missing_pack], partner: "${MSP.manufacturer}" }, first: 50) { edges { node { ${EXCEPTION} } } pageInfo { hasNextPage endCursor } } }`);
    const mine = inbox.exceptionsInbox.edges.map((e) => e.node).find((n) => n.id === exceptionId);
    expect(mine).toMatchObject({ receiver: MSP.distributor, seller: MSP.manufacturer, shipmentId, rule: 'aggregation_missing_pack', state: 'waiting_on_partner', isOpen: true, held: [...ARRIVED].sort(), evidence: { missing: [MISSING] } });
    expect(mine?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(mine?.openedAt ?? '')).toBeLessThanOrEqual(Date.now());

    const pack = await d().ok<{ pack: { overlays: string[]; sellable: boolean; custodian: string } }>(key('distributor', 'auditor'), `{ pack(epc: "${ARRIVED[0]}") { overlays sellable custodian } }`);
    expect(pack.pack).toEqual({ overlays: ['quarantined'], sellable: false, custodian: MSP.distributor });
    const holding = await d().ok<{ exceptionsHoldingPack: Array<{ id: string }> }>(key('distributor', 'operator'), `{ exceptionsHoldingPack(epc: "${ARRIVED[3]}") { id } }`);
    expect(holding.exceptionsHoldingPack.map((x) => x.id)).toEqual([exceptionId]);
    // Held product is out of commerce: it cannot be shipped on.
    const ship = await d().gql(key('distributor', 'operator'), `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.dispenser}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`,
      { e: [ARRIVED[0]], ti: { transactionDate: '2026-12-01', seller: 'D', buyer: 'P', products: [{ ndc: NDC, quantity: 1 }] } });
    expect(ship.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('the seller sees it against its shipments; a third organisation does not', async () => {
    const list = await eventually(
      () => m().ok<{ exceptionsAgainstMyShipments: Connection }>(key('manufacturer', 'auditor'),
        `{ exceptionsAgainstMyShipments(filter: { partner: "${MSP.distributor}", shipmentId: "${shipmentId}" }, first: 1) { edges { cursor node { ${EXCEPTION} } } pageInfo { hasNextPage endCursor } } }`),
      (r) => r.exceptionsAgainstMyShipments.edges.length > 0);
    expect(list.exceptionsAgainstMyShipments.edges[0]?.node).toMatchObject({ id: exceptionId, state: 'waiting_on_partner', rule: 'aggregation_missing_pack' });
    expect(list.exceptionsAgainstMyShipments.pageInfo.hasNextPage).toBe(false);

    const other = await p().ok<{ receivingException: unknown; exceptionsInbox: Connection }>(key('dispenser', 'auditor'),
      `{ receivingException(id: "${exceptionId}", receiver: "${MSP.distributor}") { id } exceptionsInbox(filter: { shipmentId: "${shipmentId}" }) { edges { node { id } } } }`);
    expect(other).toEqual({ receivingException: null, exceptionsInbox: { edges: [] } });
  });

  it('only the right party takes each step', async () => {
    const answerByReceiver = await d().gql(key('distributor', 'operator'), `mutation { answerException(receiver: "${MSP.distributor}", id: "${exceptionId}", note: "ours") { transactionId } }`);
    expect(answerByReceiver.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', domainCode: 'EXCEPTION_PARTY' });
    const closeOpen = await d().gql(key('distributor', 'operator'), `mutation { closeException(id: "${exceptionId}") { transactionId } }`);
    expect(closeOpen.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', domainCode: 'EXCEPTION_TRANSITION' });
    const byPlanner = await m().gql(key('manufacturer', 'planner'), `mutation { answerException(receiver: "${MSP.distributor}", id: "${exceptionId}", note: "x") { transactionId } }`);
    expect(byPlanner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the seller answers with corrected aggregation: re-checked clean on the ledger, resolved by correction', async () => {
    const answered = await m().ok<{ answerException: { exceptions: string[] } }>(key('manufacturer', 'operator'),
      `mutation($c: JSON!) { answerException(receiver: "${MSP.distributor}", id: "${exceptionId}", correction: $c, note: "pack 12 was pulled for QC before sealing") { ${RESULT} exceptions } }`,
      { c: { contents: [{ container: CASE, children: ARRIVED }] } });
    expect(answered.answerException.exceptions).toEqual([exceptionId]);
    const seen = await eventually(() => d().ok<{ receivingException: Exception }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} } }`),
      (r) => r.receivingException?.state === 'resolved_by_correction');
    expect(seen.receivingException).toMatchObject({ state: 'resolved_by_correction', isOpen: false, resolution: 'correction', answers: [{ recheck: 'clean' }] });
  });

  it('the receiver closes it and its packs are released', async () => {
    const closed = await d().ok<{ closeException: { changed: string[] } }>(key('distributor', 'operator'), `mutation { closeException(id: "${exceptionId}") { ${RESULT} exceptions } }`);
    expect([...closed.closeException.changed].sort()).toEqual([...ARRIVED].sort());
    const pack = await d().ok<{ pack: { overlays: string[]; sellable: boolean } }>(key('distributor', 'auditor'), `{ pack(epc: "${ARRIVED[0]}") { overlays sellable } }`);
    expect(pack.pack).toEqual({ overlays: [], sellable: true });
    const row = await d().ok<{ receivingException: Exception }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} } }`);
    expect(row.receivingException.history.map((h) => h.to)).toEqual(['open', 'waiting_on_partner', 'resolved_by_correction', 'closed']);
    const open = await d().ok<{ exceptionsInbox: Connection }>(key('distributor', 'auditor'), `{ exceptionsInbox(filter: { states: [open, waiting_on_partner], shipmentId: "${shipmentId}" }) { edges { node { id } } } }`);
    expect(open.exceptionsInbox.edges).toEqual([]);
  });
});

describe('a TI that says more than the shipment carries', () => {
  const LOOSE = [sgtin(13), sgtin(14)];
  let exceptionId: string;

  it('is raised on a checked receipt, both packs held, and the seller corrects the TI quantity', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-06-30", serials: $s) { transactionId } }`, { s: [serial(13), serial(14)] });
    await m().ok(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { transactionId } }`,
      { e: LOOSE, ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DistributorMSP', products: [{ ndc: NDC, lot: LOT, quantity: 3 }] } });
    const received = await d().ok<{ receivePacks: { exceptions: string[] } }>(key('distributor', 'operator'),
      `mutation($e: [String!]!) { receivePacks(epcs: $e, scanned: $e) { exceptions } }`, { e: LOOSE });
    expect(received.receivePacks.exceptions).toHaveLength(1);
    exceptionId = received.receivePacks.exceptions[0] as string;
    const raised = await d().ok<{ receivingException: Exception & { evidence: { tiQuantity: number; shippedQuantity: number } } }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} } }`);
    expect(raised.receivingException).toMatchObject({ rule: 'quantity_differs_from_ti', state: 'waiting_on_partner', held: [...LOOSE].sort(), evidence: { tiQuantity: 3, shippedQuantity: 2 } });

    // A correction that does not fix it is recorded and sends the exception back to the receiver.
    await eventually(() => m().ok<{ receivingException: { id: string } | null }>(key('manufacturer', 'auditor'), `{ receivingException(id: "${exceptionId}", receiver: "${MSP.distributor}") { id } }`), (r) => r.receivingException !== null);
    await m().ok(key('manufacturer', 'operator'), `mutation($c: JSON!) { answerException(receiver: "${MSP.distributor}", id: "${exceptionId}", correction: $c) { transactionId } }`,
      { c: { ti: [{ gtin: GTIN, lot: LOT, quantity: 3 }] } });
    const back = await eventually(() => d().ok<{ receivingException: Exception }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} } }`), (r) => r.receivingException.state === 'open');
    expect(back.receivingException.answers).toMatchObject([{ recheck: 'still_failing' }]);

    await m().ok(key('manufacturer', 'operator'), `mutation($c: JSON!) { answerException(receiver: "${MSP.distributor}", id: "${exceptionId}", correction: $c) { transactionId } }`,
      { c: { ti: [{ gtin: GTIN, lot: LOT, quantity: 2 }] } });
    await eventually(() => d().ok<{ receivingException: Exception }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { state } }`), (r) => r.receivingException.state === 'resolved_by_correction');
    const closed = await d().ok<{ closeException: { changed: string[] } }>(key('distributor', 'operator'), `mutation { closeException(id: "${exceptionId}") { changed } }`);
    expect([...closed.closeException.changed].sort()).toEqual([...LOOSE].sort());
  });
});

describe('product without data: held through its grace period, then escalated by the clock', () => {
  const SHIPPED = sgtin(15);
  const STRANGER = sgtinToEpcUrn(GTIN, `U${runId}`.slice(0, 20));
  const CLOCK = 'ageBusinessDays graceBusinessDays dueAt timeZone overdue onExpiry escalatedAt escalatedEarly';
  type Clocked = Omit<Exception, 'history'> & { ageBusinessDays: number; graceBusinessDays: number; dueAt: string; timeZone: string; overdue: boolean; onExpiry: string; escalatedAt: string | null; escalatedEarly: boolean | null; history: Array<{ to: string; action: string }> };
  type Check = { checkExceptionClocks: { asOf: string; escalated: string[]; alerted: string[]; overdue: Clocked[] } };
  const check = (asOf: string) => d().ok<Check>(key('distributor', 'admin'),
    `mutation($a: String) { checkExceptionClocks(asOf: $a) { asOf escalated alerted overdue { id ${CLOCK} } } }`, { a: asOf });
  let exceptionId: string;
  let shipmentId: string;
  let dueAt: string;

  it('a scan the ledger has never heard of raises product_without_data with a 3-business-day clock in the site\'s zone', async () => {
    await m().ok(key('manufacturer', 'operator'), `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-06-30", serials: $s) { transactionId } }`, { s: [serial(15)] });
    const shipped = await m().ok<{ shipPacks: { shipmentId: string } }>(key('manufacturer', 'operator'),
      `mutation($e: [String!]!, $ti: JSON!) { shipPacks(to: "${MSP.distributor}", epcs: $e, transactionInformation: $ti, statementAffirmed: true) { shipmentId } }`,
      { e: [SHIPPED], ti: { transactionDate: new Date().toISOString().slice(0, 10), seller: 'ManufacturerMSP', buyer: 'DistributorMSP', products: [{ ndc: NDC, lot: LOT, quantity: 1 }] } });
    shipmentId = shipped.shipPacks.shipmentId;
    const received = await d().ok<{ receivePacks: { exceptions: string[] } }>(key('distributor', 'operator'),
      `mutation($e: [String!]!, $s: [String!]!) { receivePacks(epcs: $e, scanned: $s) { exceptions } }`, { e: [SHIPPED], s: [SHIPPED, STRANGER] });
    expect(received.receivePacks.exceptions).toHaveLength(1);
    exceptionId = received.receivePacks.exceptions[0] as string;
    const raised = await d().ok<{ receivingException: Clocked }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} ${CLOCK} } }`);
    dueAt = businessDeadline(raised.receivingException.openedAt, 3, businessCalendar('America/New_York'));
    expect(raised.receivingException).toMatchObject({
      rule: 'product_without_data', state: 'waiting_on_partner', subjects: [STRANGER], graceBusinessDays: 3, timeZone: 'America/New_York', dueAt, overdue: false, onExpiry: 'escalate',
      ageBusinessDays: 0, escalatedAt: null,
    });
    const notOverdue = await d().ok<{ exceptionsInbox: Connection }>(key('distributor', 'auditor'), `{ exceptionsInbox(filter: { overdue: false, escalated: false, shipmentId: "${shipmentId}" }) { edges { node { id } } } }`);
    expect(notOverdue.exceptionsInbox.edges.map((e) => e.node.id)).toEqual([exceptionId]);
  });

  it('within the grace period the clock leaves it alone; once it ends the clock escalates it on the ledger and alerts, once', async () => {
    const socket = await subscribe(d().url, key('distributor', 'auditor'), 'subscription { receivingExceptionOverdue { id rule overdue dueAt } }', 'receivingExceptionOverdue');
    try {
      const before = await check(new Date(Date.parse(dueAt) - 1000).toISOString());
      expect(before.checkExceptionClocks.escalated).not.toContain(exceptionId);
      expect(before.checkExceptionClocks.overdue.map((x) => x.id)).not.toContain(exceptionId);

      // The injected clock: one second after the grace period's last business day ends in New York.
      const after = await check(new Date(Date.parse(dueAt) + 1000).toISOString());
      expect(after.checkExceptionClocks.escalated).toContain(exceptionId);
      expect(after.checkExceptionClocks.alerted).toContain(exceptionId);
      expect(after.checkExceptionClocks.overdue.find((x) => x.id === exceptionId)).toMatchObject({ overdue: true, dueAt, ageBusinessDays: 3 });
      const alert = await socket.next((n) => n.id === exceptionId);
      expect(alert).toMatchObject({ id: exceptionId, rule: 'product_without_data', overdue: true });

      const again = await check(new Date(Date.parse(dueAt) + 2000).toISOString());
      expect(again.checkExceptionClocks.escalated).not.toContain(exceptionId);
      expect(again.checkExceptionClocks.alerted).not.toContain(exceptionId);
    } finally {
      socket.close();
    }
    const escalated = await d().ok<{ receivingException: Clocked }>(key('distributor', 'auditor'), `{ receivingException(id: "${exceptionId}") { ${EXCEPTION} ${CLOCK} } }`);
    // The ledger's time is the real one, so against the due instant the escalation is early: recorded as such.
    expect(escalated.receivingException).toMatchObject({ state: 'waiting_on_partner', isOpen: true, escalatedEarly: true });
    expect(escalated.receivingException.escalatedAt).not.toBeNull();
    expect(escalated.receivingException.history.map((h) => h.action)).toEqual(['raise', 'refer', 'escalate']);
  });

  it('the seller sees the escalation against its shipment; only an admin reads the clocks at another instant', async () => {
    const seen = await eventually(
      () => m().ok<{ exceptionsAgainstMyShipments: { edges: Array<{ node: Clocked }> } }>(key('manufacturer', 'auditor'),
        `{ exceptionsAgainstMyShipments(filter: { escalated: true, shipmentId: "${shipmentId}" }) { edges { node { id ${CLOCK} } } } }`),
      (r) => r.exceptionsAgainstMyShipments.edges.length > 0);
    expect(seen.exceptionsAgainstMyShipments.edges[0]?.node).toMatchObject({ id: exceptionId, onExpiry: 'escalate', dueAt });
    const byOperator = await d().gql(key('distributor', 'operator'), `mutation { checkExceptionClocks { asOf } }`);
    expect(byOperator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const twice = await d().gql(key('distributor', 'operator'), `mutation { escalateException(id: "${exceptionId}", idempotencyKey: "by-hand-${runId}") { transactionId } }`);
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', domainCode: 'EXCEPTION_TRANSITION' });
  });
});

it('the inbox pages oldest first, by opaque cursor, and filters by age', async () => {
  const page = (after?: string) => d().ok<{ exceptionsInbox: Connection & { edges: Array<{ cursor: string; node: Exception }> } }>(key('distributor', 'auditor'),
    `query($a: String) { exceptionsInbox(filter: { partner: "${MSP.manufacturer}", states: [closed] }, first: 1, after: $a) { edges { cursor node { id openedAt } } pageInfo { hasNextPage endCursor } } }`, { a: after ?? null });
  const seen: Exception[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const p = (await page(after)).exceptionsInbox;
    seen.push(...p.edges.map((e) => e.node));
    if (!p.pageInfo.hasNextPage) break;
    after = p.pageInfo.endCursor ?? undefined;
  }
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
  expect(seen.map((x) => x.openedAt)).toEqual([...seen.map((x) => x.openedAt)].sort());
  const old = await d().ok<{ exceptionsInbox: Connection }>(key('distributor', 'auditor'), `{ exceptionsInbox(filter: { olderThanSeconds: 86400, shipmentId: "x-none" }) { edges { node { id } } } }`);
  expect(old.exceptionsInbox.edges).toEqual([]);
  const bad = await d().gql(key('distributor', 'auditor'), `{ exceptionsInbox(after: "bm90LWEtY3Vyc29y") { edges { node { id } } } }`);
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

it('the reconciler compares exception rows with the ledger and finds a tampered one', async () => {
  const cli = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
  const database = `exc_distributor_${runId}`;
  const reconcile = () => promisify(execFile)(process.execPath, [cli, 'reconcile', '--role', 'distributor', '--org', MSP.distributor], { cwd: ROOT, env: { ...process.env, DATABASE_URL: pg().databaseUrl(database) } })
    .then((r) => r.stdout, (e: { stdout: string }) => e.stdout)
    .then((out) => out.trim().split('\n').map((l) => JSON.parse(l) as { id?: string; kind?: string; problem?: string; columns?: string[]; exceptions?: number }));
  const clean = await reconcile();
  expect(clean.filter((d) => d.kind === 'exception')).toEqual([]);
  expect(clean[clean.length - 1]?.exceptions).toBeGreaterThanOrEqual(2);
  // Someone with database access reopens a closed exception behind the ledger's back.
  const [row] = await pg().query<{ id: string }>(database, `UPDATE receiving_exceptions SET state = 'open' WHERE state = 'closed' RETURNING id`);
  const tampered = await reconcile();
  expect(tampered.find((d) => d.kind === 'exception' && d.id?.endsWith(row?.id ?? '?'))).toMatchObject({ problem: 'differs', columns: ['state'] });
}, 300_000);
