import { randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { normaliseSscc, ssccToEpcUrn } from '@pedigree/domain';
import { Roles } from '@pedigree/platform';
import { toEpc, toEpcs } from './epc-input';
import { MutationResult, QuarantineReasonInput } from './graphql-types';
import GraphQLJSON from './json-scalar';
import { PartnerContext } from './partner-context';
import { ReceivingInspector } from './receiving';
import { OPERATORS } from './roles';

const KEY = { name: 'idempotencyKey', nullable: true, description: 'Repeat a request with the same key to get the first answer without a second write' } as const;

/**
 * Steps every trading partner performs on what it holds: aggregation, shipping and receiving,
 * holds, returns, taking identifiers out of use. Each takes a batch and is one ledger transaction.
 */
@Resolver()
export class TradeMutationsResolver {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {}

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Aggregate packs or cases into a container (SSCC)' })
  packContainer(
    @Args('sscc') sscc: string,
    @Args('children', { type: () => [String] }) children: string[],
    @Args('sealed', { nullable: true, defaultValue: true }) sealed: boolean,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('pack', 'Pack', { parent: containerEpc(sscc), children: toEpcs(children), sealed }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Take children out of a container (all when none are named)' })
  unpackContainer(
    @Args('sscc') sscc: string,
    @Args('children', { type: () => [String], nullable: true }) children?: string[],
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('unpack', 'Unpack', { parent: containerEpc(sscc), ...(children?.length ? { children: toEpcs(children) } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Sell and ship top-level EPCs to a trading partner with DSCSA Transaction Information and Statement' })
  shipPacks(
    @Args('to', { description: 'MSP ID of the buyer' }) to: string,
    @Args('epcs', { type: () => [String] }) epcs: string[],
    @Args('transactionInformation', { type: () => GraphQLJSON, description: 'TI (§581(26)): transactionDate, seller, buyer, products[...]' }) transactionInformation: unknown,
    @Args('statementAffirmed', { description: 'The seller affirms the Transaction Statement (§581(27))' }) statementAffirmed: boolean,
    @Args('toSite', { nullable: true }) toSite?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    const request = { to, epcs: toEpcs(epcs), purpose: 'sale' as const, statement: { affirmed: statementAffirmed }, ...(toSite ? { toSite } : {}) };
    // Only seller and buyer endorse: both hold the private collection, no third peer sees the TI.
    // The salt keeps the TI's public hash from being confirmed by guessing its few fields.
    const ti = transactionInformation && typeof transactionInformation === 'object' ? { ...(transactionInformation as Record<string, unknown>), salt: randomBytes(16).toString('hex') } : transactionInformation;
    return this.p.write('ship', 'Ship', request, idempotencyKey, { transient: { ti: JSON.stringify(ti ?? null) }, endorsingOrganizations: [this.p.org, to] });
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Return packs to the seller they came from (saleable or recall return)' })
  returnPacks(
    @Args('to') to: string,
    @Args('epcs', { type: () => [String] }) epcs: string[],
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('return', 'Ship', { to, epcs: toEpcs(epcs), purpose: 'return' as const }, idempotencyKey, { endorsingOrganizations: [this.p.org, to] });
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Cancel a shipment recorded in error' })
  voidShipment(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('voidShipping', 'VoidShipping', { epcs: toEpcs(epcs) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, {
    description: 'Receive top-level EPCs addressed to this organisation; contents of intact containers are inferred. With scans or broken seals the receipt is checked '
      + '(receiving checks): what differs from the shipment is received under exception, held, and raised as receiving exceptions referred to the seller',
  })
  async receivePacks(
    @Args('epcs', { type: () => [String] }) epcs: string[],
    @Args('scanned', { type: () => [String], nullable: true, description: 'Items actually scanned (checked against the aggregation)' }) scanned?: string[],
    @Args('brokenSeals', { type: () => [String], nullable: true }) brokenSeals?: string[],
    @Args('site', { nullable: true }) site?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    const request = {
      epcs: toEpcs(epcs),
      ...(scanned?.length ? { scanned: toEpcs(scanned) } : {}),
      ...(brokenSeals?.length ? { brokenSeals: toEpcs(brokenSeals) } : {}),
      ...(site ? { site } : {}),
    };
    if (!scanned?.length && !brokenSeals?.length) return this.p.write('receive', 'Receive', request, idempotencyKey);

    const inspection = await new ReceivingInspector(this.p.reads, this.p.readModel.products, this.p.org).inspect({ epcs, scanned: scanned ?? [], brokenSeals: brokenSeals ?? [] });
    if (!inspection.findings.length) return this.p.write('receive', 'Receive', request, idempotencyKey);
    const receipt = inspection.receive
      ? await this.p.write('receive', 'Receive', {
        ...(site ? { site } : {}), ...(request.brokenSeals ? { brokenSeals: request.brokenSeals } : {}), epcs: inspection.receive.epcs,
        ...(inspection.receive.scanned.length ? { scanned: inspection.receive.scanned } : {}), ...(inspection.receive.hold ? { hold: inspection.receive.hold } : {}), underException: true,
      }, idempotencyKey)
      : undefined;
    const raised = await this.p.write('raiseExceptions', 'RaiseExceptions', { findings: inspection.findings, refer: true, ...this.p.clockField }, idempotencyKey ? `${idempotencyKey}:exceptions` : undefined);
    return receipt ? { ...receipt, changed: [...new Set([...receipt.changed, ...raised.changed])], exceptions: raised.exceptions } : raised;
  }

  @Roles(...OPERATORS, 'pharmacist')
  @Mutation(() => MutationResult, { description: 'Hold suspect product out of sellable stock' })
  quarantinePacks(
    @Args('epcs', { type: () => [String] }) epcs: string[],
    @Args('reason', { type: () => QuarantineReasonInput }) reason: QuarantineReasonInput,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('quarantine', 'Quarantine', { epcs: toEpcs(epcs), reason }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Release cleared product back to sellable stock' })
  releasePacks(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('release', 'Release', { epcs: toEpcs(epcs) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Saleable return verified (restock) or not (quarantined as suspect)' })
  verifyReturn(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('verified') verified: boolean, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('verifyReturn', 'VerifyReturn', { epcs: toEpcs(epcs), verified }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Take product identifiers out of use without destruction' })
  decommissionPacks(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('reason', { nullable: true }) reason?: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('decommission', 'Decommission', { epcs: toEpcs(epcs), ...(reason ? { reason } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Record the destruction of packs' })
  destroyPacks(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('destroy', 'Destroy', { epcs: toEpcs(epcs) }, idempotencyKey);
  }
}

/** An SSCC as typed (18 digits), scanned (AI 00) or as an EPC URN. */
export function containerEpc(input: string): string {
  return /^\d{18}$/.test(input.trim()) ? ssccToEpcUrn(normaliseSscc(input.trim())) : toEpc(input);
}
