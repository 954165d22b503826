import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomSource } from '../../src/kernel/random.js';
import {
  type DistributionSpec,
  inverseNormalCdf,
  LARGEST_UNIFORM,
  largestDraw,
  meanOf,
  normalCdf,
  samplerOf,
} from '../../src/kernel/distributions.js';
import { parseDistribution } from '../../src/kernel/units.js';
import { gammaP, inverseGammaP } from '../../src/kernel/gamma-function.js';

const N = 200_000;
const stream = new RandomSource(2024, 0).stream('distributions-test');

/** N samples of spec, the k-th from the uniform draw (entity k, index 0). */
function sample(spec: DistributionSpec, n = N): Float64Array {
  const sampler = samplerOf(spec);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = sampler(stream.uniform(k, 0));
  return out;
}

function meanAndStandardError(xs: Float64Array): { mean: number; se: number } {
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, se: Math.sqrt(ss / (xs.length - 1) / xs.length) };
}

function median(xs: Float64Array): number {
  const sorted = Float64Array.from(xs).sort();
  const h = sorted.length >> 1;
  return sorted.length % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/**
 * Kolmogorov–Smirnov distance between the sample and a continuous CDF,
 * and its critical value at p = 0.001: √(ln(2/0.001)/2)/√n ≈ 1.95/√n.
 */
function ksDistance(xs: Float64Array, cdf: (x: number) => number): { d: number; critical: number } {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return { d, critical: Math.sqrt(Math.log(2 / 0.001) / 2) / Math.sqrt(n) };
}

/** Every kind, with parameters in µs as the scenario layer produces them. */
const CASES: Array<[label: string, spec: DistributionSpec, cdf?: (x: number) => number]> = [
  ['constant 5ms', { kind: 'constant', value: 5_000 }],
  ['uniform(1s, 3s)', { kind: 'uniform', min: 1e6, max: 3e6 }, (x) => Math.min(1, Math.max(0, (x - 1e6) / 2e6))],
  ['exp(20ms)', { kind: 'exponential', mean: 20_000 }, (x) => 1 - Math.exp(-x / 20_000)],
  // Truncation at 0 is negligible here (P = Φ(−5) ≈ 3e-7), so the CDF is the normal's.
  ['normal(100ms, 20ms)', { kind: 'normal', mean: 100_000, sd: 20_000 }, (x) => normalCdf((x - 100_000) / 20_000)],
  // Here a fifth of the mass is clamped to 0: meanOf must account for it.
  ['normal(50ms, 60ms), clamped at 0', { kind: 'normal', mean: 50_000, sd: 60_000 }],
  ['normal(0, 10ms), half clamped', { kind: 'normal', mean: 0, sd: 10_000 }],
  ['lognormal(5s, 0.6)', { kind: 'lognormal', median: 5e6, sigma: 0.6 }, (x) => normalCdf(Math.log(x / 5e6) / 0.6)],
  ['lognormal(20ms, 1.2)', { kind: 'lognormal', median: 20_000, sigma: 1.2 }, (x) => normalCdf(Math.log(x / 20_000) / 1.2)],
  ['lognormal(600ms, 0)', { kind: 'lognormal', median: 600_000, sigma: 0 }],
  ['weibull(20ms, 1.5)', { kind: 'weibull', scale: 20_000, shape: 1.5 }, (x) => 1 - Math.exp(-Math.pow(x / 20_000, 1.5))],
  ['weibull(5ms, 0.5)', { kind: 'weibull', scale: 5_000, shape: 0.5 }, (x) => 1 - Math.exp(-Math.pow(x / 5_000, 0.5))],
  // Tabulated (shape ≥ ½) and exact (below) gamma samplers.
  ['gamma(2.5, 6ms)', { kind: 'gamma', shape: 2.5, scale: 6_000 }, (x) => gammaP(2.5, x / 6_000)],
  ['gamma(50, 1ms)', { kind: 'gamma', shape: 50, scale: 1_000 }, (x) => gammaP(50, x / 1_000)],
  ['gamma(0.3, 10ms)', { kind: 'gamma', shape: 0.3, scale: 10_000 }, (x) => gammaP(0.3, x / 10_000)],
  [
    'empirical(0: 0, 10ms: 0.5, 50ms: 0.9, 200ms: 1)',
    {
      kind: 'empirical',
      points: [
        [0, 0],
        [10_000, 0.5],
        [50_000, 0.9],
        [200_000, 1],
      ],
    },
    (x) =>
      x < 10_000
        ? (0.5 * x) / 10_000
        : x < 50_000
          ? 0.5 + (0.4 * (x - 10_000)) / 40_000
          : Math.min(1, 0.9 + (0.1 * (x - 50_000)) / 150_000),
  ],
  // First point with mass 0.5: an atom at 10ms.
  [
    'empirical(10ms: 0.5, 50ms: 0.9, 200ms: 1)',
    {
      kind: 'empirical',
      points: [
        [10_000, 0.5],
        [50_000, 0.9],
        [200_000, 1],
      ],
    },
  ],
  // Equal values: an atom of 0.3 at 20ms in the middle.
  [
    'empirical(0: 0, 20ms: 0.2, 20ms: 0.5, 40ms: 1)',
    {
      kind: 'empirical',
      points: [
        [0, 0],
        [20_000, 0.2],
        [20_000, 0.5],
        [40_000, 1],
      ],
    },
  ],
];

describe('samplerOf agrees with meanOf', () => {
  it.each(CASES)('%s: sample mean of 200k draws within 4 standard errors of meanOf', (_label, spec) => {
    const { mean, se } = meanAndStandardError(sample(spec));
    const expected = meanOf(spec);
    // A degenerate distribution (se ≈ 0) must hit its value up to rounding: lognormal(m, 0) is exp(log(m)).
    expect(Math.abs(mean - expected)).toBeLessThanOrEqual(Math.max(4 * se, 1e-12 * expected));
  });
});

describe('samplers have the right distribution (Kolmogorov–Smirnov, p = 0.001)', () => {
  it.each(CASES.filter((c) => c[2] !== undefined))('%s', (_label, spec, cdf) => {
    const { d, critical } = ksDistance(sample(spec), cdf!);
    expect(d).toBeLessThan(critical);
  });

  it('the KS check rejects a sampler with the wrong parameter', () => {
    const wrong = sample({ kind: 'lognormal', median: 5e6, sigma: 0.62 });
    const { d, critical } = ksDistance(wrong, (x) => normalCdf(Math.log(x / 5e6) / 0.6));
    expect(d).toBeGreaterThan(critical);
  });
});

describe('lognormal(median, sigma)', () => {
  it.each<[number, number]>([
    [5e6, 0.6],
    [600_000, 0.5],
    [20_000, 1.2],
  ])('the sample median of lognormal(%d µs, %d) is the median parameter (within 4 standard errors)', (m, sigma) => {
    const xs = sample({ kind: 'lognormal', median: m, sigma });
    // Standard error of a sample median: 1 / (2 f(m) √n), and f(m) = 1 / (m σ √(2π)) for the lognormal.
    const se = (m * sigma * Math.sqrt(2 * Math.PI)) / (2 * Math.sqrt(N));
    expect(Math.abs(median(xs) - m)).toBeLessThan(4 * se);
  });

  it('mean = median·e^(σ²/2)', () => {
    expect(meanOf({ kind: 'lognormal', median: 5e6, sigma: 0.6 })).toBeCloseTo(5e6 * Math.exp(0.18), 6);
  });

  it('samples are positive and sampler(0.5) is the median', () => {
    const spec: DistributionSpec = { kind: 'lognormal', median: 5e6, sigma: 0.6 };
    expect(samplerOf(spec)(0.5)).toBeCloseTo(5e6, 6);
    expect(Math.min(...sample(spec, 10_000))).toBeGreaterThan(0);
  });
});

describe('normal(mean, sd) clamped at 0', () => {
  it('puts the negative tail at exactly 0, with mass Φ(−mean/sd)', () => {
    const xs = sample({ kind: 'normal', mean: 50_000, sd: 60_000 });
    let zeros = 0;
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      if (x === 0) zeros++;
    }
    const p = normalCdf(-50 / 60);
    expect(Math.abs(zeros / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });

  it('with sd 0 is the constant max(0, mean)', () => {
    expect(samplerOf({ kind: 'normal', mean: 7, sd: 0 })(0.01)).toBe(7);
    expect(meanOf({ kind: 'normal', mean: 7, sd: 0 })).toBe(7);
  });
});

describe('uniform and exponential', () => {
  it('uniform(min, max) stays inside [min, max]', () => {
    const xs = sample({ kind: 'uniform', min: 1e6, max: 3e6 }, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1e6);
    expect(Math.max(...xs)).toBeLessThanOrEqual(3e6);
  });

  it('exp(mean) is finite and positive for every draw in (0, 1), including the extremes', () => {
    const s = samplerOf({ kind: 'exponential', mean: 20_000 });
    for (const u of [0.5 / 2 ** 32, 0.5, (2 ** 32 - 0.5) / 2 ** 32]) {
      expect(Number.isFinite(s(u))).toBe(true);
      expect(s(u)).toBeGreaterThan(0);
    }
  });
});

describe('weibull and gamma', () => {
  it('weibull(scale, 1) is exp(scale) and the mean is scale·Γ(1 + 1/shape)', () => {
    const w = samplerOf({ kind: 'weibull', scale: 20_000, shape: 1 });
    const e = samplerOf({ kind: 'exponential', mean: 20_000 });
    for (const u of [0.001, 0.3, 0.5, 0.9, 0.999]) expect(w(u)).toBeCloseTo(e(u), 6);
    expect(meanOf({ kind: 'weibull', scale: 10_000, shape: 2 })).toBeCloseTo((10_000 * Math.sqrt(Math.PI)) / 2, 6);
    expect(meanOf({ kind: 'gamma', shape: 2.5, scale: 6_000 })).toBe(15_000);
  });

  it("the tabulated gamma sampler rounds to the exact quantile's whole µs", () => {
    for (const [shape, scale] of [
      [2.5, 6_000],
      [0.7, 40_000],
      [9, 300],
    ]) {
      const s = samplerOf({ kind: 'gamma', shape, scale });
      let differ = 0;
      for (let k = 0; k < 20_000; k++) {
        const u = stream.uniform(k, 7);
        if (Math.round(s(u)) !== Math.round(scale * inverseGammaP(shape, u))) differ++;
      }
      expect(differ).toBe(0);
    }
  });

  it('largestDraw is finite and at the far tail', () => {
    expect(largestDraw({ kind: 'weibull', scale: 20_000, shape: 1.5 })).toBeCloseTo(20_000 * Math.pow(33 * Math.LN2, 1 / 1.5), 0);
    const g = largestDraw({ kind: 'gamma', shape: 2.5, scale: 6_000 });
    expect(1 - gammaP(2.5, g / 6_000)).toBeCloseTo(2 ** -33, 18);
  });
});

describe('empirical', () => {
  const points: Array<[number, number]> = [
    [10_000, 0.5],
    [50_000, 0.9],
    [200_000, 1],
  ];
  const s = samplerOf({ kind: 'empirical', points });

  it("u at a point's cumulative probability returns that point's value exactly", () => {
    for (const [value, cumulative] of points) expect(s(cumulative)).toBe(value);
  });

  it('interpolates linearly between points, and puts u below the first probability at the first value', () => {
    expect(s(0.7)).toBeCloseTo(30_000, 6);
    expect(s(0.95)).toBeCloseTo(125_000, 6);
    expect(s(0.25)).toBe(10_000);
    expect(s(1e-9)).toBe(10_000);
  });

  it('the mass of the atom at the first value is the first probability', () => {
    const xs = sample({ kind: 'empirical', points });
    const atFirst = xs.filter((x) => x === 10_000).length / N;
    expect(Math.abs(atFirst - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / N));
  });

  it('hits every point exactly for random integer-valued CDFs (values as µs)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 3_600_000_000 }), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 12 }),
        (raw) => {
          const values = raw.map((r) => r[0]).sort((a, b) => a - b);
          const weights = raw.map((r) => r[1]);
          const total = weights.reduce((a, b) => a + b, 0);
          let acc = 0;
          const pts = values.map((v, i): [number, number] => [v, i === values.length - 1 ? 1 : (acc += weights[i]) / total]);
          const sampler = samplerOf({ kind: 'empirical', points: pts });
          return pts.every(([v, p]) => sampler(p) === v);
        },
      ),
    );
  });

  it('a parsed empirical string samples the same as the spec it stands for', () => {
    const parsed = parseDistribution('empirical(10ms: 0.5, 50ms: 0.9, 200ms: 1)', 'duration');
    expect(parsed).toEqual({ kind: 'empirical', points });
    expect(meanOf(parsed)).toBeCloseTo(0.5 * 10_000 + 0.4 * 30_000 + 0.1 * 125_000, 6);
  });
});

