import YAML from 'yaml';
import { configtx } from './fabric-config';
import { loadOrderers, networkPaths, peerOrgsOf, type PeerOrg } from './topology';

const members = ['a', 'b', 'c', 'd'].map((k, i) => ({ key: `org${k}`, mspId: `Org${k}MSP`, roles: ['dispenser'], host: `127.0.${i + 1}.1` }));
const loopback = peerOrgsOf(members);
// As topology gives them on namespaced hosts: each member in a namespace of its own, at the bridge's addresses.
const namespaced: PeerOrg[] = loopback.map((o, i) => ({ ...o, host: `10.100.1.${10 + i}`, namespace: `pd1-${o.key}` }));

interface Profile {
  Orderer: { EtcdRaft: { Consenters: Array<{ Host: string; Port: number }> }; Organizations: Array<{ OrdererEndpoints: string[] }> };
  Application: { Organizations: Array<{ AnchorPeers: Array<{ Host: string; Port: number }> }> };
}

function endpoints(orgs: PeerOrg[]): { consenters: string[]; ordererEndpoints: string[]; anchors: string[] } {
  const profile = (YAML.parse(configtx(networkPaths('/nowhere'), orgs, loadOrderers(orgs, [], undefined))) as { Profiles: Record<string, Profile> }).Profiles.supplychain!;
  return {
    consenters: profile.Orderer.EtcdRaft.Consenters.map((c) => c.Host),
    ordererEndpoints: profile.Orderer.Organizations.flatMap((o) => o.OrdererEndpoints.map((e) => e.split(':')[0]!)),
    anchors: profile.Application.Organizations.flatMap((o) => o.AnchorPeers.map((a) => a.Host)),
  };
}

describe('configtx: the endpoints the channel configuration names', () => {
  it('on namespaced hosts, every endpoint is a Fabric name the hosts files resolve, none an IP', () => {
    const got = endpoints(namespaced);
    expect(got).toEqual({
      consenters: ['orga', 'orgb', 'orgc'].map((k) => `orderer0.orderer.${k}.pedigree.local`),
      ordererEndpoints: ['orga', 'orgb', 'orgc'].map((k) => `orderer0.orderer.${k}.pedigree.local`),
      anchors: ['orga', 'orgb', 'orgc', 'orgd'].map((k) => `peer0.${k}.pedigree.local`),
    });
    for (const host of Object.values(got).flat()) expect(host).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('on loopback addresses (nothing resolves the names), each host\'s own address', () => {
    expect(endpoints(loopback)).toEqual({
      consenters: ['127.0.1.1', '127.0.2.1', '127.0.3.1'],
      ordererEndpoints: ['127.0.1.1', '127.0.2.1', '127.0.3.1'],
      anchors: ['127.0.1.1', '127.0.2.1', '127.0.3.1', '127.0.4.1'],
    });
  });
});
