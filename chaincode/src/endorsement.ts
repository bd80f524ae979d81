import { common, msp } from '@hyperledger/fabric-protos';
import type { ContainerRecord, OrgId, PackRecord } from '@pedigree/domain';

/**
 * Key-level (state-based) endorsement. Fabric validates a key that carries a key-level policy
 * against that policy INSTEAD of the chaincode's, so a policy naming one organisation would let that
 * organisation alone — pointing its own peer at modified chaincode it approved for itself — rewrite
 * the record. Every policy here therefore needs a second member's peer, which runs the honest
 * chaincode and refuses to sign a result it does not reproduce:
 *
 * - at rest: the owner's peer AND another member's peer;
 * - in transit: (the shipper's OR the addressee's peer) AND another member's peer — the addressee
 *   receives without the shipper's peer, and the shipper may void, but neither alone;
 * - master data and lot decisions: the record holder's peer AND another member's peer;
 * - governance records: a majority of the members' peers.
 */
export function vouchers(record: PackRecord | ContainerRecord): OrgId[] {
  const orgs = new Set([record.owner]);
  if (record.shipment) orgs.add(record.shipment.to);
  return [...orgs].sort();
}

/**
 * "Any one of `vouchers`, AND a peer of some other member": OR over each voucher v of
 * AND(v, OR(members other than v)). Written out per voucher because a signature satisfies one
 * principal only, so the second peer can never be the first one again. In a consortium of one the
 * voucher alone is all there is.
 */
export function voucherAndAnotherPolicy(voucherOrgs: readonly OrgId[], members: readonly OrgId[]): Uint8Array {
  const vs = [...new Set(voucherOrgs)].sort();
  const all = [...new Set([...members, ...vs])].sort();
  const index = new Map(all.map((o, i) => [o, i]));
  const branches = vs.map((v) => {
    const others = all.filter((o) => o !== v);
    if (others.length === 0) return signedBy(index.get(v) as number);
    return nOutOf(2, [signedBy(index.get(v) as number), nOutOf(1, others.map((o) => signedBy(index.get(o) as number)))]);
  });
  return envelope(all, branches.length === 1 ? (branches[0] as common.SignaturePolicy) : nOutOf(1, branches));
}

/** n of the members' peers. */
export function membersPolicy(members: readonly OrgId[], n: number): Uint8Array {
  const all = [...new Set(members)].sort();
  return envelope(all, nOutOf(Math.min(n, all.length), all.map((_, i) => signedBy(i))));
}

function envelope(orgs: readonly OrgId[], rule: common.SignaturePolicy): Uint8Array {
  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(rule);
  env.setIdentitiesList(orgs.map(peerOf));
  return env.serializeBinary();
}

function peerOf(mspId: OrgId): msp.MSPPrincipal {
  const role = new msp.MSPRole();
  role.setMspIdentifier(mspId);
  role.setRole(msp.MSPRole.MSPRoleType.PEER);
  const principal = new msp.MSPPrincipal();
  principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
  principal.setPrincipal(role.serializeBinary());
  return principal;
}

function signedBy(index: number): common.SignaturePolicy {
  const p = new common.SignaturePolicy();
  p.setSignedBy(index);
  return p;
}

function nOutOf(n: number, rules: common.SignaturePolicy[]): common.SignaturePolicy {
  const inner = new common.SignaturePolicy.NOutOf();
  inner.setN(n);
  inner.setRulesList(rules);
  const p = new common.SignaturePolicy();
  p.setNOutOf(inner);
  return p;
}
