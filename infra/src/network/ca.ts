import { randomBytes, X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { runFabricTool } from './fabric-cli';
import * as proc from './processes';
import { writeIfChanged } from './fabric-config';
import { HOST, NetworkPaths, OrdererNode, PeerOrg, peerName } from './topology';
import { userTls } from './tls';

/**
 * Identities from Fabric CA: each organisation runs its own fabric-ca-server (one process, its own
 * host and ports, data under <home>/ca/<key>) that issues every certificate of that organisation —
 * its peer's, its admin's and its client users', and, for a member that runs an ordering node, its
 * orderer organisation's (a second CA instance in the same server, so the two MSPs do not share a
 * root). TLS certificates come from the same CA under its `tls` signing profile (server and client
 * auth), so a peer's TLS root is its organisation's CA.
 *
 * The material is laid out as cryptogen laid it out (peerOrganizations/<domain>/peers/…/msp and
 * tls/{ca.crt,server.crt,server.key}, users/<User>@<domain>/msp), so everything that reads it —
 * the processes' environment, the channel configuration, the connection profiles — is unchanged.
 */

export type IdentityType = 'peer' | 'orderer' | 'admin' | 'client';

/** One CA instance of an organisation's server. */
export interface CaInstance {
  /** `--caname` (the CA's name in its server). */
  readonly name: string;
  /** The MSP the CA's certificates belong to. */
  readonly mspId: string;
  /** Legal name of the company that runs it: the O of what it issues. */
  readonly organisation: string;
  /** The Fabric domain its identities' names end with. */
  readonly domain: string;
  /** Where the organisation's MSP (channel configuration MSPDir) lives, relative to the crypto folder. */
  readonly orgDir: string;
}

/** One identity the network uses: registered with, and enrolled from, its organisation's CA. */
export interface IdentitySpec {
  readonly ca: CaInstance;
  /** Enrollment ID, which becomes the certificate's CN (cryptogen's names, e.g. User1@acme.pedigree.local). */
  readonly id: string;
  readonly type: IdentityType;
  /** Its folder, relative to the crypto folder: msp/ (and tls/ for nodes) below it. */
  readonly dir: string;
  /** Host names and addresses its TLS certificate names: a node's server certificate; users' are client certificates (no names). */
  readonly tlsHosts?: readonly string[];
}

/** One organisation's fabric-ca-server process. */
export interface CaServer {
  readonly owner: PeerOrg;
  readonly process: string;
  readonly host: string;
  readonly port: number;
  readonly operationsPort: number;
  /** The organisation's own CA (its peer MSP) and, if it runs an ordering node, its orderer organisation's. */
  readonly instances: readonly CaInstance[];
}

/** The users every organisation has, as cryptogen made them: User1 is the application identity, User2 a second person. */
const USERS: ReadonlyArray<{ readonly name: string; readonly type: IdentityType }> = [
  { name: 'Admin', type: 'admin' }, { name: 'User1', type: 'client' }, { name: 'User2', type: 'client' },
];

export function caServerOf(org: PeerOrg, orderers: readonly OrdererNode[]): CaServer {
  const own: CaInstance = { name: `ca-${org.key}`, mspId: org.mspId, organisation: org.legalName, domain: org.domain, orgDir: path.join('peerOrganizations', org.domain) };
  const nodes = orderers.filter((n) => n.owner.key === org.key).map((n): CaInstance => ({
    name: `ca-${org.key}-orderer`, mspId: n.mspId, organisation: org.legalName, domain: n.domain, orgDir: path.join('ordererOrganizations', n.domain),
  }));
  return { owner: org, process: `ca-${org.key}`, host: org.host, port: org.caPort, operationsPort: org.caOperationsPort, instances: [own, ...nodes] };
}

/** Every identity an organisation's CA issues for the network: what `up` (or `join`) enrolls. */
export function identitiesOf(server: CaServer, orderers: readonly OrdererNode[]): IdentitySpec[] {
  const org = server.owner;
  const [own, ...ordererCas] = server.instances as [CaInstance, ...CaInstance[]];
  const peer: IdentitySpec = {
    ca: own, id: peerName(org), type: 'peer', dir: path.join(own.orgDir, 'peers', peerName(org)),
    tlsHosts: [...new Set([peerName(org), org.host, HOST, 'localhost'])],
  };
  const users = USERS.map((u): IdentitySpec => ({ ca: own, id: `${u.name}@${org.domain}`, type: u.type, dir: path.join(own.orgDir, 'users', `${u.name}@${org.domain}`) }));
  const nodes = orderers.filter((n) => n.owner.key === org.key).flatMap((n, i): IdentitySpec[] => {
    const ca = ordererCas[i]!;
    const node = `${n.host}.${n.domain}`;
    return [
      { ca, id: node, type: 'orderer', dir: path.join(ca.orgDir, 'orderers', node), tlsHosts: [...new Set([node, n.address, HOST, 'localhost'])] },
      { ca, id: `Admin@${n.domain}`, type: 'admin', dir: path.join(ca.orgDir, 'users', `Admin@${n.domain}`) },
    ];
  });
  return [peer, ...users, ...nodes];
}

/** How long certificates live: the CA's own and what it issues. FABRIC_CA_* env overrides exist for tests of renewal. */
export interface CaLifetimes {
  /** Enrollment and TLS certificates (Go duration, e.g. 8760h). */
  readonly issued: string;
  /** The root CA certificate. */
  readonly root: string;
}

export function caLifetimes(env: NodeJS.ProcessEnv = process.env): CaLifetimes {
  const duration = (name: string, fallback: string) => {
    const v = env[name] ?? fallback;
    if (!/^\d+h$/.test(v)) throw new CaError('CA_CONFIG', `${name} must be a whole number of hours such as 8760h, got "${v}"`);
    return v;
  };
  return { issued: duration('PEDIGREE_CERT_LIFETIME', '8760h'), root: duration('PEDIGREE_CA_LIFETIME', '131400h') };
}

/** A CA step that failed: which server and what it said. */
export class CaError extends Error {
  constructor(readonly code: 'CA_CONFIG' | 'CA_UNREACHABLE' | 'CA_ENROLL' | 'CA_REGISTER' | 'CA_RENEW' | 'CA_REVOKE', message: string) {
    super(`${code}: ${message}`);
    this.name = 'CaError';
  }
}

function signing(lifetimes: CaLifetimes) {
  return {
    default: { usage: ['digital signature'], expiry: lifetimes.issued },
    profiles: {
      ca: { usage: ['cert sign', 'crl sign'], expiry: '43800h', caconstraint: { isca: true, maxpathlen: 0 } },
      tls: { usage: ['signing', 'key encipherment', 'server auth', 'client auth', 'key agreement'], expiry: lifetimes.issued },
    },
  };
}

/** One CA instance's section of the server's configuration (the fields fabric-ca-server reads per CA). */
function caSection(ca: CaInstance, owner: PeerOrg, bootstrapSecret: string, lifetimes: CaLifetimes, hosts: readonly string[]) {
  return {
    ca: { name: ca.name },
    crl: { expiry: '24h' },
    registry: {
      maxenrollments: -1,
      identities: [{
        name: 'registrar', pass: bootstrapSecret, type: 'client', affiliation: '',
        attrs: {
          'hf.Registrar.Roles': '*', 'hf.Registrar.DelegateRoles': '*', 'hf.Revoker': true, 'hf.IntermediateCA': false,
          'hf.GenCRL': true, 'hf.Registrar.Attributes': '*', 'hf.AffiliationMgr': true,
        },
      }],
    },
    db: { type: 'sqlite3', datasource: 'fabric-ca-server.db', tls: { enabled: false } },
    // No affiliations: identities carry only their NodeOU type (peer, orderer, admin, client) as OU.
    affiliations: {},
    signing: signing(lifetimes),
    csr: {
      cn: `ca.${ca.domain}`,
      keyrequest: { algo: 'ecdsa', size: 256 },
      names: [{ C: 'US', O: owner.legalName, OU: ca.mspId }],
      hosts: [...hosts],
      ca: { expiry: lifetimes.root, pathlength: 1 },
    },
    bccsp: { default: 'SW', sw: { hash: 'SHA2', security: 256, filekeystore: { keystore: 'msp/keystore' } } },
  };
}

/** The operations endpoint's (/healthz, /metrics) TLS: its server certificate and the CAs whose clients it takes. */
export interface OperationsTls {
  readonly cert: string;
  readonly key: string;
  readonly clientCas: readonly string[];
}

/**
 * The operations section. Served: on its own port, mutual TLS only, as every other operations
 * endpoint of the network. Before its certificate exists (a CA's very first start: it can only
 * be issued by the server being started) it listens on an ephemeral port of 127.0.0.1 that no
 * one is told, and readiness is the API's port instead; `ensureIdentities` then issues the
 * certificate and restarts the server on the served section.
 *
 * fabric-ca-server reads `cert.file`/`key.file` itself but maps the rest onto its Go struct by
 * field name, so client authentication is `clientCertRequired`/`clientCACertFiles` (its sample's
 * `clientAuthRequired`/`clientRootCAs` are silently ignored).
 */
function operationsSection(server: CaServer, tls: OperationsTls | undefined) {
  if (!tls) return { listenAddress: `${HOST}:0`, tls: { enabled: false } };
  return {
    listenAddress: `${server.host}:${server.operationsPort}`,
    tls: { enabled: true, cert: { file: tls.cert }, key: { file: tls.key }, clientCertRequired: true, clientCACertFiles: [...tls.clientCas] },
  };
}

/**
 * fabric-ca-server's configuration file (and one per further CA instance, `cafiles`), written
 * from the topology rather than from its generated default, so the port, the names and the
 * lifetimes are ours. The server answers over TLS with a certificate its default CA signs.
 */
export function caServerConfig(server: CaServer, secret: string, lifetimes: CaLifetimes = caLifetimes(), operationsTls?: OperationsTls): { main: string; cafiles: Array<{ file: string; content: string }> } {
  const hosts = [...new Set([server.host, HOST, 'localhost'])];
  const [own, ...more] = server.instances as [CaInstance, ...CaInstance[]];
  const cafiles = more.map((ca) => ({ file: path.join(ca.name, 'fabric-ca-config.yaml'), content: YAML.stringify(caSection(ca, server.owner, secret, lifetimes, hosts)) }));
  const main = {
    version: '1.5.7',
    port: server.port,
    address: server.host,
    debug: false,
    crlsizelimit: 512000,
    tls: { enabled: true, clientauth: { type: 'noclientcert', certfiles: [] } },
    ...caSection(own, server.owner, secret, lifetimes, hosts),
    cafiles: cafiles.map((c) => c.file),
    cfg: { identities: { passwordattempts: 10 } },
    operations: operationsSection(server, operationsTls),
    metrics: { provider: 'prometheus' },
  };
  return { main: YAML.stringify(main), cafiles };
}

/** NodeOUs: an identity's role is its certificate's OU, which Fabric CA sets to the registered type. */
export function nodeOuConfig(caCertFile: string): string {
  const ou = (name: string) => ({ Certificate: caCertFile, OrganizationalUnitIdentifier: name });
  return YAML.stringify({
    NodeOUs: {
      Enable: true,
      ClientOUIdentifier: ou('client'), PeerOUIdentifier: ou('peer'), AdminOUIdentifier: ou('admin'), OrdererOUIdentifier: ou('orderer'),
    },
  });
}

/** Certificate and key file names in a fabric-ca-client MSP folder (it keeps them so `reenroll` finds them). */
const CERT = path.join('signcerts', 'cert.pem');

/**
 * Runs every organisation's CA server and enrolls what the network needs from it. Idempotent: a
 * server that answers is left alone, an identity whose MSP holds a certificate is not enrolled again.
 */
export class CertificateAuthorities {
  constructor(
    private readonly paths: NetworkPaths,
    private readonly caBin: string,
    private readonly log: (line: string) => void,
  ) {}

  home(server: CaServer): string {
    return path.join(this.paths.home, 'ca', server.owner.key);
  }

  /** The root certificate clients trust the CA server's TLS with (its default CA's). */
  private tlsRoot(server: CaServer): string {
    return path.join(this.home(server), 'ca-cert.pem');
  }

  private secret(server: CaServer): string {
    const file = path.join(this.home(server), 'registrar.secret');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
    }
    return fs.readFileSync(file, 'utf8').trim();
  }

  /**
   * The operations endpoint's TLS once its certificate is issued (`ensureOperationsTls`): served
   * with a certificate of the organisation's own CA, taking clients of that CA only (its admin is
   * who probes it).
   */
  operationsTls(server: CaServer): OperationsTls | undefined {
    const dir = path.join(this.home(server), 'operations-tls');
    const tls = { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key'), clientCas: [this.tlsRoot(server)] };
    return fs.existsSync(tls.cert) && fs.existsSync(tls.key) ? tls : undefined;
  }

  spec(server: CaServer): proc.ProcessSpec {
    const home = this.home(server);
    const served = this.operationsTls(server);
    return {
      name: server.process,
      command: path.join(this.caBin, 'fabric-ca-server'),
      args: ['start', '--home', home],
      cwd: home,
      host: server.host,
      port: server.port,
      namespace: server.owner.namespace,
      ...(served ? { healthUrl: `https://${server.host}:${server.operationsPort}/healthz`, healthTls: userTls(this.paths, server.owner, 'Admin') } : {}),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR },
    };
  }

  /**
   * Writes the server's configuration and starts it if it is not answering; waits until it does.
   * A running server whose configuration changed is restarted: it reads the file only when it starts.
   */
  async ensureServer(server: CaServer): Promise<boolean> {
    const home = this.home(server);
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const config = caServerConfig(server, this.secret(server), caLifetimes(), this.operationsTls(server));
    let changed = writeIfChanged(path.join(home, 'fabric-ca-server-config.yaml'), config.main, 0o600);
    for (const f of config.cafiles) changed = writeIfChanged(path.join(home, f.file), f.content, 0o600) || changed;
    if (changed && (await proc.stop(this.paths, server.process))) this.log(`${server.process}: configuration changed, restarting it`);
    const started = await proc.ensureRunning(this.paths, this.spec(server), this.log);
    // /healthz answers once the server listens; its TLS root is written before that.
    if (!fs.existsSync(this.tlsRoot(server))) throw new CaError('CA_UNREACHABLE', `${server.process} is up but wrote no ${this.tlsRoot(server)}`);
    await this.waitAnswering(server);
    return started;
  }

  /** Until the CA answers `getcainfo` for each of its instances (healthz can precede the API a moment). */
  private async waitAnswering(server: CaServer, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const ca of server.instances) {
      const out = path.join(this.home(server), 'cainfo', ca.name);
      while (true) {
        try {
          await this.client(server, ['getcainfo', '-u', this.url(server), '--caname', ca.name, '-M', out], out);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new CaError('CA_UNREACHABLE', `${server.process} (${ca.name}) at ${this.url(server)} does not answer: ${(err as Error).message}`);
          await proc.sleep(250);
        }
      }
    }
  }

  private url(server: CaServer, credentials?: string): string {
    return `https://${credentials ? `${credentials}@` : ''}${server.host}:${server.port}`;
  }

  private client(server: CaServer, args: string[], clientHome: string) {
    return runFabricTool(path.join(this.caBin, 'fabric-ca-client'), 'fabric-ca-client', [...args, '--tls.certfiles', this.tlsRoot(server)], {
      PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, FABRIC_CA_CLIENT_HOME: clientHome,
    });
  }

  private registrarMsp(server: CaServer, ca: CaInstance): string {
    return path.join(this.home(server), 'registrar', ca.name, 'msp');
  }

  private async ensureRegistrar(server: CaServer, ca: CaInstance): Promise<string> {
    const msp = this.registrarMsp(server, ca);
    if (!fs.existsSync(path.join(msp, CERT))) {
      await this.client(server, ['enroll', '-u', this.url(server, `registrar:${this.secret(server)}`), '--caname', ca.name, '-M', msp], path.dirname(msp))
        .catch((err: Error) => { throw new CaError('CA_ENROLL', `registrar of ${ca.name}: ${err.message}`); });
    }
    return msp;
  }

  /**
   * Starts the organisation's CA server and enrolls every identity it issues that is not there yet:
   * its organisation MSP(s), then each identity's MSP and (nodes) TLS material. Returns what it enrolled.
   */
  async ensureIdentities(server: CaServer, identities: readonly IdentitySpec[]): Promise<string[]> {
    await this.ensureServer(server);
    const started = Date.now();
    for (const ca of server.instances) {
      await this.ensureRegistrar(server, ca);
      this.writeOrgMsp(server, ca);
    }
    // Each identity's steps are its own (own folders, own client home), so they run side by side.
    const missing = identities.filter((i) => !fs.existsSync(path.join(this.paths.crypto, i.dir, 'msp', CERT)));
    await Promise.all(missing.map((i) => this.enroll(server, i)));
    const done = missing.map((i) => i.id);
    if (await this.ensureOperationsTls(server)) done.push(`the CA's operations endpoint`);
    if (done.length) this.log(`${server.process}: enrolled ${done.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return done;
  }

  /**
   * The CA server's own operations certificate, issued by the server itself under its `tls`
   * profile for its host, after which it restarts on it (operationsSection). The identity may
   * enroll once: its secret gives no one a signing certificate of the organisation later.
   */
  private async ensureOperationsTls(server: CaServer): Promise<boolean> {
    if (this.operationsTls(server)) return false;
    const [own] = server.instances as [CaInstance, ...CaInstance[]];
    const identity: IdentitySpec = { ca: own, id: `operations.ca.${own.domain}`, type: 'client', dir: '', tlsHosts: [...new Set([server.host, HOST, 'localhost'])] };
    const credentials = await this.register(server, identity, ['--id.maxenrollments', '1']);
    const msp = this.tlsMsp(server, identity);
    await this.client(server, ['enroll', '-u', this.url(server, credentials), '--caname', own.name, '-M', msp, '--enrollment.profile', 'tls', '--csr.hosts', identity.tlsHosts!.join(',')], path.dirname(msp))
      .catch((err: Error) => { throw new CaError('CA_ENROLL', `operations certificate of ${server.process}: ${err.message}`); });
    keepOnlyMatchingKey(msp);
    const keystore = path.join(msp, 'keystore');
    const dir = path.join(this.home(server), 'operations-tls');
    writeIfChanged(path.join(dir, 'server.key'), fs.readFileSync(path.join(keystore, fs.readdirSync(keystore)[0]!)), 0o600);
    writeIfChanged(path.join(dir, 'server.crt'), fs.readFileSync(path.join(msp, CERT)));
    await this.ensureServer(server);
    return true;
  }

  /** The organisation's MSP as the channel configuration holds it: its CA as root and TLS root, NodeOUs. */
  private writeOrgMsp(server: CaServer, ca: CaInstance): void {
    const root = fs.readFileSync(this.caCertOf(server, ca));
    const msp = path.join(this.paths.crypto, ca.orgDir, 'msp');
    writeIfChanged(path.join(msp, 'cacerts', `ca.${ca.domain}-cert.pem`), root);
    writeIfChanged(path.join(msp, 'tlscacerts', `tlsca.${ca.domain}-cert.pem`), root);
    writeIfChanged(path.join(msp, 'config.yaml'), nodeOuConfig(`cacerts/ca.${ca.domain}-cert.pem`));
    // The CA's root as cryptogen's ca/ folder held it, for anyone who looks for it there (no key: the CA keeps it).
    writeIfChanged(path.join(this.paths.crypto, ca.orgDir, 'ca', `ca.${ca.domain}-cert.pem`), root);
  }

  caCertOf(server: CaServer, ca: CaInstance): string {
    const dir = path.join(this.registrarMsp(server, ca), 'cacerts');
    return path.join(dir, fs.readdirSync(dir)[0]!);
  }

  private secretOf(server: CaServer, identity: IdentitySpec): string {
    const file = path.join(this.home(server), 'secrets', identity.ca.name, identity.id);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
    }
    return fs.readFileSync(file, 'utf8').trim();
  }

  /** Registers the identity (once; its secret is kept on file) and answers the credentials it enrolls with. */
  private async register(server: CaServer, identity: IdentitySpec, extra: readonly string[] = []): Promise<string> {
    const { ca } = identity;
    const registrar = this.registrarMsp(server, ca);
    const secret = this.secretOf(server, identity);
    try {
      await this.client(server, ['register', '-u', this.url(server), '--caname', ca.name, '-M', registrar,
        '--id.name', identity.id, '--id.secret', secret, '--id.type', identity.type, ...extra], path.dirname(registrar));
    } catch (err) {
      // Registered by an earlier run that stopped before enrolling: its secret is the one on file.
      if (!/already registered/i.test((err as Error).message)) throw new CaError('CA_REGISTER', `${identity.id} with ${ca.name}: ${(err as Error).message}`);
    }
    return `${encodeURIComponent(identity.id)}:${secret}`;
  }

  private async enroll(server: CaServer, identity: IdentitySpec): Promise<void> {
    const { ca } = identity;
    const credentials = await this.register(server, identity);
    const base = path.join(this.paths.crypto, identity.dir);
    const msp = path.join(base, 'msp');
    const hosts = identity.tlsHosts ?? [];
    // The subject names the company (fabric-ca-client's default O is "Hyperledger"); the CA sets the OU to the type.
    const names = ['--csr.names', `C=US,O=${ca.organisation.replace(/[,=+"\\<>;]/g, ' ').trim()}`];
    await this.client(server, ['enroll', '-u', this.url(server, credentials), '--caname', ca.name, '-M', msp, ...names, ...(hosts.length ? ['--csr.hosts', hosts.join(',')] : [])], base)
      .catch((err: Error) => { throw new CaError('CA_ENROLL', `${identity.id} with ${ca.name}: ${err.message}`); });
    this.completeMsp(server, identity, msp);
    // Every party has TLS material: mutual TLS on every endpoint (tls.ts) takes a user's or an
    // admin's tls/client.crt, a node's tls/server.crt (server and client auth alike).
    await this.client(server, ['enroll', '-u', this.url(server, credentials), '--caname', ca.name, '-M', this.tlsMsp(server, identity),
      '--enrollment.profile', 'tls', ...names, ...(hosts.length ? ['--csr.hosts', hosts.join(',')] : [])], base)
      .catch((err: Error) => { throw new CaError('CA_ENROLL', `TLS certificate of ${identity.id} with ${ca.name}: ${err.message}`); });
    this.copyTls(server, identity);
  }

  /** The TLS enrollment's own MSP folder, kept beside the CA so `reenroll` can renew it (tls/ holds copies under Fabric's names). */
  private tlsMsp(server: CaServer, identity: IdentitySpec): string {
    return path.join(this.home(server), 'tls', identity.ca.name, identity.id, 'msp');
  }

  /** What cryptogen's MSP folders had beyond fabric-ca-client's: the TLS root and NodeOUs. */
  private completeMsp(server: CaServer, identity: IdentitySpec, msp: string): void {
    const root = fs.readFileSync(this.caCertOf(server, identity.ca));
    writeIfChanged(path.join(msp, 'tlscacerts', `tlsca.${identity.ca.domain}-cert.pem`), root);
    const cacerts = path.join(msp, 'cacerts');
    const caFile = fs.readdirSync(cacerts)[0]!;
    writeIfChanged(path.join(msp, 'config.yaml'), nodeOuConfig(`cacerts/${caFile}`));
    keepOnlyMatchingKey(msp);
  }

  /** The TLS certificate (PEM) the identity was last issued: for a renewed ordering node, the one not in place yet. */
  issuedTlsCert(server: CaServer, identity: IdentitySpec): string {
    return fs.readFileSync(path.join(this.tlsMsp(server, identity), CERT), 'utf8');
  }

  /** Puts the identity's last issued TLS certificate and key in its tls/ folder (what its process reads when it starts). */
  installRenewedTls(server: CaServer, identity: IdentitySpec): void {
    this.copyTls(server, identity);
  }

  private copyTls(server: CaServer, identity: IdentitySpec): void {
    const from = this.tlsMsp(server, identity);
    keepOnlyMatchingKey(from);
    const tls = path.join(this.paths.crypto, identity.dir, 'tls');
    const keystore = path.join(from, 'keystore');
    const name = identity.tlsHosts ? 'server' : 'client';
    writeIfChanged(path.join(tls, 'ca.crt'), fs.readFileSync(this.caCertOf(server, identity.ca)));
    writeIfChanged(path.join(tls, `${name}.crt`), fs.readFileSync(path.join(from, CERT)));
    writeIfChanged(path.join(tls, `${name}.key`), fs.readFileSync(path.join(keystore, fs.readdirSync(keystore)[0]!)), 0o600);
  }

  /**
   * Revokes one identity at its CA (every certificate it was issued) and returns the CA's new CRL
   * (PEM), also kept in the organisation's MSP folder (msp/crls). The channel refuses the identity
   * only once that CRL is in the organisation's MSP in the channel configuration
   * (Membership.proposeRevocation).
   */
  async revoke(server: CaServer, ca: CaInstance, enrollmentId: string): Promise<string> {
    await this.ensureServer(server);
    const registrar = await this.ensureRegistrar(server, ca);
    await this.client(server, ['revoke', '-u', this.url(server), '--caname', ca.name, '-M', registrar, '-e', enrollmentId, '-r', 'keycompromise', '--gencrl'], path.dirname(registrar))
      .catch((err: Error) => { throw new CaError('CA_REVOKE', `${enrollmentId} at ${ca.name}: ${err.message}`); });
    const crl = fs.readFileSync(path.join(registrar, 'crls', 'crl.pem'), 'utf8');
    writeIfChanged(path.join(this.paths.crypto, ca.orgDir, 'msp', 'crls', 'crl.pem'), crl);
    return crl;
  }

  /**
   * Renews identities before they expire: `reenroll` with each one's current certificate (a new
   * key and certificate from its CA), TLS material included (nodes' and users'). The processes using them read the
   * files when they start, so the caller restarts them.
   *
   * An ordering node's TLS certificate is renewed but not put in place (its tls/ keeps the one it
   * serves with): the channel configuration names it as a Raft consenter, so the new one goes into
   * the consenter set first (Membership.proposeConsenterRenewal), and `installRenewedTls` puts it
   * in place once that update is in a block, before the node restarts on it.
   */
  async renew(server: CaServer, identities: readonly IdentitySpec[]): Promise<string[]> {
    await this.ensureServer(server);
    const renewed: string[] = [];
    for (const identity of identities) {
      const base = path.join(this.paths.crypto, identity.dir);
      const msp = path.join(base, 'msp');
      if (!fs.existsSync(path.join(msp, CERT))) throw new CaError('CA_RENEW', `${identity.id} was never enrolled (${msp}); run \`npm run network:up\` first`);
      await this.client(server, ['reenroll', '-u', this.url(server), '--caname', identity.ca.name, '-M', msp, ...(identity.tlsHosts ? ['--csr.hosts', identity.tlsHosts.join(',')] : [])], base)
        .catch((err: Error) => { throw new CaError('CA_RENEW', `${identity.id} with ${identity.ca.name}: ${err.message}`); });
      keepOnlyMatchingKey(msp);
      await this.client(server, ['reenroll', '-u', this.url(server), '--caname', identity.ca.name, '-M', this.tlsMsp(server, identity), '--enrollment.profile', 'tls', ...(identity.tlsHosts ? ['--csr.hosts', identity.tlsHosts.join(',')] : [])], base)
        .catch((err: Error) => { throw new CaError('CA_RENEW', `TLS certificate of ${identity.id}: ${err.message}`); });
      if (identity.type === 'orderer') keepOnlyMatchingKey(this.tlsMsp(server, identity));
      else this.copyTls(server, identity);
      renewed.push(identity.id);
    }
    return renewed;
  }
}

/** After an enrollment or a renewal the keystore may hold an older key too; keep the one the certificate names. */
function keepOnlyMatchingKey(msp: string): void {
  const keystore = path.join(msp, 'keystore');
  const cert = new X509Certificate(fs.readFileSync(path.join(msp, CERT)));
  const want = cert.publicKey.export({ type: 'spki', format: 'der' });
  const files = fs.readdirSync(keystore);
  const match = files.find((f) => {
    try {
      return createPublicKey(createPrivateKey(fs.readFileSync(path.join(keystore, f)))).export({ type: 'spki', format: 'der' }).equals(want);
    } catch {
      return false;
    }
  });
  if (!match) throw new CaError('CA_ENROLL', `${keystore} holds no key for ${path.join(msp, CERT)}`);
  for (const f of files) if (f !== match) fs.rmSync(path.join(keystore, f));
}
