/** What executing a plan reports, in-process or on the pool: progress, timings, results. */
import type { RunResult, RunTiming } from '../results/result.js';

/** What one task reports while it runs (simulated time is virtual, µs). */
export interface TaskProgress {
  /** The task's index in the plan. */
  task: number;
  /** The task's strategy. */
  strategy: string;
  /** The task's replication. */
  replication: number;
  /** Simulated time reached, µs (may pass `durationUs` while the run drains). */
  simulatedUs: number;
  /** The scenario's duration, µs. */
  durationUs: number;
  /** Events handled so far. */
  events: number;
  /** 'start' before the first event, 'progress' while running, 'done' when the task finished. */
  phase: 'start' | 'progress' | 'done';
}

/** The wall-clock figures of one task (kept out of results; they go to timing.json). */
export interface TaskTiming extends RunTiming {
  /** The task's strategy. */
  strategy: string;
  /** The task's replication. */
  replication: number;
  /** The worker thread that ran the task and its peak heap + ArrayBuffer bytes (pool runs only). */
  worker?: { threadId: number; peakBytes: number };
}

/** What {@link executePlan} returns. */
export interface ExecutedPlan {
  /** One per task, in plan order. */
  results: RunResult[];
  /** One per task, in plan order. */
  timings: TaskTiming[];
}
