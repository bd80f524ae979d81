import { Ledger, LedgerError, SubmitOptions } from '@pedigree/ledger';
import { sgtinToEpcUrn } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, salted, seenBy } from '../support/chaincode';
import { MSP, ROLES, Role, ledgerFor } from '../support/ledger';

/**
 * The security matrix at the ledger, below every service: each write of the chaincode, sent by
 * each identity (admin and user) of an organisation that does not own what it touches, straight
 * through its own peer's gateway. Every one must be refused by the chaincode with an authority
 * code — never for some other reason the owner would also meet — and nothing may change: the
 * records read back equal, the event IDs never recorded. The targets are chosen so that the same
 * command by their owner would be legal (checked for the quarantined and the returned pack).
 * An authority code is the partner's admitted role (ROLE_FORBIDDEN), its company prefix
 * (PREFIX_NOT_HELD) or its relation to the record (NOT_OWNER, …). Not in the matrix: governance
 * (test/chaincode/trust.test.ts) and AnchorForecast (anchors are keyed by their publisher).
 */
const { run, ssccOf: sscc } = runIds();
const AUTHORITY_CODES = ['NOT_OWNER', 'NOT_CUSTODIAN', 'NOT_ADDRESSEE', 'NOT_MANUFACTURER', 'ROLE_FORBIDDEN', 'PREFIX_NOT_HELD'];
const lot = `M${run}`;
const sgtin = (serial: string) => sgtinToEpcUrn(GTIN, serial);
const ti = (buyer: string) => salted({ transactionDate: '2026-03-01', seller: { name: 'Acme Pharma' }, buyer: { name: buyer }, products: [{ ndc: NDC, quantity: 1, lot }] });

/**
 * P1 stays with the manufacturer, P2 is in transit to the distributor, P3 is inside the
 * manufacturer's case C, P4 was sold to and received by the distributor (only a holder of a
 * received pack may dispense it), P5 is quarantined by the manufacturer, P6 was sold to the
 * distributor and returned to the manufacturer (awaiting verification of the return).
 */
const P1 = sgtin(`${run}A`);
const P2 = sgtin(`${run}B`);
const P3 = sgtin(`${run}C`);
const P4 = sgtin(`${run}D`);
const P5 = sgtin(`${run}E`);
const P6 = sgtin(`${run}F`);
const C = sscc(1);

const l = {} as Record<Role, Ledger>;
const identities: Array<{ org: Role; user: string; ledger: Ledger }> = [];

async function seenByAll(eventId: string): Promise<void> {
  for (const role of ROLES) await seenBy(l[role], eventId);
}

