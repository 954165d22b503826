import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { PlanCost } from './plan.js';
import type { ThresholdInterval } from './threshold-interval.js';
import type { StrategyAggregate } from './aggregate.js';
import { LATENCY_NAMES, latencyNameOf, type SummaryRun, type TimeSeriesData } from './result.js';
import { METRIC_CATALOGUE, METRIC_NAMES } from '../metrics/catalogue.js';
import { renderJsonText } from './json-text.js';
import type { ResolvedConfig } from '../scenario/schema.js';
import { formatPath } from '../scenario/positions.js';

/**
 * summary.json: everything a run produced that is a function of the
 * scenario, the options and the seed — and nothing else (no wall-clock
 * time, no run id, no absolute path, no worker count), so that the same
 * scenario and seed give a byte-identical file on any machine with any
 * number of workers. Wall-clock figures go to timing.json.
 *
 * The per-replication results are kept without their per-record data
 * ({@link SummaryRun}: no ledger, no "won" answers) and without their
 * time-series rows, histograms and acceptance times, so that the file
 * stays a few MB whatever the stock and grows by a few kB per replication;
 * every report can still be rebuilt from it, timeseries.csv and
 * replications.jsonl (`sim report`). The records go to
 * ledger.parquet and users.parquet beside it (src/report/ledger-tables.ts).
 *
 * Versioning: `schemaVersion` is bumped on any incompatible change; readers
 * refuse versions they do not know. 2: `fairness.rankCorrelation` and the
 * metric `fairness_rank_correlation` became `fairness.clickOrder` and
 * `fairness_click_order`. Added within 2 (readers accept summaries
 * without them): the `decision` latency and `decided_within_2s`, and
 * `runs[].latencyOverTime`. 3: a run
 * no longer holds `ledger` and `wonResponses` (they are in the Parquet
 * tables) and holds `acceptance`, the bounded acceptance times the stock
 * chart draws; a strategy has `expect` and `thresholdsApplied`, every check
 * `expectViolation` and `verdict`, the run `verdict.expected`; and
 * `invariantsPassed`/`thresholdsPassed` mean "came out as declared". 4: the
 * latency distributions moved from `latency.<stage>` into `metrics` under
 * their metric names (`metrics.order_latency.p99`, the name thresholds,
 * tables and `sim sweep --metric` use), beside the value metrics, in
 * catalogue order; in memory they stay apart (`latency.order`), since their
 * shape differs ({@link summaryToDisk}). 5: a run's latency histograms,
 * `latencyOverTime` and `acceptance` moved to replications.jsonl
 * ({@link RunDetailReference}); the run holds `detail` instead. Version 4
 * files, which hold them inline, are still read.
 */
export const SUMMARY_SCHEMA_VERSION = 5;

/**
 * A check once the strategy's declared expectations are applied:
 * `pass` held as it should, `fail` broke undeclared, `caught` broke as the
 * strategy declared (a negative control: the audit working), `missed` was
 * declared to break and held (the negative control or the audit is broken).
 */
export type CheckVerdict = 'pass' | 'fail' | 'caught' | 'missed';

/** The verdict of a check that `passed` or not, declared a violation (`expectViolation`) or not. */
export function checkVerdict(passed: boolean, expectViolation: boolean): CheckVerdict {
  if (expectViolation) return passed ? 'missed' : 'caught';
  return passed ? 'pass' : 'fail';
}

/** Whether a verdict lets the run pass: the check came out as declared. */
export function verdictHolds(verdict: CheckVerdict): boolean {
  return verdict === 'pass' || verdict === 'caught';
}

/** One invariant for one strategy, over all its replications. */
export interface InvariantOutcome {
  /** The invariant's name. */
  name: string;
  /** Whether it held in every replication (the fact, whatever was expected). */
  passed: boolean;
  /** The strategy declared this invariant violated (`expect.violates`). */
  expectViolation: boolean;
  /** {@link checkVerdict} of `passed` and `expectViolation`. */
  verdict: CheckVerdict;
  /** One line: what holds, or what was violated and where (first failing replication). */
  message: string;
  /** Per replication, in order. */
  replications: Array<{ replication: number; passed: boolean; message: string; offending: unknown[]; offendingCount?: number }>;
}