describe('tabulated lognormal and exponential samplers', () => {
  // The formulas the tables stand for.
  const exactLognormal = (median: number, sigma: number) => (u: number) => Math.exp(Math.log(median) + sigma * inverseNormalCdf(u));
  const exactExponential = (mean: number) => (u: number) => -mean * Math.log(1 - u);
  const TABLED: Array<[label: string, spec: DistributionSpec, exact: (u: number) => number]> = [
    ['lognormal(5s, 0.6)', { kind: 'lognormal', median: 5e6, sigma: 0.6 }, exactLognormal(5e6, 0.6)],
    ['lognormal(20ms, 0.5)', { kind: 'lognormal', median: 20_000, sigma: 0.5 }, exactLognormal(20_000, 0.5)],
    ['lognormal(600ms, 1.2)', { kind: 'lognormal', median: 600_000, sigma: 1.2 }, exactLognormal(600_000, 1.2)],
    ['lognormal(1h, 3)', { kind: 'lognormal', median: 3.6e9, sigma: 3 }, exactLognormal(3.6e9, 3)],
    ['lognormal(50µs, 0.1)', { kind: 'lognormal', median: 50, sigma: 0.1 }, exactLognormal(50, 0.1)],
    ['exp(500µs)', { kind: 'exponential', mean: 500 }, exactExponential(500)],
    ['exp(10s)', { kind: 'exponential', mean: 1e7 }, exactExponential(1e7)],
  ];
  /** A dense grid of u over (0, 1) and the draws a stream gives: both tails, the table and its edges. */
  function draws(): Float64Array {
    const n = 400_000;
    const us = new Float64Array(2 * n + 4);
    for (let k = 0; k < n; k++) us[k] = (k + 0.5) / n;
    for (let k = 0; k < n; k++) us[n + k] = stream.uniform(k, 7);
    us.set([0.05, 0.95, 0.05 - 1e-12, 0.95 - 1e-12], 2 * n);
    return us;
  }

  it.each(TABLED)('%s: every sample rounds to the same whole µs as the exact formula', (_label, spec, exact) => {
    const sampler = samplerOf(spec);
    let differ = 0;
    for (const u of draws()) if (Math.round(sampler(u)) !== Math.round(exact(u))) differ++;
    expect(differ).toBe(0);
  });

  it.each(TABLED)('%s: within 1e-8 of the exact formula, relative', (_label, spec, exact) => {
    const sampler = samplerOf(spec);
    let worst = 0;
    for (const u of draws()) worst = Math.max(worst, Math.abs(sampler(u) - exact(u)) / exact(u));
    expect(worst).toBeLessThan(1e-8);
  });
});

