import * as fs from 'node:fs';
import * as path from 'node:path';
import { FabricLedgerConfig, LedgerDeadlines } from './fabric/fabric-ledger';

/**
 * A connection profile as `npm run network:up` writes it (.network/connections/<MSP ID>.json): file
 * paths to one organisation's peer TLS root and its users' credentials.
 */
export interface ConnectionProfile {
  readonly mspId: string;
  readonly peerEndpoint: string;
  readonly tlsRootCertFile: string;
  readonly tlsServerName?: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly users: Readonly<Record<string, UserCredentialFiles>>;
}

export interface UserCredentialFiles {
  /** The signing identity (X.509 certificate and key of the user's MSP). */
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  /** The TLS client certificate and key the user presents to the peer (peers take mutual TLS only). */
  readonly tlsCertificateFile?: string;
  readonly tlsPrivateKeyFile?: string;
}

export function readConnectionProfile(file: string): ConnectionProfile {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ConnectionProfile;
  } catch (err) {
    throw new Error(`cannot read ledger connection profile ${file}: ${(err as Error).message} (is the network up? npm run network:up)`);
  }
}

export function ledgerConfigFromProfile(profile: ConnectionProfile, user = 'User1', deadlines?: Partial<LedgerDeadlines>): FabricLedgerConfig {
  const credentials = profile.users[user];
  if (!credentials) throw new Error(`no user ${user} in the connection profile of ${profile.mspId}`);
  return {
    mspId: profile.mspId,
    peerEndpoint: profile.peerEndpoint,
    tlsRootCert: fs.readFileSync(profile.tlsRootCertFile),
    certificate: fs.readFileSync(credentials.certificateFile),
    privateKey: fs.readFileSync(credentials.privateKeyFile),
    ...(credentials.tlsCertificateFile && credentials.tlsPrivateKeyFile
      ? { tlsClientCertificate: fs.readFileSync(credentials.tlsCertificateFile), tlsClientKey: fs.readFileSync(credentials.tlsPrivateKeyFile) }
      : {}),
    channel: profile.channel,
    chaincode: profile.chaincode,
    tlsServerName: profile.tlsServerName,
    deadlines,
  };
}

/** Default profile location of an organisation (MSP ID), overridable with PEDIGREE_LEDGER_PROFILE. */
export function defaultProfilePath(mspId: string, root = process.cwd()): string {
  return process.env.PEDIGREE_LEDGER_PROFILE ?? path.join(process.env.PEDIGREE_NETWORK_HOME ?? path.join(root, '.network'), 'connections', `${mspId}.json`);
}
