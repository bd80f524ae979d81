import { X509Certificate } from 'node:crypto';
import * as https from 'node:https';
import * as tls from 'node:tls';

/** The certificate a running TLS endpoint (a peer, an ordering node) presents; every endpoint takes mutual TLS only, so the caller presents its client certificate. */
export function servedCertificate(host: string, port: number, ca: X509Certificate, client: { cert: Buffer; key: Buffer }): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca: ca.toString(), ...client, servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert); else reject(new Error(`${host}:${port} presented no certificate`));
    });
    socket.once('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`${host}:${port}: TLS handshake timed out`)));
  });
}

/** The root certificate a Fabric CA server says it signs with (GET /cainfo), over its own TLS. */
export function caRootOf(host: string, port: number, caName: string, tlsRoot: Buffer): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    https.get({ host, port, path: `/cainfo?ca=${encodeURIComponent(caName)}`, ca: tlsRoot, servername: 'localhost', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => {
        try {
          const chain = (JSON.parse(body) as { result: { CAChain: string } }).result.CAChain;
          resolve(new X509Certificate(Buffer.from(chain, 'base64')));
        } catch (err) {
          reject(new Error(`${caName} at ${host}:${port} answered ${res.statusCode}: ${body.slice(0, 200)} (${(err as Error).message})`));
        }
      });
    }).once('error', reject);
  });
}

/** Issued by that CA: its issuer and authority key identifier name the CA (OpenSSL's check), and the CA's key signed it. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
