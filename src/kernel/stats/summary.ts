import { mean, sampleStandardDeviation } from 'simple-statistics';
import { studentTQuantile } from './student-t.js';

/** Mean and Student-t confidence interval of independent observations (e.g. replication means). */
export interface Summary {
  /** Number of observations. */
  n: number;
  /** Sample mean, in the observations' unit. */
  mean: number;
  /** Sample standard deviation (n − 1 denominator). */
  sd: number;
  /** Half-width of the confidence interval: t(1 − α/2, n − 1) · sd / √n. */
  halfWidth: number;
  /** mean − halfWidth. */
  low: number;
  /** mean + halfWidth. */
  high: number;
}

/**
 * Mean and two-sided Student-t confidence interval at level `confidence`
 * (default 95%) of independent, roughly normal observations, such as the
 * means of independent replications.
 *
 * - n = 0: every field NaN (n is 0).
 * - n = 1: mean is the value; sd, halfWidth, low and high are NaN — one
 *   replication says nothing about its own spread (NaN rather than
 *   Infinity so that it serialises to null in JSON and cannot pass a
 *   "width below x" check by accident).
 */
export function summarize(values: readonly number[], confidence = 0.95): Summary {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, halfWidth: NaN, low: NaN, high: NaN };
  const m = mean(values);
  if (n === 1) return { n, mean: m, sd: NaN, halfWidth: NaN, low: NaN, high: NaN };
  const sd = sampleStandardDeviation(values);
  const halfWidth = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, halfWidth, low: m - halfWidth, high: m + halfWidth };
}
