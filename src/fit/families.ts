import { inverseNormalCdf, normalCdf, samplerOf, type DistributionSpec } from '../kernel/distributions.js';
import { digamma, gammaP, logGamma, trigamma } from '../kernel/gamma-function.js';

/**
 * The parametric families of the scenario language, fitted by maximum
 * likelihood to samples in µs: closed forms where they exist (exponential,
 * lognormal, normal, uniform), Newton's method for the Weibull shape and
 * for the gamma shape (from Minka's starting point). Each fit carries 95%
 * confidence intervals of its parameters: Wald intervals from the expected
 * Fisher information (uniform: the exact interval of its order statistics).
 */

/** A family the fitter knows. */
export type FamilyName = 'exponential' | 'lognormal' | 'normal' | 'uniform' | 'weibull' | 'gamma' | 'constant' | 'empirical';

/** The parametric families, in the order the results list them when tied. */
export const PARAMETRIC_FAMILIES = ['lognormal', 'gamma', 'weibull', 'exponential', 'normal', 'uniform'] as const;

/** One estimated parameter with its 95% confidence interval. */
export interface ParameterEstimate {
  /** As the scenario language names it: median, sigma, mean, sd, min, max, scale, shape, value. */
  name: string;
  /** The maximum-likelihood estimate: µs when `unit` is 'us', else a plain number. */
  value: number;
  /** Lower end of the 95% interval (same unit). */
  low: number;
  /** Upper end of the 95% interval. */
  high: number;
  /** 'us' for durations, '' for shapes. */
  unit: 'us' | '';
}

/** A family fitted to samples. */
export interface FamilyFit {
  family: FamilyName;
  /** The fitted distribution, parameters in µs. */
  spec: DistributionSpec;
  parameters: ParameterEstimate[];
  /** Log-likelihood of the samples (densities per µs); null for constant and empirical. */
  logLikelihood: number | null;
}

const Z95 = 1.959963984540054;

/** Summary of the samples the fitters share (one pass each). */
export interface SampleMoments {
  n: number;
  mean: number;
  /** Maximum-likelihood variance (divides by n). */
  variance: number;
  min: number;
  max: number;
  /** Mean of ln x (NaN unless every sample is > 0). */
  meanLog: number;
  /** Maximum-likelihood variance of ln x. */
  varianceLog: number;
}

/** One pass over the samples (µs). */
export function momentsOf(xs: ArrayLike<number>): SampleMoments {
  const n = xs.length;
  let sum = 0;
  let sumLog = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    sum += x;
    sumLog += Math.log(x);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  const meanLog = min > 0 ? sumLog / n : NaN;
  let ss = 0;
  let ssLog = 0;
  for (let i = 0; i < n; i++) {
    ss += (xs[i] - mean) ** 2;
    if (min > 0) ssLog += (Math.log(xs[i]) - meanLog) ** 2;
  }
  return { n, mean, variance: ss / n, min, max, meanLog, varianceLog: min > 0 ? ssLog / n : NaN };
}

function estimate(name: string, value: number, se: number, unit: 'us' | '', positive = true): ParameterEstimate {
  const low = value - Z95 * se;
  return { name, value, low: positive ? Math.max(0, low) : low, high: value + Z95 * se, unit };
}

/** Standard errors of a two-parameter fit from its per-sample Fisher information [[a, b], [b, c]]. */
function standardErrors(n: number, a: number, b: number, c: number): [number, number] {
  const det = a * c - b * b;
  return [Math.sqrt(c / det / n), Math.sqrt(a / det / n)];
}

/** Exponential: the mean is the sample mean. */
export function fitExponential(m: SampleMoments): FamilyFit | undefined {
  if (!(m.mean > 0)) return undefined;
  return {
    family: 'exponential',
    spec: { kind: 'exponential', mean: m.mean },
    parameters: [estimate('mean', m.mean, m.mean / Math.sqrt(m.n), 'us')],
    logLikelihood: -m.n * Math.log(m.mean) - m.n,
  };
}

