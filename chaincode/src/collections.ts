import collections from '../collections.json';
import type { OrgId } from '@pedigree/domain';

/**
 * The pairwise private collections of chaincode/collections.json (the file the network deploys),
 * read here so the pairing has one source of truth: the collection whose policy names exactly
 * these two organisations.
 */
interface CollectionConfig {
  readonly name: string;
  readonly policy: string;
}

const PAIRS = (collections as readonly CollectionConfig[]).map((c) => ({
  name: c.name,
  members: [...c.policy.matchAll(/'([A-Za-z0-9.-]+)\.member'/g)].map((m) => m[1] as string).sort(),
}));

export function tradingPairCollection(a: OrgId, b: OrgId): string | undefined {
  const wanted = [a, b].sort().join('|');
  return PAIRS.find((p) => p.members.length === 2 && p.members.join('|') === wanted)?.name;
}

export function collectionMembers(name: string): readonly OrgId[] {
  return PAIRS.find((p) => p.name === name)?.members ?? [];
}
