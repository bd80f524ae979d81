import { createHash } from 'node:crypto';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  canonicalJson, DomainError, isPack, releaseTracing, requestTracing, TI_TRANSIENT_KEY,
  type PartnerRecord, type ShipmentRecord, type TracingRequestRecord,
} from '@pedigree/domain';
import { implicitCollectionOf } from './collections';
import { ChaincodeError } from './errors';
import { KeyType, stateKey } from './keys';
import { reading } from './master-data.contract';
import { recordEvent } from './recorder';
import { WorldState } from './world-state';

/**
 * Tracing requests (docs/tracing.md). The request is public (tracingRequest~{requester}~{id}): who
 * asked, why, what the shared ledger answered at once (the owners), who must release TI and by when,
 * and each release with the public salted hashes it matched. The TI itself is private: the
 * respondent sends it as transient data and the transaction writes it into the requester's
 * implicit collection only (tracingRelease~{id}~{respondent}~{shipment}), endorsed by the
 * respondent's and the requester's peers, as a shipment's TI goes into its two partners' own.
 */
@Info({ title: 'Tracing', description: 'Tracing requests: ask a pack\'s trail for TI or its owners; each owner releases only its own TI to the requester' })
export class TracingContract extends Contract {
  constructor() {
    super('tracing');
  }

  @Transaction()
  @Returns('string')
  async RequestTracing(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'RequestTracing', commandJson, async (c, { state, at, actor, eventId }) => {
      const pack = await state.trace(c.epc).catch(() => undefined);
      if (!isPack(pack)) throw new DomainError('TRACING_INVALID', `${c.epc} is not a pack on the ledger`, { reason: 'epc' });
      const partners = new Map<string, PartnerRecord | undefined>();
      for (const org of pack.owners) partners.set(org, await state.read<PartnerRecord>(KeyType.partner, org));
      const record = requestTracing({
        id: eventId, kind: c.kind, epc: pack.id, reason: c.reason, ...(c.incidentNumber ? { incidentNumber: c.incidentNumber } : {}), test: c.test === true,
        trail: pack.owners, rolesOf: (org) => partners.get(org)?.roles ?? [],
      }, actor, at);
      await state.write(KeyType.tracingRequest, [actor, record.id], record);
      return { records: [], epcis: [], tracingRequests: [record] };
    });
  }

  /** A respondent releases the TI of its own shipments of the pack, each checked against the shipment's public hash, to the requester only. */
  @Transaction()
  @Returns('string')
  async ReleaseTracing(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'ReleaseTracing', commandJson, async (c, { state, at, actor }) => {
      const record = await requireRequest(state, c.requester, c.requestId);
      const bundle = ctx.stub.getTransient().get(TI_TRANSIENT_KEY);
      const tis = bundle?.length ? (JSON.parse(Buffer.from(bundle).toString('utf8')) as Record<string, string>) : {};
      const released: Array<{ shipmentId: string; tiSha256: string }> = [];
      for (const shipmentId of c.shipmentIds) {
        const shipment = await state.read<ShipmentRecord>(KeyType.shipment, shipmentId);
        if (!shipment) throw new ChaincodeError('NOT_FOUND', `no shipment ${shipmentId}`);
        if (shipment.from !== actor && shipment.to !== actor) throw new DomainError('TRACING_PARTY', `${actor} was not a party to shipment ${shipmentId}: it releases only its own TI`, { id: record.id, actor });
        const ti = tis[shipmentId];
        if (typeof ti !== 'string') throw new DomainError('TRACING_INVALID', `the TI of shipment ${shipmentId} must come as transient '${TI_TRANSIENT_KEY}' { "${shipmentId}": "<the TI as kept>" }`, { reason: 'ti missing' });
        const sha256 = createHash('sha256').update(ti).digest('hex');
        if (sha256 !== shipment.ti?.sha256) throw new DomainError('TRACING_INVALID', `the TI released for shipment ${shipmentId} does not match its public hash`, { reason: 'ti hash differs' });
        await ctx.stub.putPrivateData(implicitCollectionOf(record.requester), stateKey(ctx, KeyType.tracingRelease, record.id, actor, shipmentId), Buffer.from(ti));
        released.push({ shipmentId, tiSha256: sha256 });
      }
      const next = releaseTracing(record, released, actor, at);
      await state.write(KeyType.tracingRequest, [next.requester, next.id], next);
      return { records: [], epcis: [], tracingRequests: [next] };
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetTracingRequest(ctx: Context, requester: string, requestId: string): Promise<string> {
    return reading(async () => canonicalJson(await requireRequest(new WorldState(ctx), requester, requestId)));
  }

  /** The TI released to the requester, read on its own peer only: no other organisation's peer holds it. */
  @Transaction(false)
  @Returns('string')
  async GetTracingReleases(ctx: Context, requestId: string): Promise<string> {
    return reading(async () => {
      const caller = onOwnPeer(ctx, 'released TI');
      const record = await requireRequest(new WorldState(ctx), caller, requestId);
      const out: Array<{ by: string; shipmentId: string; ti: unknown }> = [];
      for (const release of record.releases) {
        for (const s of release.shipments) {
          const bytes = await ctx.stub.getPrivateData(implicitCollectionOf(caller), stateKey(ctx, KeyType.tracingRelease, record.id, release.by, s.shipmentId));
          if (bytes?.length) out.push({ by: release.by, shipmentId: s.shipmentId, ti: JSON.parse(Buffer.from(bytes).toString('utf8')) });
        }
      }
      return canonicalJson(out);
    });
  }

  /** The caller's own TI of its shipments, byte for byte as kept (what a release must hash to), on its own peer. */
  @Transaction(false)
  @Returns('string')
  async GetReleasableTransactionInformation(ctx: Context, shipmentIdsJson: string): Promise<string> {
    return reading(async () => {
      const caller = onOwnPeer(ctx, 'your Transaction Information');
      const state = new WorldState(ctx);
      const out: Record<string, string> = {};
      for (const id of JSON.parse(shipmentIdsJson) as string[]) {
        const shipment = await state.read<ShipmentRecord>(KeyType.shipment, id);
        if (!shipment?.ti || (shipment.from !== caller && shipment.to !== caller)) continue;
        const bytes = await ctx.stub.getPrivateData(shipment.ti.collection ?? implicitCollectionOf(caller), stateKey(ctx, KeyType.ti, id));
        if (bytes?.length) out[id] = Buffer.from(bytes).toString('utf8');
      }
      return canonicalJson(out);
    });
  }
}

/** Private data is read on the caller's own peer: each organisation's chaincode server knows whose peer it serves. */
function onOwnPeer(ctx: Context, what: string): string {
  const caller = ctx.clientIdentity.getMSPID();
  const peer = process.env.PEDIGREE_PEER_MSP;
  if (peer && peer !== caller) throw new ChaincodeError('TI_FORBIDDEN', `read ${what} on your own organisation's peer, not ${peer}'s`);
  return caller;
}

async function requireRequest(state: WorldState, requester: string, id: string): Promise<TracingRequestRecord> {
  const record = await state.read<TracingRequestRecord>(KeyType.tracingRequest, requester, id);
  if (!record) throw new ChaincodeError('NOT_FOUND', `tracing request ${id} of ${requester} is not known`);
  return record;
}
