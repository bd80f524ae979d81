import { DomainError } from '../errors';
import { assertSerialOrLot, normaliseGln, normaliseGtin } from '../gs1/gtin';
import { parseEpcUrn } from '../gs1/epc-urn';
import { assertIsoDate, parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import type { ContainerRecord, OrgId, PackRecord } from './records';

/**
 * Packs that come onto the ledger from a trading partner that is not a consortium member (an
 * inbound EPCIS document). The rules an attacker would probe live here, pure, so the chaincode
 * and the specs apply the same ones:
 * - a GTIN under a member's company prefix, or in the product registry, is a member's product: its
 *   packs start their life with the member's Commission, never with someone's claim from a document
 *   (else any member could squat another's serials before they are made, or launder counterfeits
 *   under a genuine GTIN);
 * - a serial the ledger already knows is refused (ALREADY_COMMISSIONED): a second receiver cannot
 *   take over packs a first one recorded;
 * - the seller must not be a member (members ship on the ledger) and the document must be
 *   addressed to one of the caller's own GLNs.
 */

/** A non-member party where the records name an organisation: `gln:<GLN>` (never an MSP ID). */
export function nonMemberParty(gln: string): OrgId {
  return `gln:${normaliseGln(gln)}`;
}

export function isNonMemberParty(party: OrgId): boolean {
  return party.startsWith('gln:');
}

/** What makes a GTIN a member's: the company prefix the consortium assigned, or a registered product. */
export interface MemberClaim {
  readonly prefix?: { readonly prefix: string; readonly mspId: OrgId };
  readonly productManufacturer?: OrgId;
}

/** @throws DomainError INBOUND_MEMBER_PRODUCT when a member holds the GTIN. */
export function assertNotMemberProduct(gtin: string, claim: MemberClaim): void {
  const holder = claim.prefix?.mspId ?? claim.productManufacturer;
  if (holder === undefined) return;
  const why = claim.prefix ? `GS1 company prefix ${claim.prefix.prefix}, assigned to ${claim.prefix.mspId}` : `the product registry (${holder})`;
  throw new DomainError('INBOUND_MEMBER_PRODUCT', `${gtin} is a member's product (${why}): its packs are commissioned by ${holder} on the ledger, not received from a non-member's document`, {
    gtin, holder, reason: 'member product',
  });
}

/** @throws DomainError INBOUND_FROM_MEMBER when the seller's GLN is one a member was admitted with. */
export function assertSellerNotMember(sellerGln: string, members: ReadonlyArray<{ readonly mspId: OrgId; readonly glns: readonly string[] }>): void {
  const gln = normaliseGln(sellerGln);
  const member = members.find((m) => m.glns.includes(gln));
  if (member) {
    throw new DomainError('INBOUND_FROM_MEMBER', `the seller's GLN ${gln} is ${member.mspId}'s, a consortium member: a member's shipment is received on the ledger (Receive), not from a document`, {
      gln, member: member.mspId, reason: 'seller is a member',
    });
  }
}

/** @throws DomainError NOT_ADDRESSEE when the document is addressed to another party. */
export function assertAddressedTo(receiverGln: string, actor: OrgId, actorGlns: readonly string[]): void {
  const gln = normaliseGln(receiverGln);
  if (!actorGlns.includes(gln)) {
    throw new DomainError('NOT_ADDRESSEE', `the document is addressed to GLN ${gln}, which is not one of ${actor}'s admitted GLNs`, { actor, gln, reason: 'addressed elsewhere' });
  }
}

export interface InboundPackInput {
  readonly epc: string;
  readonly lot: string;
  readonly expiry: IsoDate;
  readonly seller: OrgId;
  readonly shipmentId: string;
  readonly site?: string;
}

/**
 * The first record of a pack received from a non-member: received (receipts 1, inferred from the
 * document, not scanned), owned and held by the receiver; the seller is its first known owner and
 * stands where a member's pack names its manufacturer (the ledger knows no earlier owner).
 */
export function inboundPack(input: InboundPackInput, actor: OrgId, at: IsoTimestamp): PackRecord {
  parseTimestamp(at, 'at');
  const id = parseEpcUrn(input.epc);
  if (id.scheme !== 'sgtin') throw new DomainError('COMMAND_INVALID', `${input.epc} is not a pack (SGTIN)`, { id: input.epc, reason: 'not a pack' });
  const gtin = normaliseGtin(id.gtin);
  const serial = assertSerialOrLot(id.serial, '21');
  return {
    docType: 'pack',
    id: input.epc,
    gtin,
    serial,
    lot: assertSerialOrLot(input.lot, '10'),
    expiry: assertIsoDate(input.expiry, 'expiry'),
    manufacturer: input.seller,
    owner: actor,
    custodian: actor,
    owners: [input.seller, actor],
    ...(input.site ? { site: input.site } : {}),
    status: 'received',
    receipts: 1,
    completeness: 'inferred',
    commissionedAt: at,
    updatedAt: at,
    version: 1,
  };
}

export interface InboundContainerInput {
  readonly id: string;
  readonly children: readonly string[];
}

/**
 * The containers of an inbound load as the receiver's own, sealed as they arrived (receipts 1), and
 * the load's packs with their parents, so a case goes on sealed or is unpacked later exactly as a
 * member's case. The document is the only account of the load, so it must add up: every child is a
 * pack or container of the load, inside exactly one container, with no cycle.
 * @throws DomainError COMMAND_INVALID naming the container or child that does not add up.
 */
export function inboundContainers(packs: readonly PackRecord[], containers: readonly InboundContainerInput[], actor: OrgId, at: IsoTimestamp, site?: string): { packs: PackRecord[]; containers: ContainerRecord[] } {
  parseTimestamp(at, 'at');
  const invalid = (message: string, id: string) => new DomainError('COMMAND_INVALID', `receiveInbound: ${message}`, { id, reason: 'aggregation' });
  const ids = new Set<string>();
  for (const c of containers) {
    const id = parseEpcUrn(c.id);
    if (id.scheme !== 'sscc') throw invalid(`${c.id} is not a container (SSCC)`, c.id);
    if (ids.has(c.id)) throw invalid(`container ${c.id} is listed twice`, c.id);
    if (!c.children.length) throw invalid(`container ${c.id} holds nothing`, c.id);
    ids.add(c.id);
  }
  const inLoad = new Set(packs.map((p) => p.id));
  const parentOf = new Map<string, string>();
  for (const c of containers) {
    for (const child of c.children) {
      if (!inLoad.has(child) && !ids.has(child)) throw invalid(`${child} in container ${c.id} is not in the load`, child);
      const other = parentOf.get(child);
      if (other !== undefined) throw invalid(`${child} is in two containers (${other}, ${c.id})`, child);
      parentOf.set(child, c.id);
    }
  }
  for (const id of ids) {
    const seen = new Set<string>([id]);
    for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      if (seen.has(up)) throw invalid(`container ${id} is inside itself`, id);
      seen.add(up);
    }
  }
  return {
    packs: packs.map((p) => {
      const parent = parentOf.get(p.id);
      return parent ? { ...p, parent } : p;
    }),
    containers: containers.map((c): ContainerRecord => {
      const parent = parentOf.get(c.id);
      const id = parseEpcUrn(c.id) as { sscc: string };
      return {
        docType: 'container', id: c.id, sscc: id.sscc, children: [...c.children].sort(), ...(parent ? { parent } : {}), sealed: true, status: 'packed',
        owner: actor, custodian: actor, ...(site ? { site } : {}), receipts: 1, createdAt: at, updatedAt: at, version: 1,
      };
    }),
  };
}
