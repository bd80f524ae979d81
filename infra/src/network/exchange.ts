import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CHANNEL, FOUNDERS, NetworkPaths, OrdererNode, ORDERERS, PeerOrg, ordererDir, peerDir,
} from './topology';

/**
 * What founders exchange before their channel exists, when each runs on its own machine
 * (`npm run network -- export|import`): the genesis block names every founder's MSP (its CA's
 * root) and every ordering node's TLS certificate (a Raft consenter), so each founder sends the
 * others the public half of what its own CA issued. Nothing secret travels: no key, no CA key,
 * no registrar secret; an import holding one is refused, as is one that would write outside the
 * sender's own folders or over the importer's own material.
 */
export const EXPORT_FORMAT = 'pedigree-organisation/1';

export interface OrganisationExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly key: string;
  readonly mspId: string;
  /** Paths relative to the network's crypto folder → PEM (or MSP config) text. */
  readonly files: Readonly<Record<string, string>>;
}

export class ExchangeError extends Error {
  constructor(readonly code: 'EXCHANGE_INVALID' | 'EXCHANGE_SECRET' | 'EXCHANGE_OWN' | 'EXCHANGE_INCOMPLETE', message: string) {
    super(`${code}: ${message}`);
    this.name = 'ExchangeError';
  }
}

/** The folders an organisation's export may write, relative to the crypto folder: its peer organisation's and its ordering nodes'. */
function ownedRoots(org: PeerOrg, orderers: readonly OrdererNode[]): string[] {
  return [path.join('peerOrganizations', org.domain), ...orderers.filter((n) => n.owner.key === org.key).map((n) => path.join('ordererOrganizations', n.domain))];
}

/**
 * The public files the genesis block and the partners' nodes need of an organisation: its MSP
 * folder (root certificates, NodeOU config, CRLs), its peer's TLS CA (partners' CLIs and ordering
 * nodes trust its peer by it), and for each ordering node it runs, that organisation's MSP and the
 * node's TLS certificate and CA (the consenter entry, and what clients of the node trust).
 */
export function exportedFiles(p: NetworkPaths, org: PeerOrg, orderers: readonly OrdererNode[] = ORDERERS): string[] {
  const rel = (f: string) => path.relative(p.crypto, f);
  const mspOf = (dir: string) => walk(path.join(p.crypto, dir, 'msp')).map(rel);
  const files = [...mspOf(path.join('peerOrganizations', org.domain)), rel(path.join(peerDir(p, org), 'tls', 'ca.crt'))];
  for (const node of orderers.filter((n) => n.owner.key === org.key)) {
    files.push(...mspOf(path.join('ordererOrganizations', node.domain)));
    files.push(rel(path.join(ordererDir(p, node), 'tls', 'server.crt')), rel(path.join(ordererDir(p, node), 'tls', 'ca.crt')));
  }
  return files;
}

export function exportOrganisation(p: NetworkPaths, org: PeerOrg, orderers: readonly OrdererNode[] = ORDERERS): OrganisationExport {
  const files: Record<string, string> = {};
  for (const rel of exportedFiles(p, org, orderers)) {
    const file = path.join(p.crypto, rel);
    if (!fs.existsSync(file)) throw new ExchangeError('EXCHANGE_INCOMPLETE', `${org.mspId} has no ${rel} yet: run \`npm run network -- up --org ${org.key}\` first (its CA issues it)`);
    const text = fs.readFileSync(file, 'utf8');
    refuseSecrets(rel, text);
    files[rel] = text;
  }
  return { format: EXPORT_FORMAT, key: org.key, mspId: org.mspId, files };
}

/**
 * Writes a partner's export into this machine's crypto folder, where configtxgen and the nodes
 * look for it. Answers the partner and how many files changed. `own` is the importing
 * organisation: its own material is never overwritten by a file someone sent.
 */
export function importOrganisation(p: NetworkPaths, doc: unknown, own: PeerOrg | undefined, founders: readonly PeerOrg[] = FOUNDERS, orderers: readonly OrdererNode[] = ORDERERS): { org: PeerOrg; written: number } {
  const d = doc as Partial<OrganisationExport> | null;
  if (!d || d.format !== EXPORT_FORMAT || typeof d.key !== 'string' || typeof d.files !== 'object' || d.files === null) {
    throw new ExchangeError('EXCHANGE_INVALID', `not an organisation export (format ${EXPORT_FORMAT}, from \`npm run network -- export\`)`);
  }
  const org = founders.find((o) => o.key === d.key);
  if (!org || org.mspId !== d.mspId) throw new ExchangeError('EXCHANGE_INVALID', `${d.key} (${String(d.mspId)}) is not a founder named by consortium.yaml`);
  if (own && own.key === org.key) throw new ExchangeError('EXCHANGE_OWN', `${org.mspId}'s own material is issued by its own CA here, never imported`);
  const roots = ownedRoots(org, orderers);
  const entries = Object.entries(d.files);
  for (const [rel, text] of entries) {
    const normal = path.normalize(rel);
    if (typeof text !== 'string' || path.isAbsolute(rel) || normal.startsWith('..') || !roots.some((r) => normal.startsWith(`${r}${path.sep}`))) {
      throw new ExchangeError('EXCHANGE_INVALID', `${org.mspId}'s export names ${rel}, outside its own folders (${roots.join(', ')})`);
    }
    if (normal.split(path.sep).includes('keystore') || /\.key$|priv_sk$/.test(normal)) throw new ExchangeError('EXCHANGE_SECRET', `${org.mspId}'s export holds a key file (${rel}); nothing secret is exchanged`);
    refuseSecrets(rel, text);
  }
  const missing = requiredFiles(p, org, orderers).filter((f) => !(f in d.files!));
  for (const root of roots) if (!entries.some(([rel]) => path.normalize(rel).startsWith(path.join(root, 'msp', 'cacerts') + path.sep))) missing.push(path.join(root, 'msp', 'cacerts', '*'));
  if (missing.length) throw new ExchangeError('EXCHANGE_INCOMPLETE', `${org.mspId}'s export lacks ${missing.join(', ')}`);
  let written = 0;
  for (const [rel, text] of entries) {
    const file = path.join(p.crypto, rel);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written++;
  }
  return { org, written };
}

