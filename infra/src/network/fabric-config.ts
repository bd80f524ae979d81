import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  CHANNEL, FOUNDERS, NetworkPaths, OrdererNode, ORDERERS, PeerOrg, ordererDir, ordererEndpointHost, peerEndpointHost,
} from './topology';

/** Fabric binaries and the sample configuration (core.yaml, orderer.yaml) they ship with. */
export interface FabricInstall {
  readonly bin: string;
  /** fabric-ca-server and fabric-ca-client (infra/fabric-ca/go.mod). */
  readonly caBin: string;
  readonly sampleConfig: string;
}

/**
 * Finds or builds the Fabric binaries (infra/bin/fabric-install) and the matching sampleconfig.
 * With FABRIC_BIN set, the release layout is assumed: config/ beside bin/, or FABRIC_CFG_DIR.
 */
export function fabricInstall(root: string): FabricInstall {
  const out = execFileSync(path.join(root, 'infra/bin/fabric-install'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  // Its last two lines: the Fabric CA binaries' folder, then Fabric's.
  const [caBin, bin] = out.trim().split('\n').slice(-2) as [string, string];
  if (process.env.FABRIC_CFG_DIR) return { bin, caBin, sampleConfig: process.env.FABRIC_CFG_DIR };
  if (process.env.FABRIC_BIN) return { bin, caBin, sampleConfig: path.join(bin, '..', 'config') };
  return { bin, caBin, sampleConfig: moduleSampleConfig(root) };
}

function moduleSampleConfig(root: string): string {
  const goMod = fs.readFileSync(path.join(root, 'infra/fabric/go.mod'), 'utf8');
  const pin = /^require github\.com\/hyperledger\/fabric (v\S+)$/m.exec(goMod)?.[1];
  if (!pin) throw new Error('no Fabric pin in infra/fabric/go.mod');
  const cache = process.env.PEDIGREE_CACHE ?? path.join(root, '.cache');
  const env = { ...process.env, GOMODCACHE: path.join(cache, 'go/mod'), GOFLAGS: '-modcacherw' };
  const dir = path.join(env.GOMODCACHE, `github.com/hyperledger/fabric@${pin}`, 'sampleconfig');
  if (!fs.existsSync(dir)) {
    execFileSync('go', ['mod', 'download', `github.com/hyperledger/fabric@${pin}`], { cwd: path.join(root, 'infra/fabric'), env, stdio: 'inherit' });
  }
  return dir;
}

// By name on namespaced hosts (topology.ts, peerEndpointHost): no address of the channel configuration is an IP there.
const ANCHOR = (o: PeerOrg) => [{ Host: peerEndpointHost(o), Port: o.peerPort }];

const sig = (rule: string) => ({ Type: 'Signature', Rule: rule });

/**
 * One peer organisation as the channel configuration holds it: its MSP, anchor peer and policies.
 * The founders' go into the genesis block; a newcomer's is printed by `configtxgen -printOrg`
 * (membership.ts) from the same definition, so a member that joins is configured like a founder.
 */
export function peerOrgDefinition(p: NetworkPaths, o: PeerOrg) {
  return {
    Name: o.mspId, ID: o.mspId,
    MSPDir: path.join(p.crypto, 'peerOrganizations', o.domain, 'msp'),
    AnchorPeers: ANCHOR(o),
    Policies: {
      Readers: sig(`OR('${o.mspId}.admin','${o.mspId}.peer','${o.mspId}.client')`),
      Writers: sig(`OR('${o.mspId}.admin','${o.mspId}.client')`),
      Admins: sig(`OR('${o.mspId}.admin')`),
      Endorsement: sig(`OR('${o.mspId}.peer')`),
    },
  };
}

export function configtx(p: NetworkPaths, founders: readonly PeerOrg[] = FOUNDERS, orderers: readonly OrdererNode[] = ORDERERS): string {
  const meta = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });
  const ordererOrgs = orderers.map((n) => ({
    Name: n.mspId, ID: n.mspId,
    MSPDir: path.join(p.crypto, 'ordererOrganizations', n.domain, 'msp'),
    OrdererEndpoints: [`${ordererEndpointHost(n)}:${n.port}`],
    Policies: {
      Readers: sig(`OR('${n.mspId}.member')`),
      Writers: sig(`OR('${n.mspId}.member')`),
      Admins: sig(`OR('${n.mspId}.admin')`),
    },
  }));
  const peerOrgs = founders.map((o) => peerOrgDefinition(p, o));
  return YAML.stringify({
    Profiles: {
      [CHANNEL]: {
        Policies: {
          Readers: meta('ANY Readers'), Writers: meta('ANY Writers'), Admins: meta('MAJORITY Admins'),
        },
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          // A short batch timeout keeps single-transaction latency low on an idle network; under load
          // blocks fill by count first.
          BatchTimeout: '250ms',
          BatchSize: { MaxMessageCount: 500, AbsoluteMaxBytes: '10 MB', PreferredMaxBytes: '2 MB' },
          EtcdRaft: {
            Consenters: orderers.map((n) => {
              const tlsCert = path.join(ordererDir(p, n), 'tls', 'server.crt');
              return { Host: ordererEndpointHost(n), Port: n.port, ClientTLSCert: tlsCert, ServerTLSCert: tlsCert };
            }),
          },
          Organizations: ordererOrgs,
          Policies: {
            Readers: meta('ANY Readers'), Writers: meta('ANY Writers'), Admins: meta('MAJORITY Admins'),
            BlockValidation: meta('ANY Writers'),
          },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgs,
          Policies: {
            Readers: meta('ANY Readers'), Writers: meta('ANY Writers'), Admins: meta('MAJORITY Admins'),
            LifecycleEndorsement: meta('MAJORITY Endorsement'),
            Endorsement: meta('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  });
}

/** core.yaml for every peer: the sample with Docker switched off and the ccaas builder on. */
export function coreYaml(sampleConfig: string, root: string): string {
  const doc = YAML.parse(fs.readFileSync(path.join(sampleConfig, 'core.yaml'), 'utf8'));
  // Fabric 2.5 ignores an empty CORE_VM_ENDPOINT, so Docker must be switched off in the file itself.
  doc.vm.endpoint = '';
  doc.chaincode.externalBuilders = [{ name: 'ccaas', path: path.join(root, 'infra/builders/ccaas'), propagateEnvironment: ['PEDIGREE_CCAAS_TLS_DIR'] }];
  // One chaincode process serves all peers; allow it time on a loaded 2-core machine.
  doc.chaincode.executetimeout = '60s';
  // The gateway waits as long for another organisation's endorsement (its default is 30 s): a
  // sealed 10,000-pack pallet's Ship reads every pack and endorsed in 33 s at load 18 (bench:pallet).
  doc.peer.gateway = { ...(doc.peer.gateway ?? {}), endorsementTimeout: '60s' };
  // Faster gossip than the defaults (5 s alive interval): on one machine it costs nothing and
  // shortens the wait until discovery sees every organisation after a start or an upgrade.
  doc.peer.gossip.aliveTimeInterval = '1s';
  doc.peer.gossip.aliveExpirationTimeout = '5s';
  doc.peer.gossip.reconnectInterval = '2s';
  doc.peer.gossip.useLeaderElection = false;
  doc.peer.gossip.orgLeader = true;
  // A block holding a transaction whose private data this peer is eligible for but cannot find
  // (a duplicate copy of an old transaction, its data long purged from the transient store) holds
  // up every later commit until this threshold, then is marked for reconciliation. The sample's
  // 60 s turned 13 resent shipments into 13 minutes of stalled peers; the endorsing peers of our
  // implicit collections (seller's and buyer's, each endorsing its own) have the data locally, so 5 s loses nothing.
  doc.peer.gossip.pvtData.pullRetryThreshold = '5s';
  return YAML.stringify(doc);
}

export function ordererYaml(sampleConfig: string): string {
  const doc = YAML.parse(fs.readFileSync(path.join(sampleConfig, 'orderer.yaml'), 'utf8'));
  doc.General.BootstrapMethod = 'none';
  doc.ChannelParticipation = { ...(doc.ChannelParticipation ?? {}), Enabled: true };
  return YAML.stringify(doc);
}

/** Every file the network needs, written only when its content changed (so `up` stays idempotent). */
export function writeConfig(p: NetworkPaths, install: FabricInstall): void {
  for (const dir of [p.config, p.artifacts, p.data, p.logs, p.pids]) fs.mkdirSync(dir, { recursive: true });
  writeIfChanged(path.join(p.config, 'configtx.yaml'), configtx(p));
  writeIfChanged(path.join(p.config, 'core.yaml'), coreYaml(install.sampleConfig, p.root));
  writeIfChanged(path.join(p.config, 'orderer.yaml'), ordererYaml(install.sampleConfig));
  const msp = path.join(p.config, 'msp');
  if (!fs.existsSync(msp) && fs.existsSync(path.join(install.sampleConfig, 'msp'))) {
    fs.cpSync(path.join(install.sampleConfig, 'msp'), msp, { recursive: true });
  }
}

/** `mode` for files holding keys or secrets (0o600). */
export function writeIfChanged(file: string, content: string | Buffer, mode?: number): boolean {
  if (fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), Buffer.from(content)) === 0) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, mode === undefined ? undefined : { mode });
  return true;
}
