/**
 * The pool's worker entry (loaded by piscina from dist/src/execute/worker.js):
 * runs one (strategy, replication) of a plan with the in-process simulator
 * and returns its plain result. Progress goes back on the task's
 * MessagePort, at most once per `progressIntervalMs` of wall time.
 *
 * Nothing here may depend on which thread runs it or when: the result is a
 * function of the task alone (the timing is wall clock and kept apart).
 */
import { threadId } from 'node:worker_threads';
import { runOnce } from '../model/run-once.js';
import { FAULT_ENV, type WorkerMemory, type WorkerProgress, type WorkerRequest, type WorkerResponse } from './protocol.js';

/** Events between the simulator's progress callbacks (then throttled by wall time). */
const PROGRESS_EVERY_EVENTS = 100_000;

function memoryNow(): number {
  const m = process.memoryUsage();
  // `external` includes ArrayBuffers and also WebAssembly memories, which
  // hold the user records (kernel/aligned-buffer.ts); `arrayBuffers` does not.
  return m.heapTotal + m.external;
}

function injectFault(index: number): void {
  const fault = process.env[FAULT_ENV];
  if (!fault) return;
  const m = /^(throw|exit|hang)@(\*|\d+)$/.exec(fault.trim());
  if (!m || (m[2] !== '*' && Number(m[2]) !== index)) return;
  if (m[1] === 'throw') throw new Error(`injected fault (${FAULT_ENV}=${fault})`);
  if (m[1] === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  process.exit(3);
}

/** Runs one task (piscina calls this with the request; the port is closed when it returns or throws). */
export default function runTask(request: WorkerRequest): WorkerResponse {
  const { task, port, progressIntervalMs } = request;
  const post = (message: WorkerProgress): void => port.postMessage(message);
  try {
    post({ phase: 'start', simulatedUs: 0, durationUs: task.config.duration, events: 0 });
    injectFault(task.index);
    let peak = memoryNow();
    let last = performance.now();
    const { result, timing } = runOnce(task.config, {
      strategy: task.strategy,
      replication: task.replication,
      seed: task.seed,
      tokenSecret: task.tokenSecret,
      progressEvery: PROGRESS_EVERY_EVENTS,
      onProgress: (p) => {
        peak = Math.max(peak, memoryNow());
        const now = performance.now();
        if (now - last < progressIntervalMs) return;
        last = now;
        post({ phase: 'progress', ...p });
      },
    });
    const worker: WorkerMemory = { threadId, peakBytes: Math.max(peak, memoryNow()) };
    return { result, timing: { ...timing, worker } };
  } finally {
    port.close();
  }
}
