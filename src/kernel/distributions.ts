import { inverseGammaP, logGamma } from './gamma-function.js';

/**
 * Probability distributions of non-negative quantities (durations in µs,
 * sizes in bytes, counts), as plain serialisable specs plus samplers.
 *
 * Every sampler is an inverse CDF of ONE uniform draw. One draw per sample
 * keeps common random numbers exact: the same user draws the same value in
 * every strategy, whatever the distribution's parameters.
 *
 * Parameter conventions (documented in the README too):
 * - `lognormal(median, sigma)`: median e^μ and σ of the underlying normal;
 *   mean = median·e^(σ²/2). Median is what people quote for think times.
 * - `normal(mean, sd)`: truncated at 0 by clamping (a duration cannot be negative).
 * - `exp(mean)`: exponential with the given mean.
 * - `uniform(min, max)`.
 * - `empirical`: a piecewise-linear CDF through (value, cumulative probability)
 *   points; the first point's probability is the mass at or below its value.
 * - `weibull(scale, shape)`: CDF 1 − e^(−(x/scale)^shape); shape 1 is `exp(scale)`.
 * - `gamma(shape, scale)`: density ∝ x^(shape−1)·e^(−x/scale); mean = shape·scale.
 */
export type DistributionSpec =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'empirical'; points: Array<[value: number, cumulative: number]> }
  | { kind: 'weibull'; scale: number; shape: number }
  | { kind: 'gamma'; shape: number; scale: number };

/** Maps a uniform draw in (0, 1) to a sample. */
export type Sampler = (u: number) => number;

/** Builds the inverse-CDF sampler of a spec: the exact quantile, tabulated away from the tails where that is cheaper (see {@link tabulated}). */
export function samplerOf(spec: DistributionSpec): Sampler {
  const exact = exactQuantile(spec);
  switch (spec.kind) {
    case 'exponential': {
      const mean = spec.mean;
      return mean > 0 && Number.isFinite(mean) ? tabulated(exact, (u) => mean / (1 - u), 0, TABLE_HIGH) : exact;
    }
    case 'lognormal': {
      const sigma = spec.sigma;
      // dQ/du = Q · σ / φ(z), z = Φ⁻¹(u).
      const slope = (u: number): number => {
        const z = inverseNormalCdf(u);
        return exact(u) * sigma * SQRT_2PI * Math.exp(0.5 * z * z);
      };
      return sigma > 0 && spec.median > 0 && Number.isFinite(Math.log(spec.median))
        ? tabulated(exact, slope, 1 - TABLE_HIGH, TABLE_HIGH)
        : exact;
    }
    case 'gamma': {
      const { shape, scale } = spec;
      // dQ/du = 1 / f(Q(u)). Below shape ½ the quantile spans too many decades for the table to help.
      const logNorm = logGamma(shape) + shape * Math.log(scale);
      const slope = (u: number): number => {
        const x = exact(u);
        return Math.exp(x / scale - (shape - 1) * Math.log(x) + logNorm);
      };
      return shape >= 0.5 && scale > 0 && Number.isFinite(logNorm) ? tabulated(exact, slope, 1 - TABLE_HIGH, TABLE_HIGH) : exact;
    }
    default:
      return exact;
  }
}

/** The exact inverse CDF of a spec. */
function exactQuantile(spec: DistributionSpec): Sampler {
  switch (spec.kind) {
    case 'constant': {
      const value = spec.value;
      return () => value;
    }
    case 'uniform': {
      const { min, max } = spec;
      const span = max - min;
      return (u) => min + span * u;
    }
    case 'exponential': {
      const mean = spec.mean;
      return (u) => -mean * Math.log(1 - u);
    }
    case 'normal': {
      const { mean, sd } = spec;
      return (u) => Math.max(0, mean + sd * inverseNormalCdf(u));
    }
    case 'lognormal': {
      const mu = Math.log(spec.median);
      const sigma = spec.sigma;
      return (u) => Math.exp(mu + sigma * inverseNormalCdf(u));
    }
    case 'empirical':
      return empiricalSampler(spec.points);
    case 'weibull': {
      const { scale } = spec;
      const power = 1 / spec.shape;
      return (u) => scale * Math.pow(-Math.log1p(-u), power);
    }
    case 'gamma': {
      const { shape, scale } = spec;
      // An inverse of the regularised incomplete gamma function (gamma-function.ts), ~1e-14 relative.
      return (u) => scale * inverseGammaP(shape, u);
    }
  }
}

/**
 * The largest uniform draw a sampler is ever given: draws are 32 random
 * bits mapped to (bits + 0.5) / 2^32 (see random.ts), so at most
 * 1 − 2^-33. Validation only; the samplers do not use it.
 */
export const LARGEST_UNIFORM = 1 - 2 ** -33;

/**
 * The largest value a spec's sampler can return: its exact quantile at
 * {@link LARGEST_UNIFORM} (the tables agree with the exact formulas in the
 * tails). Infinity or NaN for parameters no sampler could use (a lognormal
 * sigma so large that the draw overflows). For validation, not the hot path.
 */
export function largestDraw(spec: DistributionSpec): number {
  // The empirical sampler interpolates below its last point at any u < 1; the last point bounds it.
  if (spec.kind === 'empirical') return spec.points[spec.points.length - 1][0];
  return exactQuantile(spec)(LARGEST_UNIFORM);
}

