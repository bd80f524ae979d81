import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DomainError, exceptionAgeSeconds, isOpenException, isReceivingRule, readClock, type Correction, type ExceptionRecord, type ShipmentRecord } from '@pedigree/domain';
import { Roles, ServiceError } from '@pedigree/platform';
import { decodeCursor, encodeCursor, pageSize, ReceivingExceptionReads, type ExceptionSide } from '@pedigree/readmodel';
import { toEpcs } from './epc-input';
import { ExceptionClockWatch } from './exception-clock';
import { ExceptionClockCheck, ExceptionFilter, ExceptionResolutionInput, ReceivingException, ReceivingExceptionConnection, ReceivingRuleEnum } from './exception-types';
import { MutationResult, type Page } from './graphql-types';
import GraphQLJSON from './json-scalar';
import { PartnerContext } from './partner-context';
import { ADMINS, OPERATORS, READERS } from './roles';

const KEY = { name: 'idempotencyKey', nullable: true, description: 'Repeat a request with the same key to get the first answer without a second write' } as const;

export function exceptionView(record: ExceptionRecord, now = new Date().toISOString()): ReceivingException {
  const clock = readClock(record, now);
  return {
    id: record.id, receiver: record.receiver, seller: record.seller, shipmentId: record.shipmentId, rule: record.rule, state: record.state,
    isOpen: isOpenException(record.state), subjects: [...record.subjects], held: [...record.held], summary: record.evidence.summary, evidence: record.evidence,
    evidenceSha256: record.evidenceSha256 ?? null, openedAt: record.openedAt, updatedAt: record.updatedAt, closedAt: record.closedAt ?? null,
    ageSeconds: exceptionAgeSeconds(record, now), ageBusinessDays: clock.ageBusinessDays, graceBusinessDays: clock.graceBusinessDays, dueAt: clock.dueAt, timeZone: clock.timeZone,
    overdue: clock.overdue, onExpiry: clock.onExpiry, escalatedAt: record.escalation?.at ?? null, escalatedEarly: record.escalation?.early ?? null, resolution: record.resolution?.kind ?? null, answers: record.answers, history: record.history, version: record.version,
  };
}

/**
 * Receiving exceptions between members: the receiver's inbox, the seller's list of what was raised
 * against its shipments, and the lifecycle steps. Reads come from this organisation's read model
 * (it holds only exceptions it is a party to); every step is one ledger transaction, where the
 * chaincode checks that the caller is the party the step belongs to.
 */
