/**
 * The worker-thread pool (piscina): every task of a run plan — one
 * (strategy, replication) — runs in a worker thread; results come back as
 * plain data and are placed by task index, never in completion order, so
 * the merged results (and summary.json) do not depend on how many workers
 * ran them or which finished first.
 *
 * - Progress: each task carries a MessagePort; the worker posts 'start'
 *   and throttled 'progress' messages on it, the pool adds 'done' when the
 *   result is in. Progress of different tasks interleaves arbitrarily.
 * - Faults: a task that throws, or whose worker thread dies (process.exit,
 *   a crash, out of memory), rejects the whole run with a
 *   {@link WorkerTaskError} naming the task; the other tasks are aborted:
 *   no hang, no partial result.
 * - piscina's own 'error' events (nothing to do with a task) are heard: a
 *   late result after a failure is dropped, anything else fails the run.
 * - Abort: the caller's AbortSignal aborts every task (piscina terminates
 *   the threads running them) and the run rejects with an AbortError.
 * - {@link runPlanOnPool} starts a pool for one plan and destroys it at the
 *   end in every case, so no idle thread keeps the process alive; a
 *   {@link WorkerPool} is kept across plans run one after another, and its
 *   owner destroys it.
 */
import { setMaxListeners } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { InternalError } from '../errors.js';
import type { ExecutedPlan, TaskProgress, TaskTiming } from './task-reports.js';
import type { RunPlan, RunTask } from './plan.js';
import type { RunResult } from '../results/result.js';
import { compiledSibling } from './module-path.js';
import type { WorkerProgress, WorkerRequest, WorkerResponse } from './protocol.js';

/** How {@link runPlanOnPool} runs a plan. */
export interface PoolOptions {
  /** Worker threads (at most one per task is started). */
  workers: number;
  /** Progress of every task, interleaved across tasks. */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting terminates the running tasks; the run rejects with an AbortError. */
  signal?: AbortSignal;
  /** The worker module (compiled JavaScript); default: dist/src/execute/worker.js. Tests inject faulty ones. */
  filename?: string;
  /** Minimum wall time between two progress messages of one task, ms (default 250). */
  progressIntervalMs?: number;
}

