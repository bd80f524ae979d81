import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { caServerOf } from '../../infra/src/network/ca';
import { bridgeAddress } from '../../infra/src/network/hosts';
import { readPid } from '../../infra/src/network/processes';
import {
  CHAINCODES, chaincodeServerName, findOrg, hostOf, HOSTS_RECORD, networkHosts, networkPaths, ORDERERS, PEER_ORGS, PeerOrg, peerName,
} from '../../infra/src/network/topology';
import { ROOT } from '../support/ledger';

/**
 * Each organisation on a host of its own (issue 12), on the namespaced topology the integration run
 * brings up as root: every process of an organisation runs in its namespace and binds only its
 * address there, the Fabric names resolve inside every namespace, and a partition between two hosts
 * cuts only that pair and heals. On loopback hosts (not root, PEDIGREE_HOSTS=loopback) it is skipped;
 * the run's first line says which hosts ran.
 */
const run = promisify(execFile);
const paths = networkPaths(ROOT);
const namespaced = HOSTS_RECORD !== undefined;
const describeOnNamespaces = namespaced ? describe : describe.skip;

async function inHost(org: PeerOrg, command: string, ...args: string[]): Promise<string> {
  return (await run('ip', ['netns', 'exec', org.namespace!, command, ...args], { encoding: 'utf8' })).stdout;
}

/** A TCP connect from inside one host to another's port, within 2 s. */
async function reaches(from: PeerOrg, host: string, port: number): Promise<boolean> {
  return inHost(from, 'timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`).then(() => true, () => false);
}

function processesOf(org: PeerOrg): string[] {
  return [
    caServerOf(org, ORDERERS).process, peerName(org), ...CHAINCODES.map((cc) => chaincodeServerName(cc, org)),
    ...ORDERERS.filter((n) => n.owner.key === org.key).map((n) => n.process),
  ];
}

describeOnNamespaces('each organisation on a host of its own (network namespaces)', () => {
  it.each(PEER_ORGS.map((o) => [o.key, o] as const))('%s: its CA, ordering node, peer and chaincode servers run in its namespace', async (_key, org) => {
    const pids = new Set(networkHosts().pidsOf(org.key));
    const where = processesOf(org).map((name) => ({ name, inItsHost: pids.has(readPid(paths, name) ?? -1) }));
    expect(where).toEqual(processesOf(org).map((name) => ({ name, inItsHost: true })));
  });

  it.each(PEER_ORGS.map((o) => [o.key, o] as const))('%s: every socket listening in its host is on its own address (none on a wildcard or another address)', async (_key, org) => {
    const listening = (await inHost(org, 'ss', '-ltnpH')).trim().split('\n').map((line) => line.trim().split(/\s+/)).map((f) => ({ address: f[3]!, process: f.slice(5).join(' ') }));
    expect(listening.length).toBeGreaterThanOrEqual(processesOf(org).length);
    // The one exception: a partner service's embedded Postgres (under `npm start`) on the host's own
    // loopback, which no other host can reach.
    const stray = listening.filter((l) => !l.address.startsWith(`${org.host}:`) && !(l.address.startsWith('127.0.0.1:') && l.process.includes('"postgres"')));
    expect(stray).toEqual([]);
  });

  it('every organisation\'s Fabric names resolve to its address inside every host', async () => {
    const [first, last] = [PEER_ORGS[0]!, PEER_ORGS[PEER_ORGS.length - 1]!];
    for (const [from, to] of [[first, last], [last, first]] as const) {
      const answer = (await inHost(from, 'getent', 'hosts', peerName(to))).trim().split(/\s+/)[0];
      expect({ from: from.key, name: peerName(to), answer }).toEqual({ from: from.key, name: peerName(to), answer: to.host });
    }
  });

  it('the root namespace holds only the bridge\'s address on the hosts\' subnet', async () => {
    const { stdout } = await run('ip', ['-br', '-4', 'addr', 'show', 'dev', HOSTS_RECORD!.bridge], { encoding: 'utf8' });
    expect(stdout).toContain(`${bridgeAddress(HOSTS_RECORD!)}/24`);
  });

  it('a partition between a distributor and a pharmacy cuts that pair both ways, not their paths to others, and heals', async () => {
    const distributor = findOrg('distributor')!;
    const pharmacy = findOrg('dispenser')!;
    const manufacturer = findOrg('manufacturer')!;
    const hosts = networkHosts();
    expect(await reaches(distributor, pharmacy.host, pharmacy.peerPort)).toBe(true);
    hosts.partition(hostOf(distributor), hostOf(pharmacy), true);
    try {
      expect({
        distributorToPharmacy: await reaches(distributor, pharmacy.host, pharmacy.peerPort),
        pharmacyToDistributor: await reaches(pharmacy, distributor.host, distributor.peerPort),
        distributorToManufacturer: await reaches(distributor, manufacturer.host, manufacturer.peerPort),
        pharmacyToManufacturer: await reaches(pharmacy, manufacturer.host, manufacturer.peerPort),
      }).toEqual({ distributorToPharmacy: false, pharmacyToDistributor: false, distributorToManufacturer: true, pharmacyToManufacturer: true });
    } finally {
      hosts.partition(hostOf(distributor), hostOf(pharmacy), false);
    }
    expect(await reaches(distributor, pharmacy.host, pharmacy.peerPort)).toBe(true);
    expect(await reaches(pharmacy, distributor.host, distributor.peerPort)).toBe(true);
  });
});

if (!namespaced) {
  describe('each organisation on a host of its own', () => {
    it('runs on loopback addresses here (not root, or PEDIGREE_HOSTS=loopback): the namespaced cases are skipped', () => {
      expect(new Set(PEER_ORGS.map((o) => o.host)).size).toBe(PEER_ORGS.length);
    });
  });
}
