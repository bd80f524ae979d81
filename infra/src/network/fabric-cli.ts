import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HOST, NetworkPaths, ORDERERS, PeerOrg, ordererTlsCa, peerTlsCa, userMspDir } from './topology';

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
  return {
    FABRIC_CFG_PATH: paths.config,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_ADDRESS: `${HOST}:${org.peerPort}`,
    CORE_PEER_TLS_ROOTCERT_FILE: peerTlsCa(paths, org),
    CORE_PEER_MSPCONFIGPATH: userMspDir(paths, org, 'Admin'),
  };
}

/** Any node takes a submission and forwards it to the Raft leader; the first is as good as another. */
export function ordererFlags(paths: NetworkPaths): string[] {
  const node = ORDERERS[0]!;
  return ['-o', `${node.address}:${node.port}`, '--tls', '--cafile', ordererTlsCa(paths, node)];
}
