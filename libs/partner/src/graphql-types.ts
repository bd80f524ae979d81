import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type * as readModel from '@pedigree/readmodel';
import GraphQLJSON from './json-scalar';
import { HumidityExcursion, StorageConditionsView, TemperatureExcursion } from './cold-chain-types';

/** GraphQL shapes of the partner API. Names follow the domain (docs/state-machine.md, DSCSA). */

@ObjectType()
export class PageInfo implements readModel.PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class Product implements readModel.ProductView {
  @Field() gtin!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) ndc!: string | null;
  @Field() manufacturer!: string;
  @Field(() => String, { nullable: true }) strength!: string | null;
  @Field(() => String, { nullable: true }) dosageForm!: string | null;
  @Field(() => String, { nullable: true }) packSize!: string | null;
  @Field(() => StorageConditionsView, { nullable: true, description: 'Labelled storage range and excursion budget (cold chain)' }) storage!: StorageConditionsView | null;
}

@ObjectType()
export class Pack implements readModel.PackView {
  @Field(() => ID, { description: 'SGTIN EPC URN' }) epc!: string;
  @Field() gtin!: string;
  @Field() serial!: string;
  @Field() lot!: string;
  @Field() expiry!: string;
  @Field(() => String, { nullable: true }) expiryExtendedTo!: string | null;
  @Field() status!: string;
  @Field(() => [String], { description: 'quarantined, recalled, returned, expired' }) overlays!: string[];
  @Field() sellable!: boolean;
  @Field() manufacturer!: string;
  @Field() owner!: string;
  @Field() custodian!: string;
  @Field(() => [String]) owners!: string[];
  @Field(() => String, { nullable: true, description: 'SGLN of the site holding it' }) location!: string | null;
  @Field(() => String, { nullable: true, description: 'SSCC URN of the container it is in' }) container!: string | null;
  @Field(() => String, { nullable: true }) productName!: string | null;
  @Field(() => Int) version!: number;
}

@ObjectType()
export class Container implements readModel.ContainerView {
  @Field(() => ID, { description: 'SSCC EPC URN' }) epc!: string;
  @Field() sscc!: string;
  @Field(() => [String], { description: 'Direct children (SGTIN or SSCC URNs)' }) children!: string[];
  @Field(() => String, { nullable: true }) parent!: string | null;
  @Field() sealed!: boolean;
  @Field() status!: string;
  @Field() owner!: string;
  @Field() custodian!: string;
  @Field(() => String, { nullable: true }) location!: string | null;
}

@ObjectType()
export class Shipment implements readModel.ShipmentView {
  @Field(() => ID) id!: string;
  @Field() sender!: string;
  @Field() receiver!: string;
  @Field({ description: 'sale or return' }) purpose!: string;
  @Field({ description: 'in_transit, received, voided' }) status!: string;
  @Field(() => [String]) epcs!: string[];
  @Field() shippedAt!: string;
  @Field(() => String, { nullable: true }) receivedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'SHA-256 of the private Transaction Information' }) transactionInformationHash!: string | null;
  @Field() statementAffirmed!: boolean;
}

@ObjectType()
export class TransactionDocuments {
  @Field() shipmentId!: string;
  @Field(() => GraphQLJSON, { description: 'DSCSA Transaction Information (§581(26)), private to the two parties' }) transactionInformation!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'DSCSA Transaction Statement (§581(27))' }) transactionStatement!: unknown;
  @Field({ description: 'The private TI still hashes to the public anchor' }) matchesPublicHash!: boolean;
}

@ObjectType()
export class TraceEntry implements readModel.TraceEntryView {
  @Field() subject!: string;
  @Field() step!: string;
  @Field(() => String, { nullable: true }) actor!: string | null;
  @Field(() => String, { nullable: true }) status!: string | null;
  @Field(() => String, { nullable: true }) owner!: string | null;
  @Field(() => String, { nullable: true }) custodian!: string | null;
  @Field() occurredAt!: string;
  @Field() transactionId!: string;
  @Field() blockNumber!: string;
  @Field(() => String, { nullable: true, description: 'The person who caused it, as the submitting organisation attests on the ledger (21 CFR Part 11)' }) submittedBy!: string | null;
  @Field(() => String, { nullable: true, description: "The transaction's signing identity (X.509 subject and issuer)" }) signer!: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) epcisEvent!: unknown;
}

