import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { connectFabricLedger, ledgerConfigFromProfile, LedgerError, readConnectionProfile } from '@pedigree/ledger';
import { parseGovernanceChange } from '@pedigree/domain';
import { connectionProfileFile, findOrg, networkPaths, PEER_ORGS } from '../network/topology';

/**
 * `npm run consortium -- <command>`: governance as each member organisation's admin takes part in it.
 *
 *   show                                   members, admitted partners' roles, company prefixes, open proposals
 *   propose <change.json> --as <org>       an admin of <org> proposes a change (found, admitPartner, removePartner, assignPrefix)
 *   approve <proposalId> --as <org>        an admin of <org> approves; the approval that reaches the threshold enacts it
 *
 * <org> is an organisation's key or MSP ID (infra/consortium.yaml), or a partner service
 * (manufacturer, distributor, dispenser) for the first organisation running it.
 */
const GOV = { contract: 'governance' } as const;
const decode = (b: Uint8Array): unknown => JSON.parse(Buffer.from(b).toString('utf8'));

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  const asIndex = argv.indexOf('--as');
  const who = asIndex >= 0 ? argv[asIndex + 1] : PEER_ORGS[0]?.key;
  const org = who ? findOrg(who) : undefined;
  if (!org) {
    console.error(`consortium: no organisation ${who} in this network (${PEER_ORGS.map((o) => `${o.key}/${o.mspId}`).join(', ')})`);
    return 2;
  }
  const profile = readConnectionProfile(connectionProfileFile(networkPaths(), org));
  const ledger = connectFabricLedger(ledgerConfigFromProfile(profile, 'Admin'));
  try {
    switch (command) {
      case 'show': {
        const consortium = await ledger.evaluate('GetConsortium', [], GOV).then(decode, () => 'not founded');
        const partners = decode(await ledger.evaluate('ListPartners', ['100', ''], { contract: 'masterdata' })) as { records: Array<{ mspId: string; name: string; roles: string[]; glns: string[] }> };
        const prefixes = decode(await ledger.evaluate('ListPrefixes', ['100', ''], GOV)) as { records: Array<{ prefix: string; mspId: string }> };
        const proposals = decode(await ledger.evaluate('ListProposals', ['100', ''], GOV)) as { records: Array<{ id: string; status: string; change: { kind: string }; approvals: string[]; threshold: number }> };
        console.log(JSON.stringify({
          consortium,
          partners: partners.records.map((p) => ({ mspId: p.mspId, name: p.name, roles: p.roles, glns: p.glns })),
          prefixes: prefixes.records.map((p) => `${p.prefix} → ${p.mspId}`),
          openProposals: proposals.records.filter((p) => p.status === 'open').map((p) => ({ id: p.id, kind: p.change.kind, approvals: p.approvals, threshold: p.threshold })),
        }, null, 2));
        return 0;
      }
      case 'propose': {
        if (!arg) throw new Error('propose needs a change file (JSON)');
        const change = parseGovernanceChange(JSON.parse(fs.readFileSync(arg, 'utf8')));
        const result = decode((await ledger.submit('Propose', [JSON.stringify({ eventId: randomUUID(), change })], GOV)).payload) as { txId: string };
        console.log(`proposed ${change.kind} as ${org.mspId}: proposal ${result.txId} (others approve with: npm run consortium -- approve ${result.txId} --as <org>)`);
        return 0;
      }
      case 'approve': {
        if (!arg) throw new Error('approve needs a proposal ID');
        await ledger.submit('Approve', [JSON.stringify({ eventId: randomUUID(), proposalId: arg })], GOV);
        const proposal = decode(await ledger.evaluate('GetProposal', [arg], GOV)) as { status: string; approvals: string[]; threshold: number };
        console.log(`${org.mspId} approved ${arg}: ${proposal.approvals.length} of ${proposal.threshold} approvals, ${proposal.status}`);
        return 0;
      }
      default:
        console.error('usage: npm run consortium -- show | propose <change.json> --as <org> | approve <proposalId> --as <org>');
        return 2;
    }
  } catch (err) {
    const code = err instanceof LedgerError && err.chaincodeCode ? `${err.chaincodeCode}: ` : '';
    console.error(`consortium: ${code}${err instanceof LedgerError ? (err.details[0]?.message ?? err.message) : (err as Error).message}`);
    return 1;
  } finally {
    ledger.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
