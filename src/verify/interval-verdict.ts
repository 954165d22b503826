/**
 * A threshold judged on the 95% confidence interval of its per-replication
 * values rather than on one value: holds when the whole interval is on the
 * right side of the limit, fails when it is wholly on the wrong side, and
 * is undecided while it straddles the limit (docs/planning.md,
 * "Feasibility"). `sim plan`'s feasibility and `sim run --precision`'s
 * stopping rule both use it.
 */
import { metricRange } from '../metrics/catalogue.js';
import type { Threshold } from '../metrics/thresholds.js';
import { estimate } from '../results/aggregate.js';
import type { ThresholdInterval } from '../results/threshold-interval.js';

/** One threshold's interval and verdict over the replications so far. */
export interface IntervalVerdict extends ThresholdInterval {
  /** Why it fails when no interval says so (a replication did not measure it). */
  reason?: string;
}

/**
 * The verdict on one threshold from its replications' values (null: not
 * measured there, which fails it, as in `sim run`). `==` and `!=` have no
 * interval to wait for: they hold only when every replication meets them.
 */
export function decideThreshold(values: ReadonlyArray<number | null>, threshold: Threshold): IntervalVerdict {
  const id = `${threshold.metric} ${threshold.expression}`;
  const e = estimate(values, metricRange(threshold.metric));
  const base = { id, n: e.n, mean: e.mean, halfWidth: e.halfWidth, low: e.low, high: e.high };
  if (values.some((v) => v === null)) return { ...base, holds: false, reason: 'not measured in some replication' };
  const nums = values as number[];
  const { op, limit } = threshold;
  if (op === '==' || op === '!=') return { ...base, holds: nums.every((v) => (op === '==' ? v === limit : v !== limit)) };
  if (e.low === null || e.high === null) return { ...base, holds: null };
  switch (op) {
    case '<':
      return { ...base, holds: e.high < limit ? true : e.low >= limit ? false : null };
    case '<=':
      return { ...base, holds: e.high <= limit ? true : e.low > limit ? false : null };
    case '>':
      return { ...base, holds: e.low > limit ? true : e.high <= limit ? false : null };
    case '>=':
      return { ...base, holds: e.low >= limit ? true : e.high < limit ? false : null };
  }
}
