import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../src/kernel/simulation.js';
import { Stock } from '../../src/system/stock.js';
import type { StockConfig } from '../../src/scenario/schema.js';
import { configOf } from '../helpers/flash-config.js';

type Primitive = StockConfig['primitive'];

function stockConfig(primitive: Primitive, service: string): StockConfig {
  return configOf({ system: { stock: { primitive, service } } }).system.stock;
}

interface Take {
  requested: number;
  done: number;
  success: boolean;
}

/**
 * Drives takes on a bare simulation as the order flow does: begin at the
 * take's time, complete at the time begin returned, with the read value
 * and outcome begin reported. Returns takes in request order.
 */
function drive(stock: Stock, times: number[]): Take[] {
  const sim = new Simulation();
  const takes: Take[] = times.map((t) => ({ requested: t, done: NaN, success: false }));
  const reads = new Int32Array(times.length);
  const ok = new Uint8Array(times.length);
  const complete = sim.register('complete', (i) => {
    stock.complete(reads[i], ok[i]);
    takes[i].done = sim.now;
    // The level is never observed below zero by a correct primitive; checked by callers via minLevel.
  });
  const begin = sim.register('begin', (i) => {
    const done = stock.begin(sim.now);
    reads[i] = stock.lastRead;
    ok[i] = stock.lastSuccess ? 1 : 0;
    takes[i].success = stock.lastSuccess;
    sim.scheduleAt(done, complete, i);
  });
  times.forEach((t, i) => sim.scheduleAt(t, begin, i));
  sim.run();
  return takes;
}

const CORRECT: Primitive[] = ['atomic', 'single-thread-server', 'row-lock'];

