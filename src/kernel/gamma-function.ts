import { gammaln } from 'simple-statistics';

/**
 * The gamma function's relatives that the gamma and Weibull distributions
 * need: log Γ, digamma and trigamma (maximum-likelihood fits), the
 * regularised incomplete gamma functions P and Q (the gamma CDF) and the
 * inverse of P (the gamma quantile, so that a gamma sampler is an inverse
 * CDF of one uniform draw like every other). For validation, fitting and
 * sampler tables; the hot path uses tabulated quantiles (distributions.ts).
 */

/** ln Γ(x) for x > 0 (simple-statistics' Lanczos approximation, ~1e-15 relative). */
export function logGamma(x: number): number {
  return gammaln(x);
}

/** Digamma ψ(x) = d ln Γ(x) / dx, x > 0: recurrence up to x ≥ 10, then the asymptotic series (absolute error < 1e-13). */
export function digamma(x: number): number {
  let result = 0;
  let y = x;
  while (y < 10) {
    result -= 1 / y;
    y += 1;
  }
  const r = 1 / (y * y);
  return result + Math.log(y) - 0.5 / y - r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (5 / 660)))));
}

/** Trigamma ψ₁(x) = dψ(x) / dx, x > 0: recurrence up to x ≥ 10, then the asymptotic series (relative error < 1e-12). */
export function trigamma(x: number): number {
  let result = 0;
  let y = x;
  while (y < 10) {
    result += 1 / (y * y);
    y += 1;
  }
  const r = 1 / (y * y);
  return result + 1 / y + r / 2 + (r / y) * (1 / 6 - r * (1 / 30 - r * (1 / 42 - r * (1 / 30 - r * (5 / 66)))));
}

/** Terms or fractions the series and continued fraction may take: enough for shape 10⁴ (about √a · 40 are needed). */
const MAX_TERMS = 100_000;
const EPS = 1e-16;
const TINY = 1e-300;

/** P(a, x) by its series, for x < a + 1. */
function seriesP(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < MAX_TERMS; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz), for x ≥ a + 1. */
function fractionQ(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/**
 * The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a),
 * the CDF at x of a gamma distribution of shape a and scale 1.
 *
 * @param a shape, > 0.
 * @param x point, ≥ 0 (0 for x ≤ 0).
 */
export function gammaP(a: number, x: number): number {
  if (!(x > 0)) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? seriesP(a, x) : 1 - fractionQ(a, x);
}

/** The upper function Q(a, x) = 1 − P(a, x), computed directly where it is small (accurate in the upper tail). */
export function gammaQ(a: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - seriesP(a, x) : fractionQ(a, x);
}

/**
 * The inverse of P(a, ·): the x with P(a, x) = p, the quantile of a gamma
 * distribution of shape a and scale 1. Halley's method from the starting
 * points of Numerical Recipes (3rd ed., §6.2.1: Wilson–Hilferty for a > 1,
 * a power law near 0 otherwise); the error is measured on Q where p > ½,
 * so the far upper tail keeps its relative accuracy. Converges to ~1e-14
 * relative in x, typically in 3–6 steps (test/kernel/gamma-function.test.ts).
 *
 * @param a shape, > 0.
 * @param p probability in [0, 1]: 0 → 0, 1 → Infinity.
 */
export function inverseGammaP(a: number, p: number): number {
  if (!(p > 0)) return 0;
  if (p >= 1) return Infinity;
  const upper = p > 0.5;
  const q = 1 - p;
  const a1 = a - 1;
  const gln = logGamma(a);
  const lna1 = a > 1 ? Math.log(a1) : 0;
  const afac = a > 1 ? Math.exp(a1 * (lna1 - 1) - gln) : 0;
  let x: number;
  if (a > 1) {
    const pp = upper ? q : p;
    const t = Math.sqrt(-2 * Math.log(pp));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (!upper) z = -z;
    x = Math.max(1e-3, a * Math.pow(1 - 1 / (9 * a) - z / (3 * Math.sqrt(a)), 3));
  } else {
    const t = 1 - a * (0.253 + a * 0.12);
    x = p < t ? Math.pow(p / t, 1 / a) : 1 - Math.log(1 - (p - t) / (1 - t));
    if (upper && !(x < Infinity)) x = 1 - Math.log(q / (1 - t));
  }
  for (let j = 0; j < 100; j++) {
    if (x <= 0) return 0;
    // P(x) − p, from whichever of P and Q is the small one.
    const err = upper ? q - gammaQ(a, x) : gammaP(a, x) - p;
    // The density at x (shape a, scale 1).
    const density = a > 1 ? afac * Math.exp(-(x - a1) + a1 * (Math.log(x) - lna1)) : Math.exp(-x + a1 * Math.log(x) - gln);
    if (!(density > 0)) return x;
    const u = err / density;
    const step = u / (1 - 0.5 * Math.min(1, u * (a1 / x - 1)));
    const next = x - step;
    x = next <= 0 ? 0.5 * x : next;
    if (Math.abs(step) <= 1e-15 * x) break;
  }
  return x;
}
