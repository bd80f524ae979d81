import { randomBytes } from 'node:crypto';
import {
  assertValidEpcisDocument, batchSpan, parseConditionSource, sha256Hex, checkShipmentConditions, custodyIntervals, custodySteps, DEFAULT_MAX_GAP_MINUTES, DomainError, legConditions, storageOptions, temperatureRange, parseEpcUrn, readAndValidateEpcisXml, readingsBatchSha256, readingsFromCsv, readingsFromEpcisDocument,
  sourceKey, temperatureSeries, humiditySeries, type ConditionSource, type DecideExcursionCommand, type ExcursionDecisionRecord, type ExcursionEvidence, type ExcursionHold, excursionHold, type Finding,
  type LegConditions, type LoggerReading, type PackConditions, type PackInterval, type Reading, type ReadingsAnchorRecord, type ReadingsBatch, type StorageConditions,
} from '@pedigree/domain';
import { ConditionReadings, CustodyReads, ReceivingExceptionReads, type ReadingsFormat, type StoredReadingsBatch } from '@pedigree/readmodel';
import type { MutationReceipt } from './ledger-commands';
import type { PartnerContext } from './partner-context';

/** What the anchor check found: the stored batch recomputed against the digest on the ledger. */
export interface AnchorCheck {
  readonly batch: StoredReadingsBatch;
  /** The digest of the readings as stored now, with the stored salt. */
  readonly recomputedSha256: string;
  readonly anchor: ReadingsAnchorRecord | undefined;
  /** The stored readings are the ones anchored: recomputed digest = anchored digest. */
  readonly matches: boolean;
}

/** An upload: a logger's CSV export, or an EPCIS 2.0 sensor report document (JSON-LD or XML). */
export interface ReadingsUpload {
  readonly source: ConditionSource;
  readonly csv?: string;
  readonly epcisDocument?: string;
  readonly deviceId?: string;
}

/**
 * Readings in (issue 18): parse an upload, keep it in this organisation's own store with a fresh
 * salt, anchor its salted digest on the ledger with its source, and check a stored batch against
 * its anchor. The ledger sees only the digest, the count and the span.
 */
export class ColdChainReadings {
  readonly store: ConditionReadings;

  constructor(private readonly p: PartnerContext) {
    this.store = new ConditionReadings(p.database.dataSource);
  }

  /** Parses, stores and anchors; answers the stored batch with its anchoring transaction. */
  async upload(upload: ReadingsUpload, uploadedBy: string | null, idempotencyKey?: string | null): Promise<StoredReadingsBatch> {
    const { readings, deviceId, format } = parseUpload(upload);
    const batch: ReadingsBatch = { source: upload.source, readings, ...(deviceId ? { deviceId } : {}) };
    const salt = randomBytes(16).toString('hex');
    const id = readingsBatchSha256(batch, salt);
    await this.store.save(id, batch, salt, format, uploadedBy);
    return this.anchor(id, idempotencyKey);
  }

  /** Anchors a stored batch (again, after a failed attempt: the ledger answers a repeat as a duplicate). */
  async anchor(id: string, idempotencyKey?: string | null): Promise<StoredReadingsBatch> {
    const batch = await this.requireBatch(id);
    if (batch.anchorTxId) return batch;
    const span = batchSpan({ readings: [{ atMs: batch.firstAtMs, celsius: 0 }, { atMs: batch.lastAtMs, celsius: 0 }] });
    const receipt = await this.p.write('anchorReadings', 'AnchorReadings', {
      source: batch.source, batchSha256: batch.id, readingCount: batch.readingCount, ...span, ...(batch.deviceId ? { deviceId: batch.deviceId } : {}),
    }, idempotencyKey ?? `anchor-readings-${batch.id}`);
    await this.store.markAnchored(batch.id, receipt.transactionId);
    return { ...batch, anchorTxId: receipt.transactionId };
  }

  /** Whether the stored batch still matches the digest anchored on the ledger. */
  async check(id: string): Promise<AnchorCheck> {
    const batch = await this.requireBatch(id);
    const readings = await this.store.readingsOfBatch(id);
    const recomputedSha256 = readings.length ? readingsBatchSha256({ source: batch.source, readings, ...(batch.deviceId ? { deviceId: batch.deviceId } : {}) }, batch.salt) : '';
    const anchor = await this.p.reads.optional<ReadingsAnchorRecord>('GetReadingsAnchor', [batch.source.kind, batch.source.id, batch.id], 'coldchain');
    return { batch, recomputedSha256, anchor, matches: anchor !== undefined && anchor.batchSha256 === recomputedSha256 };
  }

