import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum GranularityEnum { DAY = 'DAY', WEEK = 'WEEK', MONTH = 'MONTH' }
registerEnumType(GranularityEnum, { name: 'Granularity', description: 'Calendar period of demand and forecasts (weeks start on Monday)' });

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ObjectType({ description: 'Demand quantiles of one period' })
export class ForecastPeriodView {
  @Field({ description: 'First day of the period (YYYY-MM-DD)' }) period!: string;
  @Field(() => Float, { description: 'Quantile 0.1' }) q10!: number;
  @Field(() => Float, { description: 'Quantile 0.5 (the point forecast)' }) q50!: number;
  @Field(() => Float, { description: 'Quantile 0.9' }) q90!: number;
}

@ObjectType()
export class MethodScore {
  @Field() method!: string;
  @Field(() => Float, { description: 'Validation MASE on the series\' held-out year' }) mase!: number;
}

@ObjectType()
export class DemandForecast {
  @Field() gtin!: string;
  @Field() location!: string;
  @Field(() => GranularityEnum) granularity!: GranularityEnum;
  @Field(() => Int) horizon!: number;
  @Field({ description: 'Last month of history the forecast used (YYYY-MM)' }) historyThrough!: string;
  @Field({ description: 'served (the stored policy of a trained model) or ets (before any training)' }) method!: string;
  @Field({ description: 'The fitted model in words, e.g. ETS(M,Ad,M), or the fallback taken' }) fittedModel!: string;
  @Field({ description: 'Why this method' }) reason!: string;
  @Field(() => [String], { description: 'Repairs of the input (gaps filled, negatives clipped) and fallbacks' }) notes!: string[];
  @Field() modelVersion!: string;
  @Field(() => [MethodScore]) validation!: MethodScore[];
  @Field(() => [ForecastPeriodView]) periods!: ForecastPeriodView[];
  @Field({ description: 'SHA-256 of the forecast\'s canonical JSON: what publishForecast anchors' }) digest!: string;
  @Field({ nullable: true, description: 'The tfjs backend of this process: tensorflow (tfjs-node), wasm or cpu' }) backend?: string;
}

@ObjectType()
export class DemandPointView {
  @Field() period!: string;
  @Field(() => Float) quantity!: number;
}

@ObjectType()
export class DemandHistoryView {
  @Field() gtin!: string;
  @Field() location!: string;
  @Field(() => GranularityEnum) granularity!: GranularityEnum;
  @Field(() => Float) total!: number;
  @Field(() => Int, { description: 'Packs dispensed on the ledger (live, from the dispenser\'s read model)' }) liveDispenses!: number;
  @Field(() => Float, { description: 'Demand imported from CSV or seeded as demo history' }) importedQuantity!: number;
  @Field(() => [DemandPointView]) points!: DemandPointView[];
  @Field(() => [String], { description: 'Days (YYYY-MM-DD) that opened with no sellable pack on hand, since stock was first received; the months they fall in reach the forecast as censored (sales are a lower bound of demand)' })
  stockOutDays!: string[];
}

@ObjectType()
export class ReorderLine {
  @Field() gtin!: string;
  @Field(() => String, { nullable: true }) productName!: string | null;
  @Field() location!: string;
  @Field(() => Int) onHand!: number;
  @Field(() => Int) inTransit!: number;
  @Field(() => Float) leadTimePeriods!: number;
  @Field(() => GranularityEnum) granularity!: GranularityEnum;
  @Field(() => Float) serviceLevel!: number;
  @Field(() => Float, { nullable: true, description: 'Median demand over the lead time' }) leadTimeDemand!: number | null;
  @Field(() => Float, { nullable: true }) safetyStock!: number | null;
  @Field(() => Int, { nullable: true, description: 'Service-level quantile of lead-time demand (calibrated, from correlated sample paths)' }) reorderPoint!: number | null;
  @Field(() => Int, { nullable: true, description: 'Service-level quantile of demand over lead time + review: what each review orders up to' }) orderUpToLevel!: number | null;
  @Field(() => Int, { nullable: true }) orderQuantity!: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Inventory position below the order-up-to level: order the difference at this review' }) reorderNow!: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Inventory position at or below the reorder point: even an order placed now risks a stock-out' }) expedite!: boolean | null;
  @Field(() => String, { nullable: true }) method!: string | null;
  @Field(() => String, { nullable: true, description: 'Digest of the forecast behind the suggestion: cite it on the order' }) forecastDigest!: string | null;
  @Field(() => String, { nullable: true, description: 'Why there is no suggestion (e.g. NO_DEMAND_HISTORY)' }) problem!: string | null;
}

