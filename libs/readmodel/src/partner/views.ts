import { isSellable, packOverlays, type ContainerRecord, type PackRecord } from '@pedigree/domain';

/**
 * What a partner's API answers from its read model. The GraphQL classes implement these, so a
 * column added here is a compile error until the API says how it shows it.
 */
/** A product's labelled storage range and excursion budget as the API shows it (cold chain, docs/cold-chain.md). */
export interface StorageView {
  readonly minCelsius: number;
  readonly maxCelsius: number;
  /** As screens print it, e.g. "2–8 °C". */
  readonly label: string;
  readonly humidity: { readonly minPercent: number; readonly maxPercent: number; readonly maxMinutesOutOfRange: number | null } | null;
  readonly budget: { readonly maxMinutesOutOfRange: number; readonly mktLimitCelsius: number | null; readonly activationEnergyKjPerMol: number };
}

export interface ProductView {
  readonly gtin: string;
  readonly name: string;
  readonly ndc: string | null;
  readonly manufacturer: string;
  readonly strength: string | null;
  readonly dosageForm: string | null;
  readonly packSize: string | null;
  readonly storage: StorageView | null;
}

export interface PackView {
  readonly epc: string;
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: string;
  readonly expiryExtendedTo: string | null;
  readonly status: string;
  readonly overlays: string[];
  readonly sellable: boolean;
  readonly manufacturer: string;
  readonly owner: string;
  readonly custodian: string;
  readonly owners: string[];
  readonly location: string | null;
  readonly container: string | null;
  readonly productName: string | null;
  readonly version: number;
}

export interface ContainerView {
  readonly epc: string;
  readonly sscc: string;
  readonly children: string[];
  readonly parent: string | null;
  readonly sealed: boolean;
  readonly status: string;
  readonly owner: string;
  readonly custodian: string;
  readonly location: string | null;
}

export interface ShipmentView {
  readonly id: string;
  readonly sender: string;
  readonly receiver: string;
  readonly purpose: string;
  readonly status: string;
  readonly epcs: string[];
  readonly shippedAt: string;
  readonly receivedAt: string | null;
  readonly transactionInformationHash: string | null;
  readonly statementAffirmed: boolean;
}

/** The private documents of a shipment as this read model keeps them (only the two parties' read models have them). */
export interface ShipmentDocuments {
  readonly transactionInformation: unknown;
  readonly transactionStatement: unknown;
}

export interface InventoryLineView {
  readonly gtin: string;
  readonly productName: string | null;
  readonly lot: string;
  readonly expiry: string;
  readonly quantity: number;
}

export interface TraceEntryView {
  readonly subject: string;
  readonly step: string;
  readonly actor: string | null;
  readonly status: string | null;
  readonly owner: string | null;
  readonly custodian: string | null;
  readonly occurredAt: string;
  readonly transactionId: string;
  readonly blockNumber: string;
  readonly submittedBy: string | null;
  readonly signer: string | null;
  readonly epcisEvent: unknown;
}

/** A pack as every read shows it: its overlays and sellability as of `at` (expiry is a matter of the clock). */
export function packView(record: PackRecord, productName: string | null = null, at = new Date().toISOString()): PackView {
  return {
    epc: record.id, gtin: record.gtin, serial: record.serial, lot: record.lot, expiry: record.expiry, expiryExtendedTo: record.expiryExtendedTo ?? null,
    status: record.status, overlays: packOverlays(record, at), sellable: isSellable(record, at), manufacturer: record.manufacturer, owner: record.owner,
    custodian: record.custodian, owners: [...record.owners], location: record.site ?? null, container: record.parent ?? null, productName, version: record.version,
  };
}

export function containerView(c: ContainerRecord): ContainerView {
  return { epc: c.id, sscc: c.sscc, children: [...c.children], parent: c.parent ?? null, sealed: c.sealed, status: c.status, owner: c.owner, custodian: c.custodian, location: c.site ?? null };
}
