import { DomainError } from '../errors';
import { parseEpcUrn } from '../gs1/epc-urn';
import { isValidGln, normaliseGtin } from '../gs1/gtin';
import type { FindingEvidence } from '../exceptions/receiving-checks';
import { assertIsoDate, type IsoDate } from '../time';
import { normaliseVocabulary } from './vocabulary';
import { dscsaHeaderOf } from './xml/dscsa-header';

/**
 * What a non-member seller's EPCIS document (GS1 US DSCSA guideline: SBDH, Transaction Statement,
 * product and location master data, the pedigree events up to the shipping event) says it shipped,
 * read from the EPCIS 2.0 JSON-LD form the XML reader produces for 1.2 and 2.0 XML alike. Pure:
 * the receiving service checks what this returns before it records anything.
 */
export interface InboundPackLine {
  readonly epc: string;
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: IsoDate;
}

export interface InboundShipment {
  readonly sellerGln: string;
  readonly sellerName?: string;
  readonly receiverGln: string;
  readonly documentId: string;
  readonly statementAffirmed: boolean;
  readonly legalNotice?: string;
  /** The shipping event's time. */
  readonly shippedAt: string;
  /** The shipping event's despatch advice (or first) business transaction. */
  readonly bizTransaction?: string;
  /** The shipping event's EPCs (cases, pallets, loose packs). */
  readonly topLevel: readonly string[];
  /** Containers of the load with their children, from the document's packing events. */
  readonly containers: ReadonlyArray<{ readonly id: string; readonly children: readonly string[] }>;
  /** Every pack of the load, loose or inside a container, with the lot and expiry its commissioning event gave. */
  readonly packs: readonly InboundPackLine[];
  /** Product master data by GTIN-14 (EPCClass attributes, local names). */
  readonly products: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The quantities the shipping event states by class (its quantityList: LGTIN with the lot, or a
   * GTIN class), the document's own Transaction Information line items; empty when it states none.
   */
  readonly tiLines: ReadonlyArray<{ readonly gtin: string; readonly lot?: string; readonly quantity: number }>;
  /**
   * Where the document's aggregation does not add up (a case listing packs the document does not
   * ship, an EPC in two places, a pack shipped loose whose case did not ship): each place is recorded
   * once, the first the document gives (shipping event order, depth first), and the finding is a
   * receiving exception against the seller with the packs it concerns held.
   */
  readonly loadFindings: readonly InboundLoadFinding[];
}

/** A receiving finding the document itself gives (the parties and shipment are the receiver's to add). */
export interface InboundLoadFinding {
  readonly rule: 'aggregation_missing_pack' | 'aggregation_extra_pack';
  readonly subjects: readonly string[];
  /** Packs of the load to hold. */
  readonly hold: readonly string[];
  readonly evidence: FindingEvidence;
}

type Obj = Record<string, unknown>;
interface Ev { quantityList?: Array<{ epcClass?: unknown; quantity?: unknown }>; type?: string; action?: string; bizStep?: string; eventTime?: string; epcList?: string[]; parentID?: string; childEPCs?: string[]; ilmd?: Obj; bizTransactionList?: Array<{ type?: string; bizTransaction: string }> }

function refused(path: string, message: string): DomainError {
  return new DomainError('INBOUND_REFUSED', `${path}: ${message}; nothing was recorded`, { issues: [{ path, rule: 'inbound', message }], reason: message });
}