describe('stock primitives', () => {
  for (const primitive of CORRECT) {
    it(`${primitive}: never below 0 and sells exactly min(initial, takes) under any interleaving (property)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 30 }),
          fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 0, maxLength: 80 }),
          fc.integer({ min: 1, max: 5000 }),
          (initial, times, serviceUs) => {
            const stock = new Stock(initial, stockConfig(primitive, `${serviceUs}us`));
            const takes = drive(stock, times);
            const wins = takes.filter((t) => t.success).length;
            expect(wins).toBe(Math.min(initial, times.length));
            expect(stock.sold).toBe(wins);
            expect(stock.level).toBe(initial - wins);
            // Every operation has ended: what the store shows is the level.
            expect(stock.committedLevel).toBe(stock.level);
            expect(stock.minLevel).toBeGreaterThanOrEqual(0);
            expect(stock.operations).toBe(times.length);
            expect(stock.initial - stock.sold + stock.returned).toBe(stock.level);
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it('busyUntil: a serial store is busy while its queue of operations lasts; a parallel one reports 0', () => {
    for (const primitive of ['row-lock', 'single-thread-server'] as const) {
      const stock = new Stock(10, stockConfig(primitive, '10us'));
      expect(stock.serial).toBe(true);
      stock.begin(0);
      stock.begin(0); // waits for the first: busy from 0 to 20
      expect([5, 15, 20, 100].map((t) => stock.busyUntil(t))).toEqual([5, 15, 20, 20]);
      stock.begin(100); // idle from 20 to 100, busy again until 110
      expect([105, 110, 200].map((t) => stock.busyUntil(t))).toEqual([25, 30, 30]);
    }
    for (const primitive of ['atomic', 'check-then-decrement'] as const) {
      const stock = new Stock(10, stockConfig(primitive, '10us'));
      expect(stock.serial).toBe(false);
      stock.begin(0);
      expect(stock.busyUntil(5)).toBe(0);
    }
  });

  it("committedLevel: a take shows in the store when its operation ends; a serial backlog commits at the store's pace", () => {
    const stock = new Stock(10, stockConfig('row-lock', '1ms'));
    const dones = [0, 0, 0].map(() => stock.begin(0));
    expect(dones).toEqual([1000, 2000, 3000]);
    // All three decided (level), none committed yet.
    expect(stock.level).toBe(7);
    expect(stock.committedLevel).toBe(10);
    stock.complete(10, 1);
    expect(stock.committedLevel).toBe(9);
    stock.complete(9, 1);
    stock.complete(8, 1);
    expect(stock.committedLevel).toBe(7);
    // A take that found nothing commits nothing.
    const empty = new Stock(0, stockConfig('atomic', '50us'));
    empty.begin(0);
    empty.complete(0, empty.lastTaken);
    expect(empty.committedLevel).toBe(0);
    // The racy primitive writes when its operation ends: committed and level agree throughout.
    const racy = new Stock(5, stockConfig('check-then-decrement', '1ms'));
    racy.begin(0);
    expect([racy.level, racy.committedLevel]).toEqual([5, 5]);
    racy.complete(5, 1);
    expect([racy.level, racy.committedLevel]).toEqual([4, 4]);
  });

  it('soldOutService: a take that finds nothing costs its own time, serial or parallel', () => {
    for (const primitive of ['row-lock', 'atomic'] as const) {
      const config = { ...stockConfig(primitive, '10us'), soldOutService: 4 };
      const takes = drive(new Stock(1, config), [0, 100, 200]);
      expect(takes.map((t) => t.done - t.requested)).toEqual([10, 4, 4]);
    }
  });

  it('perWaiter: a serial operation costs it once per operation queued ahead of it that has not begun', () => {
    const stock = new Stock(10, { ...stockConfig('row-lock', '10us'), perWaiter: 2 });
    // At 0: the first begins at once; the second waits behind one already begun (0 ahead: 10 µs);
    // the third behind one not begun (12 µs), the fourth behind two (14 µs). At 100 the store is idle again.
    const takes = drive(stock, [0, 0, 0, 0, 100]);
    expect(takes.map((t) => t.done)).toEqual([10, 20, 32, 46, 110]);
    expect(stock.busyUntil(200)).toBe(56);
  });

  it('atomic: operations run in parallel, each taking the service time', () => {
    const stock = new Stock(10, stockConfig('atomic', '1ms'));
    const takes = drive(stock, [0, 0, 0, 500]);
    expect(takes.map((t) => t.done)).toEqual([1000, 1000, 1000, 1500]);
  });

  it('atomic: with more takes than stock, the first ones (in arrival order) win', () => {
    const stock = new Stock(3, stockConfig('atomic', '50us'));
    const takes = drive(stock, [0, 0, 1, 2, 3, 4]);
    expect(takes.map((t) => t.success)).toEqual([true, true, true, false, false, false]);
  });

  it('check-then-decrement: overlapping takes all read the same level and all "succeed" (oversell, the negative control)', () => {
    const initial = 5;
    const stock = new Stock(initial, stockConfig('check-then-decrement', '2ms'));
    const times = Array.from({ length: 20 }, (_, i) => i * 10); // 20 takes within 0.2 ms, service 2 ms
    const takes = drive(stock, times);
    const wins = takes.filter((t) => t.success).length;
    expect(wins).toBe(20);
    expect(wins).toBeGreaterThan(initial);
    expect(stock.sold).toBe(20);
    // Lost updates: every write wrote initial − 1.
    expect(stock.level).toBe(initial - 1);
    // Conservation is broken, which is how the auditor sees it.
    expect(stock.initial - stock.sold + stock.returned).not.toBe(stock.level);
  });

  it('check-then-decrement: any overlap of more than `initial` takes at a level hands out more than `initial` (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (initial, extra) => {
        const stock = new Stock(initial, stockConfig('check-then-decrement', '2ms'));
        const n = initial + extra;
        const takes = drive(
          stock,
          Array.from({ length: n }, (_, i) => i),
        ); // all within 2 ms
        return takes.filter((t) => t.success).length === n && stock.sold > initial;
      }),
    );
  });

  it('check-then-decrement: sequential takes (no overlap) never oversell (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 2001, max: 10_000 }), { minLength: 1, maxLength: 60 }),
        (initial, gaps) => {
          const stock = new Stock(initial, stockConfig('check-then-decrement', '2ms'));
          let t = 0;
          const times = gaps.map((g) => (t += g));
          const takes = drive(stock, times);
          const wins = takes.filter((x) => x.success).length;
          return wins === Math.min(initial, times.length) && stock.level === initial - wins && stock.minLevel >= 0;
        },
      ),
    );
  });

  for (const primitive of ['single-thread-server', 'row-lock'] as const) {
    it(`${primitive}: operations serialize, finishing one service time apart; throughput ≤ 1/service`, () => {
      const stock = new Stock(1000, stockConfig(primitive, '1ms'));
      const times = [0, 0, 0, 100, 2500, 10_000];
      const takes = drive(stock, times);
      expect(takes.map((t) => t.done)).toEqual([1000, 2000, 3000, 4000, 5000, 11_000]);
    });

    it(`${primitive}: a burst of N takes takes at least N service times (property)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 100 }),
          fc.integer({ min: 10, max: 2000 }),
          (times, service) => {
            const stock = new Stock(1000, stockConfig(primitive, `${service}us`));
            const takes = drive(stock, times);
            const done = takes.map((t) => t.done).sort((a, b) => a - b);
            for (let i = 1; i < done.length; i++) if (done[i] - done[i - 1] < service) return false;
            const first = Math.min(...times);
            return done[done.length - 1] - first >= times.length * service;
          },
        ),
      );
    });
  }

  for (const primitive of CORRECT) {
    it(`${primitive}: giveBack returns a unit; initial − sold + returned = level`, () => {
      const stock = new Stock(2, stockConfig(primitive, '50us'));
      drive(stock, [0, 1, 2]);
      expect(stock.level).toBe(0);
      expect(stock.handedOut).toBe(2);
      stock.giveBack();
      expect(stock.level).toBe(1);
      expect(stock.returned).toBe(1);
      // Units out are net of returns (kills handedOut = sold): the order flow
      // uses it to un-declare "sold out" when a unit comes back.
      expect(stock.handedOut).toBe(1);
      expect(stock.initial - stock.sold + stock.returned).toBe(stock.level);
      const takes = drive(stock, [0, 1]);
      expect(takes.map((t) => t.success)).toEqual([true, false]);
      expect(stock.sold).toBe(3);
      expect(stock.level).toBe(0);
      expect(stock.initial - stock.sold + stock.returned).toBe(stock.level);
    });
  }
});

