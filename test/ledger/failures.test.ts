import { LedgerError, connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, uniqueKey } from '../support/ledger';

const profile = () => readConnectionProfile(defaultProfilePath('DispenserMSP', ROOT));

describe('ledger failures surface as typed errors with a stage and a reason, never a hang', () => {
  it('refuses an identity that no organisation of the channel issued', async () => {
    // A real certificate and key from an organisation the channel has never heard of.
    const bin = execFileSync(path.join(ROOT, 'infra/bin/fabric-install'), { encoding: 'utf8' }).trim().split('\n').pop()!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-rogue-'));
    fs.writeFileSync(path.join(dir, 'crypto.yaml'),
      'PeerOrgs:\n  - Name: Rogue\n    Domain: rogue.example\n    EnableNodeOUs: true\n    Users: { Count: 1 }\n');
    execFileSync(path.join(bin, 'cryptogen'), ['generate', `--config=${dir}/crypto.yaml`, `--output=${dir}/crypto`]);
    const msp = path.join(dir, 'crypto/peerOrganizations/rogue.example/users/User1@rogue.example/msp');
    const base = ledgerConfigFromProfile(profile());
    // It even claims to be the dispenser: the MSP checks the certificate, not the claim.
    const rogue = connectFabricLedger({
      ...base,
      certificate: fs.readFileSync(path.join(msp, 'signcerts', fs.readdirSync(path.join(msp, 'signcerts'))[0])),
      privateKey: fs.readFileSync(path.join(msp, 'keystore/priv_sk')),
    });
    try {
      const err = await rogue.submit('Put', [uniqueKey('rogue'), 'x'], { chaincode: 'pedigree-probe', contract: 'probe' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LedgerError);
      expect(err).toMatchObject({ stage: 'endorse', retryable: false });
      expect((err as LedgerError).message).toMatch(/access denied|creator|certificate|identity|signature/i);
      const read = await rogue.evaluate('Get', ['anything'], { chaincode: 'pedigree-probe', contract: 'probe' }).catch((e: unknown) => e);
      expect(read).toMatchObject({ name: 'LedgerError', stage: 'evaluate' });
    } finally {
      rogue.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a peer that is down as unavailable within the deadline', async () => {
    const down = connectFabricLedger({ ...ledgerConfigFromProfile(profile()), peerEndpoint: '127.0.0.1:1', deadlines: { endorse: 3000, evaluate: 3000 } });
    try {
      const started = Date.now();
      await expect(down.submit('Put', ['k', 'v'], { chaincode: 'pedigree-probe', contract: 'probe' })).rejects.toMatchObject({
        name: 'LedgerError', stage: 'endorse', kind: expect.stringMatching(/unavailable|deadline/), retryable: true,
      });
      await expect(down.evaluate('Get', ['k'], { chaincode: 'pedigree-probe', contract: 'probe' })).rejects.toMatchObject({ stage: 'evaluate', retryable: true });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      down.close();
    }
  });

  // The organisation's own peer killed and restarted is in test/faults: it stops a process other suites use.
});
