/**
 * The one shape of a threshold judged on a confidence interval, shared by
 * `sim run --precision` (summary.json's `precision.thresholds`) and
 * `sim plan` (plan.json's candidates' `constraints`), so that the two
 * cannot drift apart. Here, in the lowest layer that holds data contracts,
 * so that verify/ (which computes it) and results/ (which stores it) both
 * reach it.
 */

/**
 * One threshold judged on the 95% interval of its per-replication values
 * (the rule is `decideThreshold` in src/verify/interval-verdict.ts).
 */
export interface ThresholdInterval {
  /** `metric expression`, e.g. `order_latency p(99)<500ms`. */
  id: string;
  /** Replications that measured it. */
  n: number;
  /** Mean of the per-replication values, in the metric's unit (µs for times). */
  mean: number | null;
  /** Student-t half-width (95%) of the mean, before it is cut to the metric's range; null below 2 values. */
  halfWidth: number | null;
  /** The interval, cut to the metric's range (null below 2 values). */
  low: number | null;
  high: number | null;
  /** At the pessimistic end of the interval: holds, fails, or undecided (null). */
  holds: boolean | null;
}
