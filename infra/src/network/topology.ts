import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { hostAddress, HostOf, Hosts, hostsOf, namespaceName, readHostsRecord, type HostsRecord } from './hosts';

/**
 * The network this project runs on one machine: one Raft orderer and one peer per member
 * organisation of infra/consortium.yaml, every process on its organisation's host address. Ports are those of infra/README.md ("Ports"), chosen so
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

/** The partner service (apps/<app>) an organisation runs for its first role that has one. */
export type PartnerApp = 'manufacturer' | 'distributor' | 'dispenser';

const APP_OF_ROLE: Readonly<Record<string, PartnerApp>> = {
  manufacturer: 'manufacturer', repackager: 'manufacturer', wholesaler: 'distributor', '3pl': 'distributor', dispenser: 'dispenser',
};

/** One member organisation as infra/consortium.yaml names it, with what this machine runs for it. */
export interface PeerOrg {
  /** Short name (letters and digits) for its folders, processes and Fabric domain; from consortium.yaml. */
  readonly key: string;
  readonly mspId: string;
  /** Legal name, as partners are shown. */
  readonly legalName: string;
  /** The roles the consortium admitted it for (domain PartnerRole); an organisation may hold several. */
  readonly roles: readonly string[];
  /** The partner service it runs. */
  readonly app: PartnerApp;
  /** Org name in cryptogen's config. */
  readonly name: string;
  readonly domain: string;
  /** The address its processes bind (its host). */
  readonly host: string;
  /** The network namespace its processes run in, when hosts are namespaced (hosts.ts). */
  readonly namespace?: string;
  readonly peerPort: number;
  readonly chaincodePort: number;
  readonly operationsPort: number;
  /** Its Fabric CA server (infra/src/network/ca.ts) and that server's operations endpoint (/healthz). */
  readonly caPort: number;
  readonly caOperationsPort: number;
  /** Its partner service's GraphQL port and its read model's embedded Postgres port. */
  readonly servicePort: number;
  readonly postgresPort: number;
  /** Its place for ports (its index in consortium.yaml, or the position it took when it joined). */
  readonly position: number;
}

export interface MemberConfig {
  readonly key?: string;
  readonly mspId?: string;
  readonly name?: string;
  readonly roles?: readonly string[];
  readonly host?: string;
  readonly service?: { readonly port?: number; readonly postgresPort?: number };
  /** Its place for ports, when not its index in the list (a member that joined later: see joinedFile). */
  readonly position?: number;
}

/** The hosts this network's home records (hosts.ts): namespaced, or undefined for loopback addresses. */
export const HOSTS_RECORD: HostsRecord | undefined = readHostsRecord(networkPaths().home);

/** The adapter for this network's hosts. */
export function networkHosts(): Hosts {
  return hostsOf(HOSTS_RECORD);
}

/** What the hosts adapter needs of an organisation: its position and the Fabric names it answers to. */
export function hostOf(org: PeerOrg): HostOf {
  return { key: org.key, position: org.position, names: [peerName(org), `orderer0.orderer.${org.domain}`, org.domain] };
}

/** The consortium file this machine runs: infra/consortium.yaml, or PEDIGREE_CONSORTIUM. */
export function consortiumFile(root = projectRoot()): string {
  return process.env.PEDIGREE_CONSORTIUM ?? path.join(root, 'infra/consortium.yaml');
}

/**
 * The organisations of consortium.yaml, each given ports by its position in the file: peers at
 * 7051 + 1000·i (so the first three keep Fabric's customary 7051/8051/9051), operations 9444 + i.
 * Nothing here knows how many organisations there are or which role each holds.
 */
export function peerOrgsOf(members: readonly MemberConfig[]): PeerOrg[] {
  const seen = new Set<string>();
  return members.map((m, index) => {
    const i = m.position ?? index;
    const key = String(m.key ?? '');
    if (!/^[a-z][a-z0-9]{1,30}$/.test(key)) throw new Error(`consortium member ${i + 1}: key must be 2-31 lower-case letters and digits, got "${key}"`);
    if (!m.mspId || !/^[A-Za-z][A-Za-z0-9.-]*$/.test(m.mspId)) throw new Error(`consortium member ${key}: mspId missing or malformed`);
    if (seen.has(key) || seen.has(m.mspId)) throw new Error(`consortium member ${key}: key or mspId used twice`);
    seen.add(key).add(m.mspId);
    const app = (m.roles ?? []).map((r) => APP_OF_ROLE[r]).find((a) => a !== undefined);
    if (!app) throw new Error(`consortium member ${key}: roles ${JSON.stringify(m.roles ?? [])} include none a partner service runs for`);
    return {
      key, mspId: m.mspId, legalName: m.name ?? m.mspId, roles: [...(m.roles ?? [])], app,
      name: key.charAt(0).toUpperCase() + key.slice(1),
      domain: `${key}.pedigree.local`,
      // Namespaced hosts replace consortium.yaml's loopback address by the namespace's, by position.
      host: HOSTS_RECORD ? hostAddress(HOSTS_RECORD, i) : m.host ?? HOST,
      ...(HOSTS_RECORD ? { namespace: namespaceName(HOSTS_RECORD, key) } : {}),
      peerPort: port(7051 + 1000 * i),
      chaincodePort: port(7052 + 1000 * i),
      operationsPort: port(9444 + i),
      caPort: port(7054 + 1000 * i),
      caOperationsPort: port(7055 + 1000 * i),
      servicePort: port(m.service?.port ?? 4001 + i),
      postgresPort: port(m.service?.postgresPort ?? 5411 + i),
      position: i,
    };
  });
}

