import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { summarize } from '../kernel/stats/summary.js';
import { VALUE_METRIC_NAMES, metricRange, type ValueRange } from '../metrics/catalogue.js';
import { LATENCY_NAMES, type LatencyName, type LatencySummary, type SummaryRun, type TimeSeriesData } from './result.js';

/**
 * Aggregation of the replications of one strategy:
 * - every numeric figure (named metrics, outcomes, counters, stock, bots,
 *   main site, latency percentiles) as the mean and a 95% Student-t
 *   confidence interval across replications;
 * - latency histograms merged (percentiles of all samples of all
 *   replications, the k6 way);
 * - time series averaged per interval and column.
 *
 * Conventions (stored as is in summary.json):
 * - A figure a replication could not measure is `null` there (e.g.
 *   sell_out_time when stock remained); the estimate is taken over the
 *   replications that measured it, and `missing` counts the others.
 * - With one replication (or one measuring replication) there is no
 *   spread: sd, halfWidth, low and high are null.
 * - Non-finite numbers become null, so that the in-memory aggregate and
 *   its JSON round trip are equal.
 * - `low` and `high` are the t interval cut to the values the figure can
 *   take (rates and fractions in [0, 1], counts and rates per second at
 *   least 0; see `metricRange`): the true mean lies there, so the cut
 *   interval covers it at least as often, and a report never shows a hit
 *   ratio interval reaching 100.4% or a reject rate reaching −0.04%.
 *   `halfWidth` stays the t half-width, so `low` may be above
 *   `mean − halfWidth` and `high` below `mean + halfWidth`.
 */

/** Mean and 95% confidence interval of a figure across replications. */
export interface Estimate {
  /** Replications that measured the figure. */
  n: number;
  /** Mean of the measured values, in the figure's unit. */
  mean: number | null;
  /** Sample standard deviation across replications. */
  sd: number | null;
  /** Half-width of the Student-t interval (before it is cut to the figure's range). */
  halfWidth: number | null;
  /** Lower end of the interval, within the figure's range. */
  low: number | null;
  /** Upper end of the interval, within the figure's range. */
  high: number | null;
  /** Replications where the figure was null or not finite (only present when > 0). */
  missing?: number;
}

/** A merged latency distribution (µs) plus the spread of p50/p99 across replications. */
export interface MergedLatency extends LatencySummary {
  /** Per-replication p50, as an estimate. */
  p50Estimate: Estimate;
  /** Per-replication p99, as an estimate. */
  p99Estimate: Estimate;
}

/** Everything summary.json says about one strategy across its replications. */
export interface StrategyAggregate {
  /** Strategy name. */
  strategy: string;
  /** Replications aggregated. */
  replications: number;
  /** Named non-latency metrics of the catalogue, catalogue order (and any others results read from an older summary carry, after them). */
  metrics: Record<string, Estimate>;
  /** Merged latency by kind (see LATENCY_NAMES). */
  latency: Record<LatencyName, MergedLatency>;
  /** Users by final outcome (see OutcomeCounts). */
  outcomes: Record<string, Estimate>;
  /** Stock figures (see StockSummary); not cut at 0, as a racy counter goes negative. */
  stock: Record<string, Estimate>;
  /** Counters, flattened with dotted names (tokenRejected.forged). */
  counters: Record<string, Estimate>;
  /** Bot figures (see RunResult.bots). */
  bots: Record<string, Estimate>;
  /** Main-site figures (see RunResult.mainSite). */
  mainSite: Record<string, Estimate>;
  /** Mean per interval and column across replications. */
  timeseries: TimeSeriesData;
}

/** Confidence level of every interval in an aggregate (fraction 0–1). */
export const CONFIDENCE = 0.95;

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** `x` cut to `range` (null stays null). */
export function clampToRange(x: number | null, range: ValueRange): number | null {
  if (x === null) return null;
  if (range.min !== undefined && x < range.min) return range.min;
  if (range.max !== undefined && x > range.max) return range.max;
  return x;
}

/**
 * Estimate of values that may be null (unmeasured) across replications;
 * the interval is cut to `range`, the values the figure can take.
 */
export function estimate(values: ReadonlyArray<number | null | undefined>, range: ValueRange = {}): Estimate {
  const measured = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const s = summarize(measured, CONFIDENCE);
  const e: Estimate = {
    n: s.n,
    mean: finite(s.mean),
    sd: finite(s.sd),
    halfWidth: finite(s.halfWidth),
    low: clampToRange(finite(s.low), range),
    high: clampToRange(finite(s.high), range),
  };
  const missing = values.length - measured.length;
  if (missing > 0) e.missing = missing;
  return e;
}

