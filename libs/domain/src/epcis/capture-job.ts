/**
 * The life of an EPCIS 2.0 capture job (REST binding, POST /capture), as a pure state machine the
 * service persists after every step. The document is validated whole first (`validated`), then its
 * events are recorded one by one (`recorded` / `refused`), each its own ledger transaction.
 *
 * GS1-Capture-Error-Behaviour decides what an error does:
 * - `rollback` (the default, as in EPCIS 1.2): an invalid event fails the job before anything is
 *   recorded; a refusal by the ledger stops the job. (The partner service records a rollback job's
 *   events in one ledger transaction, so a refusal there means nothing was recorded; a caller that
 *   records event by event would see `recorded` say how many stayed.)
 * - `proceed`: invalid events are listed and skipped, the valid ones are recorded; a refusal is
 *   listed and the job goes on with the next event.
 *
 * `running`/`success` follow the standard's tables: running until no event is left to record;
 * success false as soon as one error is listed.
 */

export type CaptureErrorBehaviour = 'rollback' | 'proceed';
export const CAPTURE_ERROR_BEHAVIOURS: readonly CaptureErrorBehaviour[] = ['rollback', 'proceed'];

/** An RFC 7807 problem as the standard's capture job lists it, with where in the document it is. */
export interface CaptureProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** `epcisBody.eventList[3]` or a path inside it. */
  readonly instance?: string;
  readonly eventIndex?: number;
  readonly eventID?: string;
  readonly [extension: string]: unknown;
}

export interface CaptureJobState {
  readonly behaviour: CaptureErrorBehaviour;
  readonly eventCount: number;
  readonly running: boolean;
  readonly success: boolean;
  /** Event indices still to record, in document order. */
  readonly pending: readonly number[];
  readonly recorded: number;
  /** The events recorded, in the order they were. */
  readonly recordedIndices: readonly number[];
  readonly errors: readonly CaptureProblem[];
  /** Set once validated: the job has looked at the whole document. */
  readonly validated: boolean;
}

export type CaptureJobStep =
  | { readonly kind: 'validated'; readonly problems: readonly CaptureProblem[] }
  | { readonly kind: 'recorded'; readonly index: number }
  | { readonly kind: 'refused'; readonly index: number; readonly problem: CaptureProblem }
  /** The service stopped (or the ledger failed) before the job finished. */
  | { readonly kind: 'interrupted'; readonly problem: CaptureProblem };

export function startCaptureJob(behaviour: CaptureErrorBehaviour, eventCount: number): CaptureJobState {
  return { behaviour, eventCount, running: true, success: true, pending: [], recorded: 0, recordedIndices: [], errors: [], validated: false };
}

/** A step that does not fit the job's state is a bug in the caller, not bad input: it throws. */
export function advanceCaptureJob(state: CaptureJobState, step: CaptureJobStep): CaptureJobState {
  if (!state.running) throw new Error(`capture job already finished: cannot apply ${step.kind}`);
  switch (step.kind) {
    case 'validated': {
      if (state.validated) throw new Error('capture job already validated');
      const invalid = new Set(step.problems.map((p) => p.eventIndex ?? -1));
      const wholeDocument = invalid.has(-1);
      const errors = [...state.errors, ...step.problems];
      const pending = step.problems.length && (state.behaviour === 'rollback' || wholeDocument)
        ? []
        : Array.from({ length: state.eventCount }, (_, i) => i).filter((i) => !invalid.has(i));
      return { ...state, validated: true, errors, success: errors.length === 0, pending, running: pending.length > 0 };
    }
    case 'recorded':
    case 'refused': {
      if (state.pending[0] !== step.index) throw new Error(`capture job expects event ${state.pending[0] ?? '(none)'} next, not ${step.index}`);
      const rest = state.pending.slice(1);
      if (step.kind === 'recorded') return { ...state, recorded: state.recorded + 1, recordedIndices: [...state.recordedIndices, step.index], pending: rest, running: rest.length > 0 };
      const pending = state.behaviour === 'rollback' ? [] : rest;
      return { ...state, errors: [...state.errors, step.problem], success: false, pending, running: pending.length > 0 };
    }
    case 'interrupted':
      return { ...state, errors: [...state.errors, step.problem], success: false, pending: [], running: false };
  }
}
