/**
 * flashsim's programmatic API. The `sim` command line is a thin shell over
 * these functions: nothing here prints or exits.
 *
 * ```ts
 * import { runScenario, renderRunFiles, writeRunDirectory } from 'flashsim';
 * const run = await runScenario('scenarios/smoke.yaml', { seed: 7, replications: 2 });
 * console.log(run.summary.verdict.exitCode);
 * await writeRunDirectory('out/smoke', renderRunFiles(run.summary));
 * ```
 *
 * The pipeline: {@link prepareRun} (load, validate, resolve strategies,
 * plan) → {@link executeRun} (simulate every strategy × replication, audit,
 * evaluate thresholds, aggregate) → {@link renderRunFiles} and
 * {@link writeRunDirectory}.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UsageError } from './errors.js';
import { renderJunitXml } from './report/junit.js';
import { renderSummaryMarkdown } from './report/summary-md.js';
import {
  parseSummaryJson,
  renderSummaryJson,
  SUMMARY_SCHEMA_VERSION,
  toolVersion,
  verdictExitCode,
  type InvariantOutcome,
  type RunOptionsRecord,
  type RunSummary,
  type StrategySummary,
  type ThresholdOutcome,
} from './report/summary-json.js';
import { renderTimeseriesCsv } from './report/timeseries-csv.js';
import { writeFilesAtomic } from './report/write-atomic.js';
import { withVisualReport } from './report/html.js';
import { formatMetricValue } from './report/console-table.js';
import { aggregateStrategy, type StrategyAggregate } from './run/aggregate.js';
import { executePlan, type TaskProgress, type TaskRunner, type TaskTiming } from './run/execute.js';
import { buildPlan, type RunPlan } from './run/plan.js';
import { LATENCY_NAMES, type LatencyName, type LatencySummary, type RunResult } from './run/result.js';
import { loadScenario, type LoadedScenario } from './scenario/load.js';
import type { InvariantName } from './scenario/schema.js';
import { resolveStrategies } from './scenario/strategies.js';
import { audit, type AuditReport } from './verify/audit.js';
import { evaluateThresholds, type ThresholdResult } from './verify/thresholds.js';

export { FlashsimError, InternalError, ScenarioError, UsageError, formatIssue, type ScenarioIssue } from './errors.js';
export { loadScenario, type LoadedScenario } from './scenario/load.js';
export { resolveStrategies, type StrategyPlan, type ResolveOptions } from './scenario/strategies.js';
export { scenarioJsonSchema, INVARIANTS, type Scenario, type ResolvedConfig, type InvariantName } from './scenario/schema.js';
export { audit, type AuditReport } from './verify/audit.js';
export { evaluateThresholds, parseThreshold, type ThresholdResult } from './verify/thresholds.js';
export { METRIC_CATALOGUE, METRIC_NAMES, type MetricName, type MetricInfo } from './run/metric-catalogue.js';
export type { RunResult, RunTiming, LatencySummary, TimeSeriesData } from './run/result.js';
export { TIMESERIES_COLUMNS } from './run/result.js';
export { buildPlan, type RunPlan, type RunTask } from './run/plan.js';
export { executePlan, defaultWorkers, type ExecuteOptions, type TaskProgress, type TaskRunner, type TaskTiming } from './run/execute.js';
export { runPlanOnPool } from './parallel/index.js';
export { prepareSweep, executeSweep, type SweepOptions, type SweepResult } from './parallel/sweep.js';
export { aggregateStrategy, aggregateByStrategy, type StrategyAggregate, type Estimate, type MergedLatency } from './run/aggregate.js';
export {
  SUMMARY_SCHEMA_VERSION,
  parseSummaryJson,
  renderSummaryJson,
  toolVersion,
  type RunSummary,
  type StrategySummary,
  type InvariantOutcome,
  type ThresholdOutcome,
} from './report/summary-json.js';
export { renderSummaryMarkdown } from './report/summary-md.js';
export { renderTimeseriesCsv } from './report/timeseries-csv.js';
export { renderJunitXml } from './report/junit.js';
export { renderConsoleSummary } from './report/console-table.js';
export {
  compareSummaries,
  regressions,
  renderCompareText,
  renderCompareMarkdown,
  METRIC_DIRECTION,
  type Comparison,
  type CompareRow,
  type Direction,
} from './report/compare.js';
export { writeFileAtomic, writeFilesAtomic } from './report/write-atomic.js';

/** What shapes a run (every one of these is recorded in summary.json). */
export interface RunOptions {
  /** Strategy names to run (entries may be comma-separated); default all. */
  strategies?: readonly string[];
  /** Overrides the scenario's master seed. */
  seed?: number | string;
  /** Overrides `replications` (per strategy). */
  replications?: number;
  /** Population size (users.count) for every strategy. */
  users?: number;
  /** `path=value` overrides, applied after each strategy's overlay. */
  set?: readonly string[];
}

