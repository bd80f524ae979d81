import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { parseConditionSource, summariseExcursions, toUtcIsoString } from '@pedigree/domain';
import { currentPrincipal, Roles } from '@pedigree/platform';
import { ExcursionReads, type Page, type StoredReadingsBatch } from '@pedigree/readmodel';
import { ColdChainExcursions, ColdChainReadings, type ShipmentConditions } from './cold-chain';
import { ConditionReading, ConditionSourceInput, CustodyLegConditionsView, ExcursionDecisionInput, ReadingsAnchorCheck, ReadingsBatchView, ShipmentConditionsView } from './cold-chain-types';
import { ReceivingExceptionConnection, type ReceivingException } from './exception-types';
import { exceptionView } from './exceptions.resolver';
import { toEpc } from './epc-input';
import { MutationResult } from './graphql-types';
import { PartnerContext } from './partner-context';
import { OPERATORS, READERS } from './roles';

const KEY = { name: 'idempotencyKey', nullable: true } as const;

export function readingsBatchView(b: StoredReadingsBatch): ReadingsBatchView {
  return {
    id: b.id, source: { ...b.source }, deviceId: b.deviceId, readingCount: b.readingCount, firstAt: toUtcIsoString(b.firstAtMs), lastAt: toUtcIsoString(b.lastAtMs),
    format: b.format, anchorTransactionId: b.anchorTxId, uploadedAt: b.uploadedAt,
  };
}

function shipmentConditionsView(c: ShipmentConditions): ShipmentConditionsView {
  return {
    shipmentId: c.shipmentId, excursion: c.findings.length > 0, findings: c.findings.map((f) => f.evidence.summary),
    packs: c.packs.map((p) => ({
      epc: p.epc, gtin: p.gtin, withinBudget: p.withinBudget, breaches: [...p.breaches], minutesOutOfRange: p.exposure.minutesOutOfRange, mktCelsius: p.exposure.mktCelsius,
      humidityMinutesOutOfRange: p.humidity ? p.humidity.minutesOutOfRange : null, unmonitoredMinutes: p.exposure.unmonitoredMinutes, excursions: summariseExcursions(p.exposure),
    })),
  };
}