@ObjectType()
export class InventoryLine implements readModel.InventoryLineView {
  @Field() gtin!: string;
  @Field(() => String, { nullable: true }) productName!: string | null;
  @Field() lot!: string;
  @Field() expiry!: string;
  @Field(() => Int) quantity!: number;
}

function connection<T>(node: new () => T, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor!: string;
    @Field(() => node) node!: T;
  }
  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return Connection;
}

export const PackConnection = connection(Pack, 'Pack');
export const ProductConnection = connection(Product, 'Product');
export const ContainerConnection = connection(Container, 'Container');
export const ShipmentConnection = connection(Shipment, 'Shipment');
export const TraceConnection = connection(TraceEntry, 'Trace');
export const InventoryConnection = connection(InventoryLine, 'Inventory');

export type Page<T> = readModel.Page<T>;

export enum ShipmentDirection { INBOUND = 'INBOUND', OUTBOUND = 'OUTBOUND' }
registerEnumType(ShipmentDirection, { name: 'ShipmentDirection' });

export enum QuarantineReasonInput { suspect = 'suspect', illegitimate = 'illegitimate', no_pedigree_match = 'no_pedigree_match', stolen = 'stolen', damaged = 'damaged', expired = 'expired' }
registerEnumType(QuarantineReasonInput, { name: 'QuarantineReason' });

@InputType()
export class PackFilter implements readModel.PackFilter {
  @Field(() => String, { nullable: true }) gtin?: string;
  @Field(() => String, { nullable: true }) lot?: string;
  @Field(() => String, { nullable: true }) status?: string;
  @Field(() => String, { nullable: true, description: 'SGLN of the site' }) location?: string;
  @Field(() => String, { nullable: true, description: 'Only packs this organisation holds' }) custodian?: string;
  @Field(() => String, { nullable: true, description: 'Only packs under this overlay: recalled, quarantined, suspect, returned' }) overlay?: string;
}

@ObjectType({ description: 'A committed ledger transaction and what it changed' })
export class MutationResult {
  @Field() transactionId!: string;
  @Field(() => String, { nullable: true }) blockNumber!: string | null;
  @Field() eventId!: string;
  @Field({ description: 'The same event was already recorded: nothing was written again' }) duplicate!: boolean;
  @Field(() => [String]) changed!: string[];
  @Field(() => String, { nullable: true }) shipmentId!: string | null;
  @Field(() => [String], { description: 'Receive: packs inferred from intact containers' }) inferred!: string[];
  @Field(() => [String], { description: 'Receive: packs in opened containers still to be scanned' }) pending!: string[];
  @Field(() => [String], { nullable: true, description: 'Receiving exceptions raised or changed (a checked receipt raises them for what differs); null in answers recorded before exceptions existed' }) exceptions!: string[] | null;
  @Field() readModelUpdated!: boolean;
}

@ObjectType()
export class PackVerification {
  @Field() scan!: string;
  @Field({ description: 'GS1 VRS answer: the product identifier matches a genuine pack' }) verified!: boolean;
  @Field({ description: 'Safe to dispense here: verified, in your custody, not recalled/expired/suspect/dispensed' }) dispensable!: boolean;
  @Field(() => String, { nullable: true, description: 'GS1 US VRS verificationFailureReason' }) verificationFailureReason!: string | null;
  @Field(() => String, { nullable: true, description: 'GS1 US VRS additionalInfo (Recalled, Expired, Suspect ...)' }) additionalInfo!: string | null;
  @Field(() => [String], { description: 'NO_MATCH_GTIN_SERIAL, NO_MATCH_LOT, NO_MATCH_EXPIRY, RECALLED, SUSPECT, EXPIRED, ALREADY_DISPENSED, NOT_IN_CUSTODY, POSSIBLE_CLONE, TEMPERATURE_EXCURSION, HUMIDITY_EXCURSION' }) reasons!: string[];
  @Field(() => String, { nullable: true }) gtin!: string | null;
  @Field(() => String, { nullable: true }) serial!: string | null;
  @Field(() => String, { nullable: true }) productName!: string | null;
  @Field(() => String, { nullable: true }) lot!: string | null;
  @Field(() => String, { nullable: true }) expiry!: string | null;
  @Field(() => String, { nullable: true }) status!: string | null;
  @Field({ description: 'read-model or ledger' }) source!: string;
  @Field() verifiedAt!: string;
  @Field(() => [TemperatureExcursion], { description: 'Open temperature excursions holding the pack here: when, where, how long (reason TEMPERATURE_EXCURSION)' }) temperatureExcursions!: TemperatureExcursion[];
  @Field(() => [HumidityExcursion], { description: 'Open humidity excursions holding the pack here: when, where, how long (reason HUMIDITY_EXCURSION)' }) humidityExcursions!: HumidityExcursion[];
}