describe('inverseNormalCdf', () => {
  it.each<[number, number]>([
    [0.975, 1.959963985],
    [0.999, 3.090232306],
    [1e-6, -4.753424309],
    [0.025, -1.959963985],
    [0.001, -3.090232306],
    [0.5, 0],
    [0.841344746068543, 1], // Φ(1)
    [0.9, 1.281551566],
    [0.01, -2.326347874],
    [1e-9, -5.997807015],
  ])('Φ⁻¹(%d) = %d to 1e-8', (p, z) => {
    expect(Math.abs(inverseNormalCdf(p) - z)).toBeLessThan(1e-8);
  });

  it('is antisymmetric, monotone, and inverts normalCdf', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 0.5, noNaN: true }), fc.double({ min: 1e-12, max: 0.5, noNaN: true }), (p, q) => {
        const z = inverseNormalCdf(p);
        // 1 − p is rounded to a multiple of 2^-53, a relative error of up to
        // 1.1e-16/p in the upper tail's probability: allow for it (it is the
        // input's error, not the function's).
        const rounding = 1.2e-16 / (p * Math.max(1, Math.abs(z)));
        expect(Math.abs(z + inverseNormalCdf(1 - p))).toBeLessThan((1e-6 + rounding) * Math.max(1, Math.abs(z)));
        expect(Math.abs(normalCdf(z) - p)).toBeLessThan(2e-7 * p + 1e-15);
        if (p < q) expect(inverseNormalCdf(p)).toBeLessThanOrEqual(inverseNormalCdf(q));
      }),
    );
  });

  it('is −∞ at 0 and +∞ at 1, and finite for the extreme uniform draws 0.5/2^32 and 1 − 0.5/2^32', () => {
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
    expect(inverseNormalCdf(0.5 / 2 ** 32)).toBeCloseTo(-6.35, 1);
    expect(inverseNormalCdf(1 - 0.5 / 2 ** 32)).toBeCloseTo(6.35, 1);
  });
});

