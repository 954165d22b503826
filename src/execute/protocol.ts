import type { MessagePort } from 'node:worker_threads';
import type { RunTask } from './plan.js';
import type { RunResult, RunTiming } from '../results/result.js';

/**
 * What crosses the thread boundary between the pool (src/execute/pool.ts)
 * and its workers (src/execute/worker.ts): plain, structured-cloneable data
 * only. A worker gets the task as planned (resolved config, strategy,
 * replication, seed) and a MessagePort for progress; it returns the run's
 * result and its wall-clock timing.
 */

/** The message a pool task carries. */
export interface WorkerRequest {
  /** The task as planned. */
  task: RunTask;
  /** Progress goes back on this port (transferred with the task). */
  port: MessagePort;
  /** At most one progress message per this many milliseconds of wall time. */
  progressIntervalMs: number;
}

/** A progress message from a worker. */
export interface WorkerProgress {
  /** 'start' once before the run, then 'progress' (the pool adds 'done'). */
  phase: 'start' | 'progress';
  /** Simulated time reached, µs. */
  simulatedUs: number;
  /** The scenario's duration, µs. */
  durationUs: number;
  /** Events handled so far. */
  events: number;
}

/** Memory of one worker thread while it ran a task (its own isolate; RSS is the process's). */
export interface WorkerMemory {
  /** node:worker_threads' id of the thread that ran the task. */
  threadId: number;
  /** Peak of the worker's V8 heap plus its external memory (typed arrays, WebAssembly memories), sampled at progress reports and at the end. */
  peakBytes: number;
}

/** What a worker returns. */
export interface WorkerResponse {
  /** The run's deterministic result. */
  result: RunResult;
  /** Its wall-clock figures and the thread's memory. */
  timing: RunTiming & { worker: WorkerMemory };
}

/**
 * Fault injection for tests of the pool's failure handling, read by the
 * worker from its environment: `FLASHSIM_TEST_FAULT=throw@3` makes task 3
 * throw, `exit@3` makes its worker thread call process.exit(3) (a dying
 * worker), `hang@3` blocks it for ten minutes (then exits; for Ctrl-C
 * tests), `throw@*` etc. hits every task. Unset in normal use.
 */
export const FAULT_ENV = 'FLASHSIM_TEST_FAULT';
