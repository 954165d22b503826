/**
 * Evaluates threshold expressions (the grammar is src/metrics/thresholds.ts)
 * against a run's latencies and metrics.
 *
 * - A metric with no value (no samples, or null in `result.metrics`, e.g.
 *   sell_out_time when stock remained) fails its thresholds, with `actual`
 *   null: a criterion that cannot be checked does not pass silently.
 * - `p(50)`, `p(90)`, `p(99)`, `p(99.9)` and `p(100)` come from the latency
 *   summary; other percentiles from its encoded histogram.
 */
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import type { ValueMetricName } from '../metrics/catalogue.js';
import { parseThreshold, type Comparison, type Threshold } from '../metrics/thresholds.js';
import { latencyNameOf, type LatencySummary, type SummaryRun } from '../results/result.js';

/** The outcome of one threshold for one run. */
export interface ThresholdResult {
  /** The metric's name. */
  metric: string;
  /** The expression as written. */
  expression: string;
  /** Whether the measured value satisfies it. */
  passed: boolean;
  /** The measured value in the metric's internal unit (µs for times); null when there is none. */
  actual: number | null;
  /** The limit in the same unit. */
  limit: number;
}

function compare(actual: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function latencyValue(summary: LatencySummary | undefined, threshold: Threshold): number | null {
  if (!summary) return null;
  if (threshold.aggregation === 'count') return summary.count;
  if (!(summary.count > 0)) return null;
  switch (threshold.aggregation) {
    case 'avg':
      return finite(summary.mean);
    case 'min':
      return finite(summary.min);
    case 'max':
      return finite(summary.max);
    case 'med':
      return finite(summary.p50);
    default: {
      const p = threshold.percentile!;
      const exact: Record<number, number> = { 50: summary.p50, 90: summary.p90, 99: summary.p99, 99.9: summary.p999, 100: summary.max };
      if (Object.hasOwn(exact, p)) return finite(exact[p]);
      try {
        return finite(LatencyHistogram.decode(summary.histogram).percentile(p));
      } catch {
        return null;
      }
    }
  }
}

/** Evaluates one parsed threshold against a run. */
export function evaluateThreshold(result: SummaryRun, threshold: Threshold): ThresholdResult {
  const latency = latencyNameOf(threshold.metric);
  const actual =
    latency !== undefined ? latencyValue(result.latency[latency], threshold) : finite(result.metrics[threshold.metric as ValueMetricName]);
  return {
    metric: threshold.metric,
    expression: threshold.expression,
    passed: actual !== null && compare(actual, threshold.op, threshold.limit),
    actual,
    limit: threshold.limit,
  };
}

/**
 * Evaluates every threshold of a scenario against one run, in the order
 * written (metrics, then expressions).
 * @throws {ThresholdError} for an expression that does not parse (validation catches these first).
 */
export function evaluateThresholds(result: SummaryRun, thresholds: Partial<Record<string, readonly string[]>>): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    for (const expression of expressions ?? []) results.push(evaluateThreshold(result, parseThreshold(metric, expression)));
  }
  return results;
}
