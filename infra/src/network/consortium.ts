import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { connectFabricLedger, ledgerConfigFromProfile, LedgerError, readConnectionProfile, submitCommand, type Ledger } from '@pedigree/ledger';
import type { GovernanceChange, PartnerAdmission, PrefixAssignment, ProposalRecord } from '@pedigree/domain';
import { connectionProfileFile, consortiumFile, NetworkPaths, PEER_ORGS, type PeerOrg } from './topology';

/** One organisation as infra/consortium.yaml names it. */
export interface ConsortiumMember extends PartnerAdmission {
  readonly prefixes: readonly string[];
}

export interface ConsortiumConfig {
  readonly channel: string;
  readonly members: readonly ConsortiumMember[];
}

export function readConsortiumConfig(root: string): ConsortiumConfig {
  const file = consortiumFile(root);
  const config = parse(fs.readFileSync(file, 'utf8')) as ConsortiumConfig;
  if (!config?.members?.length) throw new Error(`${file} names no members`);
  return config;
}

/** The founding change of the members this network runs (only organisations with a peer here). */
export function foundingChange(config: ConsortiumConfig): GovernanceChange {
  const running = new Set(PEER_ORGS.map((o) => o.mspId));
  const members = config.members.filter((m) => running.has(m.mspId));
  const prefixes: PrefixAssignment[] = members.flatMap((m) => (m.prefixes ?? []).map((prefix) => ({ prefix: String(prefix), mspId: m.mspId })));
  return {
    kind: 'found',
    // Only what governance admits: the file's key, host and service ports are this machine's business.
    members: members.map((m) => ({ mspId: m.mspId, name: m.name, roles: m.roles, glns: m.glns.map(String), address: m.address, licence: m.licence })),
    prefixes,
  };
}

/**
 * Founds the consortium on a fresh ledger as its members would: the first organisation's admin
 * proposes the founding of infra/consortium.yaml, every other founder's admin approves it. Returns
 * what it did, or undefined when the consortium already stands. Idempotent.
 */
export async function foundConsortium(paths: NetworkPaths, log: (line: string) => void): Promise<string | undefined> {
  const admins = new Map<string, Ledger>();
  const adminOf = (mspId: string): Ledger => {
    let l = admins.get(mspId);
    if (!l) {
      const org = PEER_ORGS.find((o) => o.mspId === mspId);
      if (!org) throw new Error(`no peer organisation ${mspId} in this network`);
      l = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(connectionProfileFile(paths, org)), 'Admin'));
      admins.set(mspId, l);
    }
    return l;
  };
  try {
    const first = adminOf(PEER_ORGS[0]!.mspId);
    if (await isFounded(first)) return undefined;
    const change = foundingChange(readConsortiumConfig(paths.root));
    if (change.kind !== 'found') throw new Error('unreachable');
    log(`founding the consortium: ${change.members.map((m) => m.mspId).join(', ')}`);
    const proposalId = (await submitCommand(first, 'Propose', { eventId: randomUUID(), change })).written.txId;
    for (const member of change.members.slice(1)) {
      const approver = adminOf(member.mspId);
      await waitForProposal(approver, proposalId);
      await submitCommand(approver, 'Approve', { eventId: randomUUID(), proposalId });
    }
    // Every peer must know the members before anything is recorded (each endorses with them).
    for (const member of change.members) await waitFounded(adminOf(member.mspId));
    return `consortium founded (${change.members.length} members, ${change.prefixes.length} company prefixes)`;
  } finally {
    for (const l of admins.values()) l.close();
  }
}

/**
 * One founder's part of the founding, on its own machine with its own admin (`network -- up
 * --org`): the first founder of consortium.yaml proposes it; every other founder approves the open
 * founding proposal once its own peer has it; each then waits until every founder has approved.
 * Returns what it did, or undefined when the consortium already stands.
 */
export async function foundConsortiumAs(paths: NetworkPaths, org: PeerOrg, log: (line: string) => void, deadline: number): Promise<string | undefined> {
  const admin = connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(connectionProfileFile(paths, org)), 'Admin'));
  let said = '';
  const wait = async (what: string) => {
    if (Date.now() > deadline) throw new Error(`${org.mspId}: still waiting for ${what} at the end of the founding wait`);
    if (what !== said) log(`${org.mspId}: waiting for ${(said = what)}`);
    // Reads through its own gateway (no process to spawn): a partner's step is seen within half a second.
    await new Promise((r) => setTimeout(r, 500));
  };
  try {
    if (await isFounded(admin)) return undefined;
    const change = foundingChange(readConsortiumConfig(paths.root));
    if (change.kind !== 'found') throw new Error('unreachable');
    const proposer = change.members[0]!.mspId;
    let did = '';
    while (!did) {
      const open = (await foundingProposals(admin)).find((p) => p.status === 'open');
      if (open) {
        if (!open.approvals.includes(org.mspId)) await submitCommand(admin, 'Approve', { eventId: randomUUID(), proposalId: open.id });
        did = `${org.mspId} approved the founding proposal ${open.id}`;
      } else if (org.mspId === proposer) {
        log(`${org.mspId}: proposing the founding of ${change.members.map((m) => m.mspId).join(', ')}`);
        const id = (await submitCommand(admin, 'Propose', { eventId: randomUUID(), change })).written.txId;
        did = `${org.mspId} proposed the founding (${id})`;
      } else {
        await wait(`${proposer}'s admin to propose the founding`);
      }
    }
    log(did);
    while (!(await isFounded(admin))) await wait(`every founder's admin to approve the founding (${change.members.length} members)`);
    return `${did}; consortium founded (${change.members.length} members)`;
  } finally {
    admin.close();
  }
}

async function foundingProposals(ledger: Ledger): Promise<ProposalRecord[]> {
  const page = JSON.parse(Buffer.from(await ledger.evaluate('ListProposals', ['1000', ''], { contract: 'governance' })).toString('utf8')) as { records: ProposalRecord[] };
  return page.records.filter((p) => p.change.kind === 'found');
}

async function isFounded(ledger: Ledger): Promise<boolean> {
  return ledger.evaluate('GetConsortium', [], { contract: 'governance' }).then(() => true, (err: unknown) => {
    if (err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND') return false;
    throw err;
  });
}

async function waitForProposal(ledger: Ledger, proposalId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ledger.evaluate('GetProposal', [proposalId], { contract: 'governance' }).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ledger.mspId}'s peer never saw proposal ${proposalId}`);
}

async function waitFounded(ledger: Ledger): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ledger.evaluate('GetConsortium', [], { contract: 'governance' }).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ledger.mspId}'s peer never saw the consortium founded`);
}
