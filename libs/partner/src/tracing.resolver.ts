import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { tracingBusinessDays, tracingStatus, type TracingRequestRecord } from '@pedigree/domain';
import { Roles, ServiceError } from '@pedigree/platform';
import { toEpcs } from './epc-input';
import { MutationResult } from './graphql-types';
import { PartnerContext } from './partner-context';
import { ADMINS, OPERATORS, READERS, TI_READERS } from './roles';
import { TracingClockWatch } from './tracing-clock';
import { ReleasedTransactionInformation, TracingClockCheck, TracingDirectionEnum, TracingKindEnum, TracingReasonEnum, TracingRequest } from './tracing-types';

const KEY = { name: 'idempotencyKey', nullable: true, description: 'Repeat a request with the same key to get the first answer without a second write' } as const;

export function tracingView(r: TracingRequestRecord, org: string, now = new Date().toISOString()): TracingRequest {
  const respondents = tracingStatus(r, now).map((s) => ({ ...s, businessDays: tracingBusinessDays(s.role) }));
  return {
    id: r.id, requester: r.requester, kind: r.kind, epc: r.epc, reason: r.reason, incidentNumber: r.incidentNumber ?? null, test: r.test, owners: [...r.owners],
    respondents, releases: r.releases, complete: respondents.every((s) => s.answeredAt !== null), myResponse: respondents.find((s) => s.org === org) ?? null, requestedAt: r.requestedAt,
  };
}

/**
 * Tracing requests in and out. Asking is one ledger transaction (the owners answer from the shared
 * ledger at once); each respondent answers with its own TI, read byte for byte from its own peer
 * and written into the requester's private collection only; the requester reads what was released
 * from its own peer.
 */
@Resolver()
export class TracingResolver {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext, @Inject(TracingClockWatch) private readonly clocks: TracingClockWatch) {}

  @Roles(...ADMINS)
  @Mutation(() => TracingClockCheck, {
    description: 'Read the tracing deadlines now (or at asOf, for a drill): alert every answer overdue. The service also does this on its own every PEDIGREE_TRACING_CLOCK_INTERVAL_MS',
  })
  async checkTracingClocks(@Args('asOf', { nullable: true, description: 'ISO 8601 instant; default now' }) asOf?: string): Promise<TracingClockCheck> {
    const check = await this.clocks.check(asOf ?? new Date().toISOString());
    return { asOf: check.asOf, alerted: check.alerted.length, overdue: check.overdue.map((o) => ({ request: tracingView(o.request, this.p.org, check.asOf), respondent: o.respondent, dueAt: o.dueAt })) };
  }

  @Roles(...READERS)
  @Query(() => [TracingRequest], { description: 'Tracing requests this organisation made (out) or must answer (in), newest first' })
  async tracingRequests(@Args('direction', { type: () => TracingDirectionEnum }) direction: TracingDirectionEnum, @Args('first', { type: () => Int, nullable: true }) first?: number) {
    if (first !== undefined && first !== null && (!Number.isInteger(first) || first < 1 || first > 200)) throw new ServiceError('BAD_INPUT', 'PAGE_SIZE_INVALID', 'first must be 1-200');
    return (await this.p.readModel.tracing.list(this.p.org, direction, first ?? 50)).map((r) => tracingView(r, this.p.org));
  }

  @Roles(...READERS)
  @Query(() => TracingRequest, { nullable: true })
  async tracingRequest(@Args('id') id: string, @Args('requester', { nullable: true, description: 'Default: this organisation' }) requester?: string) {
    const r = await this.p.readModel.tracing.get(this.p.org, requester ?? this.p.org, id);
    return r ? tracingView(r, this.p.org) : null;
  }

  @Roles(...TI_READERS)
  @Query(() => [ReleasedTransactionInformation], { description: "The TI released to this organisation for its request, read from its own peer (no other organisation's peer holds it)" })
  async releasedTransactionInformation(@Args('id') id: string) {
    return this.p.reads.json<ReleasedTransactionInformation[]>('GetTracingReleases', [id], 'tracing');
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "Ask a pack's trail for its history; TI is then released by each owner for its own sales" })
  requestTracing(
    @Args('epc') epc: string, @Args('kind', { type: () => TracingKindEnum }) kind: string, @Args('reason', { type: () => TracingReasonEnum }) reason: string,
    @Args('incidentNumber', { nullable: true }) incidentNumber?: string, @Args('test', { nullable: true, description: 'A drill' }) test?: boolean, @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('requestTracing', 'RequestTracing', { epc: toEpcs([epc])[0] as string, kind: kind as never, reason: reason as never, ...(incidentNumber ? { incidentNumber } : {}), ...(test ? { test } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "Answer a tracing request: release this organisation's own TI of the pack's shipments to the requester only" })
  async answerTracingRequest(@Args('requester') requester: string, @Args('id') id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    const request = await this.p.readModel.tracing.get(this.p.org, requester, id);
    if (!request) throw new ServiceError('NOT_FOUND', 'TRACING_UNKNOWN', `no tracing request ${id} of ${requester} addressed to ${this.p.org}`);
    const shipmentIds = await this.p.readModel.tracing.shipmentsOfPack(this.p.org, request.epc);
    const tis = await this.p.reads.json<Record<string, string>>('GetReleasableTransactionInformation', [JSON.stringify(shipmentIds)], 'tracing');
    const released = shipmentIds.filter((s) => tis[s] !== undefined);
    if (!released.length) throw new ServiceError('CONFLICT', 'TRACING_NOTHING', `${this.p.org} holds no TI of ${request.epc}'s shipments`);
    return this.p.write('answerTracingRequest', 'ReleaseTracing', { requester, requestId: id, shipmentIds: released }, idempotencyKey,
      { transient: { ti: JSON.stringify(Object.fromEntries(released.map((s) => [s, tis[s]]))) }, endorsingOrganizations: [this.p.org, requester] });
  }
}