  /** A source's stored readings in time order (every batch, overlaps once). */
  readingsOf(source: ConditionSource, fromMs?: number, toMs?: number): Promise<LoggerReading[]> {
    return this.store.readingsOf(source, fromMs, toMs);
  }

  private async requireBatch(id: string): Promise<StoredReadingsBatch> {
    const batch = await this.store.batch(id);
    if (!batch) throw new DomainError('NOT_FOUND', `no readings batch ${id} is stored here`);
    return batch;
  }
}

function parseUpload(upload: ReadingsUpload): { readings: LoggerReading[]; deviceId?: string; format: ReadingsFormat } {
  if ((upload.csv === undefined) === (upload.epcisDocument === undefined)) {
    throw new DomainError('READINGS_INVALID', 'give either csv or epcisDocument', { reason: 'one upload' });
  }
  if (upload.csv !== undefined) return { readings: readingsFromCsv(upload.csv), ...(upload.deviceId ? { deviceId: upload.deviceId } : {}), format: 'csv' };
  const text = (upload.epcisDocument as string).trimStart();
  // XML through the XML reader (EPCIS 1.2 cannot carry sensor data: it is refused there); JSON-LD validated as captured documents are.
  let document: unknown;
  let format: ReadingsFormat;
  if (text.startsWith('<')) {
    const validated = readAndValidateEpcisXml(text);
    if (validated.issues.length) throw new DomainError('EPCIS_INVALID', `the EPCIS XML document is invalid: ${validated.issues[0]?.path} ${validated.issues[0]?.message}`, { issues: validated.issues });
    document = validated.read.document;
    format = 'epcis-xml';
  } else {
    try {
      document = JSON.parse(text);
    } catch {
      throw new DomainError('EPCIS_INVALID', 'epcisDocument is neither XML nor JSON', { reason: 'not JSON' });
    }
    assertValidEpcisDocument(document);
    format = 'epcis-json';
  }
  const read = readingsFromEpcisDocument(document);
  const deviceId = upload.deviceId ?? read.deviceId;
  return { readings: read.readings, ...(deviceId ? { deviceId } : {}), format };
}

/** A custody leg's conditions with the loggers (device IDs) whose stored batches cover it; none is "no logger". */
export interface PackLegConditions extends LegConditions {
  readonly loggers: readonly string[];
}

/** What the dock's cold-chain check found for one shipment. */
export interface ShipmentConditions {
  readonly shipmentId: string;
  readonly packs: readonly PackConditions[];
  readonly findings: readonly Finding[];
}

/**
 * Excursions (issue 18): the receiving check of a shipment's logger readings against each
 * product's budget, the temperature_excursion exceptions it raises at the holder, and the holder's
 * resolution once the manufacturer decided (DecideExcursion on the ledger).
 */
export class ColdChainExcursions {
  private readonly readings: ColdChainReadings;
  private readonly exceptions: ReceivingExceptionReads;
  private readonly custody: CustodyReads;

  constructor(private readonly p: PartnerContext) {
    this.readings = new ColdChainReadings(p);
    this.custody = new CustodyReads(p.database.dataSource);
    this.exceptions = p.readModel.exceptions;
  }

  /**
   * The shipment's packs, each over its own custody up to the receipt (or now): the intervals its
   * history gives it in every container, shipment and location (custodyIntervals), read against
   * the loggers this organisation stored for them. A case's logger speaks for a pack only while the
   * pack was in the case; readings before it was packed, or after it was unpacked, are not its own.
   */
  async shipmentConditions(shipmentId: string, now = Date.now()): Promise<ShipmentConditions> {
    const shipment = await this.p.readModel.shipments.get(shipmentId);
    if (!shipment) throw new DomainError('NOT_FOUND', `shipment ${shipmentId} is not in this organisation's records`);
    const toMs = shipment.receivedAt ? new Date(shipment.receivedAt).getTime() : now;
    // The load, down the aggregation tree as the ledger has it.
    const load: Array<{ epc: string; gtin: string }> = [];
    const walk = async (epc: string): Promise<void> => {
      if (epc.startsWith('urn:epc:id:sgtin:')) {
        const id = parseEpcUrn(epc);
        if (id.scheme === 'sgtin') load.push({ epc, gtin: id.gtin });
        return;
      }
      const container = await this.p.reads.container(epc);
      for (const child of container?.children ?? []) await walk(child);
    };
    for (const epc of shipment.epcs) await walk(epc);
    const { packs, series, humidity } = await this.custodyWithReadings(load, toMs);
    const storage = await this.storageOf(packs);
    const checked = checkShipmentConditions({
      shipmentId, seller: shipment.sender, receiver: shipment.receiver, packs,
      storageOf: (gtin) => storage.get(gtin), readingsOf: (s) => series.get(sourceKey(s)), humidityOf: (s) => humidity.get(sourceKey(s)),
    });
    return { shipmentId, ...checked };
  }

