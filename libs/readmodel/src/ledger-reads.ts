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
}

export interface RecordDifference {
  readonly id: string;
  readonly kind: 'pack' | 'container';
  readonly problem: 'missing-on-ledger' | 'differs';
  readonly readModelVersion?: number;
  readonly ledgerVersion?: number;
  readonly fields?: readonly string[];
}

/** Top-level fields whose values differ between two records. */
export function differingFields(a: TraceRecord, b: TraceRecord): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => canonicalJson((a as unknown as Record<string, unknown>)[k] ?? null) !== canonicalJson((b as unknown as Record<string, unknown>)[k] ?? null)).sort();
}