beforeAll(async () => {
  for (const role of ROLES) l[role] = ledgerFor(role);
  for (const org of ROLES) {
    for (const user of ['User1', 'Admin']) identities.push({ org, user, ledger: ledgerFor(org, user) });
  }
  const m = l.manufacturer;
  await m.submit('RegisterProduct', [JSON.stringify({ eventId: `mx-prod-${run}`, ndc: NDC, name: 'Amoxicillin 500 mg capsules', strength: '500 mg', dosageForm: 'capsule', packSize: '30 capsules' })], MASTER);
  // Partners are the consortium's founding members (network:up), admitted by governance, not self-registered.
  await m.submit('Commission', [JSON.stringify({ eventId: `mx-com-${run}`, gtin: GTIN, lot, expiry: '2030-12-31', serials: ['A', 'B', 'C', 'D', 'E', 'F'].map((x) => `${run}${x}`) })], TRACE);
  await m.submit('Pack', [JSON.stringify({ eventId: `mx-pack-${run}`, parent: C, children: [P3] })], TRACE);
  await m.submit('Ship', [JSON.stringify({ eventId: `mx-ship-${run}`, to: MSP.distributor, epcs: [P2], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti('Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
  await m.submit('Ship', [JSON.stringify({ eventId: `mx-ship4-${run}`, to: MSP.distributor, epcs: [P4], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti('Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
  await seenByAll(`mx-ship-${run}`);
  await seenByAll(`mx-ship4-${run}`);
  await l.distributor.submit('Receive', [JSON.stringify({ eventId: `mx-recv4-${run}`, epcs: [P4] })], TRACE);
  await seenByAll(`mx-recv4-${run}`);
  await m.submit('Quarantine', [JSON.stringify({ eventId: `mx-quar5-${run}`, epcs: [P5], reason: 'suspect' })], TRACE);
  await m.submit('Ship', [JSON.stringify({ eventId: `mx-ship6-${run}`, to: MSP.distributor, epcs: [P6], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti('Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
  await seenByAll(`mx-ship6-${run}`);
  await l.distributor.submit('Receive', [JSON.stringify({ eventId: `mx-recv6-${run}`, epcs: [P6] })], TRACE);
  await seenByAll(`mx-recv6-${run}`);
  await l.distributor.submit('Ship', [JSON.stringify({ eventId: `mx-return6-${run}`, to: MSP.manufacturer, epcs: [P6], purpose: 'return' })], { ...TRACE, endorsingOrganizations: [MSP.distributor, MSP.manufacturer] });
  await seenByAll(`mx-return6-${run}`);
  await m.submit('Receive', [JSON.stringify({ eventId: `mx-recvret6-${run}`, epcs: [P6] })], TRACE);
  await seenByAll(`mx-recvret6-${run}`);
  await seenByAll(`mx-quar5-${run}`);
  // The targets are in the state where their owner's command would be legal.
  const overlays = async (epc: string) => (JSON.parse(Buffer.from(await m.evaluate('GetPack', [epc], TRACE)).toString('utf8')) as { overlays: string[] }).overlays;
  expect({ P5: await overlays(P5), P6: await overlays(P6) }).toEqual({ P5: expect.arrayContaining(['quarantined']), P6: expect.arrayContaining(['returned']) });
}, 240_000);

afterAll(() => {
  for (const role of ROLES) l[role]?.close();
  for (const o of identities) o.ledger.close();
});

interface Attempt {
  readonly name: string;
  readonly transaction: string;
  readonly contract: 'traceability' | 'masterdata';
  readonly command: (org: Role, eventId: string) => Record<string, unknown>;
  readonly options?: (org: Role) => SubmitOptions;
  /** Who owns the target (the manufacturer unless said). */
  readonly owner?: Role;
  /** Organisations besides the owner for which the command would be legal (the addressee may receive). */
  readonly except?: Role[];
}

/** Someone to sell to that is neither the seller nor, where possible, the manufacturer. */
const buyerFor = (org: Role): Role => (org === 'distributor' ? 'dispenser' : 'distributor');

const ATTEMPTS: Attempt[] = [
  { name: 'register the manufacturer\'s product', transaction: 'RegisterProduct', contract: 'masterdata', command: (_o, eventId) => ({ eventId, ndc: NDC, name: 'Counterfeit', strength: '1', dosageForm: 'x', packSize: '1' }) },
  { name: 'commission under the manufacturer\'s GTIN', transaction: 'Commission', contract: 'traceability', command: (_o, eventId) => ({ eventId, gtin: GTIN, lot, expiry: '2030-12-31', serials: [`${run}Z`] }) },
  { name: 'aggregate the manufacturer\'s pack', transaction: 'Pack', contract: 'traceability', command: (_o, eventId) => ({ eventId, parent: sscc(2), children: [P1] }) },
  { name: 'unpack the manufacturer\'s case', transaction: 'Unpack', contract: 'traceability', command: (_o, eventId) => ({ eventId, parent: C }) },
  {
    name: 'sell the manufacturer\'s pack on', transaction: 'Ship', contract: 'traceability',
    command: (org, eventId) => ({ eventId, to: MSP[buyerFor(org)], epcs: [P1], statement: { affirmed: true } }),
    options: (org) => ({ transient: { ti: ti(buyerFor(org)) }, endorsingOrganizations: [MSP[org], MSP[buyerFor(org)]] }),
  },
  { name: 'void the manufacturer\'s shipment', transaction: 'VoidShipping', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P2] }) },
  { name: 'receive a shipment addressed to another', transaction: 'Receive', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P2] }), except: ['distributor'] },
  { name: 'dispense the distributor\'s received pack', transaction: 'Dispense', contract: 'traceability', owner: 'distributor', command: (_o, eventId) => ({ eventId, epcs: [P4] }) },
  { name: 'decommission', transaction: 'Decommission', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P1], reason: 'damaged' }) },
  { name: 'destroy', transaction: 'Destroy', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P1] }) },
  { name: 'quarantine', transaction: 'Quarantine', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P1], reason: 'suspect' }) },
  { name: 'release the manufacturer\'s quarantined pack', transaction: 'Release', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P5] }) },
  { name: 'verify a return made to the manufacturer', transaction: 'VerifyReturn', contract: 'traceability', command: (_o, eventId) => ({ eventId, epcs: [P6], verified: true }) },
  { name: 'recall the manufacturer\'s lot', transaction: 'RecallLot', contract: 'traceability', command: (_o, eventId) => ({ eventId, gtin: GTIN, lot, recallId: `RC-${eventId}` }) },
  { name: 'extend the expiry of the manufacturer\'s lot', transaction: 'ExtendExpiry', contract: 'traceability', command: (_o, eventId) => ({ eventId, gtin: GTIN, lot, until: '2031-12-31' }) },
];

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const epc of [P1, P2, P3, P4, P5, P6, C]) {
    // GetPack also answers the time of the query and what is sellable then: compare the record itself.
    const answer = JSON.parse(Buffer.from(await l.manufacturer.evaluate(epc === C ? 'GetContainer' : 'GetPack', [epc], TRACE)).toString('utf8')) as { pack?: unknown; container?: unknown };
    out[epc] = JSON.stringify(answer.pack ?? answer.container);
  }
  return out;
}