  /**
   * The storage check of a site (issue 18): every pack this organisation holds there, each over its
   * whole custody up to now (the site's own logger from the receipt on), grouped by the shipment it
   * arrived with, since an exception is raised on a shipment. Packs that arrived with no shipment
   * (commissioned here) have none to raise it on and are left out.
   */
  async locationConditions(location: string, now = Date.now()): Promise<ShipmentConditions[]> {
    const site = parseConditionSource({ kind: 'location', id: location }, 'location').id;
    const { packs, series, humidity } = await this.custodyWithReadings(await this.custody.storedAt(site, this.p.org), now);
    const storage = await this.storageOf(packs);
    const byArrival = new Map<string, typeof packs>();
    for (const pack of packs) {
      const arrival = pack.legs.filter((l) => l.source.kind === 'shipment').sort((a, b) => b.toMs - a.toMs)[0];
      if (arrival) byArrival.set(arrival.source.id, [...(byArrival.get(arrival.source.id) ?? []), pack]);
    }
    const out: ShipmentConditions[] = [];
    for (const [shipmentId, group] of byArrival) {
      const shipment = await this.p.readModel.shipments.get(shipmentId);
      if (!shipment || shipment.receiver !== this.p.org) continue;
      const checked = checkShipmentConditions({
        shipmentId, seller: shipment.sender, receiver: shipment.receiver, packs: group,
        storageOf: (gtin) => storage.get(gtin), readingsOf: (s) => series.get(sourceKey(s)), humidityOf: (s) => humidity.get(sourceKey(s)),
      });
      out.push({ shipmentId, ...checked });
    }
    return out;
  }

  /** Each GTIN's storage conditions, from the product registry this read model keeps. */
  private async storageOf(packs: ReadonlyArray<{ gtin: string }>): Promise<Map<string, StorageConditions | undefined>> {
    const storage = new Map<string, StorageConditions | undefined>();
    for (const gtin of new Set(packs.map((p) => p.gtin))) storage.set(gtin, (await this.p.readModel.products.record(gtin))?.storage);
    return storage;
  }

  /**
   * A pack's trace timeline conditions (issue 18): each custody leg up to now with what its own
   * source's logger recorded over it, and the devices of the batches that cover it ("no logger" when none).
   */
  async packConditions(epc: string, now = Date.now()): Promise<PackLegConditions[]> {
    const id = parseEpcUrn(epc);
    if (id.scheme !== 'sgtin') throw new DomainError('COMMAND_INVALID', `${epc} is not a pack (SGTIN)`, { reason: 'not a pack' });
    const storage = (await this.p.readModel.products.record(id.gtin))?.storage;
    if (!storage) return [];
    const { packs, series } = await this.custodyWithReadings([{ epc, gtin: id.gtin }], now);
    const legs = legConditions(packs[0]?.legs ?? [], (s) => series.get(sourceKey(s)), temperatureRange(storage), storageOptions(storage));
    const batches = new Map<string, StoredReadingsBatch[]>();
    for (const leg of legs) {
      const k = sourceKey(leg.source);
      if (!batches.has(k)) batches.set(k, await this.readings.store.batchesOf(leg.source));
    }
    return legs.map((leg) => ({
      ...leg,
      loggers: leg.covered ? [...new Set((batches.get(sourceKey(leg.source)) ?? []).filter((b) => b.firstAtMs < leg.toMs && b.lastAtMs > leg.fromMs).map((b) => b.deviceId ?? `batch ${b.id.slice(0, 12)}`))] : [],
    }));
  }