/** One threshold expression on one metric for one strategy. */
export interface ThresholdOutcome {
  /** The metric's name. */
  metric: string;
  /** The expression as written. */
  expression: string;
  /** Whether the value met it (the fact, whatever was expected). */
  passed: boolean;
  /** The strategy declared this metric's thresholds violated (`expect.violates`). */
  expectViolation: boolean;
  /** {@link checkVerdict} of `passed` and `expectViolation`. */
  verdict: CheckVerdict;
  /** The value the expression was tested against (its unit is the metric's), null if not measured. */
  actual: number | null;
  /** One line for people: the value, in the metric's display unit, against the limit. */
  message: string;
}

/** Everything summary.json says about one strategy. */
export interface StrategySummary {
  /** The strategy's name. */
  name: string;
  /**
   * The resolved configuration (base + overlay + --set + --users + --seed).
   * Under --precision its `replications` is the replications this strategy
   * ran (the first batch is `options.precision.batch`); summaries written
   * before that held the first batch there, and are read all the same.
   */
  config: ResolvedConfig;
  /** Every invariant came out as declared: held, or broke where `expect` says it should ({@link verdictHolds}). */
  invariantsPassed: boolean;
  /** Every threshold came out as declared ({@link verdictHolds}). */
  thresholdsPassed: boolean;
  /** The violations this strategy declared (`expect.violates`: invariant and metric names; empty for most). */
  expect: { violates: string[] };
  /** Threshold expressions by metric this strategy was judged by: the scenario's with its overrides. */
  thresholdsApplied: Record<string, string[]>;
  /** One per invariant checked. */
  invariants: InvariantOutcome[];
  /** One per threshold expression. */
  thresholds: ThresholdOutcome[];
  /** Means and confidence intervals across replications. */
  aggregate: StrategyAggregate;
  /** Per replication, in replication order, without per-record data. */
  runs: SummaryRun[];
  /** What the strategy's capacity costs, when the scenario's plan: block prices it (absent otherwise). */
  cost?: PlanCost;
  /** How the precision rule (`sim run --precision`) chose this strategy's replications (absent without it). */
  precision?: PrecisionRecord;
}

/**
 * Why a precision-driven strategy stopped adding replications: `decided`
 * every threshold's interval lies on one side of its limit; `precise` every
 * one is decided or within the target relative half-width (some are only
 * that); `max-replications` the limit came first with some still open;
 * `no-thresholds` there is nothing to decide, so the first batch only.
 */
export type PrecisionStop = 'decided' | 'precise' | 'max-replications' | 'no-thresholds';

export type { ThresholdInterval } from './threshold-interval.js';

/** One threshold's interval when the strategy stopped. */
export interface PrecisionThreshold extends ThresholdInterval {
  /** halfWidth ÷ |mean| (0 when both are 0); null when there is none. */
  relativeHalfWidth: number | null;
  /** `decided` (holds is true or false), `precise` (undecided, relative half-width within the target), `open` (neither). */
  status: 'decided' | 'precise' | 'open';
}

/** What the precision rule did for one strategy. */
export interface PrecisionRecord {
  /** Replications this strategy ran. */
  replications: number;
  /** Why it stopped there. */
  stopped: PrecisionStop;
  /** One line for people. */
  reason: string;
  /** Per threshold, in the order of `thresholds`. */
  thresholds: PrecisionThreshold[];
}

/** The options that shaped the run (not those that only change how fast it ran). */
export interface RunOptionsRecord {
  /** `--strategy`, or null for all. */
  strategies: string[] | null;
  /** `--seed`, or null for the scenario's. */
  seed: number | string | null;
  /** `--replications`, or null for the scenario's. */
  replications: number | null;
  /** `--users`, or null for the scenario's. */
  users: number | null;
  /** `--set` assignments, in order. */
  set: string[];
  /** `--precision` and the limit in force (absent without --precision, so that other summaries stay as they were). */
  precision?: PrecisionOption;
}

