import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { form3911, noticesOverdue, verifiedPacks, type Form3911, type InvestigationRecord, type InvestigationScope } from '@pedigree/domain';
import { Roles, ServiceError } from '@pedigree/platform';
import type { InvestigationReads, InvestigationSide } from '@pedigree/readmodel';
import { toEpcs } from './epc-input';
import { MutationResult } from './graphql-types';
import { IllegitimateClassificationEnum, Investigation, InvestigationScopeInput, InvestigationSideEnum, InvestigationStateEnum, VerificationOutcomeEnum } from './investigation-types';
import GraphQLJSON from './json-scalar';
import { PartnerContext } from './partner-context';
import { OPERATORS, READERS } from './roles';

const KEY = { name: 'idempotencyKey', nullable: true, description: 'Repeat a request with the same key to get the first answer without a second write' } as const;
const INVESTIGATOR = { name: 'investigator', nullable: true, description: 'MSP ID of the investigating organisation; default this organisation' } as const;

export function investigationView(r: InvestigationRecord, org: string, now = new Date().toISOString()): Investigation {
  const holdings = r.holdings ?? r.holders.map((holder) => ({ holder, packs: [] }));
  return {
    id: r.id, investigator: r.investigator, state: r.state, scope: r.scope, summary: r.summary, packs: [...r.packs], holders: [...r.holders],
    holdings: holdings.map((h) => ({ holder: h.holder, packs: [...h.packs] })), heldHere: [...(holdings.find((h) => h.holder === org)?.packs ?? [])], mine: r.investigator === org,
    requiredVerifications: r.requiredVerifications, verificationsDone: verifiedPacks(r).size, verifications: r.verifications, findings: r.findings,
    outcome: r.determination?.outcome ?? null, classification: r.determination?.classification ?? null, notificationsDueAt: r.notificationsDueAt ?? null,
    noticesOverdue: noticesOverdue(r, now), fdaIncidentNumber: r.fda?.incidentNumber ?? null, notices: r.notices, terminatedAt: r.termination?.at ?? null,
    history: r.history, openedAt: r.openedAt, updatedAt: r.updatedAt, version: r.version,
  };
}

/**
 * Suspect-product investigations: opened by this organisation, holding its stock, or notified to
 * it. Reads come from this organisation's read model (it keeps only investigations it is a party
 * to); every step is one ledger transaction, where the chaincode checks the caller's part in it.
 */
