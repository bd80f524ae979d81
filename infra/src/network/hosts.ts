import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where each organisation's processes run: its host. Two adapters behind one port —
 *  - loopback: a 127.x.y.z address of its own per organisation (consortium.yaml `host`); needs no root;
 *  - namespaces: a Linux network namespace per organisation, each with one address on a bridge
 *    this network creates and removes, as if every organisation had a machine of its own. Only
 *    the namespaces and the root namespace (which holds the bridge's address, so tests and CLIs
 *    reach every host) are on that bridge; nothing is routed beyond it.
 * The choice is recorded in the network home (hosts.json): topology reads it, so every later
 * command (`up`, `down`, `status`, `consortium join`) runs the same hosts.
 */
export interface HostsRecord {
  readonly kind: 'namespaces';
  /** The bridge's name; unique to the run's port offset, so parallel networks do not collide. */
  readonly bridge: string;
  /** Network part of the private /24, e.g. `10.132.8` for 10.132.8.0/24. */
  readonly subnet: string;
  /** Prefix of every namespace and veth name of this network (cleanup finds its own by it). */
  readonly prefix: string;
}

/** The most organisations a /24 holds here: addresses .10 upward, below the broadcast address. */
const MAX_POSITION = 240;

/**
 * The hosts of the network at a port offset: 10.<100 + offset/256>.<offset % 256>.0/24, bridge
 * `pdbr<offset>`, namespaces `pd<offset>-<key>`. Interface names stay within Linux's 15 characters.
 */
export function namespacePlan(portOffset: number): HostsRecord {
  if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset >= 30_000) {
    throw new Error(`PEDIGREE_PORT_OFFSET must be an integer from 0 to 29999 for namespaced hosts, got ${portOffset}`);
  }
  return {
    kind: 'namespaces',
    bridge: `pdbr${portOffset}`,
    subnet: `10.${100 + Math.floor(portOffset / 256)}.${portOffset % 256}`,
    prefix: `pd${portOffset}`,
  };
}

/** The address the bridge holds in the root namespace (the hosts' default route). */
export function bridgeAddress(record: HostsRecord): string {
  return `${record.subnet}.1`;
}

/** An organisation's address: fixed by its port position, so a member joining later has one too. */
export function hostAddress(record: HostsRecord, position: number): string {
  if (!Number.isInteger(position) || position < 0 || position >= MAX_POSITION) {
    throw new Error(`port position ${position} has no address in ${record.subnet}.0/24 (at most ${MAX_POSITION} organisations)`);
  }
  return `${record.subnet}.${10 + position}`;
}

export function namespaceName(record: HostsRecord, key: string): string {
  return `${record.prefix}-${key}`;
}

/** The veth pair of the host at a position: one end on the bridge, the other inside its namespace. */
export function vethNames(record: HostsRecord, position: number): { readonly bridgeSide: string; readonly hostSide: string } {
  return { bridgeSide: `${record.prefix}b${position}`, hostSide: `${record.prefix}h${position}` };
}

/** One organisation's host, as the adapters need it. */
export interface HostOf {
  readonly key: string;
  readonly position: number;
  /** The Fabric names its processes answer to (peer0.<domain>, orderer0.orderer.<domain>, …). */
  readonly names: readonly string[];
}

/**
 * /etc/netns/<ns>/hosts (ip netns exec bind-mounts it over /etc/hosts): every organisation's
 * Fabric names resolve to its host's address inside every namespace.
 */
export function hostsFileOf(record: HostsRecord, hosts: readonly HostOf[]): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost'];
  for (const h of hosts) lines.push(`${hostAddress(record, h.position)} ${h.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function hostsRecordFile(home: string): string {
  return path.join(home, 'hosts.json');
}

export function readHostsRecord(home: string): HostsRecord | undefined {
  const file = hostsRecordFile(home);
  if (!fs.existsSync(file)) return undefined;
  const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<HostsRecord>;
  if (record.kind !== 'namespaces' || !record.bridge || !record.subnet || !record.prefix) throw new Error(`${file} is not a hosts record; remove it or run \`npm run network:reset\``);
  return record as HostsRecord;
}

/** The port: what the network asks of its hosts. */
export interface Hosts {
  readonly kind: 'loopback' | 'namespaces';
  /**
   * Creates what is missing for these organisations (idempotent); stale leftovers of this network
   * go first. With `own` (one organisation on its own machine, `up --org`), only that organisation's
   * host is made and no other is touched; every host's names still go into its names file.
   */
  up(hosts: readonly HostOf[], own?: string): void;
  /** Removes every host of this network, or only `own`'s (then the bridge once no host is left on it). Idempotent. */
  down(own?: string): void;
  /** The namespace a process of this organisation runs in, if any. */
  namespaceOf(key: string): string | undefined;
  /** Every process id running in the organisation's host (namespaces only; loopback: none known). */
  pidsOf(key: string): number[];
  /**
   * Cuts (or heals) the path between two hosts both ways: a blackhole route in each for the
   * other's address. Only namespaces can; loopback addresses share one kernel routing table.
   */
  partition(a: HostOf, b: HostOf, cut: boolean): void;
}

