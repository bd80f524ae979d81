import { randomBytes, createHash } from 'node:crypto';
import {
  checkReceipt, DomainError, RECEIVING_RULES, holdReason, inboundShipmentOf, type EventReceipt, nonMemberParty, type QuarantineReason, validateEpcisDocument, type Finding, type InboundShipment, type ReceiveInboundCommand,
} from '@pedigree/domain';
import type { MutationReceipt } from './ledger-commands';
import type { PartnerContext } from './partner-context';

/** What receiving a non-member's document answers. */
export interface InboundReceipt extends MutationReceipt {
  readonly documentId: string;
  readonly documentSha256: string;
  readonly sellerGln: string;
  readonly packs: number;
}

/**
 * Receives a shipment from a trading partner that is not a consortium member, from the EPCIS
 * document it sent (upload, the REST binding's POST /epcis/inbound, or the inbox folder standing in
 * for AS2). In order, each refusing the whole document with nothing recorded:
 * 1. the generic EPCIS 2.0 validator and the DSCSA profile (structure, GS1 syntax of every EPC);
 * 2. what the document says it shipped (inboundShipmentOf: parties, statement, every pack's lot and
 *    expiry through its containers); an aggregation that does not add up is not refused but is a
 *    finding of step 3;
 * 3. the receiving checks of member shipments (checkReceipt) with the document as the shipment and
 *    its own product master data as what must describe every GTIN; findings receive the shipment
 *    with their packs held and become receiving exceptions against the seller;
 * 4. the ledger's rules (ReceiveInbound: no member's GTIN, seller or serial; addressed to us).
 * The TI built from the document is then kept in our own implicit collection (KeepInboundTi,
 * endorsed by our peer alone), its salted hash already public with the receipt.
 */
export class InboundReceiver {
  constructor(private readonly p: PartnerContext) {}

  async receive(document: unknown, documentSha256: string, options: { site?: string } = {}): Promise<InboundReceipt> {
    const issues = validateEpcisDocument(document, { dscsa: true });
    if (issues.length) throw new DomainError('EPCIS_INVALID', `the document has ${issues.length} problem(s); nothing was recorded`, { issues });
    const shipment = inboundShipmentOf(document as object);
    if (!shipment.statementAffirmed) throw new DomainError('INBOUND_REFUSED', 'the seller did not affirm the DSCSA Transaction Statement (gs1ushc:dscsaTransactionStatement); nothing was recorded', { reason: 'transaction statement missing' });
    // The document's identity is its bytes: the same document re-sent is the same receipt. The TI's
    // salt is new on every send, so a re-sent document is answered from the receipt already recorded
    // rather than sent again (the ledger would refuse the other TI hash under the same event ID).
    const eventId = `inbound:${documentSha256}`;
    // A well-formed document addressed to us whose shipment is wrong against its own master data or
    // TI is received, not refused: the product is at our dock. Its findings become receiving
    // exceptions against the seller (`gln:<GLN>`), the packs held from the receipt on.
    const findings = this.check(shipment, eventId);
    const answer = { shipmentId: eventId, documentId: shipment.documentId, documentSha256, sellerGln: shipment.sellerGln, packs: shipment.packs.length };
    // The ledger's own receipt of the event ID (this organisation's), not the read model, which may lag.
    const done = await this.p.reads.optional<EventReceipt>('GetEventOf', [eventId, this.p.org]);
    if (done) {
      // A receipt whose raise did not happen (the service stopped between the two) is raised now.
      const raised = findings.length ? await this.raise(eventId, findings) : undefined;
      return { transactionId: done.txId, blockNumber: null, eventId, duplicate: true, changed: [], inferred: [], pending: [], exceptions: raised?.exceptions ?? [], readModelUpdated: true, ...answer };
    }
    const hold = [...new Set(findings.flatMap((f) => f.hold))].sort();
    const reason: QuarantineReason = findings.some((f) => holdReason(f.rule) === 'suspect') ? 'suspect' : 'no_pedigree_match';
    const ti = transactionInformationOf(shipment, this.p.org, documentSha256);
    const command: ReceiveInboundCommand = {
      eventId,
      sellerGln: shipment.sellerGln,
      ...(shipment.sellerName ? { sellerName: shipment.sellerName.slice(0, 256) } : {}),
      receiverGln: shipment.receiverGln,
      documentId: shipment.documentId.slice(0, 256),
      documentSha256,
      ...(shipment.bizTransaction ? { bizTransaction: shipment.bizTransaction } : {}),
      packs: shipment.packs.map((x) => ({ epc: x.epc, lot: x.lot, expiry: x.expiry })),
      ...(shipment.containers.length ? { containers: shipment.containers.map((c) => ({ id: c.id, children: [...c.children] })) } : {}),
      ...(options.site ? { site: options.site } : {}),
      statement: { affirmed: true, ...(shipment.legalNotice ? { legalNotice: shipment.legalNotice } : {}) },
      tiSha256: createHash('sha256').update(ti).digest('hex'),
      ...(hold.length ? { hold: { epcs: hold, reason } } : {}),
    };
    const receipt = await this.p.commands.submit('ReceiveInbound', command);
    if (!receipt.duplicate) {
      await this.p.commands.submit('KeepInboundTi', { eventId: `${command.eventId}:ti`, shipmentId: command.eventId }, { transient: { ti }, endorsingOrganizations: [this.p.org] });
    }
    if (!findings.length) return { ...receipt, ...answer };
    const raised = await this.raise(eventId, findings);
    return { ...receipt, ...answer, changed: [...new Set([...receipt.changed, ...raised.changed])], exceptions: raised.exceptions };
  }