describe('batch takes (one operation for up to `want` units, for order-server buffers)', () => {
  for (const primitive of ['atomic', 'single-thread-server', 'row-lock'] as const) {
    it(`${primitive}: a take of a batch is one operation taking min(want, level); then nothing`, () => {
      const stock = new Stock(25, stockConfig(primitive, '1ms'));
      const done = [10, 10, 10].map(() => {
        const at = stock.begin(0, 10);
        stock.complete(stock.lastRead, stock.lastTaken);
        return [at, stock.lastTaken, stock.lastSuccess];
      });
      // Parallel: all finish after one service time; serial: one after the other.
      const times = stock.serial ? [1000, 2000, 3000] : [1000, 1000, 1000];
      expect(done).toEqual([
        [times[0], 10, true],
        [times[1], 10, true],
        [times[2], 5, true],
      ]);
      stock.begin(0, 10);
      expect([stock.lastTaken, stock.lastSuccess]).toEqual([0, false]);
      expect(stock.operations).toBe(4);
      expect(stock.sold).toBe(25);
      expect(stock.level).toBe(0);
      expect(stock.initial - stock.sold + stock.returned).toBe(stock.level);
    });
  }

  it('check-then-decrement: overlapping batches each take from the same stale read: the store oversells by whole batches', () => {
    const stock = new Stock(25, stockConfig('check-then-decrement', '1ms'));
    const reads = [0, 0, 0].map(() => {
      stock.begin(0, 10);
      return [stock.lastRead, stock.lastTaken];
    });
    expect(reads).toEqual([
      [25, 10],
      [25, 10],
      [25, 10],
    ]);
    for (const [read, taken] of reads) stock.complete(read, taken);
    expect(stock.sold).toBe(30);
    expect(stock.level).toBe(15);
    expect(stock.initial - stock.sold + stock.returned).not.toBe(stock.level);
  });
});
