/**
 * Parameter sweeps for capacity planning (`sim sweep`): the cartesian grid
 * of `--param path=v1,v2,…` values (src/scenario/sweep.ts), each point a
 * full run (strategies × replications) of the scenario with those values
 * set, all the points' tasks in one plan on the worker pool, and chosen
 * metrics reported per point and strategy as mean and 95% CI across
 * replications.
 *
 * Deterministic like `sim run`: the sweep (sweep.json) is a function of the
 * scenario, the options and the seed; wall-clock figures are kept apart.
 * Every point uses the same seed, so the points see the same users (common
 * random numbers): differences between points are the parameters', not
 * the draws'.
 */
import { UsageError } from '../errors.js';
import { buildSummary } from './summary.js';
import { prepareRun, type PreparedRun, type RunOptions, type ScenarioSource } from './prepare.js';
import { toolVersion, verdictHolds } from '../results/summary.js';
import { estimate, type Estimate } from '../results/aggregate.js';
import { executePlan, type TaskProgress, type TaskTiming } from '../execute/execute.js';
import { metricRange } from '../metrics/catalogue.js';
import type { RunPlan, RunTask } from '../execute/plan.js';
import type { RunResult } from '../results/result.js';
import { expandSweep } from '../scenario/sweep.js';
import {
  DEFAULT_SWEEP_METRICS,
  SWEEP_SCHEMA_VERSION,
  metricValue,
  parseSweepMetric,
  type SweepAxis,
  type SweepMetric,
  type SweepPoint,
  type SweepResult,
} from '../results/sweep.js';
import type { RunOptionsRecord } from '../results/summary.js';
import { WorkerTaskError } from '../execute/pool.js';

/** What a sweep varies, on top of a run's options. */
export interface SweepOptions extends RunOptions {
  /** `path=v1,v2,…`, at least one. */
  params: readonly string[];
  /** Metric names (default {@link DEFAULT_SWEEP_METRICS}). */
  metrics?: readonly string[];
}

/** One grid point, planned. */
export interface PreparedPoint {
  /** Position in the grid, from 0. */
  index: number;
  /** Parameter path → value as written. */
  parameters: Record<string, string>;
  /** The point's own run, as `sim run` would prepare it. */
  prepared: PreparedRun;
  /** Where its tasks sit in the sweep's plan: [first, first + count). */
  first: number;
  /** Its number of tasks. */
  count: number;
}

/** A sweep loaded, validated and planned: nothing has run yet. */
export interface PreparedSweep {
  /** The scenario file as the user named it. */
  file: string;
  /** The swept parameters, in the order given. */
  axes: SweepAxis[];
  /** The metrics to report. */
  metrics: SweepMetric[];
  /** Every grid point, first axis slowest. */
  points: PreparedPoint[];
  /** Every point's tasks, point-major, re-indexed. */
  plan: RunPlan;
  /** The options as recorded in sweep.json (null: not given). */
  options: RunOptionsRecord;
}

/**
 * Refuses two grid points that resolve to the same configuration for every
 * strategy: values spelled differently that mean the same (`1s,1000ms`,
 * `10k,10000`) would run the same point twice and chart it twice, which
 * expandSweep's check of the text cannot see.
 */
function refuseSamePoints(points: readonly PreparedPoint[]): void {
  const seen = new Map<string, PreparedPoint>();
  for (const point of points) {
    const key = JSON.stringify(point.prepared.plan.strategies.map((s) => s.config));
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, point);
      continue;
    }
    const differ = Object.keys(point.parameters).filter((path) => point.parameters[path] !== earlier.parameters[path]);
    const what = differ.map((path) => `${path}=${earlier.parameters[path]} and ${path}=${point.parameters[path]}`).join(', ');
    throw new UsageError(
      `sweep parameters: ${what} give the same configuration, so the sweep would run the same point twice; give each value once`,
    );
  }
}

/**
 * Expands the grid and prepares every point (each validated as `sim run`
 * would, with the point's values applied after the strategy overlays and
 * `--set`).
 *
 * @throws {UsageError} for a bad parameter or metric, or two values that
 *   mean the same; {@link ScenarioError} for a bad value.
 * @param source the scenario's text, read instead of `file` (as for {@link prepareRun}).
 */
