import { Inject } from '@nestjs/common';
import { Args, ID, Info, Int, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { ServiceError, Roles } from '@pedigree/platform';
import { toEpc } from './epc-input';
import {
  Container, ContainerConnection, InventoryConnection, Pack, PackConnection, PackFilter, Product, ProductConnection, Shipment, ShipmentConnection,
  ShipmentDirection, TraceConnection, TransactionDocuments,
} from './graphql-types';
import { PartnerContext } from './partner-context';
import { READERS, TI_READERS } from './roles';
import { selects } from './selection';

const EPCIS_OF_ENTRY = ['edges', 'node', 'epcisEvent'];

/** Queries every partner service answers from its read model. */
@Resolver()
export class PartnerQueriesResolver {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {}

  @Roles(...READERS)
  @Query(() => ProductConnection, { description: 'Registered products, by GTIN' })
  products(@Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.products.list(first, after);
  }

  @Roles(...READERS)
  @Query(() => Product, { nullable: true })
  product(@Args('gtin') gtin: string) {
    return this.p.readModel.products.get(gtin);
  }

  @Roles(...READERS)
  @Query(() => PackConnection, { description: 'Packs filtered by GTIN, lot, status, location or custodian' })
  packs(
    @Args('filter', { type: () => PackFilter, nullable: true }) filter?: PackFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ) {
    return this.p.readModel.packs.list(filter ?? {}, first, after);
  }

  @Roles(...READERS)
  @Query(() => Pack, { nullable: true, description: 'One pack by EPC URN, Digital Link or scan' })
  pack(@Args('epc') epc: string) {
    return this.p.readModel.packs.get(toEpc(epc));
  }

  @Roles(...READERS)
  @Query(() => ContainerConnection, { description: 'Containers this organisation owns' })
  containers(@Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.containers.list(this.p.org, first, after);
  }

  @Roles(...READERS)
  @Query(() => Container, { nullable: true })
  container(@Args('epc') epc: string) {
    return this.p.readModel.containers.get(toEpc(epc));
  }

  @Roles(...READERS)
  @Query(() => PackConnection, { description: 'Every pack inside a container, at any depth' })
  containerContents(@Args('epc') epc: string, @Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.packs.inContainer(toEpc(epc), first, after);
  }

  @Roles(...READERS)
  @Query(() => ShipmentConnection, { description: 'Shipments addressed to (INBOUND) or sent by (OUTBOUND) this organisation' })
  shipments(
    @Args('direction', { type: () => ShipmentDirection }) direction: ShipmentDirection,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ) {
    return this.p.readModel.shipments.list(this.p.org, direction, first, after);
  }

  @Roles(...READERS)
  @Query(() => Shipment, { nullable: true })
  async shipment(@Args('id', { type: () => ID }) id: string) {
    return this.p.readModel.shipments.get(id);
  }

  @Roles(...READERS)
  @Query(() => InventoryConnection, { description: 'Sellable stock on hand by product and lot (not expired, recalled, quarantined, returned or dispensed)' })
  inventory(@Args('gtin', { nullable: true }) gtin?: string, @Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.packs.inventory(this.p.org, gtin ?? null, first, after);
  }

  @Roles(...READERS)
  @Query(() => TraceConnection, { description: "A pack's or container's history, oldest first" })
  trace(@Info() info: GraphQLResolveInfo, @Args('epc') epc: string, @Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.history.trace([toEpc(epc)], first, after, { withEpcis: selects(info, EPCIS_OF_ENTRY) });
  }

  @Roles(...READERS)
  @Query(() => TraceConnection, { description: "A lot's history: its packs and lot-level events (recall)" })
  lotTrace(@Info() info: GraphQLResolveInfo, @Args('gtin') gtin: string, @Args('lot') lot: string, @Args('first', { type: () => Int, nullable: true }) first?: number, @Args('after', { nullable: true }) after?: string) {
    return this.p.readModel.history.lotTrace(gtin, lot, first, after, { withEpcis: selects(info, EPCIS_OF_ENTRY) });
  }

  @Roles(...TI_READERS)
  @Query(() => TransactionDocuments, { description: 'DSCSA Transaction Information and Statement of a shipment: for its two parties only' })
  async transactionDocuments(@Args('shipmentId', { type: () => ID }) shipmentId: string): Promise<TransactionDocuments> {
    const s = await this.p.readModel.shipments.get(shipmentId);
    // Read model first; a shipment it has not projected yet is looked up on the ledger.
    const parties = s ? { from: s.sender, to: s.receiver } : await this.p.reads.optional<{ from: string; to: string }>('GetShipment', [shipmentId]);
    if (!parties) throw new ServiceError('NOT_FOUND', 'SHIPMENT_UNKNOWN', `no shipment ${shipmentId}`);
    if (parties.from !== this.p.org && parties.to !== this.p.org) {
      throw new ServiceError('FORBIDDEN', 'TI_FORBIDDEN', `only ${parties.from} and ${parties.to} may read the Transaction Information of shipment ${shipmentId}`);
    }
    if (!s) throw new ServiceError('NOT_FOUND', 'SHIPMENT_NOT_PROJECTED', `shipment ${shipmentId} is not in the read model yet: try again shortly`);
    if (!s.transactionInformationHash) throw new ServiceError('NOT_FOUND', 'TI_ABSENT', `shipment ${shipmentId} carries no Transaction Information`);
    const documents = await this.p.readModel.shipments.documents(shipmentId);
    let ti = documents?.transactionInformation;
    let matches = true;
    if (!ti) {
      // Private data is read from this organisation's own peer (private collection) and cached.
      const fromLedger = await this.p.reads.json<{ ti: unknown; matchesPublicHash: boolean }>('GetTransactionInformation', [shipmentId]);
      ti = fromLedger.ti;
      matches = fromLedger.matchesPublicHash;
      if (matches) await this.p.readModel.shipments.cacheTransactionInformation(shipmentId, ti);
    }
    return { shipmentId, transactionInformation: ti, transactionStatement: documents?.transactionStatement ?? null, matchesPublicHash: matches };
  }
}
