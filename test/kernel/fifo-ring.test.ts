import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FifoRing } from '../../src/kernel/fifo-ring.js';

describe('FifoRing', () => {
  it('gives entries back in the order they came, across wrap-around and doubling (against an array, fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(null)), { maxLength: 300 }), (ops) => {
        const ring = new FifoRing(new Int32Array(2));
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) {
            if (model.length === 0) continue;
            expect(ring.shift()).toBe(model.shift());
          } else {
            ring.push(op);
            model.push(op);
          }
          expect(ring.size).toBe(model.length);
          for (let k = 0; k < model.length; k++) expect(ring.at(k)).toBe(model[k]);
        }
      }),
    );
  });

  it('keeps what its array type holds: Float64Array any number, Int32Array int32 values', () => {
    const times = new FifoRing(new Float64Array(1));
    times.push(1.5);
    times.push(2 ** 40);
    expect([times.shift(), times.shift()]).toEqual([1.5, 2 ** 40]);
    expect(() => new FifoRing(new Int32Array(0))).toThrow(RangeError);
  });
});
