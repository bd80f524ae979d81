import { canonicalJson, type ContainerRecord, type PackRecord, type TraceRecord } from '@pedigree/domain';
import { Ledger, LedgerError } from '@pedigree/ledger';

/** Chaincode contract names (chaincode/src: TraceabilityContract, MasterDataContract). */
export const TRACEABILITY = 'traceability';
export const MASTER_DATA = 'masterdata';

/** The ledger's current state of one record, read by evaluate (one peer, not ordered). */
export class LedgerReads {
  constructor(private readonly ledger: Ledger) {}

  async json<T>(transaction: string, args: readonly string[], contract = TRACEABILITY): Promise<T> {
    const bytes = await this.ledger.evaluate(transaction, args, { contract });
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }

  /** undefined when the chaincode says the record does not exist. */
  async optional<T>(transaction: string, args: readonly string[], contract = TRACEABILITY): Promise<T | undefined> {
    try {
      return await this.json<T>(transaction, args, contract);
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'chaincode' && ['NOT_FOUND', 'NOT_COMMISSIONED', 'PRODUCT_UNKNOWN'].includes(err.chaincodeCode ?? '')) return undefined;
      throw err;
    }
  }

  async pack(epc: string): Promise<PackRecord | undefined> {
    return (await this.optional<{ pack: PackRecord }>('GetPack', [epc]))?.pack;
  }

  async container(epc: string): Promise<ContainerRecord | undefined> {
    return (await this.optional<{ container: ContainerRecord }>('GetContainer', [epc]))?.container;
  }

  /** One page of a lot's packs (GetLot), with the lot's recall when the ledger has one; undefined for an unknown product. */
  async lotPage(gtin: string, lot: string, pageSize: number, bookmark: string): Promise<LotPage | undefined> {
    return this.optional<LotPage>('GetLot', [gtin, lot, String(pageSize), bookmark]);
  }
}

export interface LotPage {
  readonly packs: readonly PackRecord[];
  readonly bookmark?: string;
  readonly fetched?: number;
  readonly recall?: { readonly recallId?: string };
  readonly lot?: { readonly recallId?: string };
}

export interface RecordDifference {
  readonly id: string;
  readonly kind: 'pack' | 'container' | 'lot' | 'exception';
  /**
   * `missing-on-ledger`: a read-model row with no ledger record (an extra row); `missing-in-read-model`:
   * a ledger record whose row is gone; `differs`: both exist and `fields` (of the record JSON) or
   * `columns` (of the row, against what the projector derives from the ledger's record) differ.
   */
  readonly problem: 'missing-on-ledger' | 'missing-in-read-model' | 'differs';
  readonly readModelVersion?: number;
  readonly ledgerVersion?: number;
  readonly fields?: readonly string[];
  readonly columns?: readonly string[];
}

/** Top-level fields whose values differ between two records. */
export function differingFields(a: TraceRecord, b: TraceRecord): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => canonicalJson((a as unknown as Record<string, unknown>)[k] ?? null) !== canonicalJson((b as unknown as Record<string, unknown>)[k] ?? null)).sort();
}
