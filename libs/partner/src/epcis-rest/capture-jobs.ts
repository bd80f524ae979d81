import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  advanceCaptureJob, isDomainError, validateEpcisDocument, type CaptureJobState, type CaptureProblem, type EventHashOptions,
} from '@pedigree/domain';
import { classifyFailure } from '@pedigree/platform';
import { CaptureJobRepository, captureProblemsOf, type CaptureJobRow } from '@pedigree/readmodel';
import { captureIdOf, capturePart, commandFor, type CapturedCommand, type EventShape } from '../epcis-capture';
import { PartnerContext } from '../partner-context';

/** A document accepted by POST /capture, ready to run as a job. */
export interface AcceptedCapture {
  readonly captureID: string;
  readonly state: CaptureJobState;
  /** The document in EPCISDocument shape (an EPCISQueryDocument's events moved to epcisBody.eventList). */
  readonly document: Record<string, unknown>;
  readonly events: readonly EventShape[];
  readonly eventIds: ReadonlyArray<string | undefined>;
  readonly hash: EventHashOptions;
  /** XML documents: where each event is, for the problems. */
  readonly locations?: ReadonlyArray<{ line: number; column: number; path: string }>;
  readonly submittedBy?: string;
}

const logger = new Logger('epcis-capture');

const EVENT_PATH = /^epcisBody\.eventList\[(\d+)\]/;

/** The capture job as the standard's CaptureJob document. */
export function captureJobDocument(row: CaptureJobRow): Record<string, unknown> {
  return {
    captureID: row.captureID,
    createdAt: row.createdAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
    running: row.running,
    success: row.success,
    captureErrorBehaviour: row.captureErrorBehaviour,
    errors: captureProblemsOf(row),
    eventCount: row.eventCount,
    recordedCount: row.recordedCount,
  };
}

/**
 * Runs capture jobs in the background, one at a time in the order they were accepted (events of
 * successive documents reach the ledger in order), persisting the job after every step.
 */
