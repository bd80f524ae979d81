import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { parseGovernanceChange } from '@pedigree/domain';
import { connectionProfileFile, findOrg, networkPaths, PEER_ORGS, type PeerOrg } from '../network/topology';
import { Membership } from '../network/membership';
import { Network } from '../network/network';

/**
 * `npm run consortium -- <command>`: governance as each member organisation's admin takes part in it.
 *
 *   show                                   members, admitted partners' roles, company prefixes, open proposals
 *   propose <change.json> --as <org>       an admin of <org> proposes a change (found, admitPartner, removePartner, assignPrefix)
 *   approve <proposalId> --as <org>        an admin of <org> approves; the approval that reaches the threshold enacts it
 *
 * Joining and leaving the channel (infra/README.md, "Joining and leaving"):
 *   join <member.yaml>                     the newcomer: its crypto material and organisation definition
 *   propose-join <key> [--as <org>]        a member: the channel configuration update adding it
 *   propose-leave <key> [--as <org>]       a member: the update removing a member
 *   sign <update.pb> --as <org>            each member's admin signs with its own key (a majority)
 *   submit <update.pb> --as <org>          one member's admin submits it to the ordering service
 *   fetch-genesis <key>                    the newcomer: the channel's first block, which its peer joins with
 *   renew <org>                            <org> re-enrolls its identities from its own CA and restarts its peer; for its ordering
 *                                          node, the consenter update (sign, submit) after which the node restarts on its new TLS certificate
 *   revoke <org> <enrollment ID>           <org>'s CA revokes one of its identities; its admin puts the CRL in its channel MSP
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
  const membershipCode = await membershipCommand(command, arg, org, who, argv);
  if (membershipCode !== undefined) return membershipCode;
  // Only governance needs the gateway client: the membership commands above (a join's steps) start
  // without loading it, about half a second of CPU each.
  const { connectFabricLedger, ledgerConfigFromProfile, LedgerError, readConnectionProfile, submitCommand } = await import('@pedigree/ledger');
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
        const result = (await submitCommand(ledger, 'Propose', { eventId: randomUUID(), change })).written;
        console.log(`proposed ${change.kind} as ${org.mspId}: proposal ${result.txId} (others approve with: npm run consortium -- approve ${result.txId} --as <org>)`);
        return 0;
      }
      case 'approve': {
        if (!arg) throw new Error('approve needs a proposal ID');
        await submitCommand(ledger, 'Approve', { eventId: randomUUID(), proposalId: arg });
        const proposal = decode(await ledger.evaluate('GetProposal', [arg], GOV)) as { status: string; approvals: string[]; threshold: number };
        console.log(`${org.mspId} approved ${arg}: ${proposal.approvals.length} of ${proposal.threshold} approvals, ${proposal.status}`);
        return 0;
      }
      default:
        console.error('usage: npm run consortium -- show | propose <change.json> --as <org> | approve <proposalId> --as <org> | join <member.yaml> | propose-join <key> | propose-leave <key> | sign <update> --as <org> | submit <update> --as <org> | fetch-genesis <key> | renew <org> | revoke <org> <enrollment ID>');
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

/** The channel-membership commands (the Fabric side, membership.ts); undefined for the others. */
async function membershipCommand(command: string | undefined, arg: string | undefined, org: PeerOrg, who: string | undefined, argv: string[]): Promise<number | undefined> {
  const membership = new Membership(networkPaths());
  try {
    switch (command) {
      case 'join': {
        if (!arg) throw new Error('join needs the newcomer\'s member file (one consortium.yaml member)');
        const { org: joined, dir } = await membership.join(arg);
        console.log(`${joined.mspId} ready to join: its organisation definition is ${dir}/org.json; a member proposes the update with: npm run consortium -- propose-join ${joined.key} --as <org>`);
        return 0;
      }
      case 'propose-join':
      case 'propose-leave': {
        if (!arg) throw new Error(`${command} needs an organisation's key`);
        const update = command === 'propose-join' ? await membership.proposeJoin(arg, org) : await membership.proposeLeave(arg, org);
        console.log(`configuration update ${update}: a majority of the members' admins sign it (npm run consortium -- sign ${update} --as <org>), one submits it (submit ${update} --as <org>)`);
        return 0;
      }
      case 'sign': {
        if (!arg || !who) throw new Error('sign needs an update file and --as <org>');
        const record = await membership.sign(arg, org);
        console.log(`${org.mspId} signed the ${record.kind} of ${record.mspId} (signed by ${record.signedBy.join(', ')})`);
        return 0;
      }
      case 'submit': {
        if (!arg || !who) throw new Error('submit needs an update file and --as <org>');
        const record = await membership.submit(arg, org);
        if (record.kind === 'consenter') {
          const owner = findOrg(record.key);
          const restarted = owner ? await new Network(networkPaths()).installRenewedOrdererTls(owner) : [];
          console.log(`the consenter set names ${record.mspId}'s renewed TLS certificate; restarted on it: ${restarted.join(', ') || 'nothing'}`);
          return 0;
        }
        console.log(`${record.mspId} ${record.kind === 'join' ? 'joined' : 'left'} the channel configuration; next: npm run network:up (new chaincode definition sequence${record.kind === 'join' ? ', the newcomer\'s peer and chaincode servers' : ''})`);
        return 0;
      }
      case 'renew': {
        const member = arg ? findOrg(arg) : undefined;
        if (!member) throw new Error(`renew needs an organisation of this network (${PEER_ORGS.map((o) => o.key).join(', ')})`);
        const { renewed, consenterUpdates } = await new Network(networkPaths()).renew(member);
        console.log(`${member.mspId} renewed ${renewed.length} identities from its CA (${renewed.join(', ')}); its peer restarted with them. Its partner service reads its certificate when it starts: restart it too.`);
        for (const update of consenterUpdates) {
          console.log(`its ordering node's new TLS certificate goes into the Raft consenter set by configuration update ${update}: a majority of the ordering organisations' admins sign it (npm run consortium -- sign ${update} --as <org>), one submits it (submit ${update} --as <org>), which restarts the node on the new certificate`);
        }
        return 0;
      }
      case 'revoke': {
        const member = arg ? findOrg(arg) : undefined;
        const id = argv[2];
        if (!member || !id) throw new Error('revoke needs an organisation and one of its enrollment IDs (e.g. User2@<key>.pedigree.local)');
        const update = await membership.revoke(member, id);
        console.log(`${member.mspId} revoked ${id}: its CA's CRL is in ${member.mspId}'s MSP in the channel configuration (${update}); every peer and orderer refuses it from that block`);
        return 0;
      }
      case 'fetch-genesis': {
        const newcomer = arg ? findOrg(arg) : undefined;
        if (!newcomer) throw new Error(`no member ${arg} in this network (submit the join update first)`);
        console.log(await membership.fetchGenesis(newcomer));
        return 0;
      }
      default:
        return undefined;
    }
  } catch (err) {
    console.error(`consortium: ${(err as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
