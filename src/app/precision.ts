/**
 * The precision-driven stopping rule of `sim run --precision` (README,
 * "Precision-driven replications"): each strategy runs a first batch, then
 * further batches of the same size, until every threshold it is judged by
 * has a 95% interval that either decides (lies on one side of its limit at
 * the pessimistic end, as `sim plan` judges feasibility) or is narrower
 * than the target (half-width ≤ target × |mean|), or until the limit.
 *
 * Determinism: replication r of a strategy is the same simulation whatever
 * the batch it runs in (its streams are keyed by the seed and r, its token
 * secret by the seed and r), and whether a strategy goes on depends only on
 * its own results so far, so the batches, the replications each strategy
 * gets and summary.json do not depend on the workers or on timing. Every
 * strategy still open runs its next batch in the same round, on one
 * executor kept for the whole run.
 */
import type { TaskExecutor, TaskProgress, TaskTiming } from '../execute/execute.js';
import type { RunPlan, RunTask } from '../execute/plan.js';
import { parseThreshold, type Threshold } from '../metrics/thresholds.js';
import { formatMetricValue } from '../report/console-table.js';
import type { RunResult } from '../results/result.js';
import type { PrecisionOption, PrecisionRecord, PrecisionStop, PrecisionThreshold } from '../results/summary.js';
import { strategyChecks } from '../scenario/expectations.js';
import { tokenSecretSeed } from '../system/token-gate.js';
import { decideThreshold } from '../verify/interval-verdict.js';
import { evaluateThreshold } from '../verify/thresholds.js';
import type { PreparedRun } from './prepare.js';

/** A strategy's state between batches (for progress: it runs another batch). */
export interface PrecisionBatch {
  /** The strategy. */
  strategy: string;
  /** Replications it has run so far. */
  done: number;
  /** Replications it will have after this batch. */
  next: number;
  /** Why it goes on: the first threshold still open and its interval. */
  why: string;
}

/** How {@link executePrecise} runs. */
export interface PreciseOptions {
  /** Progress of every task (task indices are unique over the whole run). */
  onProgress?: (progress: TaskProgress) => void;
  /** Before each batch after the first: the strategies that go on, and why. */
  onBatch?: (batches: readonly PrecisionBatch[]) => void;
  /** Aborting stops with an AbortError. */
  signal?: AbortSignal;
}

/** What {@link executePrecise} ran: the whole run's plan and its results in that plan's order. */
export interface PreciseRun {
  /** Every task run, strategy-major, each strategy's replications 0..n−1 (n its own). */
  plan: RunPlan;
  results: RunResult[];
  timings: TaskTiming[];
  /** Per strategy, what the rule did. */
  records: Map<string, PrecisionRecord>;
}

interface StrategyState {
  name: string;
  task: RunTask;
  thresholds: Threshold[];
  /** Per threshold, each replication's value (null: not measured). */
  values: Array<Array<number | null>>;
  results: RunResult[];
  timings: TaskTiming[];
  record?: PrecisionRecord;
}

/** halfWidth ÷ |mean|: 0 when both are 0, null when there is no interval or the mean is 0 alone. */
function relative(halfWidth: number | null, mean: number | null): number | null {
  if (halfWidth === null || mean === null) return null;
  if (mean === 0) return halfWidth === 0 ? 0 : null;
  return halfWidth / Math.abs(mean);
}

/** Each threshold's interval and status over the replications so far. */
export function precisionThresholds(
  thresholds: readonly Threshold[],
  values: ReadonlyArray<ReadonlyArray<number | null>>,
  target: number,
): PrecisionThreshold[] {
  return thresholds.map((t, k) => {
    const { reason: _reason, ...v } = decideThreshold(values[k], t);
    const relativeHalfWidth = relative(v.halfWidth, v.mean);
    const status = v.holds !== null ? 'decided' : relativeHalfWidth !== null && relativeHalfWidth <= target ? 'precise' : 'open';
    return { id: v.id, n: v.n, mean: v.mean, halfWidth: v.halfWidth, low: v.low, high: v.high, relativeHalfWidth, holds: v.holds, status };
  });
}

const percent = (x: number): string => `${Number((x * 100).toPrecision(3))}%`;

/** "order_latency p(99)<500ms: 95% CI [480ms, 530ms] straddles the limit, ±7.2% of the mean". */
export function openText(metric: string, t: PrecisionThreshold): string {
  const f = (x: number | null): string => (x === null ? '—' : formatMetricValue(metric, x));
  if (t.low === null || t.high === null) return `${t.id}: no interval yet (${t.n} replication${t.n === 1 ? '' : 's'})`;
  const width = t.relativeHalfWidth === null ? 'a mean of 0' : `±${percent(t.relativeHalfWidth)} of the mean`;
  return `${t.id}: 95% CI [${f(t.low)}, ${f(t.high)}] straddles the limit, ${width}`;
}

