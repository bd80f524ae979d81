import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  bridgeAddress, chooseHosts, hostAddress, hostsFileOf, HostOf, hostsRecordFile, IpRunner, LoopbackHosts, namespaceName, namespacePlan,
  NamespaceHosts, namespacesAvailable, readHostsRecord, vethNames,
} from './hosts';

/** A stand-in for `ip`: answers from a tiny model of links and namespaces, and records every call. */
function fakeIp(): { ip: IpRunner; calls: string[]; namespaces: Set<string>; links: Set<string>; routes: string[] } {
  const namespaces = new Set<string>();
  const links = new Set<string>();
  const routes: string[] = [];
  const calls: string[] = [];
  const addresses = new Map<string, string[]>();
  const ip: IpRunner = (args) => {
    const line = args.join(' ');
    calls.push(line);
    // `-n <ns> …` runs the rest inside a namespace: addresses are kept per namespace and device.
    const inside = args[0] === '-n' ? args[1]! : '';
    const rest = inside ? args.slice(2) : args;
    const dev = rest[rest.length - 1]!;
    if (rest.join(' ').startsWith('-br addr show dev')) return `${dev} UP ${(addresses.get(`${inside}/${dev}`) ?? []).join(' ')}`;
    if (rest[0] === 'addr' && rest[1] === 'add') {
      addresses.set(`${inside}/${dev}`, [...(addresses.get(`${inside}/${dev}`) ?? []), rest[2]!]);
      return '';
    }
    const [a, b, c] = args;
    if (a === 'netns' && b === 'list') return [...namespaces].map((n) => `${n} (id: 0)`).join('\n');
    if (a === 'netns' && b === 'add') { namespaces.add(c!); return ''; }
    if (a === 'netns' && b === 'del') { namespaces.delete(c!); return ''; }
    if (a === 'netns' && b === 'pids') return '';
    if (a === 'link' && b === 'show') { if (!links.has(args[3]!)) throw new Error(`ip ${line}: does not exist`); return ''; }
    if (a === 'link' && b === 'add') { links.add(c!); return ''; }
    if (a === 'link' && b === 'del') { links.delete(args[2]!); return ''; }
    if (a === '-n' && line.includes(' route ')) { routes.push(line); return ''; }
    return '';
  };
  return { ip, calls, namespaces, links, routes };
}

const hosts: HostOf[] = [
  { key: 'acme', position: 0, names: ['peer0.acme.pedigree.local'] },
  { key: 'riverside', position: 3, names: ['peer0.riverside.pedigree.local'] },
];

describe('namespacePlan', () => {
  it.each([
    [0, 'pdbr0', '10.100.0', 'pd0'],
    [8200, 'pdbr8200', '10.132.8', 'pd8200'],
    [29_999, 'pdbr29999', '10.217.47', 'pd29999'],
  ])('offset %i: bridge %s, subnet %s.0/24, prefix %s', (offset, bridge, subnet, prefix) => {
    expect(namespacePlan(offset)).toEqual({ kind: 'namespaces', bridge, subnet, prefix });
  });

  it.each([-1, 30_000, 1.5, Number.NaN])('refuses offset %p', (offset) => {
    expect(() => namespacePlan(offset)).toThrow(/PEDIGREE_PORT_OFFSET/);
  });

  it('gives every offset its own subnet and names Linux accepts (15 characters at most)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 29_999 }), fc.integer({ min: 0, max: 29_999 }), fc.integer({ min: 0, max: 239 }), (a, b, position) => {
      const pa = namespacePlan(a);
      const pb = namespacePlan(b);
      if (a !== b) expect(pa.subnet).not.toBe(pb.subnet);
      const veth = vethNames(pa, position);
      for (const name of [pa.bridge, veth.bridgeSide, veth.hostSide]) expect(name.length).toBeLessThanOrEqual(15);
      expect(hostAddress(pa, position)).not.toBe(bridgeAddress(pa));
    }));
  });

  it('places an organisation by its port position, and refuses one the /24 cannot hold', () => {
    const r = namespacePlan(8200);
    expect(hostAddress(r, 0)).toBe('10.132.8.10');
    expect(hostAddress(r, 4)).toBe('10.132.8.14');
    expect(() => hostAddress(r, 240)).toThrow(/at most 240/);
    expect(namespaceName(r, 'acme')).toBe('pd8200-acme');
  });
});

describe('hostsFileOf', () => {
  it('maps every organisation\'s names to its address, after localhost', () => {
    expect(hostsFileOf(namespacePlan(8200), hosts)).toBe(
      '127.0.0.1 localhost\n::1 localhost\n10.132.8.10 peer0.acme.pedigree.local\n10.132.8.13 peer0.riverside.pedigree.local\n',
    );
  });
});