/** The mean of a spec's distribution (after truncation for `normal`). */
export function meanOf(spec: DistributionSpec): number {
  switch (spec.kind) {
    case 'constant':
      return spec.value;
    case 'uniform':
      return (spec.min + spec.max) / 2;
    case 'exponential':
      return spec.mean;
    case 'normal': {
      // Clamping at 0 puts the negative tail's mass at 0: E[max(0, X)].
      const { mean: m, sd: s } = spec;
      if (s === 0) return Math.max(0, m);
      const z = m / s;
      return m * normalCdf(z) + s * normalPdf(z);
    }
    case 'lognormal':
      return spec.median * Math.exp((spec.sigma * spec.sigma) / 2);
    case 'empirical': {
      const pts = spec.points;
      let mean = pts[0][0] * pts[0][1];
      for (let i = 1; i < pts.length; i++) {
        mean += ((pts[i][0] + pts[i - 1][0]) / 2) * (pts[i][1] - pts[i - 1][1]);
      }
      return mean;
    }
    case 'weibull':
      return spec.scale * Math.exp(logGamma(1 + 1 / spec.shape));
    case 'gamma':
      return spec.shape * spec.scale;
  }
}

/*
 * Tabulated inverse CDFs. The exact lognormal and exponential quantiles
 * cost an inverse normal CDF and an exp, or a log: ~10% of a storm's run
 * time. Over the central 90% of u, cubic Hermite pieces (exact values and
 * slopes at 1024 + 1 points) give the quantile to ~1e-9 relative (checked
 * at build, 8 points per piece) in a few multiply-adds. A sample the table
 * could round differently (within that error of x.5), and the tails, are
 * computed exactly, so every sample rounds to the exact formula's whole µs;
 * only a caller that uses samples before rounding sees a ~1e-9 difference.
 */
const TABLE_PIECES = 1024;
/** The table covers u in [1 - TABLE_HIGH, TABLE_HIGH) (lognormal) or [0, TABLE_HIGH) (exponential). */
const TABLE_HIGH = 0.95;
/** Points per piece at which the table is checked against the exact quantile. */
const TABLE_CHECKS = 8;
/** Margin on the largest error seen at those points. */
const TABLE_SAFETY = 16;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * A sampler equal to `exact` after rounding to a whole number: a table of
 * cubic Hermite pieces of `exact` (slope `slope`) on [low, high), the exact
 * function elsewhere and wherever the table's error could change the
 * rounding.
 */
function tabulated(exact: Sampler, slope: (u: number) => number, low: number, high: number): Sampler {
  const width = (high - low) / TABLE_PIECES;
  const scale = TABLE_PIECES / (high - low);
  // Per piece: c0 + c1·t + c2·t² + c3·t³, t in [0, 1).
  const c = new Float64Array(4 * TABLE_PIECES);
  let y1 = exact(low);
  let m1 = slope(low) * width;
  for (let k = 0; k < TABLE_PIECES; k++) {
    const y0 = y1;
    const m0 = m1;
    const u = low + (k + 1) * width;
    y1 = exact(u);
    m1 = slope(u) * width;
    c[4 * k] = y0;
    c[4 * k + 1] = m0;
    c[4 * k + 2] = 3 * (y1 - y0) - 2 * m0 - m1;
    c[4 * k + 3] = 2 * (y0 - y1) + m0 + m1;
  }
  const table = (x: number): number => {
    const k = x | 0;
    const t = x - k;
    const j = k << 2;
    return c[j] + t * (c[j + 1] + t * (c[j + 2] + t * c[j + 3]));
  };
  let worst = 0;
  for (let k = 0; k < TABLE_PIECES; k++) {
    for (let i = 1; i < TABLE_CHECKS; i++) {
      const x = k + i / TABLE_CHECKS;
      const v = exact(low + x * width);
      worst = Math.max(worst, Math.abs(table(x) - v) / v);
    }
  }
  const relativeError = TABLE_SAFETY * worst + 1e-15;
  return (u) => {
    const x = (u - low) * scale;
    if (!(x >= 0 && x < TABLE_PIECES)) return exact(u);
    const v = table(x);
    // Within the error of x.5 the rounding is the exact value's to decide.
    if (Math.abs(v - Math.floor(v) - 0.5) <= v * relativeError) return exact(u);
    return v;
  };
}

function empiricalSampler(points: Array<[number, number]>): Sampler {
  const values = Float64Array.from(points, (p) => p[0]);
  const cumulative = Float64Array.from(points, (p) => p[1]);
  const last = points.length - 1;
  return (u) => {
    if (u <= cumulative[0]) return values[0];
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid;
      else hi = mid;
    }
    const dp = cumulative[hi] - cumulative[lo];
    if (dp <= 0) return values[hi];
    return values[lo] + (values[hi] - values[lo]) * ((u - cumulative[lo]) / dp);
  };
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF, via {@link erfc} (fractional error below 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7 everywhere:
  // used for means and tests, never in sampling.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Inverse of the standard normal CDF: P. J. Acklam's rational approximation
 * (relative error below 1.15e-9 over (0, 1)).
 * simple-statistics' `probit` is accurate to only ~3 digits (probit(0.975)
 * = 1.9572 instead of 1.95996), too coarse for latency tails.
 */
export function inverseNormalCdf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
        3.066479806614716e1) *
        r +
        2.506628277459239) *
        q) /
      (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
        1.328068155288572e1) *
        r +
        1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(
        ((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) *
          q +
        2.938163982698783
      ) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  }
  return x;
}
