import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ordererAdminEnv, ordererAdminFlags, ordererFlags, peerAdminEnv, runFabricTool } from './fabric-cli';
import { caServerOf, CertificateAuthorities, identitiesOf } from './ca';
import { FabricInstall, fabricInstall, peerOrgDefinition } from './fabric-config';
import * as proc from './processes';
import {
  CHAINCODES, chaincodeServerName, CHANNEL, FOUNDERS, hostOf, joinedFile, networkHosts, MemberConfig, NetworkPaths, OrdererNode, ordererEndpointHost, ORDERERS, PEER_ORGS, PeerOrg,
  peerName, peerOrgsOf, readMembershipChanges,
} from './topology';

/**
 * Joining and leaving a running network, as the separate companies involved take each step:
 *
 *  1. the newcomer generates its material and its organisation definition (`join`);
 *  2. one member computes the channel configuration update that adds it (`propose-join`), a
 *     majority of the members' admins sign it, each with its own key (`sign`), one submits it
 *     (`submit`) — the channel's Application Admins policy is MAJORITY;
 *  3. the newcomer's peer fetches the channel's first block from the ordering service and joins,
 *     and every member approves the next chaincode definition, whose policy names the newcomer
 *     (`npm run network:up`); governance admits it as a partner (`propose`/`approve`).
 *
 * Leaving is the same update the other way (`propose-leave`, `sign`, `submit`): its organisation
 * leaves the channel configuration, so its certificates are refused by every peer and orderer.
 * The newcomer's identities come from its own Fabric CA server (ca.ts), which it starts in `join`.
 */

/** What a pending configuration update is for; kept beside the update file (<update>.json). */
interface UpdateRecord {
  readonly kind: 'join' | 'leave' | 'revoke' | 'consenter';
  readonly key: string;
  readonly mspId: string;
  readonly signedBy: string[];
}

export function joiningDir(p: NetworkPaths, key: string): string {
  return path.join(p.home, 'joining', key);
}

export function updatesDir(p: NetworkPaths): string {
  return path.join(p.home, 'updates');
}

/** The newcomer's member entry: a file holding one consortium.yaml member (or `members: [one]`). */
export function readMemberFile(file: string): MemberConfig & { key: string; mspId: string } {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as (MemberConfig & { members?: MemberConfig[] }) | null;
  const member = doc?.members ? doc.members[0] : doc;
  if (!member || doc?.members?.length === 0 || (doc?.members && doc.members.length > 1)) throw new Error(`${file} must name exactly one organisation`);
  return member as MemberConfig & { key: string; mspId: string };
}

export class Membership {
  private installed?: FabricInstall;

  constructor(readonly paths: NetworkPaths, private readonly log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  private get install(): FabricInstall {
    this.installed ??= fabricInstall(this.paths.root);
    return this.installed;
  }

  private bin(tool: string): string {
    return path.join(this.install.bin, tool);
  }

  private cas(): CertificateAuthorities {
    return new CertificateAuthorities(this.paths, this.install.caBin, this.log);
  }

  /**
   * `consortium -- revoke <org> <enrollment ID>`: the organisation's CA revokes one of its own
   * identities (a user who left the company, a leaked key), and its admin puts the CA's CRL into
   * its MSP in the channel configuration (proposeRevocation; its own Admins policy, so no other
   * member signs). Identities of its orderer organisation are not handled here (Orderer group).
   */
  async revoke(org: PeerOrg, enrollmentId: string): Promise<string> {
    const server = caServerOf(org, ORDERERS);
    const own = server.instances[0]!;
    const ordererDomains = server.instances.slice(1).map((c) => c.domain);
    if (!enrollmentId.endsWith(org.domain) || ordererDomains.some((d) => enrollmentId.endsWith(d))) {
      throw new Error(`${enrollmentId} is not an identity of ${org.mspId}'s CA (its IDs end with ${org.domain})`);
    }
    const crl = await this.cas().revoke(server, own, enrollmentId);
    const update = await this.proposeRevocation(org, crl);
    await this.submit(update, org);
    return update;
  }

  /**
   * Step 1, run by the newcomer: its identities from its own CA (which it starts) and the
   * organisation definition it hands the consortium (configtxgen -printOrg): joining/<key>/org.json,
   * with member.yaml (its port position on this machine) and admit.json (the governance change).
   */
  async join(memberFile: string): Promise<{ org: PeerOrg; dir: string }> {
    const p = this.paths;
    const member = readMemberFile(memberFile);
    const changes = readMembershipChanges(p.home);
    const taken = [...FOUNDERS.map((o) => [o.key, o.mspId]), ...changes.joined.map((m) => [m.key, m.mspId])].flat();
    if (taken.includes(member.key) || taken.includes(member.mspId)) throw new Error(`${member.key} (${member.mspId}): key or MSP ID already in this network`);
    // The lowest port position no member holds or held (see MembershipChanges.retired).
    const used = new Set([...FOUNDERS.map((o) => o.position), ...changes.joined.map((m) => m.position), ...changes.retired]);
    let position = FOUNDERS.length;
    while (used.has(position)) position++;
    const [org] = peerOrgsOf([{ ...member, position }]) as [PeerOrg];
    const dir = joiningDir(p, org.key);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'member.yaml'), YAML.stringify({ ...member, position }));