/** What the genesis block and the nodes cannot do without, relative to the crypto folder (besides the MSP's root certificates). */
function requiredFiles(p: NetworkPaths, org: PeerOrg, orderers: readonly OrdererNode[]): string[] {
  const rel = (f: string) => path.relative(p.crypto, f);
  return [
    path.join('peerOrganizations', org.domain, 'msp', 'config.yaml'),
    rel(path.join(peerDir(p, org), 'tls', 'ca.crt')),
    ...orderers.filter((n) => n.owner.key === org.key).flatMap((n) => [
      path.join('ordererOrganizations', n.domain, 'msp', 'config.yaml'), rel(path.join(ordererDir(p, n), 'tls', 'server.crt')), rel(path.join(ordererDir(p, n), 'tls', 'ca.crt')),
    ]),
  ];
}

/** The founders whose material the genesis block needs and this machine does not have (issued here or imported). */
export function missingFounders(p: NetworkPaths, founders: readonly PeerOrg[] = FOUNDERS, orderers: readonly OrdererNode[] = ORDERERS): PeerOrg[] {
  return founders.filter((o) => requiredFiles(p, o, orderers).some((f) => !fs.existsSync(path.join(p.crypto, f))));
}

/** The parts of a decoded genesis block (configtxlator) a founder checks before taking it. */
export interface GenesisJson {
  readonly header?: { readonly number?: string };
  readonly data?: { readonly data?: ReadonlyArray<{ readonly payload?: {
    readonly header?: { readonly channel_header?: { readonly channel_id?: string } };
    readonly data?: { readonly config?: { readonly channel_group?: { readonly groups?: {
      readonly Application?: { readonly groups?: Readonly<Record<string, { readonly values?: { readonly MSP?: { readonly value?: { readonly config?: { readonly root_certs?: readonly string[] } } } } }>> };
      readonly Orderer?: { readonly values?: { readonly ConsensusType?: { readonly value?: { readonly metadata?: { readonly consenters?: ReadonlyArray<{ readonly server_tls_cert?: string; readonly client_tls_cert?: string }> } } } } };
    } } } };
  } }> };
}

/**
 * Why a received genesis block will not do for this organisation, or undefined: it must be block 0
 * of this channel, name its MSP with its CA's root, and name its ordering nodes' TLS certificates.
 */
export function genesisProblem(block: GenesisJson, org: Pick<PeerOrg, 'mspId'>, caRootPem: string, nodes: ReadonlyArray<{ readonly node: Pick<OrdererNode, 'process'>; readonly cert: string }>): string | undefined {
  const payload = block.data?.data?.[0]?.payload;
  const channel = payload?.header?.channel_header?.channel_id;
  if (Number(block.header?.number ?? 0) !== 0 || channel !== CHANNEL) return `not the genesis block of ${CHANNEL} (block ${block.header?.number ?? '0'} of ${channel ?? 'no channel'})`;
  const groups = payload?.data?.config?.channel_group?.groups;
  const roots = groups?.Application?.groups?.[org.mspId]?.values?.MSP?.value?.config?.root_certs ?? [];
  if (!roots.some((r) => Buffer.from(r, 'base64').toString('utf8').trim() === caRootPem.trim())) return `it does not name ${org.mspId} with its own CA's root certificate`;
  const consenters = groups?.Orderer?.values?.ConsensusType?.value?.metadata?.consenters ?? [];
  for (const { node, cert } of nodes) {
    const b64 = Buffer.from(cert).toString('base64');
    if (!consenters.some((c) => c.server_tls_cert === b64 && c.client_tls_cert === b64)) return `it does not name ${node.process}'s TLS certificate as a Raft consenter`;
  }
  return undefined;
}

function refuseSecrets(rel: string, text: string): void {
  if (/PRIVATE KEY/.test(text)) throw new ExchangeError('EXCHANGE_SECRET', `${rel} holds a private key; nothing secret is exchanged`);
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'keystore' ? [] : walk(full);
    return [full];
  }).sort();
}
