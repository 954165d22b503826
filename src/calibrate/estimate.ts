import { meanOf, type DistributionSpec } from '../kernel/distributions.js';

/**
 * The local estimators calibrate needs, each behind one small function so
 * that a shared fitting module can replace it: a lognormal from the moments
 * of the logarithms (reported as the round trip's scenario value), the
 * empirical round trip the simulation draws from, and the serial ceiling
 * of a throughput curve.
 */

/** A lognormal fitted to samples: median e^μ and σ of ln x (the scenario language's `lognormal(median, sigma)`). */
export interface LognormalFit {
  /** e^μ, µs. */
  median: number;
  /** Standard deviation of ln x. */
  sigma: number;
}

/**
 * The lognormal of the mean and standard deviation of ln x (its maximum
 * likelihood estimate). Samples ≤ 0 are left out (a lognormal has none).
 *
 * @returns null when fewer than two positive samples remain.
 */
export function fitLognormal(samples: readonly number[]): LognormalFit | null {
  let n = 0;
  let sum = 0;
  for (const x of samples) {
    if (x > 0) {
      n++;
      sum += Math.log(x);
    }
  }
  if (n < 2) return null;
  const mu = sum / n;
  let ss = 0;
  for (const x of samples) if (x > 0) ss += (Math.log(x) - mu) ** 2;
  return { median: Math.exp(mu), sigma: Math.sqrt(ss / n) };
}

/** Quantiles kept of an empirical round trip. */
const EMPIRICAL_POINTS = 40;

/**
 * The round trip outside the store as a distribution with mean `meanUs`:
 * the empirical distribution of `samples` (take latencies at the lowest
 * concurrency, where nothing queues), scaled so that its mean is `meanUs`.
 * Empirical rather than lognormal because on a shared machine the
 * latencies are a fast bulk with a long tail of scheduling stalls, which no
 * lognormal fits (its p50 comes out several times the measured one). A
 * constant when there are too few samples; 0 when `meanUs` ≤ 0.
 */
export function roundTripDistribution(samples: readonly number[], meanUs: number): DistributionSpec {
  if (!(meanUs > 0)) return { kind: 'constant', value: 0 };
  const sorted = samples.filter((x) => x > 0).sort((a, b) => a - b);
  if (sorted.length < EMPIRICAL_POINTS) return { kind: 'constant', value: meanUs };
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  const scale = meanUs / mean;
  // Piecewise-linear between quantiles: each segment's mean is the midpoint, so the points are placed to keep the mean.
  const points: Array<[number, number]> = [];
  for (let k = 0; k <= EMPIRICAL_POINTS; k++) {
    const q = k / EMPIRICAL_POINTS;
    const value = sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] * scale;
    if (points.length === 0 || value > points[points.length - 1][0]) points.push([value, q]);
    else points[points.length - 1][1] = q;
  }
  return { kind: 'empirical', points: rescaledToMean(points, meanUs) };
}

/** The points with values scaled so that the piecewise-linear CDF's mean is `meanUs` (the quantile grid loses the tail's weight otherwise). */
function rescaledToMean(points: Array<[number, number]>, meanUs: number): Array<[number, number]> {
  const mean = meanOf({ kind: 'empirical', points });
  const f = mean > 0 ? meanUs / mean : 1;
  return points.map(([v, q]) => [v * f, q]);
}

/**
 * The serial ceiling of a closed-loop throughput curve: the plateau,
 * taken as the median throughput (takes/s) of the upper half of the levels
 * by concurrency (the last level alone when there are two or fewer), where
 * a closed loop with a serial station has levelled off. A median rather
 * than the highest level: on a shared machine one lucky level would set
 * it. Its inverse is the demand (µs per take) of the busiest serial
 * station.
 *
 * @param levels (concurrency, throughput) pairs, any order.
 */
export function serialCeiling(levels: ReadonlyArray<{ concurrency: number; throughput: number }>): number {
  const sorted = levels.filter((l) => Number.isFinite(l.throughput) && l.throughput > 0).sort((a, b) => a.concurrency - b.concurrency);
  if (sorted.length === 0) return 0;
  const upper = sorted
    .slice(Math.floor(sorted.length / 2))
    .map((l) => l.throughput)
    .sort((a, b) => a - b);
  const m = upper.length;
  return m % 2 ? upper[m >> 1] : (upper[m / 2 - 1] + upper[m / 2]) / 2;
}