/** The precision rule of a run (`sim run --precision`). */
export interface PrecisionOption {
  /** Target relative half-width of each threshold's 95% interval (fraction, e.g. 0.05). */
  target: number;
  /** Replications of the first batch and of every batch added. */
  batch: number;
  /** Most replications of one strategy (--max-replications, the scenario's maxReplications, or max(12, 4 × batch)). */
  maxReplications: number;
}

/** summary.json's content. */
export interface RunSummary {
  /** {@link SUMMARY_SCHEMA_VERSION}. */
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  /** The flashsim that wrote it. */
  tool: { name: string; version: string };
  /** The scenario run; `file` relative to the working directory when inside it. */
  scenario: { name: string; file: string; description: string | null };
  /** The first strategy's master seed. */
  seed: number | string;
  /** Most replications of any strategy. */
  replications: number;
  /** The options that shaped the run. */
  options: RunOptionsRecord;
  /** The invariants checked. */
  invariants: string[];
  /** Threshold expressions by metric, as written. */
  thresholds: Record<string, string[]>;
  /** Over all strategies. */
  verdict: {
    /** Every strategy's invariants came out as declared. */
    invariantsPassed: boolean;
    /** Every strategy's thresholds came out as declared. */
    thresholdsPassed: boolean;
    /** Declared violations (negative controls) over all strategies: how many were declared, caught, missed. */
    expected: { declared: number; caught: number; missed: number };
    /** `sim run`'s exit code for this scenario: 0 pass, 1 invariant violated or a declared violation missed, 99 threshold failed. */
    exitCode: 0 | 1 | 99;
  };
  /** One per strategy, in plan order. */
  strategies: StrategySummary[];
}

/**
 * The exit code of a set of checks: an undeclared invariant violation or a
 * missed declared violation (either kind: the negative control or the
 * audit is broken) gives 1 and outranks an undeclared threshold failure (99).
 */
export function verdictExitCode(invariants: readonly CheckVerdict[], thresholds: readonly CheckVerdict[]): 0 | 1 | 99 {
  if (invariants.includes('fail') || invariants.includes('missed') || thresholds.includes('missed')) return 1;
  if (thresholds.includes('fail')) return 99;
  return 0;
}

/** The run's verdict over its strategies' checks (see {@link verdictExitCode}). */
export function summaryVerdict(strategies: readonly StrategySummary[]): RunSummary['verdict'] {
  const invariants = strategies.flatMap((s) => s.invariants.map((i) => i.verdict));
  const thresholds = strategies.flatMap((s) => s.thresholds.map((t) => t.verdict));
  const all = [...invariants, ...thresholds];
  return {
    invariantsPassed: invariants.every(verdictHolds),
    thresholdsPassed: thresholds.every(verdictHolds),
    expected: {
      declared: all.filter((v) => v === 'caught' || v === 'missed').length,
      caught: all.filter((v) => v === 'caught').length,
      missed: all.filter((v) => v === 'missed').length,
    },
    exitCode: verdictExitCode(invariants, thresholds),
  };
}

/**
 * summary.json's text: 2-space JSON with a final newline, arrays of numbers
 * on one line ({@link renderJsonText}; NaN and ±Infinity become null), in the
 * layout of {@link summaryToDisk}.
 */
export function renderSummaryJson(summary: RunSummary): string {
  return `${renderJsonText(summaryToDisk(summary))}\n`;
}

type WithMetrics = { metrics: object; latency: object };

/**
 * The summary as summary.json lays it out: in each strategy's `aggregate` and
 * each run, the latency distributions join `metrics` under their metric names
 * (`latency.order` → `metrics.order_latency`), so that every metric a
 * threshold can name is found at `metrics.<name>`. Metrics come in catalogue
 * order, then any others. A new object; the summary is not changed.
 */
export function summaryToDisk(summary: RunSummary): object {
  return {
    ...summary,
    strategies: summary.strategies.map((s) => ({
      ...s,
      aggregate: latencyIntoMetrics(s.aggregate),
      runs: s.runs.map((run) => latencyIntoMetrics(runToDisk(run, JSON.stringify(s.config)))),
    })),
  };
}

