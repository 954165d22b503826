import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/event-queue.js';
import { lcg } from '../helpers/lcg.js';

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

  it('keeps (time, FIFO) order as the size crosses the heap-only limit up and down, and empties (fast-check)', () => {
    // Phases of pushes then pops around 64 pending, where the queue moves
    // between the heap alone and the ladder; ties are frequent.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 140 }), fc.integer({ min: 0, max: 140 })), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 20 }),
        (phases, tieBits, spread) => {
          const q = new EventQueue(16);
          const ref: Array<[number, number]> = [];
          const rnd = lcg(phases.length * 31 + spread);
          let now = 0;
          let seq = 0;
          for (const [pushes, pops] of phases) {
            for (let i = 0; i < pushes; i++) {
              const t = now + (Math.floor(rnd() * spread) >> tieBits) * 1000;
              q.push(t, 0, seq, 0);
              ref.push([t, seq++]);
            }
            ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
            for (let i = 0; i < pops && ref.length > 0; i++) {
              const [t, s] = ref.shift()!;
              expect(q.pop(Infinity)).toBe(true);
              expect([q.poppedTime, q.poppedA]).toEqual([t, s]);
              now = t;
            }
            expect(q.size).toBe(ref.length);
          }
          expect(drain(q)).toEqual(ref);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays ordered through growth, shrinking and density changes (hold model, 200k events)', () => {
    const q = new EventQueue(16);
    const rnd = lcg(12345);
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

/**
 * Pushes events numbered in insertion order and checks every pop: pops must
 * be strictly increasing in (time, insertion number) and every event must
 * leave exactly once with its payload intact. Together that is exactly
 * "each pop returns the earliest pending event, ties first-in first-out".
 */
class Checker {
  readonly q: EventQueue;
  private next = 0;
  private lastTime = -Infinity;
  private lastSeq = -1;
  private seen = new Uint8Array(1 << 16);
  popped = 0;

  constructor(q = new EventQueue(16)) {
    this.q = q;
  }

  get pushed(): number {
    return this.next;
  }

  get lastPoppedTime(): number {
    return this.lastTime;
  }

  push(time: number): void {
    const seq = this.next++;
    this.q.push(time, seq & 0xffff, seq, ~seq);
  }

  pop(limit = Infinity): boolean {
    const q = this.q;
    if (!q.pop(limit)) return false;
    const t = q.poppedTime;
    const seq = q.poppedA;
    if (t > limit) throw new Error(`popped ${t} beyond limit ${limit}`);
    if (t < this.lastTime || (t === this.lastTime && seq <= this.lastSeq)) {
      throw new Error(`out of order: (${t}, #${seq}) after (${this.lastTime}, #${this.lastSeq})`);
    }
    if (q.poppedKind !== (seq & 0xffff) || q.poppedB !== ~seq) throw new Error(`payload of #${seq} damaged`);
    if (seq >= this.seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[seq] !== 0) throw new Error(`#${seq} popped twice`);
    this.seen[seq] = 1;
    this.lastTime = t;
    this.lastSeq = seq;
    this.popped++;
    return true;
  }

  /** Pops everything and checks that nothing was lost. */
  drain(): void {
    while (this.pop());
    expect(this.q.size).toBe(0);
    expect(this.popped).toBe(this.next);
  }
}

describe('EventQueue at scale', () => {
  it('keeps exact (time, FIFO) order in the hold model at 1M pending, with a far-future outlier', () => {
    const c = new Checker(new EventQueue(1 << 20));
    const rnd = lcg(7);
    for (let i = 0; i < 1_000_000; i++) c.push(Math.floor(rnd() * 1e6));
    const outlier = 3_600_000_000; // one hour out
    c.push(outlier);
    for (let i = 0; i < 2_000_000; i++) {
      c.pop();
      c.push(c.lastPoppedTime + Math.floor(rnd() * 1e6));
    }
    expect(c.q.size).toBe(1_000_001);
    expect(c.q.peekTime()).toBeLessThan(outlier);
    while (c.q.size > 1) c.pop();
    expect(c.q.peekTime()).toBe(outlier);
    c.drain();
  });

  it('grows from empty to 300k pending and shrinks back, twice', () => {
    const c = new Checker();
    const rnd = lcg(11);
    for (let cycle = 0; cycle < 2; cycle++) {
      for (let i = 0; i < 300_000; i++) {
        // Two pushes per pop while growing.
        c.push((c.popped ? c.lastPoppedTime : 0) + Math.floor(rnd() * 50_000));
        c.push((c.popped ? c.lastPoppedTime : 0) + Math.floor(rnd() * 50_000));
        c.pop();
      }
      expect(c.q.size).toBe(300_000 * (cycle + 1) - cycle * 300_000);
      for (let i = 0; i < 300_000; i++) {
        c.pop();
        if (i % 2 === 0) c.push(c.lastPoppedTime + Math.floor(rnd() * 50_000));
        else c.pop();
      }
      while (c.q.size > 0) c.pop();
    }
    c.drain();
  });

  it('follows density shifts over six orders of magnitude (sparse → dense → sparse)', () => {
    const c = new Checker();
    const rnd = lcg(3);
    for (let i = 0; i < 20_000; i++) c.push(Math.floor(rnd() * 1e9));
    const scales = [1e9, 1e7, 1e5, 1e3, 10, 1e3, 1e6, 1e9];
    for (const scale of scales) {
      for (let i = 0; i < 100_000; i++) {
        c.pop();
        c.push(c.lastPoppedTime + Math.floor(rnd() * scale));
      }
    }
    c.drain();
  });

  it('a flash-sale shape: ramping arrivals, a dense click burst at T0, then drain', () => {
    const c = new Checker();
    const rnd = lcg(5);
    const t0 = 600_000_000; // 10 minutes
    // 200k users arrive on an exponential ramp dense near T0.
    for (let i = 0; i < 200_000; i++) c.push(Math.floor(t0 * (1 - Math.exp(-5 * rnd()) + 0.0067 * rnd())));
    while (c.q.size > 0) {
      c.pop();
      const now = c.lastPoppedTime;
      const r = rnd();
      if (now < t0) {
        // Refresh in ~5 s, or click at T0 + reaction.
        if (r < 0.9) c.push(now + Math.floor(5e6 * rnd()));
        else c.push(t0 + Math.floor(600_000 * rnd()));
      } else if (now < t0 + 2e6 && r < 0.5) {
        c.push(now + Math.floor(50 * rnd())); // stock service, ~50 µs
      }
    }
    c.drain();
  });

  it('pop(limit) and peekTime, then earlier pushes, still give the earliest first', () => {
    const c = new Checker();
    const rnd = lcg(9);
    for (let i = 0; i < 100_000; i++) c.push(Math.floor(rnd() * 1e6));
    let now = 0;
    for (let step = 0; step < 200_000; step++) {
      const r = rnd();
      if (r < 0.3) {
        // A limit just after now: often nothing qualifies.
        const limit = now + Math.floor(rnd() * 20);
        if (c.pop(limit)) now = c.lastPoppedTime;
        else expect(c.q.peekTime()).toBeGreaterThan(limit);
      } else if (r < 0.4) {
        const t = c.q.peekTime();
        expect(t).toBeGreaterThanOrEqual(now);
        // Push before the head that was just peeked.
        if (t > now) c.push(now + Math.floor(rnd() * (t - now)));
      } else if (r < 0.7) {
        c.push(now + Math.floor(rnd() * 1e6));
      } else if (c.pop()) {
        now = c.lastPoppedTime;
      }
    }
    c.drain();
  });

  it('100k exact ties leave first-in first-out, pushed ahead or at the current time', () => {
    const c = new Checker();
    for (let i = 0; i < 100_000; i++) c.push(5_000_000);
    for (let i = 0; i < 1000; i++) c.push(Math.floor(i * 10_000));
    // While serving time 5 s, another 100k at exactly that time.
    while (c.lastPoppedTime < 5_000_000) c.pop();
    for (let i = 0; i < 100_000; i++) c.push(5_000_000);
    c.drain();
  });

  it('a burst of 1M events within 100 µs, queued ahead and pushed while being served', () => {
    const c = new Checker(new EventQueue(1 << 20));
    const rnd = lcg(13);
    for (let i = 0; i < 10_000; i++) c.push(Math.floor(rnd() * 2e6));
    for (let i = 0; i < 500_000; i++) c.push(1_000_000 + Math.floor(rnd() * 100));
    while (c.lastPoppedTime < 1_000_000) c.pop();
    // Now inside the burst: half a million more at nearly the same time.
    for (let i = 0; i < 500_000; i++) c.push(c.lastPoppedTime + Math.floor(rnd() * 100));
    c.drain();
  });

  it('handles times across the whole range up to 2^53', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(4), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 0, max: 52 }),
        (ops, bits) => {
          const c = new Checker();
          const top = 2 ** 53 - 1;
          for (const [op, x] of ops) {
            if (op === 0) c.pop();
            else {
              const base = c.popped ? c.lastPoppedTime : 0;
              c.push(Math.min(top, base + Math.floor(x * 2 ** bits)));
            }
          }
          c.drain();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees with (time, FIFO) order on random mixtures of clusters, spreads and far outliers (fast-check)', () => {
    // Big enough for splits (more than 8192 events in one bucket), child
    // rungs, late-insertion heaps and re-fits, which small cases never reach.
    const delay = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      // Up to 2^32 µs: twelve phases of 20k holds stay below 2^53.
      fc.integer({ min: 0, max: 2 ** 32 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), delay, fc.integer({ min: 1, max: 20_000 })), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (phases, seed) => {
          const c = new Checker();
          const rnd = lcg(seed);
          const now = (): number => (c.popped ? c.lastPoppedTime : 0);
          for (const [op, spread, count] of phases) {
            if (op === 0) {
              // A cluster: `count` events within `spread` of a point ahead.
              const at = now() + Math.floor(rnd() * 1e6);
              for (let i = 0; i < count; i++) c.push(at + Math.floor(rnd() * (spread + 1)));
            } else if (op === 1) {
              for (let i = 0; i < count; i++) c.pop();
            } else if (op === 2) {
              // Pop up to a limit, then push before the new head.
              const limit = now() + spread;
              while (c.pop(limit));
              const head = c.q.peekTime();
              if (head !== Infinity) for (let i = 0; i < count; i++) c.push(now() + Math.floor(rnd() * (head - now() + 1)));
            } else {
              // Hold model with this spread.
              for (let i = 0; i < count; i++) {
                if (c.pop()) c.push(now() + Math.floor(rnd() * (spread + 1)));
                else c.push(now() + spread);
              }
            }
          }
          c.drain();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a storm's shape: chains of short delays landing in the bucket being served, with ties and pop(limit)", () => {
    // Sparse far-future events make wide buckets; each popped event then
    // schedules a follow-up a few µs or ms later (a service, a round trip),
    // which lands in the bucket being served. The heap those go to is moved
    // into a new rung of finer buckets once it has taken many, so this
    // checks order across those moves, including late pushes before the new
    // rung's first bucket and events tied with the current time.
    const c = new Checker(new EventQueue(1 << 16));
    const rnd = lcg(2024);
    for (let i = 0; i < 50_000; i++) c.push(Math.floor(rnd() * 1e9));
    for (let round = 0; round < 400_000; round++) {
      const now = c.lastPoppedTime;
      if (round % 1000 === 999) {
        // Stop short of the next event (as a run until a time does), which
        // may leave a bucket loaded that starts after now; then a burst of
        // pushes before it, enough to spill the heap into a new rung.
        const limit = now + 2000;
        if (!c.pop(limit)) for (let i = 0; i < 2000; i++) c.push(now + Math.floor(rnd() * (limit - now)));
        continue;
      }
      if (!c.pop()) continue;
      const at = c.lastPoppedTime;
      const r = rnd();
      if (r < 0.1) c.push(at);
      else if (r < 0.5) c.push(at + Math.floor(rnd() * 50));
      else if (r < 0.95) c.push(at + 100 + Math.floor(rnd() * 5000));
      else c.push(at + Math.floor(rnd() * 1e9));
      if (r < 0.3) c.push(at + 1 + Math.floor(rnd() * 3000));
    }
    c.drain();
  });

  it('pushes before a bucket loaded by a failed pop(limit) keep order when the heap spills into a rung', () => {
    // pop(limit) loads the next bucket (starting near 1 s) and stops; the
    // pushes that follow are earlier than that bucket, so they go to the
    // heap, which spills into a rung starting now; later early pushes must
    // join that rung, not a heap that would be served before it.
    const c = new Checker();
    const rnd = lcg(99);
    c.push(0);
    for (let i = 0; i < 5000; i++) c.push(1_000_000 + Math.floor(rnd() * 1_000_000));
    expect(c.pop()).toBe(true);
    expect(c.pop(10)).toBe(false);
    for (let i = 0; i < 3000; i++) c.push(1 + Math.floor(rnd() * 1000));
    c.drain();
  });

  it('a heap spill before the first pop after clear() starts from the new clock, not the old one', () => {
    const c = new Checker();
    c.push(1_000_000);
    c.pop();
    c.q.clear();
    const fresh = new Checker(c.q);
    fresh.push(0);
    fresh.push(10_000_000);
    fresh.q.peekTime(); // loads a bucket, pops nothing
    for (let i = 0; i < 2000; i++) fresh.push(5 + (i % 7));
    fresh.drain();
  });

  it('stops before a far bucket followed by bursts at the current time do not nest rungs without end', () => {
    // Each round: a burst at `now` spills the heap into a rung, then a run
    // to `now` stops before the far event. Nesting the same range again and
    // again would exhaust the rungs, and with them the splitting that keeps
    // wide buckets' sort keys exact; then a dense cluster in one wide bucket.
    const c = new Checker();
    c.push(0);
    c.push(2 ** 52);
    c.pop();
    for (let round = 0; round < 63; round++) {
      const now = c.lastPoppedTime;
      for (let i = 0; i < 512; i++) c.push(now);
      if (round < 62) while (c.pop(now));
    }
    const w = 2 ** 52 / 4096;
    for (let i = 0; i < 9000; i++) c.push(w + 1 + Math.floor(i * (w / 9000)) + (i % 3));
    c.drain();
  });

  it('clear() empties the queue and it works afterwards', () => {
    const q = new EventQueue();
    const rnd = lcg(1);
    for (let i = 0; i < 10_000; i++) q.push(Math.floor(rnd() * 1e6), 0, i, 0);
    for (let i = 0; i < 5000; i++) q.pop(Infinity);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.pop(Infinity)).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
    const c = new Checker(q);
    for (let i = 0; i < 10_000; i++) c.push(Math.floor(rnd() * 1000));
    c.drain();
  });
});
