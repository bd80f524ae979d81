import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MemberProgress, MemberTask, trainMember, TrainingArrays } from './member-training';
import { BackendName, initBackend } from './tf-backend';

/**
 * Entry point of a worker thread of member-pool.ts: selects the same backend as the parent, then trains the members
 * it is sent, one at a time, and posts their weights back (transferring the buffers rather than copying them).
 */
export interface WorkerSetup {
  readonly role: 'forecast-member-trainer';
  readonly backend: BackendName;
  readonly data: TrainingArrays;
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly member: number; readonly event: MemberProgress }
  | { readonly type: 'done'; readonly outcome: import('./member-training').MemberOutcome }
  | { readonly type: 'failed'; readonly member: number; readonly message: string };

const setup = workerData as WorkerSetup | undefined;
if (!isMainThread && parentPort && setup?.role === 'forecast-member-trainer') {
  const port = parentPort;
  const ready = initBackend({ prefer: setup.backend, log: () => undefined });
  port.on('message', (task: MemberTask) => {
    void (async () => {
      try {
        const backend = await ready;
        if (backend !== setup.backend) throw new Error(`worker got backend ${backend}, parent uses ${setup.backend}`);
        const outcome = await trainMember(task, setup.data, (event) => port.postMessage({ type: 'progress', member: task.member, event } satisfies WorkerReply));
        port.postMessage({ type: 'done', outcome } satisfies WorkerReply, outcome.weights.map((w) => w.buffer as ArrayBuffer));
      } catch (error) {
        port.postMessage({ type: 'failed', member: task.member, message: (error as Error).message } satisfies WorkerReply);
      }
    })();
  });
}
