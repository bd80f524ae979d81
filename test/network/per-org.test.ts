import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { connectFabricLedger, Ledger, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { sgtinToEpcUrn } from '@pedigree/domain';
import { GTIN, MASTER, NDC, TRACE, runIds, salted, seenBy } from '../support/chaincode';
import { ROOT } from '../support/ledger';

/**
 * The default consortium founded organisation by organisation, as separate companies on separate
 * machines would found it: each member has a network home of its own (its own keys, its own CA,
 * its own processes, on its own host) and runs `network -- up --org <key>` there; what needs every
 * founder travels as files — each sends its public material (`export`), each imports the others',
 * one builds the genesis block and the others take it — then every member's `up --org` runs at
 * once and each takes its own lifecycle and founding steps. Then one trade: commission, ship,
 * receive between two of them; then one member's `npm start -- --org` brings up its own service. It runs a network of its own beside the suite's, at the suite's
 * port offset + 15000 (mod 30000), and takes it down at the end.
 */
const exec = promisify(execFile);
const { run } = runIds();
const suiteOffset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const offset = (suiteOffset + 15_000) % 30_000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-per-org-'));
const members = (YAML.parse(fs.readFileSync(path.join(ROOT, 'infra/consortium.yaml'), 'utf8')) as { members: Array<{ key: string; mspId: string }> }).members;
const home = (key: string) => path.join(work, key);
const decode = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString('utf8')) as T;

/** The network CLI as one organisation's operator runs it on its own machine. */
async function as(key: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, PEDIGREE_NETWORK_HOME: home(key), PEDIGREE_PORT_OFFSET: String(offset), PEDIGREE_FOUNDING_WAIT_S: '600' };
  try {
    const { stdout } = await exec(process.execPath, [path.join(ROOT, 'dist/infra/src/cli/network.js'), ...args], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${key}: network ${args.join(' ')} failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

function ledgerOf(key: string): Ledger {
  const m = members.find((x) => x.key === key)!;
  return connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(path.join(home(key), 'connections', `${m.mspId}.json`)), 'User1'));
}

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

jest.setTimeout(1_500_000);

