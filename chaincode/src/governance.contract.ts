import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  approve, assertDisjointPrefixes, canonicalJson, DomainError, enactedOnProposal, pglnToEpcUrn, propose,
  type ConsortiumRecord, type IsoTimestamp, type OrgId, type PartnerAdmission, type PartnerRecord, type PrefixRecord, type ProposalRecord,
} from '@pedigree/domain';
import { ChaincodeError } from './errors';
import { KeyType } from './keys';
import { page, reading } from './master-data.contract';
import { recordEvent } from './recorder';
import { WorldState } from './world-state';

/** A founding needs at least two organisations: one organisation cannot found a consortium of itself. */
const MIN_FOUNDERS = 2;

/**
 * Consortium governance: members, partner records (roles, GLNs, licence) and GS1 company prefixes
 * are changed only by proposals that admins of enough member organisations approved — every founder
 * for the founding, a majority of the members afterwards (rules in libs/domain consortium). Its
 * records are under a key-level policy of a majority of the members' peers.
 */
@Info({ title: 'Governance', description: 'Consortium members, admitted partners and GS1 company prefixes' })
export class GovernanceContract extends Contract {
  constructor() {
    super('governance');
  }

  @Transaction()
  @Returns('string')
  async Propose(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Propose', commandJson, async (c, { state, at, actor }) => {
      const change = c.change;
      if (change.kind === 'found' && change.members.length < MIN_FOUNDERS) {
        throw new DomainError('COMMAND_INVALID', `governance: a consortium is founded by at least ${MIN_FOUNDERS} organisations`, { reason: 'too few founders' });
      }
      const consortium = await state.consortium();
      const proposal = enactedOnProposal(propose(consortium, change, actor, ctx.stub.getTxID(), at));
      await state.write(KeyType.proposal, [proposal.id], proposal);
      await state.setMajorityPolicy(KeyType.proposal, [proposal.id], proposal.electorate);
      if (proposal.status === 'enacted') await enact(state, proposal, at);
      return { records: [], epcis: [], proposal };
    });
  }

  @Transaction()
  @Returns('string')
  async Approve(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Approve', commandJson, async (c, { state, at, actor }) => {
      const current = await state.read<ProposalRecord>(KeyType.proposal, c.proposalId);
      if (!current) throw new DomainError('GOVERNANCE_STATE', `proposal ${c.proposalId} is not known`, { reason: 'unknown proposal' });
      const { proposal, enacted } = approve(current, actor, at);
      await state.write(KeyType.proposal, [proposal.id], proposal);
      if (enacted) await enact(state, proposal, at);
      return { records: [], epcis: [], proposal };
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetConsortium(ctx: Context): Promise<string> {
    return reading(async () => {
      const consortium = await new WorldState(ctx).consortium();
      if (!consortium) throw new ChaincodeError('NOT_FOUND', 'the consortium is not founded yet');
      return canonicalJson(consortium);
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetProposal(ctx: Context, proposalId: string): Promise<string> {
    return reading(async () => {
      const proposal = await new WorldState(ctx).read<ProposalRecord>(KeyType.proposal, proposalId);
      if (!proposal) throw new ChaincodeError('NOT_FOUND', `proposal ${proposalId} is not known`);
      return canonicalJson(proposal);
    });
  }

  @Transaction(false)
  @Returns('string')
  async ListProposals(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => canonicalJson(await page<ProposalRecord>(ctx, KeyType.proposal, [], pageSize, bookmark)));
  }

  @Transaction(false)
  @Returns('string')
  async ListPrefixes(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => canonicalJson(await page<PrefixRecord>(ctx, KeyType.prefix, [], pageSize, bookmark)));
  }
}

/** Applies an enacted change; every record it writes is under the (new) members' majority policy. */
async function enact(state: WorldState, proposal: ProposalRecord, at: IsoTimestamp): Promise<void> {
  const change = proposal.change;
  const consortium = await state.consortium();
  switch (change.kind) {
    case 'found': {
      const members = change.members.map((m) => m.mspId).sort();
      await putConsortium(state, { docType: 'consortium', members, foundedAt: at, updatedAt: at, version: 1 });
      for (const m of change.members) await putPartner(state, m, members, at);
      for (const p of change.prefixes) await putPrefix(state, p.prefix, p.mspId, proposal.id, members, at);
      return;
    }
    case 'admitPartner': {
      const c = consortium as ConsortiumRecord;
      const members = [...new Set([...c.members, change.partner.mspId])].sort();
      if (members.length !== c.members.length) await putConsortium(state, { ...c, members, updatedAt: at, version: c.version + 1 });
      await putPartner(state, change.partner, members, at);
      return;
    }
    case 'removePartner': {
      const c = consortium as ConsortiumRecord;
      const members = c.members.filter((m) => m !== change.mspId);
      await putConsortium(state, { ...c, members, updatedAt: at, version: c.version + 1 });
      await state.delete(KeyType.partner, change.mspId);
      return;
    }
    case 'assignPrefix': {
      const c = consortium as ConsortiumRecord;
      if (!c.members.includes(change.assignment.mspId)) throw new DomainError('GOVERNANCE_STATE', `${change.assignment.mspId} is not a member`, { reason: 'not a member' });
      const existing: string[] = [];
      for await (const kv of state.ctx.stub.getStateByPartialCompositeKey(KeyType.prefix, [])) existing.push((JSON.parse(Buffer.from(kv.value).toString('utf8')) as PrefixRecord).prefix);
      assertDisjointPrefixes([...existing, change.assignment.prefix]);
      await putPrefix(state, change.assignment.prefix, change.assignment.mspId, proposal.id, c.members, at);
      return;
    }
  }
}

async function putConsortium(state: WorldState, record: ConsortiumRecord): Promise<void> {
  await state.write(KeyType.consortium, [], record);
  await state.setMajorityPolicy(KeyType.consortium, [], record.members);
}

async function putPartner(state: WorldState, a: PartnerAdmission, members: readonly OrgId[], at: IsoTimestamp): Promise<void> {
  const existing = await state.read<PartnerRecord>(KeyType.partner, a.mspId);
  const gln = a.glns[0] as string;
  const partner: PartnerRecord = {
    docType: 'partner', mspId: a.mspId, name: a.name, role: a.roles[0] as PartnerRecord['role'], roles: a.roles, gln, glns: a.glns, pgln: pglnToEpcUrn(gln),
    address: a.address, licence: a.licence, registeredAt: existing?.registeredAt ?? at, updatedAt: at,
  };
  await state.write(KeyType.partner, [a.mspId], partner);
  await state.setMajorityPolicy(KeyType.partner, [a.mspId], members);
}

async function putPrefix(state: WorldState, prefix: string, mspId: OrgId, proposalId: string, members: readonly OrgId[], at: IsoTimestamp): Promise<void> {
  const record: PrefixRecord = { docType: 'prefix', prefix, mspId, assignedAt: at, proposalId };
  await state.write(KeyType.prefix, [prefix], record);
  await state.setMajorityPolicy(KeyType.prefix, [prefix], members);
}
