import { mean, sampleVariance } from 'simple-statistics';
import { studentTCdf } from './student-t.js';

/** How two sets of replications were compared. */
export type DifferenceMethod = 'paired' | 'welch';

/** Whether two sets of replication values differ by more than their noise. */
export interface DifferenceTest {
  /**
   * `paired`: a t-test on the per-replication differences (replications
   * that share their random numbers, so their noise largely cancels);
   * `welch`: Welch's unequal-variance t-test on two independent samples.
   */
  method: DifferenceMethod;
  /** Replications used: pairs for `paired`, the smaller sample for `welch`. */
  n: number;
  /** The difference tested, candidate − baseline: the mean of the per-pair differences (`paired`), or of the means (`welch`). */
  difference: number;
  /** Two-sided p-value of "no difference" (0 when both sides are constant and differ; 1 when they are constant and equal). */
  p: number;
  /** p below 1 − confidence. */
  significant: boolean;
}

/** Two-sided p-value of a t statistic; a zero standard error means a certain answer. */
function twoSided(difference: number, standardError: number, df: number): number {
  if (standardError === 0) return difference === 0 ? 1 : 0;
  const t = Math.abs(difference / standardError);
  return 2 * (1 - studentTCdf(t, df));
}

/**
 * Tests whether `candidate` differs from `baseline` (values of one figure,
 * one per replication) at level `confidence` (default 95%), two-sided.
 *
 * With `paired` the i-th values of both arrays belong together (the same
 * replication of the same seed, run under both configurations: common random
 * numbers) and the t-test is on their differences; otherwise Welch's test
 * compares the two means. Null when either side has fewer than two values
 * (one replication says nothing about its own noise), or, paired, when the
 * arrays differ in length.
 *
 * @throws {RangeError} when a value is not finite, or `confidence` is not in (0, 1).
 */
export function testDifference(
  baseline: readonly number[],
  candidate: readonly number[],
  paired: boolean,
  confidence = 0.95,
): DifferenceTest | null {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const values = [...baseline, ...candidate];
  if (!values.every(Number.isFinite)) throw new RangeError('testDifference: every value must be a finite number');
  // The t statistic does not depend on the unit: work at a power-of-two
  // scale (exact) that brings the largest value near 1, so that variances
  // neither overflow (values above about 1e154) nor underflow to 0 (below
  // about 1e-154, which made any difference certain). `difference` is
  // reported in the values' own unit.
  const largest = Math.max(0, ...values.map(Math.abs));
  const exponent = largest > 0 ? Math.min(1023, Math.max(-1022, Math.ceil(Math.log2(largest)))) : 0;
  const r = scaled(baseline, candidate, paired, confidence, 2 ** -exponent);
  return r && { ...r, difference: r.difference * 2 ** exponent };
}

/** {@link testDifference} on the values times `scale` (a power of two); `difference` in the scaled unit. */
function scaled(
  baselineValues: readonly number[],
  candidateValues: readonly number[],
  paired: boolean,
  confidence: number,
  scale: number,
): DifferenceTest | null {
  const baseline = baselineValues.map((x) => x * scale);
  const candidate = candidateValues.map((x) => x * scale);
  const alpha = 1 - confidence;
  if (paired) {
    const n = baseline.length;
    if (n < 2 || candidate.length !== n) return null;
    const differences = baseline.map((a, i) => candidate[i] - a);
    const difference = mean(differences);
    const p = twoSided(difference, Math.sqrt(sampleVariance(differences) / n), n - 1);
    return { method: 'paired', n, difference, p, significant: p < alpha };
  }
  const na = baseline.length;
  const nb = candidate.length;
  if (na < 2 || nb < 2) return null;
  const va = sampleVariance(baseline) / na;
  const vb = sampleVariance(candidate) / nb;
  // Welch–Satterthwaite degrees of freedom (unused when both variances are 0).
  // With variances so small that their squares underflow it is 0/0: then
  // the conservative min(na, nb) − 1.
  const welchDf = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1));
  const df = welchDf > 0 ? welchDf : Math.min(na, nb) - 1;
  const difference = mean(candidate) - mean(baseline);
  const p = twoSided(difference, Math.sqrt(va + vb), df);
  return { method: 'welch', n: Math.min(na, nb), difference, p, significant: p < alpha };
}