/** The rule's decision for a strategy after `n` replications: a record when it stops, else undefined. */
export function stopRule(
  thresholds: readonly Threshold[],
  judged: readonly PrecisionThreshold[],
  n: number,
  rule: PrecisionOption,
): PrecisionRecord | undefined {
  const stop = (stopped: PrecisionStop, reason: string): PrecisionRecord => ({ replications: n, stopped, reason, thresholds: [...judged] });
  const reps = `${n} replication${n === 1 ? '' : 's'}`;
  if (thresholds.length === 0) return stop('no-thresholds', `no thresholds to decide: the first batch only (${reps})`);
  const open = judged.findIndex((t) => t.status === 'open');
  if (open < 0) {
    return judged.every((t) => t.status === 'decided')
      ? stop('decided', `every threshold's 95% CI decided after ${reps}`)
      : stop('precise', `every threshold's 95% CI decided or within ±${percent(rule.target)} of its mean after ${reps}`);
  }
  if (n >= rule.maxReplications) {
    return stop(
      'max-replications',
      `stopped at the limit of ${rule.maxReplications} replications, still open: ${openText(thresholds[open].metric, judged[open])}`,
    );
  }
  return undefined;
}

/**
 * Runs `prepared` with its precision rule on `executor`: the first batch of
 * every strategy (the prepared plan), then rounds of a batch for each
 * strategy still open, until none is.
 */
export async function executePrecise(prepared: PreparedRun, executor: TaskExecutor, options: PreciseOptions = {}): Promise<PreciseRun> {
  const rule = prepared.precision;
  if (!rule) throw new RangeError('executePrecise needs a prepared run with a precision rule');
  const { plan, loaded } = prepared;
  const states: StrategyState[] = plan.strategies.map(({ name }) => {
    const checks = strategyChecks(loaded.scenario, name);
    const thresholds = Object.entries(checks.thresholds).flatMap(([metric, expressions]) =>
      expressions.map((expression) => parseThreshold(metric, expression)),
    );
    const task = plan.tasks.find((t) => t.strategy === name)!;
    return { name, task, thresholds, values: thresholds.map(() => []), results: [], timings: [] };
  });
  let nextIndex = 0;
  let round = plan.tasks.map((t) => ({ ...t, index: nextIndex++ }));
  while (round.length > 0) {
    const executed = await executor.run(
      { ...plan, tasks: round },
      { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    );
    executed.results.forEach((result, i) => {
      const state = states.find((s) => s.name === round[i].strategy)!;
      state.results.push(result);
      state.timings.push(executed.timings[i]);
      state.thresholds.forEach((t, k) => state.values[k].push(evaluateThreshold(result, t).actual));
    });
    const batches: PrecisionBatch[] = [];
    const tasks: RunTask[] = [];
    for (const state of states) {
      if (state.record) continue;
      const n = state.results.length;
      const judged = precisionThresholds(state.thresholds, state.values, rule.target);
      state.record = stopRule(state.thresholds, judged, n, rule);
      if (state.record) continue;
      const next = Math.min(n + rule.batch, rule.maxReplications);
      const open = judged.findIndex((t) => t.status === 'open');
      batches.push({ strategy: state.name, done: n, next, why: openText(state.thresholds[open].metric, judged[open]) });
      for (let r = n; r < next; r++) tasks.push(taskFor(state.task, r, nextIndex++));
    }
    if (batches.length > 0) options.onBatch?.(batches);
    round = tasks;
  }

  // The whole run as one plan, strategy-major, as buildSummary and the reports expect. Each strategy's
  // configuration (and its runs') says the replications it ran, not the first batch: the summary then
  // reads as the fixed run of that many replications it equals (options.precision keeps the batch).
  const most = Math.max(...states.map((s) => s.results.length));
  const tokenSecrets = Array.from({ length: most }, (_, r) => tokenSecretSeed(plan.seed, r));
  const ran = (state: StrategyState) => ({ ...state.task.config, replications: state.results.length });
  const configs = new Map(states.map((s) => [s.name, ran(s)]));
  const tasks: RunTask[] = [];
  for (const state of states) {
    const first = { ...state.task, config: configs.get(state.name)! };
    for (let r = 0; r < state.results.length; r++) tasks.push(taskFor(first, r, tasks.length));
  }
  return {
    plan: {
      ...plan,
      replications: most,
      tokenSecrets,
      strategies: plan.strategies.map((s) => ({ ...s, config: configs.get(s.name)! })),
      tasks,
    },
    results: states.flatMap((s) => s.results.map((result) => ({ ...result, config: configs.get(s.name)! }))),
    timings: states.flatMap((s) => s.timings),
    records: new Map(states.map((s) => [s.name, s.record!])),
  };
}

/** Replication `replication` of the strategy of `first` (its replication 0): the same seed and config, its own token secret. */
function taskFor(first: RunTask, replication: number, index: number): RunTask {
  return { ...first, index, replication, tokenSecret: tokenSecretSeed(first.seed, replication) };
}
