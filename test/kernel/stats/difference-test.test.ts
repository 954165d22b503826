import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testDifference } from '../../../src/kernel/stats/difference-test.js';

/** Two-sided tail of Student's t with 3 degrees of freedom, in closed form (an independent check of the CDF route). */
function twoSidedT3(t: number): number {
  const x = t / Math.sqrt(3);
  return 1 - (2 / Math.PI) * (Math.atan(x) + x / (1 + x * x));
}

describe('testDifference', () => {
  it('paired: the t-test on per-replication differences (closed form for 3 degrees of freedom)', () => {
    const a = [1, 2, 3, 4];
    const b = [1.5, 2.4, 3.6, 4.4];
    // d = 0.5, 0.4, 0.6, 0.4: mean 0.475, sd 0.09574, t = 0.475 / (0.09574 / 2) = 9.9224
    const r = testDifference(a, b, true)!;
    expect(r.method).toBe('paired');
    expect(r.n).toBe(4);
    expect(r.difference).toBeCloseTo(0.475, 12);
    expect(r.p).toBeCloseTo(twoSidedT3(0.475 / (Math.sqrt(0.0275 / 3) / 2)), 10);
    expect(r.significant).toBe(true);
  });

  it("welch: Wikipedia's worked example (t = −2.46, df = 24.9, p = 0.021)", () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = testDifference(a1, a2, false)!;
    expect(r.method).toBe('welch');
    expect(r.difference).toBeCloseTo(22.98667 - 20.82, 4);
    expect(r.p).toBeCloseTo(0.021, 3);
    expect(r.significant).toBe(true);
    expect(testDifference(a1, a2, false, 0.99)!.significant).toBe(false);
  });

  it('common random numbers: a small shift that is lost in the noise between replications stands out when paired', () => {
    const a = [100, 140, 90, 160, 120];
    const b = a.map((x) => x + 2 + (x % 3) * 0.1);
    expect(testDifference(a, b, false)!.significant).toBe(false);
    expect(testDifference(a, b, true)!.significant).toBe(true);
  });

  it('constant sides: equal is p = 1, different is p = 0 (deterministic figures such as oversell)', () => {
    expect(testDifference([0, 0, 0], [0, 0, 0], true)).toMatchObject({ p: 1, significant: false });
    expect(testDifference([0, 0, 0], [1, 1, 1], true)).toMatchObject({ p: 0, significant: true });
    expect(testDifference([5, 5], [7, 7], false)).toMatchObject({ p: 0, significant: true });
    expect(testDifference([5, 5], [5, 5], false)).toMatchObject({ p: 1, significant: false });
  });

  it('is null with fewer than two replications a side, or unmatched pairs', () => {
    expect(testDifference([1], [2], true)).toBeNull();
    expect(testDifference([1], [2, 3], false)).toBeNull();
    expect(testDifference([1, 2, 3], [2, 3], true)).toBeNull();
    expect(() => testDifference([1, 2], [1, 2], true, 1)).toThrow(RangeError);
  });

  it('does not depend on the unit: huge and tiny magnitudes give the p-value of the same data near 1 (variances neither overflow nor underflow)', () => {
    const a = [1, 2, 3];
    const b = [1.5, 2.4, 3.6];
    for (const paired of [true, false]) {
      const reference = testDifference(a, b, paired)!.p;
      expect(reference).toBeGreaterThan(0.01);
      expect(reference).toBeLessThan(0.99);
      for (const unit of [1e160, 1e300, 1e-170, 1e-300]) {
        const r = testDifference(
          a.map((x) => x * unit),
          b.map((x) => x * unit),
          paired,
        )!;
        expect(r.p).toBeCloseTo(reference, 9);
        expect(r.difference / unit).toBeCloseTo(0.5, 9);
      }
    }
  });

  it('refuses values that are not finite (a NaN p-value would read as "not significant")', () => {
    expect(() => testDifference([NaN, 1], [2, 3], false)).toThrow(RangeError);
    expect(() => testDifference([1, 2], [2, Infinity], true)).toThrow(RangeError);
    expect(() => testDifference([-Infinity, 2], [2, 3], false)).toThrow(RangeError);
  });

  it('is symmetric, and its p-value is a probability (fast-check)', () => {
    const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(sample, sample, fc.boolean(), (a, b, paired) => {
        const n = Math.min(a.length, b.length);
        const [x, y] = paired ? [a.slice(0, n), b.slice(0, n)] : [a, b];
        const forward = testDifference(x, y, paired)!;
        const backward = testDifference(y, x, paired)!;
        expect(forward.p).toBeGreaterThanOrEqual(0);
        expect(forward.p).toBeLessThanOrEqual(1);
        expect(backward.p).toBeCloseTo(forward.p, 9);
      }),
    );
  });
});
