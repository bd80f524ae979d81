import { Inject } from '@nestjs/common';
import { Resolver, Subscription } from '@nestjs/graphql';
import { on } from 'node:events';
import { Roles } from '@pedigree/platform';
import type { ProjectedEvent } from '@pedigree/readmodel';
import type { ExceptionRecord } from '@pedigree/domain';
import { ExceptionClockWatch } from './exception-clock';
import { TracingClockWatch } from './tracing-clock';
import type { OverdueTracingAnswer } from './tracing-deadlines';
import { tracingView } from './tracing.resolver';
import { TracingAnswerOverdue } from './tracing-types';
import { investigationView } from './investigations.resolver';
import { Investigation } from './investigation-types';
import { exceptionView } from './exceptions.resolver';
import { ReceivingException } from './exception-types';
import { RecallNotice, ShipmentNotice } from './graphql-types';
import { PartnerContext } from './partner-context';
import { READERS } from './roles';

/**
 * Events that concern this organisation, pushed over graphql-ws after the read model has them (so
 * a client that queries on notification sees the change).
 */
@Resolver()
export class PartnerSubscriptionsResolver {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext, @Inject(ExceptionClockWatch) private readonly clocks: ExceptionClockWatch,
    @Inject(TracingClockWatch) private readonly tracingClocks: TracingClockWatch) {}

  @Roles(...READERS)
  @Subscription(() => ShipmentNotice, { description: 'A shipment addressed to this organisation', resolve: (v: ShipmentNotice) => v })
  shipmentAddressed(): AsyncIterableIterator<ShipmentNotice> {
    const org = this.p.org;
    return this.stream(async (e) => {
      const s = e.event.shipment;
      return e.event.type === 'ship' && s && s.to === org
        ? { shipmentId: s.id, sender: s.from, purpose: s.purpose, epcs: [...s.epcs], transactionId: e.event.txId }
        : undefined;
    });
  }

  @Roles(...READERS)
  @Subscription(() => RecallNotice, { description: 'A recall of a lot this organisation holds', resolve: (v: RecallNotice) => v })
  lotRecalled(): AsyncIterableIterator<RecallNotice> {
    const org = this.p.org;
    return this.stream(async (e) => {
      if (e.event.type !== 'recall') return undefined;
      const held = e.event.records.filter((r) => r.docType === 'pack' && r.custodian === org && r.status !== 'dispensed');
      const first = e.event.records.find((r) => r.docType === 'pack');
      const gtin = e.event.lot?.gtin ?? (first && first.docType === 'pack' ? first.gtin : undefined);
      const lot = e.event.lot?.lot ?? (first && first.docType === 'pack' ? first.lot : undefined);
      if (!held.length || !gtin || !lot) return undefined;
      return { gtin, lot, recallId: e.event.lot?.recallId ?? null, packsHeld: held.length, transactionId: e.event.txId };
    });
  }

  @Roles(...READERS)
  @Subscription(() => ReceivingException, {
    description: 'A receiving exception this organisation is a party to, each time it is raised or changes (raised by it, or against its shipment)',
    resolve: (v: ReceivingException) => v,
  })
  receivingExceptionChanged(): AsyncIterableIterator<ReceivingException> {
    const org = this.p.org;
    return this.stream(async (e) => (e.event.exceptions ?? []).filter((x) => x.receiver === org || x.seller === org).map((x) => exceptionView(x)));
  }

  @Roles(...READERS)
  @Subscription(() => Investigation, {
    description: 'An investigation notice addressed to this organisation: its stock held by a new investigation, or the notice of an illegitimate determination to it as a trading partner',
    resolve: (v: Investigation) => v,
  })
  investigationNotice(): AsyncIterableIterator<Investigation> {
    const org = this.p.org;
    return this.stream(async (e) => (e.event.investigations ?? [])
      .filter((x) => x.investigator !== org && ((e.event.type === 'investigationOpened' && x.holders.includes(org)) || (e.event.type === 'investigationNotified' && x.notices.some((n) => n.to === org && n.at === x.updatedAt))))
      .map((x) => investigationView(x, org)));
  }

  @Roles(...READERS)
  @Subscription(() => ReceivingException, {
    description: 'An exception this organisation is a party to whose clock ran out (once per service run), as the exception clock finds it',
    resolve: (v: ReceivingException) => v,
  })
  async *receivingExceptionOverdue(): AsyncIterableIterator<ReceivingException> {
    const abort = new AbortController();
    try {
      for await (const [record, asOf] of on(this.clocks.events, 'overdue', { signal: abort.signal })) yield exceptionView(record as ExceptionRecord, asOf as string);
    } finally {
      abort.abort();
    }
  }

  @Roles(...READERS)
  @Subscription(() => TracingAnswerOverdue, {
    description: 'A tracing answer past its DSCSA deadline (once per service run): to the requester for each late respondent, to a respondent for its own',
    resolve: (v: TracingAnswerOverdue) => v,
  })
  async *tracingAnswerOverdue(): AsyncIterableIterator<TracingAnswerOverdue> {
    const abort = new AbortController();
    try {
      for await (const [o, asOf] of on(this.tracingClocks.events, 'overdue', { signal: abort.signal })) {
        const x = o as OverdueTracingAnswer;
        yield { request: tracingView(x.request, this.p.org, asOf as string), respondent: x.respondent, dueAt: x.dueAt };
      }
    } finally {
      abort.abort();
    }
  }

  /** Notices of each projected event (several when one transaction changed several things). */
  private async *stream<T>(select: (e: ProjectedEvent) => Promise<T | readonly T[] | undefined>): AsyncIterableIterator<T> {
    const abort = new AbortController();
    try {
      for await (const [e] of on(this.p.projector.events, 'projected', { signal: abort.signal })) {
        const notice = await select(e as ProjectedEvent);
        if (Array.isArray(notice)) yield* notice as readonly T[];
        else if (notice) yield notice as T;
      }
    } finally {
      abort.abort();
    }
  }
}
