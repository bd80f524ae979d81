import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { FabricInstall, fabricInstall, writeConfig, writeIfChanged } from './fabric-config';
import { caServerOf, type CaServer, CertificateAuthorities, identitiesOf, type IdentitySpec } from './ca';
import { connectFabricLedger, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { ChaincodePackage, packageChaincode } from './chaincode-package';
import { ordererFlags, peerAdminEnv, runFabricTool } from './fabric-cli';
import * as proc from './processes';
import { chaincodeServerTlsArgs, mtlsRequest, type TlsAnswer, type TlsFiles, multipartFile, ordererAdminTls, ordererTls, ordererTlsCas, peerTls, userTls } from './tls';
import {
  CHAINCODE, CHAINCODES, CHANNEL, ChaincodeDeployment, chaincodeServerName, chaincodeServerPort, consortiumFile, definitionEndorsementPolicy, FOUNDERS, NetworkPaths, OrdererNode, ORDERERS, PEER_ORGS, PeerOrg,
  connectionProfileFile, hostOf, joinedFile, networkHosts, networkPaths, ordererDir, peerDir, peerEndpointHost, peerName, peerTlsCa, userMspDir,
} from './topology';
import { foundConsortium } from './consortium';
import { Membership } from './membership';


export type Log = (line: string) => void;

/**
 * Brings up, inspects and tears down the native Fabric network. Every step first looks at what is
 * already there, so `up` on a running network changes nothing.
 */
export class Network {
  readonly paths: NetworkPaths;
  private installCache?: FabricInstall;

  constructor(paths: NetworkPaths = networkPaths(), private readonly log: Log = (l) => process.stderr.write(`${l}\n`)) {
    this.paths = paths;
  }

  private get install(): FabricInstall {
    this.installCache ??= fabricInstall(this.paths.root);
    return this.installCache;
  }

  private bin(tool: string): string {
    return path.join(this.install.bin, tool);
  }

  /** Each organisation's Fabric CA server (ca.ts), which issues its identities. */
  get cas(): CertificateAuthorities {
    return new CertificateAuthorities(this.paths, this.install.caBin, this.log);
  }

  specs(): proc.ProcessSpec[] {
    return [...PEER_ORGS.map((o) => this.cas.spec(caServerOf(o, ORDERERS))), ...ORDERERS.map((n) => this.ordererSpec(n)), ...PEER_ORGS.map((o) => this.peerSpec(o)), ...CHAINCODES.flatMap((cc) => PEER_ORGS.map((o) => this.chaincodeSpec(cc, o)))];
  }

  async up(): Promise<{ changed: string[] }> {
    const changed: string[] = [];
    const p = this.paths;
    const plan = path.join(p.config, 'identities.yaml');
    if (fs.existsSync(path.join(p.crypto, 'peerOrganizations'))) {
      if (!fs.existsSync(plan)) {
        throw new Error(`the network in ${p.home} has crypto material from cryptogen (before identities came from each organisation's Fabric CA); wipe it with \`npm run network:reset\` (same PEDIGREE_NETWORK_HOME)`);
      }
      if (fs.readFileSync(plan, 'utf8') !== identityPlan()) {
        throw new Error(`the network in ${p.home} was made for other organisations than ${consortiumFile(p.root)} names; wipe it with \`npm run network:reset\` (same PEDIGREE_NETWORK_HOME)`);
      }
    }
    writeConfig(p, this.install);
    writeIfChanged(plan, identityPlan());
    // Each organisation's host before any of its processes (namespaced hosts: bridge, namespace, address).
    networkHosts().up(PEER_ORGS.map(hostOf));
    // Every organisation's own CA at once (they are separate servers): its server, then what it issues.
    const enrolled = await Promise.all(PEER_ORGS.map((o) => {
      const server = caServerOf(o, ORDERERS);
      return this.cas.ensureIdentities(server, identitiesOf(server, ORDERERS));
    }));
    if (enrolled.some((ids) => ids.length)) changed.push(`identities enrolled from ${PEER_ORGS.length} organisations' CAs`);
    const block = path.join(p.artifacts, `${CHANNEL}.block`);
    if (!fs.existsSync(block)) {
      await this.tool('configtxgen', ['-profile', CHANNEL, '-channelID', CHANNEL, '-outputBlock', block], { FABRIC_CFG_PATH: p.config });
      changed.push('channel genesis block');
    }
    for (const spec of [...ORDERERS.map((n) => this.ordererSpec(n)), ...PEER_ORGS.map((o) => this.peerSpec(o))]) {
      if (await this.ensureRunning(spec)) changed.push(spec.name);
    }
    const joined = [];
    for (const node of ORDERERS) if (await this.ensureOrdererJoined(node, block)) joined.push(node);
    changed.push(...joined.map((n) => `${n.process} joined ${CHANNEL}`));
    if (joined.length) await this.waitRaftLeader();
    for (const org of PEER_ORGS) {
      if (await this.ensurePeerJoined(org, block)) changed.push(`${peerName(org)} joined ${CHANNEL}`);
    }
    for (const cc of CHAINCODES) changed.push(...(await this.ensureChaincode(cc)));
    this.writeConnectionProfiles();
    if (changed.length > 0) await this.waitGatewaysReady();
    const founded = await foundConsortium(this.paths, this.log);
    if (founded) changed.push(founded);
    if (changed.length === 0) this.log('network already up; nothing changed');
    return { changed };
  }

  /**
   * `consortium -- renew <org>`: the organisation re-enrolls its identities from its own CA (new
   * keys and certificates), then its peer and ordering node restart to use them; `up` brings them
   * back and waits until every gateway endorses again.
   */
  async renew(org: PeerOrg): Promise<{ renewed: string[]; consenterUpdates: string[] }> {
    const server = caServerOf(org, ORDERERS);
    const renewed = await this.cas.renew(server, identitiesOf(server, ORDERERS));
    this.log(`${server.process}: renewed ${renewed.join(', ')}`);
    if (await proc.stop(this.paths, peerName(org))) this.log(`stopped ${peerName(org)} to restart it with its renewed identity`);
    await this.up();
    // Its ordering node keeps serving with its current TLS certificate until the consenter set
    // names the new one (a majority of the ordering organisations sign that update); its submit
    // restarts the node on it (installRenewedOrdererTls).
    const consenterUpdates: string[] = [];
    for (const node of ORDERERS.filter((n) => n.owner.key === org.key)) {
      const identity = this.nodeIdentity(server, node);
      consenterUpdates.push(await new Membership(this.paths, this.log).proposeConsenterRenewal(node, this.cas.issuedTlsCert(server, identity)));
    }
    return { renewed, consenterUpdates };
  }

  /**
   * After the consenter update of a renewal is submitted: once the channel configuration names
   * the node's new TLS certificate, the node is stopped, its tls/ gets the new certificate and key,
   * and `up` starts it again; the cluster elects a leader if it lost it. Answers the nodes restarted.
   */
  async installRenewedOrdererTls(org: PeerOrg, timeoutMs = 60_000): Promise<string[]> {
    const server = caServerOf(org, ORDERERS);
    const membership = new Membership(this.paths, this.log);
    const restarted: string[] = [];
    for (const node of ORDERERS.filter((n) => n.owner.key === org.key)) {
      const identity = this.nodeIdentity(server, node);
      const issued = this.cas.issuedTlsCert(server, identity);
      const deadline = Date.now() + timeoutMs;
      while ((await membership.consenterCert(node))?.trim() !== issued.trim()) {
        if (Date.now() > deadline) throw new Error(`${CHANNEL}'s consenter set does not name ${node.process}'s renewed TLS certificate after ${timeoutMs / 1000} s`);
        await proc.sleep(500);
      }
      await proc.stop(this.paths, node.process);
      this.cas.installRenewedTls(server, identity);
      this.log(`${node.process}: restarting on its renewed TLS certificate`);
      restarted.push(node.process);
    }
    if (restarted.length) {
      await this.up();
      await this.waitRaftLeader();
    }
    return restarted;
  }

  private nodeIdentity(server: CaServer, node: OrdererNode): IdentitySpec {
    const dir = path.relative(this.paths.crypto, ordererDir(this.paths, node));
    const identity = identitiesOf(server, ORDERERS).find((i) => i.type === 'orderer' && i.dir === dir);
    if (!identity) throw new Error(`${server.process} issues no identity for ${node.process}`);
    return identity;
  }

  async down(): Promise<string[]> {
    const stopped: string[] = [];
    // Chaincode first, orderer last: peers keep no half-delivered blocks waiting for a dead orderer.
    for (const spec of this.specs().reverse()) {
      if (await proc.stop(this.paths, spec.name)) stopped.push(spec.name);
    }
    // The hosts go with their processes; the record stays, so the next `up` makes the same ones.
    networkHosts().down();
    return stopped;
  }

  /** Stops everything and wipes ledgers, crypto and channel artifacts; logs are kept. */
  async reset(): Promise<void> {
    await this.down();
    // The CAs' databases and keys go too: a wiped network's identities are issued afresh.
    for (const dir of [this.paths.data, this.paths.crypto, this.paths.artifacts, this.paths.config, path.join(this.paths.home, 'ca')]) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    fs.rmSync(path.join(this.paths.home, 'chaincode'), { recursive: true, force: true });
    // Who joined or left belongs to the wiped chain: a fresh one starts again from consortium.yaml's founders.
    fs.rmSync(path.join(this.paths.home, 'joining'), { recursive: true, force: true });
    fs.rmSync(joinedFile(this.paths.home), { force: true });
  }

  async status(): Promise<proc.ProcessStatus[]> {
    return Promise.all(this.specs().map((s) => proc.status(this.paths, s)));
  }

  async isUp(): Promise<boolean> {
    return (await this.status()).every((s) => s.healthy);
  }

  // --- processes ---------------------------------------------------------------------------------

  private ordererSpec(node: OrdererNode): proc.ProcessSpec {
    const p = this.paths;
    const dir = ordererDir(p, node);
    const data = path.join(p.data, node.process);
    // Raft traffic between the nodes is TLS, each node trusting every node's TLS CA.
    const clusterCas = `[${ordererTlsCas(p).join(',')}]`;
    // Clients of the ordering service (peers, admins' CLIs, the other nodes) present their TLS
    // certificates. Channel members' TLS CAs are added from the channel configuration as it changes;
    // these are the ones a node needs before it has a channel.
    const clientCas = `[${[...ordererTlsCas(p), ...PEER_ORGS.map((o) => peerTls(p, o).ca).filter((f) => fs.existsSync(f))].join(',')}]`;
    const tls = ordererTls(p, node);
    const own = `[${tls.ca}]`;
    return {
      name: node.process,
      command: this.bin('orderer'),
      args: [],
      host: node.address,
      port: node.port,
      namespace: node.owner.namespace,
      healthUrl: `https://${node.address}:${node.operationsPort}/healthz`,
      healthTls: ordererAdminTls(p, node),
      env: {
        ...baseEnv(),
        FABRIC_CFG_PATH: p.config,
        ORDERER_GENERAL_LISTENADDRESS: node.address,
        ORDERER_GENERAL_LISTENPORT: String(node.port),
        ORDERER_GENERAL_LOCALMSPID: node.mspId,
        ORDERER_GENERAL_LOCALMSPDIR: path.join(dir, 'msp'),
        ORDERER_GENERAL_TLS_ENABLED: 'true',
        ORDERER_GENERAL_TLS_PRIVATEKEY: path.join(dir, 'tls/server.key'),
        ORDERER_GENERAL_TLS_CERTIFICATE: path.join(dir, 'tls/server.crt'),
        ORDERER_GENERAL_TLS_ROOTCAS: clusterCas,
        ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED: 'true',
        ORDERER_GENERAL_TLS_CLIENTROOTCAS: clientCas,
        ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: path.join(dir, 'tls/server.crt'),
        ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: path.join(dir, 'tls/server.key'),
        ORDERER_GENERAL_CLUSTER_ROOTCAS: clusterCas,
        ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
        ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
        // Channel participation and operations take only this node's own organisation's admin.
        ORDERER_ADMIN_LISTENADDRESS: `${node.address}:${node.adminPort}`,
        ORDERER_ADMIN_TLS_ENABLED: 'true',
        ORDERER_ADMIN_TLS_CERTIFICATE: tls.cert,
        ORDERER_ADMIN_TLS_PRIVATEKEY: tls.key,
        ORDERER_ADMIN_TLS_ROOTCAS: own,
        ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
        ORDERER_ADMIN_TLS_CLIENTROOTCAS: own,
        ORDERER_OPERATIONS_LISTENADDRESS: `${node.address}:${node.operationsPort}`,
        ORDERER_OPERATIONS_TLS_ENABLED: 'true',
        ORDERER_OPERATIONS_TLS_CERTIFICATE: tls.cert,
        ORDERER_OPERATIONS_TLS_PRIVATEKEY: tls.key,
        ORDERER_OPERATIONS_TLS_CLIENTAUTHREQUIRED: 'true',
        ORDERER_OPERATIONS_TLS_CLIENTROOTCAS: own,
        ORDERER_METRICS_PROVIDER: 'prometheus',
        ORDERER_FILELEDGER_LOCATION: data,
        ORDERER_CONSENSUS_WALDIR: path.join(data, 'etcdraft/wal'),
        ORDERER_CONSENSUS_SNAPDIR: path.join(data, 'etcdraft/snap'),
      },
    };
  }

  private peerSpec(org: PeerOrg): proc.ProcessSpec {
    const p = this.paths;
    const dir = peerDir(p, org);
    const address = `${org.host}:${org.peerPort}`;
    // On namespaced hosts the peers find each other by name (each namespace's hosts file), as on real machines.
    const gossip = `${peerEndpointHost(org)}:${org.peerPort}`;
    const data = path.join(p.data, peerName(org));
    return {
      name: peerName(org),
      command: this.bin('peer'),
      args: ['node', 'start'],
      host: org.host,
      port: org.peerPort,
      namespace: org.namespace,
      healthUrl: `https://${org.host}:${org.operationsPort}/healthz`,
      healthTls: userTls(p, org, 'Admin'),
      env: {
        ...baseEnv(),
        FABRIC_CFG_PATH: p.config,
        CORE_PEER_ID: peerName(org),
        CORE_PEER_ADDRESS: address,
        CORE_PEER_LISTENADDRESS: address,
        CORE_PEER_CHAINCODELISTENADDRESS: `${org.host}:${org.chaincodePort}`,
        CORE_PEER_GOSSIP_BOOTSTRAP: gossip,
        // Without an external endpoint the peer is invisible to the other organisations: no
        // cross-org discovery, gateway endorsement or private data dissemination.
        CORE_PEER_GOSSIP_EXTERNALENDPOINT: gossip,
        CORE_PEER_LOCALMSPID: org.mspId,
        CORE_PEER_MSPCONFIGPATH: path.join(dir, 'msp'),
        CORE_PEER_TLS_ENABLED: 'true',
        CORE_PEER_TLS_CERT_FILE: path.join(dir, 'tls/server.crt'),
        CORE_PEER_TLS_KEY_FILE: path.join(dir, 'tls/server.key'),
        CORE_PEER_TLS_ROOTCERT_FILE: path.join(dir, 'tls/ca.crt'),
        // Every client presents a certificate: its own organisation's users and admins from this CA,
        // other members' peers from the TLS CAs of the channel configuration (added as it changes).
        CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
        CORE_PEER_TLS_CLIENTROOTCAS_FILES: path.join(dir, 'tls/ca.crt'),
        CORE_PEER_TLS_CLIENTCERT_FILE: path.join(dir, 'tls/server.crt'),
        CORE_PEER_TLS_CLIENTKEY_FILE: path.join(dir, 'tls/server.key'),
        // What the ccaas builder reads to dial this organisation's chaincode server over mutual TLS.
        PEDIGREE_CCAAS_TLS_DIR: path.join(dir, 'tls'),
        CORE_PEER_FILESYSTEMPATH: data,
        CORE_LEDGER_SNAPSHOTS_ROOTDIR: path.join(data, 'snapshots'),
        CORE_OPERATIONS_LISTENADDRESS: `${org.host}:${org.operationsPort}`,
        CORE_OPERATIONS_TLS_ENABLED: 'true',
        CORE_OPERATIONS_TLS_CERT_FILE: path.join(dir, 'tls/server.crt'),
        CORE_OPERATIONS_TLS_KEY_FILE: path.join(dir, 'tls/server.key'),
        CORE_OPERATIONS_TLS_CLIENTAUTHREQUIRED: 'true',
        CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES: path.join(dir, 'tls/ca.crt'),
        CORE_METRICS_PROVIDER: 'prometheus',
      },
    };
  }

  /** One organisation's chaincode server: it serves that organisation's peer only, and knows whose peer it is. */
  private chaincodeSpec(cc: ChaincodeDeployment, org: PeerOrg): proc.ProcessSpec {
    const p = this.paths;
    const port = chaincodeServerPort(cc, org);
    return {
      name: chaincodeServerName(cc, org),
      command: process.execPath,
      args: [
        path.join(p.root, 'node_modules/fabric-shim/cli.js'), 'server',
        '--chaincode-address', `${org.host}:${port}`,
        '--chaincode-id', this.installedPackageId(cc, org) ?? 'unset',
        '--module-path', path.join(p.root, cc.module),
        ...chaincodeServerTlsArgs(p, org),
      ],
      host: org.host,
      port,
      namespace: org.namespace,
      env: {
        ...baseEnv(),
        PEDIGREE_PEER_MSP: org.mspId,
        CORE_CHAINCODE_LOGGING_LEVEL: process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'warning',
        ...(process.env.PEDIGREE_CLOCK_SKEW_SECONDS ? { PEDIGREE_CLOCK_SKEW_SECONDS: process.env.PEDIGREE_CLOCK_SKEW_SECONDS } : {}),
      },
    };
  }

  private ensureRunning(spec: proc.ProcessSpec): Promise<boolean> {
    return proc.ensureRunning(this.paths, spec, this.log);
  }

  // --- channel ---------------------------------------------------------------------------------

  private async ensureOrdererJoined(node: OrdererNode, block: string): Promise<boolean> {
    const base = `https://${node.address}:${node.adminPort}/participation/v1/channels`;
    const admin = ordererAdminTls(this.paths, node);
    // A restarted orderer reports healthy on its operations port a moment before its admin port listens.
    const existing = await retryRequest(`${base}/${CHANNEL}`, admin);
    if (existing.ok) return false;
    const form = multipartFile('config-block', `${CHANNEL}.block`, fs.readFileSync(block));
    const res = await mtlsRequest(base, admin, { method: 'POST', body: form.body, headers: form.headers, timeoutMs: 10_000 });
    if (!res.ok) throw new Error(`${node.process} refused to join ${CHANNEL}: ${res.status} ${res.body}`);
    return true;
  }

  /** The nodes elect a Raft leader shortly after joining; the first submit needs one. */
  private async waitRaftLeader(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.raftLeader()) !== undefined) return;
      await proc.sleep(250);
    }
    throw new Error(`the ordering service of ${CHANNEL} elected no Raft leader within ${timeoutMs / 1000} s`);
  }

  /**
   * The orderer node that leads the channel's Raft cluster now (from each node's
   * consensus_etcdraft_is_leader metric), or undefined while there is none.
   */
  async raftLeader(): Promise<OrdererNode | undefined> {
    for (const node of ORDERERS) {
      try {
        const text = (await mtlsRequest(`https://${node.address}:${node.operationsPort}/metrics`, ordererAdminTls(this.paths, node), { timeoutMs: 2000 })).body;
        if (new RegExp(`^consensus_etcdraft_is_leader\\{channel="${CHANNEL}"\\} 1$`, 'm').test(text)) return node;
      } catch { /* down: not the leader */ }
    }
    return undefined;
  }

  private async ensurePeerJoined(org: PeerOrg, block: string): Promise<boolean> {
    // A peer just (re)started answers /healthz before its gRPC endpoint accepts connections: retry
    // briefly instead of failing `up` (seen restarting a SIGKILLed peer under load, test/faults).
    let stdout = '';
    for (let attempt = 1; ; attempt++) {
      try {
        ({ stdout } = await this.peerCli(org, ['channel', 'list']));
        break;
      } catch (err) {
        if (attempt >= 20 || !/connection refused|failed to connect/.test(String((err as Error).message))) throw err;
        await proc.sleep(500);
      }
    }
    if (stdout.split('\n').some((l) => l.trim() === CHANNEL)) return false;
    this.log(`joining ${peerName(org)} to ${CHANNEL}`);
    await this.peerCli(org, ['channel', 'join', '-b', block]);
    return true;
  }

  // --- chaincode -------------------------------------------------------------------------------

  /** Where one organisation's package of a chaincode (its own server's address) is built and recorded. */
  private chaincodeHome(cc: ChaincodeDeployment, org: PeerOrg): string {
    return path.join(this.paths.home, 'chaincode', cc.name, org.key);
  }

  private installedPackageId(cc: ChaincodeDeployment, org: PeerOrg): string | undefined {
    try {
      return fs.readFileSync(path.join(this.chaincodeHome(cc, org), 'package-id'), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /**
   * The chaincode definition's version is a digest of the chaincode code and its collections, so a
   * code change is a new package, a new approval and a new sequence — governance sees every change.
   * Each organisation packages the same code for its own chaincode server's address (so package IDs
   * differ by organisation), installs it on its peer and approves the definition with its own ID.
   */
  private async ensureChaincode(cc: ChaincodeDeployment): Promise<string[]> {
    const changed: string[] = [];
    const pkgs = new Map<string, ChaincodePackage>();
    for (const org of PEER_ORGS) {
      pkgs.set(org.mspId, await packageChaincode(this.paths.root, this.chaincodeHome(cc, org), `${org.host}:${chaincodeServerPort(cc, org)}`, cc));
    }
    const pkgOf = (org: PeerOrg) => pkgs.get(org.mspId) as ChaincodePackage;
    const collections = cc.collections ? ['--collections-config', path.join(this.paths.root, cc.collections)] : [];
    const policy = definitionEndorsementPolicy();
    // The version names the code and the policy: either changing is a new definition to approve.
    const version = createHash('sha256').update(`${pkgOf(PEER_ORGS[0]!).digest}\n${policy}`).digest('hex').slice(0, 16);

    for (const org of PEER_ORGS) {
      const pkg = pkgOf(org);
      const { stdout } = await this.peerCli(org, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json']);
      const installed = (JSON.parse(stdout || '{}').installed_chaincodes ?? []) as { package_id: string }[];
      if (!installed.some((c) => c.package_id === pkg.packageId)) {
        this.log(`installing chaincode ${pkg.packageId} on ${peerName(org)}`);
        await this.peerCli(org, ['lifecycle', 'chaincode', 'install', pkg.file]);
        changed.push(`chaincode installed on ${peerName(org)}`);
      }
    }

    const committed = await this.committedDefinition(PEER_ORGS[0], cc.name);
    if (committed?.version !== version) {
      const sequence = String((committed?.sequence ?? 0) + 1);
      const defn = ['-C', CHANNEL, '-n', cc.name, '-v', version, '--sequence', sequence, '--signature-policy', policy, ...collections];
      const { stdout } = await this.peerCli(PEER_ORGS[0], ['lifecycle', 'chaincode', 'checkcommitreadiness', ...defn, '--output', 'json']);
      const approvals = (JSON.parse(stdout).approvals ?? {}) as Record<string, boolean>;
      for (const org of PEER_ORGS) {
        if (approvals[org.mspId]) continue;
        this.log(`approving chaincode ${version} sequence ${sequence} for ${org.mspId}`);
        await this.peerCli(org, ['lifecycle', 'chaincode', 'approveformyorg', ...this.ordererFlags(org), ...defn, '--package-id', pkgOf(org).packageId]);
      }
      // An organisation that has no chaincode server yet (one that just joined) starts it before
      // the commit: once the definition names its peer, gateways may ask that peer to endorse.
      for (const org of PEER_ORGS) {
        if (this.installedPackageId(cc, org) !== undefined) continue;
        writeIfChanged(path.join(this.chaincodeHome(cc, org), 'package-id'), `${pkgOf(org).packageId}\n`);
        if (await this.ensureRunning(this.chaincodeSpec(cc, org))) changed.push(`${cc.name} chaincode server of ${org.mspId}`);
      }
      const peers = PEER_ORGS.flatMap((o) => ['--peerAddresses', `${o.host}:${o.peerPort}`, '--tlsRootCertFiles', peerTlsCa(this.paths, o)]);
      this.log(`committing chaincode ${version} sequence ${sequence}`);
      await this.peerCli(PEER_ORGS[0], ['lifecycle', 'chaincode', 'commit', ...this.ordererFlags(PEER_ORGS[0]), ...defn, ...peers]);
      changed.push(`chaincode ${version} committed at sequence ${sequence}`);
    } else {
      // The definition stands; an organisation whose approval names another package (a server
      // address moved, a modified package put back) approves its own again for the same sequence.
      for (const org of PEER_ORGS) {
        if ((await this.approvedPackageId(org, cc.name)) === pkgOf(org).packageId) continue;
        this.log(`re-approving chaincode ${version} sequence ${committed.sequence} for ${org.mspId} with its own package`);
        await this.approvePackageForOrg(org.mspId, pkgOf(org).file, pkgOf(org).packageId, cc);
        changed.push(`${org.mspId} approved its own package of ${cc.name}`);
      }
    }

    for (const org of PEER_ORGS) {
      const pkg = pkgOf(org);
      const previous = this.installedPackageId(cc, org);
      writeIfChanged(path.join(this.chaincodeHome(cc, org), 'package-id'), `${pkg.packageId}\n`);
      const spec = this.chaincodeSpec(cc, org);
      if (previous !== pkg.packageId) await proc.stop(this.paths, spec.name);
      if (await this.ensureRunning(spec)) changed.push(`${cc.name} chaincode server of ${org.mspId}`);
    }
    if (changed.length > 0) await this.waitChaincodeReady(cc.name);
    return changed;
  }

  /**
   * One organisation runs a package of its own choosing for the committed definition: installs it on
   * its peer and approves the same definition (same sequence) with that package ID. This is all an
   * organisation needs to point its own peer at modified chaincode; the test of that attack
   * (test/security/rogue-chaincode.test.ts) uses it, and again to put the honest package back.
   */
  async approvePackageForOrg(mspId: string, file: string, packageId: string, cc: ChaincodeDeployment = CHAINCODES[0] as ChaincodeDeployment): Promise<void> {
    const org = PEER_ORGS.find((o) => o.mspId === mspId);
    if (!org) throw new Error(`no peer organisation ${mspId}`);
    const { stdout } = await this.peerCli(org, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json']);
    const installed = (JSON.parse(stdout || '{}').installed_chaincodes ?? []) as { package_id: string }[];
    if (!installed.some((c) => c.package_id === packageId)) await this.peerCli(org, ['lifecycle', 'chaincode', 'install', file]);
    const committed = await this.committedDefinition(org, cc.name);
    if (!committed) throw new Error(`${cc.name} is not committed`);
    const collections = cc.collections ? ['--collections-config', path.join(this.paths.root, cc.collections)] : [];
    await this.peerCli(org, ['lifecycle', 'chaincode', 'approveformyorg', ...this.ordererFlags(org), '-C', CHANNEL, '-n', cc.name, '-v', committed.version, '--sequence', String(committed.sequence), '--signature-policy', definitionEndorsementPolicy(), ...collections, '--package-id', packageId]);
  }

  /** The package file and ID `up` installed for an organisation's chaincode server. */
  installedPackage(mspId: string, cc: ChaincodeDeployment = CHAINCODES[0] as ChaincodeDeployment): { file: string; packageId: string } | undefined {
    const org = PEER_ORGS.find((o) => o.mspId === mspId);
    const packageId = org && this.installedPackageId(cc, org);
    if (!org || !packageId) return undefined;
    return { packageId, file: path.join(this.chaincodeHome(cc, org), `${packageId.split(':')[0]}.tgz`) };
  }

  private async approvedPackageId(org: PeerOrg, name: string): Promise<string | undefined> {
    try {
      const { stdout } = await this.peerCli(org, ['lifecycle', 'chaincode', 'queryapproved', '-C', CHANNEL, '-n', name, '--output', 'json']);
      return (JSON.parse(stdout) as { source?: { Type?: { LocalPackage?: { package_id?: string } } } }).source?.Type?.LocalPackage?.package_id;
    } catch {
      return undefined;
    }
  }

  private async committedDefinition(org: PeerOrg, name: string): Promise<{ version: string; sequence: number } | undefined> {
    try {
      const { stdout } = await this.peerCli(org, ['lifecycle', 'chaincode', 'querycommitted', '-C', CHANNEL, '-n', name, '--output', 'json']);
      const def = JSON.parse(stdout) as { version: string; sequence: number };
      return { version: def.version, sequence: Number(def.sequence) };
    } catch (err) {
      if (/namespace \S+ is not defined|not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** Every peer has the definition and reaches the chaincode server: the first invoke will not fail. */
  private async waitChaincodeReady(name: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (const org of PEER_ORGS) {
      while (true) {
        try {
          await this.peerCli(org, ['chaincode', 'query', '-C', CHANNEL, '-n', name, '-c', '{"function":"org.hyperledger.fabric:GetMetadata","Args":[]}']);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await proc.sleep(500);
        }
      }
    }
  }

  /**
   * Each organisation's gateway can get every organisation's endorsement. Peers learn of each other,
   * and of the chaincode each has installed, through gossip, which takes a few seconds after a
   * start or an upgrade; until then discovery finds no peers to satisfy the policy.
   */
  private async waitGatewaysReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const all = PEER_ORGS.map((o) => o.mspId);
    for (const org of PEER_ORGS) {
      const file = connectionProfileFile(this.paths, org);
      const ledger = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(file), 'User1', { endorse: 10_000, commitStatus: 20_000 }));
      try {
        while (true) {
          try {
            // An empty transaction endorsed by every organisation: proves discovery, endorsement and
            // commit for the production chaincode without writing anything.
            await ledger.submit('org.hyperledger.fabric:GetMetadata', [], { endorsingOrganizations: all });
            break;
          } catch (err) {
            if (Date.now() > deadline) throw new Error(`${org.mspId}'s gateway cannot reach every organisation: ${(err as Error).message}`);
            await proc.sleep(500);
          }
        }
      } finally {
        ledger.close();
      }
    }
  }

  /** One profile per organisation for applications: its peer and its users' credentials. */
  private writeConnectionProfiles(): void {
    for (const org of PEER_ORGS) {
      const users = Object.fromEntries(['User1', 'User2', 'Admin'].map((u) => {
        const msp = userMspDir(this.paths, org, u);
        const certDir = path.join(msp, 'signcerts');
        const tls = userTls(this.paths, org, u);
        return [u, {
          certificateFile: path.join(certDir, fs.readdirSync(certDir)[0]),
          privateKeyFile: path.join(msp, 'keystore', fs.readdirSync(path.join(msp, 'keystore'))[0]),
          // The peer takes mutual TLS only: the user's TLS client certificate, beside its signing identity.
          tlsCertificateFile: tls.cert,
          tlsPrivateKeyFile: tls.key,
        }];
      }));
      const profile = {
        mspId: org.mspId,
        peerEndpoint: `${org.host}:${org.peerPort}`,
        tlsRootCertFile: peerTlsCa(this.paths, org),
        // The peers' certificates name their host's address and localhost; TLS server names must not be IPs.
        tlsServerName: 'localhost',
        channel: CHANNEL,
        chaincode: CHAINCODE,
        users,
      };
      writeIfChanged(connectionProfileFile(this.paths, org), `${JSON.stringify(profile, null, 2)}\n`);
    }
  }

  // --- CLI plumbing ----------------------------------------------------------------------------

  private ordererFlags(as: PeerOrg): string[] {
    return ordererFlags(this.paths, as);
  }

  private async peerCli(org: PeerOrg, args: string[]) {
    // A restarted orderer takes a few seconds to elect its Raft leader; submits in that window are
    // refused as unavailable and are safe to repeat. A newcomer's peer that has not yet caught up
    // with the configuration block admitting its organisation refuses its own admin as unknown
    // until it has: also safe to repeat.
    // A peer that was down while the channel moved on replays every block it missed first: as long
    // as its height grows it is catching up, and the wait goes on (up to 15 minutes in all).
    let deadline = Date.now() + 60_000;
    const overall = Date.now() + 15 * 60_000;
    let height = -1;
    while (true) {
      try {
        return await this.peerCliOnce(org, args);
      } catch (err) {
        const message = (err as Error).message;
        if (!/no Raft leader|SERVICE_UNAVAILABLE|creator org unknown/.test(message)) throw err;
        if (/creator org unknown/.test(message)) {
          const now = await this.peerHeight(org);
          if (now > height) {
            if (height >= 0) deadline = Math.min(overall, Date.now() + 60_000);
            height = now;
          }
        }
        if (Date.now() > deadline) throw err;
        await proc.sleep(500);
      }
    }
  }

  /** The peer's ledger height on the channel (its operations metrics), or -1 when it does not answer. */
  private async peerHeight(org: PeerOrg): Promise<number> {
    try {
      const text = (await mtlsRequest(`https://${org.host}:${org.operationsPort}/metrics`, userTls(this.paths, org, 'Admin'), { timeoutMs: 2000 })).body;
      const m = new RegExp(`^ledger_blockchain_height\\{channel="${CHANNEL}"\\} (\\d+)`, 'm').exec(text);
      return m ? Number(m[1]) : -1;
    } catch {
      return -1;
    }
  }

  private peerCliOnce(org: PeerOrg, args: string[]) {
    return this.tool('peer', args, peerAdminEnv(this.paths, org));
  }

  private tool(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    return runFabricTool(this.bin(name), name, args, { ...baseEnv(), ...env });
  }
}

/**
 * The founders' identities, as `up` would enroll them: a network home made for another consortium
 * (other organisations, other names) is refused rather than mixed with it.
 */
function identityPlan(): string {
  return YAML.stringify(FOUNDERS.map((o) => {
    const server = caServerOf(o, ORDERERS);
    return { ca: server.process, port: server.port, identities: identitiesOf(server, ORDERERS).map((i) => `${i.ca.mspId} ${i.type} ${i.id}`) };
  }));
}

function baseEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return {
    PATH, HOME, TMPDIR, LANG,
    FABRIC_LOGGING_SPEC: process.env.FABRIC_LOGGING_SPEC ?? 'info',
  };
}

async function retryRequest(url: string, tls: TlsFiles, timeoutMs = 15_000): Promise<TlsAnswer> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await mtlsRequest(url, tls);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await proc.sleep(250);
    }
  }
}
