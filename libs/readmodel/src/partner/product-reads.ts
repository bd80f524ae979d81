import type { DataSource } from 'typeorm';
import { DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL, formatStorageRange, type ProductRecord, type StorageConditions } from '@pedigree/domain';
import { decodeCursor, pageSize, toPage, type Page } from './paging';
import type { ProductView, StorageView } from './views';

/** Products as the read model holds them (public master data from the ledger). */
export class ProductReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(first?: number | null, after?: string | null): Promise<Page<ProductView>> {
    const size = pageSize(first);
    const rows: Array<{ gtin: string; record: ProductRecord }> = await this.dataSource.query(
      `SELECT gtin, record FROM products WHERE ($1::text IS NULL OR gtin > $1) ORDER BY gtin LIMIT $2`, [decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.gtin, (r) => productView(r.record));
  }

  async get(gtin: string): Promise<ProductView | null> {
    const record = await this.record(gtin);
    return record ? productView(record) : null;
  }

  /** The product's master data as the ledger registered it (storage conditions and all). */
  async record(gtin: string): Promise<ProductRecord | null> {
    const [row] = await this.dataSource.query(`SELECT record FROM products WHERE gtin = $1`, [gtin]);
    return row ? (row.record as ProductRecord) : null;
  }

  /** Which of these GTINs the read model's master data has. */
  async known(gtins: readonly string[]): Promise<Set<string>> {
    if (!gtins.length) return new Set();
    const rows: Array<{ gtin: string }> = await this.dataSource.query(`SELECT gtin FROM products WHERE gtin = ANY($1::text[])`, [gtins]);
    return new Set(rows.map((r) => r.gtin));
  }
}

function productView(r: ProductRecord): ProductView {
  return {
    gtin: r.gtin, name: r.name, ndc: r.ndc ?? null, manufacturer: r.manufacturer, strength: r.strength ?? null, dosageForm: r.dosageForm ?? null, packSize: r.packSize ?? null,
    storage: r.storage ? storageView(r.storage) : null,
  };
}

function storageView(s: StorageConditions): StorageView {
  return {
    minCelsius: s.minCelsius, maxCelsius: s.maxCelsius, label: formatStorageRange(s), humidity: s.humidity ? { minPercent: s.humidity.minPercent, maxPercent: s.humidity.maxPercent, maxMinutesOutOfRange: s.humidity.maxMinutesOutOfRange ?? null } : null,
    budget: { maxMinutesOutOfRange: s.budget.maxMinutesOutOfRange, mktLimitCelsius: s.budget.mktLimitCelsius ?? null, activationEnergyKjPerMol: s.budget.activationEnergyKjPerMol ?? DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL },
  };
}
