import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { CHAINCODES, networkPaths, ORDERERS, PEER_ORGS, chaincodeServerPort } from '../../infra/src/network/topology';
import { ordererAdminTls, ordererTls, peerTls, userTls, type TlsFiles } from '../../infra/src/network/tls';

/**
 * Every Fabric endpoint of the running network takes mutual TLS only: a client with no
 * certificate, or with one from a CA no member runs, is refused at the handshake; the same
 * endpoint answers a client with the right organisation's certificate. The refusal is the
 * server's TLS alert, read on the socket — not a timeout.
 */
const paths = networkPaths();
const org = PEER_ORGS[0]!;
const node = ORDERERS[0]!;
let intruder: { cert: string; key: string };

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-intruder-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=intruder', '-addext', 'extendedKeyUsage=clientAuth'], { stdio: 'ignore' });
  intruder = { cert, key };
});

type Answer = { accepted: true } | { accepted: false; reason: string };

/** Opens TLS (h2 for gRPC, http/1.1 otherwise), sends a first request, and reports what the server did. */
function handshake(host: string, port: number, serverCa: string, client: { cert: string; key: string } | undefined, protocol: 'h2' | 'http/1.1'): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host, port, servername: 'localhost', ca: fs.readFileSync(serverCa), ALPNProtocols: [protocol],
      ...(client ? { cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) } : {}),
    });
    const done = (a: Answer) => { socket.destroy(); resolve(a); };
    socket.setTimeout(10_000, () => done({ accepted: false, reason: 'timeout' }));
    socket.on('secureConnect', () => {
      // Under TLS 1.3 the server judges the client's certificate after the client thinks the
      // handshake is over: the verdict is the first thing read back.
      socket.write(protocol === 'h2' ? Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00', 'latin1') : `GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    });
    socket.on('data', () => done({ accepted: true }));
    socket.on('error', (err) => done({ accepted: false, reason: err.message }));
    socket.on('end', () => done({ accepted: false, reason: 'closed without an answer' }));
  });
}

const own = (files: TlsFiles) => ({ cert: files.cert, key: files.key });

const ENDPOINTS: Array<[string, () => { host: string; port: number; ca: string; client: { cert: string; key: string }; protocol: 'h2' | 'http/1.1' }]> = [
  ['a peer (gateway, endorsement, gossip)', () => ({ host: org.host, port: org.peerPort, ca: peerTls(paths, org).ca, client: own(userTls(paths, org, 'User1')), protocol: 'h2' })],
  ['a peer\'s operations endpoint', () => ({ host: org.host, port: org.operationsPort, ca: peerTls(paths, org).ca, client: own(userTls(paths, org, 'Admin')), protocol: 'http/1.1' })],
  ['an ordering node (broadcast, deliver, Raft)', () => ({ host: node.address, port: node.port, ca: ordererTls(paths, node).ca, client: own(userTls(paths, node.owner, 'Admin')), protocol: 'h2' })],
  ['an ordering node\'s admin endpoint', () => ({ host: node.address, port: node.adminPort, ca: ordererTls(paths, node).ca, client: own(ordererAdminTls(paths, node)), protocol: 'http/1.1' })],
  ['an ordering node\'s operations endpoint', () => ({ host: node.address, port: node.operationsPort, ca: ordererTls(paths, node).ca, client: own(ordererAdminTls(paths, node)), protocol: 'http/1.1' })],
  ['a Fabric CA server\'s operations endpoint', () => ({ host: org.host, port: org.caOperationsPort, ca: userTls(paths, org, 'Admin').ca, client: own(userTls(paths, org, 'Admin')), protocol: 'http/1.1' })],
  ['a chaincode server', () => ({ host: org.host, port: chaincodeServerPort(CHAINCODES[0]!, org), ca: peerTls(paths, org).ca, client: own(peerTls(paths, org)), protocol: 'h2' })],
];

describe('mutual TLS on every Fabric endpoint', () => {
  it.each(ENDPOINTS)('%s refuses a client without a certificate and one from an unknown CA, and answers its own organisation', async (_, endpoint) => {
    const e = endpoint();
    const none = await handshake(e.host, e.port, e.ca, undefined, e.protocol);
    const foreign = await handshake(e.host, e.port, e.ca, intruder, e.protocol);
    const member = await handshake(e.host, e.port, e.ca, e.client, e.protocol);
    expect(none).toEqual({ accepted: false, reason: expect.stringMatching(/certificate required|handshake failure|bad certificate/) });
    // Go's servers send an alert; the Node chaincode server (grpc-js) hangs up without one.
    expect(foreign).toEqual({ accepted: false, reason: expect.stringMatching(/unknown ca|bad certificate|certificate unknown|closed without an answer/) });
    expect(member).toEqual({ accepted: true });
  });

  it('a member\'s admin endpoints take only that organisation: another member\'s admin is refused', async () => {
    const other = PEER_ORGS.find((o) => o.mspId !== org.mspId)!;
    const operations = await handshake(org.host, org.operationsPort, peerTls(paths, org).ca, own(userTls(paths, other, 'Admin')), 'http/1.1');
    const ordererAdmin = await handshake(node.address, node.adminPort, ordererTls(paths, node).ca, own(userTls(paths, other, 'Admin')), 'http/1.1');
    const caOperations = await handshake(org.host, org.caOperationsPort, userTls(paths, org, 'Admin').ca, own(userTls(paths, other, 'Admin')), 'http/1.1');
    expect(operations).toMatchObject({ accepted: false });
    expect(ordererAdmin).toMatchObject({ accepted: false });
    expect(caOperations).toMatchObject({ accepted: false });
  });
});