function founderConfigs(): MemberConfig[] {
  const file = consortiumFile();
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { members?: MemberConfig[] };
  if (!doc?.members?.length) throw new Error(`${file} names no members`);
  return doc.members;
}

/**
 * What this network's channel holds beyond consortium.yaml's founders: the members that joined a
 * running network (`npm run consortium -- submit` of a join update records them, each with the
 * port position it took) and the founders that left. It lives in the network's home, not in the
 * committed file: a running network changes by configuration updates its members sign, and a fresh
 * home starts again from the founders.
 */
export interface MembershipChanges {
  readonly joined: ReadonlyArray<MemberConfig & { readonly key: string; readonly mspId: string; readonly position: number }>;
  readonly left: readonly string[];
  /**
   * Port positions of members that left: never given again on this network, because the other
   * peers' gossip remembers the old member at that endpoint for a while and would refuse a new
   * identity there (seen: "authentication failure", no endorsers for the newcomer).
   */
  readonly retired: readonly number[];
}

export function joinedFile(home = networkPaths().home): string {
  return path.join(home, 'membership.yaml');
}

export function readMembershipChanges(home = networkPaths().home): MembershipChanges {
  const file = joinedFile(home);
  if (!fs.existsSync(file)) return { joined: [], left: [], retired: [] };
  const doc = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as Partial<MembershipChanges>;
  return { joined: doc.joined ?? [], left: doc.left ?? [], retired: doc.retired ?? [] };
}

/** The founders of consortium.yaml: what the genesis block and cryptogen's config name. */
export const FOUNDERS: readonly PeerOrg[] = peerOrgsOf(founderConfigs());

function loadPeerOrgs(): PeerOrg[] {
  const changes = readMembershipChanges();
  const all = peerOrgsOf([...founderConfigs(), ...changes.joined]);
  return all.filter((o) => !changes.left.includes(o.key));
}

/** The members this network runs now: the founders that have not left and the members that joined. */
export const PEER_ORGS: readonly PeerOrg[] = loadPeerOrgs();

/**
 * One node of the Raft ordering service, run by a member organisation: ordering survives a node
 * (three nodes tolerate one down), and no single company owns the order of transactions. Each
 * node has an orderer organisation of its own (cryptogen issues orderer identities only there),
 * named after its owner.
 */
export interface OrdererNode {
  readonly owner: PeerOrg;
  readonly mspId: string;
  /** Process name under pids/ and logs/. */
  readonly process: string;
  /** Org name in cryptogen's config. */
  readonly name: string;
  readonly domain: string;
  /** Host name in cryptogen's config (its certificate's CN is `<host>.<domain>`). */
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly adminPort: number;
  readonly operationsPort: number;
}

/**
 * PEDIGREE_ORDERERS=n keeps only the first n ordering nodes: the single-node network
 * `npm run bench:consortium` measures the Raft cluster against. Nothing else should run one (a
 * single node is a single point of failure and one company owning the order of transactions).
 */
export function ordererCount(setting = process.env.PEDIGREE_ORDERERS): number | undefined {
  if (setting === undefined || setting === '') return undefined;
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 1) throw new Error(`PEDIGREE_ORDERERS must be a whole number of ordering nodes (1 or more), got "${setting}"`);
  return n;
}

export function loadOrderers(orgs: readonly PeerOrg[], owners: readonly string[], count = ordererCount()): OrdererNode[] {
  // The members consortium.yaml marks `orderer: true`; else the first three (or all, if fewer).
  const marked = owners.length ? orgs.filter((o) => owners.includes(o.key)) : orgs.slice(0, 3);
  const chosen = count === undefined ? marked : marked.slice(0, count);
  return chosen.map((owner, i) => ({
    owner,
    mspId: `${owner.name}OrdererMSP`,
    process: `orderer-${owner.key}`,
    name: `${owner.name}Orderer`,
    domain: `orderer.${owner.domain}`,
    host: 'orderer0',
    address: owner.host,
    port: port(7050 + 100 * i),
    adminPort: port(7053 + 100 * i),
    operationsPort: port(8443 + i),
  }));
}

function ordererOwners(): string[] {
  const doc = YAML.parse(fs.readFileSync(consortiumFile(), 'utf8')) as { members?: Array<{ key?: string; orderer?: boolean }> };
  return (doc.members ?? []).filter((m) => m.orderer === true).map((m) => String(m.key));
}

