import { describe, expect, it } from 'vitest';
import { grownTo, unwrappedTo } from '../../src/kernel/typed-arrays.js';

describe('typed-array growth', () => {
  it('grownTo: same type, the old contents first, zeros after', () => {
    const grown = grownTo(Float64Array.of(1.5, -2, 3), 5);
    expect(grown).toBeInstanceOf(Float64Array);
    expect(Array.from(grown)).toEqual([1.5, -2, 3, 0, 0]);
    expect(grownTo(Uint8Array.of(7), 2)).toBeInstanceOf(Uint8Array);
    expect(Array.from(grownTo(Int32Array.of(-1, 2), 4))).toEqual([-1, 2, 0, 0]);
  });

  it('unwrappedTo: a ring read from its head, wrapping, lands in order from index 0', () => {
    // Ring of 4 holding 10, 20, 30 from head 2: indices 2, 3, 0.
    const ring = Int32Array.of(30, 99, 10, 20);
    expect(Array.from(unwrappedTo(ring, 2, 3, 8))).toEqual([10, 20, 30, 0, 0, 0, 0, 0]);
    // Not wrapped: head 0, full.
    expect(Array.from(unwrappedTo(Float64Array.of(1, 2, 3, 4), 0, 4, 6))).toEqual([1, 2, 3, 4, 0, 0]);
    // Full and wrapped at the last index.
    expect(Array.from(unwrappedTo(Uint8Array.of(2, 3, 4, 1), 3, 4, 8))).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
  });
});