/** Lognormal: μ and σ are the mean and ML standard deviation of ln x; the median is e^μ. */
export function fitLognormal(m: SampleMoments): FamilyFit | undefined {
  const sigma = Math.sqrt(m.varianceLog);
  if (!(sigma > 0)) return undefined;
  const mu = m.meanLog;
  const seMu = sigma / Math.sqrt(m.n);
  const median = Math.exp(mu);
  return {
    family: 'lognormal',
    spec: { kind: 'lognormal', median, sigma },
    parameters: [
      // The median's interval is e^(μ ± z·se), not symmetric.
      { name: 'median', value: median, low: Math.exp(mu - Z95 * seMu), high: Math.exp(mu + Z95 * seMu), unit: 'us' },
      estimate('sigma', sigma, sigma / Math.sqrt(2 * m.n), ''),
    ],
    logLikelihood: -m.n * mu - m.n * Math.log(sigma) - (m.n / 2) * Math.log(2 * Math.PI) - m.n / 2,
  };
}

/** Normal: the sample mean and ML standard deviation (the scenario's normal clamps draws at 0). */
export function fitNormal(m: SampleMoments): FamilyFit | undefined {
  const sd = Math.sqrt(m.variance);
  if (!(sd > 0) || !(m.mean >= 0)) return undefined;
  return {
    family: 'normal',
    spec: { kind: 'normal', mean: m.mean, sd },
    parameters: [estimate('mean', m.mean, sd / Math.sqrt(m.n), 'us'), estimate('sd', sd, sd / Math.sqrt(2 * m.n), 'us')],
    logLikelihood: -m.n * Math.log(sd) - (m.n / 2) * Math.log(2 * Math.PI) - m.n / 2,
  };
}

/**
 * Uniform: the sample minimum and maximum. The likelihood is not regular
 * there, so the intervals are the exact one-sided ones of the order
 * statistics: P(range beyond the samples by more than t·R) = (1 − t)^n = 5%.
 */
export function fitUniform(m: SampleMoments): FamilyFit | undefined {
  const range = m.max - m.min;
  if (!(range > 0)) return undefined;
  const t = 1 - Math.pow(0.05, 1 / m.n);
  return {
    family: 'uniform',
    spec: { kind: 'uniform', min: m.min, max: m.max },
    parameters: [
      { name: 'min', value: m.min, low: Math.max(0, m.min - t * range), high: m.min, unit: 'us' },
      { name: 'max', value: m.max, low: m.max, high: m.max + t * range, unit: 'us' },
    ],
    logLikelihood: -m.n * Math.log(range),
  };
}

/** Euler–Mascheroni constant. */
const EULER = 0.5772156649015329;

/**
 * Weibull: the shape k solves Σ y^k ln y / Σ y^k − 1/k = mean(ln y) with
 * y = x / e^mean(ln x) (scaled so that powers cannot overflow), by
 * Newton's method kept inside a bracket (the left side grows with k);
 * then scale = (mean x^k)^(1/k).
 */
export function fitWeibull(xs: ArrayLike<number>, m: SampleMoments): FamilyFit | undefined {
  if (!(m.min > 0) || !(m.varianceLog > 0)) return undefined;
  const n = m.n;
  const g = Math.exp(m.meanLog);
  const logs = new Float64Array(n);
  for (let i = 0; i < n; i++) logs[i] = Math.log(xs[i] / g);
  // With mean(ln y) = 0: f(k) = S1/S0 − 1/k, f'(k) = (S2·S0 − S1²)/S0² + 1/k².
  const f = (k: number): [number, number, number] => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const l = logs[i];
      const p = Math.exp(k * l);
      s0 += p;
      s1 += p * l;
      s2 += p * l * l;
    }
    return [s1 / s0 - 1 / k, (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (k * k), s0];
  };
  let k = 1.2 / Math.sqrt(m.varianceLog);
  let low = 0;
  let high = Infinity;
  for (let iteration = 0; iteration < 200; iteration++) {
    const [value, slope] = f(k);
    if (value > 0) high = k;
    else low = k;
    let next = k - value / slope;
    if (!(next > low && next < high)) next = high === Infinity ? 2 * k : (low + high) / 2;
    const done = Math.abs(next - k) <= 1e-12 * k;
    k = next;
    if (done) break;
  }
  const s0 = f(k)[2];
  const scale = g * Math.pow(s0 / n, 1 / k);
  if (!(k > 0 && scale > 0 && Number.isFinite(scale))) return undefined;
  // Expected information per sample, (scale λ, shape k): [[k²/λ², −(1−γ)/λ], [·, (π²/6 + (1−γ)²)/k²]].
  const [seScale, seShape] = standardErrors(
    n,
    (k * k) / (scale * scale),
    -(1 - EULER) / scale,
    (Math.PI ** 2 / 6 + (1 - EULER) ** 2) / (k * k),
  );
  let logLikelihood = n * Math.log(k / scale);
  for (let i = 0; i < n; i++) {
    const z = xs[i] / scale;
    logLikelihood += (k - 1) * Math.log(z) - Math.pow(z, k);
  }
  return {
    family: 'weibull',
    spec: { kind: 'weibull', scale, shape: k },
    parameters: [estimate('scale', scale, seScale, 'us'), estimate('shape', k, seShape, '')],
    logLikelihood,
  };
}

