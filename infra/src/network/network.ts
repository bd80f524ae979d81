import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { FabricInstall, fabricInstall, writeConfig, writeIfChanged } from './fabric-config';
import { caServerOf, type CaServer, CertificateAuthorities, identitiesOf, type IdentitySpec } from './ca';
import { ChaincodePackage, packageChaincode } from './chaincode-package';
import { ordererFlags, peerAdminEnv, runFabricTool } from './fabric-cli';
import * as proc from './processes';
import { chaincodeServerTlsArgs, mtlsRequest, type TlsAnswer, type TlsFiles, multipartFile, ordererAdminTls, ordererTls, ordererTlsCas, peerTls, userTls } from './tls';
import {
  CHAINCODE, CHAINCODES, CHANNEL, ChaincodeDeployment, chaincodeServerName, chaincodeServerPort, consortiumFile, definitionEndorsementPolicy, FOUNDERS, NetworkPaths, OrdererNode, ORDERERS, PEER_ORGS, PeerOrg,
  connectionProfileFile, hostOf, joinedFile, networkHosts, networkPaths, ordererDir, peerDir, peerEndpointHost, peerName, peerTlsCa, userMspDir,
} from './topology';
// The gateway client (@pedigree/ledger, through ./consortium) is loaded only by the steps that
// use it: it is most of a CLI run's start-up (about 0.5 s of CPU), and the file-only commands
// (hosts, export, import, genesis) run many times in a founding.
type Consortium = typeof import('./consortium');
const consortium = (): Promise<Consortium> => import('./consortium');
import { ExchangeError, exportOrganisation, genesisProblem, type GenesisJson, importOrganisation, missingFounders } from './exchange';
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
    this.refuseOtherConsortium();
    writeConfig(p, this.install);
    writeIfChanged(path.join(p.config, 'identities.yaml'), identityPlan());
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
    // The chaincodes' definitions are independent (their own keys in _lifecycle): side by side.
    changed.push(...(await Promise.all(CHAINCODES.map((cc) => this.ensureChaincode(cc)))).flat());
    this.writeConnectionProfiles();
    if (changed.length > 0) await this.waitGatewaysReady();
    const founded = await (await consortium()).foundConsortium(this.paths, this.log);
    if (founded) changed.push(founded);
    if (changed.length === 0) this.log('network already up; nothing changed');
    return { changed };
  }

  /**
   * `network -- up --org <key>`: one organisation on its own machine brings up only what it runs —
   * its host, its CA and the identities it issues, its ordering node, its peer, its chaincode
   * servers — and takes its own founding steps with its own admin. What needs every founder is an
   * exchange of files, as between separate companies: each sends the others its public material
   * (`export`, written as exchange/<key>.json on every run), one founder builds the genesis block
   * from what it imported (`genesis`) and sends it, the others take it (`genesis --from`). Until
   * this machine has the genesis block, `up --org` stops after the identities and says what it
   * waits for. With it, it waits (up to PEDIGREE_FOUNDING_WAIT_S, default 900 s) for the partners'
   * steps it needs: a Raft leader (a majority of the ordering nodes up) for its approvals, every
   * member's approval for the commit, every founder's for the founding.
   */
  async upOrg(key: string): Promise<{ changed: string[]; waitingFor?: string }> {
    const org = this.member(key);
    const changed: string[] = [];
    const p = this.paths;
    this.refuseOtherConsortium();
    writeConfig(p, this.install);
    writeIfChanged(path.join(p.config, 'identities.yaml'), identityPlan());
    // Its own host only; every member's name goes into its names file (DNS on real machines).
    networkHosts().up(PEER_ORGS.map(hostOf), org.key);
    const server = caServerOf(org, ORDERERS);
    if ((await this.cas.ensureIdentities(server, identitiesOf(server, ORDERERS))).length) changed.push(`identities enrolled from ${server.process}`);
    const exported = exportFile(p, org.key);
    if (writeIfChanged(exported, `${JSON.stringify(exportOrganisation(p, org), null, 2)}\n`)) changed.push(`public material written to ${exported}`);
    const block = path.join(p.artifacts, `${CHANNEL}.block`);
    if (!fs.existsSync(block)) {
      const missing = missingFounders(p).map((o) => o.key);
      const waitingFor = missing.length
        ? `the partners' public material: send ${exported} to every founder, and \`npm run network -- import <file>\` theirs (${missing.join(', ')})`
        : `the genesis block: one founder runs \`npm run network -- genesis\` and sends artifacts/${CHANNEL}.block; the others \`npm run network -- genesis --from <file> --org <key>\``;
      return { changed, waitingFor };
    }
    const deadline = Date.now() + foundingWaitMs();
    const nodes = ORDERERS.filter((n) => n.owner.key === org.key);
    for (const spec of [...nodes.map((n) => this.ordererSpec(n)), this.peerSpec(org)]) {
      if (await this.ensureRunning(spec)) changed.push(spec.name);
    }
    for (const node of nodes) {
      if (await this.ensureOrdererJoined(node, block)) changed.push(`${node.process} joined ${CHANNEL}`);
    }
    if (await this.ensurePeerJoined(org, block)) changed.push(`${peerName(org)} joined ${CHANNEL}`);
    changed.push(...(await Promise.all(CHAINCODES.map((cc) => this.ensureOwnChaincode(cc, org, deadline)))).flat());
    this.writeConnectionProfiles([org]);
    if (changed.length > 0) await this.waitGatewaysReady(Math.max(90_000, deadline - Date.now()), [org]);
    const founded = await (await consortium()).foundConsortiumAs(p, org, this.log, deadline);
    if (founded) changed.push(founded);
    if (changed.length === 0) this.log(`${org.mspId} already up; nothing changed`);
    return { changed };
  }

  /** `network -- import <file> --org <key>`: a partner's public material, into this machine's crypto folder. */
  importPartner(file: string, asKey: string | undefined): string {
    const own = asKey === undefined ? undefined : this.member(asKey);
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ExchangeError('EXCHANGE_INVALID', `${file} is not an organisation export: ${(err as Error).message}`);
    }
    const { org, written } = importOrganisation(this.paths, doc, own);
    return `${org.mspId} (${org.legalName}): ${written} file${written === 1 ? '' : 's'} imported`;
  }

  /**
   * `network -- genesis`: the channel's genesis block from every founder's material (this
   * machine's own and what it imported), by the one founder who then sends it to the others.
   */
  async genesis(): Promise<string> {
    const block = path.join(this.paths.artifacts, `${CHANNEL}.block`);
    if (fs.existsSync(block)) return block;
    const missing = missingFounders(this.paths);
    if (missing.length) throw new ExchangeError('EXCHANGE_INCOMPLETE', `the genesis block needs every founder's public material; missing: ${missing.map((o) => o.key).join(', ')} (\`npm run network -- import <file>\`)`);
    writeConfig(this.paths, this.install);
    await this.tool('configtxgen', ['-profile', CHANNEL, '-channelID', CHANNEL, '-outputBlock', block], { FABRIC_CFG_PATH: this.paths.config });
    return block;
  }

  /**
   * `network -- genesis --from <file> --org <key>`: the block a founder sent. Taken only if it is
   * the genesis block of this channel and its configuration names this organisation's MSP by its
   * own CA's root and, for each ordering node it runs, that node's TLS certificate as a consenter:
   * a block made without them (or with someone else's) would never let its nodes in.
   */
  async takeGenesis(file: string, key: string): Promise<string> {
    const org = this.member(key);
    const block = path.join(this.paths.artifacts, `${CHANNEL}.block`);
    const json = `${block}.received.json`;
    fs.mkdirSync(this.paths.artifacts, { recursive: true });
    try {
      await this.tool('configtxlator', ['proto_decode', '--input', file, '--type', 'common.Block', '--output', json]);
    } catch (err) {
      throw new ExchangeError('EXCHANGE_INVALID', `${file} is not a Fabric block: ${(err as Error).message}`);
    }
    try {
      const cacerts = path.join(this.paths.crypto, 'peerOrganizations', org.domain, 'msp', 'cacerts');
      const root = fs.readFileSync(path.join(cacerts, fs.readdirSync(cacerts)[0]!), 'utf8');
      const nodes = ORDERERS.filter((n) => n.owner.key === org.key).map((node) => ({ node, cert: fs.readFileSync(ordererTls(this.paths, node).cert, 'utf8') }));
      const problem = genesisProblem(JSON.parse(fs.readFileSync(json, 'utf8')) as GenesisJson, org, root, nodes);
      if (problem) throw new ExchangeError('EXCHANGE_INVALID', `${file}: ${problem}`);
    } finally {
      fs.rmSync(json, { force: true });
    }
    if (fs.existsSync(block) && Buffer.compare(fs.readFileSync(block), fs.readFileSync(file)) !== 0) {
      throw new ExchangeError('EXCHANGE_INVALID', `this machine already has another genesis block for ${CHANNEL} (${block}); \`npm run network:reset\` first`);
    }
    fs.copyFileSync(file, block);
    return block;
  }

  /** `network -- down --org <key>`: only this organisation's processes and its own host. */
  async downOrg(key: string): Promise<string[]> {
    const org = this.member(key);
    const stopped: string[] = [];
    for (const spec of this.specsOf(org).reverse()) {
      if (await proc.stop(this.paths, spec.name)) stopped.push(spec.name);
    }
    networkHosts().down(org.key);
    return stopped;
  }

  /** What one organisation runs: its CA, its ordering nodes, its peer, its chaincode servers. */
  specsOf(org: PeerOrg): proc.ProcessSpec[] {
    return [this.cas.spec(caServerOf(org, ORDERERS)), ...ORDERERS.filter((n) => n.owner.key === org.key).map((n) => this.ordererSpec(n)), this.peerSpec(org), ...CHAINCODES.map((cc) => this.chaincodeSpec(cc, org))];
  }

  private member(key: string): PeerOrg {
    const org = PEER_ORGS.find((o) => o.key === key);
    if (!org) throw new Error(`no member "${key}" in ${consortiumFile(this.paths.root)} (members: ${PEER_ORGS.map((o) => o.key).join(', ')})`);
    return org;
  }

  private refuseOtherConsortium(): void {
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

  processStatus(spec: proc.ProcessSpec): Promise<proc.ProcessStatus> {
    return proc.status(this.paths, spec);
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
    // Each organisation's steps go to its own peer (and its own admin's transaction to the ordering
    // service), so they run side by side: one block carries every approval instead of one each.
    const each = async (step: (org: PeerOrg) => Promise<string | undefined>) => {
      for (const c of await Promise.all(PEER_ORGS.map(step))) if (c) changed.push(c);
    };
    const pkgs = new Map<string, ChaincodePackage>();
    await each(async (org) => { pkgs.set(org.mspId, await this.packageFor(cc, org)); return undefined; });
    const pkgOf = (org: PeerOrg) => pkgs.get(org.mspId) as ChaincodePackage;
    const version = chaincodeVersion(pkgOf(PEER_ORGS[0]!));
    await each(async (org) => ((await this.ensureInstalled(org, pkgOf(org))) ? `chaincode installed on ${peerName(org)}` : undefined));

    const committed = await this.committedDefinition(PEER_ORGS[0], cc.name);
    if (committed?.version !== version) {
      const sequence = (committed?.sequence ?? 0) + 1;
      const approvals = await this.approvals(PEER_ORGS[0]!, cc, version, sequence);
      // An organisation that has no chaincode server yet (one that just joined) starts it before
      // the commit (while the approvals go through): once the definition names its peer, gateways
      // may ask that peer to endorse.
      await Promise.all([
        each(async (org) => {
          if (this.installedPackageId(cc, org) !== undefined) return undefined;
          writeIfChanged(path.join(this.chaincodeHome(cc, org), 'package-id'), `${pkgOf(org).packageId}\n`);
          return (await this.ensureRunning(this.chaincodeSpec(cc, org))) ? `${cc.name} chaincode server of ${org.mspId}` : undefined;
        }),
        each(async (org) => {
          if (!approvals[org.mspId]) await this.approve(org, cc, version, sequence, pkgOf(org));
          return undefined;
        }),
      ]);
      await this.commitDefinition(PEER_ORGS[0]!, cc, version, sequence);
      changed.push(`chaincode ${version} committed at sequence ${sequence}`);
    } else {
      // The definition stands; an organisation whose approval names another package (a server
      // address moved, a modified package put back) approves its own again for the same sequence.
      await each(async (org) => {
        if ((await this.approvedPackageId(org, cc.name)) === pkgOf(org).packageId) return undefined;
        this.log(`re-approving chaincode ${version} sequence ${committed.sequence} for ${org.mspId} with its own package`);
        await this.approvePackageForOrg(org.mspId, pkgOf(org).file, pkgOf(org).packageId, cc);
        return `${org.mspId} approved its own package of ${cc.name}`;
      });
    }

    await each(async (org) => ((await this.runChaincodeServer(cc, org, pkgOf(org))) ? `${cc.name} chaincode server of ${org.mspId}` : undefined));
    if (changed.length > 0) await this.waitChaincodeReady(cc.name);
    return changed;
  }

  /**
   * One organisation's share of a chaincode definition, on its own machine: its own package
   * installed and approved, its own chaincode server started; the definition committed by
   * whichever member finds every member's approval in place (the others see it committed). Its
   * approval needs the ordering service, which has a leader only once a majority of the ordering
   * nodes run: until the deadline, refusals are waited out.
   */
  private async ensureOwnChaincode(cc: ChaincodeDeployment, org: PeerOrg, deadline: number): Promise<string[]> {
    const changed: string[] = [];
    const pkg = await this.packageFor(cc, org);
    const version = chaincodeVersion(pkg);
    if (await this.ensureInstalled(org, pkg)) changed.push(`chaincode installed on ${peerName(org)}`);
    // Up before the commit (once the definition names this peer, gateways may ask it to endorse),
    // starting while the approvals go through: its start-up is seconds of a small machine.
    const server = this.runChaincodeServer(cc, org, pkg).then((started) => { if (started) changed.push(`${cc.name} chaincode server of ${org.mspId}`); });
    let serverFailed: unknown;
    server.catch((err: unknown) => { serverFailed = err; });
    let waiting = '';
    while (true) {
      try {
        const committed = await this.committedDefinition(org, cc.name);
        if (committed?.version === version) {
          if ((await this.approvedPackageId(org, cc.name)) !== pkg.packageId) {
            await this.approvePackageForOrg(org.mspId, pkg.file, pkg.packageId, cc);
            changed.push(`${org.mspId} approved its own package of ${cc.name}`);
          }
          await server;
          break;
        }
        const sequence = (committed?.sequence ?? 0) + 1;
        const approvals = await this.approvals(org, cc, version, sequence);
        if (!approvals[org.mspId]) {
          await this.approve(org, cc, version, sequence, pkg, this.ordererFor(org));
          changed.push(`${org.mspId} approved ${cc.name} ${version} sequence ${sequence}`);
          continue;
        }
        const pending = PEER_ORGS.filter((o) => !approvals[o.mspId]).map((o) => o.mspId);
        if (pending.length === 0) {
          await server;
          await this.commitDefinition(org, cc, version, sequence, this.ordererFor(org));
          changed.push(`chaincode ${cc.name} ${version} committed at sequence ${sequence} by ${org.mspId}`);
          continue;
        }
        const now = `${cc.name}: approved by ${org.mspId}; waiting for ${pending.join(', ')} to approve (each on its own machine)`;
        if (now !== waiting) this.log((waiting = now));
      } catch (err) {
        // Its own server not starting is no partner's to settle: at once.
        if (serverFailed !== undefined) throw serverFailed;
        // No Raft leader yet, a partner's peer or node not up, or another member's commit of the
        // same sequence got in first: all settle as the partners come up.
        const now = `${cc.name}: waiting for the partners (${(err as Error).message.split('\n').slice(-1)[0]})`;
        if (now !== waiting) this.log((waiting = now));
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`${cc.name} was not committed within the founding wait: ${waiting}`);
      // Each round is two peer CLI runs: a second between rounds sees a partner's step soon
      // without crowding a small machine running every member.
      await proc.sleep(1000);
    }
    await this.waitChaincodeReady(cc.name, [org], Math.max(60_000, deadline - Date.now()));
    return changed;
  }

  private packageFor(cc: ChaincodeDeployment, org: PeerOrg): Promise<ChaincodePackage> {
    return packageChaincode(this.paths.root, this.chaincodeHome(cc, org), `${org.host}:${chaincodeServerPort(cc, org)}`, cc);
  }

  private async ensureInstalled(org: PeerOrg, pkg: ChaincodePackage): Promise<boolean> {
    const { stdout } = await this.peerCli(org, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json']);
    const installed = (JSON.parse(stdout || '{}').installed_chaincodes ?? []) as { package_id: string }[];
    if (installed.some((c) => c.package_id === pkg.packageId)) return false;
    this.log(`installing chaincode ${pkg.packageId} on ${peerName(org)}`);
    await this.peerCli(org, ['lifecycle', 'chaincode', 'install', pkg.file]);
    return true;
  }

  /** The definition every member approves: name, version, sequence, the policy and the collections. */
  private definitionArgs(cc: ChaincodeDeployment, version: string, sequence: number): string[] {
    const collections = cc.collections ? ['--collections-config', path.join(this.paths.root, cc.collections)] : [];
    return ['-C', CHANNEL, '-n', cc.name, '-v', version, '--sequence', String(sequence), '--signature-policy', definitionEndorsementPolicy(), ...collections];
  }

  private async approvals(as: PeerOrg, cc: ChaincodeDeployment, version: string, sequence: number): Promise<Record<string, boolean>> {
    const { stdout } = await this.peerCli(as, ['lifecycle', 'chaincode', 'checkcommitreadiness', ...this.definitionArgs(cc, version, sequence), '--output', 'json']);
    return (JSON.parse(stdout).approvals ?? {}) as Record<string, boolean>;
  }

  private async approve(org: PeerOrg, cc: ChaincodeDeployment, version: string, sequence: number, pkg: ChaincodePackage, node?: OrdererNode): Promise<void> {
    this.log(`approving chaincode ${version} sequence ${sequence} for ${org.mspId}`);
    await this.peerCli(org, ['lifecycle', 'chaincode', 'approveformyorg', ...ordererFlags(this.paths, org, node), ...this.definitionArgs(cc, version, sequence), '--package-id', pkg.packageId]);
  }

  /** Commits with every member's peer endorsing (the lifecycle policy is a majority of them). */
  private async commitDefinition(as: PeerOrg, cc: ChaincodeDeployment, version: string, sequence: number, node?: OrdererNode): Promise<void> {
    const peers = PEER_ORGS.flatMap((o) => ['--peerAddresses', `${o.host}:${o.peerPort}`, '--tlsRootCertFiles', peerTlsCa(this.paths, o)]);
    this.log(`committing chaincode ${version} sequence ${sequence}`);
    await this.peerCli(as, ['lifecycle', 'chaincode', 'commit', ...ordererFlags(this.paths, as, node), ...this.definitionArgs(cc, version, sequence), ...peers]);
  }

  /** The organisation's chaincode server on the package it approved (restarted when that package changed). */
  private async runChaincodeServer(cc: ChaincodeDeployment, org: PeerOrg, pkg: ChaincodePackage): Promise<boolean> {
    const previous = this.installedPackageId(cc, org);
    writeIfChanged(path.join(this.chaincodeHome(cc, org), 'package-id'), `${pkg.packageId}\n`);
    const spec = this.chaincodeSpec(cc, org);
    if (previous !== pkg.packageId) await proc.stop(this.paths, spec.name);
    return this.ensureRunning(spec);
  }

  /** The ordering node an organisation sends its own transactions to: its own, if it runs one. */
  private ordererFor(org: PeerOrg): OrdererNode {
    return ORDERERS.find((n) => n.owner.key === org.key) ?? ORDERERS[0]!;
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
    await this.peerCli(org, ['lifecycle', 'chaincode', 'approveformyorg', ...ordererFlags(this.paths, org, this.ordererFor(org)), ...this.definitionArgs(cc, committed.version, committed.sequence), '--package-id', packageId]);
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
  private async waitChaincodeReady(name: string, orgs: readonly PeerOrg[] = PEER_ORGS, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(orgs.map(async (org) => {
      while (true) {
        try {
          await this.peerCli(org, ['chaincode', 'query', '-C', CHANNEL, '-n', name, '-c', '{"function":"org.hyperledger.fabric:GetMetadata","Args":[]}']);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await proc.sleep(500);
        }
      }
    }));
  }

  /**
   * Each organisation's gateway can get every organisation's endorsement. Peers learn of each other,
   * and of the chaincode each has installed, through gossip, which takes a few seconds after a
   * start or an upgrade; until then discovery finds no peers to satisfy the policy.
   */
  private async waitGatewaysReady(timeoutMs = 90_000, orgs: readonly PeerOrg[] = PEER_ORGS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const all = PEER_ORGS.map((o) => o.mspId);
    const { connectFabricLedger, ledgerConfigFromProfile, readConnectionProfile } = await import('@pedigree/ledger');
    // Each gateway on its own: side by side.
    await Promise.all(orgs.map(async (org) => {
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
    }));
  }

  /** One profile per organisation for applications: its peer and its users' credentials. */
  private writeConnectionProfiles(orgs: readonly PeerOrg[] = PEER_ORGS): void {
    for (const org of orgs) {
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

/** The version names the code and the policy: either changing is a new definition to approve. */
function chaincodeVersion(pkg: ChaincodePackage): string {
  return createHash('sha256').update(`${pkg.digest}\n${definitionEndorsementPolicy()}`).digest('hex').slice(0, 16);
}

/** Where `up --org` writes the organisation's export for its partners. */
export function exportFile(p: NetworkPaths, key: string): string {
  return path.join(p.home, 'exchange', `${key}.json`);
}

/** How long `up --org` waits for its partners' steps (PEDIGREE_FOUNDING_WAIT_S seconds, default 900). */
function foundingWaitMs(): number {
  const s = Number(process.env.PEDIGREE_FOUNDING_WAIT_S ?? 900);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`PEDIGREE_FOUNDING_WAIT_S must be a number of seconds, got "${process.env.PEDIGREE_FOUNDING_WAIT_S}"`);
  return s * 1000;
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
