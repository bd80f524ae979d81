import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { normaliseGtin, type StorageConditions } from '@pedigree/domain';
import { Roles } from '@pedigree/platform';
import { MutationResult } from './graphql-types';
import { PartnerContext } from './partner-context';
import { OPERATORS } from './roles';
import { StorageConditionsInput } from './cold-chain-types';

/** GraphQL hands input objects over with a null prototype and explicit nulls; the ledger wants plain JSON without them. */
function plainStorage(s: StorageConditionsInput): StorageConditions {
  return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (v === null ? undefined : v))) as StorageConditions;
}

const KEY = { name: 'idempotencyKey', nullable: true } as const;

/** Steps only a manufacturer performs: its product registry, serialisation, recalls. */
@Resolver()
export class ManufacturerMutationsResolver {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {}

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Register or update a product (GTIN or NDC) in the product registry' })
  registerProduct(
    @Args('name') name: string,
    @Args('strength') strength: string,
    @Args('dosageForm') dosageForm: string,
    @Args('packSize') packSize: string,
    @Args('gtin', { nullable: true }) gtin?: string,
    @Args('ndc', { nullable: true, description: 'Dashed NDC; the GTIN is derived when gtin is omitted' }) ndc?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
    @Args('storage', { type: () => StorageConditionsInput, nullable: true, description: 'Labelled storage range and excursion budget; an update without it keeps the registered one' }) storage?: StorageConditionsInput,
  ) {
    return this.p.write('registerProduct', 'RegisterProduct', { name, strength, dosageForm, packSize, ...(gtin ? { gtin } : {}), ...(ndc ? { ndc } : {}), ...(storage ? { storage: plainStorage(storage) } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Commission serials of one GTIN, lot and expiry' })
  commissionPacks(
    @Args('gtin') gtin: string,
    @Args('lot') lot: string,
    @Args('expiry', { description: 'YYYY-MM-DD' }) expiry: string,
    @Args('serials', { type: () => [String] }) serials: string[],
    @Args('site', { nullable: true }) site?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('commission', 'Commission', { gtin: normaliseGtin(gtin), lot, expiry, serials, ...(site ? { site } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Recall a lot wherever its packs are' })
  recallLot(@Args('gtin') gtin: string, @Args('lot') lot: string, @Args('recallId') recallId: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('recall', 'RecallLot', { gtin: normaliseGtin(gtin), lot, recallId }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'FDA-sanctioned expiry extension of a lot' })
  extendExpiry(@Args('gtin') gtin: string, @Args('lot') lot: string, @Args('until') until: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('extendExpiry', 'ExtendExpiry', { gtin: normaliseGtin(gtin), lot, until }, idempotencyKey);
  }
}
