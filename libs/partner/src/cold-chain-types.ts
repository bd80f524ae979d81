import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/** GraphQL shapes of the cold chain (issue 18, docs/cold-chain.md); fields are the domain's StorageConditions. */

@ObjectType('HumidityRange')
export class HumidityRange {
  @Field(() => Float) minPercent!: number;
  @Field(() => Float) maxPercent!: number;
  @Field(() => Float, { nullable: true, description: 'Cumulative minutes outside the humidity range allowed over the pack\'s life; null: measured, never a breach' }) maxMinutesOutOfRange!: number | null;
}

@ObjectType('ExcursionBudget')
export class ExcursionBudget {
  @Field(() => Float, { description: 'Cumulative minutes out of the labelled range allowed over the pack\'s life' }) maxMinutesOutOfRange!: number;
  @Field(() => Float, { nullable: true, description: 'Mean kinetic temperature limit (°C)' }) mktLimitCelsius!: number | null;
  @Field(() => Float, { description: 'Activation energy ΔH for the MKT (kJ/mol); 83.144 unless the manufacturer gives its own' }) activationEnergyKjPerMol!: number;
}

@ObjectType('StorageConditions', { description: 'The labelled storage range (inclusive) and the excursion budget, registered by the manufacturer' })
export class StorageConditionsView {
  @Field(() => Float) minCelsius!: number;
  @Field(() => Float) maxCelsius!: number;
  @Field({ description: 'As screens print it, e.g. "2–8 °C"' }) label!: string;
  @Field(() => HumidityRange, { nullable: true }) humidity!: HumidityRange | null;
  @Field(() => ExcursionBudget) budget!: ExcursionBudget;
}

@InputType()
export class HumidityRangeInput {
  @Field(() => Float) minPercent!: number;
  @Field(() => Float) maxPercent!: number;
  @Field(() => Float, { nullable: true, description: 'The humidity budget; without it humidity is measured but breaks no budget' }) maxMinutesOutOfRange?: number;
}

@InputType()
export class ExcursionBudgetInput {
  @Field(() => Float) maxMinutesOutOfRange!: number;
  @Field(() => Float, { nullable: true }) mktLimitCelsius?: number;
  @Field(() => Float, { nullable: true, description: 'Default 83.144 kJ/mol' }) activationEnergyKjPerMol?: number;
}

@InputType({ description: 'The ledger checks these (STORAGE_CONDITIONS_INVALID as COMMAND_INVALID naming the field)' })
export class StorageConditionsInput {
  @Field(() => Float) minCelsius!: number;
  @Field(() => Float) maxCelsius!: number;
  @Field(() => HumidityRangeInput, { nullable: true }) humidity?: HumidityRangeInput;
  @Field(() => ExcursionBudgetInput) budget!: ExcursionBudgetInput;
}

export enum ConditionSourceKindInput { container = 'container', shipment = 'shipment', location = 'location' }
registerEnumType(ConditionSourceKindInput, { name: 'ConditionSourceKind', description: 'Where a logger was: on a container (SSCC), with a shipment, at a location (SGLN)' });

@InputType()
export class ConditionSourceInput {
  @Field(() => ConditionSourceKindInput) kind!: ConditionSourceKindInput;
  @Field({ description: 'SSCC EPC URN, shipment ID, or SGLN EPC URN / GLN' }) id!: string;
}

@ObjectType('ConditionSource')
export class ConditionSourceView {
  @Field(() => ConditionSourceKindInput) kind!: string;
  @Field() id!: string;
}

@ObjectType()
export class ReadingsBatchView {
  @Field(() => ID, { description: 'The salted SHA-256 anchored on the ledger' }) id!: string;
  @Field(() => ConditionSourceView) source!: ConditionSourceView;
  @Field(() => String, { nullable: true }) deviceId!: string | null;
  @Field(() => Int) readingCount!: number;
  @Field() firstAt!: string;
  @Field() lastAt!: string;
  @Field({ description: 'csv, epcis-json or epcis-xml' }) format!: string;
  @Field(() => String, { nullable: true, description: 'The transaction that anchored it; null until anchored' }) anchorTransactionId!: string | null;
  @Field() uploadedAt!: string;
}