/** How a run is executed (none of these changes summary.json). */
export interface ExecuteRunOptions {
  /** Worker threads; default: the cores this process may use. 1 runs in this thread. */
  workers?: number;
  /** Progress of every task (tasks' reports may interleave in any order). */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting stops the run with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the simulator (tests). */
  runner?: TaskRunner;
}

/** A scenario loaded, validated and planned: nothing has run yet. */
export interface PreparedRun {
  /** The scenario file as the user named it. */
  file: string;
  /** The parsed scenario, with its source positions. */
  loaded: LoadedScenario;
  /** Every (strategy, replication) to run. */
  plan: RunPlan;
  /** The options as recorded in summary.json. */
  options: RunOptionsRecord;
}

/** A finished run: the deterministic summary and the wall-clock timing kept apart. */
export interface CompletedRun {
  /** What was run. */
  prepared: PreparedRun;
  /** summary.json's content: a function of the scenario and options only. */
  summary: RunSummary;
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

/** The file name as recorded in reports: relative to the working directory when inside it, with / separators. */
export function displayPath(file: string): string {
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  const shown = !isAbsolute(file) || (rel && !rel.startsWith('..') && !isAbsolute(rel)) ? rel : file;
  return shown.split(sep).join('/');
}

/**
 * Loads and validates a scenario and plans its run.
 *
 * @throws {ScenarioError} for every problem in the file or the overrides (exit 2).
 * @throws {UsageError} for an unknown --strategy (exit 2).
 */
export function prepareRun(file: string, options: RunOptions = {}): PreparedRun {
  const loaded = loadScenario(file);
  const strategies = resolveStrategies(loaded, {
    ...(options.strategies !== undefined ? { strategies: options.strategies } : {}),
    ...(options.set !== undefined ? { set: options.set } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.users !== undefined ? { users: options.users } : {}),
    ...(options.replications !== undefined ? { replications: options.replications } : {}),
  });
  const plan = buildPlan(
    { name: loaded.scenario.name, file: displayPath(file) },
    strategies.map((s) => ({ name: s.name, config: s.config })),
  );
  return {
    file,
    loaded,
    plan,
    options: {
      strategies: options.strategies ? strategies.map((s) => s.name) : null,
      seed: options.seed ?? null,
      replications: options.replications ?? null,
      users: options.users ?? null,
      set: [...(options.set ?? [])],
    },
  };
}

/** Checks a scenario file and every strategy in it, as `sim run` would; returns the strategy names. */
export function validateScenario(file: string, options: Pick<RunOptions, 'set'> = {}): { file: string; strategies: string[] } {
  return { file, strategies: prepareRun(file, options).plan.strategies.map((s) => s.name) };
}

/**
 * The strategy's pooled result, against which thresholds are evaluated:
 * latencies from the histograms merged over all replications (k6 style:
 * percentiles of all samples), every other metric at its mean across
 * replications — or null (which fails the threshold) when some
 * replication did not measure it.
 */
function pooledResult(runs: readonly RunResult[], aggregate: StrategyAggregate): RunResult {
  const latency = {} as Record<LatencyName, LatencySummary>;
  for (const kind of LATENCY_NAMES) {
    const { p50Estimate: _p50, p99Estimate: _p99, ...merged } = aggregate.latency[kind];
    latency[kind] = merged;
  }
  const metrics: Record<string, number | null> = {};
  for (const [name, e] of Object.entries(aggregate.metrics)) metrics[name] = e.missing ? null : e.mean;
  return { ...runs[0], latency, metrics };
}

function describeThreshold(t: ThresholdResult, perReplication: ThresholdResult[]): string {
  const aggregation = t.expression.replace(/\s*(<=|>=|==|!=|<|>).*$/, '').trim();
  const op = /(<=|>=|==|!=|<|>)/.exec(t.expression)?.[1] ?? '';
  const actual = t.actual === null ? 'not measured' : formatMetricValue(t.metric, t.actual);
  const limit = formatMetricValue(t.metric, t.limit);
  let message = t.actual === null ? `${aggregation} not measured (fails)` : `${aggregation} = ${actual}, ${t.passed ? '' : 'not '}${op} ${limit}`;
  if (perReplication.length > 1) {
    const values = perReplication.map((r) => (r.actual === null ? '—' : formatMetricValue(t.metric, r.actual)));
    message += ` (per replication: ${values.join(', ')})`;
  }
  return message;
}

function invariantOutcomes(reports: readonly AuditReport[]): InvariantOutcome[] {
  if (reports.length === 0) return [];
  return reports[0].invariants.map((first, i) => {
    const perReplication = reports.map((r) => ({ replication: r.replication, check: r.invariants[i] }));
    const failing = perReplication.filter((r) => !r.check.passed);
    const passed = failing.length === 0;
    const message = passed
      ? reports.length === 1
        ? first.message
        : `holds in all ${reports.length} replications (replication 0: ${first.message})`
      : `${reports.length > 1 ? `${failing.length} of ${reports.length} replications; ` : ''}replication ${failing[0].replication}: ${failing[0].check.message}`;
    return {
      name: first.name,
      passed,
      message,
      replications: perReplication.map(({ replication, check }) => ({
        replication,
        passed: check.passed,
        message: check.message,
        offending: check.offending,
        ...(check.offendingCount > check.offending.length ? { offendingCount: check.offendingCount } : {}),
      })),
    };
  });
}

/**
 * Audits, evaluates thresholds and aggregates the results of a plan (in
 * plan order) into the summary.
 */
export function buildSummary(prepared: PreparedRun, results: readonly RunResult[]): RunSummary {
  const { loaded, plan } = prepared;
  const invariants = loaded.scenario.invariants as InvariantName[];
  const thresholds = loaded.scenario.thresholds as Record<string, string[]>;
  const strategies: StrategySummary[] = plan.strategies.map(({ name, config }) => {
    const runs = results.filter((r) => r.strategy === name).sort((a, b) => a.replication - b.replication);
    if (runs.length === 0) throw new RangeError(`no result for strategy ${name}`);
    const aggregate = aggregateStrategy(runs);
    const audits = runs.map((r) => audit(r, invariants));
    const pooled = evaluateThresholds(pooledResult(runs, aggregate), thresholds);
    const perRun = runs.map((r) => evaluateThresholds(r, thresholds));
    const thresholdOutcomes: ThresholdOutcome[] = pooled.map((t, i) => ({
      metric: t.metric,
      expression: t.expression,
      passed: t.passed,
      actual: t.actual,
      message: describeThreshold(
        t,
        perRun.map((r) => r[i]),
      ),
    }));
    const invariantResults = invariantOutcomes(audits);
    return {
      name,
      config,
      invariantsPassed: invariantResults.every((i) => i.passed),
      thresholdsPassed: thresholdOutcomes.every((t) => t.passed),
      invariants: invariantResults,
      thresholds: thresholdOutcomes,
      aggregate,
      runs,
    };
  });
  const invariantsPassed = strategies.every((s) => s.invariantsPassed);
  const thresholdsPassed = strategies.every((s) => s.thresholdsPassed);
  const first = plan.strategies[0].config;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    tool: { name: 'flashsim', version: toolVersion() },
    scenario: { name: plan.scenario.name, file: plan.scenario.file, description: loaded.scenario.description ?? null },
    seed: first.seed,
    replications: Math.max(...plan.strategies.map((s) => s.config.replications)),
    options: prepared.options,
    invariants: [...invariants],
    thresholds,
    verdict: { invariantsPassed, thresholdsPassed, exitCode: verdictExitCode(invariantsPassed, thresholdsPassed) },
    strategies,
  };
}