/**
 * Where summary.json says a run's bulky data went: the HdrHistogram of
 * each latency metric, `latencyOverTime` and `acceptance` are in
 * replications.jsonl beside it (one line per run, summary order; see
 * src/report/replications-jsonl.ts), so that a replication adds a few kB
 * to summary.json, not tens. The run keeps every statistic of its
 * distributions (count, mean, percentiles) and the aggregate keeps the
 * merged histograms, so reading the metrics needs only summary.json.
 */
export interface RunDetailReference {
  /** The file holding them. */
  file: typeof REPLICATIONS_FILE;
}

/** The file of every run's histograms, latency over time and acceptance times. */
export const REPLICATIONS_FILE = 'replications.jsonl';

/**
 * A run as summary.json holds it: time series and bulky data by reference,
 * and no `config` when it is the strategy's (as every run of `sim run` is;
 * readers put the strategy's back).
 */
function runToDisk(run: SummaryRun, strategyConfig: string): SummaryRun {
  const { latencyOverTime: _overTime, acceptance: _acceptance, config, ...kept } = run;
  if (JSON.stringify(config) !== strategyConfig) (kept as Partial<SummaryRun>).config = config;
  const latency: Record<string, unknown> = {};
  for (const [stage, value] of Object.entries(run.latency)) {
    const { histogram: _histogram, ...statistics } = value;
    latency[stage] = statistics;
  }
  const detail: RunDetailReference = { file: REPLICATIONS_FILE };
  return { ...kept, timeseries: timeseriesReference(run.timeseries), latency, detail } as unknown as SummaryRun;
}

/**
 * What summary.json keeps of a run's time series: its shape, not its rows.
 * The rows are in timeseries.csv beside it (one row per strategy,
 * replication and interval), so that the file grows by a few kB per
 * replication and no figure is written twice; readers put them back
 * (src/report/timeseries-csv.ts `attachRunTimeseries`). The mean series
 * across replications stays in `aggregate.timeseries`.
 */
export interface TimeseriesReference {
  /** Interval width, µs. */
  intervalUs: number;
  /** The run's column names, in order. */
  columns: string[];
  /** How many intervals the run has in timeseries.csv. */
  rowCount: number;
  /** The file holding the rows. */
  file: typeof TIMESERIES_FILE;
}

/** The file of every run's time-series rows. */
export const TIMESERIES_FILE = 'timeseries.csv';

function timeseriesReference(series: TimeSeriesData): TimeseriesReference {
  return { intervalUs: series.intervalUs, columns: series.columns, rowCount: series.rows.length, file: TIMESERIES_FILE };
}

function latencyIntoMetrics<T extends WithMetrics>(holder: T): object {
  const metrics = holder.metrics as Record<string, unknown>;
  const latency = holder.latency as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  for (const name of METRIC_NAMES) {
    const value = METRIC_CATALOGUE[name].kind === 'latency' ? latency[latencyNameOf(name)!] : metrics[name];
    if (value !== undefined) merged[name] = value;
  }
  for (const [name, value] of Object.entries(metrics)) if (!(name in merged)) merged[name] = value;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(holder)) {
    if (key === 'metrics') out.metrics = merged;
    else if (key !== 'latency') out[key] = value;
  }
  return out;
}

/** The inverse of {@link latencyIntoMetrics} on parsed JSON: `metrics.<stage>_latency` back to `latency.<stage>`, placed after `metrics`. */
function latencyOutOfMetrics(holder: unknown): unknown {
  if (!holder || typeof holder !== 'object' || Array.isArray(holder)) return holder;
  const metrics = (holder as { metrics?: unknown }).metrics;
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) return holder;
  const values: Record<string, unknown> = {};
  const latency: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metrics)) {
    const stage = latencyNameOf(name);
    if (stage === undefined) values[name] = value;
    else latency[stage] = value;
  }
  const ordered: Record<string, unknown> = {};
  for (const stage of LATENCY_NAMES) if (stage in latency) ordered[stage] = latency[stage];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(holder)) {
    if (key === 'metrics') {
      out.metrics = values;
      out.latency = ordered;
    } else if (key !== 'latency') out[key] = value;
  }
  return out;
}