// The ordering nodes are the founders' (a member that joins runs a peer; adding a consenter is a later step).
export const ORDERERS: readonly OrdererNode[] = loadOrderers(FOUNDERS, ordererOwners());

/** What `up` deploys: each chaincode definition, the chaincode server process that runs it, what it is built from. */
export interface ChaincodeDeployment {
  /** Chaincode name on the channel. */
  readonly name: string;
  /** Process name under pids/ and logs/ (each organisation's server: `<process>-<org key>`). */
  readonly process: string;
  /** Folder (relative to the project root) whose package.json `main` the chaincode server loads. */
  readonly module: string;
  /** Its place among each organisation's chaincode server ports (see chaincodeServerPort). */
  readonly slot: number;
  /** Private data collections config (relative to the root), part of the definition every org approves. */
  readonly collections?: string;
  /** Compiled folders and files whose bytes make the definition's version (a code change is a new approval). */
  readonly sources: readonly string[];
}

export const CHAINCODES: readonly ChaincodeDeployment[] = [
  {
    name: CHAINCODE, process: 'chaincode', module: 'chaincode', slot: 0,
    sources: ['dist/chaincode/src', 'dist/libs/domain', 'chaincode/package.json'],
  },
  // The benchmarks' single-put baseline and the ledger tests' probe: a chaincode of its own, so the
  // production chaincode carries no probe.
  { name: 'pedigree-probe', process: 'chaincode-probe', module: 'chaincode/probe', slot: 1, sources: ['dist/chaincode/probe', 'dist/chaincode/src/endorsement.js', 'chaincode/probe/package.json'] },
];

export const PROBE_CHAINCODE = 'pedigree-probe';

/**
 * Each organisation runs its own chaincode servers, for the package it installed and approved: an
 * endorsement by its peer is its own code's decision, not a process shared with its competitors.
 * Ports: 6900 + 10·(its position in consortium.yaml) + the chaincode's slot.
 */
export function chaincodeServerPort(cc: Pick<ChaincodeDeployment, 'slot'>, org: PeerOrg): number {
  if (!PEER_ORGS.some((o) => o.mspId === org.mspId) && !org.position) throw new Error(`${org.mspId} is not a member of this network`);
  return port(6900 + 10 * org.position + cc.slot);
}

/**
 * The chaincode definitions' endorsement policy, for keys without a key-level policy of their own
 * (a new record, an idempotency receipt): the peers of any two member organisations. Never one
 * alone, and — unlike MAJORITY — a transaction's cost does not grow with the consortium: with 40
 * members MAJORITY would need 21 endorsements on every shipment. A member joining or leaving changes
 * the policy, so it is a new definition every member approves.
 */
export function definitionEndorsementPolicy(orgs: readonly PeerOrg[] = PEER_ORGS): string {
  return `OutOf(2, ${orgs.map((o) => `'${o.mspId}.peer'`).join(', ')})`;
}

export function chaincodeServerName(cc: Pick<ChaincodeDeployment, 'process'>, org: PeerOrg): string {
  return `${cc.process}-${org.key}`;
}

/** The first organisation (in consortium.yaml's order) that runs this partner service. */
export function orgByApp(app: PartnerApp): PeerOrg {
  const org = PEER_ORGS.find((o) => o.app === app);
  if (!org) throw new Error(`no organisation of this consortium runs the ${app} service`);
  return org;
}

/** An organisation named by its key, MSP ID or (the first running) partner service. */
export function findOrg(name: string): PeerOrg | undefined {
  return PEER_ORGS.find((o) => o.key === name || o.mspId === name) ?? PEER_ORGS.find((o) => o.app === name);
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

/** The organisation's connection profile for applications (written by `up`), by MSP ID. */
export function connectionProfileFile(p: NetworkPaths, org: PeerOrg): string {
  return path.join(p.home, 'connections', `${org.mspId}.json`);
}

export function peerName(org: PeerOrg): string {
  return `peer0.${org.domain}`;
}

/**
 * The host part of the peer's endpoint as the other organisations dial it (gossip, anchor peers in
 * the channel configuration): its Fabric name on namespaced hosts, where every host's names file
 * resolves it as DNS would on real machines; its loopback address otherwise, where nothing
 * resolves the names.
 */
export function peerEndpointHost(org: Pick<PeerOrg, 'domain' | 'host' | 'namespace'>): string {
  return org.namespace ? `peer0.${org.domain}` : org.host;
}

/** The same for an ordering node (OrdererEndpoints and Raft consenters in the channel configuration). */
export function ordererEndpointHost(node: Pick<OrdererNode, 'host' | 'domain' | 'address'> & { readonly owner: Pick<PeerOrg, 'namespace'> }): string {
  return node.owner.namespace ? `${node.host}.${node.domain}` : node.address;
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

export function ordererDir(p: NetworkPaths, node: OrdererNode): string {
  return path.join(p.crypto, 'ordererOrganizations', node.domain, 'orderers', `${node.host}.${node.domain}`);
}

export function ordererTlsCa(p: NetworkPaths, node: OrdererNode): string {
  return path.join(ordererDir(p, node), 'tls', 'ca.crt');
}