export class LoopbackHosts implements Hosts {
  readonly kind = 'loopback' as const;
  up(): void { /* consortium.yaml's 127.x.y.z addresses need nothing created */ }
  down(): void { /* nothing was created */ }
  namespaceOf(): undefined { return undefined; }
  pidsOf(): number[] { return []; }
  partition(): void {
    throw new Error('a partition between two hosts needs namespaced hosts (root and `ip netns`)');
  }
}

/** Runs one `ip` command; a failure names the command and ip's message. */
export type IpRunner = (args: readonly string[]) => string;

export const runIp: IpRunner = (args) => {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
};

export class NamespaceHosts implements Hosts {
  readonly kind = 'namespaces' as const;

  constructor(readonly record: HostsRecord, private readonly ip: IpRunner = runIp, private readonly etcNetns = '/etc/netns') {}

  up(hosts: readonly HostOf[], own?: string): void {
    const r = this.record;
    const wanted = new Set(hosts.map((h) => namespaceName(r, h.key)));
    // Leftovers of a crashed run at this offset (an organisation that left, a half-made host) go
    // first; an organisation on its own machine leaves every other host alone.
    if (own === undefined) for (const ns of this.namespaces()) if (!wanted.has(ns) && this.ip(['netns', 'pids', ns]).trim() === '') this.removeNamespace(ns);
    // Organisations coming up at once on one machine (`up --org` each) may race to make the
    // bridge: one that lost finds it made.
    const bridgeHasAddress = () => this.ip(['-br', 'addr', 'show', 'dev', r.bridge]).includes(`${bridgeAddress(r)}/24`);
    if (!this.linkExists(r.bridge)) {
      try { this.ip(['link', 'add', r.bridge, 'type', 'bridge']); } catch (err) { if (!this.linkExists(r.bridge)) throw err; }
    }
    if (!bridgeHasAddress()) {
      try { this.ip(['addr', 'add', `${bridgeAddress(r)}/24`, 'dev', r.bridge]); } catch (err) { if (!bridgeHasAddress()) throw err; }
    }
    this.ip(['link', 'set', r.bridge, 'up']);
    const existing = new Set(this.namespaces());
    const file = hostsFileOf(r, hosts);
    for (const h of hosts.filter((x) => own === undefined || x.key === own)) {
      const ns = namespaceName(r, h.key);
      const address = `${hostAddress(r, h.position)}/24`;
      const veth = vethNames(r, h.position);
      if (!existing.has(ns)) this.ip(['netns', 'add', ns]);
      this.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      if (!this.linkExists(veth.bridgeSide)) {
        // A host-side end left in the root namespace by a crash would block the pair's creation.
        if (this.linkExists(veth.hostSide)) this.ip(['link', 'del', veth.hostSide]);
        if (this.ip(['-n', ns, '-br', 'link']).includes(veth.hostSide)) this.ip(['-n', ns, 'link', 'del', veth.hostSide]);
        this.ip(['link', 'add', veth.bridgeSide, 'type', 'veth', 'peer', 'name', veth.hostSide, 'netns', ns]);
      }
      this.ip(['link', 'set', veth.bridgeSide, 'master', r.bridge]);
      this.ip(['link', 'set', veth.bridgeSide, 'up']);
      if (!this.ip(['-n', ns, '-br', 'addr', 'show', 'dev', veth.hostSide]).includes(address)) {
        this.ip(['-n', ns, 'addr', 'add', address, 'dev', veth.hostSide]);
      }
      this.ip(['-n', ns, 'link', 'set', veth.hostSide, 'up']);
      this.ip(['-n', ns, 'route', 'replace', 'default', 'via', bridgeAddress(r)]);
      fs.mkdirSync(path.join(this.etcNetns, ns), { recursive: true });
      fs.writeFileSync(path.join(this.etcNetns, ns, 'hosts'), file);
    }
    // Every namespace's names file lists every organisation, also those added by an earlier `up`.
    for (const ns of this.namespaces().filter((n) => own === undefined || n === namespaceName(r, own))) {
      fs.mkdirSync(path.join(this.etcNetns, ns), { recursive: true });
      fs.writeFileSync(path.join(this.etcNetns, ns, 'hosts'), file);
    }
  }

  down(own?: string): void {
    for (const ns of this.namespaces()) if (own === undefined || ns === namespaceName(this.record, own)) this.removeNamespace(ns);
    if (this.namespaces().length === 0 && this.linkExists(this.record.bridge)) this.ip(['link', 'del', this.record.bridge]);
  }

