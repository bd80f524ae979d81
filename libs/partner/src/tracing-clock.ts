import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TracingDeadlines, type TracingRequestSource } from './tracing-deadlines';

const logger = new Logger('tracing-clock');

/**
 * Watches the DSCSA deadlines of tracing requests, as the exception clock watch does for
 * exceptions: every `PEDIGREE_TRACING_CLOCK_INTERVAL_MS` (default 60 s; 0 switches it off), or when
 * an admin calls `checkTracingClocks(asOf)`, each answer overdue alerts once per service run: a
 * warning log line (`tracing answer overdue`) and the `tracingAnswerOverdue` subscription.
 */
export class TracingClockWatch extends TracingDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(org: string, requests: TracingRequestSource, private readonly intervalMs = Number(process.env.PEDIGREE_TRACING_CLOCK_INTERVAL_MS ?? 60_000)) {
    super(org, requests, (o) => logger.warn({
      msg: 'tracing answer overdue', id: o.request.id, requester: o.request.requester, respondent: o.respondent, epc: o.request.epc, reason: o.request.reason, dueAt: o.dueAt, test: o.request.test,
    }));
  }

  onApplicationBootstrap(): void {
    if (!(this.intervalMs > 0)) return;
    this.timer = setInterval(() => {
      this.check().catch((err: Error) => logger.warn({ msg: 'tracing clock check failed', error: err.message }));
    }, this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
