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
  readonly users: Readonly<Record<string, { readonly certificateFile: string; readonly privateKeyFile: string }>>;
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