/** Logger readings in, kept here, anchored on the ledger, and checked against the anchor (docs/cold-chain.md). */
@Resolver()
export class ColdChainResolver {
  private readonly readings: ColdChainReadings;
  private readonly excursions: ColdChainExcursions;
  private readonly excursionReads: ExcursionReads;

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.readings = new ColdChainReadings(p);
    this.excursions = new ColdChainExcursions(p);
    this.excursionReads = new ExcursionReads(p.database.dataSource);
  }

  @Roles(...READERS)
  @Query(() => ReceivingExceptionConnection, {
    description: "Temperature excursions holding packs of this organisation's products wherever they were raised, even when it did not sell them (it decides on them); newest first, paged",
  })
  async excursionsOfMyProducts(
    @Args('openOnly', { nullable: true, defaultValue: false }) openOnly: boolean,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<Page<ReceivingException>> {
    const page = await this.excursionReads.pageOfProductsMadeBy(this.p.org, { openOnly, first: first ?? null, after: after ?? null });
    const now = new Date().toISOString();
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: exceptionView(e.node, now) })), pageInfo: page.pageInfo };
  }

  @Roles(...READERS)
  @Query(() => ShipmentConditionsView, { description: "The dock's cold-chain check: the shipment's packs against their products' excursion budgets, from the loggers stored here" })
  async shipmentConditions(@Args('shipmentId') shipmentId: string): Promise<ShipmentConditionsView> {
    return shipmentConditionsView(await this.excursions.shipmentConditions(shipmentId));
  }

  @Roles(...READERS)
  @Query(() => [ShipmentConditionsView], {
    description: "A site's storage check: the packs held here at the site (GLN or SGLN), each over its whole custody up to now including the site's own logger, grouped by the shipment they arrived with",
  })
  async locationConditions(@Args('location') location: string): Promise<ShipmentConditionsView[]> {
    return (await this.excursions.locationConditions(location)).map(shipmentConditionsView);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { nullable: true, description: "Raise the site's temperature excursions as exceptions here (packs held; not referred to the seller); packs already held by one are not raised again; null when there is nothing new" })
  async raiseLocationExcursions(@Args('location') location: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return (await this.excursions.raiseLocationExcursions(location, idempotencyKey)) ?? null;
  }

  @Roles(...READERS)
  @Query(() => [CustodyLegConditionsView], { description: "A pack's custody legs up to now, each with its own logger's min, max, minutes out of range and MKT against the product's range (empty when the product has no storage conditions)" })
  async packConditions(@Args('epc') epc: string): Promise<CustodyLegConditionsView[]> {
    const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return (await this.excursions.packConditions(toEpc(epc))).map((l) => ({
      source: { ...l.source }, from: toUtcIsoString(l.fromMs), to: toUtcIsoString(l.toMs), covered: l.covered, loggers: [...l.loggers],
      minCelsius: round(l.lowestCelsius), maxCelsius: round(l.highestCelsius), minutesOutOfRange: Math.round(l.minutesOutOfRange * 1000) / 1000, mktCelsius: round(l.mktCelsius),
      monitoredMinutes: Math.round(l.monitoredMinutes * 10) / 10,
    }));
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { nullable: true, description: 'Raise the shipment\'s temperature excursions as exceptions here (packs held, referred to the seller); null when there are none' })
  async raiseTemperatureExcursions(@Args('shipmentId') shipmentId: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return (await this.excursions.raiseShipmentExcursions(shipmentId, idempotencyKey)) ?? null;
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "The manufacturer's decision on a temperature excursion, recorded on the ledger: release (with its stability data) or destroy" })
  decideExcursion(
    @Args('receiver', { description: 'The organisation holding the packs (the exception\'s receiver)' }) receiver: string,
    @Args('exceptionId') exceptionId: string,
    @Args('decision', { type: () => ExcursionDecisionInput }) decision: ExcursionDecisionInput,
    @Args('stabilityDataRef', { nullable: true, description: 'Required for a release' }) stabilityDataRef?: string,
    @Args('note', { nullable: true }) note?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.excursions.decide({ receiver, exceptionId, decision, ...(stabilityDataRef ? { stabilityDataRef } : {}), ...(note ? { note } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "The holder acts on the manufacturer's decision: a release closes the exception and frees its packs; a destruction closes it with the packs held for destruction" })
  applyExcursionDecision(@Args('exceptionId') exceptionId: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.excursions.applyDecision(exceptionId, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => ReadingsBatchView, { description: "Upload one logger's readings (CSV, or an EPCIS 2.0 sensor report in JSON-LD or XML) for a shipment, container or location; stored here, its salted digest anchored on the ledger" })
  async uploadReadings(
    @Args('source', { type: () => ConditionSourceInput }) source: ConditionSourceInput,
    @Args('csv', { nullable: true, description: 'Header with a time column (ISO 8601 with offset) and a temperature column (°C or °F)' }) csv?: string,
    @Args('epcisDocument', { nullable: true, description: 'EPCIS 2.0 document (JSON-LD or XML) whose events carry sensorElementList' }) epcisDocument?: string,
    @Args('deviceId', { nullable: true }) deviceId?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ): Promise<ReadingsBatchView> {
    const batch = await this.readings.upload(
      { source: parseConditionSource({ kind: source.kind, id: source.id }), ...(csv !== undefined && csv !== null ? { csv } : {}), ...(epcisDocument !== undefined && epcisDocument !== null ? { epcisDocument } : {}), ...(deviceId ? { deviceId } : {}) },
      currentPrincipal()?.subject ?? null, idempotencyKey,
    );
    return readingsBatchView(batch);
  }

  @Roles(...OPERATORS)
  @Mutation(() => ReadingsBatchView, { description: 'Anchor a stored batch whose anchoring failed' })
  async anchorReadingsBatch(@Args('id', { type: () => ID }) id: string): Promise<ReadingsBatchView> {
    return readingsBatchView(await this.readings.anchor(id));
  }

  @Roles(...READERS)
  @Query(() => ReadingsAnchorCheck, { description: 'Whether a stored readings batch still matches the digest anchored on the ledger' })
  async checkReadingsBatch(@Args('id', { type: () => ID }) id: string): Promise<ReadingsAnchorCheck> {
    const c = await this.readings.check(id);
    return {
      batch: readingsBatchView(c.batch), matches: c.matches, recomputedSha256: c.recomputedSha256,
      anchoredSha256: c.anchor?.batchSha256 ?? null, anchoredBy: c.anchor?.anchoredBy ?? null, anchoredAt: c.anchor?.anchoredAt ?? null,
    };
  }

  @Roles(...READERS)
  @Query(() => [ReadingsBatchView], { description: 'Readings batches stored here for a source, oldest first' })
  async readingsBatches(@Args('source', { type: () => ConditionSourceInput }) source: ConditionSourceInput): Promise<ReadingsBatchView[]> {
    return (await this.readings.store.batchesOf(parseConditionSource({ kind: source.kind, id: source.id }))).map(readingsBatchView);
  }

  @Roles(...READERS)
  @Query(() => [ConditionReading], { description: "A source's stored readings in time order (the chart's trace)" })
  async conditionReadings(@Args('source', { type: () => ConditionSourceInput }) source: ConditionSourceInput): Promise<ConditionReading[]> {
    const readings = await this.readings.readingsOf(parseConditionSource({ kind: source.kind, id: source.id }));
    return readings.map((r) => ({ at: toUtcIsoString(r.atMs), celsius: r.celsius, humidityPercent: r.humidityPercent ?? null }));
  }
}
