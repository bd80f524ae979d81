import { KeyEndorsementPolicy } from 'fabric-shim';
import type { ContainerRecord, OrgId, PackRecord } from '@pedigree/domain';

/**
 * State-based endorsement of pack and container keys.
 *
 * - At rest, a key needs its owner's peer: nobody can change an organisation's packs without its
 *   own peer executing the rules, even if the other two organisations collude (MAJORITY alone
 *   would let them).
 * - In transit, the key needs the owner's OR the addressee's peer. The addressee must be able to
 *   receive without the shipper's peer (which may be offline; the shipper already consented by
 *   shipping), and the shipper must still be able to void its own shipment.
 *
 * fabric-shim's KeyEndorsementPolicy can only express "all of these orgs" (NOutOf n = number of
 * orgs), so the in-transit policy takes its envelope and lowers n to 1.
 */
export function keyPolicyOrgs(record: PackRecord | ContainerRecord): OrgId[] {
  const orgs = new Set([record.owner]);
  if (record.shipment) orgs.add(record.shipment.to);
  return [...orgs].sort();
}

export function anyOfPeersPolicy(orgs: readonly OrgId[]): Uint8Array {
  const sorted = [...new Set(orgs)].sort();
  const ep = new KeyEndorsementPolicy();
  ep.addOrgs('PEER', ...sorted);
  if (sorted.length === 1) return ep.getPolicy();
  const envelope = (ep as unknown as PolicyEnvelopeBuilder)._getPolicyFromMspId();
  envelope.getRule().getNOutOf().setN(1);
  return envelope.serializeBinary();
}

/** The protobuf objects fabric-shim builds internally (SignaturePolicyEnvelope). */
interface PolicyEnvelopeBuilder {
  _getPolicyFromMspId(): {
    getRule(): { getNOutOf(): { setN(n: number): void } };
    serializeBinary(): Uint8Array;
  };
}
