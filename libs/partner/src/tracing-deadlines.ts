import { EventEmitter } from 'node:events';
import { tracingStatus, type TracingRequestRecord } from '@pedigree/domain';
import { ServiceError } from '@pedigree/platform/client-failure';

/** One overdue answer: the request, the respondent that has not answered, and when it was due. */
export interface OverdueTracingAnswer {
  readonly request: TracingRequestRecord;
  readonly respondent: string;
  readonly dueAt: string;
}

/** How the watch reads the tracing requests this organisation made (out) or must answer (in). */
export interface TracingRequestSource {
  list(org: string, direction: 'in' | 'out', limit: number): Promise<TracingRequestRecord[]>;
}

/** The requests looked at per direction, newest first: the DSCSA deadline is one or two business days. */
const WINDOW = 1000;

/**
 * The DSCSA deadlines of the tracing requests this organisation made or must answer, read at an
 * instant: each answer past its due instant and still not released is overdue, and alerts once
 * per service run (`alert`, and an `overdue` event). The requester is alerted for every late
 * respondent, a respondent for its own answer only (the others' lateness is not its business).
 */
export class TracingDeadlines {
  readonly events = new EventEmitter();
  private readonly alerted = new Set<string>();

  constructor(private readonly org: string, private readonly requests: TracingRequestSource, private readonly alert: (o: OverdueTracingAnswer) => void = () => undefined) {
    this.events.setMaxListeners(0);
  }

  /** The answers overdue at `asOf` (default now) that concern this organisation; alerts those not alerted yet. */
  async check(asOf: string = new Date().toISOString()): Promise<{ asOf: string; overdue: OverdueTracingAnswer[]; alerted: OverdueTracingAnswer[] }> {
    if (Number.isNaN(Date.parse(asOf))) throw new ServiceError('BAD_INPUT', 'CLOCK_INVALID', `asOf must be an ISO 8601 instant, got ${JSON.stringify(asOf)}`);
    const at = new Date(asOf).toISOString();
    const [out, inbound] = await Promise.all([this.requests.list(this.org, 'out', WINDOW), this.requests.list(this.org, 'in', WINDOW)]);
    const seen = new Map<string, TracingRequestRecord>();
    for (const r of [...out, ...inbound]) seen.set(`${r.requester}|${r.id}`, r);
    const overdue: OverdueTracingAnswer[] = [];
    for (const request of seen.values()) {
      for (const r of tracingStatus(request, at)) {
        if (!r.overdue || r.answeredAt !== null) continue;
        if (request.requester !== this.org && r.org !== this.org) continue;
        overdue.push({ request, respondent: r.org, dueAt: r.dueAt });
      }
    }
    const alerted: OverdueTracingAnswer[] = [];
    for (const o of overdue) {
      const key = `${o.request.requester}|${o.request.id}|${o.respondent}`;
      if (this.alerted.has(key)) continue;
      this.alerted.add(key);
      alerted.push(o);
      this.alert(o);
      this.events.emit('overdue', o, at);
    }
    return { asOf: at, overdue, alerted };
  }
}
