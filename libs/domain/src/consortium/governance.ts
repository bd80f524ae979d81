import { DomainError } from '../errors';
import { assertIsoDate, parseTimestamp, type IsoTimestamp } from '../time';
import { normaliseGln } from '../gs1/gtin';
import type { OrgId } from '../lifecycle/records';
import type { Address, Licence, PartnerRole } from '../lifecycle/ledger-records';

/**
 * Consortium governance on the ledger: who is a member, which partner records (roles, GLNs,
 * licence) are admitted, and which GS1 company prefix belongs to whom. Nothing here is
 * self-declared: a change is proposed by an admin of a member organisation and takes effect only
 * when admins of enough members approved it — every founder for the founding, a majority of the
 * members afterwards. Pure: the chaincode loads the records, calls these, stores the result.
 */

export const PARTNER_ROLES: readonly PartnerRole[] = ['manufacturer', 'repackager', 'wholesaler', 'dispenser', '3pl'];

export interface PartnerAdmission {
  readonly mspId: OrgId;
  readonly name: string;
  readonly roles: readonly PartnerRole[];
  readonly glns: readonly string[];
  readonly address: Address;
  readonly licence: Licence;
}

export interface PrefixAssignment {
  /** GS1 company prefix, 6-12 digits (US NDC-based GTINs: `03` + labeler code). */
  readonly prefix: string;
  readonly mspId: OrgId;
}

export type GovernanceChange =
  | { readonly kind: 'found'; readonly members: readonly PartnerAdmission[]; readonly prefixes: readonly PrefixAssignment[] }
  | { readonly kind: 'admitPartner'; readonly partner: PartnerAdmission }
  | { readonly kind: 'removePartner'; readonly mspId: OrgId }
  | { readonly kind: 'assignPrefix'; readonly assignment: PrefixAssignment };

export type GovernanceChangeKind = GovernanceChange['kind'];

export interface ConsortiumRecord {
  readonly docType: 'consortium';
  /** Member organisations (MSP IDs), sorted: whose admins vote and whose peers vouch for records. */
  readonly members: readonly OrgId[];
  readonly foundedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly version: number;
}

export interface PrefixRecord {
  readonly docType: 'prefix';
  readonly prefix: string;
  readonly mspId: OrgId;
  readonly assignedAt: IsoTimestamp;
  /** The proposal that assigned it. */
  readonly proposalId: string;
}

export interface ProposalRecord {
  readonly docType: 'proposal';
  /** The proposing transaction's ID: unique and not predictable by another organisation. */
  readonly id: string;
  readonly change: GovernanceChange;
  readonly proposer: OrgId;
  /** Organisations whose admins approved, sorted; the proposer's is the first approval. */
  readonly approvals: readonly OrgId[];
  /** Who may approve, and how many approvals enact it. */
  readonly electorate: readonly OrgId[];
  readonly threshold: number;
  readonly status: 'open' | 'enacted';
  readonly proposedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly enactedAt?: IsoTimestamp;
}

/** Majority of the members: more than half. */
export function majority(members: readonly OrgId[]): number {
  return Math.floor(members.length / 2) + 1;
}

/** Validates the JSON of a change; every refusal names the field. */
export function parseGovernanceChange(value: unknown): GovernanceChange {
  const v = object(value, 'change');
  switch (v.kind) {
    case 'found': {
      const members = list(v.members, 'change.members').map((m, i) => parseAdmission(m, `change.members[${i}]`));
      if (new Set(members.map((m) => m.mspId)).size !== members.length) invalid('change.members', 'an organisation is listed twice');
      const prefixes = (v.prefixes === undefined ? [] : list(v.prefixes, 'change.prefixes')).map((p, i) => parsePrefix(p, `change.prefixes[${i}]`));
      for (const p of prefixes) if (!members.some((m) => m.mspId === p.mspId)) invalid('change.prefixes', `prefix ${p.prefix} is assigned to ${p.mspId}, which is not a founding member`);
      assertDisjointPrefixes(prefixes.map((p) => p.prefix));
      return { kind: 'found', members, prefixes };
    }
    case 'admitPartner':
      return { kind: 'admitPartner', partner: parseAdmission(v.partner, 'change.partner') };
    case 'removePartner':
      return { kind: 'removePartner', mspId: text(v.mspId, 'change.mspId') };
    case 'assignPrefix':
      return { kind: 'assignPrefix', assignment: parsePrefix(v.assignment, 'change.assignment') };
    default:
      return invalid('change.kind', 'must be found, admitPartner, removePartner or assignPrefix');
  }
}

/**
 * Opens a proposal. Before founding, only `found` may be proposed, by an admin of one of the
 * founders, and every founder must approve; afterwards a member's admin proposes and a majority of
 * the members decides.
 */
export function propose(consortium: ConsortiumRecord | undefined, change: GovernanceChange, proposer: OrgId, proposalId: string, at: IsoTimestamp): ProposalRecord {
  parseTimestamp(at, 'at');
  let electorate: readonly OrgId[];
  let threshold: number;
  if (change.kind === 'found') {
    if (consortium) throw new DomainError('GOVERNANCE_STATE', 'the consortium is already founded', { reason: 'founded' });
    electorate = change.members.map((m) => m.mspId).sort();
    threshold = electorate.length;
  } else {
    if (!consortium) throw new DomainError('GOVERNANCE_STATE', `the consortium is not founded yet; ${change.kind} needs its members`, { reason: 'not founded' });
    electorate = consortium.members;
    threshold = majority(consortium.members);
    if (change.kind === 'removePartner' && !consortium.members.includes(change.mspId)) {
      throw new DomainError('GOVERNANCE_STATE', `${change.mspId} is not a member`, { reason: 'not a member' });
    }
  }
  if (!electorate.includes(proposer)) throw new DomainError('GOVERNANCE_FORBIDDEN', `${proposer} may not propose: only ${electorate.join(', ')} vote on this`, { actor: proposer });
  return { docType: 'proposal', id: proposalId, change, proposer, approvals: [proposer], electorate, threshold, status: 'open', proposedAt: at, updatedAt: at };
}

