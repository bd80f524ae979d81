import { createHash } from 'node:crypto';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  aggregate,
  applyCommand,
  applyToContents,
  assertAddressedTo,
  assertNotMemberProduct,
  assertSellerNotMember,
  inboundContainers,
  inboundPack,
  inheritCarried,
  nonMemberParty,
  assertIsoDate,
  bizTransactionUrn,
  canonicalJson,
  commissionEvent,
  containerId,
  decommissionEvent,
  descendantIds,
  destroyEvent,
  disaggregate,
  extendLotExpiry,
  dispenseEvent,
  DomainError,
  isContainer,
  isPack,
  isSellable,
  normaliseGtin,
  packEvent,
  packOverlays,
  quarantineEvent,
  recallLot,
  receiveContainer,
  receiveEvent,
  receivingSite,
  recallEvent,
  releaseEvent,
  returnReceiveEvent,
  returnShipEvent,
  sgtinToEpcUrn,
  shipContainer,
  shipEvent,
  unpackEvent,
  verifyProductIdentifier,
  voidContainerShipment,
  voidShippingEvent,
  withLotStatus,
  type AggregationResult,
  type CarriedCommand,
  type ContainerRecord,
  type EpcisEvent,
  TI_TRANSIENT_KEY,
  type IsoDate,
  type CaptureTransaction,
  type LedgerCommandInputs,
  type LotStatusRecord,
  type OrgId,
  type PackCommand,
  type PackRecord,
  type TraceRecord,
  parseLedgerCommand,
} from '@pedigree/domain';
import { implicitCollectionOf } from './collections';
import { ChaincodeError, toChaincodeError } from './errors';
import { KeyType, stateKey } from './keys';
import { page, prefixOf, reading, requireAuthorisedPartner, requirePartner, requireProduct } from './master-data.contract';
import { MAX_IDS_PER_TX, recordCapture, recordEvent, requireAuthority, requireList, type CommandScope, type Handler, type Outcome } from './recorder';
import type { EventReceipt, PartnerRecord, ProductRecord, ShipmentRecord } from '@pedigree/domain';
import { assertTimely, isPackId, traceKey, txTime, WorldState } from './world-state';

// Commands are the protocol's (libs/domain/src/protocol/commands.ts): one type for chaincode and clients.

const DEFAULT_LEGAL_NOTICE = 'Seller has complied with each applicable subsection of FDCA Sec. 581(27)(A)-(G).';

/**
 * Records changed by one command, in first-change order (the order they are written and published),
 * and for each pack changed only by moves its container can carry, those moves in order.
 */
class ChangeSet {
  private readonly byId = new Map<string, TraceRecord>();
  private readonly carriedById = new Map<string, CarriedCommand[]>();
  add(records: readonly TraceRecord[], carried?: ReadonlyMap<string, readonly CarriedCommand[]>): void {
    for (const r of records) {
      const before = this.byId.has(r.id) ? this.carriedById.get(r.id) : [];
      const now = carried?.get(r.id);
      if (before && now) this.carriedById.set(r.id, [...before, ...now]);
      else this.carriedById.delete(r.id);
      this.byId.set(r.id, r);
    }
  }
  addResult(result: AggregationResult): void {
    this.add(result.records, result.carried);
  }
  get view(): ReadonlyMap<string, TraceRecord> {
    return this.byId;
  }
  list(): TraceRecord[] {
    return [...this.byId.values()];
  }
  get carried(): ReadonlyMap<string, readonly CarriedCommand[]> | undefined {
    return this.carriedById.size ? this.carriedById : undefined;
  }
  outcome(): { records: TraceRecord[]; carried?: ReadonlyMap<string, readonly CarriedCommand[]> } {
    const carried = this.carried;
    return { records: this.list(), ...(carried ? { carried } : {}) };
  }
}

/**
 * The traceability contract: every DSCSA step on serialized packs and SSCC containers, each a batch
 * (one transaction carries many serials), each recorded once per client event ID, each publishing
 * one chaincode event with the full new state of everything it changed. All rules are
 * @pedigree/domain's (applyCommand and the aggregation functions); this contract loads, calls and
 * stores.
 */
@Info({ title: 'Traceability', description: 'DSCSA pack lifecycle, aggregation, shipments and verification' })
export class TraceabilityContract extends Contract {
  constructor() {
    super('traceability');
  }

  @Transaction()
  @Returns('string')
  async Commission(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Commission', commandJson, CAPTURE_HANDLERS.Commission);
  }

  @Transaction()
  @Returns('string')
  async Pack(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Pack', commandJson, CAPTURE_HANDLERS.Pack);
  }

  @Transaction()
  @Returns('string')
  async Unpack(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Unpack', commandJson, CAPTURE_HANDLERS.Unpack);
  }

