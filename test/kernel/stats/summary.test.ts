import { describe, expect, it } from 'vitest';
import { studentTQuantile } from '../../../src/kernel/stats/student-t.js';
import { summarize } from '../../../src/kernel/stats/summary.js';

describe('summarize', () => {
  it('gives mean, sample sd and the Student-t interval', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    const sd = Math.sqrt(32 / 7);
    expect(s.sd).toBeCloseTo(sd, 12);
    const hw = (studentTQuantile(0.975, 7) * sd) / Math.sqrt(8);
    expect(s.halfWidth).toBeCloseTo(hw, 12);
    expect(s.halfWidth).toBeCloseTo((2.3646 * sd) / Math.sqrt(8), 3);
    expect(s.low).toBeCloseTo(5 - hw, 12);
    expect(s.high).toBeCloseTo(5 + hw, 12);
    const s90 = summarize([2, 4, 4, 4, 5, 5, 7, 9], 0.9);
    expect(s90.halfWidth).toBeLessThan(s.halfWidth);
  });

  it('n = 0 gives NaN; n = 1 gives the value with a NaN interval', () => {
    const s0 = summarize([]);
    expect(s0.n).toBe(0);
    expect(s0.mean).toBeNaN();
    expect(s0.halfWidth).toBeNaN();
    const s1 = summarize([3]);
    expect(s1.mean).toBe(3);
    expect(s1.sd).toBeNaN();
    expect(s1.halfWidth).toBeNaN();
    expect(s1.low).toBeNaN();
    expect(() => summarize([1, 2], 1)).toThrow(RangeError);
  });
});