// A run's time series comes back as its reference with no rows (`rows: []`, `rowCount` kept) until
// attachRunTimeseries fills it from timeseries.csv; a run with a `detail` reference comes back with
// empty histograms and acceptance times (`detail` kept) until attachRunDetail fills them from
// replications.jsonl.
function runFromDisk(run: unknown): unknown {
  let moved = latencyOutOfMetrics(run) as { timeseries?: unknown; detail?: unknown; latency?: unknown };
  const series = moved?.timeseries as Partial<TimeseriesReference> | undefined;
  if (series && typeof series === 'object' && 'rowCount' in series)
    moved = { ...moved, timeseries: { intervalUs: series.intervalUs, columns: series.columns, rows: [], rowCount: series.rowCount } };
  if (!moved || typeof moved !== 'object' || !('detail' in moved)) return moved;
  const latency: Record<string, unknown> = {};
  if (moved.latency && typeof moved.latency === 'object')
    for (const [stage, value] of Object.entries(moved.latency))
      latency[stage] = value && typeof value === 'object' && !('histogram' in value) ? { ...value, histogram: '' } : value;
  return { ...moved, latency, acceptance: { count: 0, timesUs: [] } };
}

/** summary.json's parsed JSON in the in-memory layout of {@link RunSummary} (see {@link summaryToDisk}). */
function summaryFromDisk(data: { strategies: unknown[] }): unknown {
  return {
    ...data,
    strategies: data.strategies.map((s) => {
      if (!s || typeof s !== 'object') return s;
      const { aggregate, runs } = s as { aggregate?: unknown; runs?: unknown };
      const config = (s as { config?: unknown }).config;
      // A run without `config` ran the strategy's (see runToDisk).
      const withConfig = (run: unknown): unknown => (run && typeof run === 'object' && !('config' in run) ? { ...run, config } : run);
      return {
        ...s,
        aggregate: latencyOutOfMetrics(aggregate),
        runs: Array.isArray(runs) ? runs.map((run) => runFromDisk(withConfig(run))) : runs,
      };
    }),
  };
}

/**
 * Parses summary.json text.
 *
 * @param where how to name the file in messages.
 * @throws {Error} with a one-line message when it is not a summary this version can read.
 */
export function parseSummaryJson(text: string, where: string): RunSummary {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error(`${where}: not a flashsim summary (expected a JSON object)`);
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SUMMARY_SCHEMA_VERSION && version !== 4) {
    throw new Error(
      `${where}: unsupported summary schemaVersion ${JSON.stringify(version ?? null)} (this flashsim reads versions 4 and ${SUMMARY_SCHEMA_VERSION})`,
    );
  }
  const raw = data as RunSummary;
  if (!Array.isArray(raw.strategies) || typeof raw.scenario?.name !== 'string')
    throw new Error(`${where}: not a flashsim summary (no scenario or strategies)`);
  const s = summaryFromDisk(raw) as RunSummary;
  const checked = SUMMARY_SHAPE.safeParse(s);
  if (!checked.success) throw new Error(`${where}: ${describeIssue(checked.error.issues[0])}`);
  return s;
}

