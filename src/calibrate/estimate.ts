import { fitLognormal, momentsOf } from '../fit/families.js';
import { empiricalSpec } from '../fit/fit.js';
import { formatSpec } from '../fit/format.js';
import { meanOf, type DistributionSpec } from '../kernel/distributions.js';

/**
 * The estimates calibrate needs of its samples, through src/fit's fitters:
 * the lowest level's latencies as a lognormal (reported as a scenario
 * value), the empirical round trip the simulation draws from, and the
 * serial ceiling of a throughput curve.
 */

/**
 * The samples' lognormal by maximum likelihood (src/fit's `fitLognormal`),
 * as the scenario language writes it: `lognormal(52.3us, 0.95)`. Samples
 * ≤ 0 are left out (a lognormal has none).
 *
 * @returns null when fewer than two positive samples remain or they are all equal.
 */
export function latencyLognormal(samples: readonly number[]): string | null {
  const positive = samples.filter((x) => x > 0);
  if (positive.length < 2) return null;
  const fit = fitLognormal(momentsOf(positive));
  return fit ? formatSpec(fit.spec) : null;
}

/** Fewest samples for an empirical round trip. */
const MIN_EMPIRICAL_SAMPLES = 40;

/**
 * The round trip outside the store as a distribution with mean `meanUs`:
 * the empirical distribution of `samples` (take latencies at the lowest
 * concurrency, where nothing queues; src/fit's `empiricalSpec`, the
 * quantiles `sim fit` prints), its values scaled so that its mean is
 * `meanUs`. Empirical rather than lognormal because on a shared machine the
 * latencies are a fast bulk with a long tail of scheduling stalls, which no
 * lognormal fits (its p50 comes out several times the measured one). A
 * constant when there are too few samples; 0 when `meanUs` ≤ 0.
 */
export function roundTripDistribution(samples: readonly number[], meanUs: number): DistributionSpec {
  if (!(meanUs > 0)) return { kind: 'constant', value: 0 };
  const sorted = samples.filter((x) => x > 0).sort((a, b) => a - b);
  if (sorted.length < MIN_EMPIRICAL_SAMPLES) return { kind: 'constant', value: meanUs };
  const spec = empiricalSpec(sorted);
  if (spec.kind !== 'empirical') return { kind: 'constant', value: meanUs };
  const mean = meanOf(spec);
  const f = mean > 0 ? meanUs / mean : 1;
  return { kind: 'empirical', points: spec.points.map(([v, q]): [number, number] => [v * f, q]) };
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