export function prepareSweep(file: string, options: SweepOptions, source?: ScenarioSource): PreparedSweep {
  if (options.params.length === 0)
    throw new UsageError('a sweep needs at least one --param path=v1,v2,… (e.g. --param system.orderServers.servers=5,10,20)');
  const metrics = (options.metrics && options.metrics.length > 0 ? options.metrics : DEFAULT_SWEEP_METRICS)
    .flatMap((m) => m.split(','))
    .filter((m) => m.trim() !== '')
    .map(parseSweepMetric);
  if (metrics.length === 0) {
    // `--metric ""` would otherwise give a sweep with no metric columns (and no chart).
    throw new UsageError(
      `--metric: no metric named (got ${options.metrics!.map((m) => JSON.stringify(m)).join(', ')}); name one, e.g. --metric order_latency.p99`,
    );
  }
  const twice = metrics.find((m, i) => metrics.findIndex((n) => n.name === m.name) !== i);
  if (twice) throw new UsageError(`--metric ${twice.name} is given twice`);
  const grid = expandSweep(options.params);
  const axes: SweepAxis[] = [];
  grid[0].forEach((assignment, k) => {
    const path = assignment.slice(0, assignment.indexOf('='));
    const values: string[] = [];
    for (const point of grid) {
      const value = point[k].slice(point[k].indexOf('=') + 1);
      if (!values.includes(value)) values.push(value);
    }
    axes.push({ path, values });
  });

  const points: PreparedPoint[] = [];
  const tasks: RunTask[] = [];
  for (const [index, assignments] of grid.entries()) {
    const prepared = prepareRun(file, { ...options, set: [...(options.set ?? []), ...assignments] }, source);
    const parameters: Record<string, string> = {};
    for (const a of assignments) parameters[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    const first = tasks.length;
    for (const task of prepared.plan.tasks) tasks.push({ ...task, index: tasks.length });
    points.push({ index, parameters, prepared, first, count: prepared.plan.tasks.length });
  }
  refuseSamePoints(points);
  const head = points[0].prepared;
  return {
    file,
    axes,
    metrics,
    points,
    plan: {
      scenario: { ...head.plan.scenario },
      seed: head.plan.seed,
      replications: head.plan.replications,
      tokenSecrets: head.plan.tokenSecrets,
      strategies: points.flatMap((p) => p.prepared.plan.strategies),
      tasks,
    },
    options: {
      strategies: head.options.strategies,
      seed: head.options.seed,
      replications: head.options.replications,
      users: head.options.users,
      set: [...(options.set ?? [])],
    },
  };
}

/** The wall-clock side of a sweep (timing.json). */
export interface SweepTiming {
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** Wall time of the whole sweep, ms. */
  wallMs: number;
  /** Worker threads used. */
  workers: number;
  /** Tasks run over all points. */
  tasks: number;
  /** Events handled over all tasks. */
  events: number;
  /** `events` per second of `wallMs`. */
  eventsPerSecond: number;
  /** Each task's timing and its grid point index. */
  perTask: Array<TaskTiming & { point: number }>;
}

/** How {@link executeSweep} runs. */
export interface ExecuteSweepOptions {
  /** Worker threads (1 runs in this thread). */
  workers: number;
  /** Progress of every task (interleaved across tasks). */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting stops the sweep with an AbortError. */
  signal?: AbortSignal;
}

/** Builds the sweep's result from the plan's results (in plan order). */
export function buildSweep(sweep: PreparedSweep, results: readonly RunResult[]): SweepResult {
  const points: SweepPoint[] = sweep.points.map((point) => {
    const mine = results.slice(point.first, point.first + point.count);
    const summary = buildSummary(point.prepared, mine);
    return {
      index: point.index,
      parameters: point.parameters,
      strategies: summary.strategies.map((s) => {
        const metrics: Record<string, Estimate> = {};
        for (const m of sweep.metrics)
          metrics[m.name] = estimate(
            s.runs.map((r) => metricValue(m, r)),
            metricRange(m.metric),
          );
        return {
          strategy: s.name,
          invariantsPassed: s.invariantsPassed,
          thresholdsPassed: s.thresholdsPassed,
          failures: [
            ...s.invariants.filter((i) => !verdictHolds(i.verdict)).map((i) => `${i.name}: ${i.message}`),
            ...s.thresholds.filter((t) => !verdictHolds(t.verdict)).map((t) => `${t.metric} ${t.expression}: ${t.message}`),
          ],
          metrics,
        };
      }),
    };
  });
  const head = sweep.points[0].prepared;
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: 'flashsim-sweep',
    tool: { name: 'flashsim', version: toolVersion() },
    scenario: { name: head.plan.scenario.name, file: head.plan.scenario.file, description: head.loaded.scenario.description ?? null },
    seed: head.plan.seed,
    replications: head.plan.replications,
    options: sweep.options,
    parameters: sweep.axes,
    metrics: sweep.metrics,
    points,
  };
}

/** Runs every point's tasks on the pool (one plan) and builds the sweep. */
export async function executeSweep(
  sweep: PreparedSweep,
  options: ExecuteSweepOptions,
): Promise<{ result: SweepResult; timing: SweepTiming }> {
  const startedAt = new Date();
  const t0 = performance.now();
  let executed;
  try {
    executed = await executePlan(sweep.plan, {
      workers: options.workers,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (!(error instanceof WorkerTaskError)) throw error;
    // Name the grid point too.
    const point = sweep.points.find((p) => error.task.index >= p.first && error.task.index < p.first + p.count);
    const context = point
      ? `point ${Object.entries(point.parameters)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : undefined;
    throw new WorkerTaskError(error.task, error.reason, { cause: error.cause, ...(context ? { context } : {}) });
  }
  const result = buildSweep(sweep, executed.results);
  const wallMs = performance.now() - t0;
  const events = executed.results.reduce((n, r) => n + r.simulation.events, 0);
  const pointOf = (task: number): number => sweep.points.findIndex((p) => task >= p.first && task < p.first + p.count);
  return {
    result,
    timing: {
      startedAt: startedAt.toISOString(),
      wallMs,
      workers: options.workers,
      tasks: sweep.plan.tasks.length,
      events,
      eventsPerSecond: wallMs > 0 ? events / (wallMs / 1000) : 0,
      perTask: executed.timings.map((t, i) => ({ point: pointOf(i), ...t })),
    },
  };
}
