import type { OrgId } from '@pedigree/domain';

/**
 * Where an organisation keeps its private data: Fabric's implicit collection of that organisation,
 * which exists for every member (one joining later included) with no chaincode upgrade, whose data
 * only that organisation's peers store, and whose writes need that organisation's endorsement.
 * A shipment's Transaction Information goes into the seller's and the buyer's, so a third member —
 * present or future — is never a member of the collection holding it and cannot pull it.
 */
export function implicitCollectionOf(org: OrgId): string {
  return `_implicit_org_${org}`;
}
