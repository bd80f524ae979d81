import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { caServerOf } from '../../infra/src/network/ca';
import { ordererFlags, peerAdminEnv, runFabricTool } from '../../infra/src/network/fabric-cli';
import { fabricInstall } from '../../infra/src/network/fabric-config';
import { bridgeAddress } from '../../infra/src/network/hosts';
import { readPid } from '../../infra/src/network/processes';
import {
  CHAINCODES, CHANNEL, chaincodeServerName, findOrg, hostOf, HOSTS_RECORD, networkHosts, networkPaths, ORDERERS, PEER_ORGS, PeerOrg, peerName,
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

  it('the channel configuration names the ordering nodes (endpoints, Raft consenters) and anchor peers by name, no address an IP', async () => {
    const org = PEER_ORGS[0]!;
    const bin = fabricInstall(ROOT).bin;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-config-'));
    try {
      const block = path.join(work, 'config.pb');
      await runFabricTool(path.join(bin, 'peer'), 'peer', ['channel', 'fetch', 'config', block, '-c', CHANNEL, ...ordererFlags(paths, org)], { ...process.env, ...peerAdminEnv(paths, org) });
      await runFabricTool(path.join(bin, 'configtxlator'), 'configtxlator', ['proto_decode', '--input', block, '--type', 'common.Block', '--output', `${block}.json`], process.env);
      const text = fs.readFileSync(`${block}.json`, 'utf8');
      const config = JSON.parse(text).data.data[0].payload.data.config.channel_group.groups as {
        Orderer: { groups: Record<string, { values: { Endpoints: { value: { addresses: string[] } } } }>; values: { ConsensusType: { value: { metadata: { consenters: Array<{ host: string }> } } } } };
        Application: { groups: Record<string, { values: { AnchorPeers?: { value: { anchor_peers: Array<{ host: string }> } } } }> };
      };
      const named = {
        endpoints: Object.values(config.Orderer.groups).flatMap((g) => g.values.Endpoints.value.addresses.map((a) => a.split(':')[0]!)),
        consenters: config.Orderer.values.ConsensusType.value.metadata.consenters.map((c) => c.host),
        anchors: Object.values(config.Application.groups).flatMap((g) => g.values.AnchorPeers?.value.anchor_peers.map((a) => a.host) ?? []),
      };
      expect(named).toEqual({
        endpoints: expect.arrayContaining(ORDERERS.map((n) => `${n.host}.${n.domain}`)),
        consenters: expect.arrayContaining(ORDERERS.map((n) => `${n.host}.${n.domain}`)),
        anchors: expect.arrayContaining(PEER_ORGS.map((o) => peerName(o))),
      });
      expect(Object.values(named).flat().filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h))).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
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
