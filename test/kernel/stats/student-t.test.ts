import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { studentTCdf, studentTQuantile } from '../../../src/kernel/stats/student-t.js';

describe('Student t quantile', () => {
  it('matches table values for p = 0.975 to 1e-3 relative (and to half a unit of the 4th decimal)', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
      [120, 1.9799],
    ];
    for (const [df, t] of table) {
      expect(Math.abs(studentTQuantile(0.975, df) - t) / t).toBeLessThan(1e-3);
      expect(Math.abs(studentTQuantile(0.975, df) - t)).toBeLessThanOrEqual(0.00005);
    }
  });

  it('matches 9-digit reference values (R qt(0.975, df))', () => {
    const reference: Array<[number, number]> = [
      [1, 12.70620474],
      [2, 4.30265273],
      [5, 2.57058184],
      [10, 2.22813885],
      [24, 2.06389856],
      [30, 2.04227246],
      [120, 1.97993041],
    ];
    for (const [df, t] of reference) expect(Math.abs(studentTQuantile(0.975, df) - t) / t).toBeLessThan(1e-8);
  });

  it('matches more table values (other p) and is antisymmetric', () => {
    // t(0.995, 24) = 2.7969, t(0.95, 4) = 2.1318, t(0.9, 60) = 1.2958, t(0.9995, 3) = 12.924
    expect(studentTQuantile(0.995, 24)).toBeCloseTo(2.7969, 4);
    expect(studentTQuantile(0.95, 4)).toBeCloseTo(2.1318, 4);
    expect(studentTQuantile(0.9, 60)).toBeCloseTo(1.2958, 4);
    expect(studentTQuantile(0.9995, 3)).toBeCloseTo(12.924, 3);
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 12);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959964, 6);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 6);
    expect(studentTQuantile(0, 3)).toBe(-Infinity);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
    expect(studentTQuantile(1.5, 3)).toBeNaN();
    expect(studentTQuantile(0.9, 0)).toBeNaN();
  });

  it('inverts its CDF (closed forms for df 1 and 2, bisection otherwise)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(Math.abs(studentTCdf(t, df) - p)).toBeLessThan(1e-9 * Math.max(1, p / (1 - p)));
      }),
    );
    for (const df of [1, 2]) {
      for (const p of [0.6, 0.9, 0.975, 0.999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
    expect(studentTCdf(0, 4)).toBeCloseTo(0.5, 14);
    // df = 1 is Cauchy: P(T ≤ 1) = 3/4.
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
  });
});
