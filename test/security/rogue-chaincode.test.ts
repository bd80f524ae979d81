import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { ChaincodeEventListener, Ledger, LedgerError, type CommittedEvent, type LedgerCheckpoint } from '@pedigree/ledger';
import { sgtinToEpcUrn, type PackRecord } from '@pedigree/domain';
import { packageChaincode } from '../../infra/src/network/chaincode-package';
import { Network } from '../../infra/src/network/network';
import { inHost } from '../../infra/src/network/processes';
import { chaincodeServerTlsArgs } from '../../infra/src/network/tls';
import { CHAINCODES, chaincodeServerPort, findOrg, networkPaths, type ChaincodeDeployment } from '../../infra/src/network/topology';
import { GTIN, MASTER, NDC, TRACE, runIds, salted, seenBy } from '../support/chaincode';
import { MSP, ROLES, ROOT, Role, ledgerFor } from '../support/ledger';

/**
 * The attack a shared ledger exists to stop: one organisation (the pharmacy) installs a modified
 * chaincode package on its own peer and approves it for itself — all Fabric's lifecycle asks of
 * it — then has that peer alone endorse raw writes: its dispensed pack back on the shelf, the
 * recall of its lot gone. Every key carries a policy that needs another member's peer too, which
 * runs the honest chaincode and never signs such a result, so each transaction is invalid
 * (ENDORSEMENT_POLICY_FAILURE), every peer keeps the record, and a projector sees the transaction
 * only as invalid, never as an event to apply.
 */
const { run } = runIds();
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const serial = `RG${run}`;
const lot = `RGL${run}`;
const pack = sgtinToEpcUrn(GTIN, serial);
const ti = () => salted({ transactionDate: '2026-03-01', seller: { name: 'Acme' }, buyer: { name: 'Buyer' }, products: [{ ndc: NDC, quantity: 1, lot }] });
const HONEST = CHAINCODES[0] as ChaincodeDeployment;
const ROGUE: ChaincodeDeployment = {
  ...HONEST, process: 'chaincode-rogue', module: 'test/support/rogue-chaincode', slot: 9,
  sources: ['test/support/rogue-chaincode/index.js', 'test/support/rogue-chaincode/package.json', 'dist/chaincode/src'],
};
const ENDORSEMENT_POLICY_FAILURE = 10;
// The pharmacy's own spare chaincode-server port: where its modified package listens.
const ROGUE_PORT = chaincodeServerPort(ROGUE, findOrg(MSP.dispenser)!);
const DISPENSER_HOST = findOrg(MSP.dispenser)!.host;

jest.setTimeout(600_000);

