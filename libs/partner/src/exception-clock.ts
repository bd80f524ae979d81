import { Inject, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { readClock, type ExceptionRecord } from '@pedigree/domain';
import { ServiceError } from '@pedigree/platform';
import { ReceivingExceptionReads } from '@pedigree/readmodel';
import { PartnerContext } from './partner-context';

/** What one look at the clocks did. */
export interface ClockCheck {
  readonly asOf: string;
  /** Open exceptions this organisation is a party to whose clock ran out. */
  readonly overdue: ExceptionRecord[];
  /** Exceptions this organisation (their receiver) escalated in this check. */
  readonly escalated: string[];
  /** Overdue exceptions alerted for the first time in this check. */
  readonly alerted: string[];
}

const logger = new Logger('exception-clock');

/**
 * Watches the clocks of the exceptions this organisation is a party to. On each check, at `asOf`
 * (now, unless a drill or a test hands in an instant): an overdue exception this organisation
 * received whose rule escalates (product without data) is escalated on the ledger, once (an
 * idempotency key per exception), and every overdue exception alerts its parties once per service
 * run: a warning log line and an `overdue` event that the `receivingExceptionOverdue` subscription
 * pushes. Escalating at a later `asOf` than the real time only does early what the receiver may
 * always do (the ledger records it as early).
 */
export class ExceptionClockWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly events = new EventEmitter();
  private readonly reads: ReceivingExceptionReads;
  private readonly alerted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext, private readonly intervalMs = Number(process.env.PEDIGREE_EXCEPTION_CLOCK_INTERVAL_MS ?? 60_000)) {
    this.reads = p.readModel.exceptions;
    this.events.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
    if (!(this.intervalMs > 0)) return;
    this.timer = setInterval(() => {
      this.check().catch((err: Error) => logger.warn({ msg: 'exception clock check failed', error: err.message }));
    }, this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One check; checks run one after another, so two never escalate the same exception at once. */
  check(asOf: string = new Date().toISOString()): Promise<ClockCheck> {
    if (Number.isNaN(Date.parse(asOf))) throw new ServiceError('BAD_INPUT', 'CLOCK_INVALID', `asOf must be an ISO 8601 instant, got ${JSON.stringify(asOf)}`);
    const at = new Date(asOf).toISOString();
    const next = this.queue.catch(() => undefined).then(() => this.run(at));
    this.queue = next;
    return next;
  }

  private async run(asOf: string): Promise<ClockCheck> {
    const overdue = await this.reads.overdue(this.p.org, asOf);
    const escalated: string[] = [];
    const alerted: string[] = [];
    for (const record of overdue) {
      const reading = readClock(record, asOf);
      if (record.receiver === this.p.org && reading.escalationDue) {
        try {
          await this.p.write('escalateException', 'EscalateException', { exceptionId: record.id }, `clock:escalate:${record.id}`);
          escalated.push(record.id);
          logger.warn({ msg: 'exception escalated: grace period over', id: record.id, rule: record.rule, seller: record.seller, dueAt: reading.dueAt, ageBusinessDays: reading.ageBusinessDays });
        } catch (err) {
          // Escalated meanwhile (by a person), or the ledger unreachable: the next check tries again; alert regardless.
          logger.warn({ msg: 'exception not escalated', id: record.id, error: (err as Error).message });
        }
      }
      const key = `${record.receiver}|${record.id}`;
      if (this.alerted.has(key)) continue;
      this.alerted.add(key);
      alerted.push(record.id);
      logger.warn({ msg: 'exception overdue', id: record.id, receiver: record.receiver, seller: record.seller, rule: record.rule, dueAt: reading.dueAt, ageBusinessDays: reading.ageBusinessDays, onExpiry: reading.onExpiry });
      this.events.emit('overdue', record, asOf);
    }
    return { asOf, overdue, escalated, alerted };
  }
}