@ObjectType()
export class ReorderLineEdge {
  @Field() cursor!: string;
  @Field(() => ReorderLine) node!: ReorderLine;
}

@ObjectType()
export class ReorderConnection {
  @Field(() => [ReorderLineEdge]) edges!: ReorderLineEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
export class ModelInfo {
  @Field() loaded!: boolean;
  @Field({ description: 'tensorflow (tfjs-node), wasm or cpu: the backend that runs in this process' }) backend!: string;
  @Field(() => String, { nullable: true }) version!: string | null;
  @Field(() => String, { nullable: true, description: 'Backend the model was trained on' }) trainedOn!: string | null;
  @Field(() => String, { nullable: true }) createdAt!: string | null;
  @Field(() => String, { nullable: true }) trainingFirstMonth!: string | null;
  @Field(() => String, { nullable: true }) trainingLastMonth!: string | null;
  @Field(() => Int, { nullable: true }) trainingSeries!: number | null;
  @Field(() => Int, { nullable: true }) trainingWindows!: number | null;
  @Field(() => Float, { nullable: true }) trainingSeconds!: number | null;
  @Field(() => Int, { nullable: true }) validationMonths!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean pinball loss on the held-out year (normalised log space)' }) validationPinball!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean MASE of the median on the held-out year' }) validationMase!: number | null;
  @Field(() => Int, { nullable: true }) members!: number | null;
}

@ObjectType()
export class ModelVersionEdge {
  @Field() cursor!: string;
  @Field(() => ModelInfo) node!: ModelInfo;
}

@ObjectType()
export class ModelVersionConnection {
  @Field(() => [ModelVersionEdge]) edges!: ModelVersionEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
export class TrainingJob {
  @Field(() => ID) id!: string;
  @Field({ description: 'queued, running, succeeded, failed' }) status!: string;
  @Field() phase!: string;
  @Field(() => Float) percent!: number;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => String, { nullable: true }) modelVersion!: string | null;
  @Field(() => Int) forecastsPublished!: number;
  @Field() requestedBy!: string;
  @Field() startedAt!: string;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
}

@ObjectType()
export class DemandImport {
  @Field() importId!: string;
  @Field(() => Int) rows!: number;
  @Field(() => Int) series!: number;
  @Field(() => Int, { description: 'Negative values kept as given; forecasts clip them to zero and say so' }) negativeValues!: number;
  @Field() firstPeriod!: string;
  @Field() lastPeriod!: string;
}

@ObjectType()
export class PublishedForecast {
  @Field() digest!: string;
  @Field() gtin!: string;
  @Field() location!: string;
  @Field() modelVersion!: string;
  @Field() method!: string;
  @Field() publishedAt!: string;
  @Field({ description: 'pending, anchored or failed' }) anchorStatus!: string;
  @Field(() => String, { nullable: true }) anchorTransactionId!: string | null;
  @Field(() => String, { nullable: true }) anchorError!: string | null;
  @Field({ description: 'The canonical JSON whose SHA-256 is the digest' }) document!: string;
}

@ObjectType()
export class PublishedForecastEdge {
  @Field() cursor!: string;
  @Field(() => PublishedForecast) node!: PublishedForecast;
}

@ObjectType()
export class PublishedForecastConnection {
  @Field(() => [PublishedForecastEdge]) edges!: PublishedForecastEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
export class ForecastAnchor {
  @Field() digest!: string;
  @Field() modelVersion!: string;
  @Field() gtin!: string;
  @Field() location!: string;
  @Field() publishedAt!: string;
  @Field({ description: 'Organisation whose ledger identity anchored it' }) anchoredBy!: string;
  @Field() anchoredAt!: string;
  @Field() transactionId!: string;
}

@ObjectType({ description: 'Proof of which forecast a digest names: the ledger anchor and the stored document' })
export class ForecastVerification {
  @Field() digest!: string;
  @Field({ description: 'The digest is anchored on the ledger' }) anchored!: boolean;
  @Field(() => ForecastAnchor, { nullable: true }) anchor!: ForecastAnchor | null;
  @Field(() => PublishedForecast, { nullable: true, description: 'The forecast this service published under the digest' }) forecast!: PublishedForecast | null;
  @Field(() => Boolean, { nullable: true, description: 'The stored document still hashes to the digest' }) documentMatches!: boolean | null;
  @Field(() => Boolean, { description: 'Anchored, stored, intact, and the anchor names the same model version' }) verified!: boolean;
}
