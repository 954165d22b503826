import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digamma, gammaP, gammaQ, inverseGammaP, logGamma, trigamma } from '../../src/kernel/gamma-function.js';

const SHAPES = [0.05, 0.1, 0.5, 1, 2.5, 10, 100, 1000];
const PROBABILITIES = [1e-12, 1e-9, 1e-4, 0.01, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-9, 1 - 2 ** -33];

describe('the incomplete gamma function and its inverse', () => {
  it.each(SHAPES)('shape %d: P(a, P⁻¹(a, p)) = p to 1e-10 relative, on the smaller of p and 1 − p', (a) => {
    for (const p of PROBABILITIES) {
      const x = inverseGammaP(a, p);
      const error = p > 0.5 ? Math.abs(gammaQ(a, x) - (1 - p)) / (1 - p) : Math.abs(gammaP(a, x) - p) / p;
      expect(error, `a=${a} p=${p} x=${x}`).toBeLessThan(1e-10);
    }
  });

  it('shape 1 is the exponential: P⁻¹(1, p) = −ln(1 − p)', () => {
    for (const p of PROBABILITIES) expect(inverseGammaP(1, p) / -Math.log1p(-p)).toBeCloseTo(1, 12);
  });

  it('shape ½ is a squared normal: P(½, x) = erf(√x)', () => {
    // erf(1) = 0.8427007929497149.
    expect(gammaP(0.5, 1)).toBeCloseTo(0.8427007929497149, 14);
  });

  it('P + Q = 1 and P is increasing (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 1000, noNaN: true }), fc.double({ min: 1e-6, max: 5000, noNaN: true }), (a, x) => {
        expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 12);
        expect(gammaP(a, x * 1.01)).toBeGreaterThanOrEqual(gammaP(a, x));
      }),
    );
  });

  it('the inverse is fast enough to tabulate: 100k inversions well under a second', () => {
    const start = performance.now();
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += inverseGammaP(2.5, (i + 0.5) / 100_000);
    expect(sum / 100_000).toBeCloseTo(2.5, 2);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('log Γ, digamma, trigamma', () => {
  it('agree with known values', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 12);
    expect(trigamma(0.5)).toBeCloseTo(Math.PI ** 2 / 2, 11);
  });

  it('digamma is the derivative of log Γ and trigamma that of digamma', () => {
    for (const x of [0.07, 0.6, 3, 42, 700]) {
      const h = 1e-5 * x;
      expect(digamma(x)).toBeCloseTo((logGamma(x + h) - logGamma(x - h)) / (2 * h), 5);
      expect(trigamma(x) / ((digamma(x + h) - digamma(x - h)) / (2 * h))).toBeCloseTo(1, 6);
    }
  });
});