  /** One RaiseExceptions per document, under an event ID of its own: raising twice answers the first. */
  private async raise(eventId: string, findings: Finding[]): Promise<MutationReceipt> {
    const raiseId = `${eventId}:exceptions`;
    const done = await this.p.reads.optional<EventReceipt>('GetEventOf', [raiseId, this.p.org]);
    if (done) return { transactionId: done.txId, blockNumber: null, eventId: raiseId, shipmentId: null, duplicate: true, changed: [], inferred: [], pending: [], exceptions: findings.map((_, i) => `${raiseId}#${i + 1}`), readModelUpdated: true };
    return this.p.commands.submit('RaiseExceptions', { eventId: raiseId, findings, refer: true, ...this.p.clockField });
  }

  /**
   * Issue 14's receiving checks, the document standing for the ledger's shipment record (`shipmentId`,
   * the receipt's event ID), its EPCClass master data for the products and its quantityList for the TI.
   */
  private check(s: InboundShipment, shipmentId: string): Finding[] {
    const shipped = {
      shipmentId, seller: nonMemberParty(s.sellerGln), addressee: this.p.org, epcs: s.topLevel,
      containers: s.containers.map((c) => ({ ...c, sealed: true })), packs: s.packs.map((x) => ({ id: x.epc, gtin: x.gtin, lot: x.lot, expiry: x.expiry })),
      ...(s.tiLines.length ? { ti: s.tiLines } : {}),
    };
    const load = s.loadFindings.map((f): Finding => ({ ...f, shipmentId, seller: shipped.seller, receiver: this.p.org }));
    const checked = checkReceipt(shipped, { receiver: this.p.org, presented: s.topLevel, scanned: [], brokenSeals: [], masterData: Object.keys(s.products) });
    // In rule order, as checkReceipt gives its own (the exception IDs number them in this order).
    return [...load, ...checked].sort((a, b) => RECEIVING_RULES.indexOf(a.rule) - RECEIVING_RULES.indexOf(b.rule));
  }
}

/**
 * The DSCSA Transaction Information (§581(26)) the document carries, one line per product and lot,
 * salted so its public hash cannot be confirmed by guessing its few fields.
 */
function transactionInformationOf(s: InboundShipment, receiver: string, documentSha256: string): string {
  const lines = new Map<string, { gtin: string; lot: string; expiry: string; quantity: number }>();
  for (const x of s.packs) {
    const key = `${x.gtin}|${x.lot}`;
    const line = lines.get(key) ?? { gtin: x.gtin, lot: x.lot, expiry: x.expiry, quantity: 0 };
    line.quantity += 1;
    lines.set(key, line);
  }
  const products = [...lines.values()].map((l) => {
    const md = s.products[l.gtin] ?? {};
    return {
      ...l,
      ...(md['additionalTradeItemIdentification'] ? { ndc: md['additionalTradeItemIdentification'] } : {}),
      ...(md['regulatedProductName'] ? { name: md['regulatedProductName'] } : {}),
      ...(md['dosageFormType'] ? { dosageForm: md['dosageFormType'] } : {}),
      ...(md['strengthDescription'] ? { strength: md['strengthDescription'] } : {}),
      ...(md['netContentDescription'] ? { containerSize: md['netContentDescription'] } : {}),
      ...(md['manufacturerOfTradeItemPartyName'] ? { manufacturer: md['manufacturerOfTradeItemPartyName'] } : {}),
    };
  });
  return JSON.stringify({
    transactionDate: s.shippedAt.slice(0, 10), shipmentDate: s.shippedAt,
    seller: { gln: s.sellerGln, ...(s.sellerName ? { name: s.sellerName } : {}) }, buyer: { mspId: receiver, gln: s.receiverGln },
    products, documentId: s.documentId, documentSha256, ...(s.bizTransaction ? { bizTransaction: s.bizTransaction } : {}),
    salt: randomBytes(16).toString('hex'),
  });
}
