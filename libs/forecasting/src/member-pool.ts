import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MemberOutcome, MemberProgress, MemberTask, trainMember, TrainingArrays } from './member-training';

/** What the pool reports: a member's progress, or (member undefined) a note about the pool itself. */
export type PoolProgress = (member: number | undefined, event: MemberProgress | string) => void;
import type { WorkerReply, WorkerSetup } from './member-worker';
import { activeBackend } from './tf-backend';

/**
 * Trains ensemble members, in parallel worker threads when that helps. The wasm backend is single-threaded in
 * Node, so on a 2-core machine two workers train two members at once. Members are independent and seeded, so the
 * result is the same whichever thread trains which member. Falls back to training in this thread when workers
 * cannot run (compiled worker script absent, e.g. under ts-jest/swc; tfjs-node, which is multi-threaded itself;
 * a single core; or a worker failing), so parallelism is only ever a speed-up.
 */
export async function trainMembers(
  tasks: readonly MemberTask[],
  data: TrainingArrays,
  parallelism: number,
  log: PoolProgress,
): Promise<MemberOutcome[]> {
  const backend = activeBackend();
  const script = path.join(__dirname, 'member-worker.js');
  const threads = Math.min(parallelism, tasks.length);
  if (threads > 1 && backend && backend !== 'tensorflow' && __filename.endsWith('.js') && existsSync(script)) {
    try {
      return await trainInWorkers(script, backend, tasks, data, threads, log);
    } catch (error) {
      log(undefined, `worker training failed (${(error as Error).message}); training in this thread`);
    }
  }
  const outcomes: MemberOutcome[] = [];
  for (const task of tasks) outcomes.push(await trainMember(task, data, (event) => log(task.member, event)));
  return outcomes;
}

export function defaultParallelism(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function trainInWorkers(
  script: string,
  backend: WorkerSetup['backend'],
  tasks: readonly MemberTask[],
  data: TrainingArrays,
  threads: number,
  log: PoolProgress,
): Promise<MemberOutcome[]> {
  return new Promise((resolve, reject) => {
    const queue = [...tasks];
    const outcomes: MemberOutcome[] = [];
    const workers: Worker[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(outcomes.sort((a, b) => a.member - b.member));
    };
    const setup: WorkerSetup = { role: 'forecast-member-trainer', backend, data };
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(script, { workerData: setup });
      workers.push(worker);
      const next = () => {
        const task = queue.shift();
        if (task) worker.postMessage(task);
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'progress') log(reply.member, reply.event);
        else if (reply.type === 'failed') finish(new Error(`member ${reply.member + 1}: ${reply.message}`));
        else {
          outcomes.push(reply.outcome);
          if (outcomes.length === tasks.length) finish();
          else next();
        }
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`worker exited with code ${code}`));
      });
      next();
    }
  });
}
