import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplerOf, type DistributionSpec } from '../../src/kernel/distributions.js';
import { cdfOf, quantileOf } from '../../src/fit/families.js';
import { goodnessOfFit } from '../../src/fit/goodness.js';

describe('cdfOf is the inverse of the samplers', () => {
  it('weibull and gamma: F(Q(u)) = u for any parameters in the language (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            kind: fc.constant('weibull' as const),
            scale: fc.double({ min: 1, max: 1e7, noNaN: true }),
            shape: fc.double({ min: 0.1, max: 100, noNaN: true }),
          }),
          fc.record({
            kind: fc.constant('gamma' as const),
            shape: fc.double({ min: 0.05, max: 1000, noNaN: true }),
            scale: fc.double({ min: 1, max: 1e7, noNaN: true }),
          }),
        ),
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        (spec: DistributionSpec, u) => {
          const x = samplerOf(spec)(u);
          expect(Math.abs(cdfOf(spec)(x) - u)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the other kinds: F(Q(u)) = u', () => {
    const specs: DistributionSpec[] = [
      { kind: 'exponential', mean: 20_000 },
      { kind: 'lognormal', median: 14_200, sigma: 0.38 },
      { kind: 'normal', mean: 100_000, sd: 20_000 },
      { kind: 'uniform', min: 1_000, max: 3_000 },
      {
        kind: 'empirical',
        points: [
          [1_000, 0],
          [2_000, 0.5],
          [9_000, 1],
        ],
      },
    ];
    for (const spec of specs) {
      for (const u of [0.01, 0.3, 0.5, 0.9, 0.99]) expect(cdfOf(spec)(quantileOf(spec)(u)), spec.kind).toBeCloseTo(u, 6);
    }
  });
});

describe('goodnessOfFit', () => {
  it('D and A² of evenly spread points against the uniform are the textbook values', () => {
    const n = 100;
    const sorted = Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const { ks, ad } = goodnessOfFit(sorted, (x) => x);
    // Every point sits half a step from both sides of the empirical CDF: D = 1 / (2n).
    expect(ks).toBeCloseTo(1 / (2 * n), 12);
    // A² in its other form: −n − (1/n)·Σ [(2i − 1)·ln uᵢ + (2(n − i) + 1)·ln(1 − uᵢ)].
    let sum = 0;
    for (let i = 1; i <= n; i++) sum += (2 * i - 1) * Math.log(sorted[i - 1]) + (2 * (n - i) + 1) * Math.log(1 - sorted[i - 1]);
    expect(ad).toBeCloseTo(-n - sum / n, 10);
    expect(ad).toBeLessThan(0.02);
    // Against a wrong CDF both grow.
    const wrong = goodnessOfFit(sorted, (x) => x * x);
    expect(wrong.ks).toBeCloseTo(0.25, 2);
    expect(wrong.ad).toBeGreaterThan(5);
  });
});
