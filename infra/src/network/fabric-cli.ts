import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { NetworkPaths, OrdererNode, ORDERERS, PeerOrg, ordererTlsCa, peerTlsCa, userMspDir } from './topology';
import { ordererAdminTls, userTls } from './tls';

const run = promisify(execFile);

/**
 * A Fabric CLI tool (peer, configtxlator, …) with only the environment given; a failure is one
 * error naming the tool and its last lines of stderr.
 */
export async function runFabricTool(bin: string, name: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    return await run(bin, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${name} ${args.slice(0, 3).join(' ')} failed: ${(e.stderr || e.message).trim().split('\n').slice(-5).join('\n')}`);
  }
}

/** The peer CLI's environment as an organisation's admin (its own MSP and key), against its own peer. */
export function peerAdminEnv(paths: NetworkPaths, org: PeerOrg): NodeJS.ProcessEnv {
  const tls = userTls(paths, org, 'Admin');
  return {
    FABRIC_CFG_PATH: paths.config,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_ADDRESS: `${org.host}:${org.peerPort}`,
    CORE_PEER_TLS_ROOTCERT_FILE: peerTlsCa(paths, org),
    CORE_PEER_MSPCONFIGPATH: userMspDir(paths, org, 'Admin'),
    // Peers take mutual TLS only: the admin's TLS client certificate, to its own peer and any other.
    CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
    CORE_PEER_TLS_CLIENTCERT_FILE: tls.cert,
    CORE_PEER_TLS_CLIENTKEY_FILE: tls.key,
  };
}

/**
 * Any node takes a submission and forwards it to the Raft leader; the first is as good as another
 * on one machine. An organisation on its own machine names its own node, if it runs one.
 * The orderer takes mutual TLS only: the organisation's admin presents its TLS client certificate.
 */
export function ordererFlags(paths: NetworkPaths, as: PeerOrg, node: OrdererNode = ORDERERS[0]!): string[] {
  const tls = userTls(paths, as, 'Admin');
  return ['-o', `${node.address}:${node.port}`, '--tls', '--cafile', ordererTlsCa(paths, node), '--clientauth', '--certfile', tls.cert, '--keyfile', tls.key];
}

/**
 * The peer CLI's environment as an orderer organisation's admin: what signs (and submits) an
 * update of the Orderer group, such as the consenter set. It talks to ordering nodes only.
 */
export function ordererAdminEnv(paths: NetworkPaths, node: OrdererNode): NodeJS.ProcessEnv {
  const tls = ordererAdminTls(paths, node);
  return {
    FABRIC_CFG_PATH: paths.config,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_LOCALMSPID: node.mspId,
    CORE_PEER_MSPCONFIGPATH: path.join(paths.crypto, 'ordererOrganizations', node.domain, 'users', `Admin@${node.domain}`, 'msp'),
    CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
    CORE_PEER_TLS_CLIENTCERT_FILE: tls.cert,
    CORE_PEER_TLS_CLIENTKEY_FILE: tls.key,
  };
}

/** The ordering node flags for an orderer organisation's admin: its own node, its TLS client certificate. */
export function ordererAdminFlags(paths: NetworkPaths, node: OrdererNode): string[] {
  const tls = ordererAdminTls(paths, node);
  return ['-o', `${node.address}:${node.port}`, '--tls', '--cafile', ordererTlsCa(paths, node), '--clientauth', '--certfile', tls.cert, '--keyfile', tls.key];
}