@ObjectType()
export class ReadingsAnchorCheck {
  @Field(() => ReadingsBatchView) batch!: ReadingsBatchView;
  @Field({ description: 'The stored readings are the ones anchored on the ledger' }) matches!: boolean;
  @Field({ description: 'The digest of the readings as stored now' }) recomputedSha256!: string;
  @Field(() => String, { nullable: true, description: 'The digest on the ledger (null: never anchored)' }) anchoredSha256!: string | null;
  @Field(() => String, { nullable: true }) anchoredBy!: string | null;
  @Field(() => String, { nullable: true }) anchoredAt!: string | null;
}

@ObjectType()
export class ConditionReading {
  @Field() at!: string;
  @Field(() => Float) celsius!: number;
  @Field(() => Float, { nullable: true }) humidityPercent!: number | null;
}

@ObjectType()
export class TemperatureExcursion {
  @Field() startAt!: string;
  @Field() endAt!: string;
  @Field(() => Float, { description: 'How long, in minutes' }) minutes!: number;
  @Field(() => Float) highestCelsius!: number;
  @Field(() => Float) lowestCelsius!: number;
  @Field(() => ConditionSourceView, { nullable: true, description: 'Where the pack was: the container, shipment or location whose logger showed it' }) source!: ConditionSourceView | null;
  @Field({ description: 'Part of it is a logger gap counted out of range, not measured' }) inferredFromGap!: boolean;
}

@ObjectType({ description: "A stretch outside the product's humidity range" })
export class HumidityExcursion {
  @Field() startAt!: string;
  @Field() endAt!: string;
  @Field(() => Float, { description: 'How long, in minutes' }) minutes!: number;
  @Field(() => Float, { description: 'Relative humidity, %' }) highestPercent!: number;
  @Field(() => Float, { description: 'Relative humidity, %' }) lowestPercent!: number;
  @Field(() => ConditionSourceView, { nullable: true, description: 'Where the pack was: the container, shipment or location whose logger showed it' }) source!: ConditionSourceView | null;
  @Field({ description: 'Part of it is a logger gap counted out of range, not measured' }) inferredFromGap!: boolean;
}

@ObjectType()
export class PackConditionsView {
  @Field() epc!: string;
  @Field() gtin!: string;
  @Field() withinBudget!: boolean;
  @Field(() => [String], { description: 'minutes_out_of_range, mkt_above_limit, humidity_minutes_out_of_range' }) breaches!: string[];
  @Field(() => Float) minutesOutOfRange!: number;
  @Field(() => Float, { nullable: true }) mktCelsius!: number | null;
  @Field(() => Float, { nullable: true, description: 'Minutes outside the product\'s humidity range; null when it has none' }) humidityMinutesOutOfRange!: number | null;
  @Field(() => Float, { description: 'Time of its leg no stored logger covers' }) unmonitoredMinutes!: number;
  @Field(() => [TemperatureExcursion]) excursions!: TemperatureExcursion[];
}

@ObjectType()
export class ShipmentConditionsView {
  @Field() shipmentId!: string;
  @Field({ description: 'Some pack is beyond its product\'s excursion budget: the receiving check flags the shipment' }) excursion!: boolean;
  @Field(() => [PackConditionsView], { description: 'Packs whose product has storage conditions' }) packs!: PackConditionsView[];
  @Field(() => [String], { description: 'The findings a raise would record (their summaries)' }) findings!: string[];
}

@ObjectType('CustodyLegConditions', { description: "One leg of a pack's custody (a container, shipment or location it was in) with what that source's own logger recorded over it" })
export class CustodyLegConditionsView {
  @Field(() => ConditionSourceView) source!: ConditionSourceView;
  @Field() from!: string;
  @Field() to!: string;
  @Field({ description: 'The source had a logger over some of the leg; false is "no logger"' }) covered!: boolean;
  @Field(() => [String], { description: 'Devices of the stored batches that cover the leg (empty: no logger)' }) loggers!: string[];
  @Field(() => Float, { nullable: true }) minCelsius!: number | null;
  @Field(() => Float, { nullable: true }) maxCelsius!: number | null;
  @Field(() => Float) minutesOutOfRange!: number;
  @Field(() => Float, { nullable: true }) mktCelsius!: number | null;
  @Field(() => Float) monitoredMinutes!: number;
}

export enum ExcursionDecisionInput { release = 'release', destroy = 'destroy' }
registerEnumType(ExcursionDecisionInput, { name: 'ExcursionDecision' });