@Resolver()
export class ExceptionsResolver {
  private readonly reads: ReceivingExceptionReads;

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext, @Inject(ExceptionClockWatch) private readonly clocks: ExceptionClockWatch) {
    this.reads = p.readModel.exceptions;
  }

  @Roles(...READERS)
  @Query(() => ReceivingExceptionConnection, { description: 'Exceptions this organisation raised on receipt (its inbox), oldest first' })
  exceptionsInbox(
    @Args('filter', { type: () => ExceptionFilter, nullable: true }) filter?: ExceptionFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ) {
    return this.list('receiver', filter, first, after);
  }

  @Roles(...READERS)
  @Query(() => ReceivingExceptionConnection, { description: "Exceptions partners raised against this organisation's shipments, oldest first" })
  exceptionsAgainstMyShipments(
    @Args('filter', { type: () => ExceptionFilter, nullable: true }) filter?: ExceptionFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ) {
    return this.list('seller', filter, first, after);
  }

  @Roles(...READERS)
  @Query(() => ReceivingException, { nullable: true, description: 'One exception this organisation is a party to' })
  async receivingException(@Args('id', { type: () => ID }) id: string, @Args('receiver', { nullable: true, description: 'Default: this organisation' }) receiver?: string) {
    const row = await this.reads.get(this.p.org, receiver ?? this.p.org, id);
    return row ? exceptionView(row.record) : null;
  }

  @Roles(...READERS)
  @Query(() => [ReceivingException], { description: 'Open exceptions holding a pack (what a scan screen shows about a held pack)' })
  async exceptionsHoldingPack(@Args('epc') epc: string) {
    const [id] = toEpcs([epc]);
    return (await this.reads.holding(this.p.org, id as string)).map((r) => exceptionView(r));
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Raise a receiving exception against a shipment addressed to this organisation; its packs in custody are held' })
  async raiseException(
    @Args('shipmentId', { type: () => ID }) shipmentId: string,
    @Args('rule', { type: () => ReceivingRuleEnum }) rule: string,
    @Args('subjects', { type: () => [String] }) subjects: string[],
    @Args('summary') summary: string,
    @Args('hold', { type: () => [String], nullable: true, description: 'Packs to hold (default: the subjects)' }) hold?: string[],
    @Args('evidence', { type: () => GraphQLJSON, nullable: true }) evidence?: Record<string, unknown>,
    @Args('evidenceSha256', { nullable: true, description: 'SHA-256 of private evidence kept off the ledger' }) evidenceSha256?: string,
    @Args('refer', { nullable: true, defaultValue: true, description: 'Refer it to the seller at once' }) refer?: boolean,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    if (!isReceivingRule(rule)) throw new ServiceError('BAD_INPUT', 'RULE_UNKNOWN', `unknown receiving rule ${rule}`);
    const shipment = await this.p.reads.optional<ShipmentRecord>('GetShipment', [shipmentId]);
    if (!shipment) throw new ServiceError('NOT_FOUND', 'SHIPMENT_UNKNOWN', `no shipment ${shipmentId}`);
    const ids = toEpcs(subjects);
    const finding = {
      rule, shipmentId, seller: shipment.from, receiver: this.p.org, subjects: ids, hold: hold?.length ? toEpcs(hold) : ids,
      evidence: { ...(evidence && typeof evidence === 'object' ? evidence : {}), summary },
    };
    return this.p.write('raiseExceptions', 'RaiseExceptions', { findings: [finding], refer: refer !== false, ...(evidenceSha256 ? { evidenceSha256 } : {}), ...this.p.clockField }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Refer an open exception to the seller (waiting on partner)' })
  referException(@Args('id', { type: () => ID }) id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('referException', 'ReferException', { exceptionId: id }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: "The seller answers an exception raised against its shipment with corrected data (re-checked at once) or a note" })
  answerException(
    @Args('receiver', { description: 'MSP ID of the organisation that raised it' }) receiver: string,
    @Args('id', { type: () => ID }) id: string,
    @Args('correction', { type: () => GraphQLJSON, nullable: true, description: 'contents: [{container, children}], ti: [{gtin, lot?, quantity}], packs: [{id, lot, expiry}]' }) correction?: Correction,
    @Args('note', { nullable: true }) note?: string,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    const fixed = correction?.contents ? { ...correction, contents: correction.contents.map((c) => ({ container: toEpcs([c.container])[0] as string, children: toEpcs(c.children) })) } : correction;
    return this.p.write('answerException', 'AnswerException', { exceptionId: id, receiver, ...(fixed ? { correction: fixed } : {}), ...(note !== undefined ? { note } : {}) }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Resolve an exception by correction, return or destruction' })
  resolveException(
    @Args('id', { type: () => ID }) id: string,
    @Args('resolution', { type: () => ExceptionResolutionInput }) resolution: ExceptionResolutionInput,
    @Args('idempotencyKey', KEY) idempotencyKey?: string,
  ) {
    return this.p.write('resolveException', 'ResolveException', { exceptionId: id, resolution }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Close a resolved exception; resolved by correction, its packs are released' })
  closeException(@Args('id', { type: () => ID }) id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('closeException', 'CloseException', { exceptionId: id }, idempotencyKey);
  }

  @Roles(...OPERATORS)
  @Mutation(() => MutationResult, { description: 'Escalate an open exception whose clock escalates (product without data), before or after its grace ends; the clock does it when the grace ends' })
  escalateException(@Args('id', { type: () => ID }) id: string, @Args('idempotencyKey', KEY) idempotencyKey?: string) {
    return this.p.write('escalateException', 'EscalateException', { exceptionId: id }, idempotencyKey ?? `clock:escalate:${id}`);
  }

  @Roles(...ADMINS)
  @Mutation(() => ExceptionClockCheck, {
    description: 'Read the exception clocks now (or at asOf, for a drill): escalate what is due, alert what is overdue. The service also does this on its own every PEDIGREE_EXCEPTION_CLOCK_INTERVAL_MS',
  })
  async checkExceptionClocks(@Args('asOf', { nullable: true, description: 'ISO 8601 instant; default now' }) asOf?: string): Promise<ExceptionClockCheck> {
    const check = await this.clocks.check(asOf ?? new Date().toISOString());
    return { ...check, overdue: check.overdue.map((r) => exceptionView(r, check.asOf)) };
  }

  private async list(side: ExceptionSide, filter: ExceptionFilter | undefined, first?: number, after?: string): Promise<Page<ReceivingException>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    let position: { openedAt: string; receiver: string; id: string } | undefined;
    if (cursor) {
      const [openedAt, receiver, ...rest] = cursor.split('|');
      if (!openedAt || !receiver || !rest.length) throw new DomainError('PAGE_CURSOR_INVALID', 'the cursor is not one this API issued');
      position = { openedAt, receiver, id: rest.join('|') };
    }
    if (filter?.olderThanSeconds !== undefined && (!Number.isInteger(filter.olderThanSeconds) || filter.olderThanSeconds < 0)) {
      throw new ServiceError('BAD_INPUT', 'FILTER_INVALID', 'olderThanSeconds must be a whole number of seconds, 0 or more');
    }
    const now = new Date().toISOString();
    const rows = await this.reads.list({
      side, org: this.p.org, limit: size + 1,
      ...(filter?.states?.length ? { states: filter.states } : {}), ...(filter?.rules?.length ? { rules: filter.rules } : {}),
      ...(filter?.partner ? { partner: filter.partner } : {}), ...(filter?.shipmentId ? { shipmentId: filter.shipmentId } : {}),
      ...(filter?.olderThanSeconds !== undefined ? { openedBefore: new Date(Date.parse(now) - filter.olderThanSeconds * 1000).toISOString() } : {}),
      ...(filter?.overdue !== undefined && filter.overdue !== null ? { overdueAt: { at: now, overdue: filter.overdue } } : {}),
      ...(filter?.escalated !== undefined && filter.escalated !== null ? { escalated: filter.escalated } : {}),
      ...(position ? { after: position } : {}),
    });
    const slice = rows.slice(0, size);
    const edges = slice.map((r) => ({ cursor: encodeCursor(`${r.openedAt}|${r.record.receiver}|${r.record.id}`), node: exceptionView(r.record, now) }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length ? (edges[edges.length - 1] as { cursor: string }).cursor : null } };
  }
}
