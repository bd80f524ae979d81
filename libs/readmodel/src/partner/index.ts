import type { DataSource } from 'typeorm';
import { ContainerReads } from './container-reads';
import { ReceivingExceptionReads } from '../exception-reads';
import { HistoryReads } from './history-reads';
import { InvestigationReads } from '../investigation-reads';
import { TracingRequestReads } from '../tracing-reads';
import { IdempotencyKeys } from './idempotency-keys';
import { PackReads } from './pack-reads';
import { ProductReads } from './product-reads';
import { ShipmentReads } from './shipment-reads';
import { VerificationLog } from './verification-log';

export * from './container-reads';
export * from './custody-reads';
export * from './excursion-reads';
export * from './history-reads';
export * from './idempotency-keys';
export * from './pack-reads';
export * from './paging';
export * from './product-reads';
export * from './shipment-reads';
export * from './verification-log';
export * from './views';

/** One partner's read model, as its services may use it: a repository per aggregate, no SQL outside them. */
export interface PartnerReadModel {
  readonly products: ProductReads;
  readonly packs: PackReads;
  readonly containers: ContainerReads;
  readonly shipments: ShipmentReads;
  readonly history: HistoryReads;
  /** The receiving exceptions this organisation raised or had raised against its shipments. */
  readonly exceptions: ReceivingExceptionReads;
  /** The suspect-product investigations it opened, holds stock for, or was notified of. */
  readonly investigations: InvestigationReads;
  /** Tracing requests it made or must answer. */
  readonly tracing: TracingRequestReads;
  readonly verifications: VerificationLog;
  readonly idempotencyKeys: IdempotencyKeys;
  /** Answers when the database does (health). */
  ping(): Promise<void>;
}

export function partnerReadModel(dataSource: DataSource): PartnerReadModel {
  return {
    products: new ProductReads(dataSource),
    packs: new PackReads(dataSource),
    containers: new ContainerReads(dataSource),
    shipments: new ShipmentReads(dataSource),
    history: new HistoryReads(dataSource),
    exceptions: new ReceivingExceptionReads(dataSource),
    investigations: new InvestigationReads(dataSource),
    tracing: new TracingRequestReads(dataSource),
    verifications: new VerificationLog(dataSource),
    idempotencyKeys: new IdempotencyKeys(dataSource),
    ping: async () => { await dataSource.query('SELECT 1'); },
  };
}