describe('NamespaceHosts', () => {
  let etc: string;
  beforeEach(() => { etc = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-')); });
  afterEach(() => fs.rmSync(etc, { recursive: true, force: true }));

  it('creates the bridge, a namespace, a veth pair, an address and a default route per host; a second up creates nothing', () => {
    const f = fakeIp();
    const h = new NamespaceHosts(namespacePlan(8200), f.ip, etc);
    h.up(hosts);
    expect(f.calls).toEqual(expect.arrayContaining([
      'link add pdbr8200 type bridge',
      'addr add 10.132.8.1/24 dev pdbr8200',
      'netns add pd8200-acme',
      '-n pd8200-acme link set lo up',
      'link add pd8200b0 type veth peer name pd8200h0 netns pd8200-acme',
      'link set pd8200b0 master pdbr8200',
      '-n pd8200-acme addr add 10.132.8.10/24 dev pd8200h0',
      '-n pd8200-acme route replace default via 10.132.8.1',
      'netns add pd8200-riverside',
      '-n pd8200-riverside addr add 10.132.8.13/24 dev pd8200h3',
    ]));
    expect(fs.readFileSync(path.join(etc, 'pd8200-riverside/hosts'), 'utf8')).toContain('10.132.8.10 peer0.acme.pedigree.local');
    f.calls.length = 0;
    h.up(hosts);
    expect(f.calls.filter((c) => / add /.test(` ${c} `) && !c.includes('route replace'))).toEqual([]);
  });

  it('removes a stale namespace of its own prefix and leaves other networks\' alone', () => {
    const f = fakeIp();
    f.namespaces.add('pd8200-gone').add('pd9200-acme');
    new NamespaceHosts(namespacePlan(8200), f.ip, etc).up(hosts);
    expect([...f.namespaces].sort()).toEqual(['pd8200-acme', 'pd8200-riverside', 'pd9200-acme']);
  });

  it('down removes its namespaces, names files and bridge, and is idempotent', () => {
    const f = fakeIp();
    const h = new NamespaceHosts(namespacePlan(8200), f.ip, etc);
    h.up(hosts);
    h.down();
    h.down();
    expect([...f.namespaces]).toEqual([]);
    expect(f.links.has('pdbr8200')).toBe(false);
    expect(fs.readdirSync(etc)).toEqual([]);
  });

  it('one organisation on its own machine makes only its own host, touches no other, and takes down only its own', () => {
    const f = fakeIp();
    f.namespaces.add('pd8200-stale');
    const h = new NamespaceHosts(namespacePlan(8200), f.ip, etc);
    h.up(hosts, 'riverside');
    expect([...f.namespaces].sort()).toEqual(['pd8200-riverside', 'pd8200-stale']);
    // Its names file still names every organisation (DNS on real machines).
    expect(fs.readFileSync(path.join(etc, 'pd8200-riverside/hosts'), 'utf8')).toContain('10.132.8.10 peer0.acme.pedigree.local');
    expect(fs.existsSync(path.join(etc, 'pd8200-stale/hosts'))).toBe(false);
    h.up(hosts, 'acme');
    h.down('riverside');
    expect([...f.namespaces].sort()).toEqual(['pd8200-acme', 'pd8200-stale']);
    expect(f.links.has('pdbr8200')).toBe(true);
    h.down('acme');
    h.down('stale');
    expect(f.links.has('pdbr8200')).toBe(false);
  });

  it('cuts a partition both ways with blackhole routes and heals it', () => {
    const f = fakeIp();
    const h = new NamespaceHosts(namespacePlan(8200), f.ip, etc);
    h.partition(hosts[0]!, hosts[1]!, true);
    h.partition(hosts[0]!, hosts[1]!, false);
    expect(f.routes).toEqual([
      '-n pd8200-acme route replace blackhole 10.132.8.13/32',
      '-n pd8200-riverside route replace blackhole 10.132.8.10/32',
      '-n pd8200-acme route del blackhole 10.132.8.13/32',
      '-n pd8200-riverside route del blackhole 10.132.8.10/32',
    ]);
  });
});

describe('LoopbackHosts', () => {
  it('creates nothing, runs no process in a namespace and cannot partition', () => {
    const h = new LoopbackHosts();
    h.up();
    expect(h.namespaceOf()).toBeUndefined();
    expect(() => h.partition()).toThrow(/namespaced hosts/);
  });
});

describe('namespacesAvailable', () => {
  it('is off when PEDIGREE_HOSTS=loopback, whoever runs it', () => {
    expect(namespacesAvailable({ PEDIGREE_HOSTS: 'loopback' }, () => '')).toEqual({ ok: false, reason: 'PEDIGREE_HOSTS=loopback' });
  });

  it('is off when ip netns fails', () => {
    const result = namespacesAvailable({}, () => { throw new Error('ip netns list: Operation not permitted'); });
    expect(result.ok).toBe(false);
  });
});

describe('chooseHosts', () => {
  let home: string;
  const paths = () => ({ home, crypto: path.join(home, 'crypto') });
  const yes = () => ({ ok: true, reason: 'root and ip netns' });
  const no = () => ({ ok: false, reason: 'not root' });
  beforeEach(() => { home = fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-home-')); });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('auto records namespaces on a fresh home where the machine can, and loopback where it cannot', () => {
    expect(chooseHosts(paths(), 'auto', 8200, no)).toMatch(/loopback address per organisation from consortium.yaml \(not root\)/);
    expect(readHostsRecord(home)).toBeUndefined();
    expect(chooseHosts(paths(), 'auto', 8200, yes)).toMatch(/pd8200-<key>.*pdbr8200, 10\.132\.8\.0\/24/);
    expect(readHostsRecord(home)).toEqual(namespacePlan(8200));
  });

  it('auto keeps a home issued for loopback addresses on loopback', () => {
    fs.mkdirSync(path.join(home, 'crypto/peerOrganizations'), { recursive: true });
    expect(chooseHosts(paths(), 'auto', 8200, yes)).toMatch(/issued certificates for loopback/);
    expect(() => chooseHosts(paths(), 'namespaces', 8200, yes)).toThrow(/network:reset/);
  });

  it('refuses namespaces on a machine that cannot, and an unknown choice', () => {
    expect(() => chooseHosts(paths(), 'namespaces', 8200, no)).toThrow(/need root/);
    expect(() => chooseHosts(paths(), 'vlan', 8200, yes)).toThrow(/expected namespaces/);
  });

  it('refuses a corrupt record with its fix', () => {
    fs.writeFileSync(hostsRecordFile(home), '{"kind":"vm"}');
    expect(() => readHostsRecord(home)).toThrow(/network:reset/);
  });
});