/** Runs every task of a prepared run and builds its summary and timing. */
export async function executeRun(prepared: PreparedRun, options: ExecuteRunOptions = {}): Promise<CompletedRun> {
  const workers = options.workers ?? availableParallelism();
  const startedAt = new Date();
  const t0 = performance.now();
  const executed = await executePlan(prepared.plan, {
    workers,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
  });
  const summary = buildSummary(prepared, executed.results);
  const wallMs = performance.now() - t0;
  const events = executed.results.reduce((n, r) => n + r.simulation.events, 0);
  const cpu = cpus();
  return {
    prepared,
    summary,
    timing: {
      startedAt: startedAt.toISOString(),
      wallMs,
      workers,
      host: { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism(), cpuModel: cpu[0]?.model ?? 'unknown' },
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

/** The report files of a summary, by name (summary.json, summary.md, timeseries.csv, junit.xml). */
export function renderRunFiles(summary: RunSummary): Map<string, string> {
  return new Map([
    ['summary.json', renderSummaryJson(summary)],
    ['summary.md', renderSummaryMarkdown(summary)],
    ['timeseries.csv', renderTimeseriesCsv(summary)],
    ['junit.xml', renderJunitXml(summary)],
  ]);
}

/** timing.json's text. */
export function renderTimingJson(timing: TimingReport): string {
  return `${JSON.stringify(timing, null, 2)}\n`;
}

/**
 * A run id: the UTC start time to the second (sortable) and a short hash
 * of the scenario file's bytes and the options, e.g. `20250101T093000Z-3f2a9c1`.
 */
export async function makeRunId(prepared: PreparedRun, now: Date = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const hash = createHash('sha256');
  hash.update(await readFile(prepared.file));
  hash.update('\0');
  hash.update(JSON.stringify(prepared.options));
  return `${stamp}-${hash.digest('hex').slice(0, 7)}`;
}

/** `reports/<scenario>/<run-id>`, with `-2`, `-3`… appended if that directory already exists. */
export async function defaultRunDirectory(prepared: PreparedRun, runId: string, root = 'reports'): Promise<string> {
  return firstFreeDirectory(join(root, prepared.plan.scenario.name, runId));
}

/** `base`, or `base-2`, `base-3`… — the first that does not exist yet. */
export async function firstFreeDirectory(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Writes files into a run directory, each atomically; on failure nothing new remains.
 * A run's report set (it has summary.md) gets its charts/*.png and report.html added.
 */
export async function writeRunDirectory(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<string[]> {
  return writeFilesAtomic(dir, await withVisualReport(dir, files));
}

/**
 * Reads a run's summary: `path` is a run directory or a summary.json file.
 *
 * @throws {UsageError} when there is no readable summary there (exit 2).
 */
export async function readSummary(path: string): Promise<{ file: string; summary: RunSummary }> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'summary.json');
  } catch {
    throw new UsageError(`${path}: no such run directory`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`${path}: no summary.json (is it a run directory written by sim run?)`);
  }
  try {
    return { file, summary: parseSummaryJson(text, file) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