  /**
   * Each pack's intervals up to `toMs` from its custody history, and each source's readings over its
   * legs with the readings just beyond them: a leg's ends are interpolated from the readings either
   * side (up to the longest gap interpolated).
   */
  private async custodyWithReadings(load: ReadonlyArray<{ epc: string; gtin: string }>, toMs: number): Promise<{ packs: Array<{ epc: string; gtin: string; legs: PackInterval[] }>; series: Map<string, Reading[]>; humidity: Map<string, Reading[]> }> {
    const steps = custodySteps(await this.custody.steps(load.map((p) => p.epc)));
    const packs = load.map((p) => ({ ...p, legs: custodyIntervals(p.epc, steps, toMs) }));
    const windows = new Map<string, { source: ConditionSource; fromMs: number; toMs: number }>();
    for (const leg of packs.flatMap((p) => p.legs)) {
      const k = sourceKey(leg.source);
      const w = windows.get(k);
      windows.set(k, { source: leg.source, fromMs: Math.min(w?.fromMs ?? Infinity, leg.fromMs), toMs: Math.max(w?.toMs ?? -Infinity, leg.toMs) });
    }
    const margin = DEFAULT_MAX_GAP_MINUTES * 60_000;
    const series = new Map<string, Reading[]>();
    const humidity = new Map<string, Reading[]>();
    for (const [k, w] of windows) {
      const readings = await this.readings.readingsOf(w.source, w.fromMs - margin, w.toMs + margin);
      series.set(k, temperatureSeries({ readings }));
      humidity.set(k, humiditySeries({ readings }));
    }
    return { packs, series, humidity };
  }

  /** Raises the shipment's temperature excursions at this organisation (the holder), referred to the seller; undefined when there are none. */
  async raiseShipmentExcursions(shipmentId: string, idempotencyKey?: string | null): Promise<MutationReceipt | undefined> {
    const { findings } = await this.shipmentConditions(shipmentId);
    if (!findings.length) return undefined;
    return this.p.write('raiseExceptions', 'RaiseExceptions', { findings: [...findings], refer: true }, idempotencyKey ?? `temperature-excursions-${shipmentId}`);
  }

  /**
   * Raises the site's temperature excursions here, holding the packs; packs an open temperature
   * excursion already holds are not raised again. Not referred to the seller: the site is the
   * holder's own. Undefined when there is nothing new.
   */
  async raiseLocationExcursions(location: string, idempotencyKey?: string | null): Promise<MutationReceipt | undefined> {
    const findings: Finding[] = [];
    for (const checked of await this.locationConditions(location)) {
      for (const f of checked.findings) {
        const fresh: string[] = [];
        for (const epc of f.subjects) if (!(await this.exceptions.holding(this.p.org, epc)).some((x) => x.rule === 'temperature_excursion')) fresh.push(epc);
        if (fresh.length) findings.push({ ...f, subjects: fresh, hold: fresh, evidence: { ...f.evidence, packs: fresh } });
      }
    }
    if (!findings.length) return undefined;
    const key = idempotencyKey ?? `location-excursions-${sha256Hex(findings.flatMap((f) => f.subjects).sort().join('\n'))}`;
    return this.p.write('raiseExceptions', 'RaiseExceptions', { findings, refer: false }, key);
  }

  /** The manufacturer records its decision on the ledger. */
  decide(command: Omit<DecideExcursionCommand, 'eventId' | 'submittedBy'>, idempotencyKey?: string | null): Promise<MutationReceipt> {
    return this.p.write('decideExcursion', 'DecideExcursion', command, idempotencyKey);
  }

  /**
   * The holder acts on the manufacturer's decision: a release resolves the exception by correction
   * and closes it (closing releases its packs); a destruction resolves it so and closes it, the
   * packs staying quarantined until destroyed.
   */
  async applyDecision(exceptionId: string, idempotencyKey?: string | null): Promise<MutationReceipt> {
    const decision = await this.p.reads.optional<ExcursionDecisionRecord>('GetExcursionDecision', [this.p.org, exceptionId], 'coldchain');
    if (!decision) throw new DomainError('NOT_FOUND', `the manufacturer has not decided on exception ${exceptionId} yet`);
    const key = idempotencyKey ?? `excursion-decision-${exceptionId}`;
    await this.p.write('resolveException', 'ResolveException', { exceptionId, resolution: decision.decision === 'release' ? 'correction' : 'destruction' }, `${key}:resolve`);
    return this.p.write('closeException', 'CloseException', { exceptionId }, `${key}:close`);
  }

  /** Open excursions holding a pack here, temperature and humidity: what the counter and the scan screen say. */
  async holding(epc: string): Promise<ExcursionHold> {
    const open = (await this.exceptions.holding(this.p.org, epc)).filter((x) => x.rule === 'temperature_excursion');
    return excursionHold(open.map((x) => x.evidence as unknown as Partial<ExcursionEvidence>));
  }
}
