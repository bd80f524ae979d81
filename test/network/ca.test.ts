import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { certificateHealth, connectFabricLedger, Ledger, LedgerError, ledgerConfigFromProfile, profileCertificateExpiries, readConnectionProfile } from '@pedigree/ledger';
import { caServerOf, CertificateAuthorities, IdentitySpec } from '../../infra/src/network/ca';
import { fabricInstall } from '../../infra/src/network/fabric-config';
import { connectionProfileFile, networkPaths, ORDERERS, ordererDir, PEER_ORGS, PeerOrg, peerDir, userMspDir } from '../../infra/src/network/topology';
import { ROOT } from '../support/ledger';
import { caRootOf, issuedBy, servedCertificate } from '../support/identities';
import { cli } from '../support/network-cli';
import { userTls } from '../../infra/src/network/tls';

/**
 * Every identity of the running network comes from its organisation's own Fabric CA: what each peer
 * and ordering node presents on the wire, and what its users sign with, chain to the root that
 * organisation's CA server serves. Then one organisation renews: new certificates from the same CA,
 * its restarted peer presents them, and every organisation still endorses with it.
 */
const paths = networkPaths(ROOT);
const caTlsRoot = (org: PeerOrg) => fs.readFileSync(path.join(paths.home, 'ca', org.key, 'ca-cert.pem'));
const pem = (file: string) => new X509Certificate(fs.readFileSync(file));
/** The organisation's User1 TLS client certificate, read now (a renewal replaces it). */
const clientOf = (org: PeerOrg) => { const t = userTls(paths, org); return { cert: fs.readFileSync(t.cert), key: fs.readFileSync(t.key) }; };

async function rootsOf(org: PeerOrg): Promise<X509Certificate[]> {
  const server = caServerOf(org, ORDERERS);
  return Promise.all(server.instances.map((ca) => caRootOf(server.host, server.port, ca.name, caTlsRoot(org))));
}

jest.setTimeout(600_000);

