import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Network } from '../../infra/src/network/network';
import { Membership } from '../../infra/src/network/membership';
import { networkPaths, ORDERERS, ordererDir } from '../../infra/src/network/topology';
import { ordererAdminTls } from '../../infra/src/network/tls';
import { ledgerFor, ROOT } from '../support/ledger';
import { cli } from '../support/network-cli';
import { servedCertificate } from '../support/identities';

/**
 * Renewing an ordering node's TLS certificate on the running network, as the companies involved
 * would: its owner renews (`consortium -- renew`), which proposes the consenter-set update; a
 * majority of the ordering organisations' admins sign it, one submits it, and the node restarts
 * on the new certificate. Under a light load through another organisation's gateway all along:
 * every write commits, and the cluster has a leader afterwards (the longest time without one is
 * reported). The renewed node presents the new certificate on the wire, and the channel's
 * consenter set names it.
 */
const paths = networkPaths(ROOT);
const PROBE = { chaincode: 'pedigree-probe', contract: 'probe' } as const;

jest.setTimeout(600_000);

describe('renewing an ordering node\'s TLS certificate', () => {
  // Not the first node: ordererFlags sends every member's CLI there, and it must keep answering.
  const node = ORDERERS[ORDERERS.length - 1]!;
  const network = new Network(paths, () => undefined);

  const wire = () => {
    const admin = ordererAdminTls(paths, node);
    return servedCertificate(node.address, node.port, new X509Certificate(fs.readFileSync(admin.ca)), { cert: fs.readFileSync(admin.cert), key: fs.readFileSync(admin.key) });
  };

  it('puts the new certificate in the consenter set by a majority of the ordering organisations, restarts the node on it, and keeps committing', async () => {
    expect(ORDERERS.length).toBeGreaterThanOrEqual(3);
    const before = await wire();
    const ledger = ledgerFor('manufacturer');
    const load = { running: true, ok: 0, failures: [] as string[], leaderless: 0, longestLeaderlessMs: 0 };
    const writes = (async () => {
      for (let i = 0; load.running; i++) {
        try {
          await ledger.submit('Noop', [], PROBE);
          load.ok++;
        } catch (err) {
          load.failures.push(`${i}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const leader = (async () => {
      let since: number | undefined;
      while (load.running) {
        const now = Date.now();
        if (await network.raftLeader()) since = undefined;
        else {
          since ??= now;
          load.leaderless++;
          load.longestLeaderlessMs = Math.max(load.longestLeaderlessMs, Date.now() - since);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      const renewed = await cli('consortium', 'renew', node.owner.key);
      const update = /configuration update (\S+): a majority of the ordering/.exec(renewed)?.[1];
      expect(update).toBeDefined();
      // The node serves its old certificate until the consenter set names the new one.
      expect((await wire()).fingerprint256).toBe(before.fingerprint256);
      const owners = ORDERERS.map((n) => n.owner);
      const signers = owners.slice(0, Math.floor(owners.length / 2) + 1);
      for (const o of signers.slice(0, -1)) await cli('consortium', 'sign', update!, '--as', o.key);
      const submitted = await cli('consortium', 'submit', update!, '--as', signers[signers.length - 1]!.key);
      expect(submitted).toMatch(new RegExp(`restarted on it: ${node.process}`));

      const installed = new X509Certificate(fs.readFileSync(path.join(ordererDir(paths, node), 'tls', 'server.crt')));
      const after = await wire();
      expect(after.fingerprint256).not.toBe(before.fingerprint256);
      expect(after.fingerprint256).toBe(installed.fingerprint256);
      expect(new X509Certificate((await new Membership(paths, () => undefined).consenterCert(node))!).fingerprint256).toBe(installed.fingerprint256);
      expect(await network.raftLeader()).toBeDefined();
      // A write after the restart, through the renewed node's own organisation too.
      await expect(ledgerFor('manufacturer').submit('Noop', [], PROBE)).resolves.toBeDefined();
    } finally {
      load.running = false;
      await Promise.all([writes, leader]);
      ledger.close();
    }
    process.stderr.write(`\n[orderer renew] ${node.process}: ${load.ok} writes committed during the renewal, ${load.failures.length} failed; no Raft leader in ${load.leaderless} samples (longest ${load.longestLeaderlessMs} ms)\n`);
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(0);
  });
});
