import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The network this project runs on one machine: one Raft orderer and one peer per trading-partner
 * organisation, every process on loopback. Ports are those of infra/README.md ("Ports"), chosen so
 * that nothing clashes with Fabric's defaults (9443 is both the peer's operations and the orderer's
 * admin default).
 */
export const CHANNEL = 'supplychain';
export const CHAINCODE = 'pedigree';
export const HOST = '127.0.0.1';

/**
 * Shifts every port, so that a second network (with its own PEDIGREE_NETWORK_HOME) can run beside
 * the first on one machine — e.g. for a developer's tests while the demo runs.
 */
const PORT_OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const port = (p: number) => p + PORT_OFFSET;

export type PartnerRole = 'manufacturer' | 'distributor' | 'dispenser';

export interface PeerOrg {
  readonly role: PartnerRole;
  readonly mspId: string;
  /** Org name in cryptogen's config; also the first label of its domain. */
  readonly name: string;
  readonly domain: string;
  readonly peerPort: number;
  readonly chaincodePort: number;
  readonly operationsPort: number;
}

export const PEER_ORGS: readonly PeerOrg[] = [
  { role: 'manufacturer', mspId: 'ManufacturerMSP', name: 'Manufacturer', domain: 'manufacturer.pedigree.local', peerPort: port(7051), chaincodePort: port(7052), operationsPort: port(9444) },
  { role: 'distributor', mspId: 'DistributorMSP', name: 'Distributor', domain: 'distributor.pedigree.local', peerPort: port(8051), chaincodePort: port(8052), operationsPort: port(9445) },
  { role: 'dispenser', mspId: 'DispenserMSP', name: 'Dispenser', domain: 'dispenser.pedigree.local', peerPort: port(9051), chaincodePort: port(9052), operationsPort: port(9446) },
];

export const ORDERER = {
  mspId: 'OrdererMSP',
  name: 'Orderer',
  domain: 'orderer.pedigree.local',
  host: 'orderer0',
  port: port(7050),
  adminPort: port(7053),
  operationsPort: port(8443),
} as const;

/** What `up` deploys: each chaincode definition, the chaincode server process that runs it, what it is built from. */
export interface ChaincodeDeployment {
  /** Chaincode name on the channel. */
  readonly name: string;
  /** Process name under pids/ and logs/. */
  readonly process: string;
  /** Folder (relative to the project root) whose package.json `main` the chaincode server loads. */
  readonly module: string;
  readonly port: number;
  /** Private data collections config (relative to the root), part of the definition every org approves. */
  readonly collections?: string;
  /** Compiled folders and files whose bytes make the definition's version (a code change is a new approval). */
  readonly sources: readonly string[];
}

export const CHAINCODES: readonly ChaincodeDeployment[] = [
  {
    name: CHAINCODE, process: 'chaincode', module: 'chaincode', port: port(9999), collections: 'chaincode/collections.json',
    sources: ['dist/chaincode/src', 'dist/libs/domain', 'chaincode/collections.json', 'chaincode/package.json'],
  },
  // The benchmarks' single-put baseline and the ledger tests' probe: a chaincode of its own, so the
  // production chaincode carries no probe.
  { name: 'pedigree-probe', process: 'chaincode-probe', module: 'chaincode/probe', port: port(9998), sources: ['dist/chaincode/probe', 'dist/chaincode/src/endorsement.js', 'chaincode/probe/package.json'] },
];

export const PROBE_CHAINCODE = 'pedigree-probe';

export function orgByRole(role: PartnerRole): PeerOrg {
  const org = PEER_ORGS.find((o) => o.role === role);
  if (!org) throw new Error(`unknown partner role ${role}`);
  return org;
}

export function orgByMspId(mspId: string): PeerOrg | undefined {
  return PEER_ORGS.find((o) => o.mspId === mspId);
}

/** Where the generated network lives; everything under it is ignored by git. */
export interface NetworkPaths {
  readonly root: string;
  readonly home: string;
  readonly crypto: string;
  readonly config: string;
  readonly artifacts: string;
  readonly data: string;
  readonly logs: string;
  readonly pids: string;
}

export function projectRoot(): string {
  // The first ancestor holding the project's package.json, from src/ (tests) or dist/ (built) alike.
  let dir = __dirname;
  while (path.dirname(dir) !== dir) {
    if (fs.existsSync(path.join(dir, 'nest-cli.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function networkPaths(root = projectRoot()): NetworkPaths {
  const home = process.env.PEDIGREE_NETWORK_HOME ?? path.join(root, '.network');
  return {
    root,
    home,
    crypto: path.join(home, 'crypto'),
    config: path.join(home, 'config'),
    artifacts: path.join(home, 'artifacts'),
    data: path.join(home, 'data'),
    logs: path.join(home, 'logs'),
    pids: path.join(home, 'pids'),
  };
}

export function peerName(org: PeerOrg): string {
  return `peer0.${org.domain}`;
}

export function peerDir(p: NetworkPaths, org: PeerOrg): string {
  return path.join(p.crypto, 'peerOrganizations', org.domain, 'peers', peerName(org));
}

export function peerTlsCa(p: NetworkPaths, org: PeerOrg): string {
  return path.join(peerDir(p, org), 'tls', 'ca.crt');
}

export function userMspDir(p: NetworkPaths, org: PeerOrg, user = 'User1'): string {
  return path.join(p.crypto, 'peerOrganizations', org.domain, 'users', `${user}@${org.domain}`, 'msp');
}

export function ordererDir(p: NetworkPaths): string {
  return path.join(p.crypto, 'ordererOrganizations', ORDERER.domain, 'orderers', `${ORDERER.host}.${ORDERER.domain}`);
}

export function ordererTlsCa(p: NetworkPaths): string {
  return path.join(ordererDir(p), 'tls', 'ca.crt');
}