describe('normalCdf', () => {
  it.each<[number, number]>([
    [0, 0.5],
    [1, 0.841344746068543],
    [-1.959963984540054, 0.025],
    [3, 0.99865010196837],
  ])('Φ(%d) = %d (relative error < 1.2e-7)', (z, p) => {
    expect(Math.abs(normalCdf(z) - p)).toBeLessThan(1.2e-7 * p);
  });
});

describe('largestDraw', () => {
  it('is the sampler at the largest uniform draw, which no draw exceeds', () => {
    let largest = 0;
    const draws = new RandomSource(7, 0).stream('largest');
    for (let i = 0; i < 1_000_000; i++) largest = Math.max(largest, draws.uniform(i, 0));
    expect(largest).toBeLessThanOrEqual(LARGEST_UNIFORM);
    for (const text of [
      'lognormal(5s, 0.6)',
      'exp(20ms)',
      'uniform(1s, 3s)',
      'normal(100ms, 20ms)',
      '5ms',
      'empirical(10ms: 0.5, 50ms: 1)',
    ]) {
      const spec = parseDistribution(text, 'duration');
      const atLargest = samplerOf(spec)(LARGEST_UNIFORM);
      expect(Math.abs(largestDraw(spec) - atLargest) / atLargest).toBeLessThan(1e-9);
      expect(largestDraw(spec)).toBeGreaterThanOrEqual(samplerOf(spec)(largest));
    }
    expect(largestDraw({ kind: 'uniform', min: 1, max: 3 })).toBeCloseTo(3, 6);
    expect(
      largestDraw({
        kind: 'empirical',
        points: [
          [10, 0.5],
          [50, 1],
        ],
      }),
    ).toBe(50);
  });

  it('overflows for a lognormal whose sigma no sampler could use', () => {
    expect(largestDraw({ kind: 'lognormal', median: 20_000, sigma: 1e6 })).toBe(Infinity);
    expect(largestDraw({ kind: 'lognormal', median: 20_000, sigma: 50 })).toBeGreaterThan(2 ** 53);
  });
});