describe('identities from each organisation\'s Fabric CA', () => {
  it.each(PEER_ORGS.map((o) => [o.key, o] as const))('%s: its peer, its ordering node and its users are issued by its own CA', async (_key, org) => {
    const [own, ordererRoot] = await rootsOf(org);
    const peer = await servedCertificate(org.host, org.peerPort, own!, clientOf(org));
    expect(issuedBy(peer, own!)).toBe(true);
    expect(peer.subject).toContain(`CN=peer0.${org.domain}`);
    expect(issuedBy(pem(path.join(peerDir(paths, org), 'msp/signcerts/cert.pem')), own!)).toBe(true);
    for (const user of ['Admin', 'User1', 'User2']) {
      const cert = pem(path.join(userMspDir(paths, org, user), 'signcerts/cert.pem'));
      expect(issuedBy(cert, own!)).toBe(true);
      expect(issuedBy(pem(userTls(paths, org, user).cert), own!)).toBe(true);
      expect(cert.subject).toMatch(new RegExp(`OU=${user === 'Admin' ? 'admin' : 'client'}`));
    }
    // No other organisation's CA issued any of it.
    for (const other of PEER_ORGS.filter((o) => o.key !== org.key)) {
      const [theirs] = await rootsOf(other);
      expect(issuedBy(peer, theirs!)).toBe(false);
    }
    const node = ORDERERS.find((n) => n.owner.key === org.key);
    if (node) {
      expect(ordererRoot).toBeDefined();
      const served = await servedCertificate(node.address, node.port, ordererRoot!, clientOf(org));
      expect(issuedBy(served, ordererRoot!)).toBe(true);
      expect(issuedBy(served, own!)).toBe(false);
      expect(issuedBy(pem(path.join(ordererDir(paths, node), 'msp/signcerts/cert.pem')), ordererRoot!)).toBe(true);
    }
  });

  it('reports notAfter of the profile\'s certificates, warning inside the window', () => {
    const profile = readConnectionProfile(connectionProfileFile(paths, PEER_ORGS[0]!));
    const now = certificateHealth(profileCertificateExpiries(profile, new Date(), 30));
    expect(now.healthy).toBe(true);
    expect(now.reason).toBeUndefined();
    // Issued for a year: a 400-day window is already inside it.
    const early = certificateHealth(profileCertificateExpiries(profile, new Date(), 400));
    expect(early).toMatchObject({ healthy: true, reason: 'CERTIFICATE_EXPIRING' });
  });

  it('renews an organisation\'s identities from its CA; its restarted peer uses them and every organisation endorses with it', async () => {
    // A member without an ordering node when there is one (renewing a consenter's TLS certificate is a channel update).
    const org = PEER_ORGS.find((o) => !ORDERERS.some((n) => n.owner.key === o.key)) ?? PEER_ORGS[PEER_ORGS.length - 1]!;
    const [own] = await rootsOf(org);
    const before = await servedCertificate(org.host, org.peerPort, own!, clientOf(org));
    const userBefore = pem(path.join(userMspDir(paths, org, 'User1'), 'signcerts/cert.pem'));

    // What its partner service's /health `identities` check reports (the same functions, reading the
    // profile's files on each request; the live /health route is checked in test/security/security.test.ts):
    // notAfter of each identity, a warning inside the window (400 days > a year).
    const identities = () => certificateHealth(profileCertificateExpiries(readConnectionProfile(connectionProfileFile(paths, org)), new Date(), 400)) as {
      healthy: boolean; reason?: string; detail: Array<{ identity: string; notAfter: string; issuer: string }>;
    };
    const user1 = (i: ReturnType<typeof identities>) => i.detail.find((d) => d.identity === 'User1');
    const seen = identities();
    expect(seen).toMatchObject({ healthy: true, reason: 'CERTIFICATE_EXPIRING' });
    expect(user1(seen)?.notAfter).toBe(new Date(userBefore.validTo).toISOString());
    expect(user1(seen)?.issuer).toContain(`CN=ca.${org.domain}`);

    const out = await cli('consortium', 'renew', org.key);
    expect(out).toMatch(new RegExp(`${org.mspId} renewed 4 identities`));
    // The check reads the files each time: the renewed certificate shows before the service restarts.
    const renewed = pem(path.join(userMspDir(paths, org, 'User1'), 'signcerts/cert.pem'));
    expect(user1(identities())?.notAfter).toBe(new Date(renewed.validTo).toISOString());

    const after = await servedCertificate(org.host, org.peerPort, own!, clientOf(org));
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.publicKey.export({ type: 'spki', format: 'der' }).equals(before.publicKey.export({ type: 'spki', format: 'der' }))).toBe(false);
    expect(issuedBy(after, own!)).toBe(true);
    const userAfter = pem(path.join(userMspDir(paths, org, 'User1'), 'signcerts/cert.pem'));
    expect(userAfter.serialNumber).not.toBe(userBefore.serialNumber);
    expect(Date.parse(userAfter.validTo)).toBeGreaterThanOrEqual(Date.parse(userBefore.validTo));
    expect(issuedBy(userAfter, own!)).toBe(true);

    // Its renewed user, through its renewed peer, gets every organisation's endorsement and commits.
    const ledger = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(connectionProfileFile(paths, org)), 'User1'));
    try {
      await expect(ledger.submit('org.hyperledger.fabric:GetMetadata', [], { endorsingOrganizations: PEER_ORGS.map((o) => o.mspId) })).resolves.toBeDefined();
    } finally {
      ledger.close();
    }
  }, 400_000);

  it('revokes one identity: its CA\'s CRL goes into its organisation\'s channel MSP and every peer refuses it, the others unaffected', async () => {
    const org = PEER_ORGS[PEER_ORGS.length - 1]!;
    const server = caServerOf(org, ORDERERS);
    // A person of its own for this test: a revocation cannot be undone on a network the next run reuses.
    const id = `Leaver${Date.now().toString(36)}${process.pid.toString(36)}@${org.domain}`;
    const spec: IdentitySpec = { ca: server.instances[0]!, id, type: 'client', dir: path.join('peerOrganizations', org.domain, 'users', id) };
    await new CertificateAuthorities(paths, fabricInstall(ROOT).caBin, () => undefined).ensureIdentities(server, [spec]);
    const msp = path.join(paths.crypto, spec.dir, 'msp');
    const profile = readConnectionProfile(connectionProfileFile(paths, org));
    const as = (certificate: Buffer, privateKey: Buffer, peer: PeerOrg = org): Ledger => connectFabricLedger({
      ...ledgerConfigFromProfile(profile, 'User1'), certificate, privateKey,
      peerEndpoint: `${peer.host}:${peer.peerPort}`, tlsRootCert: fs.readFileSync(path.join(peerDir(paths, peer), 'tls/ca.crt')),
    });
    const keyOf = (dir: string) => fs.readFileSync(path.join(dir, 'keystore', fs.readdirSync(path.join(dir, 'keystore'))[0]!));
    const leaver = [org, PEER_ORGS[0]!].map((peer) => as(fs.readFileSync(path.join(msp, 'signcerts/cert.pem')), keyOf(msp), peer));
    const user1Msp = userMspDir(paths, org, 'User1');
    const colleague = as(fs.readFileSync(path.join(user1Msp, 'signcerts/cert.pem')), keyOf(user1Msp));
    const probe = (l: Ledger) => l.evaluate('org.hyperledger.fabric:GetMetadata', []).then(() => 'answered', (err: unknown) => err);
    try {
      for (const l of leaver) expect(await probe(l)).toBe('answered');
      const out = await cli('consortium', 'revoke', org.key, id);
      expect(out).toContain(`${org.mspId} revoked ${id}`);
      expect(fs.readFileSync(path.join(paths.crypto, 'peerOrganizations', org.domain, 'msp/crls/crl.pem'), 'utf8')).toMatch(/BEGIN X509 CRL/);
      // Each peer applies the configuration block when it commits it: a moment after the update.
      for (const l of leaver) {
        const deadline = Date.now() + 30_000;
        let answer = await probe(l);
        while (answer === 'answered' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          answer = await probe(l);
        }
        expect(answer).toBeInstanceOf(LedgerError);
        expect((answer as LedgerError).kind).toBe('denied');
      }
      expect(await probe(colleague)).toBe('answered');
    } finally {
      for (const l of [...leaver, colleague]) l.close();
    }
  });
});