/** A party's identifier as SBDH carries it: a bare GLN (Authority GS1), an SGLN / PGLN URN, or a Digital Link with AI 414/417. */
function glnOf(identifier: string | undefined, path: string): string {
  const id = (identifier ?? '').trim();
  if (isValidGln(id)) return id;
  const dl = /\/(?:414|417)\/(\d{13})(?:[/?#]|$)/.exec(id);
  if (dl && isValidGln(dl[1] as string)) return dl[1] as string;
  if (/^urn:epc:id:(sgln|pgln):/.test(id)) {
    const parsed = parseEpcUrn(id);
    if (parsed.scheme === 'sgln' || parsed.scheme === 'pgln') return parsed.gln;
  }
  throw refused(path, `${JSON.stringify(id)} is not a GLN (bare, SGLN/PGLN URN or Digital Link)`);
}

/** GTIN-14 of an EPC class as master data names it: SGTIN pattern, LGTIN class or Digital Link. */
export function gtinOfEpcClass(id: string): string | undefined {
  const pattern = /^urn:epc:idpat:sgtin:(\d+\.\d+)\.\*$/.exec(id);
  try {
    if (pattern) return (parseEpcUrn(`urn:epc:id:sgtin:${pattern[1]}.0`) as { gtin: string }).gtin;
    if (id.startsWith('urn:epc:class:lgtin:')) return (parseEpcUrn(id) as { gtin: string }).gtin;
    const dl = /\/01\/(\d{14})(?:[/?#]|$)/.exec(id);
    if (dl) return normaliseGtin(dl[1] as string);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The fields read here, of the types they must have (the validator runs first; this never trusts it). */
function eventShape(value: unknown, path: string): Ev {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refused(path, 'is not an event');
  const e = value as Record<string, unknown>;
  for (const k of ['type', 'action', 'bizStep', 'eventTime', 'parentID'] as const) {
    if (e[k] !== undefined && typeof e[k] !== 'string') throw refused(`${path}.${k}`, 'must be text');
  }
  for (const k of ['epcList', 'childEPCs'] as const) {
    if (e[k] !== undefined && !(Array.isArray(e[k]) && (e[k] as unknown[]).every((x) => typeof x === 'string'))) throw refused(`${path}.${k}`, 'must be a list of EPCs');
  }
  const q = e['quantityList'];
  if (q !== undefined && !(Array.isArray(q) && q.every((x) => x && typeof x === 'object' && typeof (x as Obj)['epcClass'] === 'string' && typeof (x as Obj)['quantity'] === 'number'))) {
    throw refused(`${path}.quantityList`, 'must be a list of { epcClass, quantity }');
  }
  if (e['ilmd'] !== undefined && (!e['ilmd'] || typeof e['ilmd'] !== 'object' || Array.isArray(e['ilmd']))) throw refused(`${path}.ilmd`, 'must be an object');
  const biz = e['bizTransactionList'];
  if (biz !== undefined && !(Array.isArray(biz) && biz.every((b) => b && typeof b === 'object' && typeof (b as Obj)['bizTransaction'] === 'string' && ['undefined', 'string'].includes(typeof (b as Obj)['type'])))) {
    throw refused(`${path}.bizTransactionList`, 'must be a list of { type?, bizTransaction }');
  }
  return e as Ev;
}

const step = (e: Ev): string => (e.bizStep ? normaliseVocabulary('bizStep', e.bizStep) : '');

/**
 * The shipment a non-member's document describes.
 * @throws DomainError INBOUND_REFUSED naming the element: no SBDH sender or receiver, no (or more
 *   than one) shipping event, a pack of the load without a commissioning event giving its lot and
 *   expiry, a container without a packing event.
 */
export function inboundShipmentOf(document: object): InboundShipment {
  const header = dscsaHeaderOf(document);
  const sellerGln = glnOf(header.sender?.identifier, 'epcisHeader.StandardBusinessDocumentHeader.Sender');
  const receiverGln = glnOf(header.receiver?.identifier, 'epcisHeader.StandardBusinessDocumentHeader.Receiver');
  if (!header.instanceIdentifier) throw refused('epcisHeader.StandardBusinessDocumentHeader.DocumentIdentification.InstanceIdentifier', 'the document has no identifier');
  const listed = (document as { epcisBody?: { eventList?: unknown } }).epcisBody?.eventList ?? [];
  if (!Array.isArray(listed)) throw refused('epcisBody.eventList', 'is not a list of events');
  const events = listed.map((e: unknown, i) => eventShape(e, `epcisBody.eventList[${i}]`));

  const shipping = events.map((e, i) => ({ e, i })).filter(({ e }) => e.type === 'ObjectEvent' && step(e) === 'shipping');
  if (shipping.length !== 1) throw refused('epcisBody.eventList', `the document has ${shipping.length} shipping events; an inbound shipment is one`);
  const ship = (shipping[0] as { e: Ev; i: number }).e;
  const topLevel = ship.epcList ?? [];
  if (!topLevel.length) throw refused(`epcisBody.eventList[${(shipping[0] as { i: number }).i}].epcList`, 'the shipping event lists no EPCs');

  const commissioned = new Map<string, { lot: string; expiry: string; at: string }>();
  const children = new Map<string, string[]>();
  events.forEach((e, i) => {
    if (e.type === 'ObjectEvent' && e.action === 'ADD' && step(e) === 'commissioning') {
      const lot = e.ilmd?.['cbvmda:lotNumber'];
      const expiry = e.ilmd?.['cbvmda:itemExpirationDate'];
      for (const epc of e.epcList ?? []) commissioned.set(epc, { lot: String(lot ?? ''), expiry: String(expiry ?? ''), at: `epcisBody.eventList[${i}]` });
    }
    if (e.type === 'AggregationEvent' && e.action === 'ADD' && e.parentID) children.set(e.parentID, [...(children.get(e.parentID) ?? []), ...(e.childEPCs ?? [])]);
    if (e.type === 'AggregationEvent' && e.action === 'DELETE' && e.parentID) children.delete(e.parentID);
  });

  const packs: InboundPackLine[] = [];
  const containers: Array<{ id: string; listed: readonly string[]; children: string[] }> = [];
  /** Where each EPC of the load is recorded: its container, or null when it travels loose. */
  const placed = new Map<string, string | null>();
  /** Second places the document gives an EPC, and listed packs it does not describe. */
  const elsewhere: Array<{ epc: string; parent: string | null; first: string | null }> = [];
  const undescribed = new Map<string, string[]>();
  /** Records `epc` under `parent`; false when it is not recorded there. */
  const walk = (epc: string, path: string, parent: string | null): boolean => {
    if (placed.has(epc)) {
      elsewhere.push({ epc, parent, first: placed.get(epc) ?? null });
      return false;
    }
    if (epc.startsWith('urn:epc:id:sscc:')) {
      const inside = children.get(epc);
      if (!inside?.length) throw refused(path, `container ${epc} has no packing event saying what it holds`);
      placed.set(epc, parent);
      const c = { id: epc, listed: inside, children: [] as string[] };
      containers.push(c);
      for (const child of inside) if (walk(child, path, epc)) c.children.push(child);
      if (!c.children.length) throw refused(path, `container ${epc} lists no pack with a commissioning event (lot and expiry) in the document`);
      return true;
    }
    const id = (() => {
      try {
        return parseEpcUrn(epc);
      } catch (err) {
        throw refused(path, err instanceof Error ? err.message : String(err));
      }
    })();
    if (id.scheme !== 'sgtin') throw refused(path, `${epc} is neither a pack (SGTIN) nor a container (SSCC)`);
    const c = commissioned.get(epc);
    if (!c?.lot) {
      // A case listing a pack the document does not ship is the case's finding; a pack shipped
      // loose with no data has nothing to receive it by.
      if (parent !== null) {
        undescribed.set(parent, [...(undescribed.get(parent) ?? []), epc]);
        return false;
      }
      throw refused(path, `pack ${epc} has no commissioning event with its lot (cbvmda:lotNumber)`);
    }
    let expiry: IsoDate;
    try {
      expiry = assertIsoDate(c.expiry, 'cbvmda:itemExpirationDate');
    } catch {
      throw refused(`${c.at}.ilmd`, `pack ${epc} has no valid expiry (cbvmda:itemExpirationDate)`);
    }
    placed.set(epc, parent);
    packs.push({ epc, gtin: id.gtin, serial: id.serial, lot: c.lot, expiry });
    return true;
  };
  topLevel.forEach((epc, k) => walk(epc, `epcisBody.eventList[${(shipping[0] as { i: number }).i}].epcList[${k}]`, null));
  const loadFindings = loadFindingsOf(containers, placed, elsewhere, undescribed, documentParents(children), new Set(packs.map((x) => x.epc)));

  const products: Record<string, Record<string, string>> = {};
  for (const [cls, attrs] of Object.entries(header.products)) {
    const gtin = gtinOfEpcClass(cls);
    if (gtin) products[gtin] = { ...products[gtin], ...attrs };
  }
  const seller = Object.entries(header.locations).find(([id]) => { try { return glnOf(id, '') === sellerGln; } catch { return false; } })?.[1];
  const biz = ship.bizTransactionList ?? [];
  const despatch = biz.find((b) => b.type !== undefined && /desadv$/.test(b.type)) ?? biz[0];
  const ts = (document as { epcisHeader?: Obj }).epcisHeader?.['gs1ushc:dscsaTransactionStatement'] as Obj | undefined;
  const notice = ts && typeof ts === 'object' ? Object.entries(ts).find(([k]) => k.endsWith('legalNotice'))?.[1] : undefined;
  return {
    sellerGln,
    ...(seller?.['name'] ? { sellerName: seller['name'] } : {}),
    receiverGln,
    documentId: header.instanceIdentifier ?? '',
    statementAffirmed: header.transactionStatementAffirmed === true,
    ...(typeof notice === 'string' ? { legalNotice: notice } : {}),
    shippedAt: String(ship.eventTime ?? ''),
    ...(despatch ? { bizTransaction: despatch.bizTransaction } : {}),
    topLevel,
    containers: containers.map((c) => ({ id: c.id, children: c.children })),
    packs,
    products,
    tiLines: (ship.quantityList ?? []).map((x, k) => tiLineOf(String(x.epcClass), Number(x.quantity), `epcisBody.eventList[${(shipping[0] as { i: number }).i}].quantityList[${k}]`)),
    loadFindings,
  };
}

/** Each child's container by the document's packing events (those still in force). */
function documentParents(children: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [parent, kids] of children) for (const kid of kids) out.set(kid, parent);
  return out;
}

/**
 * The load's aggregation findings: a container whose recorded contents lack children its packing
 * event lists (packs the document does not ship, or an EPC recorded in another place first):
 * `aggregation_missing_pack`; an EPC the shipping event lists again where it was already recorded,
 * or shipped loose while its packing event puts it in a container that did not ship:
 * `aggregation_extra_pack`. Every pack a finding concerns is held (the container's contents and the
 * EPC's own).
 */
function loadFindingsOf(
  containers: ReadonlyArray<{ id: string; listed: readonly string[]; children: readonly string[] }>,
  placed: ReadonlyMap<string, string | null>,
  elsewhere: ReadonlyArray<{ epc: string; parent: string | null; first: string | null }>,
  undescribed: ReadonlyMap<string, readonly string[]>,
  documentParent: ReadonlyMap<string, string>,
  packIds: ReadonlySet<string>,
): InboundLoadFinding[] {
  const recorded = new Map(containers.map((c) => [c.id, c.children]));
  const packsOf = (epc: string): string[] => (packIds.has(epc) ? [epc] : (recorded.get(epc) ?? []).flatMap(packsOf));
  const where = (container: string | null): string => (container === null ? 'loose in the shipping event' : `in ${container}`);
  const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();
  const findings: InboundLoadFinding[] = [];
  for (const c of containers) {
    const missing = c.listed.filter((x) => !c.children.includes(x));
    if (!missing.length) continue;
    const notShipped = undescribed.get(c.id) ?? [];
    const moved = elsewhere.filter((x) => x.parent === c.id);
    const reasons = [
      ...(notShipped.length ? [`${notShipped.length} pack(s) the document does not ship (no commissioning event with lot and expiry)`] : []),
      ...moved.map((x) => `${x.epc}, recorded ${where(x.first)}`),
    ];
    findings.push({
      rule: 'aggregation_missing_pack',
      subjects: sorted([c.id, ...missing]),
      hold: sorted([...packsOf(c.id), ...moved.flatMap((x) => packsOf(x.epc))]),
      evidence: { summary: `the document's packing event lists ${c.listed.length} children in ${c.id}; ${c.children.length} are recorded there: ${reasons.join('; ')}`, container: c.id, expected: [...c.listed], scanned: [...c.children], missing },
    });
  }
  for (const x of elsewhere.filter((e) => e.parent === null)) {
    findings.push({
      rule: 'aggregation_extra_pack',
      subjects: [x.epc],
      hold: sorted(packsOf(x.epc)),
      evidence: { summary: `${x.epc} is listed again loose in the shipping event; it is recorded ${where(x.first)}`, ...(x.first ? { container: x.first } : {}), unexpected: [x.epc] },
    });
  }
  for (const [epc, parent] of placed) {
    const inDocument = documentParent.get(epc);
    if (parent !== null || inDocument === undefined || placed.has(inDocument)) continue;
    findings.push({
      rule: 'aggregation_extra_pack',
      subjects: [epc],
      hold: sorted(packsOf(epc)),
      evidence: { summary: `${epc} is shipped loose, but the document's packing event puts it in ${inDocument}, which the shipping event does not list`, container: inDocument, unexpected: [epc] },
    });
  }
  return findings;
}

/** A TI line from a quantity element: packs are counted, so the quantity is a whole number of them. */
function tiLineOf(epcClass: string, quantity: number, path: string): { gtin: string; lot?: string; quantity: number } {
  if (!Number.isInteger(quantity) || quantity < 0) throw refused(`${path}.quantity`, `${quantity} is not a whole number of packs`);
  if (epcClass.startsWith('urn:epc:class:lgtin:')) {
    try {
      const id = parseEpcUrn(epcClass);
      if (id.scheme === 'lgtin') return { gtin: id.gtin, lot: id.lot, quantity };
    } catch (err) {
      throw refused(`${path}.epcClass`, err instanceof Error ? err.message : String(err));
    }
  }
  const gtin = gtinOfEpcClass(epcClass);
  if (!gtin) throw refused(`${path}.epcClass`, `${JSON.stringify(epcClass)} is not a product class (LGTIN, SGTIN pattern or Digital Link)`);
  return { gtin, quantity };
}