/** Adds an approval; `enacted` turns true when this approval reaches the threshold. */
export function approve(proposal: ProposalRecord, approver: OrgId, at: IsoTimestamp): { proposal: ProposalRecord; enacted: boolean } {
  if (proposal.status !== 'open') throw new DomainError('GOVERNANCE_STATE', `proposal ${proposal.id} is already ${proposal.status}`, { reason: proposal.status });
  if (!proposal.electorate.includes(approver)) throw new DomainError('GOVERNANCE_FORBIDDEN', `${approver} has no vote on proposal ${proposal.id}`, { actor: approver });
  if (proposal.approvals.includes(approver)) throw new DomainError('GOVERNANCE_FORBIDDEN', `${approver} already approved proposal ${proposal.id}`, { actor: approver, reason: 'already approved' });
  if (parseTimestamp(at, 'at').epochMs < parseTimestamp(proposal.updatedAt, 'updatedAt').epochMs) {
    throw new DomainError('BACKDATED', `proposal ${proposal.id} last changed at ${proposal.updatedAt}; an approval dated ${at} is earlier`, { at });
  }
  const approvals = [...proposal.approvals, approver].sort();
  const enacted = approvals.length >= proposal.threshold;
  return { proposal: { ...proposal, approvals, updatedAt: at, ...(enacted ? { status: 'enacted' as const, enactedAt: at } : {}) }, enacted };
}

/** Whether an already-open proposal is enacted by its proposer alone (a one-member electorate). */
export function enactedOnProposal(proposal: ProposalRecord): ProposalRecord {
  return proposal.approvals.length >= proposal.threshold ? { ...proposal, status: 'enacted', enactedAt: proposal.proposedAt } : proposal;
}

/** Two prefixes where one begins the other would put a GTIN under two holders. */
export function assertDisjointPrefixes(prefixes: readonly string[]): void {
  for (const a of prefixes) {
    for (const b of prefixes) {
      if (a !== b && b.startsWith(a)) invalid('prefix', `${b} lies inside ${a}: a GTIN may belong to one company prefix only`);
    }
  }
  if (new Set(prefixes).size !== prefixes.length) invalid('prefix', 'a prefix is listed twice');
}

/** The company prefix of a GTIN-14 (indicator digit first) of the given length. */
export function gtinPrefixCandidates(gtin14: string): string[] {
  const body = gtin14.slice(1, 13);
  const out: string[] = [];
  for (let len = 6; len <= 12; len++) out.push(body.slice(0, len));
  return out;
}

function parseAdmission(value: unknown, at: string): PartnerAdmission {
  const v = object(value, at);
  const roles = list(v.roles, `${at}.roles`).map((r) => {
    if (!PARTNER_ROLES.includes(r as PartnerRole)) invalid(`${at}.roles`, `role ${String(r)} is not one of ${PARTNER_ROLES.join(', ')}`);
    return r as PartnerRole;
  });
  if (new Set(roles).size !== roles.length) invalid(`${at}.roles`, 'a role is listed twice');
  const glns = list(v.glns, `${at}.glns`).map((g) => normaliseGln(text(g, `${at}.glns`)));
  const a = object(v.address, `${at}.address`);
  const l = object(v.licence, `${at}.licence`);
  const address: Address = {
    street: text(a.street, `${at}.address.street`), city: text(a.city, `${at}.address.city`),
    ...(a.state !== undefined ? { state: text(a.state, `${at}.address.state`) } : {}),
    postalCode: text(a.postalCode, `${at}.address.postalCode`), countryCode: text(a.countryCode, `${at}.address.countryCode`),
  };
  const licence: Licence = {
    type: text(l.type, `${at}.licence.type`), number: text(l.number, `${at}.licence.number`), authority: text(l.authority, `${at}.licence.authority`),
    validUntil: assertIsoDate(l.validUntil, `${at}.licence.validUntil`),
  };
  return { mspId: text(v.mspId, `${at}.mspId`), name: text(v.name, `${at}.name`), roles, glns, address, licence };
}

function parsePrefix(value: unknown, at: string): PrefixAssignment {
  const v = object(value, at);
  const prefix = text(v.prefix, `${at}.prefix`);
  if (!/^\d{6,12}$/.test(prefix)) invalid(`${at}.prefix`, 'a GS1 company prefix (as EPC URNs take it) is 6 to 12 digits');
  return { prefix, mspId: text(v.mspId, `${at}.mspId`) };
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) invalid(at, 'must be an object');
  return value as Record<string, unknown>;
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) invalid(at, 'must be a non-empty list');
  return value as unknown[];
}

function text(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 256) invalid(at, 'must be text (1-256 characters)');
  return value as string;
}

function invalid(field: string, reason: string): never {
  throw new DomainError('COMMAND_INVALID', `governance: ${field} ${reason}`, { field, reason });
}
