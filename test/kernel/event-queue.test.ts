import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/event-queue.js';

/** Drains the queue, returning [time, a] pairs in pop order. */
function drain(q: EventQueue): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (q.pop(Infinity)) out.push([q.poppedTime, q.poppedA]);
  return out;
}

describe('EventQueue', () => {
  it('pops in (time, insertion) order, ties first-in first-out', () => {
    const q = new EventQueue(4);
    const times = [5, 3, 5, 1, 3, 5, 0, 1000000, 3];
    times.forEach((t, i) => q.push(t, 0, i, 0));
    const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(drain(q)).toEqual(expected);
  });

  it('agrees with a stable sort for random interleavings of pushes and pops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 50 }),
        (ops, scale) => {
          const q = new EventQueue(16);
          // Reference: an array kept sorted by (time, seq).
          const ref: Array<[number, number]> = [];
          let now = 0;
          let seq = 0;
          for (const [isPop, delta] of ops) {
            if (isPop && ref.length > 0) {
              ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
              const [t, s] = ref.shift()!;
              expect(q.pop(Infinity)).toBe(true);
              expect([q.poppedTime, q.poppedA]).toEqual([t, s]);
              now = t;
            } else {
              const t = now + delta * scale;
              q.push(t, 0, seq, 0);
              ref.push([t, seq++]);
            }
          }
          ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
          expect(drain(q)).toEqual(ref);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays ordered through growth, shrinking and density changes (hold model, 200k events)', () => {
    const q = new EventQueue(16);
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let i = 0; i < 50_000; i++) q.push(Math.floor(rnd() * 1e6), 0, i, 0);
    let last = -1;
    for (let i = 0; i < 200_000; i++) {
      expect(q.pop(Infinity)).toBe(true);
      if (q.poppedTime < last) throw new Error(`out of order at ${i}: ${q.poppedTime} < ${last}`);
      last = q.poppedTime;
      // Mix far-future, near and tied insertions.
      const r = rnd();
      const delay = r < 0.3 ? 0 : r < 0.6 ? Math.floor(rnd() * 100) : Math.floor(rnd() * 1e7);
      if (i < 150_000) q.push(last + delay, 0, i, 0);
    }
    while (q.pop(Infinity)) {
      if (q.poppedTime < last) throw new Error('out of order while draining');
      last = q.poppedTime;
    }
    expect(q.size).toBe(0);
  });

  it('pop(limit) leaves later events in place, and earlier pushes still come first', () => {
    const q = new EventQueue();
    q.push(100, 1, 0, 0);
    expect(q.pop(50)).toBe(false);
    q.push(60, 2, 0, 0);
    expect(q.peekTime()).toBe(60);
    expect(q.pop(Infinity)).toBe(true);
    expect(q.poppedKind).toBe(2);
    expect(q.pop(Infinity)).toBe(true);
    expect(q.poppedKind).toBe(1);
    expect(q.pop(Infinity)).toBe(false);
  });
});
