import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { Stock } from '../../src/system/stock.js';
import { StockBuffers } from '../../src/system/stock-buffers.js';
import type { StockConfig } from '../../src/scenario/schema.js';
import { configOf } from '../helpers/flash-config.js';

type Primitive = StockConfig['primitive'];

/**
 * Buffers over a bare simulation: `take(at, server, request)` schedules a
 * take; answers record when each request got a unit or none.
 */
function setup(primitive: Primitive, initial: number, batch: number, servers: number, service = '1ms') {
  const sim = new Simulation();
  const stock = new Stock(initial, configOf({ system: { stock: { primitive, service } } }).system.stock);
  const got = new Map<number, number>();
  const none = new Map<number, number>();
  const ranOut: number[] = [];
  const buffers = new StockBuffers(sim, stock, batch, servers, {
    onUnit: (r) => got.set(r, sim.now),
    onNone: (r) => none.set(r, sim.now),
    onRanOut: (now) => ranOut.push(now),
  });
  const kind = sim.register('test.take', (server, request) => buffers.take(server, request));
  const take = (at: number, server: number, request: number) => sim.scheduleAt(at, kind, server, request);
  return { sim, stock, buffers, got, none, ranOut, take };
}

describe('stock buffers', () => {
  it('one refill (one store operation) serves a batch: later takes come from the buffer at once, with no store operation', () => {
    const { sim, stock, buffers, got, take } = setup('atomic', 100, 10, 1);
    for (let i = 0; i < 10; i++) take(i * 5000, 0, i);
    sim.run();
    expect(stock.operations).toBe(1);
    expect(got.get(0)).toBe(1000); // waited for the refill's service time
    for (let i = 1; i < 10; i++) expect(got.get(i)).toBe(i * 5000); // no time
    expect(stock.level).toBe(90);
    expect(buffers.sold).toBe(10);
    expect(buffers.held).toBe(0);
    expect(stock.sold).toBe(buffers.sold + buffers.held);
  });

  it('takes on a server while its refill is in flight wait for that refill instead of each starting one; more than a batch starts one more', () => {
    const { sim, stock, got, take } = setup('atomic', 100, 3, 1);
    for (let i = 0; i < 5; i++) take(i * 100, 0, i); // all within the first refill's 1 ms
    sim.run();
    expect(stock.operations).toBe(2);
    expect([0, 1, 2].map((i) => got.get(i))).toEqual([1000, 1000, 1000]);
    // The first batch brought 3: the other two wait for the next refill, in arrival order.
    expect([3, 4].map((i) => got.get(i))).toEqual([2000, 2000]);
    expect(stock.level).toBe(94);
  });

  it('a refill takes min(batch, level): the last units of the store, then nothing; a refill of nothing answers its waiting takes "none"', () => {
    const { sim, stock, buffers, got, none, ranOut, take } = setup('atomic', 4, 3, 2);
    take(0, 0, 0); // server 0 takes 3
    take(10, 1, 1); // server 1 takes the last 1
    take(5000, 1, 2); // server 1: its buffer is empty, the store too
    take(5001, 1, 3); // waits for that empty refill
    sim.run();
    // Every refill that finished with the store empty says so: the first (server 1's refill, begun at 10 µs, had taken the last unit), the second, and the empty one.
    expect(ranOut).toEqual([1000, 1010, 6000]);
    expect([...got.keys()].sort()).toEqual([0, 1]);
    expect([...none.keys()].sort()).toEqual([2, 3]);
    // Server 1 said "none" while server 0 still holds 2 units: stranded.
    expect(buffers.unitsAt(0)).toBe(2);
    expect(buffers.held).toBe(2);
    expect(stock.level).toBe(0);
    expect(stock.initial - stock.sold + stock.returned).toBe(stock.level);
    expect(stock.sold).toBe(buffers.sold + buffers.held);
  });

  for (const primitive of ['single-thread-server', 'row-lock'] as const) {
    it(`${primitive}: refills are store operations that queue one service time apart (the ceiling applies to batches)`, () => {
      const { sim, stock, got, take } = setup(primitive, 100, 10, 4, '1ms');
      for (let s = 0; s < 4; s++) take(0, s, s);
      sim.run();
      expect(stock.operations).toBe(4);
      expect([0, 1, 2, 3].map((s) => got.get(s))).toEqual([1000, 2000, 3000, 4000]);
      expect(stock.level).toBe(60);
      expect(stock.busyUntil(4000)).toBe(4000);
    });
  }

  it('check-then-decrement: overlapping refills read the same level and each takes a whole batch: the store loses batches of updates (oversell)', () => {
    const { sim, stock, buffers, take } = setup('check-then-decrement', 20, 10, 3, '2ms');
    for (let s = 0; s < 3; s++) take(s * 100, s, s);
    sim.run();
    expect(stock.sold).toBe(30); // three batches of 10 out of a stock of 20
    expect(stock.level).toBe(10); // each wrote 20 - 10 from its stale read
    expect(stock.initial - stock.sold + stock.returned).not.toBe(stock.level);
    expect(buffers.sold + buffers.held).toBe(30);
  });

  it('check-then-decrement: refills that do not overlap stay correct', () => {
    const { sim, stock, take } = setup('check-then-decrement', 20, 10, 3, '2ms');
    for (let s = 0; s < 3; s++) take(s * 10_000, s, s);
    sim.run();
    expect(stock.sold).toBe(20);
    expect(stock.level).toBe(0);
  });
});