@Resolver()
export class InvestigationsResolver {
  private readonly reads: InvestigationReads;

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.reads = p.readModel.investigations;
  }

  @Roles(...READERS)
  @Query(() => [Investigation], { description: 'Investigations this organisation is a party to, newest first' })
  async investigations(
    @Args('side', { type: () => InvestigationSideEnum, nullable: true, description: 'Default: any' }) side?: InvestigationSide,
    @Args('states', { type: () => [InvestigationStateEnum], nullable: true }) states?: string[],
    @Args('first', { type: () => Int, nullable: true, description: 'At most 200; default 50' }) first?: number,
  ) {
    if (first !== undefined && first !== null && (!Number.isInteger(first) || first < 1 || first > 200)) throw new ServiceError('BAD_INPUT', 'PAGE_SIZE_INVALID', 'first must be 1-200');
    const rows = await this.reads.list({ org: this.p.org, ...(side ? { side } : {}), ...(states?.length ? { states } : {}), limit: first ?? 50 });
    return rows.map((r) => investigationView(r, this.p.org));
  }

  @Roles(...READERS)
  @Query(() => Investigation, { nullable: true, description: 'One investigation this organisation is a party to' })
  async investigation(@Args('id') id: string, @Args('investigator', INVESTIGATOR) investigator?: string) {
    const r = await this.reads.get(this.p.org, investigator ?? this.p.org, id);
    return r ? investigationView(r, this.p.org) : null;
  }

  @Roles(...READERS)
  @Query(() => [Investigation], { description: 'Unresolved investigations holding a pack (what a scan screen says about it)' })
  async investigationsHoldingPack(@Args('epc') epc: string) {
    const [id] = toEpcs([epc]);
    return (await this.reads.holding(this.p.org, id as string)).map((r) => investigationView(r, this.p.org));
  }

  @Roles(...READERS)
  @Query(() => GraphQLJSON, { description: "FDA Form 3911's fields for an illegitimate investigation this organisation opened, ready to file (the termination request once terminated)" })
  async form3911(@Args('id') id: string): Promise<Form3911> {
    const r = await this.reads.get(this.p.org, this.p.org, id);
    if (!r) throw new ServiceError('NOT_FOUND', 'INVESTIGATION_UNKNOWN', `no investigation ${id} of ${this.p.org}`);
    const packs = (await Promise.all(r.packs.map((epc) => this.p.readModel.packs.get(epc)))).filter((p) => p !== null);
    const gtin = r.scope.kind === 'lot' ? r.scope.gtin : packs[0]?.gtin;
    const product = gtin ? await this.p.readModel.products.record(gtin) : null;
    if (!product) throw new ServiceError('NOT_FOUND', 'PRODUCT_UNKNOWN', `the product of investigation ${id} is not in this read model`);
    return form3911(r, product, packs.map((p) => ({ id: p.epc, serial: p.serial, lot: p.lot, expiry: p.expiry })));
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Open an investigation on a lot or packs: every holder\'s stock of it is held at once' })
  openInvestigation(@Args('scope', { type: () => InvestigationScopeInput }) scope: InvestigationScopeInput, @Args('summary') summary: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('openInvestigation', 'OpenInvestigation', { scope: scopeOf(scope), summary }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Record the verification of one package in scope (the investigator, or the holder for its own stock)' })
  verifyInvestigationPack(
    @Args('id') id: string, @Args('pack') pack: string, @Args('outcome', { type: () => VerificationOutcomeEnum }) outcome: VerificationOutcomeEnum,
    @Args('investigator', INVESTIGATOR) investigator?: string, @Args('note', { nullable: true }) note?: string, @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('verifyInvestigationPack', 'VerifyInvestigationPack', { ...this.step(id, investigator), pack: toEpcs([pack])[0] as string, outcome, ...(note ? { note } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Add a finding (the investigator, or a holder)' })
  recordInvestigationFinding(@Args('id') id: string, @Args('text') text: string, @Args('investigator', INVESTIGATOR) investigator?: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('recordInvestigationFinding', 'RecordInvestigationFinding', { ...this.step(id, investigator), text }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Clear it (the sample verified genuine): every holder\'s stock is released' })
  clearInvestigation(@Args('id') id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('clearInvestigation', 'ClearInvestigation', { investigationId: id }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Determine the product illegitimate: FDA and the immediate trading partners are due to be told within 24 hours' })
  declareIllegitimate(@Args('id') id: string, @Args('classification', { type: () => IllegitimateClassificationEnum }) classification: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('declareIllegitimate', 'DeclareIllegitimate', { investigationId: id, classification: classification as never }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "Record FDA's incident number once the Form 3911 is filed" })
  recordFdaFiling(@Args('id') id: string, @Args('incidentNumber') incidentNumber: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('recordFdaFiling', 'RecordFdaFiling', { investigationId: id, incidentNumber }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Record on the ledger the notice to immediate trading partners (default: every holder but this organisation); each sees it' })
  async notifyTradingPartners(@Args('id') id: string, @Args('partners', { type: () => [String], nullable: true }) partners?: string[], @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    let to = partners ?? [];
    if (!to.length) {
      const r = await this.reads.get(this.p.org, this.p.org, id);
      if (!r) throw new ServiceError('NOT_FOUND', 'INVESTIGATION_UNKNOWN', `no investigation ${id} of ${this.p.org}`);
      to = r.holders.filter((h) => h !== this.p.org);
    }
    if (!to.length) throw new ServiceError('BAD_INPUT', 'INVESTIGATION_INVALID', 'no trading partner to notify: name them');
    return this.p.write('notifyTradingPartners', 'NotifyTradingPartners', { investigationId: id, partners: to }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "Request termination (quoting FDA's incident number): the case is closed" })
  requestTermination(@Args('id') id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('requestTermination', 'RequestTermination', { investigationId: id }, idempotencyKey);
  }

  private step(id: string, investigator?: string) {
    return { investigationId: id, ...(investigator && investigator !== this.p.org ? { investigator } : {}) };
  }
}

function scopeOf(input: InvestigationScopeInput): InvestigationScope {
  if (input.packs?.length) {
    if (input.gtin || input.lot) throw new ServiceError('BAD_INPUT', 'INVESTIGATION_INVALID', 'scope: a lot (gtin and lot) or packs, not both');
    return { kind: 'packs', packs: toEpcs(input.packs) };
  }
  if (!input.gtin || !input.lot) throw new ServiceError('BAD_INPUT', 'INVESTIGATION_INVALID', 'scope: a lot needs gtin and lot; or name packs');
  return { kind: 'lot', gtin: input.gtin, lot: input.lot };
}
