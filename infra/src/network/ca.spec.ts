import YAML from 'yaml';
import { caLifetimes, caServerConfig, caServerOf, identitiesOf, nodeOuConfig } from './ca';
import { OrdererNode, peerOrgsOf } from './topology';

const [acme, continental, riverside] = peerOrgsOf([
  { key: 'acme', mspId: 'ManufacturerMSP', roles: ['manufacturer'] },
  { key: 'continental', mspId: 'DistributorMSP', roles: ['wholesaler'], host: '127.0.1.2' },
  { key: 'riverside', mspId: 'RiversideMSP', roles: ['dispenser'], position: 7 },
]);
const ordererOf = (owner: typeof acme): OrdererNode => ({
  owner, mspId: `${owner!.name}OrdererMSP`, process: `orderer-${owner!.key}`, name: `${owner!.name}Orderer`,
  domain: `orderer.${owner!.domain}`, host: 'orderer0', address: owner!.host, port: 7050, adminPort: 7053, operationsPort: 8443,
});
const orderers = [ordererOf(acme)];

describe('caServerOf', () => {
  it.each([
    ['the first member', acme!, 7054, 7055, ['ca-acme', 'ca-acme-orderer']],
    ['the second, on its own host', continental!, 8054, 8055, ['ca-continental']],
    ['a member at position 7 (joined later)', riverside!, 14054, 14055, ['ca-riverside']],
  ])('%s: ports from its position, one CA per MSP it holds', (_label, org, port, ops, names) => {
    const offset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
    const server = caServerOf(org, orderers);
    expect(server).toMatchObject({ process: `ca-${org.key}`, host: org.host, port: port + offset, operationsPort: ops + offset });
    expect(server.instances.map((i) => i.name)).toEqual(names);
  });
});

describe('identitiesOf', () => {
  it('issues what cryptogen issued, under the same names and folders, with NodeOU types', () => {
    const ids = identitiesOf(caServerOf(acme!, orderers), orderers);
    expect(ids.map((i) => [i.ca.mspId, i.type, i.id, i.dir])).toEqual([
      ['ManufacturerMSP', 'peer', 'peer0.acme.pedigree.local', 'peerOrganizations/acme.pedigree.local/peers/peer0.acme.pedigree.local'],
      ['ManufacturerMSP', 'admin', 'Admin@acme.pedigree.local', 'peerOrganizations/acme.pedigree.local/users/Admin@acme.pedigree.local'],
      ['ManufacturerMSP', 'client', 'User1@acme.pedigree.local', 'peerOrganizations/acme.pedigree.local/users/User1@acme.pedigree.local'],
      ['ManufacturerMSP', 'client', 'User2@acme.pedigree.local', 'peerOrganizations/acme.pedigree.local/users/User2@acme.pedigree.local'],
      ['AcmeOrdererMSP', 'orderer', 'orderer0.orderer.acme.pedigree.local', 'ordererOrganizations/orderer.acme.pedigree.local/orderers/orderer0.orderer.acme.pedigree.local'],
      ['AcmeOrdererMSP', 'admin', 'Admin@orderer.acme.pedigree.local', 'ordererOrganizations/orderer.acme.pedigree.local/users/Admin@orderer.acme.pedigree.local'],
    ]);
  });

  it('gives nodes, and only nodes, TLS certificates naming their host', () => {
    const ids = identitiesOf(caServerOf(continental!, orderers), orderers);
    expect(ids.filter((i) => i.tlsHosts).map((i) => [i.id, i.tlsHosts])).toEqual([
      ['peer0.continental.pedigree.local', ['peer0.continental.pedigree.local', '127.0.1.2', '127.0.0.1', 'localhost']],
    ]);
  });
});

describe('caServerConfig', () => {
  const server = caServerOf(acme!, orderers);
  const { main, cafiles } = caServerConfig(server, 's3cret', { issued: '720h', root: '87600h' });
  const doc = YAML.parse(main);

  it('serves TLS on its own host and port, operations beside it, no affiliations', () => {
    expect(doc).toMatchObject({
      port: server.port, address: '127.0.0.1', tls: { enabled: true },
      ca: { name: 'ca-acme' }, affiliations: {},
      csr: { cn: 'ca.acme.pedigree.local', ca: { expiry: '87600h' } },
    });
    expect(doc.signing.default.expiry).toBe('720h');
    expect(doc.signing.profiles.tls.usage).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    expect(doc.registry.identities).toEqual([expect.objectContaining({ name: 'registrar', pass: 's3cret', type: 'client' })]);
  });

  it.each([
    ['before its certificate exists: an ephemeral loopback port no one is told, no TLS', undefined, { listenAddress: '127.0.0.1:0', tls: { enabled: false } }],
    ['once issued: its own port, mutual TLS with clients of the given CAs only', { cert: '/ops/server.crt', key: '/ops/server.key', clientCas: ['/ca/ca-cert.pem'] }, {
      listenAddress: `127.0.0.1:${server.operationsPort}`,
      // The names fabric-ca-server maps onto its struct (operations.TLS): its sample's clientAuthRequired would be ignored.
      tls: { enabled: true, cert: { file: '/ops/server.crt' }, key: { file: '/ops/server.key' }, clientCertRequired: true, clientCACertFiles: ['/ca/ca-cert.pem'] },
    }],
  ])('operations endpoint %s', (_, tls, want) => {
    expect(YAML.parse(caServerConfig(server, 's3cret', { issued: '720h', root: '87600h' }, tls).main).operations).toEqual(want);
  });

  it('adds the orderer organisation as a CA of its own (another root), not the server\'s', () => {
    expect(doc.cafiles).toEqual(['ca-acme-orderer/fabric-ca-config.yaml']);
    const orderer = YAML.parse(cafiles[0]!.content);
    expect(orderer).toMatchObject({ ca: { name: 'ca-acme-orderer' }, csr: { cn: 'ca.orderer.acme.pedigree.local' } });
    expect(orderer.port).toBeUndefined();
    expect(orderer.tls).toBeUndefined();
  });
});

describe('caLifetimes', () => {
  it.each([
    [{}, { issued: '8760h', root: '131400h' }],
    [{ PEDIGREE_CERT_LIFETIME: '2h' }, { issued: '2h', root: '131400h' }],
  ])('%j', (env, want) => expect(caLifetimes(env)).toEqual(want));

  it.each(['1y', '90m', ''])('refuses PEDIGREE_CERT_LIFETIME=%j with a typed error', (v) => {
    expect(() => caLifetimes({ PEDIGREE_CERT_LIFETIME: v })).toThrow(/^CA_CONFIG: PEDIGREE_CERT_LIFETIME/);
  });
});

describe('nodeOuConfig', () => {
  it('maps the four NodeOU roles to the OUs Fabric CA writes for registered types', () => {
    const doc = YAML.parse(nodeOuConfig('cacerts/ca.pem'));
    expect(doc.NodeOUs.Enable).toBe(true);
    expect(['Client', 'Peer', 'Admin', 'Orderer'].map((r) => doc.NodeOUs[`${r}OUIdentifier`].OrganizationalUnitIdentifier)).toEqual(['client', 'peer', 'admin', 'orderer']);
    expect(doc.NodeOUs.PeerOUIdentifier.Certificate).toBe('cacerts/ca.pem');
  });
});