@Injectable()
export class EpcisCaptureJobs implements OnApplicationBootstrap {
  readonly repository: CaptureJobRepository;
  private tail: Promise<void> = Promise.resolve();
  private readonly active = new Set<string>();

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.repository = new CaptureJobRepository(p.database.dataSource, p.org);
  }

  async onApplicationBootstrap(): Promise<void> {
    const n = await this.repository.interruptRunning({
      type: 'epcisException:ImplementationException', title: 'Capture job interrupted', status: 500,
      detail: 'the service stopped before the job finished; recordedCount events were recorded on the ledger and stay recorded; send the document again to record the rest (recorded events are not recorded twice)',
    });
    if (n) logger.warn({ msg: 'capture jobs interrupted by a restart', count: n });
  }

  /** Queues the job; resolves when it has finished (callers do not wait). */
  run(job: AcceptedCapture): Promise<void> {
    this.active.add(job.captureID);
    const done = this.tail.then(() => this.execute(job)).catch(async (err: unknown) => {
      logger.error({ msg: 'capture job failed', captureID: job.captureID, error: (err as Error).message });
      await this.repository.save(job.captureID, { ...job.state, running: false, success: false }).catch(() => undefined);
    }).finally(() => this.active.delete(job.captureID));
    this.tail = done;
    return done;
  }

  private async execute(job: AcceptedCapture): Promise<void> {
    let state = job.state;
    const save = async (next: CaptureJobState): Promise<void> => {
      state = next;
      await this.repository.save(job.captureID, state, state.recordedIndices.map((i) => job.eventIds[i] as string));
    };
    const commands = new Map<number, CapturedCommand>();
    const problems = this.validate(job, commands);
    await save(advanceCaptureJob(state, { kind: 'validated', problems }));
    try {
      if (state.behaviour === 'rollback') await this.recordAtomically(job, commands, () => state, save);
      while (state.running) {
        // proceed: each event its own capture, so one refusal leaves the others recorded.
        const index = state.pending[0] as number;
        const eventId = job.eventIds[index] as string;
        try {
          await this.p.commands.capture(captureIdOf([eventId]), [capturePart(commands.get(index) as CapturedCommand, eventId)]);
          await save(advanceCaptureJob(state, { kind: 'recorded', index }));
        } catch (err) {
          await save(advanceCaptureJob(state, { kind: 'refused', index, problem: refusal(err, index, eventId, 'proceed') }));
        }
      }
    } catch (err) {
      if (state.running) await save(advanceCaptureJob(state, { kind: 'interrupted', problem: { type: 'epcisException:ImplementationException', title: 'Capture job failed', status: 500, detail: (err as Error).message } }));
      throw err;
    }
  }

  /**
   * rollback: the document's events in one ledger transaction (the chaincode's Capture, all or
   * none, as the synchronous route records it), so a refusal of any event records nothing.
   */
  private async recordAtomically(job: AcceptedCapture, commands: Map<number, CapturedCommand>, state: () => CaptureJobState, save: (next: CaptureJobState) => Promise<void>): Promise<void> {
    const indices = [...state().pending];
    if (!indices.length) return;
    const eventIds = indices.map((i) => job.eventIds[i] as string);
    try {
      await this.p.commands.capture(captureIdOf(eventIds), indices.map((i, k) => capturePart(commands.get(i) as CapturedCommand, eventIds[k] as string)));
    } catch (err) {
      // The chaincode names the refused part: commands[k] is the k-th event recorded.
      const part = Number((err as { details?: { part?: unknown } }).details?.part ?? /commands\[(\d+)\]/.exec((err as Error).message ?? '')?.[1] ?? 0);
      const index = indices[Number.isInteger(part) && part >= 0 && part < indices.length ? part : 0] as number;
      // The state machine records events in order: those before the refused one were never committed.
      await save(advanceCaptureJob({ ...state(), pending: [index, ...indices.filter((i) => i !== index)] }, { kind: 'refused', index, problem: refusal(err, index, job.eventIds[index] as string, 'rollback') }));
      return;
    }
    let next = state();
    for (const index of indices) next = advanceCaptureJob(next, { kind: 'recorded', index });
    await save(next);
  }

  /** The whole document's problems, one per event (with every issue of it), before anything is recorded. */
  private validate(job: AcceptedCapture, commands: Map<number, CapturedCommand>): CaptureProblem[] {
    const byEvent = new Map<number, Array<Record<string, unknown>>>();
    const documentIssues: Array<Record<string, unknown>> = [];
    for (const issue of validateEpcisDocument(job.document, { dscsa: true })) {
      const m = EVENT_PATH.exec(issue.path);
      if (!m) {
        documentIssues.push({ ...issue });
        continue;
      }
      const index = Number(m[1]);
      const at = job.locations?.[index];
      byEvent.set(index, [...(byEvent.get(index) ?? []), at ? { ...issue, line: at.line, column: at.column, element: at.path } : { ...issue }]);
    }
    job.events.forEach((event, index) => {
      if (byEvent.has(index)) return;
      try {
        commands.set(index, commandFor(event, index));
      } catch (err) {
        const issues = isDomainError(err) ? ((err.details as { issues?: Array<Record<string, unknown>> }).issues ?? [{ path: `epcisBody.eventList[${index}]`, message: err.message }]) : [{ path: `epcisBody.eventList[${index}]`, message: (err as Error).message }];
        byEvent.set(index, issues);
      }
      if (!byEvent.has(index) && job.eventIds[index] === undefined) byEvent.set(index, [{ path: `epcisBody.eventList[${index}]`, message: 'no event ID could be computed' }]);
    });
    const problems: CaptureProblem[] = [...byEvent.entries()].sort(([a], [b]) => a - b).map(([index, issues]) => ({
      type: 'epcisException:ValidationException', title: 'Invalid EPCIS event', status: 400,
      detail: issues.map((i) => `${String(i['path'])}: ${String(i['message'])}`).join('; '),
      instance: `epcisBody.eventList[${index}]`, eventIndex: index, ...(job.eventIds[index] ? { eventID: job.eventIds[index] } : {}), issues,
    }));
    if (documentIssues.length) {
      problems.unshift({ type: 'epcisException:ValidationException', title: 'Invalid EPCIS document', status: 400, detail: documentIssues.map((i) => `${String(i['path'])}: ${String(i['message'])}`).join('; '), issues: documentIssues });
    }
    return problems;
  }
}

/** The ledger's refusal of one event as the job's problem, saying what was recorded. */
function refusal(err: unknown, index: number, eventId: string, behaviour: 'rollback' | 'proceed'): CaptureProblem {
  const f = classifyFailure(err);
  const kept = behaviour === 'rollback' ? ' Nothing of the document was recorded: its events are one ledger transaction.' : '';
  return {
    type: f.httpStatus >= 500 ? 'epcisException:ImplementationException' : 'epcisException:ValidationException',
    title: 'The ledger refused the event',
    status: f.httpStatus >= 500 ? 500 : 400,
    detail: `${f.domainCode ?? f.code}: ${f.message}.${kept}`,
    instance: `epcisBody.eventList[${index}]`,
    eventIndex: index,
    eventID: eventId,
    code: f.domainCode ?? f.code,
    retryable: f.retryable,
  };
}
