import { randomBytes } from 'node:crypto';
import {
  assertValidEpcisDocument, batchSpan, DomainError, readAndValidateEpcisXml, readingsBatchSha256, readingsFromCsv, readingsFromEpcisDocument,
  type ConditionSource, type LoggerReading, type ReadingsAnchorRecord, type ReadingsBatch,
} from '@pedigree/domain';
import { ConditionReadings, type ReadingsFormat, type StoredReadingsBatch } from '@pedigree/readmodel';
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