describe('a member running modified chaincode on its own peer', () => {
  const l = {} as Record<Role, Ledger>;
  const network = new Network(undefined, () => undefined);
  let rogueServer: ChildProcess | undefined;
  let rogueApproved = false;
  const settle = async (eventId: string) => {
    for (const role of ROLES) await seenBy(l[role], eventId);
  };

  beforeAll(async () => {
    for (const role of ROLES) l[role] = ledgerFor(role);
    await l.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `rg-prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
    await l.manufacturer.submit('Commission', [JSON.stringify({ eventId: `rg-com-${run}`, gtin: GTIN, lot, expiry: '2029-06-30', serials: [serial] })], TRACE);
    await settle(`rg-com-${run}`);
    await l.manufacturer.submit('Ship', [JSON.stringify({ eventId: `rg-ship-${run}`, to: MSP.distributor, epcs: [pack], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti() }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
    await settle(`rg-ship-${run}`);
    await l.distributor.submit('Receive', [JSON.stringify({ eventId: `rg-recv-${run}`, epcs: [pack] })], TRACE);
    await settle(`rg-recv-${run}`);
    await l.distributor.submit('Ship', [JSON.stringify({ eventId: `rg-ship2-${run}`, to: MSP.dispenser, epcs: [pack], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti() }, endorsingOrganizations: [MSP.distributor, MSP.dispenser] });
    await settle(`rg-ship2-${run}`);
    await l.dispenser.submit('Receive', [JSON.stringify({ eventId: `rg-recv2-${run}`, epcs: [pack] })], TRACE);
    await settle(`rg-recv2-${run}`);
    await l.dispenser.submit('Dispense', [JSON.stringify({ eventId: `rg-disp-${run}`, epcs: [pack] })], TRACE);
    await l.manufacturer.submit('RecallLot', [JSON.stringify({ eventId: `rg-recall-${run}`, gtin: GTIN, lot, recallId: `RC-RG-${run}` })], TRACE);
    await settle(`rg-disp-${run}`);
    await settle(`rg-recall-${run}`);
  });

  afterAll(async () => {
    // Whatever happened, the pharmacy's peer runs the honest package again.
    const honest = network.installedPackage(MSP.dispenser, HONEST);
    if (honest && rogueApproved) await network.approvePackageForOrg(MSP.dispenser, honest.file, honest.packageId);
    rogueServer?.kill('SIGKILL');
    for (const role of ROLES) l[role].close();
  });

  it('cannot un-dispense its pack or drop its lot\'s recall: invalid on every peer, projected by no one', async () => {
    const before = await Promise.all(ROLES.map(async (r) => decode<{ pack: PackRecord }>(await l[r].evaluate('GetPack', [pack], TRACE)).pack));
    expect(before[0]).toMatchObject({ status: 'dispensed', recall: { recallId: `RC-RG-${run}` } });

    // The pharmacy's own modified package, its own chaincode server, its own approval.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-rogue-'));
    const rogue = await packageChaincode(ROOT, home, `${DISPENSER_HOST}:${ROGUE_PORT}`, ROGUE);
    // The rogue organisation's own server on its own host (in its namespace, when hosts are namespaced).
    const [command, args] = inHost(findOrg(MSP.dispenser)!.namespace, process.execPath, [path.join(ROOT, 'node_modules/fabric-shim/cli.js'), 'server', '--chaincode-address', `${DISPENSER_HOST}:${ROGUE_PORT}`, '--chaincode-id', rogue.packageId, '--module-path', path.join(ROOT, ROGUE.module), ...chaincodeServerTlsArgs(networkPaths(ROOT), findOrg(MSP.dispenser)!)]);
    rogueServer = spawn(command, args, { stdio: 'ignore', env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'error' } });
    await until(() => portOpen(ROGUE_PORT), 20_000);
    await network.approvePackageForOrg(MSP.dispenser, rogue.file, rogue.packageId);
    rogueApproved = true;
    await until(async () => contractsOn(l.dispenser).then((c) => c.includes('rogue')), 60_000);

    const { blockNumber: startBlock } = await l.manufacturer.submit('Put', [`rg-start-${run}`, 'x'], { chaincode: 'pedigree-probe', contract: 'probe' });
    const undispensed: PackRecord = { ...(before[2] as PackRecord), status: 'received', dispensed: undefined, recall: undefined, version: (before[2] as PackRecord).version + 1 } as PackRecord;
    const forgedEvent = JSON.stringify({ schema: 'pedigree.traceability', version: 1, type: 'release', eventId: `rg-forged-${run}`, txId: 'forged', txTime: new Date().toISOString(), actor: MSP.dispenser, records: [undispensed], epcis: [] });
    const attacks = [
      l.dispenser.submit('Rewrite', ['pack', JSON.stringify([GTIN, serial]), JSON.stringify(undispensed), 'release', forgedEvent], { contract: 'rogue', endorsingOrganizations: [MSP.dispenser], conflictRetries: 0 }),
      l.dispenser.submit('Erase', ['lotStatus', JSON.stringify([GTIN, lot]), 'extendExpiry', JSON.stringify({ schema: 'pedigree.traceability', version: 1, type: 'extendExpiry', eventId: `rg-forged2-${run}`, txId: 'forged', txTime: new Date().toISOString(), actor: MSP.dispenser, records: [], epcis: [], lot: { gtin: GTIN, lot, until: '2099-12-31' } })], { contract: 'rogue', endorsingOrganizations: [MSP.dispenser], conflictRetries: 0 }),
    ];
    const outcomes = await Promise.all(attacks.map((a) => a.then(() => undefined, (e: unknown) => e)));
    const rogueTxIds: string[] = [];
    for (const err of outcomes) {
      expect(err).toBeInstanceOf(LedgerError);
      expect(err).toMatchObject({ stage: 'commit', kind: 'policy' });
      rogueTxIds.push((err as LedgerError).transactionId as string);
    }

    // Back to the honest package before reading: every peer answers with the honest rules again.
    const honest = network.installedPackage(MSP.dispenser, HONEST);
    if (!honest) throw new Error('no honest package installed');
    await network.approvePackageForOrg(MSP.dispenser, honest.file, honest.packageId);
    rogueApproved = false;
    await until(async () => contractsOn(l.dispenser).then((c) => !c.includes('rogue')), 60_000);
    rogueServer.kill('SIGKILL');

    for (const [i, r] of ROLES.entries()) {
      const now = decode<{ pack: PackRecord; overlays: string[] }>(await l[r].evaluate('GetPack', [pack], TRACE));
      expect({ org: r, pack: now.pack }).toEqual({ org: r, pack: before[i] });
      expect(now.overlays).toContain('recalled');
      expect(decode(await l[r].evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial })], TRACE))).toMatchObject({ verified: false, status: 'dispensed' });
    }

    // What a read model's projector gets from the blocks: the attacks only as invalid
    // transactions, never as events to apply; a sentinel written after them says when to stop.
    const sentinel = await l.manufacturer.submit('Put', [`rg-sentinel-${run}`, 'x'], { chaincode: 'pedigree-probe', contract: 'probe' });
    const applied: CommittedEvent[] = [];
    const invalid: CommittedEvent[] = [];
    let sentinelSeen = false;
    for (const chaincode of [HONEST.name, 'pedigree-probe']) {
      let checkpoint: LedgerCheckpoint | undefined;
      const listener = new ChaincodeEventListener(l.distributor, { load: async () => checkpoint }, async (e, cp) => {
        applied.push(e);
        if (e.transactionId === sentinel.transactionId) sentinelSeen = true;
        checkpoint = cp;
      }, { startBlock, retryDelayMs: 100, chaincode, onInvalid: (e) => invalid.push(e) });
      listener.start();
      if (chaincode === 'pedigree-probe') await until(async () => sentinelSeen, 30_000);
      else await until(async () => rogueTxIds.every((id) => invalid.some((e) => e.transactionId === id)), 30_000);
      await listener.stop();
    }
    expect(applied.filter((e) => rogueTxIds.includes(e.transactionId))).toEqual([]);
    expect(invalid.filter((e) => rogueTxIds.includes(e.transactionId)).map((e) => e.validationCode)).toEqual([ENDORSEMENT_POLICY_FAILURE, ENDORSEMENT_POLICY_FAILURE]);
    fs.rmSync(home, { recursive: true, force: true });
  });
});

async function contractsOn(ledger: Ledger): Promise<string[]> {
  const metadata = decode<{ contracts: Record<string, unknown> }>(await ledger.evaluate('org.hyperledger.fabric:GetMetadata', []));
  return Object.keys(metadata.contracts);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, DISPENSER_HOST);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