    // A host of its own first (on namespaced hosts: its namespace on the bridge, its name in every hosts file).
    networkHosts().up([...PEER_ORGS, org].map(hostOf));
    // Its own CA server (its host, its ports, its data), started by the newcomer, issues its identities.
    const server = caServerOf(org, []);
    const enrolled = await this.cas().ensureIdentities(server, identitiesOf(server, []));
    if (enrolled.length) this.log(`${org.mspId}: identities issued by its own CA (${server.process}, port ${server.port}) into ${path.join(p.crypto, 'peerOrganizations', org.domain)}`);
    fs.writeFileSync(path.join(dir, 'configtx.yaml'), YAML.stringify({ Organizations: [peerOrgDefinition(p, org)] }));
    const { stdout } = await this.tool('configtxgen', ['-printOrg', org.mspId], { FABRIC_CFG_PATH: dir });
    fs.writeFileSync(path.join(dir, 'org.json'), stdout);
    const m = member as MemberConfig & Record<string, unknown>;
    const admit = {
      kind: 'admitPartner',
      partner: { mspId: org.mspId, name: org.legalName, roles: org.roles, glns: ((m.glns as unknown[]) ?? []).map(String), address: m.address, licence: m.licence },
    };
    fs.writeFileSync(path.join(dir, 'admit.json'), `${JSON.stringify(admit, null, 2)}\n`);
    return { org, dir };
  }

  /** Step 2a, by any member's admin: the configuration update adding the newcomer to the Application group. */
  async proposeJoin(key: string, as: PeerOrg): Promise<string> {
    const dir = joiningDir(this.paths, key);
    const orgFile = path.join(dir, 'org.json');
    if (!fs.existsSync(orgFile)) throw new Error(`no organisation definition for ${key}: the newcomer runs \`npm run consortium -- join <member.yaml>\` first`);
    const member = readMemberFile(path.join(dir, 'member.yaml'));
    const definition = JSON.parse(fs.readFileSync(orgFile, 'utf8')) as unknown;
    return this.proposeUpdate({ kind: 'join', key, mspId: member.mspId, signedBy: [] }, as, application((groups) => {
      if (groups[member.mspId]) throw new Error(`${member.mspId} is already in ${CHANNEL}'s configuration`);
      groups[member.mspId] = definition;
    }));
  }

  /** The update removing a member from the Application group (its certificates refused from then on). */
  async proposeLeave(key: string, as: PeerOrg): Promise<string> {
    const org = PEER_ORGS.find((o) => o.key === key || o.mspId === key);
    if (!org) throw new Error(`no member ${key} in this network`);
    if (ORDERERS.some((n) => n.owner.key === org.key)) throw new Error(`${org.mspId} runs an ordering node; removing a consenter is not supported yet`);
    return this.proposeUpdate({ kind: 'leave', key: org.key, mspId: org.mspId, signedBy: [] }, as, application((groups) => {
      if (!groups[org.mspId]) throw new Error(`${org.mspId} is not in ${CHANNEL}'s configuration`);
      delete groups[org.mspId];
    }));
  }

  /**
   * The update putting an organisation's CA's CRL into its MSP in the channel configuration, so
   * every peer and orderer refuses the identities it revoked. Its own MSP's mod_policy is that
   * organisation's Admins: its admin alone proposes, signs (by submitting) and submits it.
   */
  async proposeRevocation(org: PeerOrg, crlPem: string): Promise<string> {
    return this.proposeUpdate({ kind: 'revoke', key: org.key, mspId: org.mspId, signedBy: [] }, org, application((groups) => {
      const group = groups[org.mspId] as { values?: { MSP?: { value?: { config?: { revocation_list?: string[] } } } } } | undefined;
      const msp = group?.values?.MSP?.value?.config;
      if (!msp) throw new Error(`${org.mspId} is not in ${CHANNEL}'s configuration`);
      msp.revocation_list = [Buffer.from(crlPem).toString('base64')];
    }));
  }

  /**
   * The update putting an ordering node's renewed TLS certificate into the channel's Raft
   * consenter set (the node is found by its host and port): the other nodes take its cluster
   * connections, and clients its server certificate, by that entry. The ConsensusType value's
   * mod_policy is the Orderer group's Admins, MAJORITY of the ordering organisations' admins, so
   * those sign it (`sign`/`submit` as an organisation that runs a node sign as its orderer admin).
   * Proposed by the node's owner; once it is in a block the node restarts on the new certificate
   * (Network.installRenewedOrdererTls).
   */
  async proposeConsenterRenewal(node: OrdererNode, certPem: string): Promise<string> {
    const cert = Buffer.from(certPem).toString('base64');
    return this.proposeUpdate({ kind: 'consenter', key: node.owner.key, mspId: node.mspId, signedBy: [] }, node.owner, (config) => {
      const consensus = config.channel_group.groups.Orderer?.values?.ConsensusType?.value;
      const consenter = consensus?.metadata?.consenters?.find((c) => isConsenterOf(c, node));
      if (!consenter) throw new Error(`${node.process} (${ordererEndpointHost(node)}:${node.port}) is not a consenter of ${CHANNEL}`);
      if (consenter.server_tls_cert === cert && consenter.client_tls_cert === cert) throw new Error(`${node.process}'s consenter entry already holds that certificate`);
      consenter.client_tls_cert = cert;
      consenter.server_tls_cert = cert;
    });
  }

  /** The TLS certificate (PEM) the channel configuration now names for an ordering node as a consenter. */
  async consenterCert(node: OrdererNode): Promise<string | undefined> {
    fs.mkdirSync(updatesDir(this.paths), { recursive: true });
    const work = fs.mkdtempSync(path.join(updatesDir(this.paths), `.consenter-${node.owner.key}-`));
    try {
      const block = path.join(work, 'config_block.pb');
      await this.peer(node.owner, ['channel', 'fetch', 'config', block, '-c', CHANNEL, ...this.ordererFlags(node.owner)]);
      await this.tool('configtxlator', ['proto_decode', '--input', block, '--type', 'common.Block', '--output', `${block}.json`]);
      const config = (JSON.parse(fs.readFileSync(`${block}.json`, 'utf8')) as { data: { data: Array<{ payload: { data: { config: ChannelConfig } } }> } }).data.data[0]!.payload.data.config;
      const consenter = config.channel_group.groups.Orderer?.values?.ConsensusType?.value?.metadata?.consenters?.find((c) => isConsenterOf(c, node));
      return consenter && Buffer.from(consenter.server_tls_cert, 'base64').toString('utf8');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  private async proposeUpdate(record: UpdateRecord, as: PeerOrg, change: (config: ChannelConfig) => void): Promise<string> {
    const work = path.join(updatesDir(this.paths), `${record.kind}-${record.key}`);
    fs.mkdirSync(work, { recursive: true });
    const f = (name: string) => path.join(work, name);
    await this.peer(as, ['channel', 'fetch', 'config', f('config_block.pb'), '-c', CHANNEL, ...this.ordererFlags(as)]);
    await this.tool('configtxlator', ['proto_decode', '--input', f('config_block.pb'), '--type', 'common.Block', '--output', f('config_block.json')]);
    const block = JSON.parse(fs.readFileSync(f('config_block.json'), 'utf8')) as { data: { data: Array<{ payload: { data: { config: ChannelConfig } } }> } };
    const config = block.data.data[0]!.payload.data.config;
    const updated = JSON.parse(JSON.stringify(config)) as ChannelConfig;
    change(updated);
    fs.writeFileSync(f('config.json'), JSON.stringify(config));
    fs.writeFileSync(f('modified.json'), JSON.stringify(updated));
    for (const name of ['config', 'modified']) {
      await this.tool('configtxlator', ['proto_encode', '--input', f(`${name}.json`), '--type', 'common.Config', '--output', f(`${name}.pb`)]);
    }
    await this.tool('configtxlator', ['compute_update', '--channel_id', CHANNEL, '--original', f('config.pb'), '--updated', f('modified.pb'), '--output', f('update.pb')]);
    await this.tool('configtxlator', ['proto_decode', '--input', f('update.pb'), '--type', 'common.ConfigUpdate', '--output', f('update.json')]);
    const envelope = { payload: { header: { channel_header: { channel_id: CHANNEL, type: 2 } }, data: { config_update: JSON.parse(fs.readFileSync(f('update.json'), 'utf8')) } } };
    fs.writeFileSync(f('envelope.json'), JSON.stringify(envelope));
    const out = path.join(updatesDir(this.paths), `${record.kind}-${record.key}.pb`);
    await this.tool('configtxlator', ['proto_encode', '--input', f('envelope.json'), '--type', 'common.Envelope', '--output', out]);
    fs.writeFileSync(`${out}.json`, `${JSON.stringify(record, null, 2)}\n`);
    this.log(`${as.mspId} proposed ${record.kind} of ${record.mspId}: ${out}`);
    return out;
  }

  /** Step 2b, by each member's admin with its own key: signs the update in place. */
  async sign(update: string, as: PeerOrg): Promise<UpdateRecord> {
    const record = readUpdate(update);
    const signer = this.signerOf(record, as);
    await this.tool('peer', ['channel', 'signconfigtx', '-f', update], signer.env);
    const signed = { ...record, signedBy: [...new Set([...record.signedBy, signer.mspId])] };
    fs.writeFileSync(`${update}.json`, `${JSON.stringify(signed, null, 2)}\n`);
    return signed;
  }

  /**
   * Step 2c, by one member's admin (its signature is added): the orderers apply the update when
   * its signatures satisfy the Application group's MAJORITY Admins. Records the change in the
   * network's membership.yaml; a member that left has its processes stopped.
   */
  async submit(update: string, as: PeerOrg): Promise<UpdateRecord> {
    const record = readUpdate(update);
    const signer = this.signerOf(record, as);
    await this.tool('peer', ['channel', 'update', '-f', update, '-c', CHANNEL, ...signer.ordererFlags], signer.env);
    const changes = readMembershipChanges(this.paths.home);
    if (record.kind === 'join') {
      const member = readMemberFile(path.join(joiningDir(this.paths, record.key), 'member.yaml')) as MemberConfig & { key: string; mspId: string; position: number };
      writeChanges(this.paths, { ...changes, joined: [...changes.joined.filter((m) => m.key !== record.key), member], left: changes.left.filter((k) => k !== record.key) });
    } else if (record.kind === 'leave') {
      const org = PEER_ORGS.find((o) => o.key === record.key);
      for (const name of [...CHAINCODES.map((cc) => org && chaincodeServerName(cc, org)), org && peerName(org), org && caServerOf(org, []).process]) {
        if (name && (await proc.stop(this.paths, name))) this.log(`stopped ${name}`);
      }
      const founder = FOUNDERS.some((o) => o.key === record.key);
      writeChanges(this.paths, {
        joined: changes.joined.filter((m) => m.key !== record.key),
        left: founder ? [...new Set([...changes.left, record.key])] : changes.left,
        retired: org ? [...new Set([...changes.retired, org.position])] : changes.retired,
      });
      // Its chaincode packages named its servers; a member joining later at its position makes its own.
      for (const cc of CHAINCODES) fs.rmSync(path.join(this.paths.home, 'chaincode', cc.name, record.key), { recursive: true, force: true });
    }
    fs.renameSync(update, `${update}.submitted`);
    fs.renameSync(`${update}.json`, `${update}.submitted.json`);
    return record;
  }

  /**
   * Step 3, by the newcomer once the update is in: the channel's first block from the ordering
   * service (on its own machine it has no genesis artifact), which its peer joins with.
   */
  async fetchGenesis(org: PeerOrg): Promise<string> {
    const file = path.join(joiningDir(this.paths, org.key), `${CHANNEL}.block`);
    await this.peer(org, ['channel', 'fetch', '0', file, '-c', CHANNEL, ...this.ordererFlags(org)]);
    const artifact = path.join(this.paths.artifacts, `${CHANNEL}.block`);
    if (!fs.existsSync(artifact)) {
      fs.mkdirSync(this.paths.artifacts, { recursive: true });
      fs.copyFileSync(file, artifact);
    }
    return file;
  }

  /**
   * Who signs an update for an organisation: its admin, or for a consenter update (the Orderer
   * group's Admins) the admin of the orderer organisation it runs.
   */
  private signerOf(record: UpdateRecord, as: PeerOrg): { mspId: string; env: NodeJS.ProcessEnv; ordererFlags: string[] } {
    if (record.kind !== 'consenter') return { mspId: as.mspId, env: peerAdminEnv(this.paths, as), ordererFlags: this.ordererFlags(as) };
    const node = ORDERERS.find((n) => n.owner.key === as.key);
    if (!node) throw new Error(`${as.mspId} runs no ordering node: a consenter update is signed by the ordering organisations' admins`);
    return { mspId: node.mspId, env: ordererAdminEnv(this.paths, node), ordererFlags: ordererAdminFlags(this.paths, node) };
  }

  private ordererFlags(as: PeerOrg): string[] {
    return ordererFlags(this.paths, as);
  }

  /** The peer CLI as an organisation's admin (its own MSP and key). */
  private peer(org: PeerOrg, args: string[]) {
    return this.tool('peer', args, peerAdminEnv(this.paths, org));
  }

  private tool(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    const { PATH, HOME, TMPDIR, LANG } = process.env;
    return runFabricTool(this.bin(name), name, args, { PATH, HOME, TMPDIR, LANG, FABRIC_LOGGING_SPEC: 'warning', ...env });
  }
}

interface ChannelConfig {
  channel_group: {
    groups: {
      Application: { groups: Record<string, unknown> };
      Orderer?: { values?: { ConsensusType?: { value?: { metadata?: { consenters?: Array<{ host: string; port: number | string; client_tls_cert: string; server_tls_cert: string }> } } } } };
    };
  };
}

/** A change of the Application group's organisations. */
function application(change: (groups: Record<string, unknown>) => void): (config: ChannelConfig) => void {
  return (config) => change(config.channel_group.groups.Application.groups);
}

function readUpdate(update: string): UpdateRecord {
  if (!fs.existsSync(update) || !fs.existsSync(`${update}.json`)) throw new Error(`no pending configuration update ${update} (propose-join or propose-leave makes one)`);
  return JSON.parse(fs.readFileSync(`${update}.json`, 'utf8')) as UpdateRecord;
}

function writeChanges(p: NetworkPaths, changes: { joined: readonly unknown[]; left: readonly string[]; retired: readonly number[] }): void {
  fs.writeFileSync(joinedFile(p.home), `# Written by \`npm run consortium -- submit\`: the channel's members beyond consortium.yaml's founders.\n${YAML.stringify(changes)}`);
}

/**
 * A consenter entry names its node by endpoint: by name on namespaced hosts, by address on
 * loopback ones and in channels founded before the names (both are the same node).
 */
function isConsenterOf(c: { readonly host: string; readonly port: number | string }, node: OrdererNode): boolean {
  return (c.host === ordererEndpointHost(node) || c.host === node.address) && Number(c.port) === node.port;
}
