import { advanceCaptureJob, startCaptureJob, type CaptureErrorBehaviour, type CaptureJobStep, type CaptureProblem } from './capture-job';

const problem = (eventIndex?: number): CaptureProblem => ({ type: 'epcisException:ValidationException', title: 'invalid', status: 400, ...(eventIndex === undefined ? {} : { eventIndex }) });
const validated = (...indices: Array<number | undefined>): CaptureJobStep => ({ kind: 'validated', problems: indices.map(problem) });
const recorded = (index: number): CaptureJobStep => ({ kind: 'recorded', index });
const refused = (index: number): CaptureJobStep => ({ kind: 'refused', index, problem: problem(index) });
const interrupted: CaptureJobStep = { kind: 'interrupted', problem: problem() };

describe('capture job state machine', () => {
  it.each<[string, CaptureErrorBehaviour, number, CaptureJobStep[], { running: boolean; success: boolean; pending: number[]; recorded: number; errors: number }]>([
    ['all valid, not started', 'rollback', 3, [validated()], { running: true, success: true, pending: [0, 1, 2], recorded: 0, errors: 0 }],
    ['all valid, all recorded', 'rollback', 2, [validated(), recorded(0), recorded(1)], { running: false, success: true, pending: [], recorded: 2, errors: 0 }],
    ['rollback: one invalid event records nothing', 'rollback', 3, [validated(1)], { running: false, success: false, pending: [], recorded: 0, errors: 1 }],
    ['proceed: invalid events are skipped', 'proceed', 4, [validated(1, 3)], { running: true, success: false, pending: [0, 2], recorded: 0, errors: 2 }],
    ['proceed: the valid ones recorded', 'proceed', 3, [validated(1), recorded(0), recorded(2)], { running: false, success: false, pending: [], recorded: 2, errors: 1 }],
    ['proceed: a document-level problem records nothing', 'proceed', 3, [validated(undefined)], { running: false, success: false, pending: [], recorded: 0, errors: 1 }],
    ['rollback: a refusal after recording stops, the recorded stay', 'rollback', 3, [validated(), recorded(0), refused(1)], { running: false, success: false, pending: [], recorded: 1, errors: 1 }],
    ['proceed: a refusal goes on with the next', 'proceed', 3, [validated(), refused(0)], { running: true, success: false, pending: [1, 2], recorded: 0, errors: 1 }],
    ['proceed: refusal then recorded', 'proceed', 2, [validated(), refused(0), recorded(1)], { running: false, success: false, pending: [], recorded: 1, errors: 1 }],
    ['interrupted mid-way', 'proceed', 3, [validated(), recorded(0), interrupted], { running: false, success: false, pending: [], recorded: 1, errors: 1 }],
    ['an empty document finishes at once', 'rollback', 0, [validated()], { running: false, success: true, pending: [], recorded: 0, errors: 0 }],
  ])('%s', (_name, behaviour, count, steps, expected) => {
    const end = steps.reduce(advanceCaptureJob, startCaptureJob(behaviour, count));
    expect({ running: end.running, success: end.success, pending: end.pending, recorded: end.recorded, errors: end.errors.length }).toEqual(expected);
    expect(end.recordedIndices).toEqual(steps.flatMap((s) => (s.kind === 'recorded' ? [s.index] : [])));
  });

  it('starts running and successful, with nothing validated', () => {
    expect(startCaptureJob('proceed', 5)).toMatchObject({ running: true, success: true, validated: false, pending: [], recorded: 0 });
  });

  it.each<[string, CaptureJobStep[]]>([
    ['recording before validation', [recorded(0)]],
    ['recording out of order', [validated(), recorded(1)]],
    ['validating twice', [validated(), validated()]],
    ['a step after the end', [validated(), recorded(0), recorded(0)]],
    ['a step after rollback', [validated(0), recorded(1)]],
  ])('refuses %s', (_name, steps) => {
    expect(() => steps.reduce(advanceCaptureJob, startCaptureJob('rollback', 2))).toThrow();
  });
});
