import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';

/**
 * Throughput and latency of a closed-loop level, measured or simulated,
 * the same way for both: over the takes that completed between the first
 * and the last tenth of completions, so that neither the ramp-up (clients
 * starting together) nor the drain (clients stopping one by one) counts.
 */

/** Share of completions cut at each end. */
export const STEADY_CUT = 0.1;

/** Throughput and latency percentiles of one level. */
export interface LevelFigures {
  /** Takes completed per second in the steady window. */
  throughput: number;
  /** Median take latency (issue to reply), µs. */
  p50: number;
  /** 99th percentile take latency, µs. */
  p99: number;
  /** Mean take latency, µs. */
  mean: number;
  /** Takes in the steady window. */
  count: number;
}

/**
 * @param startUs @param endUs per take, issue and reply times (µs, any origin).
 * @returns the steady-window figures; zeros when there are too few takes.
 */
export function steadyFigures(startUs: ArrayLike<number>, endUs: ArrayLike<number>): LevelFigures {
  const n = endUs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => endUs[a] - endUs[b]);
  const lo = Math.floor(n * STEADY_CUT);
  const hi = Math.max(lo, Math.ceil(n * (1 - STEADY_CUT)) - 1);
  if (n < 3 || hi <= lo) return { throughput: 0, p50: 0, p99: 0, mean: 0, count: 0 };
  const span = endUs[order[hi]] - endUs[order[lo]];
  const histogram = new LatencyHistogram();
  for (let k = lo + 1; k <= hi; k++) {
    const i = order[k];
    histogram.record(Math.max(1, Math.round(endUs[i] - startUs[i])));
  }
  return {
    throughput: span > 0 ? ((hi - lo) * 1e6) / span : 0,
    p50: histogram.percentile(50),
    p99: histogram.percentile(99),
    mean: histogram.mean,
    count: hi - lo,
  };
}
