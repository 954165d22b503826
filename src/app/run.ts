/**
 * The run pipeline: {@link prepareRun} (load, validate, resolve strategies,
 * plan) → {@link executeRun} (simulate every strategy × replication, audit,
 * evaluate thresholds, aggregate). Nothing here prints or exits.
 */
import { availableParallelism, cpus } from 'node:os';
import { executePlan, openExecutor, type ExecutedPlan, type TaskProgress, type TaskRunner, type TaskTiming } from '../execute/execute.js';
import type { RunResult } from '../results/result.js';
import type { RunSummary } from '../results/summary.js';
import { prepareRun, type PreparedRun, type RunOptions } from './prepare.js';
import { executePrecise, type PrecisionBatch } from './precision.js';
import { buildSummary } from './summary.js';

/** How a run is executed (none of these changes summary.json). */
export interface ExecuteRunOptions {
  /** Worker threads; default: the cores this process may use. 1 runs in this thread. */
  workers?: number;
  /** Progress of every task (tasks' reports may interleave in any order). */
  onProgress?: (progress: TaskProgress) => void;
  /** With a precision rule: before each batch after the first, the strategies that go on and why. */
  onBatch?: (batches: readonly PrecisionBatch[]) => void;
  /** Aborting stops the run with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the simulator (tests). */
  runner?: TaskRunner;
}

/** A finished run: the deterministic summary and the wall-clock timing kept apart. */
export interface CompletedRun {
  /** What was run. */
  prepared: PreparedRun;
  /** summary.json's content: a function of the scenario and options only. */
  summary: RunSummary;
  /** Every task's result in plan order, with the per-record data summary.json leaves out (the ledger tables' rows). */
  results: readonly RunResult[];
  /** timing.json's content (wall clock, host). */
  timing: TimingReport;
}

/** timing.json: the wall-clock side of a run (never part of summary.json). */
export interface TimingReport {
  /** The run directory's id, when the CLI wrote one. */
  runId?: string;
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** Wall time of the whole run (simulation and summary), ms. */
  wallMs: number;
  /** Worker threads used. */
  workers: number;
  /** The machine, for comparing timings. */
  host: { node: string; platform: string; arch: string; cpus: number; cpuModel: string };
  /** Events handled over all tasks. */
  events: number;
  /** `events` per second of `wallMs`. */
  eventsPerSecond: number;
  /** One per task, in plan order. */
  tasks: TaskTiming[];
}

/** Runs every task of a prepared run and builds its summary and timing. */
export async function executeRun(prepared: PreparedRun, options: ExecuteRunOptions = {}): Promise<CompletedRun> {
  const workers = options.workers ?? availableParallelism();
  const startedAt = new Date();
  const t0 = performance.now();
  let executed: ExecutedPlan;
  let summary: RunSummary;
  if (prepared.precision) {
    // One executor for every batch: the pool's threads start once.
    const executor = await openExecutor({ workers, ...(options.runner ? { runner: options.runner } : {}) });
    let precise;
    try {
      precise = await executePrecise(prepared, executor, {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onBatch ? { onBatch: options.onBatch } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      await executor.close();
    }
    executed = precise;
    const built = buildSummary({ ...prepared, plan: precise.plan }, precise.results);
    summary = { ...built, strategies: built.strategies.map((s) => ({ ...s, precision: precise.records.get(s.name)! })) };
  } else {
    executed = await executePlan(prepared.plan, {
      workers,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.runner ? { runner: options.runner } : {}),
    });
    summary = buildSummary(prepared, executed.results);
  }
  const wallMs = performance.now() - t0;
  const events = executed.results.reduce((n, r) => n + r.simulation.events, 0);
  const cpu = cpus();
  return {
    prepared,
    summary,
    results: executed.results,
    timing: {
      startedAt: startedAt.toISOString(),
      wallMs,
      workers,
      host: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpus: availableParallelism(),
        cpuModel: cpu[0]?.model ?? 'unknown',
      },
      events,
      eventsPerSecond: wallMs > 0 ? events / (wallMs / 1000) : 0,
      tasks: executed.timings,
    },
  };
}

/** Loads, plans and runs a scenario. */
export async function runScenario(file: string, options: RunOptions & ExecuteRunOptions = {}): Promise<CompletedRun> {
  return executeRun(prepareRun(file, options), options);
}
