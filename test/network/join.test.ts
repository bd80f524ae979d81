import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { connectFabricLedger, ledgerConfigFromProfile, Ledger, LedgerError, readConnectionProfile } from '@pedigree/ledger';
import { sgtinToEpcUrn, withCheckDigit } from '@pedigree/domain';
import { connectionProfileFile, networkPaths, PEER_ORGS, peerTlsCa } from '../../infra/src/network/topology';
import { GTIN, MASTER, NDC, TRACE, runIds, salted, seenBy } from '../support/chaincode';
import { MSP, ROOT, ledgerFor } from '../support/ledger';

/**
 * A fifth organisation joins the running network as separate companies would bring it in, under a
 * light load of the manufacturer's commissions; it receives a shipment from the distributor and
 * verifies the pack; then it leaves and its identity is refused. Runs on the suite's network and
 * leaves it as found: the newcomer is removed at the end (the chaincode definitions move on two
 * sequences, with the founders' policy again).
 */
const exec = promisify(execFile);
const { run } = runIds();
const key = `n${run.toLowerCase()}`.slice(0, 31);
const mspId = `N${run}MSP`;
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;
const paths = networkPaths(ROOT);

async function cli(script: 'consortium' | 'network', ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(process.execPath, [path.join(ROOT, `dist/infra/src/cli/${script}.js`), ...args], { cwd: ROOT, env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${script} ${args.join(' ')} failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** The members' admins, one after another, until the proposal is enacted (a majority). */
async function governance(changeFile: string): Promise<void> {
  const [first, ...others] = PEER_ORGS;
  const proposed = await cli('consortium', 'propose', changeFile, '--as', first!.key);
  const id = /proposal (\S+) \(/.exec(proposed)?.[1];
  if (!id) throw new Error(`no proposal ID in: ${proposed}`);
  for (const org of others) {
    for (let i = 0; ; i++) {
      try {
        const out = await cli('consortium', 'approve', id, '--as', org.key);
        if (!/, open$/m.test(out.trim())) return;
        break;
      } catch (err) {
        // Its own peer may not have the proposal's block yet.
        if (i >= 20 || !/NOT_FOUND/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  throw new Error(`proposal ${id} was never enacted`);
}

/** A configuration update signed by a majority of the current members' admins, each in its own step. */
async function configUpdate(command: 'propose-join' | 'propose-leave'): Promise<void> {
  const members = PEER_ORGS.filter((o) => o.mspId !== mspId);
  const majority = Math.floor((members.length + (command === 'propose-leave' ? 1 : 0)) / 2) + 1;
  const out = await cli('consortium', command, key, '--as', members[0]!.key);
  const update = /configuration update (\S+):/.exec(out)?.[1];
  if (!update) throw new Error(`no update file in: ${out}`);
  const signers = members.slice(0, majority);
  for (const org of signers.slice(0, -1)) await cli('consortium', 'sign', update, '--as', org.key);
  await cli('consortium', 'submit', update, '--as', signers[signers.length - 1]!.key);
}

jest.setTimeout(900_000);

describe('an organisation joining and leaving the running network', () => {
  let manufacturer: Ledger;
  let distributor: Ledger;
  let newcomer: Ledger | undefined;
  const load = { running: true, ok: 0, failures: [] as string[] };
  let loop: Promise<void> | undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-join-'));
  const lot = `JL${run}`;

  beforeAll(async () => {
    manufacturer = ledgerFor('manufacturer');
    distributor = ledgerFor('distributor');
    await manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `jn-prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
  });

  afterAll(async () => {
    load.running = false;
    await loop;
    manufacturer?.close();
    distributor?.close();
    newcomer?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('joins under load, receives from the distributor, verifies, and is refused once it left', async () => {
    // Light load by an existing member through the whole join: none of it may fail.
    loop = (async () => {
      for (let i = 0; load.running && i < 2000; i++) {
        try {
          await manufacturer.submit('Commission', [JSON.stringify({ eventId: `jn-load-${run}-${i}`, gtin: GTIN, lot, expiry: '2029-06-30', serials: [`JLD${run}${i}`] })], TRACE);
          load.ok++;
        } catch (err) {
          load.failures.push(`${i}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const memberFile = path.join(work, 'member.yaml');
    const gln = withCheckDigit(`0369${String(Date.now() % 1e8).padStart(8, '0')}`);
    fs.writeFileSync(memberFile, [
      `key: ${key}`, `mspId: ${mspId}`, 'host: 127.0.9.1', `name: Newcomer Pharmacy ${run} Inc.`, 'roles: [dispenser]', `glns: ['${gln}']`, 'prefixes: []',
      "address: { street: 5 Harbor Way, city: Boston, state: MA, postalCode: '02110', countryCode: US }",
      "licence: { type: state pharmacy licence, number: MA-DS-1234, authority: MA Board of Pharmacy, validUntil: '2030-12-31' }", '',
    ].join('\n'));

    const started = Date.now();
    const steps: string[] = [];
    const step = (name: string) => steps.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await cli('consortium', 'join', memberFile);
    step('material');
    await configUpdate('propose-join');
    step('channel update');
    await cli('consortium', 'fetch-genesis', key);
    await cli('network', 'up');
    step('peer, definitions');
    await governance(path.join(paths.home, 'joining', key, 'admit.json'));
    step('admitted');

    newcomer = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(path.join(paths.home, 'connections', `${mspId}.json`)), 'User1'));
    const serial = `JN${run}`;
    const pack = sgtinToEpcUrn(GTIN, serial);
    const ti = (buyer: string) => salted({ transactionDate: '2026-03-01', seller: { name: 'Seller' }, buyer: { name: buyer }, products: [{ ndc: NDC, quantity: 1, lot }] });
    await manufacturer.submit('Commission', [JSON.stringify({ eventId: `jn-com-${run}`, gtin: GTIN, lot, expiry: '2029-06-30', serials: [serial] })], TRACE);
    await seenBy(distributor, `jn-com-${run}`);
    await manufacturer.submit('Ship', [JSON.stringify({ eventId: `jn-ship-${run}`, to: MSP.distributor, epcs: [pack], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti('Distributor') }, endorsingOrganizations: [MSP.manufacturer, MSP.distributor] });
    await seenBy(distributor, `jn-ship-${run}`);
    await distributor.submit('Receive', [JSON.stringify({ eventId: `jn-recv-${run}`, epcs: [pack] })], TRACE);
    await distributor.submit('Ship', [JSON.stringify({ eventId: `jn-ship2-${run}`, to: mspId, epcs: [pack], statement: { affirmed: true } })], { ...TRACE, transient: { ti: ti('Newcomer') }, endorsingOrganizations: [MSP.distributor, mspId] });
    await seenBy(newcomer, `jn-ship2-${run}`);
    await newcomer.submit('Receive', [JSON.stringify({ eventId: `jn-recv2-${run}`, epcs: [pack] })], TRACE);
    step('first trade');
    process.stderr.write(`\n[join] ${mspId}: join to first trade (received from the distributor) in ${((Date.now() - started) / 1000).toFixed(1)} s (${steps.join(', ')}); load during the join: ${load.ok} commissions, ${load.failures.length} failed\n`);

    expect(decode<{ pack: { status: string; owner?: string } }>(await newcomer.evaluate('GetPack', [pack], TRACE)).pack).toMatchObject({ status: 'received' });
    expect(decode(await newcomer.evaluate('VerifyPack', [JSON.stringify({ gtin: GTIN, serial, lot, expiry: '2029-06-30' })], TRACE))).toMatchObject({ verified: true });
    load.running = false;
    await loop;
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(0);

    // Leaving: governance removes the partner, a majority removes its organisation from the channel.
    const removal = path.join(work, 'remove.json');
    fs.writeFileSync(removal, JSON.stringify({ kind: 'removePartner', mspId }));
    await governance(removal);
    await configUpdate('propose-leave');
    await cli('network', 'up');

    // Its own peer is stopped; a member's peer refuses its client: at the TLS handshake, its TLS CA
    // gone from the channel configuration (mutual TLS), or else its identity.
    const acme = PEER_ORGS[0]!;
    const own = readConnectionProfile(path.join(paths.home, 'connections', `${mspId}.json`));
    const elsewhere = connectFabricLedger(ledgerConfigFromProfile({ ...own, peerEndpoint: `${acme.host}:${acme.peerPort}`, tlsRootCertFile: peerTlsCa(paths, acme) }, 'User1'));
    try {
      const refused = await elsewhere.evaluate('GetPack', [pack], TRACE).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(LedgerError);
      const e = refused as LedgerError;
      expect(e.kind === 'denied' || e.chaincodeCode === 'PARTNER_UNKNOWN').toBe(true);
    } finally {
      elsewhere.close();
    }
    expect(fs.existsSync(connectionProfileFile(paths, acme))).toBe(true);
  });
});