/**
 * Gamma: the shape a solves ln a − ψ(a) = s, s = ln(mean x) − mean(ln x),
 * by Newton's method from Minka's closed-form start (a few steps); the
 * scale is mean / a.
 */
export function fitGamma(m: SampleMoments): FamilyFit | undefined {
  const s = Math.log(m.mean) - m.meanLog;
  if (!(s > 0) || !(m.min > 0)) return undefined;
  let a = (3 - s + Math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s);
  for (let iteration = 0; iteration < 100; iteration++) {
    const value = Math.log(a) - digamma(a) - s;
    const slope = 1 / a - trigamma(a);
    let next = a - value / slope;
    if (!(next > 0)) next = a / 2;
    const done = Math.abs(next - a) <= 1e-12 * a;
    a = next;
    if (done) break;
  }
  const scale = m.mean / a;
  if (!(a > 0 && scale > 0)) return undefined;
  const n = m.n;
  // Expected information per sample, (shape a, scale θ): [[ψ₁(a), 1/θ], [1/θ, a/θ²]].
  const [seShape, seScale] = standardErrors(n, trigamma(a), 1 / scale, a / (scale * scale));
  // Σ ln f = (a − 1)·Σ ln x − Σ x / θ − n·ln Γ(a) − n·a·ln θ.
  const logLikelihood = (a - 1) * n * m.meanLog - (n * m.mean) / scale - n * logGamma(a) - n * a * Math.log(scale);
  return {
    family: 'gamma',
    spec: { kind: 'gamma', shape: a, scale },
    parameters: [estimate('shape', a, seShape, ''), estimate('scale', scale, seScale, 'us')],
    logLikelihood,
  };
}

/** Fits one parametric family; undefined when the samples rule it out (zeros for the log-scale families, no spread). */
export function fitFamily(family: (typeof PARAMETRIC_FAMILIES)[number], xs: ArrayLike<number>, m = momentsOf(xs)): FamilyFit | undefined {
  switch (family) {
    case 'exponential':
      return fitExponential(m);
    case 'lognormal':
      return fitLognormal(m);
    case 'normal':
      return fitNormal(m);
    case 'uniform':
      return fitUniform(m);
    case 'weibull':
      return fitWeibull(xs, m);
    case 'gamma':
      return fitGamma(m);
  }
}

/**
 * The CDF of a spec at x (µs). `normal` is the untruncated normal the fit
 * estimates (its clamping at 0 moves mass only below 0).
 */
export function cdfOf(spec: DistributionSpec): (x: number) => number {
  switch (spec.kind) {
    case 'constant':
      return (x) => (x >= spec.value ? 1 : 0);
    case 'uniform': {
      const { min, max } = spec;
      return (x) => (x <= min ? 0 : x >= max ? 1 : (x - min) / (max - min));
    }
    case 'exponential':
      return (x) => (x <= 0 ? 0 : -Math.expm1(-x / spec.mean));
    case 'normal':
      return (x) => normalCdf((x - spec.mean) / spec.sd);
    case 'lognormal': {
      const mu = Math.log(spec.median);
      return (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / spec.sigma));
    }
    case 'weibull':
      return (x) => (x <= 0 ? 0 : -Math.expm1(-Math.pow(x / spec.scale, spec.shape)));
    case 'gamma':
      return (x) => gammaP(spec.shape, x / spec.scale);
    case 'empirical': {
      const pts = spec.points;
      return (x) => {
        if (x < pts[0][0]) return 0;
        for (let i = 1; i < pts.length; i++) {
          const [v1, p1] = pts[i];
          if (x < v1) {
            const [v0, p0] = pts[i - 1];
            return p0 + ((p1 - p0) * (x - v0)) / (v1 - v0);
          }
        }
        return 1;
      };
    }
  }
}

/**
 * The quantile function of a spec (µs): the scenario's sampler, except that
 * `normal` is not clamped at 0 (the distribution the fit estimated).
 */
export function quantileOf(spec: DistributionSpec): (u: number) => number {
  if (spec.kind === 'normal') return (u) => spec.mean + spec.sd * inverseNormalCdf(u);
  return samplerOf(spec);
}
