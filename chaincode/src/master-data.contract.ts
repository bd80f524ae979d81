import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { assertNotBackdated, canonicalJson, DomainError, formatNdc, gtinPrefixCandidates, ndcToGtin14, normaliseGtin, parseNdc, type IsoTimestamp, type OrgId, type PrefixRecord } from '@pedigree/domain';
import { ChaincodeError, toChaincodeError } from './errors';
import { KeyType } from './keys';
import { recordEvent } from './recorder';
import type { PartnerRecord, ProductRecord, RegisterProductCommand } from '@pedigree/domain';
import { WorldState } from './world-state';


/**
 * Master data: the product registry — a GTIN is registered only by the holder of its GS1 company
 * prefix, as the consortium assigned it (governance.contract.ts), with the prefix length frozen
 * from that assignment — and reads of the partner registry, whose records only governance writes.
 * Reads are open to every member of the channel.
 */
@Info({ title: 'MasterData', description: 'Products and authorised trading partners' })
export class MasterDataContract extends Contract {
  constructor() {
    super('masterdata');
  }

  /** Registers or updates a product; only the holder of the GTIN's company prefix, who stays its manufacturer. */
  @Transaction()
  @Returns('string')
  async RegisterProduct(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'RegisterProduct', commandJson, async (c, { state, at, actor }) => {
      const gtin = productGtin(c);
      for (const field of ['name', 'strength', 'dosageForm', 'packSize'] as const) requireText(c[field], field, 'RegisterProduct');
      const prefix = await prefixOf(state, gtin);
      if (!prefix || prefix.mspId !== actor) {
        throw new DomainError('PREFIX_NOT_HELD', `${gtin} lies under ${prefix ? `GS1 company prefix ${prefix.prefix}, assigned to ${prefix.mspId}` : 'no GS1 company prefix the consortium assigned'}; ${actor} may not register it`, { actor, expected: prefix?.mspId, gtin });
      }
      const existing = await state.read<ProductRecord>(KeyType.product, gtin);
      if (existing && existing.manufacturer !== actor) {
        throw new DomainError('NOT_MANUFACTURER', `${gtin} is registered by ${existing.manufacturer}; ${actor} may not change it`, { role: 'manufacturer', actor, expected: existing.manufacturer });
      }
      assertNotBackdated(existing, at, `product ${gtin}`);
      const labelerDigits = prefix.prefix.startsWith('03') && (prefix.prefix.length === 6 || prefix.prefix.length === 7) ? ((prefix.prefix.length - 2) as 4 | 5) : undefined;
      const product: ProductRecord = {
        docType: 'product',
        gtin,
        ...(c.ndc ? { ndc: formatNdc(parseNdc(c.ndc)) } : {}),
        name: c.name,
        strength: c.strength,
        dosageForm: c.dosageForm,
        packSize: c.packSize,
        // An update that does not restate the storage conditions keeps those registered.
        ...(c.storage ?? existing?.storage ? { storage: c.storage ?? existing?.storage } : {}),
        manufacturer: actor,
        companyPrefixLength: prefix.prefix.length,
        ...(labelerDigits ? { labelerDigits } : {}),
        registeredAt: existing?.registeredAt ?? at,
        updatedAt: at,
      };
      await state.write(KeyType.product, [gtin], product);
      if (!existing) await state.setHolderPolicy(KeyType.product, [gtin], [actor]);
      return { records: [], epcis: [], product };
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetProduct(ctx: Context, gtin: string): Promise<string> {
    return reading(async () => canonicalJson(await requireProduct(new WorldState(ctx), gtin)));
  }

  /** Page of registered products in GTIN order; `bookmark` from the previous page. */
  @Transaction(false)
  @Returns('string')
  async ListProducts(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => canonicalJson(await page<ProductRecord>(ctx, KeyType.product, [], pageSize, bookmark)));
  }

  @Transaction(false)
  @Returns('string')
  async GetPartner(ctx: Context, mspId: string): Promise<string> {
    return reading(async () => canonicalJson(await requirePartner(new WorldState(ctx), mspId)));
  }

  @Transaction(false)
  @Returns('string')
  async ListPartners(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return reading(async () => canonicalJson(await page<PartnerRecord>(ctx, KeyType.partner, [], pageSize, bookmark)));
  }
}

function productGtin(c: RegisterProductCommand): string {
  if (!c.gtin && !c.ndc) throw new DomainError('COMMAND_INVALID', 'RegisterProduct: gtin or ndc is required', { reason: 'gtin missing' });
  const fromNdc = c.ndc ? ndcToGtin14(c.ndc) : undefined;
  const gtin = c.gtin ? normaliseGtin(c.gtin) : (fromNdc as string);
  if (fromNdc && gtin !== fromNdc && gtin.slice(1, 13) !== fromNdc.slice(1, 13)) {
    throw new DomainError('COMMAND_INVALID', `RegisterProduct: GTIN ${gtin} does not carry NDC ${c.ndc}`, { reason: 'gtin/ndc mismatch' });
  }
  return gtin;
}

function requireText(value: unknown, field: string, command: string): void {
  if (typeof value !== 'string' || value.trim().length === 0) throw new DomainError('COMMAND_INVALID', `${command}: ${field} is required`, { command, reason: `${field} missing` });
}

export async function requireProduct(state: WorldState, gtin: string): Promise<ProductRecord> {
  const product = await state.read<ProductRecord>(KeyType.product, normaliseGtin(gtin));
  if (!product) throw new ChaincodeError('PRODUCT_UNKNOWN', `GTIN ${gtin} is not in the product registry`);
  return product;
}

/** The GS1 company prefix registry entry a GTIN lies under (point reads, one per possible length). */
export async function prefixOf(state: WorldState, gtin14: string): Promise<PrefixRecord | undefined> {
  for (const candidate of gtinPrefixCandidates(gtin14)) {
    const found = await state.read<PrefixRecord>(KeyType.prefix, candidate);
    if (found) return found;
  }
  return undefined;
}

export async function requirePartner(state: WorldState, mspId: OrgId): Promise<PartnerRecord> {
  const partner = await state.read<PartnerRecord>(KeyType.partner, mspId);
  if (!partner) throw new ChaincodeError('PARTNER_UNKNOWN', `${mspId} is not an admitted trading partner`);
  return partner;
}

/** A registered partner whose licence covers the transaction date: an authorised trading partner. */
export async function requireAuthorisedPartner(state: WorldState, mspId: OrgId, at: IsoTimestamp): Promise<PartnerRecord> {
  const partner = await requirePartner(state, mspId);
  if (partner.licence.validUntil < at.slice(0, 10)) {
    throw new ChaincodeError('PARTNER_UNLICENSED', `${mspId}'s licence ${partner.licence.number} expired on ${partner.licence.validUntil}; it is not an authorised trading partner`);
  }
  return partner;
}

export interface Page<T> {
  readonly records: T[];
  readonly bookmark: string;
  readonly fetched: number;
}

/** Paginated composite-key read (evaluate only: Fabric refuses paginated queries in submitted transactions). */
export async function page<T>(ctx: Context, type: KeyType, parts: string[], pageSize: string, bookmark: string): Promise<Page<T>> {
  const size = Number(pageSize || 100);
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new DomainError('COMMAND_INVALID', `pageSize must be 1-1000, got ${pageSize}`, { reason: 'pageSize' });
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(type, parts, size, bookmark ?? '');
  const records: T[] = [];
  try {
    while (true) {
      const next = await iterator.next();
      if (next.value) records.push(JSON.parse(Buffer.from(next.value.value).toString('utf8')) as T);
      if (next.done) break;
    }
  } finally {
    await iterator.close();
  }
  // Fabric sends no metadata for a page with nothing in it and nothing after it (an all-default
  // QueryResponseMetadata marshals to no bytes), e.g. ListProposals on a ledger not yet founded.
  return { records, bookmark: metadata?.bookmark ?? '', fetched: metadata?.fetchedRecordsCount ?? records.length };
}

export async function reading(read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (err) {
    throw toChaincodeError(err);
  }
}