describe('founding the default consortium organisation by organisation, each on its own machine', () => {
  const ledgers: Ledger[] = [];

  afterAll(async () => {
    for (const l of ledgers) l.close();
    for (const m of [...members].reverse()) await as(m.key, 'down', '--org', m.key).catch((err: Error) => process.stderr.write(`${err.message}\n`));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('exchanges only public files, founds with every member\'s own steps, and trades', async () => {
    const started = Date.now();
    const steps: string[] = [];
    const step = (name: string) => steps.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const m of members) await as(m.key, 'hosts', 'auto');

    // 1. Each brings up its own CA and identities; without its partners' material it goes no further.
    const first = await Promise.all(members.map((m) => as(m.key, 'up', '--org', m.key)));
    for (const out of first) expect(out).toMatch(/next, the partners' public material/);
    step('identities');

    // 2. The files separate companies send each other: every member's export to every other member.
    // Each machine imports its partners' files one by one; the machines work side by side.
    await Promise.all(members.map(async (to) => {
      for (const from of members.filter((x) => x !== to)) {
        expect(await as(to.key, 'import', path.join(home(from.key), 'exchange', `${from.key}.json`), '--org', to.key)).toMatch(/imported/);
      }
    }));
    const [founder, ...others] = members;
    const block = /genesis block: (\S+)/.exec(await as(founder!.key, 'genesis'))![1]!;
    for (const out of await Promise.all(others.map((m) => as(m.key, 'genesis', '--from', block, '--org', m.key)))) expect(out).toMatch(/genesis block taken/);
    step('exchange');

    // No machine holds another's private key; each holds only its own.
    for (const m of members) {
      const crypto = path.join(home(m.key), 'crypto');
      const secret = filesUnder(crypto).filter((f) => /keystore|\.key$|priv_sk$/.test(f));
      expect(secret.length).toBeGreaterThan(0);
      expect(secret.filter((f) => !f.includes(`${m.key}.pedigree.local`))).toEqual([]);
      for (const o of members.filter((x) => x !== m)) expect(fs.existsSync(path.join(home(m.key), 'ca', o.key))).toBe(false);
    }
    // On namespaced hosts the channel configuration names every endpoint by name, none by address.
    if (fs.existsSync(path.join(home(founder!.key), 'hosts.json'))) {
      const configtx = fs.readFileSync(path.join(home(founder!.key), 'config', 'configtx.yaml'), 'utf8');
      const hosts = [...configtx.matchAll(/(?:Host: |OrdererEndpoints:\n\s+- )(\S+)/g)].map((x) => x[1]!.split(':')[0]!);
      expect(hosts.length).toBe(3 + 3 + members.length);
      expect(hosts.filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h))).toEqual([]);
    }

    // 3. Every member's own `up --org` at once: nodes, peer, its own approvals, the commit, the founding.
    const ups = await Promise.all(members.map((m) => as(m.key, 'up', '--org', m.key)));
    ups.forEach((out, i) => expect(out).toMatch(new RegExp(`${members[i]!.key} up in`)));
    expect(ups.join('\n')).toMatch(/consortium founded/);
    step('founded');

    // 4. One trade between two of them, each through its own gateway.
    const [manufacturer, distributor] = [ledgerOf(members[0]!.key), ledgerOf(members[1]!.key)];
    ledgers.push(manufacturer, distributor);
    const lot = `PO${run}`.slice(0, 20);
    const serial = `PO${run}`;
    const pack = sgtinToEpcUrn(GTIN, serial);
    await manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `po-prod-${run}`, ndc: NDC, name: 'Examplamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
    await manufacturer.submit('Commission', [JSON.stringify({ eventId: `po-com-${run}`, gtin: GTIN, lot, expiry: '2029-06-30', serials: [serial] })], TRACE);
    await seenBy(distributor, `po-com-${run}`);
    const ti = salted({ transactionDate: '2026-03-01', seller: { name: 'Seller' }, buyer: { name: 'Distributor' }, products: [{ ndc: NDC, quantity: 1, lot }] });
    await manufacturer.submit('Ship', [JSON.stringify({ eventId: `po-ship-${run}`, to: members[1]!.mspId, epcs: [pack], statement: { affirmed: true } })], { ...TRACE, transient: { ti }, endorsingOrganizations: [members[0]!.mspId, members[1]!.mspId] });
    await seenBy(distributor, `po-ship-${run}`);
    await distributor.submit('Receive', [JSON.stringify({ eventId: `po-recv-${run}`, epcs: [pack] })], TRACE);
    expect(decode<{ pack: { status: string } }>(await distributor.evaluate('GetPack', [pack], TRACE)).pack).toMatchObject({ status: 'received' });
    step('first trade');

    // 5. `npm start -- --org <key>` on one member's machine: its share of the network is up, so
    // it starts only its own partner service (and its Postgres) and answers healthy.
    const second = members[1]!;
    const start = spawn(process.execPath, [path.join(ROOT, 'dist/infra/src/cli/start.js'), '--org', second.key], {
      cwd: ROOT, env: { ...process.env, PEDIGREE_NETWORK_HOME: home(second.key), PEDIGREE_PORT_OFFSET: String(offset) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let said = '';
    start.stdout.on('data', (b: Buffer) => { said += b.toString(); });
    start.stderr.on('data', (b: Buffer) => { said += b.toString(); });
    try {
      const deadline = Date.now() + 300_000;
      while (!/Pedigree is up/.test(said)) {
        if (start.exitCode !== null || Date.now() > deadline) throw new Error(`start --org ${second.key} did not come up: ${said.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      // Its own service only (start's summary and the service's own line name the same address).
      const urls = [...new Set([...said.matchAll(/(http:\/\/\S+)\/graphql/g)].map((m) => m[1]!))];
      expect(urls).toHaveLength(1);
      expect((await fetch(`${urls[0]}/health`)).status).toBe(200);
      expect(said).not.toMatch(/\[forecast\]|\[web\]|seeding demo data/);
    } finally {
      const exited = new Promise((r) => start.once('exit', r));
      if (start.exitCode === null) process.kill(-start.pid!, 'SIGINT');
      await exited;
    }
    step('own service');
    process.stderr.write(`\n[per-org] ${members.length} organisations founded one by one, each in its own home: ${steps.join(', ')}\n`);
  });
});