/** One problem of a summary, as `path is missing` or `path: expected …`. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'not a flashsim summary';
  const keys = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
  // Named as in the file: the in-memory `latency.order` is `metrics.order_latency` there.
  const at = keys.indexOf('latency');
  if (at >= 0 && typeof keys[at + 1] === 'string') keys.splice(at, 2, 'metrics', `${keys[at + 1]}_latency`);
  const path = formatPath(keys) || '(the document)';
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `${path} is missing (expected ${issue.expected})`;
  return `${path}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

// The shape of the fields that `sim report` and `sim compare` read, checked when a summary is
// read back so that a damaged or hand-edited file is a clear error, not a crash. Objects are
// loose (unknown fields are allowed); the resolved config is only required to be an object
// (the charts that read it turn a problem there into report-error.txt).
const num = z.number().nullable();
const checkVerdictShape = z.enum(['pass', 'fail', 'caught', 'missed']);
const estimate = z.looseObject({ n: z.number(), mean: num, sd: num, halfWidth: num, low: num, high: num, missing: z.number().optional() });
const estimates = z.record(z.string(), estimate);
const latencySummary = z.looseObject({
  count: z.number(),
  mean: num,
  min: num,
  p50: num,
  p90: num,
  p99: num,
  p999: num,
  max: num,
  histogram: z.string(),
});
const mergedLatency = latencySummary.extend({ p50Estimate: estimate, p99Estimate: estimate });
// `decision` came later, within version 2: summaries written before it have none (reports show it as unmeasured).
const latencies = <T extends z.ZodType>(shape: T) =>
  z.looseObject({ page: shape, script: shape, order: shape, decision: shape.optional(), main_site: shape });
const timeseries = z.looseObject({ intervalUs: z.number(), columns: z.array(z.string()), rows: z.array(z.array(num)) });
const runTimeseries = timeseries.extend({ rowCount: z.number().int().nonnegative() });
const counts = z.record(z.string(), z.unknown());
const runResult = z.looseObject({
  strategy: z.string(),
  replication: z.number(),
  seed: z.union([z.number(), z.string()]),
  config: z.looseObject({}),
  simulation: z.looseObject({ events: z.number(), endUs: z.number() }),
  timeseries: runTimeseries,
  latency: latencies(latencySummary),
  latencyOverTime: z
    .looseObject({
      intervalUs: z.number(),
      columns: z.array(z.string()),
      order: z.array(z.array(num)).optional(),
      page: z.array(z.array(num)).optional(),
    })
    .optional(),
  outcomes: counts,
  counters: counts,
  stock: z.looseObject({ initial: z.number(), remaining: z.number(), sold: z.number(), oversell: z.number() }),
  fairness: z.looseObject({ winRateByDecile: z.array(num), clickOrder: num }),
  bots: counts,
  mainSite: counts,
  acceptance: z.looseObject({ count: z.number(), timesUs: z.array(z.number()) }),
  metrics: z.record(z.string(), num),
});
const SUMMARY_SHAPE = z.looseObject({
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  scenario: z.looseObject({ name: z.string(), file: z.string(), description: z.string().nullable() }),
  seed: z.union([z.number(), z.string()]),
  replications: z.number(),
  invariants: z.array(z.string()),
  thresholds: z.record(z.string(), z.array(z.string())),
  verdict: z.looseObject({
    invariantsPassed: z.boolean(),
    thresholdsPassed: z.boolean(),
    expected: z.looseObject({ declared: z.number(), caught: z.number(), missed: z.number() }),
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(99)]),
  }),
  strategies: z.array(
    z.looseObject({
      name: z.string(),
      config: z.looseObject({}),
      invariantsPassed: z.boolean(),
      thresholdsPassed: z.boolean(),
      expect: z.looseObject({ violates: z.array(z.string()) }),
      thresholdsApplied: z.record(z.string(), z.array(z.string())),
      invariants: z.array(
        z.looseObject({
          name: z.string(),
          passed: z.boolean(),
          expectViolation: z.boolean(),
          verdict: checkVerdictShape,
          message: z.string(),
          replications: z.array(
            z.looseObject({ replication: z.number(), passed: z.boolean(), message: z.string(), offending: z.array(z.unknown()) }),
          ),
        }),
      ),
      thresholds: z.array(
        z.looseObject({
          metric: z.string(),
          expression: z.string(),
          passed: z.boolean(),
          expectViolation: z.boolean(),
          verdict: checkVerdictShape,
          actual: num,
          message: z.string(),
        }),
      ),
      aggregate: z.looseObject({
        strategy: z.string(),
        replications: z.number(),
        metrics: estimates,
        latency: latencies(mergedLatency),
        outcomes: estimates,
        stock: estimates,
        counters: estimates,
        bots: estimates,
        mainSite: estimates,
        timeseries,
      }),
      runs: z.array(runResult),
    }),
  ),
});

let cachedVersion: string | undefined;

/** flashsim's version, from the package.json above this module (src/ or dist/src/). */
export function toolVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flashsim' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    }
    const parent = dirname(dir);
    if (parent === dir) return (cachedVersion = '0.0.0');
    dir = parent;
  }
}