  namespaceOf(key: string): string {
    return namespaceName(this.record, key);
  }

  pidsOf(key: string): number[] {
    const ns = namespaceName(this.record, key);
    if (!this.namespaces().includes(ns)) return [];
    return this.ip(['netns', 'pids', ns]).split('\n').map((l) => Number(l.trim())).filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  partition(a: HostOf, b: HostOf, cut: boolean): void {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const args = ['-n', namespaceName(this.record, from.key), 'route', cut ? 'replace' : 'del', 'blackhole', `${hostAddress(this.record, to.position)}/32`];
      if (cut) this.ip(args);
      else try { this.ip(args); } catch { /* already healed */ }
    }
  }

  /** This network's namespaces (by prefix), whatever organisations made them. */
  private namespaces(): string[] {
    return this.ip(['netns', 'list']).split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.startsWith(`${this.record.prefix}-`));
  }

  private removeNamespace(ns: string): void {
    // Deleting the namespace deletes the veth pair with it (both ends go when one does).
    try { this.ip(['netns', 'del', ns]); } catch { /* already gone */ }
    fs.rmSync(path.join(this.etcNetns, ns), { recursive: true, force: true });
  }

  private linkExists(name: string): boolean {
    try {
      this.ip(['link', 'show', 'dev', name]);
      return true;
    } catch {
      return false;
    }
  }
}

export function hostsOf(record: HostsRecord | undefined): Hosts {
  return record ? new NamespaceHosts(record) : new LoopbackHosts();
}

/**
 * Whether this machine can run namespaced hosts: root, and `ip netns` answers. PEDIGREE_HOSTS=loopback
 * turns them off; the reason is returned either way, for the one line the test run prints.
 */
export function namespacesAvailable(env: NodeJS.ProcessEnv = process.env, ip: IpRunner = runIp): { readonly ok: boolean; readonly reason: string } {
  if (env.PEDIGREE_HOSTS === 'loopback') return { ok: false, reason: 'PEDIGREE_HOSTS=loopback' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root' };
  try {
    ip(['netns', 'list']);
    return { ok: true, reason: 'root and ip netns' };
  } catch (err) {
    return { ok: false, reason: `ip netns unavailable (${(err as Error).message.split('\n')[0]})` };
  }
}

/**
 * `network hosts <choice>`: records which hosts this network home runs on. `auto` takes
 * namespaces where the machine can (root, `ip netns`, PEDIGREE_HOSTS not `loopback`) and the home
 * holds no identities issued for loopback addresses; else loopback. A home whose certificates name
 * one kind of address is never switched to the other (its TLS names would not match): that takes
 * `npm run network:reset` first. Returns the one line saying which hosts run.
 */
export function chooseHosts(paths: { readonly home: string; readonly crypto: string }, choice: string, portOffset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0), available = namespacesAvailable): string {
  const current = readHostsRecord(paths.home);
  const issued = fs.existsSync(path.join(paths.crypto, 'peerOrganizations'));
  const describe = (record: HostsRecord | undefined, why: string) => record
    ? `hosts: a network namespace per organisation (${record.prefix}-<key>) on bridge ${record.bridge}, ${record.subnet}.0/24 (${why})`
    : `hosts: a loopback address per organisation from consortium.yaml (${why})`;
  const useNamespaces = (why: string) => {
    const record = current ?? namespacePlan(portOffset);
    if (!current) {
      if (issued) throw new Error(`the network in ${paths.home} was issued certificates for loopback addresses; \`npm run network:reset\` it (same PEDIGREE_NETWORK_HOME) before namespaced hosts`);
      fs.mkdirSync(paths.home, { recursive: true });
      fs.writeFileSync(hostsRecordFile(paths.home), `${JSON.stringify(record, null, 2)}\n`);
    }
    return describe(record, why);
  };
  const useLoopback = (why: string) => {
    if (current) {
      if (issued) throw new Error(`the network in ${paths.home} was issued certificates for namespaced hosts; \`npm run network:reset\` it before loopback hosts`);
      new NamespaceHosts(current).down();
      fs.rmSync(hostsRecordFile(paths.home), { force: true });
    }
    return describe(undefined, why);
  };
  switch (choice) {
    case 'show':
      return describe(current, 'recorded in the network home');
    case 'namespaces': {
      const { ok, reason } = available();
      if (!ok) throw new Error(`namespaced hosts need root and \`ip netns\`: ${reason}`);
      return useNamespaces(reason);
    }
    case 'loopback':
      return useLoopback('asked for');
    case 'auto': {
      const { ok, reason } = available();
      if (!ok) return useLoopback(reason);
      if (!current && issued) return useLoopback('this network home was issued certificates for loopback addresses');
      return useNamespaces(reason);
    }
    default:
      throw new Error(`hosts: expected namespaces, loopback, auto or show, got "${choice}"`);
  }
}
