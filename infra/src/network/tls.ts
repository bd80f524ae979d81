import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { NetworkPaths, OrdererNode, ORDERERS, PeerOrg, ordererDir, ordererTlsCa, peerDir, peerTlsCa } from './topology';

/**
 * Mutual TLS on every Fabric endpoint: peers, orderers (client, cluster and admin), chaincode
 * servers and the operations endpoints (health, metrics) all require a client certificate from a
 * TLS CA they trust. Each party presents its own: a node its node certificate, an admin or a user
 * its `tls/client.crt`. Where these files come from (cryptogen or the organisation's CA) is the
 * crypto material's business; the layout is the one Fabric's tools share.
 */
export interface TlsFiles {
  /** The TLS CA that issued the certificate (and that the party trusts for its own organisation). */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function peerTls(p: NetworkPaths, org: PeerOrg): TlsFiles {
  const dir = path.join(peerDir(p, org), 'tls');
  return { ca: peerTlsCa(p, org), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

export function ordererTls(p: NetworkPaths, node: OrdererNode): TlsFiles {
  const dir = path.join(ordererDir(p, node), 'tls');
  return { ca: ordererTlsCa(p, node), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

/** A user's or admin's TLS client certificate in a peer organisation (User1, User2, Admin). */
export function userTls(p: NetworkPaths, org: PeerOrg, user = 'User1'): TlsFiles {
  const dir = path.join(p.crypto, 'peerOrganizations', org.domain, 'users', `${user}@${org.domain}`, 'tls');
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') };
}

/** The orderer organisation's admin: the only client its node's admin (channel participation) endpoint takes. */
export function ordererAdminTls(p: NetworkPaths, node: OrdererNode): TlsFiles {
  const dir = path.join(p.crypto, 'ordererOrganizations', node.domain, 'users', `Admin@${node.domain}`, 'tls');
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') };
}

/** Every orderer node's TLS CA: what a client of the ordering service trusts. */
export function ordererTlsCas(p: NetworkPaths): string[] {
  return ORDERERS.map((n) => ordererTlsCa(p, n));
}

export interface TlsAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly body: string;
}

/** An HTTPS request that presents a client certificate (fetch cannot), answering status and body. */
export function mtlsRequest(url: string, tls: TlsFiles, options: { method?: string; headers?: Record<string, string>; body?: Buffer; timeoutMs?: number } = {}): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 5000,
      ca: fs.readFileSync(tls.ca), cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key),
      // The nodes' certificates name their host as an IP SAN and `localhost`; verification stays on.
      servername: 'localhost',
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A multipart/form-data body of one file field (the orderer's channel-participation join). */
export function multipartFile(field: string, filename: string, content: Buffer): { body: Buffer; headers: Record<string, string> } {
  const boundary = `pedigree${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, content, tail]);
  return { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) } };
}

/**
 * The chaincode server's TLS: the organisation's peer is its only client (client certificates from
 * the organisation's TLS CA), and it serves with the peer's TLS identity — the same host and owner;
 * the ccaas builder gives the peer the matching connection (infra/builders/ccaas/bin/build).
 */
export function chaincodeServerTlsArgs(p: NetworkPaths, org: PeerOrg): string[] {
  const tls = peerTls(p, org);
  return ['--chaincode-tls-cert-file', tls.cert, '--chaincode-tls-key-file', tls.key, '--chaincode-tls-client-cacert-file', tls.ca];
}