@ObjectType()
export class ShipmentNotice {
  @Field() shipmentId!: string;
  @Field() sender!: string;
  @Field() purpose!: string;
  @Field(() => [String]) epcs!: string[];
  @Field() transactionId!: string;
}

@ObjectType()
export class RecallNotice {
  @Field() gtin!: string;
  @Field() lot!: string;
  @Field(() => String, { nullable: true }) recallId!: string | null;
  @Field(() => Int, { description: 'Packs of the lot this organisation holds' }) packsHeld!: number;
  @Field() transactionId!: string;
}

@ObjectType({ description: "A manufacturer's VRS answer to this organisation's request (GS1 US Lightweight Messaging)" })
export class ManufacturerVerification {
  @Field({ description: 'The request\'s corrUUID, echoed by the responder' }) corrUUID!: string;
  @Field() gtin!: string;
  @Field() serial!: string;
  @Field() lot!: string;
  @Field(() => String, { nullable: true }) expiry!: string | null;
  @Field(() => String, { nullable: true, description: 'dscsaSaleableReturn' }) context!: string | null;
  @Field({ description: 'The GLN this organisation asked under' }) reqGLN!: string;
  @Field({ description: 'The responder\'s base URL from the lookup directory' }) responder!: string;
  @Field(() => String, { nullable: true }) responderName!: string | null;
  @Field(() => String, { nullable: true }) responderGLN!: string | null;
  @Field({ description: 'The product identifier matches a genuine pack, as its manufacturer says' }) verified!: boolean;
  @Field(() => String, { nullable: true, description: 'No_match_GTIN_Serial, No_match_GTIN_Serial_Lot, …_Expiry, …_Lot_Expiry, Not_for_re-distribution, Manufacturer_policy, No_reason_provided' }) verificationFailureReason!: string | null;
  @Field(() => String, { nullable: true, description: 'Expired, ExpirationExtended, Recalled, Suspect, Illegitimate' }) additionalInfo!: string | null;
  @Field({ description: 'The responder\'s verificationTimestamp' }) verificationTimestamp!: string;
  @Field() requestedAt!: string;
  @Field() answeredAt!: string;
  @Field(() => Int) attempts!: number;
  @Field({ description: 'An ATP credential presentation was sent with the request' }) atpPresented!: boolean;
}

@ObjectType({ description: 'One VRS request this organisation sent, answered or failed' })
export class VrsRequestLogEntry {
  @Field() corrUUID!: string;
  @Field() gtin!: string;
  @Field() serial!: string;
  @Field() lot!: string;
  @Field(() => String, { nullable: true }) expiry!: string | null;
  @Field(() => String, { nullable: true }) context!: string | null;
  @Field() reqGLN!: string;
  @Field({ description: 'Empty when no responder was listed for the GTIN' }) responder!: string;
  @Field(() => String, { nullable: true }) responderGLN!: string | null;
  @Field({ description: 'answered or failed' }) status!: string;
  @Field(() => Boolean, { nullable: true }) verified!: boolean | null;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  @Field(() => String, { nullable: true }) additionalInfo!: string | null;
  @Field(() => String, { nullable: true, description: 'VRS_RESPONDER_UNREACHABLE, VRS_RESPONDER_TIMEOUT, VRS_RESPONSE_MALFORMED, VRS_REFUSED, VRS_GTIN_NOT_FOUND, VRS_RESPONDER_UNKNOWN, …' }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => Int, { nullable: true }) httpStatus!: number | null;
  @Field(() => Int) attempts!: number;
  @Field() requester!: string;
  @Field() atpPresented!: boolean;
  @Field() requestedAt!: string;
  @Field(() => String, { nullable: true }) answeredAt!: string | null;
  @Field(() => String, { nullable: true }) verificationTimestamp!: string | null;
}