/** Flattens nested numeric objects into dotted names, in key order. */
function flatten(value: unknown, prefix: string, out: Map<string, number | null>): void {
  if (typeof value === 'number' || value === null) {
    out.set(prefix, value);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

/** The range of figures that are counts, times or rates: never below 0. */
const NON_NEGATIVE: ValueRange = { min: 0 };
const FRACTION: ValueRange = { min: 0, max: 1 };

/** Estimates of every numeric leaf of `pick(result)`, keyed by dotted name, in first-seen order; `range` gives each one's range. */
function estimateAll(
  results: readonly SummaryRun[],
  pick: (r: SummaryRun) => unknown,
  range: (name: string) => ValueRange,
  order?: readonly string[],
): Record<string, Estimate> {
  const perRun = results.map((r) => {
    const m = new Map<string, number | null>();
    flatten(pick(r), '', m);
    return m;
  });
  const names: string[] = [];
  const seen = new Set<string>();
  for (const name of order ?? []) {
    if (perRun.some((m) => m.has(name))) {
      names.push(name);
      seen.add(name);
    }
  }
  for (const m of perRun) {
    for (const name of m.keys()) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  const out: Record<string, Estimate> = {};
  for (const name of names)
    out[name] = estimate(
      perRun.map((m) => m.get(name) ?? null),
      range(name),
    );
  return out;
}

/** Merges the latency histograms of the replications. */
export function mergeLatency(summaries: readonly LatencySummary[]): MergedLatency {
  const merged = new LatencyHistogram();
  for (const s of summaries) merged.merge(LatencyHistogram.decode(s.histogram));
  const n = merged.count;
  const pct = (p: number): number => (n === 0 ? 0 : merged.percentile(p));
  return {
    count: n,
    mean: n === 0 ? 0 : merged.mean,
    min: n === 0 ? 0 : merged.min,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    p999: pct(99.9),
    max: n === 0 ? 0 : merged.max,
    histogram: merged.encode(),
    p50Estimate: estimate(
      summaries.map((s) => (s.count > 0 ? s.p50 : null)),
      NON_NEGATIVE,
    ),
    p99Estimate: estimate(
      summaries.map((s) => (s.count > 0 ? s.p99 : null)),
      NON_NEGATIVE,
    ),
  };
}

/**
 * Averages time series interval by interval. Series of different lengths
 * are averaged over the replications that have the interval; columns are
 * those of the first series (all results of a strategy share them).
 */
export function averageTimeseries(series: readonly TimeSeriesData[]): TimeSeriesData {
  if (series.length === 0) return { intervalUs: 0, columns: [], rows: [] };
  const { intervalUs, columns } = series[0];
  for (const s of series) {
    if (s.intervalUs !== intervalUs || s.columns.join() !== columns.join()) {
      throw new RangeError('cannot average time series with different intervals or columns');
    }
  }
  const length = Math.max(...series.map((s) => s.rows.length));
  const rows: number[][] = [];
  for (let i = 0; i < length; i++) {
    const present = series.filter((s) => i < s.rows.length);
    rows.push(columns.map((_, j) => present.reduce((sum, s) => sum + s.rows[i][j], 0) / present.length));
  }
  return { intervalUs, columns: [...columns], rows };
}

/**
 * Aggregates the replications of one strategy.
 *
 * @param results the strategy's results, in replication order (at least one).
 */
export function aggregateStrategy(results: readonly SummaryRun[]): StrategyAggregate {
  if (results.length === 0) throw new RangeError('cannot aggregate zero results');
  const strategy = results[0].strategy;
  if (results.some((r) => r.strategy !== strategy)) throw new RangeError('results of different strategies cannot be aggregated together');
  const latency = {} as Record<LatencyName, MergedLatency>;
  for (const kind of LATENCY_NAMES) {
    const present = results.map((r) => r.latency[kind]).filter((s): s is LatencySummary => s !== undefined);
    latency[kind] = mergeLatency(present);
  }
  return {
    strategy,
    replications: results.length,
    metrics: estimateAll(results, (r) => r.metrics, metricRange, VALUE_METRIC_NAMES),
    latency,
    outcomes: estimateAll(
      results,
      (r) => r.outcomes,
      () => NON_NEGATIVE,
    ),
    // The stock level may go below 0 (a racy counter): not cut.
    stock: estimateAll(
      results,
      (r) => r.stock,
      () => ({}),
    ),
    counters: estimateAll(
      results,
      (r) => r.counters,
      () => NON_NEGATIVE,
    ),
    bots: estimateAll(
      results,
      (r) => r.bots,
      (name) => (name === 'shareOfStock' ? FRACTION : NON_NEGATIVE),
    ),
    mainSite: estimateAll(
      results,
      (r) => r.mainSite,
      (name) => (name === 'errorRate' ? FRACTION : NON_NEGATIVE),
    ),
    timeseries: averageTimeseries(results.map((r) => r.timeseries)),
  };
}