describe('every chaincode write by every identity of an organisation that does not own the target', () => {
  const cases = ATTEMPTS.flatMap((a) => ROLES.filter((o) => o !== (a.owner ?? 'manufacturer') && !a.except?.includes(o)).map((org) => [a.name, org, a] as const));

  it.each(cases)('%s, by the %s: refused for want of authority, nothing written', async (_name, org, attempt) => {
    const before = await snapshot();
    for (const who of identities.filter((o) => o.org === org)) {
      const eventId = `mx-${attempt.transaction}-${org}-${who.user}-${run}`;
      const err = await who.ledger.submit(attempt.transaction, [JSON.stringify(attempt.command(org, eventId))], { contract: attempt.contract, conflictRetries: 0, ...attempt.options?.(org) })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(LedgerError);
      const e = err as LedgerError;
      expect({ who: `${org}/${who.user}`, stage: e.stage, kind: e.kind, code: AUTHORITY_CODES.includes(e.chaincodeCode ?? '') ? 'authority' : e.chaincodeCode })
        .toEqual({ who: `${org}/${who.user}`, stage: 'endorse', kind: 'chaincode', code: 'authority' });
      // Never recorded: neither the attacker's peer nor the owner's knows the event ID.
      for (const ledger of [who.ledger, l[attempt.owner ?? 'manufacturer']]) {
        expect(await ledger.evaluate('GetEventOf', [eventId, MSP[org]], TRACE).then(() => 'recorded', () => 'absent')).toBe('absent');
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('the Transaction Information of a sale is refused to a third organisation, by every identity', async () => {
    for (const who of identities.filter((o) => o.org === 'dispenser')) {
      const err = await who.ledger.evaluate('GetTransactionInformation', [`mx-ship-${run}`], TRACE).then(() => undefined, (e: unknown) => e);
      expect({ who: who.user, code: (err as LedgerError | undefined)?.chaincodeCode }).toEqual({ who: who.user, code: 'TI_FORBIDDEN' });
    }
  });
});
