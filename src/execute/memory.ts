import type { RunPlan } from './plan.js';

/*
 * How much memory runs take, so that a plan can be fitted to a machine
 * before it starts rather than dying of "Array buffer allocation failed" (or
 * the OOM killer) minutes in.
 *
 * Memory is dominated by the population: the user records (64 bytes), the
 * CDN's waiter links and the event queue's entries, about one pending event
 * per user. `npm run bench` measures the seed design at ~100 bytes per user
 * above a fixed base; at 1M users the other flash-sale strategies peak at
 * 90-135 bytes per user (naive, whose unbounded order servers queue every
 * click, is the largest), and at 10M naive is 94. The estimate uses 160, so
 * it errs on the side of running fewer runs at once, never more.
 */

/** Estimated peak bytes per simulated user of one run (measured 90-135; see above). */
export const RUN_BYTES_PER_USER = 160;
/** Bytes one run takes whatever its population: a worker thread's heap, code and result (bytes). */
export const RUN_BASE_BYTES = 64 * 2 ** 20;
/** Bytes the main process takes before any run: Node, the loaded modules, the plan (bytes). */
export const PROCESS_BASE_BYTES = 96 * 2 ** 20;

/** Estimated peak memory of one run of `users` users (bytes). */
export function estimateRunBytes(users: number): number {
  return RUN_BASE_BYTES + users * RUN_BYTES_PER_USER;
}

/** How many of a plan's runs fit in memory at once, and why. */
export interface MemoryFit {
  /**
   * Workers to use: those asked for when every run that would go at once
   * fits (there are never more at once than tasks), else as many as fit;
   * 0 when not even one run fits.
   */
  workers: number;
  /** Whether memory, not the request, set {@link workers}. */
  limited: boolean;
  /** Runs that would go at once without the memory limit: the workers asked for, at most the plan's tasks. */
  atOnce: number;
  /** The largest run's population. */
  largestUsers: number;
  /** The largest run's estimated peak (bytes). */
  largestRunBytes: number;
}

/**
 * Fits `workers` concurrent runs of `plans` into `memoryBytes` (bytes):
 * that many of the largest run, plus the process's own base, must stay
 * within the memory. Sizing by the largest run keeps the answer simple and
 * safe when strategies differ (`--set users.count` in an overlay).
 */
export function fitWorkers(plans: readonly RunPlan[], workers: number, memoryBytes: number): MemoryFit {
  let largestUsers = 0;
  let tasks = 0;
  for (const plan of plans) {
    tasks = Math.max(tasks, plan.tasks.length);
    for (const task of plan.tasks) largestUsers = Math.max(largestUsers, task.config.users.count);
  }
  const largestRunBytes = estimateRunBytes(largestUsers);
  const fit = Math.max(0, Math.floor((memoryBytes - PROCESS_BASE_BYTES) / largestRunBytes));
  const atOnce = Math.min(workers, Math.max(1, tasks));
  return fit >= atOnce
    ? { workers, limited: false, atOnce, largestUsers, largestRunBytes }
    : { workers: fit, limited: true, atOnce, largestUsers, largestRunBytes };
}