/** A task failed in a worker thread (it threw, or the thread died). Exit code 70 in the CLI. */
export class WorkerTaskError extends InternalError {
  /** @param reason what went wrong, for the message (the thrown message, or how the thread died). */
  constructor(
    readonly task: Pick<RunTask, 'index' | 'strategy' | 'replication'>,
    readonly reason: string,
    options?: { cause?: unknown; /** More about the task, e.g. a sweep's grid point: `servers=2`. */ context?: string },
  ) {
    const context = options?.context ? `, ${options.context}` : '';
    super(
      `task ${task.index} (strategy ${task.strategy}, replication ${task.replication}${context}) failed in a worker thread: ${reason}`,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
  }
}

/** The default worker module: the compiled src/execute/worker.ts. */
export function defaultWorkerFilename(): string {
  return compiledSibling('worker.js', import.meta.url);
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const died = /^worker exited with code: (-?\d+)/.exec(message);
  if (died) return `the worker thread died (exit code ${died[1]})`;
  if (error instanceof Error && (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
    return `the worker thread ran out of memory (${message})`;
  return message;
}

/** How a {@link WorkerPool} is started. */
export interface WorkerPoolOptions {
  /** Worker threads, started at once and kept until {@link WorkerPool.destroy}. */
  threads: number;
  /** The worker module (compiled JavaScript); default: dist/src/execute/worker.js. Tests inject faulty ones. */
  filename?: string;
  /** Minimum wall time between two progress messages of one task, ms (default 250). */
  progressIntervalMs?: number;
}

/**
 * A piscina pool kept across several plans, run one after another: a
 * precision-driven run's batches, or every candidate of `sim plan`, pay for
 * starting the threads (and loading the simulator in each) once. Each
 * {@link run} has the fault and abort semantics of {@link runPlanOnPool};
 * after a failed run the pool may still be used, but the callers stop
 * there and {@link destroy} it.
 */
export class WorkerPool {
  private readonly pool: Piscina<WorkerRequest, WorkerResponse>;
  private readonly progressIntervalMs: number;
  /** The running plan's failure handler (one plan at a time). */
  private onPoolError: ((error: unknown) => void) | undefined;
  /** A pool failure heard while no plan was running: the next one fails with it. */
  private broken: InternalError | undefined;
  private running = false;

  constructor(options: WorkerPoolOptions) {
    const threads = Math.max(1, options.threads);
    this.progressIntervalMs = options.progressIntervalMs ?? 250;
    this.pool = new Piscina<WorkerRequest, WorkerResponse>({
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      // piscina loads a CommonJS entry that import()s `filename`: see worker-entry.cts.
      filename: compiledSibling('worker-entry.cjs', import.meta.url),
      workerData: { module: options.filename ?? defaultWorkerFilename() },
    });
    // piscina reports what belongs to no task on the pool itself. Once a run
    // is stopping that is an echo: a task's result in flight while the task
    // was aborted ("Unexpected message from Worker"). Otherwise it fails the
    // run. Either way it needs a listener: an unheard 'error' event is an
    // uncaught exception that would bring the process down.
    this.pool.on('error', (error: unknown) => {
      if (this.onPoolError) this.onPoolError(error);
      else this.broken ??= new InternalError(`the worker pool failed: ${describeFailure(error)}`, { cause: error });
    });
  }

  /**
   * Runs every task of `plan` on the pool's threads.
   *
   * @returns results and timings, one per task, in plan order.
   * @throws {WorkerTaskError} for the first task that failed (in time).
   * @throws the signal's reason (an AbortError DOMException by default) when `signal` aborts.
   */
  async run(plan: RunPlan, options: Pick<PoolOptions, 'onProgress' | 'signal'> = {}): Promise<ExecutedPlan> {
    if (this.running) throw new InternalError('a worker pool runs one plan at a time');
    const { signal, onProgress } = options;
    signal?.throwIfAborted();
    if (this.broken) throw this.broken;
    const tasks = plan.tasks;
    const results = new Array<RunResult>(tasks.length);
    const timings = new Array<TaskTiming>(tasks.length);
    if (tasks.length === 0) return { results, timings };

    this.running = true;
    // Aborted by the caller, or by us on the first failure.
    const stop = new AbortController();
    // piscina listens on the signal once per task.
    setMaxListeners(tasks.length + 10, stop.signal);
    const onAbort = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let failure: InternalError | undefined;
    const progressIntervalMs = this.progressIntervalMs;
    this.onPoolError = (error) => {
      if (stop.signal.aborted) return;
      failure = new InternalError(`the worker pool failed: ${describeFailure(error)}`, { cause: error });
      stop.abort(failure);
    };

    const runOne = async (task: RunTask, position: number): Promise<void> => {
      const { port1, port2 } = new MessageChannel();
      let finished = false;
      const report = (phase: TaskProgress['phase'], p: Omit<WorkerProgress, 'phase'>): void => {
        onProgress?.({
          task: task.index,
          strategy: task.strategy,
          replication: task.replication,
          phase,
          simulatedUs: p.simulatedUs,
          durationUs: p.durationUs,
          events: p.events,
        });
      };
      port1.on('message', (m: WorkerProgress) => {
        if (!finished && !stop.signal.aborted) report(m.phase, m);
      });
      try {
        const request: WorkerRequest = { task, port: port2, progressIntervalMs };
        const { result, timing } = await this.pool.run(request, { transferList: [port2], signal: stop.signal });
        finished = true;
        results[position] = result;
        timings[position] = { strategy: task.strategy, replication: task.replication, ...timing };
        report('done', { simulatedUs: result.simulation.endUs, durationUs: task.config.duration, events: result.simulation.events });
      } catch (error) {
        finished = true;
        // Once stopping (the caller aborted, or another task failed first), the other tasks' errors are echoes.
        if (stop.signal.aborted) return;
        failure = new WorkerTaskError(task, describeFailure(error), { cause: error });
        stop.abort(failure);
      } finally {
        port1.close();
      }
    };

    try {
      await Promise.all(tasks.map((task, position) => runOne(task, position)));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Echoes of this run's stop (late results of aborted tasks) may still come: heard, and dropped.
      this.onPoolError = stop.signal.aborted ? () => {} : undefined;
      this.running = false;
    }
    if (signal?.aborted) signal.throwIfAborted();
    if (failure) throw failure;
    return { results, timings };
  }

  /** Stops the threads; no thread is left to keep the process alive. */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Runs every task of `plan` on a piscina pool of `workers` threads (at most
 * one per task), started for this plan and destroyed after it.
 *
 * @returns results and timings, one per task, in plan order.
 * @throws {WorkerTaskError} for the first task that failed (in time).
 * @throws the signal's reason (an AbortError DOMException by default) when `signal` aborts.
 */
export async function runPlanOnPool(plan: RunPlan, options: PoolOptions): Promise<ExecutedPlan> {
  options.signal?.throwIfAborted();
  if (plan.tasks.length === 0) return { results: [], timings: [] };
  const pool = new WorkerPool({
    threads: Math.min(options.workers, plan.tasks.length),
    ...(options.filename !== undefined ? { filename: options.filename } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  try {
    return await pool.run(plan, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    await pool.destroy();
  }
}