  /**
   * Ships top-level EPCs to a trading partner. For a sale the Transaction Statement must be
   * affirmed and the Transaction Information passed as transient `ti`: it goes to the two partners'
   * private collection, and only its SHA-256 is public (ShipmentRecord.ti).
   */
  @Transaction()
  @Returns('string')
  async Ship(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Ship', commandJson, async (c, scope) => {
      const { state, at, actor, eventId } = scope;
      const epcs = requireList(c.epcs, 'epcs', 'ship');
      const purpose = c.purpose ?? 'sale';
      if (purpose !== 'sale' && purpose !== 'return') throw new DomainError('COMMAND_INVALID', `ship: purpose must be sale or return`, { reason: 'purpose' });
      if (!c.to) throw new DomainError('COMMAND_INVALID', 'ship: addressee (to) is required', { reason: 'addressee missing' });
      const seller = await requireAuthorisedPartner(state, actor, at);
      const buyer = await requireAuthorisedPartner(state, c.to, at);
      if (purpose === 'sale' && c.statement?.affirmed !== true) {
        throw new DomainError('COMMAND_INVALID', 'ship: a sale needs the DSCSA Transaction Statement affirmed (statement.affirmed = true)', { reason: 'transaction statement missing' });
      }
      const ti = transactionInformation(scope, purpose);
      const bizTransaction = bizTransactionUrn(seller.gln, eventId);
      const movement = { to: c.to, ...(c.toSite ? { toSite: c.toSite } : {}), purpose, bizTransactions: [bizTransaction] } as const;

      const changes = new ChangeSet();
      for (const epc of epcs) {
        if (isPackId(epc)) {
          const pack = await requirePack(state, epc);
          changes.add([applyCommand(changes.view.get(epc) as PackRecord | undefined ?? pack, { type: 'ship', ...movement }, actor, at)]);
        } else {
          const id = containerId(epc);
          await state.traceWithRelatives(id);
          changes.addResult(shipContainer(state.lookup(changes.view), id, movement, actor, at));
        }
      }

      let tiRef: ShipmentRecord['ti'];
      if (ti) {
        // Both partners' own collections: each endorses its write (the client asks both peers).
        const collections = [...new Set([actor, c.to])].map(implicitCollectionOf);
        for (const collection of collections) await ctx.stub.putPrivateData(collection, stateKey(ctx, KeyType.ti, eventId), ti);
        tiRef = { collections, sha256: createHash('sha256').update(ti).digest('hex') };
      }
      const topLevel = epcs.map((e) => (isPackId(e) ? e : containerId(e)));
      const shipment: ShipmentRecord = {
        docType: 'shipment',
        id: eventId,
        from: actor,
        to: c.to,
        ...(c.toSite ? { toSite: c.toSite } : {}),
        purpose,
        shippedAt: at,
        epcs: topLevel,
        bizTransaction,
        ...(c.statement?.affirmed === true ? { statement: { affirmed: true, legalNotice: c.statement.legalNotice ?? DEFAULT_LEGAL_NOTICE } } : {}),
        ...(tiRef ? { ti: tiRef } : {}),
        txId: ctx.stub.getTxID(),
      };
      await state.write(KeyType.shipment, [eventId], shipment);
      const transfer = { eventTime: at, epcs: topLevel, from: { owner: seller.pgln }, to: { owner: buyer.pgln } };
      const epcis =
        purpose === 'sale'
          ? shipEvent({ ...transfer, bizTransactions: [{ type: 'desadv', bizTransaction }] })
          : returnShipEvent({ ...transfer, bizTransactions: [{ type: 'rma', bizTransaction }] });
      return { ...changes.outcome(), epcis: [epcis], shipment };
    });
  }

  @Transaction()
  @Returns('string')
  async VoidShipping(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'VoidShipping', commandJson, async (c, { state, at, actor }) => {
      const epcs = requireList(c.epcs, 'epcs', 'voidShipping');
      const changes = new ChangeSet();
      for (const epc of epcs) {
        if (isPackId(epc)) changes.add([applyCommand(await requirePack(state, epc), { type: 'voidShipping' }, actor, at)]);
        else {
          const id = containerId(epc);
          await state.traceWithRelatives(id);
          changes.addResult(voidContainerShipment(state.lookup(changes.view), id, actor, at));
        }
      }
      return { ...changes.outcome(), epcis: [voidShippingEvent({ eventTime: at, epcs: epcs.map(topLevelId) })] };
    });
  }

  /**
   * Receives top-level EPCs as the addressee. Containers are received by SSCC: contents of intact
   * containers are inferred, scans are checked against the aggregation record (a mismatch blocks
   * the whole receipt), and ownership of everything received passes to the caller.
   */
  @Transaction()
  @Returns('string')
  async Receive(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Receive', commandJson, CAPTURE_HANDLERS.Receive);
  }

  /**
   * Receives a shipment from a trading partner that is not a consortium member, from the EPCIS
   * document it sent: the packs start their life here, as the caller's (libs/domain lifecycle/inbound.ts
   * says which GTINs, sellers and serials are refused, and why). The document's SHA-256 and the
   * salted TI hash are public on the inbound shipment record; the TI follows in KeepInboundTi.
   */
  @Transaction()
  @Returns('string')
  async ReceiveInbound(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'ReceiveInbound', commandJson, receiveInbound);
  }

  /**
   * Keeps an inbound shipment's Transaction Information (transient `ti`) in the receiver's own
   * implicit collection. Endorsed by the receiver's peer alone and writing no public key, so no
   * other organisation's peer ever sees the TI; the bytes must match the public salted hash that
   * ReceiveInbound recorded, so what is kept is what the ledger vouches for. Repeating it rewrites
   * the same bytes.
   */
  @Transaction()
  @Returns('string')
  async KeepInboundTi(ctx: Context, commandJson: string): Promise<string> {
    try {
      assertTimely(ctx);
      const c = parseLedgerCommand('KeepInboundTi', commandJson);
      const actor = ctx.clientIdentity.getMSPID();
      const state = new WorldState(ctx);
      await requireAuthority(ctx, state, 'KeepInboundTi', actor, txTime(ctx));
      const peer = process.env.PEDIGREE_PEER_MSP;
      if (peer && peer !== actor) throw new ChaincodeError('TI_FORBIDDEN', `keep the Transaction Information of shipment ${c.shipmentId} on your own organisation's peer, not ${peer}'s`);
      const shipment = await state.read<ShipmentRecord>(KeyType.shipment, c.shipmentId);
      if (!shipment?.inbound) throw new ChaincodeError('NOT_FOUND', `no inbound shipment ${c.shipmentId}`);
      if (shipment.to !== actor) throw new ChaincodeError('TI_FORBIDDEN', `only ${shipment.to}, its receiver, keeps the Transaction Information of inbound shipment ${c.shipmentId}`);
      const bytes = ctx.stub.getTransient().get(TI_TRANSIENT_KEY);
      if (!bytes || bytes.length === 0) throw new DomainError('COMMAND_INVALID', `KeepInboundTi: the Transaction Information must come as transient data '${TI_TRANSIENT_KEY}'`, { reason: 'transaction information missing' });
      if (createHash('sha256').update(bytes).digest('hex') !== shipment.ti?.sha256) {
        throw new DomainError('COMMAND_INVALID', `KeepInboundTi: the Transaction Information does not match the hash recorded for inbound shipment ${c.shipmentId}`, { reason: 'transaction information hash differs' });
      }
      await ctx.stub.putPrivateData(implicitCollectionOf(actor), stateKey(ctx, KeyType.ti, c.shipmentId), bytes);
      return canonicalJson({ duplicate: false, eventId: c.eventId, type: 'receive', txId: ctx.stub.getTxID(), changed: [] });
    } catch (err) {
      throw toChaincodeError(err);
    }
  }

  @Transaction()
  @Returns('string')
  async Dispense(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Dispense', commandJson, CAPTURE_HANDLERS.Dispense);
  }

  @Transaction()
  @Returns('string')
  async Decommission(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Decommission', commandJson, CAPTURE_HANDLERS.Decommission);
  }

  @Transaction()
  @Returns('string')
  async Destroy(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Destroy', commandJson, CAPTURE_HANDLERS.Destroy);
  }

  /**
   * A whole EPCIS document in one transaction: its commands (Commission, Pack, Unpack, Receive,
   * Dispense, Decommission, Destroy) apply in order, each as it would alone, and the first refusal
   * refuses them all. One batch event carries their events.
   */
  @Transaction()
  @Returns('string')
  async Capture(ctx: Context, commandJson: string): Promise<string> {
    return recordCapture(ctx, commandJson, CAPTURE_HANDLERS);
  }

  /** Quarantines suspect product; an SSCC quarantines every pack inside it. */
  @Transaction()
  @Returns('string')
  async Quarantine(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Quarantine', commandJson, packHandler('quarantine', (c) => ({ type: 'quarantine', reason: c.reason }), (c, at) => quarantineEvent({ eventTime: at, epcs: c.epcs.map(topLevelId), reason: c.reason }), true));
  }

  @Transaction()
  @Returns('string')
  async Release(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'Release', commandJson, packHandler('release', () => ({ type: 'release' }), (c, at) => releaseEvent({ eventTime: at, epcs: c.epcs.map(topLevelId) }), true));
  }

  /** A received return is verified (restocked) or not (quarantined as suspect). */
  @Transaction()
  @Returns('string')
  async VerifyReturn(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'VerifyReturn', commandJson, packHandler(
      'verifyReturn',
      (c) => ({ type: 'verifyReturn', verified: c.verified }),
      (c, at) => (c.verified ? releaseEvent({ eventTime: at, epcs: c.epcs }) : quarantineEvent({ eventTime: at, epcs: c.epcs, reason: 'suspect' })),
    ));
  }

  /**
   * The manufacturer recalls a lot: one lot record, whatever the lot's size and wherever its packs
   * are. Every command, read and verification sees the packs through it (WorldState.trace), and
   * packs commissioned into the lot later are born recalled.
   */
  @Transaction()
  @Returns('string')
  async RecallLot(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'RecallLot', commandJson, async (c, { state, at, actor }) => {
      const product = await requireProduct(state, c.gtin);
      const next = recallLot(await state.lotStatus(product.gtin, String(c.lot ?? '')), { gtin: product.gtin, lot: c.lot, recallId: c.recallId }, actor, product.manufacturer, at);
      await putLotStatus(state, next);
      return { records: [], epcis: [recallEvent({ eventTime: at, lot: { gtin: product.gtin, lot: next.lot } }, prefixOptions(product))], lot: { gtin: product.gtin, lot: next.lot, recallId: c.recallId } };
    });
  }

  /** FDA-sanctioned expiry extension of a lot by its manufacturer: one lot record, as a recall. */
  @Transaction()
  @Returns('string')
  async ExtendExpiry(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'ExtendExpiry', commandJson, async (c, { state, at, actor }) => {
      const until = assertIsoDate(c.until, 'until');
      const product = await requireProduct(state, c.gtin);
      const next = extendLotExpiry(await state.lotStatus(product.gtin, String(c.lot ?? '')), { gtin: product.gtin, lot: c.lot, until }, actor, product.manufacturer, at);
      await putLotStatus(state, next);
      // CBV has no business step for an expiry extension: the event carries the lot only.
      return { records: [], epcis: [], lot: { gtin: product.gtin, lot: next.lot, until } };
    });
  }

  // ---- reads (evaluate) ------------------------------------------------------------------------

  /** What verification needs: the pack record plus overlays and sellability at the query's time. */
  @Transaction(false)
  @Returns('string')
  async GetPack(ctx: Context, epc: string): Promise<string> {
    return reading(async () => {
      const pack = await requirePack(new WorldState(ctx), epc);
      const at = txTime(ctx);
      return canonicalJson({ pack, overlays: packOverlays(pack, at), sellable: isSellable(pack, at), at });
    });
  }

  /** GS1 US VRS-style verification of a product identifier (gtin, serial, lot?, expiry?). */
  @Transaction(false)
  @Returns('string')
  async VerifyPack(ctx: Context, requestJson: string): Promise<string> {
    return reading(async () => {
      const request = JSON.parse(requestJson) as { gtin: string; serial: string; lot?: string; expiry?: IsoDate };
      const state = new WorldState(ctx);
      const gtin = normaliseGtin(request.gtin);
      const product = await state.read<ProductRecord>(KeyType.product, gtin);
      const record = await state.trace(sgtinToEpcUrn(gtin, request.serial, product ? prefixOptions(product) : {}));
      const pack = isPack(record) ? record : undefined;
      const at = txTime(ctx);
      const outcome = verifyProductIdentifier(pack, request, at);
      return canonicalJson({ ...outcome, ...(pack ? { status: pack.status, overlays: packOverlays(pack, at) } : {}), at });
    });
  }

  /**
   * Every committed version of a pack, oldest first, with the transaction that wrote it: its own
   * key's versions and, between them, each transaction in which its container carried a move for
   * it (the version per-pack writes would have stored then).
   */
  @Transaction(false)
  @Returns('string')
  async GetPackHistory(ctx: Context, epc: string): Promise<string> {
    return reading(async () => {
      await requirePack(new WorldState(ctx), epc);
      const own = (await keyHistory<PackRecord>(ctx, epc)).sort(byVersion);
      const containers = new Map<string, Array<HistoryEntry<ContainerRecord>>>();
      const entries: Array<HistoryEntry<PackRecord>> = [...own];
      for (const entry of own) if (entry.record?.parent) containers.set(entry.record.parent, []);
      for (const id of containers.keys()) {
        const versions = await keyHistory<ContainerRecord>(ctx, id);
        versions.sort((a, b) => byVersion(a, b) || (a.record?.carried?.length ?? 0) - (b.record?.carried?.length ?? 0));
        containers.set(id, versions);
      }
      own.forEach((entry, i) => {
        const pack = entry.record;
        if (!pack?.parent) return;
        const next = own[i + 1];
        let carriedSoFar = 0;
        for (const v of containers.get(pack.parent) ?? []) {
          if (v.txId === entry.txId || v.timestamp < entry.timestamp || (next && (v.txId === next.txId || v.timestamp > next.timestamp))) continue;
          const carried = v.record?.carried?.length ?? 0;
          if (carried <= carriedSoFar) {
            if (carried === 0) carriedSoFar = 0;
            continue;
          }
          carriedSoFar = carried;
          entries.push({ txId: v.txId, timestamp: v.timestamp, isDelete: false, record: inheritCarried(pack, v.record) });
        }
      });
      entries.sort(byVersion);
      return canonicalJson(entries.map(({ record, ...e }) => ({ ...e, ...(record ? { pack: record } : {}) })));
    });
  }

  /** A lot traced back to its manufacturer: the product, any recall, and a page of its packs (with their owner chains). */
  @Transaction(false)
  @Returns('string')
  async GetLot(ctx: Context, gtin: string, lot: string, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => {
      const state = new WorldState(ctx);
      const product = await requireProduct(state, gtin);
      const lotStatus = await state.lotStatus(product.gtin, lot);
      const recall = lotStatus?.recall ? { gtin: product.gtin, lot, recallId: lotStatus.recall.recallId, since: lotStatus.recall.since, by: lotStatus.manufacturer } : undefined;
      const ids = await page<string>(ctx, KeyType.lot, [product.gtin, lot], pageSize, bookmark);
      const packs: PackRecord[] = [];
      for (const id of ids.records) packs.push(await requirePack(state, id));
      return canonicalJson({ product, ...(recall ? { recall } : {}), ...(lotStatus?.expiryExtendedTo ? { expiryExtendedTo: lotStatus.expiryExtendedTo } : {}), packs, bookmark: ids.bookmark, fetched: ids.fetched });
    });
  }

  /** A container with its direct children's records. */
  @Transaction(false)
  @Returns('string')
  async GetContainer(ctx: Context, sscc: string): Promise<string> {
    return reading(async () => {
      const state = new WorldState(ctx);
      const container = await requireContainer(state, sscc);
      const children: TraceRecord[] = [];
      for (const child of container.children) children.push((await state.trace(child)) as TraceRecord);
      return canonicalJson({ container, children });
    });
  }

  /** Every pack inside a container (at any depth), paginated; `bookmark` is the offset of the next page. */
  @Transaction(false)
  @Returns('string')
  async GetContainerPacks(ctx: Context, sscc: string, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => {
      const state = new WorldState(ctx);
      const container = await requireContainer(state, sscc);
      await state.traceWithRelatives(container.id);
      const size = Number(pageSize || 100);
      const from = Number(bookmark || 0);
      if (!Number.isInteger(size) || size < 1 || size > MAX_IDS_PER_TX || !Number.isInteger(from) || from < 0) {
        throw new DomainError('COMMAND_INVALID', 'pageSize must be 1-5000 and bookmark an offset', { reason: 'paging' });
      }
      const packIds = descendantIds(state.lookup(new Map()), container.id).filter(isPackId);
      const packs: PackRecord[] = [];
      for (const id of packIds.slice(from, from + size)) packs.push((await state.trace(id)) as PackRecord);
      return canonicalJson({ container: container.id, total: packIds.length, packs, bookmark: from + size < packIds.length ? String(from + size) : '' });
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetShipment(ctx: Context, shipmentId: string): Promise<string> {
    return reading(async () => canonicalJson(await requireShipment(new WorldState(ctx), shipmentId)));
  }

  /**
   * The private Transaction Information of a shipment, for its two trading partners only, with a
   * check that it still hashes to the public SHA-256.
   */
  @Transaction(false)
  @Returns('string')
  async GetTransactionInformation(ctx: Context, shipmentId: string): Promise<string> {
    return reading(async () => {
      const shipment = await requireShipment(new WorldState(ctx), shipmentId);
      const caller = ctx.clientIdentity.getMSPID();
      if (caller !== shipment.from && caller !== shipment.to) {
        throw new ChaincodeError('TI_FORBIDDEN', `only ${shipment.from} and ${shipment.to} may read the Transaction Information of shipment ${shipmentId}`);
      }
      // Each organisation's chaincode server knows whose peer it serves: TI is read on one's own peer.
      const peer = process.env.PEDIGREE_PEER_MSP;
      if (peer && peer !== caller) throw new ChaincodeError('TI_FORBIDDEN', `read the Transaction Information of shipment ${shipmentId} on your own organisation's peer, not ${peer}'s`);
      if (!shipment.ti) throw new ChaincodeError('NOT_FOUND', `shipment ${shipmentId} carries no Transaction Information`);
      // The caller's own copy (a shipment of before implicit collections: the pair's collection).
      const collection = shipment.ti.collection ?? implicitCollectionOf(caller);
      const bytes = await ctx.stub.getPrivateData(collection, stateKey(ctx, KeyType.ti, shipmentId));
      if (!bytes || bytes.length === 0) throw new ChaincodeError('NOT_FOUND', `this peer holds no Transaction Information for shipment ${shipmentId} (ask your own organisation's peer)`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return canonicalJson({ shipmentId, collection, sha256, matchesPublicHash: sha256 === shipment.ti.sha256, ti: JSON.parse(Buffer.from(bytes).toString('utf8')) });
    });
  }

  /** The idempotency receipt of an event ID: the caller's own, else the only one any organisation recorded. */
  @Transaction(false)
  @Returns('string')
  async GetEvent(ctx: Context, eventId: string): Promise<string> {
    return reading(async () => {
      const own = await new WorldState(ctx).read<EventReceipt>(KeyType.event, eventId, ctx.clientIdentity.getMSPID());
      if (own) return canonicalJson(own);
      for await (const kv of ctx.stub.getStateByPartialCompositeKey(KeyType.event, [eventId])) return Buffer.from(kv.value).toString('utf8');
      throw new ChaincodeError('NOT_FOUND', `event ${eventId} was never recorded`);
    });
  }

  /** The receipt of an event ID in one submitter's namespace (receipts are per submitting organisation). */
  @Transaction(false)
  @Returns('string')
  async GetEventOf(ctx: Context, eventId: string, submitter: string): Promise<string> {
    return reading(async () => {
      const receipt = await new WorldState(ctx).read<EventReceipt>(KeyType.event, eventId, submitter);
      if (!receipt) throw new ChaincodeError('NOT_FOUND', `event ${eventId} was never recorded by ${submitter}`);
      return canonicalJson(receipt);
    });
  }

}

const PACK_TRANSACTIONS = {
  dispense: 'Dispense', decommission: 'Decommission', destroy: 'Destroy', quarantine: 'Quarantine', release: 'Release', verifyReturn: 'VerifyReturn',
} as const;

// ---- handlers: what each command decides (the recorder loads, stores and emits) ----------------

/**
 * One domain command applied to each listed pack (or, where `throughContainers`, to every pack
 * inside a listed container).
 */
function packHandler<T extends keyof typeof PACK_TRANSACTIONS>(
  type: T,
  toCommand: (c: LedgerCommandInputs[(typeof PACK_TRANSACTIONS)[T]]) => PackCommand,
  toEpcis: (c: LedgerCommandInputs[(typeof PACK_TRANSACTIONS)[T]], at: string) => EpcisEvent,
  throughContainers = false,
): Handler<(typeof PACK_TRANSACTIONS)[T]> {
  return async (c, { state, at, actor }: CommandScope): Promise<Outcome> => {
    const epcs = requireList(c.epcs, 'epcs', type);
    const command = toCommand(c);
    const changes = new ChangeSet();
    for (const epc of epcs) {
      if (isPackId(epc)) {
        changes.add([applyCommand(await requirePack(state, epc), command, actor, at)]);
      } else if (throughContainers) {
        const id = containerId(epc);
        await state.traceWithRelatives(id);
        changes.addResult(applyToContents(state.lookup(changes.view), id, command, actor, at));
      } else {
        throw new DomainError('COMMAND_INVALID', `${type} applies to packs (SGTIN), not to ${epc}; unpack it first`, { command: type, reason: 'not a pack' });
      }
    }
    return { ...changes.outcome(), epcis: [toEpcis({ ...c, epcs }, at)] };
  };
}

const commission: Handler<'Commission'> = async (c, { state, at, actor }) => {
  const product = await requireProduct(state, c.gtin);
  const serials = requireList(c.serials, 'serials', 'commission');
  const prefix = prefixOptions(product);
  const lotStatus = await state.lotStatus(product.gtin, c.lot);
  const packs: PackRecord[] = [];
  for (const serial of serials) {
    const id = sgtinToEpcUrn(product.gtin, serial, prefix);
    const existing = await state.trace(id);
    const command: PackCommand = { type: 'commission', gtin: product.gtin, serial, lot: c.lot, expiry: c.expiry, manufacturer: product.manufacturer, ...prefix, ...(c.site ? { site: c.site } : {}) };
    if (existing && !isPack(existing)) throw new DomainError('ALREADY_COMMISSIONED', `${id} exists`, { id });
    // A pack born into a recalled lot is recalled from its first record on.
    packs.push(withLotStatus(applyCommand(isPack(existing) ? existing : undefined, command, actor, at), lotStatus));
  }
  // The lot index is what recalls and lot traces iterate (LevelDB has no rich queries).
  for (const p of packs) await state.write(KeyType.lot, [p.gtin, p.lot, p.id], p.id);
  const epcis = [commissionEvent({ eventTime: at, epcs: packs.map((p) => p.id), lot: c.lot, expiry: c.expiry }, prefix)];
  return { records: packs, epcis };
};

const pack: Handler<'Pack'> = async (c, { state, at, actor }) => {
  const parent = containerId(c.parent);
  const children = requireList(c.children, 'children', 'pack');
  await state.traceWithRelatives(parent);
  for (const child of children) await state.trace(child);
  const result = aggregate(state.lookup(new Map()), { parent, children, sealed: c.sealed }, actor, at);
  return { records: result.records, epcis: [packEvent({ eventTime: at, parent, children, sealed: c.sealed ?? true })] };
};

const unpack: Handler<'Unpack'> = async (c, { state, at, actor }) => {
  const parent = containerId(c.parent);
  const children = c.children === undefined ? undefined : requireList(c.children, 'children', 'unpack');
  await state.traceWithRelatives(parent);
  const result = disaggregate(state.lookup(new Map()), { parent, ...(children ? { children } : {}) }, actor, at);
  return { records: result.records, epcis: [unpackEvent({ eventTime: at, parent, ...(children ? { children } : {}) })] };
};

const receive: Handler<'Receive'> = async (c, { state, at, actor }) => {
  const epcs = requireList(c.epcs, 'epcs', 'receive').map(topLevelId);
  const scanned = c.scanned === undefined ? [] : requireList(c.scanned, 'scanned', 'receive');
  const brokenSeals = (c.brokenSeals ?? []).map((s) => containerId(s));
  const buyer = await requireAuthorisedPartner(state, actor, at);

  // Each top-level container gets the scans that belong to its own tree; scans that belong to
  // none go to the first container, which reports them as unexpected.
  const roots: Array<{ id: string; tree: Set<string> }> = [];
  const shippers = new Map<string, { from: OrgId; purpose: 'sale' | 'return'; epcs: string[] }>();
  let addressedTo: string | undefined;
  for (const epc of epcs) {
    const record = isPackId(epc) ? await requirePack(state, epc) : await state.traceWithRelatives(epc);
    if (!record) throw new DomainError('NOT_COMMISSIONED', `${epc} is not known`, { id: epc, reason: 'unknown EPC' });
    if (!record.shipment) throw new DomainError('ILLEGAL_TRANSITION', `cannot receive ${epc}: it is ${record.status}, not in transit`, { id: epc, from: record.status, command: 'receive', reason: 'not shipped' });
    addressedTo ??= record.shipment.toSite;
    const key = `${record.shipment.from}|${record.shipment.purpose}`;
    const group = shippers.get(key) ?? { from: record.shipment.from, purpose: record.shipment.purpose, epcs: [] };
    group.epcs.push(epc);
    shippers.set(key, group);
    if (isContainer(record)) roots.push({ id: epc, tree: new Set([epc, ...descendantIds(state.lookup(new Map()), epc)]) });
  }
  // The receipt names where the goods now are (one of the receiver's own sites; else the ship-to, if
  // it is one, or the first): a location's logger reaches them through it.
  const site = receivingSite(buyer, c.site, addressedTo);
  // The records keep the site only where one was asked for (else the ship-to, as before): a pack's
  // `site` is what planning groups stock by, and a site nobody named is not a planning location.
  const recordSite = c.site === undefined ? {} : { site };
  const claimed = new Set(roots.flatMap((r) => [...r.tree]));
  const stray = scanned.filter((s) => !claimed.has(s) && !epcs.includes(s));

  const changes = new ChangeSet();
  const receipt = { inferred: [] as string[], verified: [] as string[], pending: [] as string[] };
  for (const epc of epcs) {
    if (isPackId(epc)) {
      changes.add([applyCommand(await requirePack(state, epc), { type: 'receive', completeness: 'verified', ...recordSite }, actor, at)]);
      receipt.verified.push(epc);
      continue;
    }
    const root = roots.find((r) => r.id === epc) as { tree: Set<string> };
    const mine = [...scanned.filter((s) => root.tree.has(s)), ...(roots[0]?.id === epc ? stray : [])];
    const result = receiveContainer(state.lookup(changes.view), epc, { scanned: mine, brokenSeals, ...recordSite, underException: c.underException === true }, actor, at);
    changes.addResult(result);
    receipt.inferred.push(...result.inferred);
    receipt.verified.push(...result.verified);
    receipt.pending.push(...result.pending);
  }

  // Held for the receiving exceptions that follow, in this same transaction: what arrived under
  // a finding is never sellable, not even between the receipt and the raise.
  const held: string[] = [];
  if (c.hold !== undefined) {
    const reason = c.hold.reason;
    for (const epc of requireList(c.hold.epcs, 'hold.epcs', 'receive')) {
      const pack = changes.view.get(epc);
      if (!isPack(pack) || pack.custodian !== actor || pack.status === 'shipped' || pack.quarantine) continue;
      changes.add([applyCommand(pack, { type: 'quarantine', reason }, actor, at)]);
      held.push(epc);
    }
  }

  const epcis: EpcisEvent[] = [];
  for (const group of shippers.values()) {
    const seller = await requirePartner(state, group.from);
    const inferred = group.epcs.some((e) => !isPackId(e)) && receipt.inferred.length > 0;
    const transfer = { eventTime: at, epcs: group.epcs, from: { owner: seller.pgln }, to: { owner: buyer.pgln }, readPoint: site, bizLocation: site, inferred };
    epcis.push(group.purpose === 'return' ? returnReceiveEvent(transfer) : receiveEvent(transfer));
  }
  if (held.length) epcis.push(quarantineEvent({ eventTime: at, epcs: held, reason: c.hold?.reason ?? 'suspect' }));
  return { ...changes.outcome(), epcis, receipt: { inferred: receipt.inferred.sort(), verified: receipt.verified.sort(), pending: receipt.pending.sort() } };
};

const receiveInbound: Handler<'ReceiveInbound'> = async (c, { ctx, state, at, actor, eventId }) => {
  const buyer = await requireAuthorisedPartner(state, actor, at);
  assertAddressedTo(c.receiverGln, actor, buyer.glns);
  // Received where asked, else at the site the document was addressed to.
  const site = receivingSite(buyer, c.site, c.receiverGln);
  // As Receive: the records keep a site only where one was asked for.
  const recordSite = c.site === undefined ? undefined : site;
  const partners: PartnerRecord[] = [];
  for await (const kv of ctx.stub.getStateByPartialCompositeKey(KeyType.partner, [])) partners.push(JSON.parse(Buffer.from(kv.value).toString('utf8')) as PartnerRecord);
  assertSellerNotMember(c.sellerGln, partners);
  if (c.statement.affirmed !== true) throw new DomainError('COMMAND_INVALID', 'receiveInbound: the seller did not affirm the DSCSA Transaction Statement', { reason: 'transaction statement missing' });
  if (c.packs.length > MAX_IDS_PER_TX) throw new ChaincodeError('BATCH_TOO_LARGE', `receiveInbound: ${c.packs.length} packs in one transaction; at most ${MAX_IDS_PER_TX}`);
  const seller = nonMemberParty(c.sellerGln);
  const checked = new Set<string>();
  const packs: PackRecord[] = [];
  for (const p of c.packs) {
    const record = inboundPack({ ...p, seller, shipmentId: eventId, ...(recordSite ? { site: recordSite } : {}) }, actor, at);
    if (!checked.has(record.gtin)) {
      const prefix = await prefixOf(state, record.gtin);
      const product = await state.read<ProductRecord>(KeyType.product, record.gtin);
      assertNotMemberProduct(record.gtin, { ...(prefix ? { prefix } : {}), ...(product ? { productManufacturer: product.manufacturer } : {}) });
      checked.add(record.gtin);
    }
    if (packs.some((q) => q.gtin === record.gtin && q.serial === record.serial)) throw new DomainError('COMMAND_INVALID', `receiveInbound: ${record.id} is listed twice`, { id: record.id, reason: 'duplicate identifier' });
    if (await state.trace(record.id)) throw new DomainError('ALREADY_COMMISSIONED', `${record.id} is already on the ledger: an inbound document cannot take it over`, { id: record.id, reason: 'serial exists' });
    packs.push(record);
  }
  // The load's cases as the receiver's own, sealed, so they go on sealed or are unpacked later.
  const load = inboundContainers(packs, c.containers ?? [], actor, at, recordSite);
  packs.splice(0, packs.length, ...load.packs);
  for (const box of load.containers) {
    if (await state.trace(box.id)) throw new DomainError('ALREADY_COMMISSIONED', `${box.id} is already on the ledger: an inbound document cannot take it over`, { id: box.id, reason: 'serial exists' });
  }
  // Held for the receiving exceptions raised next, in this same transaction (as Receive's hold).
  const held: string[] = [];
  if (c.hold !== undefined) {
    const listed = new Set(requireList(c.hold.epcs, 'hold.epcs', 'receiveInbound'));
    packs.forEach((p, i) => {
      if (!listed.has(p.id)) return;
      packs[i] = applyCommand(p, { type: 'quarantine', reason: c.hold?.reason ?? 'no_pedigree_match' }, actor, at);
      held.push(p.id);
    });
  }
  for (const p of packs) await state.write(KeyType.lot, [p.gtin, p.lot, p.id], p.id);
  const bizTransaction = c.bizTransaction ?? bizTransactionUrn(c.sellerGln, c.documentId);
  const packIds = packs.map((p) => p.id);
  // The shipment and its receiving event name the load as it travelled: its cases and loose packs.
  const epcs = [...load.containers, ...packs].filter((r) => r.parent === undefined).map((r) => r.id);
  const shipment: ShipmentRecord = {
    docType: 'shipment',
    id: eventId,
    from: seller,
    to: actor,
    ...(recordSite ? { toSite: recordSite } : {}),
    purpose: 'sale',
    shippedAt: at,
    epcs,
    bizTransaction,
    statement: { affirmed: true, legalNotice: c.statement.legalNotice ?? DEFAULT_LEGAL_NOTICE },
    ti: { collections: [implicitCollectionOf(actor)], sha256: c.tiSha256 },
    inbound: { sellerGln: c.sellerGln, ...(c.sellerName ? { sellerName: c.sellerName } : {}), documentId: c.documentId, documentSha256: c.documentSha256 },
    txId: ctx.stub.getTxID(),
  };
  if (await state.read<ShipmentRecord>(KeyType.shipment, eventId)) throw new ChaincodeError('DUPLICATE_EVENT', `shipment ${eventId} exists`);
  await state.write(KeyType.shipment, [eventId], shipment);
  await state.setHolderPolicy(KeyType.shipment, [eventId], [actor]);
  // Parties as Digital Links (AI 417): the seller's GLN carries no company prefix length.
  const epcis = receiveEvent({
    eventTime: at, epcs, inferred: true,
    from: { owner: `https://id.gs1.org/417/${c.sellerGln}` }, to: { owner: buyer.pgln }, readPoint: site, bizLocation: site,
    bizTransactions: [{ type: 'desadv', bizTransaction }],
  });
  const events = held.length ? [epcis, quarantineEvent({ eventTime: at, epcs: held, reason: c.hold?.reason ?? 'no_pedigree_match' })] : [epcis];
  return { records: [...packs, ...load.containers], epcis: events, shipment, receipt: { inferred: [...packIds].sort(), verified: [], pending: [] } };
};

/** The commands an EPCIS document maps to: each a transaction of its own, or a part of a Capture. */
const CAPTURE_HANDLERS: { readonly [K in CaptureTransaction]: Handler<K> } = {
  Commission: commission,
  Pack: pack,
  Unpack: unpack,
  Receive: receive,
  Dispense: packHandler('dispense', (c) => ({ type: 'dispense', ...(c.site ? { site: c.site } : {}) }), (c, at) => dispenseEvent({ eventTime: at, epcs: c.epcs })),
  Decommission: packHandler('decommission', (c) => ({ type: 'decommission', ...(c.reason ? { reason: c.reason } : {}) }), (c, at) => decommissionEvent({ eventTime: at, epcs: c.epcs })),
  Destroy: packHandler('destroy', () => ({ type: 'destroy' }), (c, at) => destroyEvent({ eventTime: at, epcs: c.epcs })),
};

// ---- loading ------------------------------------------------------------------------------------

interface HistoryEntry<T> {
  readonly txId: string;
  readonly timestamp: string;
  readonly isDelete: boolean;
  readonly record?: T;
}

function byVersion(a: HistoryEntry<TraceRecord>, b: HistoryEntry<TraceRecord>): number {
  return (a.record?.version ?? 0) - (b.record?.version ?? 0) || a.timestamp.localeCompare(b.timestamp);
}

/** Every committed version of a pack's or container's key, in the order the peer answers. */
async function keyHistory<T>(ctx: Context, id: string): Promise<Array<HistoryEntry<T>>> {
  const key = traceKey(id);
  const entries: Array<HistoryEntry<T>> = [];
  for await (const m of ctx.stub.getHistoryForKey(stateKey(ctx, key.type, ...key.parts))) {
    const millis = Number(m.timestamp.seconds) * 1000 + Math.floor(m.timestamp.nanos / 1e6);
    const value = Buffer.from(m.value ?? []).toString('utf8');
    entries.push({ txId: m.txId, timestamp: new Date(millis).toISOString(), isDelete: m.isDelete, ...(value ? { record: JSON.parse(value) as T } : {}) });
  }
  return entries;
}

function topLevelId(epc: string): string {
  return isPackId(epc) ? epc : containerId(epc);
}

async function requirePack(state: WorldState, epc: string): Promise<PackRecord> {
  const record = await state.trace(epc);
  if (!record) throw new DomainError('NOT_COMMISSIONED', `${epc} was never commissioned`, { id: epc, reason: 'no commissioning record' });
  if (!isPack(record)) throw new DomainError('COMMAND_INVALID', `${epc} is a container, not a pack`, { id: epc, reason: 'not a pack' });
  return record;
}

async function requireContainer(state: WorldState, sscc: string): Promise<ContainerRecord> {
  const id = containerId(sscc);
  const record = await state.trace(id);
  if (!isContainer(record)) throw new DomainError('NOT_COMMISSIONED', `container ${id} is not known`, { id, reason: 'unknown container' });
  return record;
}

async function requireShipment(state: WorldState, shipmentId: string): Promise<ShipmentRecord> {
  const shipment = await state.read<ShipmentRecord>(KeyType.shipment, shipmentId);
  if (!shipment) throw new ChaincodeError('NOT_FOUND', `shipment ${shipmentId} is not known`);
  return shipment;
}


/** The lot record under its manufacturer's key policy (manufacturer AND another member). */
async function putLotStatus(state: WorldState, record: LotStatusRecord): Promise<void> {
  const fresh = record.version === 1;
  await state.write(KeyType.lotStatus, [record.gtin, record.lot], record);
  if (fresh) await state.setHolderPolicy(KeyType.lotStatus, [record.gtin, record.lot], [record.manufacturer]);
}

function prefixOptions(product: ProductRecord): { companyPrefixLength?: number; labelerDigits?: 4 | 5 } {
  return {
    ...(product.companyPrefixLength !== undefined ? { companyPrefixLength: product.companyPrefixLength } : {}),
    ...(product.labelerDigits !== undefined ? { labelerDigits: product.labelerDigits } : {}),
  };
}

/** The transient Transaction Information: required for a sale (a buyer may not take ownership without it). */
function transactionInformation({ ctx }: CommandScope, purpose: 'sale' | 'return'): Uint8Array | undefined {
  const bytes = ctx.stub.getTransient().get(TI_TRANSIENT_KEY);
  if (!bytes || bytes.length === 0) {
    if (purpose === 'sale') throw new DomainError('COMMAND_INVALID', `ship: a sale needs the Transaction Information as transient data '${TI_TRANSIENT_KEY}'`, { reason: 'transaction information missing' });
    return undefined;
  }
  let ti: unknown;
  try {
    ti = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new DomainError('COMMAND_INVALID', 'ship: Transaction Information is not JSON', { reason: 'transaction information not JSON' });
  }
  const t = ti as Record<string, unknown>;
  // The public hash must not be a dictionary away from the private document: TI is low-entropy
  // JSON (dates, names, an NDC, a quantity), so the sender adds a random salt that only the two
  // partners see.
  if (typeof t?.salt !== 'string' || !/^[0-9a-fA-F]{32,128}$/.test(t.salt)) {
    throw new DomainError('COMMAND_INVALID', 'ship: Transaction Information needs a random salt (salt: 32-128 hex digits) so its public hash cannot be guessed', { reason: 'transaction information salt missing' });
  }
  const missing = ['transactionDate', 'seller', 'buyer', 'products'].filter((k) => t?.[k] === undefined || t[k] === null);
  if (missing.length || !Array.isArray(t.products) || t.products.length === 0) {
    throw new DomainError('COMMAND_INVALID', `ship: Transaction Information lacks ${missing.join(', ') || 'products'} (DSCSA §581(26))`, { reason: 'transaction information incomplete' });
  }
  return bytes;
}
