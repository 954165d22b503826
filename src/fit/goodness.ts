/**
 * Goodness-of-fit statistics of sorted samples against a continuous CDF:
 * Kolmogorov–Smirnov's D (the largest vertical distance between the
 * empirical and the fitted CDF) and Anderson–Darling's A² (the squared
 * distance weighted by 1 / (F(1 − F)), so the tails count as much as the
 * middle: what matters for a p99).
 */

/** CDF values are kept this far inside (0, 1), so that A² stays finite where a fit puts no mass (the uniform's end points). */
const EDGE = 1e-12;

/** D and A² of `sorted` (ascending) against `cdf`. */
export function goodnessOfFit(sorted: ArrayLike<number>, cdf: (x: number) => number): { ks: number; ad: number } {
  const n = sorted.length;
  const f = new Float64Array(n);
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.min(1 - EDGE, Math.max(EDGE, cdf(sorted[i])));
    f[i] = v;
    ks = Math.max(ks, (i + 1) / n - v, v - i / n);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (2 * i + 1) * (Math.log(f[i]) + Math.log1p(-f[n - 1 - i]));
  return { ks, ad: -n - sum / n };
}
