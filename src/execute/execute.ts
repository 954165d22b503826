import { availableParallelism } from 'node:os';
import type { RunResult, RunTiming } from '../results/result.js';
import type { RunPlan, RunTask } from './plan.js';
import type { ExecutedPlan, TaskProgress, TaskTiming } from './task-reports.js';

export type { ExecutedPlan, TaskProgress, TaskTiming } from './task-reports.js';

/**
 * Runs a plan: every (strategy, replication) through the simulator, results
 * in plan order.
 *
 * With `workers: 1`, or with an injected `runner` (tests: a function cannot
 * cross threads), the tasks run one after another in this thread. With
 * `workers > 1` they run on the worker-thread pool of src/execute/pool.ts
 * (piscina; the worker loads the compiled dist/src/execute/worker.js),
 * results still placed in plan order. Callers must not rely on the order
 * in which progress events of different tasks arrive.
 */

/** Runs one task; the default is the in-process simulator (src/model/run-once.ts). */
export type TaskRunner = (
  task: RunTask,
  onProgress: (p: { simulatedUs: number; durationUs: number; events: number }) => void,
) => { result: RunResult; timing: RunTiming } | Promise<{ result: RunResult; timing: RunTiming }>;

/** How {@link executePlan} runs a plan. */
export interface ExecuteOptions {
  /** Worker threads to use; default: the number of cores. 1 runs in this thread. */
  workers?: number;
  /** Progress of every task; see the note above on ordering across tasks. */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting stops before the next task (and at the next progress report; on the pool, at once) with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the simulator (tests); always runs in this thread. */
  runner?: TaskRunner;
}

/** The default number of workers: the cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

const inProcessRunner: TaskRunner = async (task, onProgress) => {
  // In slices, so that Ctrl-C (and an abort through onProgress) is heard between them.
  const { runOnceInSlices } = await import('../model/run-once.js');
  return runOnceInSlices(task.config, {
    strategy: task.strategy,
    replication: task.replication,
    seed: task.seed,
    tokenSecret: task.tokenSecret,
    onProgress,
  });
};

/** Runs plans one after another with the same threads (see {@link openExecutor}). */
export interface TaskExecutor {
  /** Runs every task of `plan`; results in plan order (see {@link executePlan}). */
  run(plan: RunPlan, options?: Pick<ExecuteOptions, 'onProgress' | 'signal'>): Promise<ExecutedPlan>;
  /** Releases the threads (a no-op in process). */
  close(): Promise<void>;
}

/**
 * An executor for several plans run one after another (a precision-driven
 * run's batches, `sim plan`'s candidates): with `workers > 1` and no
 * `runner`, one worker pool of `workers` threads for all of them, started
 * here and stopped by `close()`; otherwise in this thread. Results do not
 * depend on which: each is placed by its task.
 */
export async function openExecutor(options: Pick<ExecuteOptions, 'workers' | 'runner'> = {}): Promise<TaskExecutor> {
  const workers = options.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers > 1 && !options.runner) {
    const { WorkerPool } = await import('./pool.js');
    const pool = new WorkerPool({ threads: workers });
    return { run: (plan, o = {}) => pool.run(plan, o), close: () => pool.destroy() };
  }
  const runner = options.runner ?? inProcessRunner;
  return { run: (plan, o = {}) => runInProcess(plan, runner, o), close: async () => {} };
}

/**
 * Executes every task of `plan` and returns the results in plan order.
 *
 * @throws the first task's error (the remaining tasks are not run; on the
 *   pool, a `WorkerTaskError` naming the task), or an `AbortError` (a
 *   DOMException) when `signal` aborts.
 */
export async function executePlan(plan: RunPlan, options: ExecuteOptions = {}): Promise<ExecutedPlan> {
  const workers = options.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const { signal, onProgress } = options;
  if (workers > 1 && !options.runner) {
    const { runPlanOnPool } = await import('./pool.js');
    return runPlanOnPool(plan, { workers, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
  }
  return runInProcess(plan, options.runner ?? inProcessRunner, options);
}

/** The tasks one after another in this thread. */
async function runInProcess(
  plan: RunPlan,
  runner: TaskRunner,
  options: Pick<ExecuteOptions, 'onProgress' | 'signal'>,
): Promise<ExecutedPlan> {
  const { signal, onProgress } = options;
  const results: RunResult[] = [];
  const timings: TaskTiming[] = [];
  for (const task of plan.tasks) {
    signal?.throwIfAborted();
    const report = (phase: TaskProgress['phase'], p: { simulatedUs: number; durationUs: number; events: number }): void =>
      onProgress?.({ task: task.index, strategy: task.strategy, replication: task.replication, phase, ...p });
    report('start', { simulatedUs: 0, durationUs: task.config.duration, events: 0 });
    const { result, timing } = await runner(task, (p) => {
      signal?.throwIfAborted();
      report('progress', p);
    });
    report('done', { simulatedUs: result.simulation.endUs, durationUs: task.config.duration, events: result.simulation.events });
    results.push(result);
    timings.push({ strategy: task.strategy, replication: task.replication, ...timing });
    // Let I/O (progress output, signals) through between CPU-bound tasks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { results, timings };
}
