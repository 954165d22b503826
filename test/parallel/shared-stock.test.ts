import { beforeAll, describe, expect, it } from 'vitest';
import { AtomicStock, createStockBuffer, hammerStock, RacyStock } from '../../src/parallel/shared-stock.js';
import { ensureBuilt } from '../cli/build.js';

/**
 * Real threads on one stock in shared memory: 4 worker threads × 200k
 * take attempts on a stock of 100k, released together by an Atomics gate.
 * The compare-and-swap stock sells exactly the stock; the check-then-write
 * stock oversells under the same load (also on a 2-core machine: the
 * busy-wait between its check and its write is far longer than the time
 * two running threads need to collide).
 */

const LOAD = { stock: 100_000, threads: 4, takesPerThread: 200_000 };
/**
 * The compare-and-swap stock takes a unit in a few ns, so 100k units can go
 * to the first thread to run before the scheduler lets another in on a busy
 * 2-core machine (the test suite runs files in parallel). Two million keep
 * all four threads busy for tens of ms, longer than a scheduler time slice.
 */
const ATOMIC_LOAD = { stock: 2_000_000, threads: 4, takesPerThread: 1_000_000 };

beforeAll(() => {
  ensureBuilt();
});

describe('one thread (no concurrency)', () => {
  it.each([
    ['atomic', (b: SharedArrayBuffer) => new AtomicStock(b)],
    ['racy', (b: SharedArrayBuffer) => new RacyStock(b, 10)],
  ] as const)('%s: exactly the stock, then refusals', (_name, open) => {
    const stock = open(createStockBuffer(1_000));
    let taken = 0;
    for (let i = 0; i < 1_500; i++) if (stock.tryTake()) taken++;
    expect(taken).toBe(1_000);
    expect(stock.level).toBe(0);
  });

  it('refuses a stock that does not fit an Int32', () => {
    expect(() => createStockBuffer(-1)).toThrow(RangeError);
    expect(() => createStockBuffer(2 ** 31)).toThrow(RangeError);
  });
});

describe('4 threads hammering one shared stock', () => {
  it('atomic (CAS decrement-if-positive): exactly `stock` successes, never below zero', async () => {
    for (let round = 0; round < 2; round++) {
      const r = await hammerStock({ kind: 'atomic', ...ATOMIC_LOAD });
      expect(r.successes).toHaveLength(4);
      expect(r.totalSuccesses).toBe(ATOMIC_LOAD.stock);
      expect(r.counted).toBe(ATOMIC_LOAD.stock);
      expect(r.oversell).toBe(0);
      expect(r.finalLevel).toBe(0);
      expect(r.minLevel).toBe(0);
      // Really concurrent: more than one thread won units.
      expect(r.successes.filter((s) => s > 0).length).toBeGreaterThan(1);
    }
  });

  it('non-atomic (read, pause, write): oversells under the same load', async () => {
    const r = await hammerStock({ kind: 'racy', ...LOAD });
    expect(r.counted).toBe(r.totalSuccesses);
    expect(r.totalSuccesses).toBeGreaterThan(LOAD.stock);
    expect(r.oversell).toBe(r.totalSuccesses - LOAD.stock);
    // The counter itself never goes negative (each write is a stale level − 1): the loss is in the successes.
    expect(r.minLevel).toBeGreaterThanOrEqual(0);
    expect(r.finalLevel).toBe(0);
  });
});
